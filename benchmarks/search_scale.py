"""The incident search at 5,000, 20,000 and 50,000 reports: the prebuilt lunr index it
ships today against a Pagefind bundle of the same reports, in headless Chromium.

    python benchmarks/search_scale.py                      # 5,000, 20,000 and 50,000
    python benchmarks/search_scale.py --sizes 1000         # a quick check of the script

Run it with the dev venv plus Pagefind (``pip install "pagefind[bin]"``: its binary ships
in a wheel on the package index). Not part of the test suite; it writes
benchmarks/search-scale-results.md (--out).

For each size, synthetic postmortems (benchmarks/synthetic.py, seed 7) are read by the
plugin's own reader (``postmortem_kb.load``, worker processes), then:

1. **lunr, as today**: catalog.json and index.json made by the functions a build uses
   (``site/catalog.py``; its build time includes choosing each report's most telling
   words, which Pagefind's pages reuse); in the page, lunr.js already loaded: fetch both,
   parse, Index.load, one query as the page runs it (each word exact and as a prefix).
2. **Pagefind**: a page a report, as Pagefind indexes a built site (its command line, from
   the pagefind_bin wheel), holding the text the lunr index holds (title, tags, services,
   root cause, the most telling words) and the summary; severity, status and year as
   filters; title and date as metadata. In the page: import pagefind.js, init, search,
   and the data of the first ten results (what a result list shows).

Both are served by http.server on 127.0.0.1 (no compression, no latency); each run is a
fresh browser context (cold cache), on a page that has loaded its script already, so the
figures are the search's own part, from the first request to ten results in hand. Bytes
are what the page fetched for lunr (Resource Timing; not compressed: the gzip size of the
files is given too, what a web server would send). Pagefind fetches its index chunks from
its own Web Worker, whose requests the page's Resource Timing does not list: its bytes
are not measured here.
"""

from __future__ import annotations

import argparse
import gzip
import html
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository, for the tests' browser helpers
from search_browser import PREBUILT_PATH  # noqa: E402
from synthetic import generate  # noqa: E402

from postmortem_kb import Keep, Settings, find_reports, load  # noqa: E402
from postmortem_kb.analysis.patterns import newest_first  # noqa: E402
from postmortem_kb.core.workers import Workers  # noqa: E402
from postmortem_kb.site import catalog  # noqa: E402
from postmortem_kb.site.build import lunr_js_path  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

QUERIES = ["certificate expiry", "webhooks"]
TODAY = date(2026, 11, 26)

PAGEFIND_PATH = """async ([bundle, query]) => {
  const t0 = performance.now();
  const pagefind = await import(bundle + "pagefind.js");
  await pagefind.init();
  const t1 = performance.now();
  const search = await pagefind.search(query);
  const t2 = performance.now();
  const top = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  const t3 = performance.now();
  return { init: t1 - t0, search: t2 - t1, data: t3 - t2, total: t3 - t0,
           hits: search.results.length, top: top.map((d) => d.url) };
}"""

FETCHED = """() => performance.getEntriesByType("resource")
  .filter((e) => !e.name.endsWith("lunr.js"))
  .reduce((sum, e) => sum + e.encodedBodySize, 0)"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def read_reports(count: int, work: Path) -> list[Any]:
    docs = work / f"reports-{count}"
    generate(count, docs)
    settings = Settings()
    files = find_reports(docs, settings)
    with Workers.for_size(len(files), fork=True) as workers:
        return load(files, settings, keep=Keep.PAGES, workers=workers).reports


def lunr_files(reports: list[Any], out: Path) -> tuple[dict[str, float], list[dict[str, str]]]:
    """catalog.json and index.json as a build writes them, and the index's documents
    (each report's most telling words, chosen here and reused for Pagefind's pages)."""
    started = time.perf_counter()
    entries = catalog.build_catalog(
        reports, lambda r: r.rel.removesuffix(".md") + "/", TODAY, Settings().default_template
    )
    documents = catalog.index_documents(reports)
    files = {
        "catalog.json": catalog.to_json(entries),
        "index.json": catalog.build_index_json(documents),
    }
    seconds = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    raw = gz = 0
    for name, text in files.items():
        data = text.encode("utf-8")
        (out / name).write_bytes(data)
        raw, gz = raw + len(data), gz + len(gzip.compress(data, 6))
    (out / "lunr.js").write_bytes(lunr_js_path().read_bytes())
    (out / "index.html").write_text('<!doctype html><script src="lunr.js"></script>\n')
    return {"build s": seconds, "raw MB": raw / 1e6, "gzip MB": gz / 1e6}, documents


def pagefind_bundle(
    reports: list[Any], documents: list[dict[str, str]], out: Path
) -> dict[str, float]:
    """A page a report (with its index document's text), as Pagefind indexes a built
    site, then Pagefind's command line; timed is the command line alone."""
    for report, doc in zip(newest_first(reports), documents, strict=True):
        page = out / report.rel.removesuffix(".md") / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        text = " ".join([doc["tags"], doc["services"], doc["cause"], doc["text"]])
        filters = "".join(
            f'<span data-pagefind-filter="{name}">{html.escape(value)}</span>'
            for name, value in (
                ("severity", str(report.meta.severity or "")),
                ("status", str(report.meta.status or "")),
                # (at 50,000 the generator's dates reach back past what the format
                # accepts: those reports have no date)
                ("year", str(report.incident_date.year) if report.incident_date else ""),
            )
        )
        page.write_text(
            f'<!doctype html><html lang="en"><body data-pagefind-body>'
            f'<h1 data-pagefind-meta="title">{html.escape(report.title)}</h1>'
            f'<p data-pagefind-meta="date">{report.incident_date}</p>{filters}'
            f"<p>{html.escape(text)}</p><p>{html.escape(catalog.summary_of(report))}</p>"
            "</body></html>\n",
            encoding="utf-8",
        )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(out), "--force-language", "en"],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    (out / "index.html").write_text("<!doctype html><title>pagefind</title>\n")
    size = sum(f.stat().st_size for f in (out / "pagefind").rglob("*") if f.is_file())
    return {"build s": seconds, "bundle MB": size / 1e6}


def measure(browser: Any, base: str, script: str, argument: list[str]) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "index.html")
    result = page.evaluate(script, argument)
    result["fetched KB"] = page.evaluate(FETCHED) / 1024
    context.close()
    return result


def build_size(count: int, work: Path) -> dict[str, Any]:
    """Both back ends' files for ``count`` reports; every size is built before one
    browser measures them all."""
    log(f"{count:,} reports: generating and reading")
    reports = read_reports(count, work)
    row: dict[str, Any] = {"reports": count}
    row["lunr"], documents = lunr_files(reports, work / f"lunr-{count}")
    row["pagefind"] = pagefind_bundle(reports, documents, work / f"pagefind-{count}")
    log(f"  built: {row}")
    return row


def measure_size(row: dict[str, Any], work: Path, runs: int, browser: Any) -> None:
    count = row["reports"]
    for kind, script in (("lunr", PREBUILT_PATH), ("pagefind", PAGEFIND_PATH)):
        with serve(work / f"{kind}-{count}") as base:
            for query in QUERIES:
                files = ["catalog.json", "index.json"] if kind == "lunr" else ["./pagefind/"]
                argument = [*files, query]
                measure(browser, base, script, argument)  # warm-up, not counted
                samples = [measure(browser, base, script, argument) for _ in range(runs)]
                row[kind][query] = {
                    "ms": statistics.median(s["total"] for s in samples),
                    "range": (min(s["total"] for s in samples), max(s["total"] for s in samples)),
                    "KB": statistics.median(s["fetched KB"] for s in samples),
                    "hits": samples[0]["hits"],
                }
                log(f"  {kind} {query!r}: {row[kind][query]}")


def table(rows: list[dict[str, Any]], runs: int) -> str:
    lines = [
        "# Incident search at 5,000, 20,000 and 50,000 reports",
        "",
        f"Written by `python benchmarks/search_scale.py` on {date.today().isoformat()}; "
        f"2 cores; headless Debian Chromium; medians of {runs} cold runs (min-max). The "
        "script's docstring says what each column measures: the search's own part, from its "
        "first request to ten results in hand, on a page that has its script already.",
        "",
        "| reports | back end | built in s | files | query | to ten results, ms | fetched KB "
        "| hits |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for kind in ("lunr", "pagefind"):
            info = row[kind]
            size = (
                f"{info['raw MB']:.1f} MB ({info['gzip MB']:.2f} MB gzip)"
                if kind == "lunr"
                else f"{info['bundle MB']:.1f} MB bundle"
            )
            for query in QUERIES:
                q = info[query]
                low, high = q["range"]
                fetched = "in its worker" if kind == "pagefind" else f"{q['KB']:,.0f}"
                lines.append(
                    f"| {row['reports']:,} | {kind} | {info['build s']:.1f} | {size} | "
                    f"`{query}` | {q['ms']:,.0f} ({low:,.0f}-{high:,.0f}) | {fetched} | "
                    f"{q['hits']:,} |"
                )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "search-scale-results.md")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="pmkb-search-scale-") as work:
        rows = [build_size(count, Path(work)) for count in args.sizes]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for row in rows:
                measure_size(row, Path(work), args.runs, browser)
            browser.close()
    text = table(rows, args.runs)
    print(text)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
