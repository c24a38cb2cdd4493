"""Worker processes kept between `mkdocs serve` rebuilds: reused, and never left broken."""

from __future__ import annotations

import os

import pytest

from postmortem_kb.core import workers as workers_module
from postmortem_kb.core.workers import KeptWorkers


def test_kept_workers_are_reused_and_a_failed_build_ends_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers_module, "PARALLEL_FROM", 2)
    kept = KeptWorkers()
    try:
        with kept.for_build(10, keep=True) as first:
            pids = set(first.map(_pid, range(8)))
        with kept.for_build(10, keep=True) as second:
            assert second is first and second.started == first.jobs
            assert set(second.map(_pid, range(8))) <= pids | {os.getpid()}
        with pytest.raises(RuntimeError), kept.for_build(10, keep=True) as failing:
            raise RuntimeError("a build failed")
        assert failing._pool is None  # ended: a broken pool is not handed on
        with kept.for_build(10, keep=True) as after:
            assert after.map(_pid, range(2))  # a new pool starts on use
        # A plain build's workers end with it; the kept ones stay for the next rebuild.
        with kept.for_build(10, keep=False) as plain:
            plain.map(_pid, range(2))
        assert plain._pool is None and after._pool is not None
    finally:
        kept.close()
    assert after._pool is None


def _pid(_: int) -> int:
    return os.getpid()
