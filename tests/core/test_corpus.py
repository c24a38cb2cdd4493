"""The broken-input corpus: ``pmkb check`` on files that are each wrong in their own ways.

Every file in ``tests/corpus/broken``, and every case its ``layout.txt`` makes (links,
a FIFO, names git cannot hold), must be reported, at exactly the (line, code) pairs that
``expected.txt`` lists, in all three output formats, without a crash or a hang.
tests/core/test_hostile.py builds sites from the same corpus.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from postmortem_kb import RULES
from postmortem_kb.core.gate import printable
from tests.hostile import CORPUS, EXPECTED, GATE_CODES, corpus_names, layout, materialize

FILES = corpus_names()
NAME = r"\.?\d{2}-[^:/]+(?:/index\.md)?"
"""A case: numbered, hidden or not, possibly a folder holding an index page."""
SUMMARY = re.compile(r"^(\d+) errors?, (\d+) warnings?, (\d+) notes? in (\d+) postmortems?$")

Key = tuple[str, int, str]
"""(file name, line, rule code)"""


@dataclass(frozen=True, slots=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus, with the cases of layout.txt made, in a folder of its own."""
    return materialize(tmp_path_factory.mktemp("corpus") / "broken")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, made: Path) -> dict[str, Run]:
    """``pmkb check`` on the corpus once per format, from a folder without mkdocs.yml."""
    cwd = tmp_path_factory.mktemp("cwd")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    results: dict[str, Run] = {}
    for fmt in ("json", "text", "github"):
        done = subprocess.run(
            [sys.executable, "-m", "postmortem_kb.cli", "check", str(made), "--format", fmt],
            cwd=cwd,
            env=env,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=60,
        )
        results[fmt] = Run(done.returncode, done.stdout, done.stderr)
    return results


MADE = {printable(name): (kind, target) for kind, name, target in layout()}


def line_count(name: str) -> int:
    """Lines of a corpus file as an editor counts them (an empty file has line 1); a
    made link or FIFO has one."""
    kind, target = MADE.get(name, ("", ""))
    if kind in ("link", "fifo"):
        return 1
    data = (CORPUS / (target if kind == "file" else name)).read_bytes()
    return max(1, data.count(b"\n") + (0 if data.endswith(b"\n") else 1))


def read_files() -> int:
    """Cases read as postmortems: all but those the publish gate refuses."""
    refused = {name for name, _, code in expected() if code in GATE_CODES}
    return len(set(FILES) - refused)


def expected() -> set[Key]:
    keys: set[Key] = set()
    for entry in EXPECTED.read_text(encoding="utf-8").splitlines():
        name, line, code = entry.split(":")
        keys.add((name, int(line), code))
    return keys


def corpus_name(path: str) -> str:
    """The corpus file a reported path names; fails on any other path."""
    folder, _, name = path.partition("/broken/")
    assert folder and name, f"problem outside the corpus: {path}"
    assert name in FILES, f"problem for an unknown file: {path}"
    return name


def output_lines(run: Run) -> list[str]:
    """stdout split on newlines only, so a stray control character cannot split a line."""
    return run.stdout.rstrip("\n").split("\n")


def assert_clean_run(run: Run) -> None:
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stdout and "Traceback" not in run.stderr, run.stderr
    assert run.stderr == ""


def test_corpus_is_assorted_and_expectations_are_tidy() -> None:
    """20+ numbered files, and expected.txt sorted by file, line, code without repeats."""
    assert len(FILES) >= 55
    assert all(re.fullmatch(NAME, name) for name in FILES), FILES
    entries = EXPECTED.read_text(encoding="utf-8").splitlines()
    assert all(re.fullmatch(rf"{NAME}:\d+:PM\d{{3}}", e) for e in entries), entries
    keys = [(n, int(line), c) for n, line, c in (e.split(":") for e in entries)]
    assert keys == sorted(set(keys))
    assert {name for name, _, _ in keys} == set(FILES)
    assert all(code in RULES for _, _, code in keys)
    assert all(1 <= line <= line_count(name) for name, line, _ in keys)


def test_json_reports_exactly_the_expected_problems(runs: dict[str, Run]) -> None:
    """Every file is named, every problem is well formed, and the set matches expected.txt."""
    run = runs["json"]
    assert_clean_run(run)
    document = json.loads(run.stdout)
    problems = document["problems"]
    assert document["files"] == read_files()
    assert document["errors"] == sum(p["level"] == "error" for p in problems)
    assert document["warnings"] == sum(p["level"] == "warning" for p in problems)
    assert document["notes"] == sum(p["level"] == "info" for p in problems)
    actual: set[Key] = set()
    for problem in problems:
        name = corpus_name(problem["path"])
        assert isinstance(problem["line"], int)
        assert 1 <= problem["line"] <= line_count(name), problem
        assert problem["code"] in RULES, problem
        assert problem["rule"] == RULES[problem["code"]].name, problem
        assert problem["level"] in ("error", "warning", "info"), problem
        assert problem["message"].strip(), problem
        assert problem["hint"].strip(), problem
        actual.add((name, problem["line"], problem["code"]))
    assert {name for name, _, _ in actual} == set(FILES), "some files were silently skipped"
    want = expected()
    missing, unexpected = sorted(want - actual), sorted(actual - want)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"


def test_text_format_is_one_line_and_one_hint_per_problem(runs: dict[str, Run]) -> None:
    """``file:line: level CODE name: message``, an indented hint, then the summary."""
    run = runs["text"]
    assert_clean_run(run)
    lines = output_lines(run)
    problem_line = re.compile(
        r"^\S*/broken/(?P<name>[^:]+):(?P<line>\d+): "
        r"(?:error|warning|info) (?P<code>PM\d{3}) (?P<rule>[a-z-]+): .+$"
    )
    hint_line = re.compile(r"^    hint: \S.*$")
    body, summary = lines[:-1], lines[-1]
    stray = [line for line in body if not (problem_line.match(line) or hint_line.match(line))]
    assert not stray, f"lines that are neither a problem nor its hint: {stray}"
    seen: list[Key] = []
    for problem, hint in zip(body[::2], body[1::2], strict=True):
        match = problem_line.match(problem)
        assert match, f"not a problem line: {problem!r}"
        assert RULES[match["code"]].name == match["rule"], problem
        assert hint_line.match(hint), f"not a hint line: {hint!r}"
        seen.append((corpus_name(f"x/broken/{match['name']}"), int(match["line"]), match["code"]))
    document = json.loads(runs["json"].stdout)
    assert seen == [(corpus_name(p["path"]), p["line"], p["code"]) for p in document["problems"]]
    counts = SUMMARY.match(summary)
    assert counts, f"last line is not the summary: {summary!r}"
    assert [int(n) for n in counts.groups()] == [
        document["errors"],
        document["warnings"],
        document["notes"],
        read_files(),
    ]


def test_github_format_is_one_annotation_per_problem(runs: dict[str, Run]) -> None:
    """``::level file=...,line=N,title=PMnnn name::message`` for each problem, then the summary."""
    run = runs["github"]
    assert_clean_run(run)
    lines = output_lines(run)
    annotation = re.compile(
        r"^::(?P<level>error|warning|notice) file=(?P<file>[^,:]+),line=(?P<line>\d+),"
        r"title=(?P<code>PM\d{3}) (?P<rule>[a-z-]+)::(?P<message>.+)$"
    )
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    problems = json.loads(runs["json"].stdout)["problems"]
    annotations, summary = lines[:-1], lines[-1]
    assert len(annotations) == len(problems)
    for line, problem in zip(annotations, problems, strict=True):
        match = annotation.match(line)
        assert match, f"not an annotation: {line!r}"
        file = match["file"].replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
        assert corpus_name(file) == corpus_name(problem["path"])
        assert (int(match["line"]), match["code"]) == (problem["line"], problem["code"])
        assert match["rule"] == RULES[match["code"]].name
        assert match["level"] == levels[problem["level"]]
    assert SUMMARY.match(summary), f"last line is not the summary: {summary!r}"
