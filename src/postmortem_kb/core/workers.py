"""Worker processes for large knowledge bases: reading, relating and indexing on every core.

Building is CPU-bound Python, so threads would not help and processes do, from a few
hundred reports up. A build's workers are spawned, not forked: ``mkdocs serve`` runs
threads, and a forked child of a threaded process can deadlock. The ``pmkb`` command
runs no threads and forks its workers, which then start at once instead of importing
everything again. What travels to and from workers must be cheap to pickle (paths,
lean reports, similarity features, catalog rows).

Below :data:`PARALLEL_FROM` reports, or on one core, the same calls run in this
process, so small sites and tests take the same code path; a build's search index alone
goes to a worker from :data:`INDEX_WORKER_FROM` reports. A worker ends by itself when the
process that started it is gone.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from types import TracebackType
from typing import Any, TypeVar

PARALLEL_FROM = 400
"""Below this many reports, starting worker processes costs more than it saves."""

INDEX_WORKER_FROM = 100
"""From this many reports a build starts its workers for the search index alone: built in
a worker while MkDocs renders the pages, it costs the build nothing (at 242 real reports
it was 2.6 s of a 15.7 s build). Reading and relating wait for :data:`PARALLEL_FROM`: their
results are needed at once, before a worker would have started."""

MAX_WORKERS = 8

T = TypeVar("T")


class Workers:
    """A pool of worker processes for one build (or none), started on first use."""

    def __init__(self, jobs: int, *, fork: bool = False) -> None:
        self.jobs = max(1, jobs)
        self.started = 0
        """Worker processes started so far (none until the first piece of work)."""
        self.start_method = "fork" if fork and sys.platform == "linux" else "spawn"
        """Forking is asked for only by a caller that runs no other thread, and used only
        on Linux: macOS system libraries are not safe to use in a forked child."""
        self._pool: ProcessPoolExecutor | None = None

    @classmethod
    def for_size(
        cls, reports: int, *, fork: bool = False, parallel_from: int | None = None
    ) -> Workers:
        """As many workers as cores when ``reports`` is large enough to pay for them
        (``parallel_from``, by default :data:`PARALLEL_FROM`). They start on first use."""
        cores = min(os.cpu_count() or 1, MAX_WORKERS)
        least = PARALLEL_FROM if parallel_from is None else parallel_from
        return cls(cores if reports >= least else 1, fork=fork)

    @property
    def parallel(self) -> bool:
        return self.jobs > 1

    def pay_for(self, items: int) -> bool:
        """Whether sharing ``items`` reports among the workers is worth sending them."""
        return self.parallel and items >= PARALLEL_FROM

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = get_context(self.start_method)
            # Workers run without the cyclic garbage collector: what they make (reports,
            # index parts) is sent back and freed by reference counting, and no task makes
            # reference cycles (a test holds every kind to that), so collections would only
            # walk each chunk's reports once more before they go: 3-6% of the reading time.
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
            )
            self.started = self.jobs
        return self._pool

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` in a worker; here, at once, when not parallel."""
        if self.parallel:
            return self._executor().submit(fn, *args)
        done: Future[T] = Future()
        try:
            done.set_result(fn(*args))
        except Exception as exc:  # handed over as a worker's would be, by .result()
            done.set_exception(exc)
        return done

    def map(self, fn: Callable[..., T], items: Iterable[Any], *args: Any) -> list[T]:
        """``[fn(item, *args) for item in items]``, the items shared among the workers
        and this process.

        The workers take items from the front and this process from the back, until
        they meet: what this process computes is never pickled, and it would
        otherwise sit waiting.
        """
        items = list(items)
        if not self.parallel:
            return [fn(item, *args) for item in items]
        pool = self._executor()
        pending: list[Future[T] | None] = [pool.submit(fn, item, *args) for item in items]
        results: dict[int, T] = {}
        for index in reversed(range(len(items))):
            future = pending[index]
            if future is None or not future.cancel():  # a worker has it already
                break
            results[index] = fn(items[index], *args)
            pending[index] = None
        for index, future in enumerate(pending):
            if future is not None:
                results[index] = future.result()
        return [results[index] for index in range(len(items))]

    def chunks(self, items: list[T], per_worker: int = 1) -> list[list[T]]:
        """``items`` cut in order into ``per_worker`` pieces per worker (one when serial)."""
        if not self.parallel:
            return [items] if items else []
        size = max(1, -(-len(items) // (self.jobs * per_worker)))
        return [items[i : i + size] for i in range(0, len(items), size)]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def release(self) -> None:
        """End the pool without waiting: work handed to it already (a search index still
        being built) runs to its end, and then its processes exit."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


PARENT_CHECK_S = 1.0
"""How often a worker looks whether the process that started it is still there."""


def _start_worker(parent: int) -> None:
    """Each worker runs without the cyclic collector (see :meth:`Workers._executor`), and
    ends when its parent is gone. A build or `mkdocs serve` stopped by a signal that runs
    no clean-up (SIGTERM from `docker stop` or an editor's stop button) would otherwise
    leave its workers waiting for work for ever: each holds a writing end of the queue it
    reads, so it never sees that queue end."""
    gc.disable()
    threading.Thread(target=_end_with, args=(parent,), name="pmkb-parent", daemon=True).start()


def _end_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


class KeptWorkers:
    """Worker processes kept from one build to the next, while ``mkdocs serve`` runs:
    starting them again (each imports the package anew) was 1.5 s of a 5,000-report
    rebuild."""

    def __init__(self) -> None:
        self._workers: Workers | None = None

    @contextmanager
    def for_build(self, reports: int, *, keep: bool) -> Iterator[Workers]:
        """Workers for one build of ``reports``: the last build's when ``keep`` (and
        they are as many), else new ones, released at the end of the block (work still
        running in them, the search index, finishes first). A build that fails ends them
        too: a pool whose worker died would fail every build after it."""
        least = min(INDEX_WORKER_FROM, PARALLEL_FROM)
        wanted = Workers.for_size(reports, parallel_from=least)
        if keep:
            if self._workers is None or self._workers.jobs != wanted.jobs:
                self.close()
                self._workers = wanted
            wanted = self._workers
        try:
            yield wanted
        except BaseException:
            wanted.close()
            raise
        if not keep:
            wanted.release()

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None
