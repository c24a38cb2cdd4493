"""Paths inside the docs folder as MkDocs writes them: relative, with '/' separators.

Plain string operations, not :class:`~pathlib.PurePosixPath`: the publish gate asks
these of every file, several times, and building path objects for them was most of
the time `pmkb check` took to choose 10,000 files.
"""

from __future__ import annotations


def path_parts(rel: str) -> tuple[str, ...]:
    """The parts of ``rel`` as ``PurePosixPath(rel).parts`` has them (no empty or '.' parts)."""
    parts = rel.split("/")
    if "" in parts or "." in parts:
        return tuple(part for part in parts if part not in ("", "."))
    return tuple(parts)


def in_folder(rel: str, folder: str) -> str | None:
    """``rel`` relative to ``folder`` ('.' for the folder itself), else None."""
    parts, base = path_parts(rel), path_parts(folder)
    if parts[: len(base)] != base:
        return None
    return "/".join(parts[len(base) :]) or "."
