"""The near-misses page."""

from __future__ import annotations

from postmortem_kb.site.pages.writer import PageWriter


def near_misses(w: PageWriter) -> None:
    near = [r for r in w.reports if r.meta.near_miss]
    w.add(
        "near-misses.md",
        "Near-misses",
        [
            "Incidents that could have had a major impact but did not. They teach the same "
            "lessons at a lower price.",
            "",
            *w.incident_table("near-misses.md", near),
        ],
        "Near-misses",
    )
