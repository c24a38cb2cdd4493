"""What a ``pmkb`` command reads: the files it is given, or the whole knowledge base,
through the publish gate exactly as the site build takes them.

A named file or folder inside the project's docs folder is judged where the site has it;
the rest of the knowledge base is read too (as context), so the checks across reports
see every id and link, while only the named files' problems are reported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from postmortem_kb.core.config import Project
from postmortem_kb.core.gate import Refusal, docs_exclusion
from postmortem_kb.core.kb import KnowledgeBase, display_path, gate, is_report, reports_of
from postmortem_kb.core.settings import Settings


class SelectionError(ValueError):
    """A named file or folder that does not exist."""


@dataclass(slots=True)
class Selection:
    """What a command reads: the files named (or all), as the site sees them."""

    wanted: list[tuple[Path, str]] = field(default_factory=list)
    """Files to read as postmortems, with their paths relative to the reports folder."""
    refused: list[Refusal] = field(default_factory=list)
    """The publish gate's refusals among the files named: reported, never read."""
    context: list[tuple[Path, str]] = field(default_factory=list)
    """The rest of the knowledge base, read for the checks across reports."""


def select(paths: Sequence[Path], project: Project | None, settings: Settings) -> Selection:
    """The files named on the command line, or the whole knowledge base, through the
    publish gate exactly as the site build takes them (:func:`~postmortem_kb.core.kb.gate`).

    A named file or folder inside the project's docs folder is judged where the site
    has it; one outside is judged on its own (a folder as its own docs folder; a file
    is read as a postmortem whatever its name, though never when it is special).
    """
    chosen = Selection()
    walk = None
    every: list[tuple[Path, str, str]] = []  # (path, docs path, path in the reports folder)
    if project is not None:
        walk = gate(
            project.docs_dir,
            settings,
            settings.folder,
            docs_exclusion(project.exclude_docs),
        )
        folder = PurePosixPath(settings.folder)
        for path, inner in reports_of(walk, settings.folder, settings):
            every.append((path, (folder / inner).as_posix().removeprefix("./"), inner))
    if not paths:
        assert walk is not None
        chosen.wanted = [(path, inner) for path, _, inner in every]
        chosen.refused = [*walk.refusals, *walk.plain]
        return chosen
    named: set[str] = set()
    inside = walk is not None
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise SelectionError(f"no such file or folder: {path}")
        place = docs_place(path, project) if walk is not None else None
        if place is None or walk is None:
            inside = False
            if path.is_dir():
                own = gate(path, settings)
                chosen.wanted.extend(reports_of(own, ".", settings))
                chosen.refused.extend([*own.refusals, *own.plain])
            else:
                chosen.wanted.append((path, path.name))  # named: read whatever its name
            continue
        refused = walk.refused_below(place)
        chosen.refused.extend(refused)
        below = [f for f in every if place in (".", f[1]) or f[1].startswith(place + "/")]
        if below:
            chosen.wanted.extend((p, inner) for p, _, inner in below)
            named.update(docs for _, docs, _ in below)
        elif not refused and not path.is_dir():
            # Named explicitly, a page that is not a report is checked as one.
            given = PurePosixPath(place)
            reports = PurePosixPath(settings.folder)
            below_reports = given.relative_to(reports) if given.is_relative_to(reports) else given
            shown = below_reports.as_posix() if str(reports) != "." else place
            chosen.wanted.append((path, shown))
    # A file named twice (itself and in its folder) is read once, or it would be its
    # own duplicate id.
    once: dict[str, tuple[Path, str]] = {}
    for path, inner in chosen.wanted:
        once.setdefault(os.path.abspath(path), (path, inner))
    chosen.wanted = list(once.values())
    if inside:
        # Links and duplicate ids are judged against the whole knowledge base, so
        # checking one changed file gives the answer checking everything gives.
        chosen.context = [(p, inner) for p, docs, inner in every if docs not in named]
    return chosen


def docs_place(path: Path, project: Project | None) -> str | None:
    """``path``'s docs path in the project (as walked, links unresolved), or None."""
    if project is None:
        return None
    for candidate in (Path(os.path.abspath(path)), path.resolve()):
        if candidate.is_relative_to(project.docs_dir):
            return candidate.relative_to(project.docs_dir).as_posix() or "."
    return None


def reports_among(paths: Sequence[Path], project: Project) -> list[Path]:
    """The files of ``paths`` that are reports of ``project`` (a hook passes every changed
    Markdown file, whatever the layout); a folder stands for its reports."""
    folder = project.reports_dir
    kept: list[Path] = []
    for path in paths or [folder]:
        if not path.exists():
            raise SelectionError(f"no such file or folder: {path}")
        real = path.resolve()
        if path.is_dir() and folder.is_relative_to(real):
            kept.append(folder)  # a folder holding the reports folder: its reports
        elif real.is_relative_to(folder) and (
            path.is_dir() or is_report(real.relative_to(folder).as_posix(), project.settings)
        ):
            kept.append(path)
    return list(dict.fromkeys(kept))


def shown_paths(kb: KnowledgeBase, chosen: Selection, root: Path) -> set[str]:
    """The display paths of the files ``chosen`` names (its wanted files come first in
    ``kb``, before the context), and of its refusals: the problems a command reports."""
    shown = {kb.display(report) for report in kb.reports[: len(chosen.wanted)]}
    return shown | {display_path(refusal.path, root) for refusal in chosen.refused}
