"""Build-time benchmark: the project's configuration against plain Material, in one run.

    python benchmarks/run.py                 # N = 100, 1,000 and 5,000 (a few minutes)
    python benchmarks/run.py --sizes 100 1000 --baseline-max 1000 --check 10000

For each N it generates N synthetic postmortems (benchmarks/synthetic.py, fixed seed),
builds them with the repository's own mkdocs.yml and, up to --baseline-max, with a
plain Material configuration (theme material, search plugin, default navigation).
Each build runs in a child process, so its wall time and peak RSS are its own. It also
times `pmkb check` over --check reports (the median of three runs, beside the floor of
parsing only their frontmatter) and a rebuild after one edit (the plugin's report
cache), and writes the table to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import generate

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1764115200"}


def project_config(work: Path, docs: Path) -> Path:
    """The repository's own mkdocs.yml, pointed at the synthetic docs."""
    for extra in ("index.md", "guide"):
        source = ROOT / "postmortems" / extra
        if source.is_dir():
            shutil.copytree(source, docs / extra, dirs_exist_ok=True)
        else:
            shutil.copy(source, docs / extra)
    config = work / "project.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {docs}\n"
        f"theme:\n  name: material\n  custom_dir: {ROOT / 'overrides'}\n",
        encoding="utf-8",
    )
    return config


def baseline_config(work: Path, docs: Path) -> Path:
    config = work / "baseline.yml"
    config.write_text(
        f"site_name: baseline\ndocs_dir: {docs}\ntheme:\n  name: material\nplugins:\n  - search\n"
        f"hooks:\n  - {HERE / 'baseline_hooks.py'}\n",
        encoding="utf-8",
    )
    return config


def measure(config: Path, site: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, str(HERE / "measure_build.py"), str(config), str(site)],
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
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
    same run the floor the issue names: one core reading every file's frontmatter
    with the C YAML loader, checking nothing."""
    docs = work / f"check-{count}"
    generate(count, docs)
    os.sync()  # the files just written are flushed first, as in a fresh checkout
    runs = [_timed_pmkb("check", str(docs)) for _ in range(CHECK_RUNS)]
    # One changed file in a project of that size, as a pull request's CI checks it.
    project = work / "check-project.yml"
    project.write_text(f"site_name: check\ndocs_dir: {docs}\nplugins:\n  - postmortems\n")
    changed = str(sorted(docs.rglob("*-inc-*.md"))[count // 2])
    one = [_timed_pmkb("-f", str(project), "check", changed) for _ in range(CHECK_RUNS)]
    floor = subprocess.run(
        [sys.executable, "-c", FLOOR_SCRIPT, str(docs)],
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        "runs": runs,
        "median": statistics.median(runs),
        "one_file": statistics.median(one),
        "floor": float(floor.stdout),
    }


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


def time_rebuild(config: Path, docs: Path, site: Path) -> dict[str, float]:
    """Plugin time of a first build and of a rebuild after one edit, in one process."""
    script = f"""
import json, logging, pathlib, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
logging.disable(logging.WARNING)
def once():
    config = load_config({str(config)!r}, site_dir={str(site)!r})
    config.plugins.on_startup(command="serve", dirty=False)  # as `mkdocs serve` does
    build(config)
    return sum(config.plugins["postmortems"].timings.values())
first = once()
path = sorted(p for p in pathlib.Path({str(docs)!r}).rglob("*.md") if "inc-" in p.name)[0]
path.write_text(path.read_text() + "\\nOne more line.\\n")
second = once()
print(json.dumps({{"first_s": round(first, 2), "rebuild_s": round(second, 2)}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], env=ENV, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--baseline-max", type=int, default=1000)
    parser.add_argument("--check", type=int, default=10000, help="reports for `pmkb check`")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args()

    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="pmkb-bench-") as folder:
        work = Path(folder)
        for count in args.sizes:
            docs = work / f"docs-{count}"
            generate(count, docs)
            if count <= args.baseline_max:
                site = work / f"baseline-{count}"
                figures = measure(baseline_config(work, docs), site)
                rows.append(
                    {"config": "plain Material", "reports": count, **figures, **payload(site)}
                )
                print(rows[-1], flush=True)
                shutil.rmtree(site)
            site = work / f"project-{count}"
            figures = measure(project_config(work, docs), site)
            rows.append({"config": "project", "reports": count, **figures, **payload(site)})
            print(rows[-1], flush=True)
            shutil.rmtree(site)
        largest = max(args.sizes)
        rebuild = time_rebuild(
            project_config(work, work / f"docs-{largest}"),
            work / f"docs-{largest}",
            work / "rebuild-site",
        )
        check = time_check(args.check, work)
    write_results(args.out, rows, rebuild, largest, args.check, check)


def memory(row: dict[str, object]) -> str:
    """Peak RSS of the build's process, plus its workers' (each at most the largest's)."""
    main, workers = float(row["peak_rss_mb"]), int(row.get("workers") or 0)  # type: ignore[arg-type]
    if not workers:
        return f"{main}"
    worker = float(row["worker_rss_mb"])  # type: ignore[arg-type]
    return f"{main} + {workers} x {worker} = {main + workers * worker:.0f}"


def targets(
    project: dict[int, dict[str, object]],
    largest: int,
    share: float,
    check_count: int,
    check_s: float,
) -> list[str]:
    """The issue's targets, each with the figure measured in this run (for `pmkb check`,
    the median of its runs)."""
    big = project[largest]
    stages = sum((big.get("stages_s") or {}).values())  # type: ignore[union-attr]
    workers = int(big.get("workers") or 0)  # type: ignore[arg-type]
    rss = float(big["peak_rss_mb"]) + workers * float(big.get("worker_rss_mb") or 0)  # type: ignore[arg-type]
    rows = [
        (f"build of {largest:,} reports", "< 90 s", f"{big['wall_s']} s", big["wall_s"] < 90),  # type: ignore[operator]
        (f"plugin stages at {largest:,}", "< 15 s", f"{stages:.1f} s", stages < 15),
        (f"`pmkb check` on {check_count:,}", "< 10 s", f"{check_s} s", check_s < 10),
        (
            f"incident search payload at {largest:,} (gzip)",
            "< 2,048 KB",
            f"{big.get('incident search KB gzip')} KB",
            float(big.get("incident search KB gzip") or 0) < 2048,  # type: ignore[arg-type]
        ),
        (f"peak RSS at {largest:,}, workers included", "< 1,024 MB", f"{rss:.0f} MB", rss < 1024),
        ("rebuild after one edit / first build", "< 10%", f"{share:.0%}", share < 0.10),
    ]
    if 1000 in project and largest != 1000:
        ratio = float(big["wall_s"]) / float(project[1000]["wall_s"])  # type: ignore[arg-type]
        rows.insert(1, (f"time({largest:,}) / time(1,000)", "< 6", f"{ratio:.1f}", ratio < 6))
    lines = ["", "## Targets", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    lines += [
        f"| {name} | {goal} | {value} | {'yes' if ok else 'no'} |" for name, goal, value, ok in rows
    ]
    lines.append("| Material's search ready at 5,000 | < 5 s | see search-results.md | |")
    return lines


def write_results(
    out: Path,
    rows: list[dict[str, object]],
    rebuild: dict[str, float],
    largest: int,
    check_count: int,
    check: dict[str, object],
) -> None:
    check_s = float(check["median"])  # type: ignore[arg-type]
    floor = float(check["floor"])  # type: ignore[arg-type]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run.py` on {time.strftime('%Y-%m-%d')}; "
        f"{os.cpu_count()} cores. Synthetic reports of about 1,200 words (seed 7).",
        "",
        "| configuration | reports | wall s | peak RSS MB (main + workers) | site MB "
        "| plugin stages s | incident search KB (gzip) | Material search KB (gzip) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        stages = row.get("stages_s") or {}
        stage_text = ", ".join(f"{k} {v:.2f}" for k, v in stages.items()) or "n/a"
        total = f" (total {sum(stages.values()):.2f})" if stages else ""
        lines.append(
            f"| {row['config']} | {row['reports']:,} | {row['wall_s']} | {memory(row)} | "
            f"{row['site_mb']} | {stage_text}{total} | "
            f"{row.get('incident search KB', '-')} ({row.get('incident search KB gzip', '-')}) | "
            f"{row.get('Material search KB', '-')} ({row.get('Material search KB gzip', '-')}) |"
        )
    project = {r["reports"]: r for r in rows if r["config"] == "project"}
    baseline = {r["reports"]: r for r in rows if r["config"] != "project"}
    lines += ["", "## Ratios measured in this run", ""]
    sizes = sorted(project)
    for small, big in itertools.pairwise(sizes):
        ratio = project[big]["wall_s"] / project[small]["wall_s"]
        lines.append(
            f"- project time({big:,}) / time({small:,}): {ratio:.1f} (reports x{big // small})"
        )
    for count in sorted(set(project) & set(baseline)):
        ratio = project[count]["wall_s"] / baseline[count]["wall_s"]
        lines.append(f"- project / plain Material at {count:,} reports: {ratio:.2f}")
    share = rebuild["rebuild_s"] / rebuild["first_s"] if rebuild["first_s"] else 0
    lines += [
        f"- plugin time of a rebuild after one edit / first build at {largest:,} reports: "
        f"{rebuild['rebuild_s']} s / {rebuild['first_s']} s = {share:.0%}",
        f"- `pmkb check` on {check_count:,} reports: {check_s} s, the median of "
        f"{', '.join(f'{run} s' for run in check['runs'])}",  # type: ignore[attr-defined]
        f"- `pmkb check` of one changed file in a project of {check_count:,} reports (the "
        f"others read for their frontmatter only): {check['one_file']} s, median of "
        f"{CHECK_RUNS}",
        f"- the floor for the same files, one core parsing only their frontmatter with the "
        f"C YAML loader: {floor:.2f} s; `pmkb check` takes {check_s / floor:.1f} times that, "
        "on every core, checking everything",
    ]
    lines += targets(project, largest, share, check_count, check_s)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
