"""Real-corpus benchmark: similar incidents and the incident search on postmortems we did not write.

    python benchmarks/real_corpus.py --corpus /path/to/icco/postmortems/data
    python benchmarks/real_corpus.py --synthetic 5000      # build and relate time only

With --corpus, the public icco/postmortems entries (GPL-3.0: read from the path given,
never copied into this repository) are converted to format v1 postmortems
(benchmarks/icco.py), built with the repository's own mkdocs.yml (a real ``mkdocs build``
in a child process, as run.py builds), and scored against the evaluation labels
(--labels, by default ../shared/eval beside the repository; see its README):

- similar incidents, read from the built report pages (the "Similar incidents" list, in
  page order): precision@3 (of the first three shown on each clustered report's page,
  the share sharing a cluster with it or being its duplicate), success@3 (the share of
  clustered reports with at least one such hit in the first three), cluster pair
  recall@5 (the share of pairs within a cluster where either report lists the other
  among its first five) and duplicate pairs where either lists the other in its first
  three (and where both do);
- the incident search, in headless Chromium (/usr/bin/chromium, Playwright): each query
  typed into the search page's field, a key at a time, and the results read in the
  order shown: precision@5 (relevant results among the first five, divided by five),
  nDCG@10 with binary relevance and MRR (one over the rank of the first relevant result,
  0 without one).

The figures are also given for the labels cut in two (alternate clusters, queries and
duplicate pairs), so a change that helps one half and not the other shows. The output
holds figures only, no corpus text: it is printed and written to
benchmarks/real-corpus-results.md (--out).

With --synthetic N, N synthetic reports (benchmarks/synthetic.py, seed 7) are built the
same way and only the build's time, its plugin stages and the search payload are shown.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from icco import convert
from run import measure, payload, project_config
from synthetic import generate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the repository, for the tests' browser helpers
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

DEFAULT_LABELS = ROOT.parent / "shared" / "eval"
SEARCH_PAGE = "incidents/search/"
KEY_DELAY_MS = 20

TARGETS = {
    "related precision@3": 0.60,
    "related success@3": 0.90,
    "cluster pair recall@5": 0.30,
    "search precision@5": 0.70,
    "search nDCG@10": 0.75,
    "search MRR": 0.90,
}


@dataclass(frozen=True, slots=True)
class Labels:
    clusters: list[list[str]]
    duplicates: list[tuple[str, str]]
    queries: list[tuple[str, list[str]]]

    @classmethod
    def read(cls, folder: Path) -> Labels:
        clusters = json.loads((folder / "clusters.json").read_text(encoding="utf-8"))
        duplicates = json.loads((folder / "duplicates.json").read_text(encoding="utf-8"))
        queries = json.loads((folder / "queries.json").read_text(encoding="utf-8"))
        return cls(
            clusters=[list(c["members"]) for c in clusters],
            duplicates=[(a, b) for a, b in duplicates],
            queries=[(q["query"], list(q["relevant"])) for q in queries],
        )

    def halves(self) -> tuple[Labels, Labels]:
        """The labels cut in two: every other cluster, duplicate pair and query."""
        return tuple(  # type: ignore[return-value]
            Labels(self.clusters[k::2], self.duplicates[k::2], self.queries[k::2]) for k in (0, 1)
        )


# --- similar incidents, read from the built pages ----------------------------------------


class _SimilarList(HTMLParser):
    """The ids linked in a report page's "Related incidents" list, in order (the
    converted corpus names no other report, so every entry there is a computed one)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self._depth = 0  # inside ul.pmkb-related-list
        self._in_item_link = False
        self._item_has_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "ul" and ("pmkb-related-list" in classes or self._depth):
            self._depth += 1
        elif self._depth and tag == "li":
            self._item_has_link = False
        elif self._depth and tag == "a" and not self._item_has_link:
            self._in_item_link = True
            self._item_has_link = True
            self.ids.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self._depth:
            self._depth -= 1
        elif tag == "a":
            self._in_item_link = False

    def handle_data(self, data: str) -> None:
        if self._in_item_link:
            self.ids[-1] += data.strip()


def similar_shown(site: Path, pages: dict[str, str]) -> dict[str, list[str]]:
    """For each report id, the similar incidents its built page lists, in order."""
    shown: dict[str, list[str]] = {}
    for report_id, rel in pages.items():
        page = site / rel.removesuffix(".md") / "index.html"
        parser = _SimilarList()
        parser.feed(page.read_text(encoding="utf-8"))
        shown[report_id] = parser.ids
    return shown


def related_figures(
    labels: Labels, ids: dict[str, str], shown: dict[str, list[str]]
) -> dict[str, float | str]:
    uuid_of = {report_id: uuid for uuid, report_id in ids.items()}
    similar = {uuid_of[r]: [uuid_of.get(i, i) for i in found] for r, found in shown.items()}
    good: dict[str, set[str]] = defaultdict(set)
    for members in labels.clusters:
        for member in members:
            good[member].update(m for m in members if m != member)
    for a, b in labels.duplicates:
        good[a].add(b)
        good[b].add(a)
    clustered = sorted({m for members in labels.clusters for m in members})
    precisions, successes = [], []
    for member in clustered:
        top = similar.get(member, [])[:3]
        hits = sum(other in good[member] for other in top)
        precisions.append(hits / len(top) if top else 0.0)
        successes.append(hits > 0)
    pairs = found = 0
    for members in labels.clusters:
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs += 1
                found += b in similar.get(a, [])[:5] or a in similar.get(b, [])[:5]
    either = sum(b in similar[a][:3] or a in similar[b][:3] for a, b in labels.duplicates)
    both = sum(b in similar[a][:3] and a in similar[b][:3] for a, b in labels.duplicates)
    return {
        "related precision@3": statistics.fmean(precisions),
        "related success@3": statistics.fmean(successes),
        "cluster pair recall@5": found / pairs,
        "duplicates in top 3": f"{either}/{len(labels.duplicates)}",
        "duplicates in top 3, both ways": f"{both}/{len(labels.duplicates)}",
    }


# --- the incident search, in the browser ---------------------------------------------------


def search_results(site: Path, queries: Iterable[str]) -> dict[str, list[str]]:
    """The ids the incident search page lists for each query typed, in order."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[str]] = {}
    with serve(site) as base, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base + SEARCH_PAGE)
        page.wait_for_selector("#pmkb-search[data-ready=yes]")
        field = page.locator("#pmkb-query")
        for query in queries:
            field.fill("")
            field.press_sequentially(query, delay=KEY_DELAY_MS)
            results[query] = page.locator(".pmkb-result").evaluate_all(
                "items => items.map(item => item.dataset.id)"
            )
        context.close()
        browser.close()
    if errors:
        raise RuntimeError(f"the search page raised: {errors}")
    return results


def _dcg(relevances: Sequence[bool]) -> float:
    return sum(rel / math.log2(rank + 2) for rank, rel in enumerate(relevances))


def search_figures(
    labels: Labels, ids: dict[str, str], results: dict[str, list[str]]
) -> dict[str, float | str]:
    precision, ndcg, reciprocal = [], [], []
    for query, relevant in labels.queries:
        wanted = {ids[uuid] for uuid in relevant}
        found = [r in wanted for r in results[query]]
        precision.append(sum(found[:5]) / 5)
        ideal = _dcg([True] * min(10, len(wanted)))
        ndcg.append(_dcg(found[:10]) / ideal)
        first = next((rank for rank, hit in enumerate(found, 1) if hit), None)
        reciprocal.append(1 / first if first else 0.0)
    return {
        "search precision@5": statistics.fmean(precision),
        "search nDCG@10": statistics.fmean(ndcg),
        "search MRR": statistics.fmean(reciprocal),
    }


# --- running and writing -----------------------------------------------------------------


def build(docs: Path, work: Path) -> tuple[Path, dict[str, object]]:
    site = work / "site"
    figures = measure(project_config(work, docs), site)
    return site, {**figures, **payload(site)}


def report_pages(docs: Path) -> dict[str, str]:
    """Report id -> path under the docs folder, read from each converted file."""
    pages = {}
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\nid: "):
            pages[text.split("\n", 2)[1].removeprefix("id: ").strip("'\"")] = path.relative_to(
                docs
            ).as_posix()
    return pages


def _cell(value: float | str) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _build_lines(build_figures: dict[str, object]) -> list[str]:
    stages = build_figures.get("stages_s") or {}
    stage_text = ", ".join(f"{k} {v:.2f}" for k, v in stages.items())  # type: ignore[union-attr]
    return [
        f"- `mkdocs build` wall time: {build_figures['wall_s']} s (plugin stages, s: "
        f"{stage_text}; total {sum(stages.values()):.2f})",  # type: ignore[union-attr]
        f"- incident search payload (catalog + index): "
        f"{build_figures.get('incident search KB')} KB, "
        f"{build_figures.get('incident search KB gzip')} KB gzipped",
    ]


def corpus_run(args: argparse.Namespace) -> list[str]:
    labels = Labels.read(args.labels)
    with tempfile.TemporaryDirectory(prefix="pmkb-real-") as folder:
        work = Path(folder)
        docs = work / "docs"
        ids = convert(args.corpus, docs)
        started = time.perf_counter()
        site, build_figures = build(docs, work)
        print(f"built {len(ids)} reports in {time.perf_counter() - started:.1f} s", flush=True)
        shown = similar_shown(site, report_pages(docs))
        results = search_results(site, [q for q, _ in labels.queries])
    rows: list[tuple[str, dict[str, float | str]]] = []
    parts = [("development half", labels), *zip(("half A", "half B"), labels.halves(), strict=True)]
    for name, part in parts:
        figures = {**related_figures(part, ids, shown), **search_figures(part, ids, results)}
        rows.append((name, figures))
    measures = list(rows[0][1])
    lines = [
        "# Real-corpus results",
        "",
        f"Written by `python benchmarks/real_corpus.py` on {time.strftime('%Y-%m-%d')}; "
        f"{os.cpu_count()} cores. {len(ids)} icco/postmortems entries converted by "
        "benchmarks/icco.py and built with the repository's mkdocs.yml; labels: the "
        f"development half ({len(labels.clusters)} clusters, {len(labels.duplicates)} "
        f"duplicate pairs, {len(labels.queries)} queries). Half A and half B cut those "
        "labels in two (alternate clusters, pairs and queries).",
        "",
        "| measure | " + " | ".join(name for name, _ in rows) + " | target | met |",
        "|---|" + "---|" * len(rows) + "---|---|",
    ]
    for measure_name in measures:
        target = TARGETS.get(measure_name)
        value = rows[0][1][measure_name]
        if measure_name == "duplicates in top 3":
            goal, met = "all", str(value).split("/")[0] == str(value).split("/")[1]
        elif target is not None:
            goal, met = f">= {target:.2f}", float(value) >= target
        else:
            goal, met = "", None
        cells = " | ".join(_cell(figures[measure_name]) for _, figures in rows)
        verdict = "" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {measure_name} | {cells} | {goal} | {verdict} |")
    lines += ["", "## Build", "", *_build_lines(build_figures)]
    return lines


def synthetic_run(args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="pmkb-synthetic-") as folder:
        work = Path(folder)
        docs = work / "docs"
        generate(args.synthetic, docs)
        _, build_figures = build(docs, work)
    return [
        "# Synthetic build",
        "",
        f"Written by `python benchmarks/real_corpus.py --synthetic {args.synthetic}` on "
        f"{time.strftime('%Y-%m-%d')}; {os.cpu_count()} cores. {args.synthetic:,} synthetic "
        "reports (benchmarks/synthetic.py, seed 7).",
        "",
        *_build_lines(build_figures),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", type=Path, help="icco/postmortems' data folder")
    source.add_argument("--synthetic", type=int, help="build this many synthetic reports")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--out", type=Path, help="default: benchmarks/real-corpus-results.md")
    args = parser.parse_args()
    lines = corpus_run(args) if args.corpus else synthetic_run(args)
    out = args.out or (HERE / ("real-corpus-results.md" if args.corpus else "synthetic-build.md"))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
