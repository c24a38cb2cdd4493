"""Patterns across incidents: what they share, and which causes keep coming back.

The domain guide asks for a postmortem whenever incidents repeat with the same
root cause; :func:`recurring` finds those repeats so nobody has to remember them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .report import Report
from .slugs import normalise, slug_map


def newest_first(reports: Iterable[Report]) -> list[Report]:
    """Newest incident first; ties and undated reports in a stable order by id and path."""
    return sorted(
        reports,
        key=lambda r: (-(r.incident_date.toordinal() if r.incident_date else 0), r.id or "", r.rel),
    )


@dataclass(slots=True)
class Group:
    """Incidents sharing one value (a tag, a service, a cause) and that value's page slug."""

    key: str
    label: str
    slug: str
    reports: list[Report] = field(default_factory=list)


def group_by(reports: list[Report], values: Callable[[Report], Iterable[str]]) -> list[Group]:
    """Groups by normalised value, largest first, then alphabetical."""
    members: dict[str, list[Report]] = defaultdict(list)
    labels: dict[str, str] = {}
    for report in reports:
        for value in dict.fromkeys(normalise(v) for v in values(report)):
            if value:
                members[value].append(report)
                labels.setdefault(value, value)
    slugs = slug_map(members)
    groups = [Group(key, labels[key], slugs[key], newest_first(rs)) for key, rs in members.items()]
    groups.sort(key=lambda g: (-len(g.reports), g.key))
    return groups


def tags_of(report: Report) -> list[str]:
    return list(report.meta.tags) if report.meta else []


def services_of(report: Report) -> list[str]:
    return list(report.meta.services) if report.meta else []


def cause_of(report: Report) -> list[str]:
    meta = report.meta
    return [meta.root_cause.category] if meta and meta.root_cause else []


def factors_of(report: Report) -> list[str]:
    return [f.category for f in report.meta.contributing_factors] if report.meta else []


@dataclass(slots=True)
class Recurrence:
    """Two or more incidents with one root-cause category and overlapping services or tags."""

    category: str
    reports: list[Report]
    shared_services: list[str]
    shared_tags: list[str]


def recurring(reports: list[Report]) -> list[Recurrence]:
    """Connected groups within each root-cause category, joined by a shared service or tag."""
    by_category: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        for category in cause_of(report):
            by_category[normalise(category)].append(report)
    found: list[Recurrence] = []
    for category, members in sorted(by_category.items()):
        for component in _components(members):
            if len(component) < 2:
                continue
            found.append(
                Recurrence(
                    category=category,
                    reports=newest_first(component),
                    shared_services=_shared(component, services_of),
                    shared_tags=_shared(component, tags_of),
                )
            )
    found.sort(key=lambda r: (-len(r.reports), r.category, r.reports[0].id or ""))
    return found


def _components(members: list[Report]) -> list[list[Report]]:
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for index, report in enumerate(members):
        keys = [f"s:{normalise(s)}" for s in services_of(report)]
        keys += [f"t:{normalise(t)}" for t in tags_of(report)]
        for key in keys:
            if key in first_with:
                parent[root(index)] = root(first_with[key])
            else:
                first_with[key] = index
    components: dict[int, list[Report]] = defaultdict(list)
    for index, report in enumerate(members):
        components[root(index)].append(report)
    return list(components.values())


def _shared(reports: list[Report], values: Callable[[Report], Iterable[str]]) -> list[str]:
    """Values that at least two of the reports have."""
    counts: dict[str, int] = defaultdict(int)
    for report in reports:
        for value in {normalise(v) for v in values(report)}:
            counts[value] += 1
    return sorted(value for value, count in counts.items() if count >= 2)
