"""How durations and counts are written, the same way on the site and in the terminal."""

from __future__ import annotations

from datetime import timedelta


def format_minutes(value: float | None) -> str:
    """``47 min``, ``2 h 05 min``, ``3 d 4 h``: how incident reviews say durations."""
    if value is None:
        return "n/a"
    total = round(value)
    if total < 60:
        return f"{total} min"
    hours, mins = divmod(total, 60)
    if hours < 24:
        return f"{hours} h {mins:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def format_duration(value: timedelta | None) -> str:
    """A duration as :func:`format_minutes` writes it; empty when unknown."""
    return "" if value is None else format_minutes(value.total_seconds() / 60)


def plural(count: int, noun: str) -> str:
    """``1 incident``, ``2 incidents``, ``2 near-misses``."""
    suffix = "es" if noun.endswith("miss") else "s"
    return f"{count} {noun}{'' if count == 1 else suffix}"
