"""Slow preparations done once per test run, whatever the number of test processes.

The suite runs in parallel (pytest-xdist, one worker per core), and every worker collects
the whole suite. Building and installing the wheel, or creating another engine's
environment, must still happen once, and early: it waits on the package index for a minute
or more, time the other tests fill. So the first process that collects a test needing a
job claims it (an atomic ``mkdir`` in the run's shared folder), does it in a background
thread and writes the result there; any process waits for that file. The run's shared
folder is made by the process that starts pytest (``tests/conftest.py``) and removed when
that process ends, after every worker has.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

SHARED = "PMKB_TESTS_SHARED"
"""The environment variable naming the run's shared folder (inherited by the workers)."""


def open_run() -> Path | None:
    """Make the run's shared folder, in the process that starts pytest; returns it so that
    process removes it at the end (None in a worker, which inherits the folder)."""
    if os.environ.get(SHARED):
        return None
    folder = Path(tempfile.mkdtemp(prefix="pmkb-tests-"))
    os.environ[SHARED] = str(folder)
    return folder


def close_run(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(SHARED, None)


class SharedJob(Generic[T]):
    """One preparation, ``work(folder) -> result``; the result must pickle (paths, numbers)."""

    def __init__(self, name: str, work: Callable[[Path], T]) -> None:
        self.name = name
        self.work = work
        self.thread: threading.Thread | None = None

    @property
    def folder(self) -> Path:
        shared = os.environ.get(SHARED) or open_run()  # alone, outside pytest's hooks
        return Path(str(shared)) / self.name

    def start(self) -> None:
        """Claim the job and start it, unless this or another process already has."""
        if self.thread is not None:
            return
        try:
            (self.folder / "claimed").mkdir(parents=True)
        except FileExistsError:
            return
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        outcome: tuple[bool, object]
        try:
            work = self.folder / "work"
            work.mkdir()
            outcome = (True, self.work(work))
        except BaseException:  # handed to the tests that wait for it
            outcome = (False, traceback.format_exc())
        partial = self.folder / "result.partial"
        partial.write_bytes(pickle.dumps(outcome))
        partial.rename(self.folder / "result")  # seen whole or not at all

    def result(self, timeout: float = 1200) -> T:
        self.start()  # when no collection hook started it
        done = self.folder / "result"
        deadline = time.monotonic() + timeout
        while not done.exists():
            assert time.monotonic() < deadline, f"{self.name}: not ready after {timeout} s"
            time.sleep(0.5)
        succeeded, value = pickle.loads(done.read_bytes())
        assert succeeded, f"{self.name} failed:\n{value}"
        return value  # type: ignore[no-any-return]

    def finish(self) -> None:
        """Wait for a job this process started: no process outlives its run."""
        if self.thread is not None:
            self.thread.join(timeout=1200)
