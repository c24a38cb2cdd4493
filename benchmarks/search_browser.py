"""Browser benchmark of the incident search: payload, load time, keystroke latency, memory.

    python benchmarks/search_browser.py                  # 5,000 reports (about 6 minutes)
    python benchmarks/search_browser.py --reports 200    # a quick check of the script itself
    python benchmarks/search_browser.py --site DIR       # measure a site already built

Run it with the environment that has the project, mkdocs-material and Playwright installed
(the dev venv); --keep keeps the generated reports and site, --runs and --material-runs set
the repetitions.

Not part of the test suite. It generates N synthetic postmortems (benchmarks/synthetic.py,
fixed seed), builds them with the repository's own mkdocs.yml (run.py's project_config,
SOURCE_DATE_EPOCH fixed), serves the site with http.server on 127.0.0.1 and drives the
system's headless Chromium (/usr/bin/chromium, never a downloaded browser) with Playwright.
Every load runs in a fresh browser context, so its HTTP cache is cold; figures are medians
over --runs runs (min-max shown). Loopback has no latency and http.server does not
compress, so "download" is local transfer time, not a network's.

What it measures, and how:

1. Payload: incidents/search/catalog.json + index.json, raw and gzipped (level 6), next to
   Material's search/search_index.json, and how much report text Material's index holds
   (which decides what Material's search costs).
2. Prebuilt path, page load: performance.now() (milliseconds from navigation start) when
   #pmkb-search gets data-ready=yes with a .pmkb-result in the list (a MutationObserver
   installed by an init script), and after the next frame is painted ("shown": a
   requestAnimationFrame, then a task posted from it, so style, layout and paint of the
   results are counted). The same script wraps lunr.Index.load, and Resource Timing gives
   the fetches, so the load splits, additively, into: before the fetches start (HTML, CSS,
   Material's bundle), download, JSON parse (and any wait for the main thread) until
   Promise.all resolves, Index.load, query + render, paint. Measured three ways: with
   ?query=, without a query (every incident listed), and with Material's
   search_index.json blocked, to show what Material's own search loading on the same page
   costs.
3. Per keystroke: a query typed one character at a time (Playwright keyboard.type) on the
   loaded page. A capture-phase `input` listener on window stamps the start, a
   bubble-phase one (which runs after the page's own listener on the input, which searches
   and re-renders synchronously) stamps the end: "input -> results re-rendered". A
   requestAnimationFrame and a task posted from it give "event -> next frame painted",
   which also counts any time the event waited in the queue (from event.timeStamp).
   Material's index is blocked here so its background work does not land in a keystroke.
4. Prebuilt against no prebuild, in the same page: fetch (cache: no-store) + JSON.parse +
   lunr.Index.load(index.json) + one query, against fetch + JSON.parse of catalog.json +
   building a lunr index with lunr.js from the catalog records (catalog.FIELDS, filled
   from what the catalog holds: it has no report text but the summary snippet, so the
   two need not agree, and the table says whether they do) + the same query. The two
   alternate in order; the retained JS heap of each (after a forced GC) comes from CDP.
5. Material's search on the home page: a Worker wrapper installed before the page's scripts
   stamps the setup message (search_index.json downloaded and parsed on the main thread),
   the worker's "ready" message (lunr index built in the worker) and the first result
   message; a MutationObserver stamps the first .md-search-result__item in the DOM. The
   query is typed into input.md-search__input as soon as the page is interactive; Material
   sends it to the worker once the worker is ready.
6. Memory: JSHeapUsedSize of the page's main thread from CDP Performance.getMetrics after
   HeapProfiler.collectGarbage; a dedicated worker's heap is not in it (and workers have
   no performance.memory), so the proportional set size (PSS, /proc/PID/smaps_rollup) of
   the largest Chromium renderer process, which holds the page and its worker, is
   reported too.

It prints a Markdown table and writes it to benchmarks/search-results.md (--out).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Page,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from run import measure, project_config
from synthetic import generate

from postmortem_kb.site.catalog import FIELDS

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository, for the tests' browser helpers
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

VIEWPORT = {"width": 1280, "height": 1000}  # wide enough for Material's header search field

SEARCH_PAGE = "incidents/search/"
CATALOG = "incidents/search/catalog.json"
INDEX = "incidents/search/index.json"
LUNR_JS = "assets/postmortem-kb/lunr.js"
PAGE_JS = "assets/postmortem-kb/incident-search.js"
MATERIAL_INDEX = "search/search_index.json"
LOAD_QUERY = "certificate expiry"
TYPED_QUERIES = ["certificate expiry", "webhooks"]
MATERIAL_QUERY = "certificate expiry"
KEY_DELAY_MS = 150  # between keystrokes: a quick typist

TARGET_FIRST_MS = 500
TARGET_KEY_MS = 50
TARGET_PAYLOAD_BYTES = 2_000_000
TARGET_MATERIAL_READY_MS = 5000

# Installed before any page script on the incident search page (see the docstring, 2-3).
INCIDENT_PROBE = """
(() => {
  const m = (window.__pmkb = { keys: [], phase: "" });
  // After the next frame's style, layout and paint: a rAF, then a task queued from it.
  const afterPaint = (done) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => done(performance.now());
    channel.port2.postMessage(0);
  });
  let lunrValue;
  Object.defineProperty(window, "lunr", {
    configurable: true,
    get() { return lunrValue; },
    set(value) {
      lunrValue = value;
      if (value && value.Index && !m.wrapped) {
        m.wrapped = true;
        const load = value.Index.load;
        value.Index.load = function (serialized) {
          const start = performance.now();
          const index = load.call(this, serialized);
          if (!m.indexLoad) m.indexLoad = { start, end: performance.now() };
          return index;
        };
      }
    },
  });
  const seen = () => {
    if (m.ready) return;
    const root = document.getElementById("pmkb-search");
    if (!root || root.getAttribute("data-ready") !== "yes") return;
    if (!root.querySelector(".pmkb-result")) return;
    m.ready = performance.now();
    // "N incidents": with no match the list holds one "no incident matches" item instead.
    m.count = parseInt(root.querySelector(".pmkb-status").textContent, 10);
    afterPaint((now) => { m.frame = now; });
  };
  new MutationObserver(seen).observe(document, {
    subtree: true, attributes: true, attributeFilter: ["data-ready"],
  });
  window.addEventListener("input", (event) => {
    if (event.target.id !== "pmkb-query") return;
    m.current = { phase: m.phase, value: event.target.value, stamp: event.timeStamp,
                  start: performance.now() };
  }, true);
  window.addEventListener("input", (event) => {
    const key = m.current;
    if (event.target.id !== "pmkb-query" || !key) return;
    m.current = null;
    key.end = performance.now();
    afterPaint((now) => { key.frame = now; });
    key.count = parseInt(document.querySelector(".pmkb-status").textContent, 10);
    m.keys.push(key);
  });
})();
"""

LOAD_REPORT = """() => {
  const m = window.__pmkb;
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    indexLoad: m.indexLoad || null, ready: m.ready, frame: m.frame,
    count: m.count,
    resources: performance.getEntriesByType("resource").map((e) => ({
      name: e.name, start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize })),
    navEnd: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
  };
}"""

# One lunr query over every word (the page looks each word up on its own), for the
# in-page comparison of load costs.
RUN_QUERY = """
  const runQuery = (index, query) => {
    const tokens = lunr.tokenizer(query).map((t) => t.toString());
    return index.query((q) => tokens.forEach((token) => {
      q.term(token, { boost: 10 });
      q.term(token, { wildcard: lunr.Query.wildcard.TRAILING, boost: 1 });
    }));
  };
"""

PREBUILT_PATH = (
    """async ([catalogUrl, indexUrl, query]) => {"""
    + RUN_QUERY
    + """
  const t0 = performance.now();
  const responses = await Promise.all([catalogUrl, indexUrl].map(
    (url) => fetch(url, { cache: "no-store" })));
  const [catalogText, indexText] = await Promise.all(responses.map((r) => r.text()));
  const t1 = performance.now();
  const catalog = JSON.parse(catalogText);
  const serialized = JSON.parse(indexText);
  const t2 = performance.now();
  const index = lunr.Index.load(serialized);
  const t3 = performance.now();
  const hits = runQuery(index, query);
  const t4 = performance.now();
  window.__keep = { catalog, index };
  return { download: t1 - t0, parse: t2 - t1, index: t3 - t2, query: t4 - t3, total: t4 - t0,
           hits: hits.length, top: hits.slice(0, 10).map((h) => h.ref) };
}"""
)

SCRATCH_PATH = (
    """async ([catalogUrl, query, fields]) => {"""
    + RUN_QUERY
    + """
  const t0 = performance.now();
  const response = await fetch(catalogUrl, { cache: "no-store" });
  const catalogText = await response.text();
  const t1 = performance.now();
  const catalog = JSON.parse(catalogText);
  const t2 = performance.now();
  // The fields and boosts of catalog.FIELDS, from what the catalog holds: without a
  // prebuilt index the page has no report text but the summary snippet.
  const index = lunr(function () {
    this.ref("ref");
    fields.forEach((f) => this.field(f.field_name, { boost: f.boost }));
    catalog.incidents.forEach((item, position) => this.add({
      ref: String(position), title: item.title,
      tags: item.tags.join(" "), services: item.services.join(" "),
      cause: item.cause.replaceAll("-", " ") + " " + item.cause_summary,
      text: item.summary,
    }));
  });
  const t3 = performance.now();
  const hits = runQuery(index, query);
  const t4 = performance.now();
  window.__keep = { catalog, index };
  return { download: t1 - t0, parse: t2 - t1, index: t3 - t2, query: t4 - t3, total: t4 - t0,
           hits: hits.length, top: hits.slice(0, 10).map((h) => h.ref) };
}"""
)

# Installed before any page script on the home page (see the docstring, 5). Message types
# are Material's SearchMessageType: 0 setup, 1 ready, 2 query, 3 result.
MATERIAL_PROBE = """
(() => {
  const m = (window.__mat = {});
  const afterPaint = (done) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => done(performance.now());
    channel.port2.postMessage(0);
  });
  const NativeWorker = window.Worker;
  function ProbedWorker(url, options) {
    const worker = new NativeWorker(url, options);
    m.workerCreated = performance.now();
    const post = worker.postMessage;
    worker.postMessage = function (message, ...rest) {
      const start = performance.now();
      const result = post.call(this, message, ...rest);
      if (message && message.type === 0) m.setupPost = { start, end: performance.now() };
      if (message && message.type === 2 && message.data && !m.query) m.query = start;
      return result;
    };
    worker.addEventListener("message", (event) => {
      const data = event.data || {};
      if (data.type === 1 && !m.ready) m.ready = performance.now();
      if (data.type === 3 && !m.result && data.data && data.data.items
          && data.data.items.length) {
        m.result = performance.now();
        m.items = data.data.items.length;
      }
    });
    return worker;
  }
  ProbedWorker.prototype = NativeWorker.prototype;
  window.Worker = ProbedWorker;
  window.addEventListener("keyup", (event) => {
    const target = event.target;
    if (target && target.classList && target.classList.contains("md-search__input")) {
      m.lastKeyup = performance.now();
    }
  }, true);
  const watch = new MutationObserver(() => {
    if (m.item || !document.querySelector(".md-search-result__item")) return;
    m.item = performance.now();
    watch.disconnect();
    afterPaint((now) => { m.frame = now; });
  });
  watch.observe(document, { subtree: true, childList: true });
})();
"""

MATERIAL_REPORT = """() => {
  const m = window.__mat;
  const entry = performance.getEntriesByType("resource")
    .find((e) => e.name.split("?")[0].endsWith("/search/search_index.json"));
  return { ...m, indexStart: entry ? entry.startTime : null,
           indexEnd: entry ? entry.responseEnd : null };
}"""


# --- small helpers -------------------------------------------------------------------


@dataclass
class Stat:
    """Median, min and max of one measurement over runs, in milliseconds (or MB)."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else math.nan

    def p95(self) -> float:
        ordered = sorted(self.values)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else math.nan

    def text(self, digits: int = 0) -> str:
        if not self.values:
            return "n/a"
        return f"{self.median:,.{digits}f}"

    def spread(self, digits: int = 0) -> str:
        if not self.values:
            return "n/a"
        return f"{min(self.values):,.{digits}f}-{max(self.values):,.{digits}f}"


def collect(rows: list[dict[str, Any]], key: str) -> Stat:
    return Stat([float(r[key]) for r in rows if r.get(key) is not None])


def verdict(value: float, target: float) -> str:
    if math.isnan(value):
        return "n/a"
    return "yes" if value < target else "**no**"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b and not math.isnan(a) and not math.isnan(b) else "n/a"


def log(message: str) -> None:
    print(message, flush=True)


def sizes(site: Path) -> dict[str, tuple[int, int]]:
    """Raw and gzipped (level 6) bytes of each search file."""
    found: dict[str, tuple[int, int]] = {}
    for name in (CATALOG, INDEX, LUNR_JS, PAGE_JS, MATERIAL_INDEX):
        path = site / name
        if path.is_file():
            data = path.read_bytes()
            found[name] = (len(data), len(gzip.compress(data, 6, mtime=0)))
    return found


def material_contents(site: Path) -> str:
    """What Material's search index holds for the report pages (it decides its cost)."""
    path = site / MATERIAL_INDEX
    if not path.is_file():
        return "Material's search index: none."
    catalog = json.loads((site / CATALOG).read_text(encoding="utf-8"))
    base = "http://site/" + CATALOG
    reports = {urlsplit(urljoin(base, i["url"])).path.lstrip("/") for i in catalog["incidents"]}
    docs = json.loads(path.read_text(encoding="utf-8"))["docs"]
    chars: dict[str, int] = {}
    for doc in docs:
        page = doc["location"].split("#", 1)[0]
        if page in reports:
            chars[page] = chars.get(page, 0) + len(doc.get("title", "")) + len(doc["text"])
    entries = sum(1 for doc in docs if doc["location"].split("#", 1)[0] in reports)
    average = sum(chars.values()) / len(chars) if chars else 0
    return (
        f"Material's search index: {len(docs):,} entries; {entries:,} of them (pages and "
        f"sections) for {len(chars):,} of the {len(reports):,} reports, on average "
        f"{average:,.0f} characters of title and text per report."
    )


def renderer_pss_mb() -> float | None:
    """PSS of the largest Chromium renderer started by this process (the page's)."""
    parents: dict[int, int] = {}
    renderers: list[int] = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            parents[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            if b"--type=renderer" in (proc / "cmdline").read_bytes():
                renderers.append(int(proc.name))
        except (OSError, ValueError, IndexError):
            continue

    def ours(pid: int) -> bool:
        seen: set[int] = set()
        while pid in parents and pid not in seen:
            if pid == os.getpid():
                return True
            seen.add(pid)
            pid = parents[pid]
        return False

    best = 0
    for pid in renderers:
        if not ours(pid):
            continue
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    best = max(best, int(line.split()[1]))
        except OSError:
            continue
    return round(best / 1024, 1) if best else None


def js_heap_mb(cdp: CDPSession) -> float:
    """Main-thread JS heap in use after a full garbage collection."""
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return round(metrics["JSHeapUsedSize"] / 1e6, 2)


@contextmanager
def fresh_page(
    browser: Browser, probe: str, block_material: bool = False
) -> Iterator[tuple[Page, BrowserContext]]:
    """A page in a new context (cold HTTP cache) with ``probe`` installed before any script."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(60_000)
    context.add_init_script(probe)
    if block_material:
        context.route(f"**/{MATERIAL_INDEX}", lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page, context
    finally:
        context.close()
    if block_material:  # Material reports the blocked index as a network error
        errors = [e for e in errors if e != "Network error"]
    if errors:
        log(f"  page errors: {errors[:3]}")


# --- measurements --------------------------------------------------------------------


def load_once(browser: Browser, base: str, query: str, block_material: bool) -> dict[str, Any]:
    """One cold load of the incident search page: first results and where the time went."""
    url = base + SEARCH_PAGE + (f"?query={query.replace(' ', '+')}" if query else "")
    with fresh_page(browser, INCIDENT_PROBE, block_material) as (page, _):
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_function("() => window.__pmkb.frame !== undefined", timeout=60_000)
        raw = page.evaluate(LOAD_REPORT)

    def resource(suffix: str) -> dict[str, Any]:
        return next(r for r in raw["resources"] if r["name"].split("?")[0].endswith(suffix))

    catalog, index, lunr_js = resource(CATALOG), resource(INDEX), resource(LUNR_JS)
    last_byte = max(r["end"] for r in (catalog, index, lunr_js))
    load = raw["indexLoad"]
    return {
        "ready": raw["ready"],
        "shown": raw["frame"],
        "count": raw["count"],
        "HTML received": raw["navEnd"],
        "DOMContentLoaded": raw["dcl"],
        "before fetch": catalog["start"],
        "download": last_byte - catalog["start"],
        "JSON parse + wait": load["start"] - last_byte,
        "Index.load": load["end"] - load["start"],
        "query + render": raw["ready"] - load["end"],
        "paint": raw["frame"] - raw["ready"],
        "search's own": raw["frame"] - catalog["start"],
    }


def keystrokes(browser: Browser, base: str, queries: list[str]) -> dict[str, Any]:
    """Type each query a character at a time on the loaded page; per-keystroke timings."""
    with fresh_page(browser, INCIDENT_PROBE, block_material=True) as (page, context):
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(base + SEARCH_PAGE, wait_until="domcontentloaded")
        page.wait_for_function("() => window.__pmkb.frame !== undefined", timeout=60_000)
        heap = js_heap_mb(cdp)
        pss = renderer_pss_mb()
        for query in queries:
            page.evaluate("(phase) => { window.__pmkb.phase = phase; }", query)
            page.focus("#pmkb-query")
            page.keyboard.type(query, delay=KEY_DELAY_MS)
            page.wait_for_function(
                "([phase, n]) => window.__pmkb.keys.filter("
                "(k) => k.phase === phase && k.frame !== undefined).length >= n",
                arg=[query, len(query)],
                timeout=120_000,
            )
            page.evaluate("() => { window.__pmkb.phase = 'clear'; }")
            page.fill("#pmkb-query", "")
            page.wait_for_function(
                "() => window.__pmkb.keys.some((k) => k.phase === 'clear' && k.frame)",
                timeout=60_000,
            )
            page.evaluate(
                "() => { window.__pmkb.keys = window.__pmkb.keys.filter("
                "(k) => k.phase !== 'clear'); }"
            )
        keys = page.evaluate("() => window.__pmkb.keys")
    return {"keys": keys, "heap": heap, "pss": pss}


def compare_paths(browser: Browser, base: str, query: str, runs: int) -> dict[str, Any]:
    """Prebuilt index against an index built in the browser, alternating, in one page."""
    fields = [dict(f) for f in FIELDS]
    results: dict[str, list[dict[str, Any]]] = {"prebuilt": [], "scratch": []}
    with fresh_page(browser, INCIDENT_PROBE, block_material=True) as (page, context):
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(base + SEARCH_PAGE, wait_until="domcontentloaded")
        page.wait_for_function("() => window.__pmkb.frame !== undefined", timeout=60_000)
        catalog_url, index_url = base + CATALOG, base + INDEX
        for run in range(runs):
            order = ["prebuilt", "scratch"] if run % 2 == 0 else ["scratch", "prebuilt"]
            for path in order:
                page.evaluate("() => { delete window.__keep; }")
                before = js_heap_mb(cdp)
                if path == "prebuilt":
                    figures = page.evaluate(PREBUILT_PATH, [catalog_url, index_url, query])
                else:
                    figures = page.evaluate(SCRATCH_PATH, [catalog_url, query, fields])
                figures["heap"] = js_heap_mb(cdp) - before
                results[path].append(figures)
        page.evaluate("() => { delete window.__keep; }")
    same = all(
        p["top"] == s["top"] and p["hits"] == s["hits"]
        for p, s in zip(results["prebuilt"], results["scratch"], strict=True)
    )
    return {**results, "same": same}


def material_once(browser: Browser, base: str, query: str, timeout_ms: int) -> dict[str, Any]:
    """One cold load of the home page, typing into Material's search straight away."""
    with fresh_page(browser, MATERIAL_PROBE) as (page, context):
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(base, wait_until="domcontentloaded")
        page.click("input.md-search__input")
        page.keyboard.type(query)
        timed_out = False
        try:
            page.wait_for_function("() => window.__mat.frame !== undefined", timeout=timeout_ms)
        except PlaywrightTimeoutError:
            timed_out = True
        raw = page.evaluate(MATERIAL_REPORT)
        heap = js_heap_mb(cdp)
        pss = renderer_pss_mb()
    setup = raw.get("setupPost") or {}
    ready, item = raw.get("ready"), raw.get("item")

    def between(start: float | None, end: float | None) -> float | None:
        return end - start if start is not None and end is not None else None

    return {
        "timed out": timed_out,
        "ready": ready,
        "first result": item,
        "shown": raw.get("frame"),
        "download": between(raw.get("indexStart"), raw.get("indexEnd")),
        "text + JSON.parse + wait": between(raw.get("indexEnd"), setup.get("start")),
        "postMessage": between(setup.get("start"), setup.get("end")),
        "worker indexing": between(setup.get("end"), ready),
        "query after ready": between(max(ready, raw.get("lastKeyup") or 0), item)
        if ready is not None
        else None,
        "heap": heap,
        "pss": pss,
    }


# --- the run -------------------------------------------------------------------------


def build_site(count: int, work: Path) -> tuple[Path, dict[str, Any]]:
    docs = work / "docs"
    generate(count, docs)
    site = work / "site"
    try:
        figures = measure(project_config(work, docs), site)
    except subprocess.CalledProcessError as error:
        sys.exit(f"build failed:\n{error.stderr[-4000:]}")
    return site, figures


def benchmark(args: argparse.Namespace, site: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--enable-precise-memory-info"]
        )
        out["chromium"] = browser.version
        out["load before"] = os.getloadavg()
        try:
            log("warm-up load (not counted)")
            load_once(browser, base, LOAD_QUERY, block_material=False)
            for key, query, block in (
                ("load query", LOAD_QUERY, False),
                ("load empty", "", False),
                ("load blocked", LOAD_QUERY, True),
            ):
                out[key] = []
                for run in range(args.runs):
                    out[key].append(load_once(browser, base, query, block))
                    log(f"{key} run {run + 1}: {fmt(out[key][-1])}")
            out["keys"] = []
            for run in range(args.runs):
                out["keys"].append(keystrokes(browser, base, TYPED_QUERIES))
                handler = Stat([k["end"] - k["start"] for k in out["keys"][-1]["keys"]])
                log(f"keystrokes run {run + 1}: median {handler.text(1)} ms")
            out["compare"] = compare_paths(browser, base, LOAD_QUERY, args.runs)
            compared = out["compare"]
            log(
                f"in-page comparison: prebuilt {collect(compared['prebuilt'], 'total').text()} ms,"
                f" no prebuild {collect(compared['scratch'], 'total').text()} ms"
            )
            out["material"] = []
            for run in range(args.material_runs):
                out["material"].append(
                    material_once(browser, base, MATERIAL_QUERY, args.material_timeout * 1000)
                )
                log(f"material run {run + 1}: {fmt(out['material'][-1])}")
        finally:
            browser.close()
    out["load after"] = os.getloadavg()
    return out


def fmt(row: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items())


def report(
    args: argparse.Namespace,
    files: dict[str, tuple[int, int]],
    build: dict[str, Any],
    out: dict[str, Any],
    contents: str,
) -> str:
    runs, mruns = args.runs, args.material_runs
    payload_raw = sum(files[n][0] for n in (CATALOG, INDEX))
    payload_gz = sum(files[n][1] for n in (CATALOG, INDEX))
    before, after = out["load before"], out["load after"]
    lines = [
        "# Incident search in the browser",
        "",
        f"Written by `python benchmarks/search_browser.py --reports {args.reports}` on "
        f"{time.strftime('%Y-%m-%d')}; {os.cpu_count()} cores (load average "
        f"{before[0]:.1f} before the browser runs, {after[0]:.1f} after); headless Chromium "
        f"{out['chromium']} (Debian, driven by Playwright). {args.reports:,} synthetic "
        "reports (benchmarks/synthetic.py, seed 7), built with the repository's mkdocs.yml"
        + (f" in {build['wall_s']} s" if build else "")
        + ". The site is served by http.server on 127.0.0.1: no compression and no network "
        "latency, so downloads are loopback transfers. Every page load is in a fresh browser "
        f"context (cold HTTP cache); medians over {runs} runs ({mruns} for Material's "
        "search), min-max beside them. The script's docstring explains each probe.",
        "",
        "## Payload",
        "",
        "| file | KB | KB gzip |",
        "|---|---|---|",
    ]
    for name, (raw, gz) in files.items():
        lines.append(f"| {name} | {raw / 1024:,.1f} | {gz / 1024:,.1f} |")
    lines += [
        f"| **incident search data (catalog + index)** | {payload_raw / 1024:,.1f} | "
        f"{payload_gz / 1024:,.1f} |",
        "",
        f"Target, incident search data under 2 MB gzipped: "
        f"{verdict(payload_gz, TARGET_PAYLOAD_BYTES)} ({payload_gz / 1e6:.2f} MB).",
        "",
        contents,
        "",
    ]

    query_load, empty_load, blocked_load = out["load query"], out["load empty"], out["load blocked"]
    first = collect(query_load, "shown")
    blocked = collect(blocked_load, "shown")
    all_keys = [k for run in out["keys"] for k in run["keys"]]
    handler = Stat([k["end"] - k["start"] for k in all_keys])
    to_frame = Stat([k["frame"] - k["stamp"] for k in all_keys])
    paint = Stat([k["frame"] - k["end"] for k in all_keys])
    material = [r for r in out["material"] if not r["timed out"]]
    timed_out = len(out["material"]) - len(material)
    m_ready = collect(out["material"], "ready")
    m_first = collect(material, "shown")
    q = f"`?query={LOAD_QUERY.replace(' ', '+')}`"
    lines += [
        "## Timings (ms)",
        "",
        "| measurement | median | min-max | target | met |",
        "|---|---|---|---|---|",
    ]

    def row(label: str, stat: Stat, target: float | None = None, extra: str = "") -> None:
        goal = f"< {target:,.0f}" if target else ""
        met = verdict(stat.median, target) if target else ""
        lines.append(f"| {label} | {stat.text()} | {stat.spread()}{extra} | {goal} | {met} |")

    row(f"incident search {q}: navigation start -> results shown", first, TARGET_FIRST_MS)
    row(
        "- of which the search's own part (fetches start -> shown)",
        collect(query_load, "search's own"),
        TARGET_FIRST_MS,
    )
    row(
        "incident search, no query (every incident listed): navigation start -> shown",
        collect(empty_load, "shown"),
        TARGET_FIRST_MS,
    )
    row(
        f"incident search {q}, Material's search_index.json blocked: navigation start -> shown",
        blocked,
        TARGET_FIRST_MS,
    )
    row(
        f"per keystroke: input event -> results re-rendered ({len(all_keys)} keystrokes)",
        handler,
        TARGET_KEY_MS,
        f" (p95 {handler.p95():,.0f})",
    )
    row(
        "per keystroke: event -> next frame painted (with queueing, layout, paint)",
        to_frame,
        TARGET_KEY_MS,
        f" (p95 {to_frame.p95():,.0f})",
    )
    row(
        "- of which re-rendered -> next frame painted (style, layout, paint)",
        paint,
        extra=f" (p95 {paint.p95():,.0f})",
    )
    for query in TYPED_QUERIES:
        mine = [k for k in all_keys if k["phase"] == query]
        counts = [str(k["count"]) for k in mine[: len(query)]]
        row(
            f"- typing `{query}`, input -> re-rendered (results after each key, run 1: "
            f"{', '.join(counts)})",
            Stat([k["end"] - k["start"] for k in mine]),
            extra=f" (p95 {Stat([k['end'] - k['start'] for k in mine]).p95():,.0f})",
        )
    row("Material search: navigation start -> worker ready", m_ready, TARGET_MATERIAL_READY_MS)
    row(
        f"Material search: navigation start -> first result shown (`{MATERIAL_QUERY}` typed "
        "at once)",
        m_first,
    )
    row(
        "Material search: query after ready (ready or last keyup -> first result in the DOM)",
        collect(material, "query after ready"),
    )
    if timed_out:
        lines.append(
            f"\n{timed_out} of {len(out['material'])} Material runs showed no result "
            f"within {args.material_timeout} s and are left out of its first-result "
            "figures."
        )

    lines += [
        "",
        f"## Where the time goes: incident search page load with {q}",
        "",
        "Consecutive phases, medians in ms (the phases' medians need not add up exactly).",
        "",
        "| phase | with Material's index loading on the page | Material's index blocked |",
        "|---|---|---|",
    ]
    for phase, label in (
        ("HTML received", "(HTML received)"),
        ("DOMContentLoaded", "(DOMContentLoaded)"),
        ("before fetch", "navigation start -> fetches start (HTML, CSS, Material's bundle)"),
        ("download", "download catalog.json, index.json, lunr.js"),
        ("JSON parse + wait", "JSON parse and waiting for the main thread"),
        ("Index.load", "lunr Index.load"),
        ("query + render", "query + render facets and results"),
        ("paint", "style, layout, paint"),
        ("shown", "**total: navigation start -> shown**"),
    ):
        lines.append(
            f"| {label} | {collect(query_load, phase).text(1)} | "
            f"{collect(blocked_load, phase).text(1)} |"
        )
    counts = ", ".join(sorted({str(r["count"]) for r in query_load}))
    empties = ", ".join(sorted({str(r["count"]) for r in empty_load}))
    lines += [
        "",
        f"Results listed for {q}: {counts} of {args.reports:,}; without a query: {empties} "
        "(the page renders the first 50 matches and a Show more button). The query alone takes "
        f"{collect(out['compare']['prebuilt'], 'query').text(1)} ms (in-page comparison "
        'below), so the rest of "query + render" is building the facets and result list.',
        "",
        f"Material's search on the home page, `{MATERIAL_QUERY}` (ms):",
        "",
        "| phase | median | min-max |",
        "|---|---|---|",
    ]
    for phase, label in (
        ("download", "download search_index.json"),
        ("text + JSON.parse + wait", "Blob.text + JSON.parse on the main thread (and waiting)"),
        ("postMessage", "postMessage of the documents to the worker"),
        ("worker indexing", "worker builds its lunr index"),
        ("ready", "**navigation start -> ready**"),
        ("query after ready", "query after ready"),
        ("shown", "**navigation start -> first result shown**"),
    ):
        stat = collect(out["material"] if phase != "shown" else material, phase)
        lines.append(f"| {label} | {stat.text()} | {stat.spread()} |")

    compare = out["compare"]
    lines += [
        "",
        f"## Prebuilt index against no prebuild, in one page ({runs} runs each, alternating)",
        "",
        "| phase (ms) | prebuilt: catalog + index.json, Index.load | "
        "no prebuild: catalog.json, lunr.js builds the index |",
        "|---|---|---|",
    ]
    for phase, label in (
        ("download", "fetch (cache: no-store)"),
        ("parse", "JSON.parse"),
        ("index", "Index.load / build the index"),
        ("query", "first query"),
        ("total", "**total**"),
        ("heap", "JS heap retained by catalog + index, MB"),
    ):
        digits = 2 if phase == "heap" else 1
        lines.append(
            f"| {label} | {collect(compare['prebuilt'], phase).text(digits)} | "
            f"{collect(compare['scratch'], phase).text(digits)} |"
        )
    hits = compare["prebuilt"][0]["hits"] if compare["prebuilt"] else 0
    lines += [
        "",
        f"Same results from both indexes (count and top ten): "
        f"{'yes' if compare['same'] else '**no**'} ({hits} hits for `{LOAD_QUERY}`).",
    ]

    material_gz = files.get(MATERIAL_INDEX, (0, 0))[1]
    scratch_total = collect(compare["scratch"], "total").median
    prebuilt_total = collect(compare["prebuilt"], "total").median
    scratch_index = collect(compare["scratch"], "index").median
    prebuilt_index = collect(compare["prebuilt"], "index").median
    keys_run = out["keys"]
    lines += [
        "",
        "## Ratios measured in this run",
        "",
        f"- no prebuild / prebuilt, fetch to first query in one page: "
        f"{ratio(scratch_total, prebuilt_total)} (building the index / Index.load: "
        f"{ratio(scratch_index, prebuilt_index)})",
        f"- Material search first result shown / incident search results shown (page loads): "
        f"{ratio(m_first.median, first.median)}",
        f"- Material search ready / incident search results shown: "
        f"{ratio(m_ready.median, first.median)}",
        f"- incident search results shown, with / without Material's index loading on the "
        f"page: {ratio(first.median, blocked.median)}",
        f"- Material's search index / incident search data, gzipped: "
        f"{ratio(material_gz, payload_gz)}",
        "",
        "## Memory (MB)",
        "",
        "| where | main-thread JS heap after GC | largest renderer's PSS (page + workers) |",
        "|---|---|---|",
        f"| incident search page ready, no query (Material's index blocked) | "
        f"{collect(keys_run, 'heap').text(1)} | {collect(keys_run, 'pss').text(1)} |",
        f"| home page, Material's search ready with results | "
        f"{collect(out['material'], 'heap').text(1)} | "
        f"{collect(out['material'], 'pss').text(1)} |",
        "",
        "Material's index lives in its worker, whose heap CDP's page metrics leave out; the "
        "renderer's PSS includes it.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5000, help="synthetic postmortems")
    parser.add_argument("--runs", type=int, default=5, help="runs per incident search figure")
    parser.add_argument("--material-runs", type=int, default=3, help="runs of Material's search")
    parser.add_argument("--material-timeout", type=int, default=180, help="seconds per run")
    parser.add_argument("--site", type=Path, help="measure this built site, do not build")
    parser.add_argument("--keep", action="store_true", help="keep the generated docs and site")
    parser.add_argument("--out", type=Path, default=HERE / "search-results.md")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (never a downloaded one)")

    work = Path(tempfile.mkdtemp(prefix="pmkb-search-bench-"))
    try:
        build: dict[str, Any] = {}
        if args.site:
            site = args.site
        else:
            log(f"generating {args.reports} reports and building the site in {work}")
            site, build = build_site(args.reports, work)
            log(f"built in {build['wall_s']} s, peak RSS {build['peak_rss_mb']} MB")
        files = sizes(site)
        missing = [n for n in (CATALOG, INDEX) if n not in files]
        if missing:
            sys.exit(f"{site} has no {', '.join(missing)}: is the postmortems plugin on?")
        out = benchmark(args, site)
        text = report(args, files, build, out, material_contents(site))
        args.out.write_text(text, encoding="utf-8")
        print(text)
        log(f"written to {args.out}")
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
