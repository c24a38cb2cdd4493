"""The other engines the knowledge base must build under, each in its own environment.

mkdocs-techdocs-core pins Material and Markdown to its own versions, and Zensical
brings its own stack, so neither can share the suite's environment. Creating each
environment waits on the package index for a minute or more: each is done once per run,
in the background, from the moment ``tests/test_engines.py`` is collected, so they are
ready by the time its tests run (``tests/shared_work.py``).
"""

from __future__ import annotations

import shutil
import time
import venv
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tests.shared_work import SharedJob
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


ENGINES = {name: SharedJob(name, partial(prepare, name)) for name in RECIPES}
"""Each started as soon as ``tests/test_engines.py`` is collected (``tests/conftest.py``)."""
