"""Related incidents, patterns and action-item figures, computed by the core."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

from postmortem_kb import KnowledgeBase, Settings, load
from postmortem_kb.analysis.actions import collect, completion_rate, overdue
from postmortem_kb.analysis.latent import DIMENSIONS
from postmortem_kb.analysis.patterns import recurring
from postmortem_kb.analysis.relate import LATENT_FROM, link
from postmortem_kb.core.slugs import slug_map, slugify
from tests.conftest import report_text


def knowledge_base(tmp_path: Path, *texts: str) -> KnowledgeBase:
    files = []
    for index, text in enumerate(texts):
        path = tmp_path / f"r{index}.md"
        path.write_text(text, encoding="utf-8")
        files.append((path, path.name))
    kb = load(files, Settings(), tmp_path)
    assert kb.errors == [], kb.errors
    return kb


def test_explicit_links_go_both_ways(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        report_text("INC-2024-001", related=["INC-2024-002"]),
        report_text("INC-2024-002"),
        report_text("INC-2024-003", related=["INC-2024-002"]),
    )
    links = link(kb.reports)
    assert links["INC-2024-001"].names == ["INC-2024-002"]
    assert links["INC-2024-002"].names == []
    assert links["INC-2024-002"].named_by == ["INC-2024-001", "INC-2024-003"]


# Reports written for these tests: each tells one mechanism, the way authors do.
MECHANISMS = {
    "regex-waf": (
        "A new WAF rule held a regular expression with catastrophic backtracking; on "
        "ordinary requests it pinned the CPU of every edge server.",
        "The firewall rule was deployed everywhere at once. Its pattern backtracked "
        "exponentially, so CPU exhaustion reached all edge machines within minutes.",
    ),
    "regex-forum": (
        "Rendering a post with a long run of whitespace sent the text-trimming regular "
        "expression into backtracking, and the web servers ran out of CPU.",
        "The expression backtracked over twenty thousand characters per request; the "
        "load balancer took the CPU-starved servers out one after another.",
    ),
    "cert": (
        "The TLS certificate of the payments API expired because its renewal job had "
        "silently failed for a month.",
        "Clients rejected the handshake once the certificate expired; nobody was alerted "
        "when the renewal cron job stopped.",
    ),
    "disk": (
        "The log volume of the primary database filled up and writes stopped.",
        "Verbose logging left on after a debugging session grew the volume until the "
        "filesystem had no free space.",
    ),
    "pool": (
        "An error path did not release database connections, so the pool ran dry.",
        "Every failed request leaked one connection; after an hour the pool was exhausted "
        "and the API waited forever for a connection.",
    ),
    "dns": (
        "A zone file with a missing trailing dot was published and resolvers returned "
        "NXDOMAIN for internal names.",
        "The DNS change skipped validation; cached negative answers kept failing lookups "
        "after the zone was fixed.",
    ),
    "leap": (
        "The leap second made the kernel's high-resolution timers spin, and Java "
        "processes used all CPU time.",
        "Hosts whose clocks stepped back one second livelocked until the clock was reset.",
    ),
    "quota": (
        "The object storage bucket reached its request quota and uploads were throttled.",
        "Batch exports retried without backoff, which kept the quota exhausted for hours.",
    ),
}


def mechanism_report(report_id: str, mechanism: str, **fields: object) -> str:
    summary, analysis = MECHANISMS[mechanism]
    return report_text(
        report_id,
        summary=summary,
        sections={"Executive Summary": summary, "Root Cause Analysis": analysis},
        **fields,  # type: ignore[arg-type]
    )


def mechanism_texts(**extra: dict[str, object]) -> list[str]:
    """One report per mechanism, INC-2024-001 upwards in :data:`MECHANISMS` order, each
    with its own tags, services and cause category unless ``extra`` says otherwise."""
    texts = []
    for number, mechanism in enumerate(MECHANISMS, 1):
        fields: dict[str, object] = {
            "tags": [f"{mechanism}-tag"],
            "services": [f"{mechanism}-service"],
            "category": f"{mechanism}-cause",
        }
        fields.update(extra.get(mechanism, {}))
        texts.append(mechanism_report(f"INC-2024-{number:03d}", mechanism, **fields))
    return texts


def mechanisms_kb(tmp_path: Path, **extra: dict[str, object]) -> KnowledgeBase:
    return knowledge_base(tmp_path, *mechanism_texts(**extra))


def test_the_same_mechanism_in_other_words_relates(tmp_path: Path) -> None:
    """Two regex-backtracking outages, told differently, on different services, with
    different tags and cause categories: the wording alone relates them."""
    links = link(mechanisms_kb(tmp_path).reports)
    [waf] = links["INC-2024-001"].similar
    assert waf.id == "INC-2024-002"
    assert waf.reasons[0].startswith("both: ")
    named = waf.reasons[0].removeprefix("both: ").split(", ")
    assert {"backtracking", "cpu"} <= {word for item in named for word in item.split()}
    assert len(waf.reasons) == 1  # no shared tag, service or category to name
    assert [m.id for m in links["INC-2024-002"].similar] == ["INC-2024-001"]
    for other in ("INC-2024-003", "INC-2024-004", "INC-2024-005", "INC-2024-006"):
        assert links[other].similar == [], other


def _filler(rng: random.Random, vocabulary: list[str], words: int) -> str:
    return " ".join(rng.sample(vocabulary, words)) + "."


def test_words_used_together_elsewhere_relate_reports_that_share_none(tmp_path: Path) -> None:
    """Latent wording: one report says "regex ... catastrophic", the other "regular
    expression ... pinned", and they share no word, tag, service or cause; six other
    reports use all of those words together, among 300 about other things. In a
    knowledge base large enough to learn from (past
    :data:`~postmortem_kb.analysis.latent.DIMENSIONS` reports), the two relate, with the
    words that bridge them as the reason."""
    rng = random.Random(20261202)
    syllables = ["ka", "lo", "mi", "ne", "ru", "so", "ti", "vu", "da", "pe", "gor", "fen"]
    vocabulary = sorted({a + b + c for a in syllables for b in syllables for c in syllables})
    vocabulary = [w for w in vocabulary if len(w) >= 6][:400]
    texts = []

    def add(analysis: str, other_words: int = 6) -> str:
        report_id = f"INC-2024-{len(texts) + 1:03d}"
        name = f"r{len(texts)}"
        text = f"{analysis} {_filler(rng, vocabulary, other_words)}"
        texts.append(mechanism_free_report(report_id, name, text))
        return report_id

    told_short = add("A regex went catastrophic.", other_words=1)
    told_long = add("A regular expression pinned.", other_words=1)
    for _ in range(6):
        add("The regex, a regular expression, went catastrophic and pinned.")
    for _ in range(300):
        add(_filler(rng, vocabulary, 10))
    links = link(knowledge_base(tmp_path, *texts).reports, limit=10)
    found = {m.id: m for m in links[told_short].similar}
    assert told_long in found, [m.id for m in links[told_short].similar]
    [reason] = found[told_long].reasons
    assert reason.startswith("alike in other words: ")
    here, there = reason.removeprefix("alike in other words: ").split(" ~ ")
    assert {"regex", "catastrophic"} & set(here.split(", "))
    assert {"regular", "expression", "pinned"} & set(there.split(", "))
    # Without the others to learn from (a small knowledge base), words alone count.
    assert LATENT_FROM == DIMENSIONS + 1
    (tmp_path / "small").mkdir()
    small = link(knowledge_base(tmp_path / "small", *texts[:2]).reports)
    assert small[told_short].similar == []


def mechanism_free_report(report_id: str, name: str, analysis: str) -> str:
    """A report whose only telling words are ``analysis``, with values of its own."""
    return report_text(
        report_id,
        summary=f"Incident {name}.",
        sections={"Executive Summary": f"Incident {name}.", "Root Cause Analysis": analysis},
        tags=[f"{name}-tag"],
        services=[f"{name}-service"],
        category=f"{name}-cause",
    )


def test_shared_generic_tags_alone_do_not_relate(tmp_path: Path) -> None:
    """Tags that most reports carry say nothing; a tag only two reports share does."""
    generic = {"tags": ["outage", "production"], "services": ["api"], "category": "bug"}
    everyone = {m: dict(generic) for m in MECHANISMS}
    everyone["cert"] = {**generic, "tags": ["outage", "production", "expiry"]}
    everyone["quota"] = {**generic, "tags": ["outage", "production", "expiry"]}
    links = link(mechanisms_kb(tmp_path, **everyone).reports)
    assert links["INC-2024-004"].similar == []  # disk: only generic values in common
    assert links["INC-2024-006"].similar == []  # dns
    [shared] = links["INC-2024-003"].similar  # cert and quota share the rare tag
    assert shared.id == "INC-2024-008"
    assert shared.reasons == ("shares tags: expiry",)
    assert shared.score == 0.15  # a value only two reports hold adds its full weight


def test_rarer_shared_values_score_more_and_are_named_first(tmp_path: Path) -> None:
    common = ["dns", "bgp"]
    extra = {
        "cert": {"tags": ["tls", "cron"]},
        "disk": {"tags": ["tls", "cron", "logging"]},
        "pool": {"tags": ["cron"]},
        "dns": {"tags": ["cron"]},
        "quota": {"tags": common},
        "leap": {"tags": common},
    }
    links = link(mechanisms_kb(tmp_path, **extra).reports, threshold=0.01)
    cert = {m.id: m for m in links["INC-2024-003"].similar}
    assert "shares tags: tls, cron" in cert["INC-2024-004"].reasons  # tls: 2 reports
    assert cert["INC-2024-004"].score > cert["INC-2024-005"].score  # cron: 4 reports
    assert "shares tags: cron" in cert["INC-2024-005"].reasons


def test_not_related_hides_a_suggestion_both_ways_and_related_still_shows(
    tmp_path: Path,
) -> None:
    again = mechanism_report("INC-2024-009", "regex-waf", title="The WAF regex again")
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before = link(
        knowledge_base(tmp_path / "before", *mechanism_texts(), again).reports, threshold=0.1
    )
    assert [m.id for m in before["INC-2024-001"].similar] == ["INC-2024-009", "INC-2024-002"]
    extra = {"regex-waf": {"not_related": ["INC-2024-002"]}, "cert": {"related": ["INC-2024-001"]}}
    kb = knowledge_base(tmp_path / "after", *mechanism_texts(**extra), again)
    links = link(kb.reports, threshold=0.1)
    assert [m.id for m in links["INC-2024-001"].similar] == ["INC-2024-009"]
    assert [m.id for m in links["INC-2024-002"].similar] == ["INC-2024-009"]  # both ways
    assert links["INC-2024-003"].names == ["INC-2024-001"]  # written links always show
    assert links["INC-2024-001"].named_by == ["INC-2024-003"]
    # Hidden suggestions do not shorten the list: the next best takes their place.
    assert [m.id for m in link(kb.reports, 1, 0.1)["INC-2024-002"].similar] == ["INC-2024-009"]


def test_wording_counts_the_whole_report_not_only_the_root_cause(tmp_path: Path) -> None:
    """The shared mechanism is only in the analysis and the lessons, not the summary."""
    analysis = {
        "Root Cause Analysis": "Sixty thousand clients reconnected at once after the "
        "broker restart, a thundering herd without jitter.",
        "Lessons Learned": "Reconnect with exponential backoff and jitter.",
    }
    other = {
        "Root Cause Analysis": "The broker restarted and every consumer reconnected at the "
        "same second: a thundering herd.",
        "Lessons Learned": "Clients need jitter.",
    }
    kb = knowledge_base(
        tmp_path,
        report_text(
            "INC-2024-001",
            summary="The queue was unavailable.",
            sections={"Executive Summary": "The queue was unavailable.", **analysis},
        ),
        report_text(
            "INC-2024-002",
            summary="Messages were delayed.",
            sections={"Executive Summary": "Messages were delayed.", **other},
        ),
        *(mechanism_report(f"INC-2024-{n:03d}", m) for n, m in ((3, "cert"), (4, "disk"))),
    )
    [match] = link(kb.reports)["INC-2024-001"].similar
    assert match.id == "INC-2024-002"
    assert "thundering herd" in match.reasons[0]


def test_ties_are_broken_by_id(tmp_path: Path) -> None:
    texts = [report_text(f"INC-2024-00{n}", tags=["dns"]) for n in (3, 1, 2)]
    texts += [report_text(f"INC-2024-00{n}", tags=[f"other-{n}"]) for n in (4, 5, 6)]
    kb = knowledge_base(tmp_path, *texts)
    assert [m.id for m in link(kb.reports, threshold=0.05)["INC-2024-003"].similar] == [
        "INC-2024-001",
        "INC-2024-002",
    ]


CAUSE_WORDS = "disk queue cache lock retry timeout config deploy certificate quota"
SIMILAR_OF_ALL = """
import sys
from pathlib import Path
from postmortem_kb import Settings, load
from postmortem_kb.analysis.relate import link
folder = Path(sys.argv[1])
files = [(path, path.name) for path in sorted(folder.glob("*.md"))]
links = link(load(files, Settings(), folder).reports)
print(sorted((key, [(m.id, m.score) for m in value.similar]) for key, value in links.items()))
"""


def test_similar_incidents_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """At hundreds of reports, common features propose only some candidates; which
    ones must not follow set order, which changes with the interpreter's hash seed."""
    rng = random.Random(3)
    words = CAUSE_WORDS.split()
    for number in range(1, 301):
        text = report_text(
            f"INC-2024-{number:03d}",
            tags=rng.sample(["dns", "tls", "kafka", "latency", "deploy", "storage"], 3),
            services=rng.sample(["api", "db", "web", "auth"], 2),
            category=rng.choice(["software-bug", "capacity", "config-change"]),
            summary=" ".join(rng.sample(words, 5)),
        )
        (tmp_path / f"r{number:03d}.md").write_text(text, encoding="utf-8")
    outputs = {
        subprocess.run(
            [sys.executable, "-c", SIMILAR_OF_ALL, str(tmp_path)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert "INC-2024-300" in outputs.pop()


def test_recurring_causes_need_same_category_and_shared_service_or_tag(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        report_text("INC-2024-001", category="capacity", services=["postgres"]),
        report_text("INC-2024-002", category="capacity", services=["postgres", "ledger"]),
        report_text("INC-2024-003", category="capacity", tags=["ledger-lag"], services=["ledger"]),
        report_text("INC-2024-004", category="capacity", services=["search"]),
        report_text("INC-2024-005", category="config-change", services=["postgres"]),
    )
    repeats = recurring(kb.reports)
    assert [(r.category, [x.id for x in r.reports], r.shared_services) for r in repeats] == [
        ("capacity", ["INC-2024-002", "INC-2024-003"], ["ledger"]),  # ledger: 2 reports
        ("capacity", ["INC-2024-001", "INC-2024-002"], ["postgres"]),  # postgres: 3
    ]  # 001 and 003 share nothing, so they are never one group; 004 and 005 repeat nothing
    # (all on one date, so newest-first order falls back to ids)


def test_recurring_causes_rank_by_what_they_share_not_by_size(tmp_path: Path) -> None:
    """Four incidents of a coarse category on a busy service make the biggest group;
    two leap-second incidents share a tag no other report has, and come first."""
    busy = [
        report_text(f"INC-2024-00{n}", category="software-bug", services=["api"])
        for n in range(1, 5)
    ]
    leap = [
        report_text(f"INC-2024-00{n}", category="time", tags=["leap-second"], date=day)
        for n, day in ((5, "2023-06-30"), (6, "2016-12-31"))
    ]
    quiet = [report_text(f"INC-2024-0{n}", category="capacity") for n in range(10, 14)]
    repeats = recurring(knowledge_base(tmp_path, *busy, *leap, *quiet).reports)
    assert [(r.category, len(r.reports)) for r in repeats] == [("time", 2), ("software-bug", 4)]


def test_a_group_inside_a_larger_one_is_left_out(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        report_text("INC-2024-001", category="capacity", services=["db", "ledger"]),
        report_text("INC-2024-002", category="capacity", services=["db", "ledger"]),
        report_text("INC-2024-003", category="capacity", services=["db"]),
    )
    [repeat] = recurring(kb.reports)
    assert [r.id for r in repeat.reports] == ["INC-2024-001", "INC-2024-002", "INC-2024-003"]
    assert repeat.shared_services == ["db"]


def test_overdue_is_measured_against_the_build_date(tmp_path: Path) -> None:
    kb = knowledge_base(
        tmp_path,
        report_text(
            "INC-2024-001",
            actions=[
                ("AI-1", "@a", "2024-03-09", "P0", "Not Started"),
                ("AI-2", "@b", "2024-03-10", "P1", "In Progress"),
                ("AI-3", "@c", "2024-03-01", "P1", "Done"),
                ("AI-4", "@d", "2024-03-01", "P2", "Won't Do"),
                ("AI-5", "@e", "2024-03-02", "P2", "Blocked"),
            ],
        ),
    )
    items = collect(kb.reports)
    assert [t.item.id for t in overdue(items, date(2024, 3, 10))] == ["AI-5", "AI-1"]
    assert [t.item.id for t in overdue(items, date(2024, 3, 11))] == ["AI-5", "AI-1", "AI-2"]
    assert overdue(items, date(2024, 3, 2)) == []
    assert completion_rate(items) == 0.25  # one Done of four; Won't Do does not count


def test_build_date_comes_from_option_then_source_date_epoch(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1710000000")  # 2024-03-09T16:00Z
    assert Settings().today() == date(2024, 3, 9)
    assert Settings(build_date="2025-01-02").today() == date(2025, 1, 2)


def test_slugs_are_safe_and_never_collide() -> None:
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("<script>alert(1)</script>") == "script-alert-1-script"
    assert slugify("Ünïcode Tag") == "unicode-tag"
    assert slugify("///") == "item"
    slugs = slug_map(["C++", "c", "C", "c#", "Config Push", "config_push"])
    assert slugs == {"c": "c", "c#": "c-2", "c++": "c-3", "config-push": "config-push"}
    assert len(set(slugs.values())) == len(slugs)
