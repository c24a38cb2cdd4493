"""Safe, stable page names for tags, services and causes taken from frontmatter.

A tag becomes part of a URL and a file name, so its slug may hold only ``a-z``,
``0-9`` and ``-``: no ``..``, no slashes, no markup. Two different tags whose
slugs would be equal get distinct slugs, in a stable order, never one shared page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s_]+")
_UNSAFE = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def normalise(value: str) -> str:
    """The identity of a tag or service: case and spacing do not make a new one.

    Remembered: a build asks for the same few hundred tags and services hundreds of
    thousands of times (every group, recurrence and listing that shows them)."""
    return _SEPARATORS.sub("-", value.strip().lower()).strip("-")


def slugify(value: str) -> str:
    text = unicodedata.normalize("NFKD", normalise(value)).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", text).strip("-")[:80].strip("-") or "item"


def slug_map(values: Iterable[str]) -> dict[str, str]:
    """A slug for each distinct normalised value; collisions get -2, -3 in sorted order."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for value in sorted({normalise(v) for v in values}):
        base = slugify(value)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs[value] = slug
    return slugs
