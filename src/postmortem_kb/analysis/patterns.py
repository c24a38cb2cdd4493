"""Patterns across incidents: what they share, and which causes keep coming back.

The domain guide asks for a postmortem whenever incidents repeat with the same
root cause; :func:`recurring` finds those repeats so nobody has to remember them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from postmortem_kb.core.report import Report
from postmortem_kb.core.slugs import normalise, slug_map
from postmortem_kb.core.wording import idf


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
    return list(report.meta.tags)


def services_of(report: Report) -> list[str]:
    return list(report.meta.services)


def cause_of(report: Report) -> list[str]:
    meta = report.meta
    return [meta.root_cause.category] if meta.root_cause else []


def factors_of(report: Report) -> list[str]:
    return [f.category for f in report.meta.contributing_factors]


@dataclass(slots=True)
class Recurrence:
    """Two or more incidents with one root-cause category and a service or tag in common."""

    category: str
    reports: list[Report]
    shared_services: list[str]
    shared_tags: list[str]


def recurring(reports: list[Report]) -> list[Recurrence]:
    """Incidents with one root-cause category that share a service or a tag.

    One group per (category, shared service or tag); groups with the same members are
    merged, and groups inside a larger one of their category are left out; the most
    specific groups come first (see :func:`_ranking`). Chaining
    pairs into connected groups was tried first: at a few thousand reports every
    category became one group of hundreds, which says nothing.
    """
    groups: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for report in reports:
        for category in {normalise(c) for c in cause_of(report)}:
            for service in {normalise(s) for s in services_of(report)}:
                groups[(category, f"s:{service}")].append(report)
            for tag in {normalise(t) for t in tags_of(report)}:
                groups[(category, f"t:{tag}")].append(report)
    merged: dict[tuple[str, frozenset[int]], list[Report]] = {}
    for (category, _), members in sorted(groups.items()):
        if len(members) >= 2:
            merged.setdefault((category, frozenset(id(r) for r in members)), members)
    # A group inside a larger group of the same category adds nothing to read.
    kept: list[tuple[str, frozenset[int], list[Report]]] = []
    for (category, ids), members in sorted(merged.items(), key=lambda kv: -len(kv[1])):
        if not any(c == category and ids < other for c, other, _ in kept):
            kept.append((category, ids, members))
    found = [
        Recurrence(
            category=category,
            reports=newest_first(members),
            shared_services=_shared(members, services_of),
            shared_tags=_shared(members, tags_of),
        )
        for category, _, members in kept
    ]
    found.sort(key=_ranking(reports))
    return found


def _ranking(reports: list[Report]) -> Callable[[Recurrence], tuple[object, ...]]:
    """Most telling first: the rarer what a group shares (the sum of the inverse
    document frequencies of its category and its shared services and tags), the higher;
    then the most recent, then the most severe; size only breaks ties.

    Ranked by size, groups restate the commonest categories ("automation: 99
    incidents"); ranked by rarity, a repeat of XID wraparound or a leap second comes
    before a hundred incidents that share a coarse category.
    """
    count = len(reports) or 1
    df: dict[str, int] = defaultdict(int)
    for report in reports:
        for value in {f"c:{normalise(c)}" for c in cause_of(report)}:
            df[value] += 1
        for value in {f"s:{normalise(s)}" for s in services_of(report)}:
            df[value] += 1
        for value in {f"t:{normalise(t)}" for t in tags_of(report)}:
            df[value] += 1

    def key(r: Recurrence) -> tuple[object, ...]:
        shared = [f"c:{r.category}"]
        shared += [f"s:{s}" for s in r.shared_services] + [f"t:{t}" for t in r.shared_tags]
        specificity = round(sum(idf(count, df[v]) for v in shared), 6)
        newest = r.reports[0].incident_date
        worst = min((str(x.meta.severity) for x in r.reports if x.meta), default="SEV9")
        return (
            -specificity,
            -(newest.toordinal() if newest else 0),
            worst,
            -len(r.reports),
            r.category,
            r.reports[0].id or "",
        )

    return key


def _shared(reports: list[Report], values: Callable[[Report], Iterable[str]]) -> list[str]:
    """Values that every one of the reports has."""
    counts: dict[str, int] = defaultdict(int)
    for report in reports:
        for value in {normalise(v) for v in values(report)}:
            counts[value] += 1
    return sorted(value for value, count in counts.items() if count == len(reports))
