"""Review policies: deadlines and severity triggers, only when asked for.

Each policy rule (PM220-PM222) has a report that breaks it on a given day and
look-alikes that do not; they never appear in ``pmkb check`` without
``--policies`` nor in the build log.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from postmortem_kb import RULES, Settings, load
from postmortem_kb.analysis.policies import POLICY_CODES, check_report, problems
from tests.conftest import Site, pmkb, report_text

DAY = date(2024, 1, 15)


def _report(tmp_path: Path, text: str, name: str = "report.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load([(path, name)], Settings(), tmp_path)


def _codes(tmp_path: Path, text: str, today: date, **settings: object) -> list[tuple[str, int]]:
    kb = _report(tmp_path, text)
    kb.settings = Settings.model_validate(settings)
    return [(p.code, p.line) for p in problems(kb, today)]


def test_policy_rules_are_catalogued() -> None:
    assert set(POLICY_CODES) <= set(RULES)
    assert all(str(RULES[code].level) == "warning" for code in POLICY_CODES)


# --- PM220: Final within N days -----------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "status", "today", "late"),
    [
        ("SEV1", "Review", date(2024, 1, 30), True),  # 15 days after the incident
        ("SEV0", "Draft", date(2024, 2, 15), True),
        ("SEV1", "Review", date(2024, 1, 29), False),  # the 14th day is still in time
        ("SEV1", "Final", date(2024, 6, 1), False),
        ("SEV2", "Review", date(2024, 6, 1), False),  # no deadline for SEV2 by default
    ],
)
def test_final_within_days(
    tmp_path: Path, severity: str, status: str, today: date, late: bool
) -> None:
    text = report_text("INC-2024-001", severity=severity, status=status)
    found = _codes(tmp_path, text, today)
    assert found == ([("PM220", 6)] if late else []), found


def test_final_within_days_is_configurable(tmp_path: Path) -> None:
    text = report_text("INC-2024-001", severity="SEV2", status="Review")
    found = _codes(tmp_path, text, date(2024, 2, 1), policies={"final_within_days": {"SEV2": 7}})
    assert found == [("PM220", 6)]


# --- PM221: P0 due within N days ----------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "due", "flagged"),
    [
        ("P0", "2024-02-20", True),  # 36 days after the incident
        ("P0", "2024-02-14", False),  # 30 days: in time
        ("P1", "2024-06-01", False),  # no deadline for P1 by default
    ],
)
def test_due_within_days(tmp_path: Path, priority: str, due: str, flagged: bool) -> None:
    text = report_text("INC-2024-001", actions=[("AI-1", "@alice", due, priority, "Not Started")])
    found = _codes(tmp_path, text, DAY)
    assert found == ([("PM221", 44)] if flagged else []), found


# --- PM222: trigger criteria -----------------------------------------------------------


def _with_impact(severity: str, extra: str) -> str:
    text = report_text("INC-2024-001", severity=severity)
    return text.replace(
        "  resolved: '2024-01-15T10:30:00Z'\n", "  resolved: '2024-01-15T10:30:00Z'\n" + extra
    )


@pytest.mark.parametrize(
    ("severity", "impact", "flagged"),
    [
        ("SEV3", "  users_affected: 1500\n", True),
        ("SEV4", "  revenue_usd: 25000\n", True),
        ("SEV3", "  users_affected: 1000\n  revenue_usd: 10000\n", False),  # not above
        ("SEV2", "  users_affected: 50000\n", False),  # already at SEV2
        ("SEV1", "  users_affected: 50000\n", False),
    ],
)
def test_trigger_criteria(tmp_path: Path, severity: str, impact: str, flagged: bool) -> None:
    found = _codes(tmp_path, _with_impact(severity, impact), DAY)
    assert found == ([("PM222", 5)] if flagged else []), found


def test_trigger_message_and_switches(tmp_path: Path) -> None:
    text = _with_impact("SEV3", "  users_affected: 3180\n")
    kb = _report(tmp_path, text)
    (finding,) = check_report(kb.reports[0], Settings(), DAY)
    assert finding.message == (
        "filed as SEV3, but its impact meets the SEV2 postmortem trigger "
        "(3,180 users affected > 1,000)"
    )
    assert _codes(tmp_path, text, DAY, policies={"trigger_criteria": False}) == []
    assert _codes(tmp_path, text, DAY, policies={"trigger_users_affected": 5000}) == []
    assert _codes(tmp_path, text, DAY, rules={"PM222": "off"}) == []


def test_policies_are_not_part_of_the_normal_checks(tmp_path: Path) -> None:
    text = _with_impact("SEV3", "  users_affected: 3180\n")
    assert _report(tmp_path, text).problems == []


# --- the command line and the site -----------------------------------------------------


def test_check_policies_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        'site_name: t\ndocs_dir: kb\nplugins:\n  - postmortems:\n      build_date: "2024-03-01"\n',
        encoding="utf-8",
    )
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.md").write_text(
        report_text("INC-2024-001", severity="SEV1", status="Review"), encoding="utf-8"
    )
    plain = pmkb("check", "--strict", cwd=tmp_path)
    assert (plain.returncode, plain.stdout.strip()) == (
        0,
        "0 errors, 0 warnings, 0 notes in 1 postmortem",
    )
    result = pmkb("check", "--policies", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == (
        "kb/a.md:6: warning PM220 policy-final-overdue: a SEV1 postmortem must be Final within "
        "14 days of the incident (2024-01-29); it is Review 32 days later"
    )
    assert pmkb("check", "--policies", "--strict", cwd=tmp_path).returncode == 1
    github = pmkb("check", "--policies", "--format", "github", cwd=tmp_path)
    assert github.stdout.startswith("::warning file=kb/a.md,line=6,title=PM220 ")


def test_action_items_page_shows_policies_when_asked(site: Site) -> None:
    site.add("2024/a.md", _with_impact("SEV3", "  users_affected: 3180\n"))
    site.configure('build_date: "2024-03-01"')
    site.build()
    assert "Review policies" not in site.page("incidents/action-items.md")
    site.configure('build_date: "2024-03-01"\npolicies:\n  show_on_site: true\n')
    site.build()  # strict: policy violations are shown on the page, never logged
    page = site.page("incidents/action-items.md")
    assert "Review policies" in page
    assert "PM222 policy-severity-trigger" in page
    assert "3,180 users affected" in page
