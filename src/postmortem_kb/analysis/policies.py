"""Review policies: deadlines and severities a knowledge base holds its reports to.

Policies depend on the date (a report is late only after its deadline), so they
are kept out of the build log and ``pmkb check``'s default run, where a report
that passed yesterday must pass today. ``pmkb check --policies`` and the
action-items page (with ``policies.show_on_site``) report them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from postmortem_kb.core.kb import KnowledgeBase, problem_of
from postmortem_kb.core.model import Severity, Status
from postmortem_kb.core.report import Report
from postmortem_kb.core.rules import Finding, Level, Problem
from postmortem_kb.core.settings import Settings

POLICY_CODES = ("PM220", "PM221", "PM222")

_MINOR = (Severity.SEV3, Severity.SEV4)


@dataclass(frozen=True, slots=True)
class Violation:
    """A policy finding with the report it belongs to."""

    report: Report
    finding: Finding


def check_report(report: Report, settings: Settings, today: date) -> list[Finding]:
    """Policy findings of one report on ``today``."""
    meta = report.meta
    if meta.date is None or meta.severity is None:
        return []  # deadlines count from a known date, by a known severity
    policies = settings.policies
    findings: list[Finding] = []
    days = policies.final_within_days.get(meta.severity)
    if days is not None and meta.status not in (Status.FINAL, None):
        deadline = meta.date + timedelta(days=days)
        if today > deadline:
            findings.append(
                Finding(
                    "PM220",
                    report.source.line_of(("status",)),
                    f"a {meta.severity} postmortem must be Final within {days} days of the "
                    f"incident ({deadline.isoformat()}); it is {meta.status} "
                    f"{(today - deadline).days} days later",
                )
            )
    for item in report.action_items:
        days = policies.due_within_days.get(item.priority) if item.priority else None
        if days is None or item.due is None:
            continue
        latest = meta.date + timedelta(days=days)
        if item.due > latest:
            findings.append(
                Finding(
                    "PM221",
                    item.line,
                    f"{item.priority} action item {item.id} is due {item.due.isoformat()}, "
                    f"more than {days} days after the incident (by {latest.isoformat()})",
                )
            )
    if policies.trigger_criteria and meta.severity in _MINOR and meta.impact is not None:
        reasons = []
        users, revenue = meta.impact.users_affected, meta.impact.revenue_usd
        if users is not None and users > policies.trigger_users_affected:
            reasons.append(f"{users:,} users affected > {policies.trigger_users_affected:,}")
        if revenue is not None and revenue > policies.trigger_revenue_usd:
            reasons.append(f"${revenue:,.0f} revenue impact > ${policies.trigger_revenue_usd:,.0f}")
        if reasons:
            findings.append(
                Finding(
                    "PM222",
                    report.source.line_of(("severity",)),
                    f"filed as {meta.severity}, but its impact meets the SEV2 postmortem "
                    f"trigger ({'; '.join(reasons)})",
                )
            )
    return findings


def violations(kb: KnowledgeBase, today: date) -> list[Violation]:
    """Every policy finding of the knowledge base whose rule is not switched off."""
    return [
        Violation(report, finding)
        for report in kb.reports
        for finding in check_report(report, kb.settings, today)
        if kb.settings.level_of(finding.code) is not Level.OFF
    ]


def problems(kb: KnowledgeBase, today: date) -> list[Problem]:
    """Policy violations as problems, with the same paths as the knowledge base's."""
    found = (
        problem_of(kb.display(violation.report), violation.finding, kb.settings)
        for violation in violations(kb, today)
    )
    return sorted(problem for problem in found if problem is not None)
