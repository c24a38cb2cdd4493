"""The near-misses page."""

from __future__ import annotations

from postmortem_kb.site.pages.paging import add_incidents
from postmortem_kb.site.pages.writer import PageWriter


def near_misses(w: PageWriter) -> None:
    near = [r for r in w.reports if r.meta.near_miss]
    lines = [
        "Incidents that could have had a major impact but did not. They teach the same "
        "lessons at a lower price.",
        "",
    ]
    add_incidents(w, "near-misses.md", "Near-misses", lines, near, nav_title="Near-misses")
