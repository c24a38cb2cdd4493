"""The bad-input corpus made real: a copy of ``tests/corpus/broken`` with the cases of
its ``layout.txt`` (links, FIFOs, names git cannot hold), for ``pmkb check`` and builds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus" / "broken"
LAYOUT = CORPUS / "layout.txt"
EXPECTED = CORPUS / "expected.txt"


def layout() -> list[tuple[str, str, str]]:
    """(kind, file name, target) of every made case; names with their escapes decoded."""
    cases = []
    for line in LAYOUT.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, name, *rest = line.split("\t")
        decoded = name.encode("ascii").decode("unicode_escape")
        cases.append((kind, decoded, rest[0] if rest else ""))
    return cases


def materialize(folder: Path) -> Path:
    """Copy the corpus into ``folder`` (created) and make the cases of ``layout.txt``."""
    shutil.copytree(
        CORPUS, folder, ignore=shutil.ignore_patterns("layout.txt", "expected.txt", ".git*")
    )
    for kind, name, target in layout():
        path = folder / name
        if kind == "link":
            path.symlink_to(target)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "file":
            shutil.copyfile(CORPUS / target, path)
        else:  # pragma: no cover
            raise ValueError(f"layout.txt: unknown kind {kind!r}")
    return folder


GATE_CODES = frozenset({"PM006", "PM030", "PM031", "PM032", "PM033", "PM034", "PM035", "PM036"})
"""The publish gate's rules: a file refused by one of them is not read as a postmortem."""


def corpus_names() -> list[str]:
    """Every case's name as ``pmkb check`` prints it (control characters escaped)."""
    from postmortem_kb.core.gate import printable

    names = [
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name not in ("layout.txt", "expected.txt", ".gitattributes")
    ]
    names += [printable(name) for _, name, _ in layout()]
    return sorted(names)
