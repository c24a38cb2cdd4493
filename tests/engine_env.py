"""The other engines the knowledge base must build under, each in its own environment.

mkdocs-techdocs-core pins Material and Markdown to its own versions, and Zensical
brings its own stack, so neither can share the suite's environment. Creating each
environment waits on the package index for a minute or more: ``tests/conftest.py``
starts both in background threads as soon as ``tests/test_engines.py`` is collected,
so they are ready by the time its tests run; the session's end removes them.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import venv
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from tests.wheel_env import NOT_SOURCE, ROOT, ok, run

TECHDOCS_CORE = "mkdocs-techdocs-core==1.7.1"
"""What Backstage's TechDocs builds with today (it pins Material 9.7.7, Markdown < 3.11)."""
ZENSICAL = "zensical==0.0.73"
"""The newest Zensical that installs from the index here (0.1 needs zensical-ui)."""


@dataclass(frozen=True, slots=True)
class Engine:
    env: Path
    seconds: float
    """How long creating the environment took (reported by the tests)."""

    def bin(self, name: str) -> Path:
        return self.env / "bin" / name


def _techdocs(work: Path) -> list[str | Path]:
    """techdocs-core and the package, from a copy of the source tree, resolved together
    (pip picks the package's dependencies within techdocs-core's pins)."""
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    return [TECHDOCS_CORE, source]


def _zensical(work: Path) -> list[str | Path]:
    return [ZENSICAL]  # builds the rendered folder: no plugin to install


RECIPES = {"techdocs": _techdocs, "zensical": _zensical}


def prepare(name: str, work: Path) -> Engine:
    started = time.monotonic()
    env = work / "venv"
    venv.create(env, with_pip=True)
    pip = (env / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile")
    ok(run(*pip, *RECIPES[name](work), cwd=work))
    return Engine(env, time.monotonic() - started)


class _Engines:
    def __init__(self) -> None:
        self.futures: dict[str, Future[Engine]] = {}
        self.folders: list[Path] = []
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for name in RECIPES:
            if name in self.futures:
                continue
            future: Future[Engine] = Future()
            self.futures[name] = future
            folder = Path(tempfile.mkdtemp(prefix=f"pmkb-{name}-"))
            self.folders.append(folder)

            def work(future: Future[Engine], name: str, folder: Path) -> None:
                try:
                    future.set_result(prepare(name, folder))
                except BaseException as exc:  # handed to the test that waits for it
                    future.set_exception(exc)

            thread = threading.Thread(target=work, args=(future, name, folder), daemon=True)
            thread.start()
            self.threads.append(thread)

    def result(self, name: str) -> Engine:
        self.start()  # when the engine tests run without the conftest hook
        return self.futures[name].result(timeout=1200)

    def stop(self) -> None:
        for thread in self.threads:
            thread.join(timeout=1200)
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)


ENGINES = _Engines()
