"""Worker processes kept between `mkdocs serve` rebuilds: reused, and never left broken."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from postmortem_kb.core import workers as workers_module
from postmortem_kb.core.workers import KeptWorkers, Workers

ROOT = Path(__file__).resolve().parents[2]


def test_kept_workers_are_reused_and_a_failed_build_ends_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers_module, "PARALLEL_FROM", 2)
    kept = KeptWorkers()
    try:
        with kept.for_build(10, keep=True) as first:
            first.map(_pid, range(8))
            pids = _worker_pids(first)
        with kept.for_build(10, keep=True) as second:
            assert second is first and second.started == first.jobs
            second.map(_pid, range(8))
            # The same processes (under load this process may do every item itself, so the
            # items' pids would not say which workers exist).
            assert _worker_pids(second) == pids and len(pids) == first.jobs
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


def _worker_pids(workers: Workers) -> set[int]:
    assert workers._pool is not None
    return {process.pid for process in workers._pool._processes.values()}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states in /proc")
@pytest.mark.parametrize("fork", [False, True], ids=["spawned", "forked"])
def test_workers_end_when_their_process_is_killed(tmp_path: Path, fork: bool) -> None:
    """`mkdocs serve` stopped by SIGTERM (`docker stop`, an editor's stop button) runs no
    clean-up: its worker processes must not wait for work for ever."""
    script = tmp_path / "killed.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, signal
            from postmortem_kb.core.workers import Workers

            def pid(_):
                return os.getpid()

            if __name__ == "__main__":
                workers = Workers(2, fork={fork})
                started = set(workers.map(pid, range(8))) - {{os.getpid()}}
                print(" ".join(map(str, started)), flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    workers = [int(pid) for pid in result.stdout.split()]
    assert workers, result.stderr
    deadline = time.monotonic() + 10 * workers_module.PARENT_CHECK_S
    while [pid for pid in workers if _running(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in workers if _running(pid)] == []


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (an exited process nobody has reaped yet is a zombie: ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
