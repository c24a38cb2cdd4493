"""What users wait for, against what a careful user would run instead, in one run.

    python benchmarks/run.py --real /path/to/icco/postmortems/data      # a few tens of minutes
    python benchmarks/run.py --sizes 100 --runs 1 --serve-size 100 --check 1000   # a smoke run

Each size is built with three configurations over the same reports, **interleaved** (one
build of each, in a rotating order, then again, --runs times), each in its own process so
its wall time, CPU time (user + system, its worker processes included) and peak RSS are its
own:

- ``project``: the repository's own mkdocs.yml, every feature on;
- ``Material, not_in_nav``: plain Material with its search plugin, the same Markdown
  extensions (the reports need their tables) and a short explicit nav, the reports
  ``not_in_nav``: what a careful user runs instead (the baseline of the targets);
- ``Material, default nav``: the same with MkDocs' default navigation of every page
  (quadratic in the number of pages), up to --default-nav-max reports only.

Two corpora, of different shapes: the synthetic one (benchmarks/synthetic.py, about 1,200
words a report, every field filled) and, with --real, the public icco/postmortems corpus
(converted by benchmarks/icco.py; 242 real write-ups of about 440 words, copied to the size
with new ids and titles). Nothing of it is written outside a temporary folder.

Then the waits themselves: in ``mkdocs serve`` (project and baseline), one report's title is
edited and its page polled over HTTP until the new title shows, and at that moment the
severity index and the search catalog are read too (they must show it as well); in headless
Chromium, DOMContentLoaded and HTML size of every generated page (the heaviest reported) and
the bytes the incident search page downloads; ``pmkb check`` of --check reports beside the
floor of parsing their frontmatter. Medians with their ranges go to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from synthetic import generate

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1764115200"}
PROJECT = "project"
PROJECT_DIRTY = "project, serve --dirty"
NOT_IN_NAV = "Material, not_in_nav"
DEFAULT_NAV = "Material, default nav"


# --- configurations -------------------------------------------------------------------


def project_config(work: Path, docs: Path) -> Path:
    """The repository's own mkdocs.yml, pointed at the benchmark's docs."""
    _copy_site_pages(docs)
    config = work / "project.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {docs}\n"
        f"theme:\n  name: material\n  custom_dir: {ROOT / 'overrides'}\n",
        encoding="utf-8",
    )
    return config


def baseline_config(work: Path, docs: Path, *, default_nav: bool = False) -> Path:
    """Plain Material over the same docs: its search plugin, the project's Markdown
    extensions, and (unless ``default_nav``) a nav of the home and guide pages with every
    report ``not_in_nav``."""
    _copy_site_pages(docs)
    project = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), _TagBlindLoader)
    guide = sorted(p.relative_to(docs).as_posix() for p in (docs / "guide").glob("*.md"))
    config: dict[str, object] = {
        "site_name": "baseline",
        "docs_dir": str(docs),
        "theme": {"name": "material"},
        "plugins": ["search"],
        "markdown_extensions": project["markdown_extensions"],
        # Without the postmortems plugin MkDocs would read a report's `template:` key as a
        # theme template and fail: the hook drops it.
        "hooks": [str(HERE / "baseline_hooks.py")],
    }
    if not default_nav:
        config["nav"] = ["index.md", {"Guide": guide}]
        config["not_in_nav"] = "/*/\n!/guide/\n"
    path = work / ("baseline-default-nav.yml" if default_nav else "baseline.yml")
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


class _TagBlindLoader(yaml.SafeLoader):
    """Reads mkdocs.yml's plain values; its ``!ENV`` and ``!!python/name`` tags become None."""


_TagBlindLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_TagBlindLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)


def _copy_site_pages(docs: Path) -> None:
    for extra in ("index.md", "guide"):
        source = ROOT / "postmortems" / extra
        if source.is_dir():
            shutil.copytree(source, docs / extra, dirs_exist_ok=True)
        else:
            shutil.copy(source, docs / extra)


# --- corpora ----------------------------------------------------------------------------


def real_corpus(folder: Path, count: int, docs: Path) -> None:
    """The icco/postmortems entries converted, copied until there are ``count`` reports.

    Copy k (from 1) of ``INC-2017-005`` is ``INC-2017-k005`` titled "... (copy k)", under
    ``copy-k/``: the same real texts, as many distinct reports.
    """
    from icco import convert

    originals = docs / "originals"
    convert(folder, originals)
    files = sorted(originals.rglob("*.md"))
    for number in range(len(files), count):
        copy, index = divmod(number, len(files))
        source = files[index]
        text = source.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^id: (INC-\d{4}-)(\d+)$", rf"id: \g<1>{copy}\g<2>", text, count=1)
        text = re.sub(r"(?m)^title: (.*)$", rf"title: \1 (copy {copy})", text, count=1)
        target = docs / f"copy-{copy}" / source.relative_to(originals)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for extra in files[count:]:  # a size below the corpus' own
        extra.unlink()


CORPORA: dict[str, str] = {
    "synthetic": "synthetic (benchmarks/synthetic.py, seed 7, about 1,200 words a report)",
    "real": "icco/postmortems (242 real write-ups, about 440 words, copied to the size)",
}


def make_corpus(name: str, count: int, docs: Path, real: Path | None) -> None:
    if name == "synthetic":
        generate(count, docs / "postmortems")
    else:
        assert real is not None
        real_corpus(real, count, docs / "postmortems")


# --- one build --------------------------------------------------------------------------


def measure(config: Path, site: Path) -> dict[str, object]:
    """One ``mkdocs build`` in a child process: wall and CPU seconds (the child and its
    worker processes), peak RSS and the site's size."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [sys.executable, str(HERE / "measure_build.py"), str(config), str(site)],
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["cpu_s"] = round(
        (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
    )
    figures["site_mb"] = round(
        sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6, 1
    )
    return figures


def payload(site: Path) -> dict[str, float]:
    """Sizes of what a browser downloads to search, raw and gzipped, in KB."""
    sizes: dict[str, float] = {}
    for name, parts in {
        "incident search": ["incidents/search/catalog.json", "incidents/search/index.json"],
        "Material search": ["search/search_index.json"],
    }.items():
        files = [site / part for part in parts if (site / part).is_file()]
        if files:
            raw = b"".join(f.read_bytes() for f in files)
            sizes[f"{name} KB"] = round(len(raw) / 1024, 1)
            sizes[f"{name} KB gzip"] = round(len(gzip.compress(raw, 6)) / 1024, 1)
    return sizes


@dataclass
class Series:
    """Repeated measurements of one figure: the median and the range are reported."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, unit: str = "s") -> str:
        if not self.values:
            return "-"
        low, high = min(self.values), max(self.values)
        spread = f" ({low:.1f}-{high:.1f})" if len(self.values) > 1 else ""
        return f"{self.median:.1f}{unit}{spread}"


@dataclass
class BuildRow:
    corpus: str
    reports: int
    config: str
    wall: Series = field(default_factory=Series)
    cpu: Series = field(default_factory=Series)
    rss_mb: float = 0.0
    site_mb: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, float] = field(default_factory=dict)


def interleaved_builds(
    corpus: str, count: int, work: Path, docs: Path, runs: int, default_nav_max: int
) -> list[BuildRow]:
    """Every configuration built ``runs`` times over ``docs``, A B C, B C A, C A B, ..."""
    configs = {
        PROJECT: project_config(work, docs),
        NOT_IN_NAV: baseline_config(work, docs),
    }
    if count <= default_nav_max:
        configs[DEFAULT_NAV] = baseline_config(work, docs, default_nav=True)
    rows = {name: BuildRow(corpus, count, name) for name in configs}
    names = list(configs)
    for run in range(runs):
        for name in names[run % len(names) :] + names[: run % len(names)]:
            site = work / "site"
            figures = measure(configs[name], site)
            row = rows[name]
            row.wall.values.append(float(figures["wall_s"]))  # type: ignore[arg-type]
            row.cpu.values.append(float(figures["cpu_s"]))  # type: ignore[arg-type]
            workers = int(figures.get("workers") or 0)  # type: ignore[call-overload]
            rss = float(figures["peak_rss_mb"]) + workers * float(figures["worker_rss_mb"])  # type: ignore[arg-type]
            row.rss_mb = max(row.rss_mb, rss)
            row.site_mb = float(figures["site_mb"])  # type: ignore[arg-type]
            row.stages = figures.get("stages_s") or {}  # type: ignore[assignment]
            row.sizes = payload(site)
            print(
                f"  {corpus} {count:,} {name}: {figures['wall_s']} s wall, "
                f"{figures['cpu_s']} s CPU",
                flush=True,
            )
            if not (run == runs - 1 and name == PROJECT):
                shutil.rmtree(site)
            else:
                site.rename(work / "project-site")
    return list(rows.values())


# --- the author's wait: mkdocs serve ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def poll(check: Callable[[], bool], timeout: float, interval: float = 0.1) -> float | None:
    """Seconds until ``check`` holds, or None after ``timeout``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if check():
            return time.perf_counter() - start
        time.sleep(interval)
    return None


@dataclass
class ServeRow:
    corpus: str
    reports: int
    config: str
    start: Series = field(default_factory=Series)
    edit: Series = field(default_factory=Series)
    consistent: list[bool] = field(default_factory=list)


def serve_wait(config: Path, report: Path, docs: Path, row: ServeRow, mark: str) -> None:
    """Start ``mkdocs serve`` (``--dirty`` for that row), wait for its first build, then
    edit ``report``'s title and time the write until its page shows the new title; for
    the project, check at that moment that its year's page and the search catalog show
    it too (tests/site/test_preview.py holds every page of a dirty rebuild to a full one)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    url = base + report.relative_to(docs).with_suffix("").as_posix() + "/"
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "serve",
        "-f",
        str(config),
        "-a",
        f"127.0.0.1:{port}",
    ]
    if row.config == PROJECT_DIRTY:
        command.append("--dirty")
    server = subprocess.Popen(
        command,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    original = report.read_text(encoding="utf-8")
    try:
        if poll(lambda: fetch(url) is not None, timeout=3600, interval=0.5) is None:
            raise RuntimeError(f"mkdocs serve never served {url}")
        row.start.values.append(time.perf_counter() - started)
        time.sleep(2)  # the watcher settles after the first build
        # The mark goes first, inside the quotes of a quoted title.
        edited = re.sub(r"(?m)^title: (['\"]?)", rf"title: \g<1>{mark} ", original, count=1)
        report.write_text(edited, encoding="utf-8")
        waited = poll(lambda: mark in (fetch(url) or ""), timeout=900)
        if waited is None:
            raise RuntimeError(f"the edit of {report} never showed in mkdocs serve")
        row.edit.values.append(waited)
        if row.config in (PROJECT, PROJECT_DIRTY):
            year = re.search(r"(?m)^date: ['\"]?(\d{4})", original)
            listed = _listed(base + f"incidents/years/{year.group(1) if year else 0}/", mark)
            catalog = fetch(base + "incidents/search/catalog.json") or ""
            row.consistent.append(listed and mark in catalog)
    finally:
        server.terminate()
        server.wait(timeout=60)
        report.write_text(original, encoding="utf-8")


def _listed(first_page: str, mark: str) -> bool:
    """Whether a listing (its first page, then its numbered pages) shows ``mark``."""
    page, number = fetch(first_page), 1
    while page is not None:
        if mark in page:
            return True
        number += 1
        page = fetch(f"{first_page}{number}/")
    return False


# --- the reader's wait: pages in Chromium ---------------------------------------------------


PAGES_LOADED = 12
"""The heaviest generated pages loaded in Chromium, besides the heaviest of each family."""


def page_waits(site: Path) -> dict[str, object]:
    """DOMContentLoaded and HTML size of every generated page, and what the incident search
    page downloads, in headless Chromium over HTTP on loopback."""
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve

    every = sorted(
        (site / "incidents").rglob("index.html"), key=lambda p: p.stat().st_size, reverse=True
    )
    # The heaviest pages, and the heaviest of each family (incidents/<family>/...): loading
    # all of them (thousands at 5,000 reports) would take longer than the builds.
    families: dict[str, Path] = {}
    for path in every:
        families.setdefault(path.relative_to(site / "incidents").parts[0], path)
    pages = list(dict.fromkeys([*every[:PAGES_LOADED], *families.values()]))
    result: dict[str, object] = {"pages": len(every), "loaded": len(pages)}
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A reader's browser has shown a page before: the first page a fresh browser
        # process loads pays for starting it (the largest page, loaded first, always did).
        warm = browser.new_context()
        warm.new_page().goto(base, wait_until="load", timeout=300_000)
        warm.close()
        slowest: tuple[float, str, int] = (0.0, "", 0)
        largest = pages[0] if pages else None
        for path in pages:
            context = browser.new_context()
            page = context.new_page()
            url = base + path.parent.relative_to(site).as_posix() + "/"
            page.goto(url, wait_until="domcontentloaded", timeout=300_000)
            dcl = page.evaluate(
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            if dcl > slowest[0]:
                slowest = (dcl, url.removeprefix(base), path.stat().st_size)
            context.close()
        result["slowest_dcl_ms"] = round(slowest[0])
        result["slowest_page"] = slowest[1]
        result["slowest_kb"] = round(slowest[2] / 1024)
        if largest is not None:
            result["largest_page"] = largest.parent.relative_to(site).as_posix() + "/"
            result["largest_kb"] = round(largest.stat().st_size / 1024)
        context = browser.new_context()
        page = context.new_page()
        downloads: list[tuple[str, int]] = []
        page.on(
            "requestfinished",
            lambda request: downloads.append(
                (request.url, (request.sizes() or {}).get("responseBodySize", 0))
            ),
        )
        page.goto(base + "incidents/search/", wait_until="networkidle", timeout=300_000)
        result["search_kb"] = round(sum(size for _, size in downloads) / 1024)
        result["search_material_index"] = any(
            url.endswith("search/search_index.json") for url, _ in downloads
        )
        context.close()
        browser.close()
    return result


# --- pmkb check ----------------------------------------------------------------------------

CHECK_RUNS = 3
"""`pmkb check` is timed this many times and the median kept: on a shared machine
one run can be a third slower than the next."""

FLOOR_SCRIPT = """
import pathlib, sys, time
import frontmatter, yaml
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.md"))
handler = frontmatter.YAMLHandler()
start = time.perf_counter()
for path in files:
    text, _ = handler.split(path.read_text(encoding="utf-8"))
    yaml.load(text, Loader=yaml.CSafeLoader)
print(time.perf_counter() - start)
"""


def time_check(count: int, work: Path) -> dict[str, object]:
    """`pmkb check` over ``count`` reports (median of :data:`CHECK_RUNS`), and in the
    same run, interleaved, the floor the issue names: one core reading every file's
    frontmatter with the C YAML loader, checking nothing."""
    docs = work / f"check-{count}"
    generate(count, docs)
    os.sync()  # the files just written are flushed first, as in a fresh checkout
    runs, floors = Series(), Series()
    for _ in range(CHECK_RUNS):
        runs.values.append(_timed_pmkb("check", str(docs)))
        floor = subprocess.run(
            [sys.executable, "-c", FLOOR_SCRIPT, str(docs)],
            env=ENV,
            capture_output=True,
            text=True,
            check=True,
        )
        floors.values.append(float(floor.stdout))
    return {"check": runs, "floor": floors}


def _timed_pmkb(*arguments: str) -> float:
    """Seconds one ``pmkb`` command takes, in its own process."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "postmortem_kb", *arguments],
        env=ENV,
        capture_output=True,
        check=False,
    )
    return round(time.perf_counter() - start, 2)


# --- the run ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--default-nav-max", type=int, default=1000)
    parser.add_argument("--real", type=Path, help="icco/postmortems' data/ folder")
    parser.add_argument("--corpora", nargs="+", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument("--serve-size", type=int, default=5000)
    parser.add_argument("--serve-runs", type=int, default=3)
    parser.add_argument("--check", type=int, default=10000, help="reports for `pmkb check`")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args(argv)
    corpora = [name for name in args.corpora if name != "real" or args.real]

    builds: list[BuildRow] = []
    serves: list[ServeRow] = []
    pages: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="pmkb-bench-") as folder:
        work = Path(folder)
        for corpus in corpora:
            for count in args.sizes:
                docs = work / "docs"
                make_corpus(corpus, count, docs, args.real)
                builds += interleaved_builds(
                    corpus, count, work, docs, args.runs, args.default_nav_max
                )
                if count == max(args.sizes):
                    pages[corpus] = page_waits(work / "project-site")
                    print(f"  pages: {pages[corpus]}", flush=True)
                if count == args.serve_size:
                    serves += serve_waits(corpus, count, work, docs, args.serve_runs)
                shutil.rmtree(work / "project-site")
                shutil.rmtree(docs)
        check = time_check(args.check, work)
    write_results(args, corpora, builds, serves, pages, check)


def serve_waits(corpus: str, count: int, work: Path, docs: Path, runs: int) -> list[ServeRow]:
    """The edit-to-visible wait in ``mkdocs serve``, project and baseline interleaved; a
    different report each run, from the middle of the corpus."""
    project = project_config(work, docs)
    configs = {PROJECT: project, PROJECT_DIRTY: project, NOT_IN_NAV: baseline_config(work, docs)}
    rows = {name: ServeRow(corpus, count, name) for name in configs}
    reports = sorted((docs / "postmortems").rglob("*.md"))
    for run in range(runs):
        for name in list(configs)[run % 3 :] + list(configs)[: run % 3]:
            report = reports[len(reports) // 2 + run]
            serve_wait(configs[name], report, docs, rows[name], mark=f"Edited{run}{name[0]}")
            print(
                f"  serve {corpus} {count:,} {name}: first build "
                f"{rows[name].start.values[-1]:.1f} s, edit visible after "
                f"{rows[name].edit.values[-1]:.1f} s",
                flush=True,
            )
    return list(rows.values())


def write_results(
    args: argparse.Namespace,
    corpora: list[str],
    builds: list[BuildRow],
    serves: list[ServeRow],
    pages: dict[str, dict[str, object]],
    check: dict[str, object],
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run.py` on {time.strftime('%Y-%m-%d')}, "
        f"{os.cpu_count()} cores, {args.runs} interleaved runs a configuration; medians with "
        "the range of the runs in brackets. CPU is user + system time of the build's process "
        "and its workers. The configurations and corpora are described in the script's "
        "docstring:",
        "",
        *[f"- {name}: {CORPORA[name]}" for name in corpora],
        "",
        "## Full builds",
        "",
        "| corpus | reports | configuration | wall s | CPU s | CPU / baseline | peak RSS MB "
        "| site MB | incident search KB gzip | Material search KB gzip |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    baseline = {(r.corpus, r.reports): r for r in builds if r.config == NOT_IN_NAV}
    for row in builds:
        base = baseline[(row.corpus, row.reports)]
        ratio = row.cpu.median / base.cpu.median
        lines.append(
            f"| {row.corpus} | {row.reports:,} | {row.config} | {row.wall.text('')} | "
            f"{row.cpu.text('')} | {ratio:.2f} | {row.rss_mb:.0f} | {row.site_mb} | "
            f"{row.sizes.get('incident search KB gzip', '-')} | "
            f"{row.sizes.get('Material search KB gzip', '-')} |"
        )
    lines += ["", "Plugin stages of the project's last build (s):", ""]
    for row in builds:
        if row.config == PROJECT and row.stages:
            stages = ", ".join(f"{k} {v:.2f}" for k, v in row.stages.items())
            lines.append(f"- {row.corpus} {row.reports:,}: {stages}")
    if serves:
        lines += [
            "",
            "## `mkdocs serve`: one report's title edited, until its page shows it",
            "",
            "| corpus | reports | configuration | first build s | edit -> visible s "
            "| year page and search catalog right at that moment |",
            "|---|---|---|---|---|---|",
        ]
        for srow in serves:
            right = (
                f"{sum(srow.consistent)} of {len(srow.consistent)}" if srow.consistent else "n/a"
            )
            lines.append(
                f"| {srow.corpus} | {srow.reports:,} | {srow.config} | {srow.start.text('')} | "
                f"{srow.edit.text('')} | {right} |"
            )
    lines += ["", "## Pages in Chromium (project, largest size)", ""]
    for corpus, figures in pages.items():
        lines.append(
            f"- {corpus}: {figures['pages']} generated pages, the {figures['loaded']} heaviest "
            "(and the heaviest of each family) loaded; slowest DOMContentLoaded "
            f"{figures['slowest_dcl_ms']} ms (`{figures['slowest_page']}`, "
            f"{figures['slowest_kb']} KB of HTML); largest HTML {figures.get('largest_kb')} KB "
            f"(`{figures.get('largest_page')}`); the incident search page downloads "
            f"{figures['search_kb']} KB"
            + (", Material's search index among them" if figures["search_material_index"] else "")
        )
    runs, floor = check["check"], check["floor"]
    assert isinstance(runs, Series) and isinstance(floor, Series)
    lines += [
        "",
        "## `pmkb check`",
        "",
        f"- {args.check:,} synthetic reports: {runs.text()}; the floor (one core parsing only "
        f"their frontmatter with the C YAML loader, interleaved): {floor.text()}; ratio "
        f"{runs.median / floor.median:.1f}",
    ]
    lines += targets(args, builds, serves, pages, runs.median / floor.median)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def targets(
    args: argparse.Namespace,
    builds: list[BuildRow],
    serves: list[ServeRow],
    pages: dict[str, dict[str, object]],
    check_ratio: float,
) -> list[str]:
    """Issue 18's targets, each with this run's figure."""
    rows: list[tuple[str, str, str, bool]] = []
    largest = max(args.sizes)
    baseline = {(r.corpus, r.reports): r for r in builds if r.config == NOT_IN_NAV}
    for row in builds:
        if row.config == PROJECT and row.reports == largest:
            base = baseline[(row.corpus, row.reports)]
            ratio = row.cpu.median / base.cpu.median
            wall = row.wall.median / base.wall.median
            rows.append(
                (
                    f"full build / Material not_in_nav, {row.corpus} {largest:,}",
                    "<= 1.0",
                    f"CPU {ratio:.2f}, wall {wall:.2f}",
                    ratio <= 1.0 and wall <= 1.0,
                )
            )
    for srow in serves:
        if srow.config in (PROJECT, PROJECT_DIRTY) and srow.edit.values:
            rows.append(
                (
                    f"{srow.config}: edit visible, {srow.corpus} {srow.reports:,}",
                    "< 5 s, every page right",
                    f"{srow.edit.median:.1f} s, "
                    f"{sum(srow.consistent)}/{len(srow.consistent)} right",
                    srow.edit.median < 5 and all(srow.consistent),
                )
            )
    rows.append(
        (f"`pmkb check` {args.check:,} / floor", "< 5", f"{check_ratio:.1f}", check_ratio < 5)
    )
    for corpus, figures in pages.items():
        dcl, kb = int(figures["slowest_dcl_ms"]), int(figures.get("largest_kb") or 0)  # type: ignore[call-overload]
        rows.append(
            (
                f"generated pages, {corpus} {largest:,}",
                "DCL < 1 s, HTML < 1 MB",
                f"{dcl} ms, {kb} KB",
                dcl < 1000 and kb < 1024,
            )
        )
        rows.append(
            (
                f"search page downloads only what it uses, {corpus}",
                "no Material index",
                "Material's index fetched" if figures["search_material_index"] else "none fetched",
                not figures["search_material_index"],
            )
        )
    return [
        "",
        "## Targets",
        "",
        "| target | goal | measured | met |",
        "|---|---|---|---|",
        *[f"| {n} | {g} | {v} | {'yes' if ok else 'no'} |" for n, g, v, ok in rows],
    ]


if __name__ == "__main__":
    main()
