"""The blameless-language rules on real postmortems, and what the lint costs.

    python benchmarks/blameless.py /work/corpus/icco/data            # list every hit
    python benchmarks/blameless.py /work/corpus/icco/data --time 2000

Each entry of the corpus (Markdown with YAML frontmatter: title, summary, the
description as the body) becomes a minimal valid report: its title, its summary as
``root_cause.summary`` and its description as the Root Cause Analysis section. The
reports are checked as ``pmkb check`` does, and every finding of the language rules
(PM201, PM202, PM209 to PM214) is printed with the entry's uuid, the line in the
entry's own file and the phrase, so each can be reviewed by hand. The corpus is read
from the path given and never copied: it may not be committed (icco/postmortems is
GPL-3.0), and neither may this script's output.

With ``--time N`` it times the lint (``lint_report``, the step that holds every
language rule) per report on the corpus and on N synthetic reports
(benchmarks/synthetic.py), in CPU time, against the lint of another checkout given with
``--baseline`` (its source folder, ``src``, or ``plugins`` before the src layout), loaded
beside this one in the same process: each version reads the reports itself, then the two
lint them in turn, A B A B, nine passes each, and the median pass is reported.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import yaml

from postmortem_kb import Settings, find_reports, load

LANGUAGE_CODES = ("PM201", "PM202", "PM209", "PM210", "PM211", "PM212", "PM213", "PM214")
HEAD = """\
---
id: INC-2000-{number:03d}
title: {title}
date: "2000-01-01"
severity: SEV2
status: Review
authors: ["Corpus Reader"]
root_cause:
  category: other
  summary: {summary}
---
## Root Cause Analysis

"""
SUMMARY_LINE = 10
"""The line of ``summary:`` in HEAD."""


def split_entry(text: str) -> tuple[dict[str, object], int, str]:
    """An entry's frontmatter, the file line its body starts on, and the body."""
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front) or {}, front.count("\n") + 3, body


def convert(corpus: Path, folder: Path) -> dict[str, tuple[str, int, int]]:
    """Write one report per entry; for each report's name: (uuid, first body line of
    the report, first body line of the entry), to give lines in the entry's own file."""
    where: dict[str, tuple[str, int, int]] = {}
    for number, path in enumerate(sorted(corpus.glob("*.md")), start=1):
        meta, body_line, body = split_entry(path.read_text(encoding="utf-8"))
        head = HEAD.format(
            number=number,
            title=json.dumps(str(meta.get("title") or path.stem)),
            summary=json.dumps(" ".join(str(meta.get("summary") or "Not given.").split())),
        )
        name = f"{number:03d}.md"
        (folder / name).write_text(head + body, encoding="utf-8")
        where[name] = (str(meta.get("uuid") or path.stem), head.count("\n") + 1, body_line)
    return where


def corpus_summary_line(corpus: Path, uuid: str) -> int:
    for number, text in enumerate((corpus / f"{uuid}.md").read_text().splitlines(), start=1):
        if text.startswith("summary:"):
            return number
    return 1


def hits(corpus: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        where = convert(corpus, folder)
        kb = load(find_reports(folder, Settings()), Settings(), folder)
        found = [p for p in kb.problems if p.code in LANGUAGE_CODES]
        for problem in sorted(found, key=lambda p: (where[p.path][0], p.line, p.code)):
            uuid, report_line, entry_line = where[problem.path]
            if problem.line == SUMMARY_LINE:
                line = corpus_summary_line(corpus, uuid)
            elif problem.line >= report_line:
                line = problem.line - report_line + entry_line
            else:
                line = 0  # the title
            print(f"{uuid}:{line}: {problem.code} {problem.message}")
        other = sorted({p.code for p in kb.problems} - set(LANGUAGE_CODES))
        print(f"{len(found)} findings of the language rules in {len(where)} entries")
        print(f"(other rules seen: {', '.join(other) or 'none'})", file=sys.stderr)


def load_baseline(plugins: Path) -> ModuleType:
    """Another checkout's package, importable beside this one as ``baseline_pmkb``."""
    spec = importlib.util.spec_from_file_location(
        "baseline_pmkb",
        plugins / "postmortem_kb" / "__init__.py",
        submodule_search_locations=[str(plugins / "postmortem_kb")],
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["baseline_pmkb"] = package
    spec.loader.exec_module(package)
    return package


def _module(package: ModuleType, dotted: str) -> ModuleType:
    """A module of ``package`` by its name in the sub-package layout, else by its name in
    the flat layout before it (``core.checks.lint``, then ``lint``)."""
    try:
        return importlib.import_module(f"{package.__name__}.{dotted}")
    except ModuleNotFoundError:
        return importlib.import_module(f"{package.__name__}.{dotted.rsplit('.', 1)[-1]}")


def linters(package: ModuleType, folder: Path) -> Callable[[], None]:
    """A pass of ``package``'s lint over the reports in ``folder``, read by it."""
    body, lint = (_module(package, name) for name in ("core.body", "core.checks.lint"))
    settings = package.Settings()
    reports = [
        package.read_report(p, rel, settings) for p, rel in package.find_reports(folder, settings)
    ]
    parsed = [(report, body.parse_tokens(report.source.body)) for report in reports]

    def run() -> None:
        for report, tokens in parsed:
            lint.lint_report(report, tokens)

    return run


def compare(label: str, folder: Path, count: int, baseline: ModuleType | None) -> None:
    import postmortem_kb

    versions = {"this branch": linters(postmortem_kb, folder)}
    if baseline is not None:
        versions["baseline"] = linters(baseline, folder)
    passes: dict[str, list[float]] = {name: [] for name in versions}
    for _ in range(9):
        for name, run in versions.items():
            started = time.process_time()
            run()
            passes[name].append(time.process_time() - started)
    figures = ", ".join(
        f"{name} {statistics.median(times) * 1000 / count:.3f}" for name, times in passes.items()
    )
    print(f"lint on {label} ({count} reports), ms CPU per report: {figures}")


def timing(corpus: Path, synthetic_count: int, baseline: ModuleType | None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic import generate

    with tempfile.TemporaryDirectory() as tmp:
        compare("the corpus", Path(tmp), len(convert(corpus, Path(tmp))), baseline)
    with tempfile.TemporaryDirectory() as tmp:
        generate(synthetic_count, Path(tmp))
        compare("synthetic reports", Path(tmp), synthetic_count, baseline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="the corpus's data folder (*.md)")
    parser.add_argument("--time", type=int, metavar="N", help="time the lint instead, on N more")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout's source folder (src, or plugins before)"
    )
    arguments = parser.parse_args()
    if not arguments.corpus.is_dir():
        parser.error(f"{arguments.corpus} is not a folder")
    if arguments.time:
        baseline = load_baseline(arguments.baseline) if arguments.baseline else None
        timing(arguments.corpus, arguments.time, baseline)
    else:
        hits(arguments.corpus)


if __name__ == "__main__":
    main()
