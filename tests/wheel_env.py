"""The package as users install it, prepared while the rest of the suite runs.

Building the wheel and installing it into a fresh virtual environment takes a minute or
two, most of it waiting on the package index: it is done once per run, in the background,
while the rest of the suite runs (``tests/shared_work.py``); ``tests/test_packaging.py``
waits for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from tests.shared_work import SharedJob

ROOT = Path(__file__).resolve().parent.parent
_ANYWHERE = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
    ".hypothesis", "node_modules",
)  # fmt: skip


def NOT_SOURCE(folder: str, names: list[str]) -> set[str]:  # a copytree ignore
    """What the copy of the tree leaves out: caches and builds anywhere, and the built
    site/ at the top only (src/postmortem_kb/site/ is the package's site layer)."""
    ignored = set(_ANYWHERE(folder, names))
    if Path(folder).resolve() == ROOT and "site" in names:
        ignored.add("site")
    return ignored


@dataclass(frozen=True, slots=True)
class Prepared:
    wheel: Path
    sdist: Path
    env: Path
    """The virtual environment the wheel is installed in (not editable)."""


def run(*args: str | Path, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """A command with the environment of a user's shell: no PYTHONPATH, no active venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def prepare(work: Path) -> Prepared:
    """``python -m build`` of a copy of the source tree (the sdist, then the wheel from it),
    and the wheel installed into a fresh virtual environment as a user installs it."""
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    ok(run(sys.executable, "-m", "build", "--outdir", work / "dist", source, cwd=work))
    (wheel,) = (work / "dist").glob("*.whl")
    (sdist,) = (work / "dist").glob("*.tar.gz")
    env = work / "venv"
    venv.create(env, with_pip=True)
    # Byte-compiling every dependency is a third of the install's time, and changes
    # nothing the tests look at.
    pip = (env / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile")
    ok(run(*pip, wheel, cwd=work))
    return Prepared(wheel, sdist, env)


WHEEL = SharedJob("wheel", prepare)
"""Started as soon as the packaging tests are collected (``tests/conftest.py``)."""
