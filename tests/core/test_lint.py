"""The review checks on the words: each phrase family fires, and its look-alikes do not.

Low false positives matter more than coverage, so every family has both sides,
and the repository's samples and the guide's complete example must trip nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortem_kb import Settings, find_reports, load
from postmortem_kb.core.checks.lint import (
    BLAMEFUL,
    COMMON_TRIGGERS,
    COUNTERFACTUAL,
    HINDSIGHT,
    HUMAN_ERROR,
    NAMED_BLAME,
    NAMED_TRIGGERS,
    OMISSION,
    PERSON_ONLY_TRIGGERS,
    VAGUE,
    VIGILANCE,
    VIGILANCE_WORDS,
    Family,
    has_verb,
    is_vigilance,
)
from tests.conftest import VALID, check_text, pmkb

ROOT = Path(__file__).resolve().parents[2]
LANGUAGE_CODES = {"PM209", "PM210", "PM211", "PM212", "PM213", "PM214"}
"""The blameless-language rules of Learning-from-Incidents practice."""
LINT_CODES = {"PM201", "PM202", "PM203", "PM204", "PM205", "PM206", "PM207", "PM208"}
LINT_CODES |= LANGUAGE_CODES

WRONG = "Load tests missed error paths."  # the What Went Wrong section, line 56
ROOT_CAUSE = "A new error path did not release its connection."  # line 41
IMPACT = "About 50,000 users saw errors for 47 minutes."  # line 29


def lint(tmp_path: Path, text: str) -> list[tuple[str, int, str]]:
    problems = check_text(tmp_path, text)
    return [(p.code, p.line, p.message) for p in problems if p.code in LINT_CODES]


def with_text(old: str, new: str, status: str = "Final") -> str:
    assert old in VALID
    return VALID.replace(old, new, 1).replace("status: Final", f"status: {status}", 1)


# --- blameful language (PM201) ----------------------------------------------------

# (family, blameful sentence, blameless sentence using the same words)
BLAMEFUL_CASES = [
    ("who-broke", "We still have to find out who broke production.", "We found what broke it."),
    (
        "who-broke",
        "Who caused the outage?",
        "Merchants who caused the traffic spike retried; the change that caused the outage "
        "was reverted at 11:00.",
    ),
    (
        "should-have-known",
        "The on-call engineer should have known the pool was small.",
        "The alert should have fired at 10:05, but its window was 10 minutes.",
    ),
    (
        "should-have-known",
        "This could have been prevented if you had checked.",
        "A staging check would have prevented this.",
    ),
    (
        "stupid-mistake",
        "This was a stupid mistake.",
        "A mistake in the config template passed review; the schema did not cover it.",
    ),
    (
        "stupid-mistake",
        "It was a sloppy error.",
        "The error message did not name the missing key.",
    ),
    (
        "why-didnt-you",
        "Why didn't you test this?",
        "Why didn't we test this? Why didn't the alert fire?",
    ),
    (
        "why-didnt-you",
        "Why did you deploy on a Friday?",
        "Why did the deploy run on a Friday?",
    ),
    (
        "careless",
        "A careless edit removed the limit.",
        "A careful review did not spot the one-letter difference.",
    ),
    (
        "careless",
        "Negligence in the review let it through.",
        "The review checklist had no step for resource limits.",
    ),
    (
        "fault-of",
        "It was the fault of the engineer on call.",
        "A fault in the disk controller corrupted pages; fault injection now covers it.",
    ),
    (
        "fault-of",
        "The operator was to blame.",
        "Blame the system, not the person: the operator had no dry-run mode.",
    ),
]


def test_every_blameful_family_has_cases() -> None:
    assert {family.name for family in BLAMEFUL} == {case[0] for case in BLAMEFUL_CASES}


@pytest.mark.parametrize(
    ("family", "blameful", "blameless"),
    BLAMEFUL_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(BLAMEFUL_CASES)],
)
def test_blameful_phrase_fires_and_its_look_alike_does_not(
    tmp_path: Path, family: str, blameful: str, blameless: str
) -> None:
    found = lint(tmp_path, with_text(WRONG, blameful))
    assert [(code, line) for code, line, _ in found] == [("PM201", 56)], found
    assert f"({family})" in found[0][2]
    assert lint(tmp_path, with_text(WRONG, blameless)) == []


def test_blameful_finding_carries_the_suggestion(tmp_path: Path) -> None:
    problems = check_text(tmp_path, with_text(WRONG, "Who broke production?"))
    (problem,) = [p for p in problems if p.code == "PM201"]
    assert problem.message == "blameful phrasing 'Who broke' (who-broke)"
    assert problem.hint == 'Ask what, not who: "What system failures led to this?"'
    assert problem.level == "warning"


@pytest.mark.parametrize(
    "quoted",
    [
        'The guide asks us never to say "who broke production?" in a review.',
        "The log line read `careless shutdown detected`.",
        "```text\nERROR who broke the build: stupid mistake\n```",
        "> Why didn't you test this?\n\nWe asked what testing gaps we had instead.",
        "<!-- careless -->\nThe comment above is not prose.",
        "See [the runbook](https://wiki.example/careless-edit) and <https://x.example/fault-of-you>.",
    ],
)
def test_code_quotes_and_comments_are_not_prose(tmp_path: Path, quoted: str) -> None:
    assert lint(tmp_path, with_text(WRONG, quoted, status="Review")) == []


def test_a_phrase_is_reported_on_its_own_line(tmp_path: Path) -> None:
    text = with_text(WRONG, "The rollback took\nlonger than planned, and a careless\nedit slipped.")
    assert [(c, line) for c, line, _ in lint(tmp_path, text)] == [("PM201", 57)]


@pytest.mark.parametrize("before", ["Plain words.", "İstanbul ﬁles: lowercasing lengthens them."])
def test_a_phrase_in_a_later_run_is_found_in_its_run(tmp_path: Path, before: str) -> None:
    """Trigger words are looked for in all runs at once before runs are searched; a
    phrase after other paragraphs, or after text whose lowercase is longer (İ,
    ligatures), is still found in its own run and line."""
    text = with_text(WRONG, f"{before}\n\nA second paragraph.\n\nWho broke production?")
    found = lint(tmp_path, text)
    assert [(code, line) for code, line, _ in found] == [("PM201", 60)], found
    assert "'Who broke'" in found[0][2]


def test_blameful_frontmatter_text_is_reported_at_its_key(tmp_path: Path) -> None:
    text = VALID.replace(
        '  summary: "An error path did not release database connections."',
        '  summary: "A careless change did not release database connections."',
    )
    assert [(c, line) for c, line, _ in lint(tmp_path, text)] == [("PM201", 12)]


# --- people named as the cause (PM202) ----------------------------------------------

NAMED = [
    "Bob deployed buggy code that caused the outage.",
    "Alice forgot to release the connection.",
    "The leak was Bob's mistake.",
    "The leak was caused by @alice.",
    "An error by Bob Johnson left the pool open.",
]
NOT_NAMED = [
    "Alice's investigation showed that the new error path caused the outage.",
    "Bob found the leak at 10:30; the error path did not release its connection.",
    "The deploy that caused the outage was reviewed and approved.",
    "A new error path did not release its connection, as Alice's load test later showed.",
]


@pytest.mark.parametrize("sentence", NAMED)
def test_a_person_named_as_the_cause_is_reported(tmp_path: Path, sentence: str) -> None:
    found = lint(tmp_path, with_text(ROOT_CAUSE, sentence))
    assert [(code, line) for code, line, _ in found] == [("PM202", 41)], found


@pytest.mark.parametrize("sentence", NOT_NAMED)
def test_a_person_mentioned_but_not_as_the_cause_is_not(tmp_path: Path, sentence: str) -> None:
    assert lint(tmp_path, with_text(ROOT_CAUSE, sentence)) == []


def test_names_outside_the_root_cause_are_pm212s(tmp_path: Path) -> None:
    found = lint(tmp_path, with_text(WRONG, "Alice forgot to add the alert."))
    assert [(code, line) for code, line, _ in found] == [("PM212", 56)]


def test_teams_are_not_people(tmp_path: Path) -> None:
    text = with_text(ROOT_CAUSE, "The platform-team broke the pool with a config change.")
    text = text.replace("| @bob |", "| @platform-team |")
    assert lint(tmp_path, text) == []


def test_a_person_in_the_root_cause_summary(tmp_path: Path) -> None:
    text = VALID.replace(
        '  summary: "An error path did not release database connections."',
        '  summary: "Alice forgot to release database connections."',
    )
    assert [(c, line) for c, line, _ in lint(tmp_path, text)] == [("PM202", 12)]


# --- hindsight, omission, human error, names in blame (PM209-PM212, PM214) ------------

# Every phrase issue 19 names, and its neighbours: (sentence, findings on line 56).
# Alice Smith and Bob Johnson are the report's authors; Carol and @dave are not.
LANGUAGE_CASES = [
    ("Bob forgot to renew the certificate.", ["PM212"]),
    ("Carol forgot to renew the certificate.", ["PM212"]),
    ("Human error: Carol didn't follow the runbook.", ["PM211", "PM212"]),
    ("Human error: Bob didn't follow the runbook.", ["PM211", "PM212"]),
    ("The on-call engineer should have rolled back at 10:20.", ["PM209"]),
    ("We should have caught this in staging.", ["PM209"]),
    ("He ought to have asked before deploying.", ["PM209"]),
    ("The engineer should have been more careful.", ["PM209"]),
    ("A second reviewer could have prevented this.", ["PM209"]),
    ("The on-call engineer failed to escalate.", ["PM210"]),
    ("We failed to notice the disk filling.", ["PM210"]),
    ("Someone forgot to renew the certificate.", ["PM210"]),
    ("The change came from a script that neglected to run the tests.", ["PM210"]),
    ("The operator didn't follow the runbook.", ["PM210"]),
    ("The deploy did not follow the change process.", ["PM210"]),
    ("The on-call engineer ignored the disk alerts.", ["PM210"]),
    ("The night-shift operator failed to escalate.", ["PM210"]),
    ("We forgot about the second region.", ["PM210"]),
    ("Alice forgot the --dry-run flag.", ["PM212"]),
    ("The root cause was human error.", ["PM211"]),
    ("An engineer fat-fingered the region name.", ["PM211"]),
    ("If only we had added the alert.", ["PM214"]),
    ("This could have been prevented.", ["PM214"]),
    ("The outage would have been avoided if the canary had run.", ["PM214"]),
    ("It should have been caught in review.", ["PM214"]),
    ("The outage was entirely avoidable.", ["PM214"]),
    ("@dave didn't follow the runbook.", ["PM212"]),
    ("@dave failed to renew the certificate.", ["PM212"]),
    ("Because Carol ignored the runbook, the volume filled.", ["PM212"]),
    ("On Monday, Bob messed up the rollout.", ["PM212"]),
    ("When Bob ignored the disk alerts, the volume filled.", ["PM212"]),
    ("Bob failed to renew the certificate.", ["PM212"]),
    ("Alice made a mistake in the rate limit.", ["PM212"]),
    ("Carol Nguyen should have known the pool was small.", ["PM212"]),
]

# Sentences that use the same words and blame nobody: systems and products as subjects,
# safeguards in hindsight, possibility rather than hindsight, advice, and text quoted.
NOT_BLAME = [
    "The health check failed to detect the stuck worker.",
    "Kubernetes failed to reschedule the pods onto the new nodes.",
    "GitHub failed to deliver webhooks for 20 minutes, and PagerDuty failed to page anyone.",
    "Jenkins failed to start the build, and Consul failed to elect a leader.",
    "The Postgres operator failed to promote the replica.",
    "The operator failed to reconcile the custom resource after the upgrade.",
    "Jenkins forgot the workspace between runs, and the browser forgot the session.",
    "Alertmanager ignored the alert because of an inhibition rule.",
    "On Monday, Terraform messed up the state file.",
    "Kubernetes should have noticed that the node was gone.",
    "Customers failed to check out for 12 minutes.",
    "If the on-call engineer fails to acknowledge the page, it escalates after 5 minutes.",
    "The engineer failed to connect to the bastion host, and we failed to reproduce the leak.",
    "From 10:00 to 10:47 we failed to process 2% of payments.",
    "Developers should have read-only access to production.",
    "The on-call engineer should have received a page at 10:05; the route was muted.",
    "A staging check would have prevented this.",
    "PostgreSQL would have stopped accepting writes within three days.",
    "If only one replica is down, writes continue.",
    "We could have lost the ledger if the second disk had failed.",
    "Someone could have read the tokens from the public bucket.",
    "We couldn't have known that the flag was renamed.",
    "We should have an alert on the pool size.",
    "We should have automated checks for this, and dedicated capacity for the queue.",
    "Engineers followed the runbook; its step 4 named a flag that v2 had renamed.",
    "The retry policy ignored the Retry-After header, and the kernel ignored the child processes.",
    "This was not human error: the tool accepted the input.",
    "Confirmation steps prevent human error; human factors research calls this a mode error.",
    "The operator error rate stayed flat.",
    "Forgot-password requests doubled.",
    "In March, the team followed the new release process.",
    "Bob found the leak at 10:30 and Alice rolled back the deploy.",
    "Alice's review caught the second leak.",
    'The guide asks us not to write "Carol forgot to renew" or "human error".',
    "The `forgot_to_renew` flag was set, and `failed to follow runbook` was logged.",
    "> Carol forgot to renew the certificate.\n\nThe renewal was manual.",
    "<!-- should have, failed to, human error -->\nThe renewal was manual.",
]


@pytest.mark.parametrize(("sentence", "expected"), LANGUAGE_CASES)
def test_blameful_language_is_reported(tmp_path: Path, sentence: str, expected: list[str]) -> None:
    found = lint(tmp_path, with_text(WRONG, sentence, status="Review"))
    assert [(code, line) for code, line, _ in found] == [(code, 56) for code in expected], found


@pytest.mark.parametrize("sentence", NOT_BLAME)
def test_the_same_words_without_blame_are_not_reported(tmp_path: Path, sentence: str) -> None:
    assert lint(tmp_path, with_text(WRONG, sentence, status="Review")) == []
    assert lint(tmp_path, with_text(ROOT_CAUSE, sentence, status="Review")) == []


def test_findings_name_the_phrase_and_say_what_to_write(tmp_path: Path) -> None:
    text = with_text(WRONG, "Human error: Carol didn't follow the runbook. We should have known.")
    problems = [p for p in check_text(tmp_path, text) if p.code in LINT_CODES]
    assert [(p.code, p.message) for p in problems] == [
        ("PM201", "blameful phrasing 'should have known' (should-have-known)"),
        ("PM211", "human-error label 'Human error' (human-error)"),
        (
            "PM212",
            "'Carol' is named as the subject of a blamed action "
            "('Carol didn't follow the runbook')",
        ),
    ]
    hints = {p.code: p.hint for p in problems}
    assert "what made it reasonable at the time" in hints["PM211"]
    assert "Name the role, not the person" in hints["PM212"]
    assert all(p.level == "warning" for p in problems)


def test_counterfactual_outcomes_are_info_and_pass_a_strict_check(tmp_path: Path) -> None:
    text = with_text(WRONG, "This outage was avoidable.", "Review")
    problems = check_text(tmp_path, text)
    assert [(p.code, str(p.level)) for p in problems] == [("PM214", "info")]
    assert "name the safeguard that was missing" in problems[0].hint
    done = pmkb("check", "--strict", "report.md", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "info PM214 counterfactual" in done.stdout
    (tmp_path / "report.md").write_text(
        text.replace("This outage was avoidable.", "We failed to see the alert.")
    )
    assert pmkb("check", "--strict", "report.md", cwd=tmp_path).returncode == 1


def test_the_most_specific_phrase_is_reported_once(tmp_path: Path) -> None:
    """Overlapping matches of several families are reported once, by the first family."""
    found = lint(tmp_path, with_text(WRONG, "This could have been prevented if you had checked."))
    assert [(code, line) for code, line, _ in found] == [("PM201", 56)]
    found = lint(tmp_path, with_text(WRONG, "The engineer failed to follow the runbook."))
    assert [(code, message) for code, _, message in found] == [
        ("PM210", "omission framing 'failed to follow the runbook' (didnt-follow)")
    ]


def test_a_name_pm202_reports_is_not_reported_twice(tmp_path: Path) -> None:
    sentence = "Alice forgot to release the connection; Carol ignored the runbook."
    text = with_text(ROOT_CAUSE, sentence)
    found = lint(tmp_path, text)
    assert [(code, line) for code, line, _ in found] == [("PM202", 41), ("PM212", 41)], found
    assert "'Carol'" in found[1][2]


def test_language_rules_read_the_frontmatter_text(tmp_path: Path) -> None:
    text = VALID.replace(
        '  summary: "An error path did not release database connections."',
        '  summary: "Human error: an engineer forgot to release database connections."',
    )
    found = lint(tmp_path, text)
    assert [(code, line) for code, line, _ in found] == [("PM210", 12), ("PM211", 12)]


def test_team_handles_and_products_are_not_people(tmp_path: Path) -> None:
    """A team is not named as a person (PM212), though its omission is still framed as one."""
    text = with_text(WRONG, "@payments-team forgot to renew it. Redis failed to evict keys.")
    assert lint(tmp_path, text) == [("PM210", 56, "omission framing 'forgot to' (forgot-to)")]


def _guide_table(heading: str) -> list[list[str]]:
    """The rows of the first table under a heading of the writing guide, as cells."""
    page = (ROOT / "postmortems" / "guide" / "writing.md").read_text(encoding="utf-8")
    section = page.split(heading, 1)[1]
    rows = [line for line in section.split("\n\n", 3)[2].splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


@pytest.mark.parametrize(
    "row", _guide_table('### Hindsight, omissions and "human error"'), ids=lambda r: r[2]
)
def test_the_guides_examples_are_what_the_rules_do(tmp_path: Path, row: list[str]) -> None:
    """Each 'Instead of' sentence of the writing guide trips the rules its row names, and
    each 'Write' sentence trips none."""
    instead, write, rules = row
    found = lint(tmp_path, with_text(WRONG, instead.replace(" / ", "\n\n"), "Review"))
    assert {code for code, _, _ in found} == set(rules.split(", ")), found
    assert lint(tmp_path, with_text(WRONG, write, "Review")) == []


# --- action items that ask for care (PM213) ---------------------------------------------

VIGILANCE_ACTIONS = [
    "Be more careful",
    "Be more careful with config changes",
    "Be more vigilant about disk alerts",
    "Engineers should be more attentive during deploys",
    "Pay more attention to the dashboards",
    "Pay attention to the region flag",
    "Remember to renew the certificate",
    "Don't forget to drain the node",
    "Double-check the region before running the script",
    "Triple check firewall changes",
    "Take extra care with migrations",
    "More careful code reviews",
    "Try harder to follow the runbook",
]
ACTIONS_WITH_A_SAFEGUARD = [
    "Add a pre-deploy check that rejects a rate limit of 0",
    "Page when a disk will be full within 4 hours at the current rate",
    "Renew the certificate automatically and alert 14 days before expiry",
    "Make the script ask for the region and show how many hosts it will touch",
    "Verify the expiry date of every certificate",
    "Remind certificate owners by email 30 days before expiry",
    "Check replication lag every minute and alert above 30 s",
    "Move the old cluster out of the rotation",
    "Document `--be-careful` and `remember_to` flags",
]


@pytest.mark.parametrize("action", VIGILANCE_ACTIONS)
def test_an_action_that_asks_for_care_gets_its_own_hint(tmp_path: Path, action: str) -> None:
    text = VALID.replace("| Test error paths under load |", f"| {action} |")
    problems = [p for p in check_text(tmp_path, text) if p.code in LINT_CODES]
    assert [(p.code, p.line) for p in problems] == [("PM213", 48)], problems
    assert "name" in problems[0].hint.lower() and "safeguard" in problems[0].hint
    assert is_vigilance(action)


@pytest.mark.parametrize("action", ACTIONS_WITH_A_SAFEGUARD)
def test_an_action_that_names_a_safeguard_is_not_vigilance(tmp_path: Path, action: str) -> None:
    assert not is_vigilance(action)
    text = VALID.replace("| Test error paths under load |", f"| {action} |")
    assert [p for p in check_text(tmp_path, text) if p.code in LINT_CODES] == []


def test_the_guides_action_examples_are_what_the_rule_does() -> None:
    rows = _guide_table("### Action items that ask for care")
    assert len(rows) >= 4
    for instead, write in rows:
        assert is_vigilance(instead), instead
        assert not is_vigilance(write) and has_verb(write), write


# --- vague wording (PM203) ---------------------------------------------------------

VAGUE_CASES = [
    ("slow", "The database was slow.", "The database was slow: p99 rose from 50 ms to 5,000 ms."),
    ("many-users", "Many users saw errors.", "About 50,000 users saw errors."),
    ("many-users", "A lot of requests failed.", "2.3 million requests failed."),
    ("a-while", "Errors went on for a while.", "Errors went on for 47 minutes."),
    ("a-while", "Recovery took some time.", "Recovery took 47 minutes, from 10:13 to 11:00 UTC."),
]


def test_every_vague_family_has_cases() -> None:
    assert {family.name for family in VAGUE} == {case[0] for case in VAGUE_CASES}


@pytest.mark.parametrize(("family", "vague", "specific"), VAGUE_CASES)
def test_vague_wording_without_numbers_is_reported(
    tmp_path: Path, family: str, vague: str, specific: str
) -> None:
    found = lint(tmp_path, with_text(IMPACT, vague))
    assert [(code, line) for code, line, _ in found] == [("PM203", 29)], found
    assert lint(tmp_path, with_text(IMPACT, specific)) == []


def test_vague_wording_is_only_checked_where_the_guide_asks_for_data(tmp_path: Path) -> None:
    assert lint(tmp_path, with_text(WRONG, "The database was slow for a while.")) == []
    found = lint(tmp_path, with_text(ROOT_CAUSE, "The database was slow."))
    assert [(code, line) for code, line, _ in found] == [("PM203", 41)]


def test_five_whys_questions_are_not_vague(tmp_path: Path) -> None:
    text = with_text(ROOT_CAUSE, "1. **Why was the database slow?** The pool was full.")
    assert lint(tmp_path, text) == []


# --- Final reports (PM204, PM205, PM206) ----------------------------------------------


def test_final_report_with_todo_guidance_and_empty_table(tmp_path: Path) -> None:
    text = with_text(WRONG, "TODO: ask the database team.\n\n<!-- What made it worse? -->")
    text = text.replace(
        "| AI-1 | Add connection pool alerting | @alice | 2024-01-20 | P0 | Done |\n", ""
    )
    text = text.replace(
        "| AI-2 | Test error paths under load | @bob | 2024-02-01 | P1 | In Progress |\n", ""
    )
    found = [(code, line) for code, line, _ in lint(tmp_path, text)]
    assert found == [("PM206", 45), ("PM204", 54), ("PM205", 56)]


def test_drafts_and_reviews_may_hold_todos_guidance_and_empty_tables(tmp_path: Path) -> None:
    text = with_text(
        WRONG, "TODO: ask the database team.\n\n<!-- What made it worse? -->", "Review"
    )
    text = text.replace(
        "| AI-1 | Add connection pool alerting | @alice | 2024-01-20 | P0 | Done |\n", ""
    )
    text = text.replace(
        "| AI-2 | Test error paths under load | @bob | 2024-02-01 | P1 | In Progress |\n", ""
    )
    assert lint(tmp_path, text) == []


def test_a_todo_in_the_frontmatter_of_a_final_report(tmp_path: Path) -> None:
    text = VALID.replace(
        'authors: ["Alice Smith", "Bob Johnson"]', 'authors: ["TODO: add the authors"]'
    )
    assert [(c, line) for c, line, _ in lint(tmp_path, text)] == [("PM204", 7)]


def test_code_directives_and_lowercase_todo_are_fine_in_final(tmp_path: Path) -> None:
    text = with_text(
        WRONG,
        "The `# TODO` in `pool.py` was the leak.\n\n<!-- markdownlint-disable MD013 -->\n\n"
        "The team keeps a todo list of load tests.",
    )
    assert lint(tmp_path, text) == []


# --- action items (PM207, PM208) -------------------------------------------------------


@pytest.mark.parametrize("owner", ["TBD", "?", "-", "n/a", "@", "Unassigned", "everyone", "team"])
def test_placeholder_owners(tmp_path: Path, owner: str) -> None:
    found = lint(tmp_path, VALID.replace("| @bob |", f"| {owner} |"))
    assert [(code, line) for code, line, _ in found] == [("PM207", 48)]


@pytest.mark.parametrize("owner", ["@bob", "@payments-team", "Sofia Lindqvist", "@sre-oncall"])
def test_real_owners(tmp_path: Path, owner: str) -> None:
    assert lint(tmp_path, VALID.replace("| @bob |", f"| {owner} |")) == []


@pytest.mark.parametrize(
    "action", ["Better monitoring", "Connection pool alerting", "Runbook for failover", "N/A"]
)
def test_actions_without_a_verb(action: str) -> None:
    assert not has_verb(action)


@pytest.mark.parametrize(
    "action",
    [
        "Add connection pool monitoring and alerting",
        "Implement canary deployment (5% → 50% → 100%)",
        "Re-enable TLS verification in synthetic checks",
        "Adding error paths to the load tests",
        "`cfg rollback` reverts all regions in parallel",
        "Partition `ledger_entries` by month",
    ],
)
def test_actions_with_a_verb(action: str) -> None:
    assert has_verb(action)


def test_every_sample_action_has_a_verb() -> None:
    reports = load(find_reports(ROOT / "postmortems", Settings()), Settings()).reports
    actions = [item.action for report in reports for item in report.action_items]
    assert len(actions) > 40
    assert [a for a in actions if not has_verb(a)] == []


# --- no false positives on realistic reports -------------------------------------------


def test_the_samples_trip_nothing() -> None:
    kb = load(find_reports(ROOT / "postmortems", Settings()), Settings(), ROOT)
    assert len(kb.reports) >= 10
    assert LANGUAGE_CODES <= LINT_CODES
    assert [p for p in kb.problems if p.code in LINT_CODES] == []


def test_the_guides_complete_example_trips_nothing(tmp_path: Path) -> None:
    page = (ROOT / "postmortems" / "guide" / "writing.md").read_text(encoding="utf-8")
    example = re.search(r"```markdown\n(---\n.*?)```\n", page, re.DOTALL)
    assert example is not None
    assert check_text(tmp_path, example.group(1)) == []


BLAMELESS_PROSE = [
    # From the domain guide's examples of blameless writing.
    "Why didn't we catch this before production? Load testing didn't simulate errors.",
    "Code review didn't catch the connection leak, and unit tests didn't cover error paths.",
    "An engineer attempted to remove a directory on the wrong server; the names were similar.",
    "A high-stress situation led to a mistake, and no confirmation step stopped it.",
    "The input to the command was entered incorrectly, and the tool accepted it.",
    "The system allowed this to happen: what safeguards were missing?",
    "Thank you to the on-call engineer, who caught the fault within two minutes.",
    "The incident revealed a weakness: the fault-tolerance tests skipped the error path.",
    "We were careful to keep the rollback small; it still took longer than the 15 minute RTO.",
    "Nobody was at fault: the runbook named a flag that no longer existed.",
]


@pytest.mark.parametrize("sentence", BLAMELESS_PROSE)
def test_blameless_prose_is_not_reported(tmp_path: Path, sentence: str) -> None:
    assert lint(tmp_path, with_text(WRONG, sentence)) == []
    assert lint(tmp_path, with_text(ROOT_CAUSE, sentence)) == []


# --- trigger words --------------------------------------------------------------------


FAMILIES = [*BLAMEFUL, *HUMAN_ERROR, *OMISSION, *HINDSIGHT, *COUNTERFACTUAL, *VAGUE]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_every_match_holds_a_trigger_word(family: Family) -> None:
    """A text is searched for a family's phrases only when it holds one of the
    family's trigger words: a match without one would never be reported.

    150 examples a family (17 families): at 300 these were a tenth of the suite's time."""

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.from_regex(family.pattern, fullmatch=True, alphabet=st.characters(codec="ascii")))
    def holds_a_trigger(phrase: str) -> None:
        assert any(word in phrase.lower() for word in family.triggers), phrase
        if family.anchor is not None:  # and, where the family has one, its anchor
            assert family.anchor.search(phrase.lower()), phrase

    holds_a_trigger()


def test_every_name_in_blame_holds_a_trigger_word() -> None:
    """Names are looked for only in runs holding a word of their actions; actions that
    count for any name hold a word that alone lets them be looked for."""

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.from_regex(NAMED_BLAME, alphabet=st.characters(codec="ascii")))
    def holds_a_trigger(text: str) -> None:
        match = NAMED_BLAME.search(text)
        assert match is not None
        phrase = match.group(0).lower()
        words = [word for word in NAMED_TRIGGERS if word in phrase]
        # A common word lets a run be searched only with the action's first words.
        assert any(w not in COMMON_TRIGGERS or COMMON_TRIGGERS[w].search(phrase) for w in words)
        person_only = match.group("person_only")
        if person_only is not None:
            assert any(word in person_only.lower() for word in PERSON_ONLY_TRIGGERS), text

    holds_a_trigger()


def test_every_care_only_action_holds_a_trigger_word() -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.from_regex(VIGILANCE, fullmatch=True, alphabet=st.characters(codec="ascii")))
    def holds_a_trigger(phrase: str) -> None:
        assert any(word in phrase.lower() for word in VIGILANCE_WORDS), phrase

    holds_a_trigger()
