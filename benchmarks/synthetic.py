"""A deterministic generator of realistic synthetic postmortems, for benchmarks.

Same seed, same files: every template, every severity, tags and services from
realistic pools, shared root-cause categories, action items in every status and
``related`` links to earlier reports, about 1,200 words each.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

from postmortem_kb.core.settings import DEFAULT_TEMPLATES
from postmortem_kb.terminal.scaffold import MONTHS

SERVICES = [
    "api-gateway",
    "payments-api",
    "ledger",
    "notifications",
    "search",
    "auth",
    "postgres-primary",
    "kafka",
    "cdn",
    "config-service",
    "billing-worker",
    "dns",
    "redis",
    "object-storage",
    "scheduler",
    "webhooks",
    "identity",
    "reporting",
    "email-relay",
    "load-balancer",
]
TAGS = [
    "config-push",
    "global-rollout",
    "staged-rollout",
    "certificate-expiry",
    "tls",
    "capacity",
    "disk-full",
    "connection-pool",
    "memory-leak",
    "retries",
    "timeouts",
    "rate-limiting",
    "dependency",
    "cascading-failure",
    "deploy",
    "rollback",
    "feature-flag",
    "migration",
    "replication",
    "dns",
    "cache",
    "queue-backlog",
    "alerting-gap",
    "runbook",
    "on-call",
    "data-loss",
    "idempotency",
    "clock-skew",
    "cron",
    "autoscaling",
    "quota",
    "network-partition",
]
CAUSES = [
    "config-change",
    "capacity",
    "dependency-failure",
    "software-bug",
    "expired-credential",
    "data-migration",
    "human-process",
    "infrastructure",
]
SYMPTOMS = ["outage", "degradation", "errors", "latency"]
FACTORS = ["people", "process", "technology", "environment"]
STATUSES = ["Done", "Done", "Done", "In Progress", "Not Started", "Blocked", "Won't Do"]
VERBS = ["Add", "Alert on", "Automate", "Document", "Test", "Limit", "Stage", "Monitor"]
_WORD_TEXT = """
the request path error rate latency rose after deploy rollback queue consumer lag replica
primary connection pool exhausted timeout retry storm cache miss eviction certificate renewal
job failed silently alert paged on-call engineer mitigated by restarting draining traffic
region failover capacity headroom disk volume filled config value validated schema staged
rollout canary dashboard runbook escalation
"""
WORDS = _WORD_TEXT.split()

TEMPLATES = {
    name: [*spec.required, *spec.recommended]
    + ([] if "Action Items" in spec.required else ["Action Items"])
    for name, spec in DEFAULT_TEMPLATES.items()
}
"""Each template's sections as `pmkb new` writes them, with action items everywhere."""
TEMPLATE_WEIGHTS = {"standard": 70, "google-sre": 15, "near-miss": 10, "public": 5}


def _prose(rng: random.Random, words: int) -> str:
    sentences = []
    while words > 0:
        length = rng.randint(8, 20)
        sentence = " ".join(rng.choice(WORDS) for _ in range(length))
        sentences.append(sentence.capitalize() + ".")
        words -= length
    return " ".join(sentences)


def report(rng: random.Random, number: int, day: date, earlier: list[str]) -> tuple[str, str]:
    """One report: (relative path, text)."""
    template = rng.choices(list(TEMPLATE_WEIGHTS), weights=list(TEMPLATE_WEIGHTS.values()))[0]
    near_miss = template == "near-miss"
    report_id = f"INC-{day.year}-{number:04d}"
    started = datetime(day.year, day.month, day.day, rng.randint(0, 20), rng.randint(0, 59))
    detected = started + timedelta(minutes=rng.randint(1, 60))
    resolved = detected + timedelta(minutes=rng.randint(5, 600))
    meta: dict[str, object] = {
        "id": report_id,
        "title": f"{rng.choice(SERVICES)} {rng.choice(SYMPTOMS)} after "
        f"{rng.choice(TAGS).replace('-', ' ')}",
        "date": day.isoformat(),
        "severity": rng.choice(["SEV0", "SEV1", "SEV1", "SEV2", "SEV2", "SEV2", "SEV3", "SEV4"]),
        "status": rng.choice(["Final", "Final", "Final", "Review", "Draft"]),
        "authors": [f"Engineer {rng.randint(1, 300)}"],
        "report_template": template,
        "tags": sorted(set(rng.sample(TAGS, rng.randint(2, 5)))),
        "services": sorted(set(rng.sample(SERVICES, rng.randint(1, 3)))),
        "root_cause": {"category": rng.choice(CAUSES), "summary": _prose(rng, 30)},
        "contributing_factors": [
            {"category": f, "description": _prose(rng, 12)} for f in rng.sample(FACTORS, 2)
        ],
        "near_miss": near_miss,
        "visibility": rng.choice(["internal", "internal", "public"]),
        "related": sorted(set(rng.sample(earlier, min(len(earlier), rng.randint(0, 2))))),
    }
    impact: dict[str, object] = {
        "detected": detected.isoformat() + "Z",
        "users_affected": rng.randint(0, 100_000),
    }
    if not near_miss:
        impact.update(started=started.isoformat() + "Z", resolved=resolved.isoformat() + "Z")
    meta["impact"] = impact
    sections = []
    for name in TEMPLATES[template]:
        if name == "Timeline":
            rows = [
                (started, "Impact starts"),
                (detected, "Alert fires; on-call paged"),
                (resolved, "Service restored"),
            ]
            body = "| Time | Event |\n|---|---|\n" + "\n".join(
                f"| {t:%Y-%m-%d %H:%M} | {event} |" for t, event in rows
            )
        elif name == "Action Items":
            lines = [
                "| ID | Action | Owner | Due Date | Priority | Status |",
                "|---|---|---|---|---|---|",
            ]
            for index in range(1, rng.randint(2, 6)):
                due = day + timedelta(days=rng.randint(7, 120))
                lines.append(
                    f"| AI-{index} | {rng.choice(VERBS)} {' '.join(rng.sample(WORDS, 4))} "
                    f"| @team-{rng.randint(1, 40)} | {due.isoformat()} | P{rng.randint(0, 3)} "
                    f"| {rng.choice(STATUSES)} |"
                )
            body = "\n".join(lines)
        else:
            body = _prose(rng, 1100 // len(TEMPLATES[template]))
        sections.append(f"## {name}\n\n{body}\n")
    text = f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n" + "\n".join(sections)
    slug = f"{day.isoformat()}-{report_id.lower()}"
    return f"{day.year}/{day.month:02d}-{MONTHS[day.month - 1]}/{slug}.md", text


def generate(count: int, folder: Path, seed: int = 7) -> list[Path]:
    """Write ``count`` reports under ``folder``, spread over the years before 2026-11."""
    rng = random.Random(seed)
    start = date(2026, 11, 1) - timedelta(days=max(365, count // 2))
    span = (date(2026, 11, 1) - start).days
    days = sorted(start + timedelta(days=rng.randrange(span)) for _ in range(count))
    written: list[Path] = []
    ids: list[str] = []
    per_year: dict[int, int] = {}
    for day in days:
        per_year[day.year] = per_year.get(day.year, 0) + 1
        rel, text = report(rng, per_year[day.year], day, ids[-50:])
        ids.append(f"INC-{day.year}-{per_year[day.year]:04d}")
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
