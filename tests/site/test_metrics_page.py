"""The Metrics pages in real builds: one well-formed, accessible SVG per chart, with tables."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from postmortem_kb import Settings, find_reports, load
from postmortem_kb.site import charts
from postmortem_kb.site.metrics import metrics_pages
from tests.conftest import Site, report_text

SVG_NS = "{http://www.w3.org/2000/svg}"
CHARTS = ("incidents", "detect", "resolve", "actions", "tags", "services", "causes", "quarters")
HOSTILE_TAG = "<b>x</b> & \"quoted\" 'single'"
PACKAGE = Path(__file__).resolve().parents[2] / "src" / "postmortem_kb"
CSS = PACKAGE / "site" / "assets" / "pmkb.css"


def svgs(page: str) -> dict[str, ET.Element]:
    """The charts of a built page by id, parsed as XML (which fails when one is malformed)."""
    found = {}
    for markup in re.findall(r'<svg\b[^>]*class="pmkb-chart\b.*?</svg>', page, flags=re.S):
        root = ET.fromstring(markup)
        found[root.get("id", "")] = root
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = Site(tmp_path_factory.mktemp("metrics") / "project")
    site.add(
        "2024/01/a.md",
        report_text(
            "INC-2024-001",
            date="2024-01-10",
            severity="SEV1",
            tags=["config-push", HOSTILE_TAG, "bell\x07"],
            services=["api-gateway"],
            actions=[
                ("AI-1", "@alice", "2024-02-01", "P0", "Not Started"),
                ("AI-2", "@bob", "2024-01-20", "P1", "Done"),
            ],
        ),
    )
    site.add(
        "2024/05/b.md",
        report_text("INC-2024-002", date="2024-05-05", severity="SEV3", tags=["config-push"]),
    )
    site.add(
        "2024/06/c.md",
        report_text(
            "INC-2024-003", date="2024-06-20", severity="SEV2", near_miss=True, tags=["disk"]
        ),
    )
    site.configure("build_date: 2024-06-30\n")
    site.build()
    return site


def test_one_accessible_well_formed_svg_per_chart(built: Site) -> None:
    page = built.page("incidents/metrics/index.md")
    found = svgs(page)
    assert sorted(found) == sorted(f"pmkb-all-{name}" for name in CHARTS)
    for chart_id, root in found.items():
        assert root.tag == f"{SVG_NS}svg"
        assert root.get("role") == "img"
        title = root.find(f"{SVG_NS}title")
        desc = root.find(f"{SVG_NS}desc")
        assert title is not None and (title.text or "").strip(), chart_id
        assert desc is not None and (desc.text or "").strip(), chart_id
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        drawn = [e for e in root.iter() if e.tag in (f"{SVG_NS}rect", f"{SVG_NS}circle")]
        assert drawn, f"{chart_id} draws nothing"
        texts = " ".join("".join(e.itertext()) for e in root.iter(f"{SVG_NS}text"))
        assert texts.strip(), f"{chart_id} has no visible labels"


def dots(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [c for c in root.iter(f"{SVG_NS}circle") if "pmkb-dot" in c.get("class", "").split()]


def test_thousands_of_incidents_draw_a_bounded_chart() -> None:
    """Past a few hundred incidents a row draws a dot per column of them, each saying
    how many it holds, so 5,000 incidents make a readable and light chart."""
    values = [float(n % 900) for n in range(5000)]
    many = charts.Row("SEV2", "sev2", values, median=450.0, p90=810.0)
    few = charts.Row("SEV1", "sev1", values[:20], median=10.0, p90=18.0)
    svg = charts.distribution_chart("t", "Time", "Desc", [many, few], x_label="x", y_label="y")
    drawn = dots(svg)
    titles = ["".join(dot.itertext()).strip() for dot in drawn]
    grouped = [t for t in titles if t.startswith("SEV2")]
    assert 10 < len(grouped) < 100
    assert sum(int(re.search(r": (\d+) incidents?", t).group(1)) for t in grouped) == 5000
    assert len([t for t in titles if t.startswith("SEV1")]) == 20
    assert "incidents (larger: more)" in svg
    assert len(svg) < 60_000


def test_every_chart_has_a_table_of_its_numbers(built: Site) -> None:
    page = built.page("incidents/metrics/index.md")
    figures = re.findall(r'<div class="pmkb-figure">(.*?)</div>', page, flags=re.S)
    assert len(figures) == len(CHARTS)
    for figure in figures:
        assert figure.index("</svg>") < figure.index('<details class="pmkb-data">')
        assert "<summary>" in figure and "<table>" in figure and "<th>" in figure
    incidents = figures[0][figures[0].index("<table>") :]
    assert (
        "<tr><td>2024-01</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>"
        in (incidents)
    )
    assert "<td>2024-06</td>" in incidents  # empty months are shown, up to the build date


def test_figures_match_the_reports(built: Site) -> None:
    page = html.unescape(built.page("incidents/metrics/index.md"))
    assert "2 incidents and 1 near-miss dated 2024-01-10 to 2024-06-30" in page
    actions = re.search(r"Numbers: action items per month.*?</table>", page, flags=re.S)
    assert actions is not None
    # AI-1 of INC-2024-001 is overdue from February. The Done items of the other two
    # have no Completed date and were due before their incidents: they count as closed
    # in their incidents' months, never before.
    rows = re.findall(
        r"<tr><td>(2024-\d\d)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", actions.group(0)
    )
    assert rows == [
        ("2024-01", "2", "1", "0"),
        ("2024-02", "0", "0", "1"),
        ("2024-03", "0", "0", "1"),
        ("2024-04", "0", "0", "1"),
        ("2024-05", "1", "1", "1"),
        ("2024-06", "1", "1", "1"),
    ]
    resolve = re.search(r"Numbers: time to resolve.*?</table>", page, flags=re.S)
    assert resolve is not None
    assert "<tr><td>All</td><td>2</td><td>30 min</td><td>30 min</td></tr>" in resolve.group(0)
    quarters = re.search(r"Numbers: per quarter.*?</table>", page, flags=re.S)
    assert quarters is not None
    assert "<tr><td>2024 Q2</td><td>1</td><td>1</td></tr>" in quarters.group(0)


def test_time_window_views(built: Site) -> None:
    everything = built.page("incidents/metrics/index.md")
    year = built.page("incidents/metrics/last-year.md")
    recent = built.page("incidents/metrics/last-90-days.md")
    assert sorted(svgs(recent)) == sorted(f"pmkb-last-90-days-{name}" for name in CHARTS)
    assert sorted(svgs(year)) == sorted(f"pmkb-last-year-{name}" for name in CHARTS)
    assert "dated 2024-04-01 to 2024-06-30" in recent
    assert "1 incident and 1 near-miss" in recent  # the January incident is older
    assert "2 incidents and 1 near-miss" in year
    for page, current in ((everything, "All time"), (recent, "Last 90 days")):
        views = page[page.index("View:") :][:600]
        assert f"<strong>{current}</strong>" in views
        assert views.count("<a href=") == 2


def test_frontmatter_values_are_escaped_in_charts_and_tables(built: Site) -> None:
    page = built.page("incidents/metrics/index.md")
    assert "<b>x</b>" not in page
    tags = svgs(page)["pmkb-all-tags"]
    labels = ["".join(t.itertext()) for t in tags.iter(f"{SVG_NS}text")]
    assert any(label.startswith('<b>x</b>-&-"quoted"') for label in labels)  # text, not markup
    assert "&lt;b&gt;x&lt;/b&gt;-&amp;-" in page
    assert any(label.startswith("bell") for label in labels)  # its control character dropped


def test_charts_need_nothing_from_outside(built: Site) -> None:
    page = built.page("incidents/metrics/index.md")
    for markup in re.findall(r'<svg\b[^>]*class="pmkb-chart\b.*?</svg>', page, flags=re.S):
        assert "<script" not in markup and "<image" not in markup and "@import" not in markup
        assert not re.search(r"(?:href|src)=", markup)
        urls = set(re.findall(r"https?://[^\s\"'<>]+", markup))
        assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_severity_pages_show_a_sparkline(built: Site) -> None:
    page = built.page("incidents/severity/sev1.md")
    [(chart_id, root)] = svgs(page).items()
    assert chart_id == "pmkb-spark-sev1"
    assert "2024-01: 1" in (root.find(f"{SVG_NS}desc").text or "")
    assert "1 in the last 12 months" in page


def test_empty_knowledge_base_still_draws_every_chart() -> None:
    pages = {p.name: p.markdown for p in metrics_pages([], date(2024, 6, 30))}
    assert sorted(pages) == [
        "metrics/index.md",
        "metrics/last-90-days.md",
        "metrics/last-year.md",
    ]
    for markdown in pages.values():
        assert len(svgs(markdown)) == len(CHARTS)
        assert "No incidents in this period" in markdown
    assert "0 incidents and 0 near-misses up to 2024-06-30" in pages["metrics/index.md"]


def test_output_is_reproducible(built: Site) -> None:
    reports = load(find_reports(built.docs, Settings()), Settings()).reports
    first = metrics_pages(reports, date(2024, 6, 30))
    second = metrics_pages(reports, date(2024, 6, 30))
    assert first == second


def scheme_colours(css: str, selector: str) -> dict[str, str]:
    block = css[css.index(selector + " {") :]
    block = block[: block.index("}")]
    return dict(re.findall(r"--pmkb-c-([a-z0-9-]+):\s*(#[0-9a-f]{6})", block))


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_series_colours_stand_out_in_both_schemes() -> None:
    css = CSS.read_text(encoding="utf-8")
    light = scheme_colours(css, ".pmkb-chart")
    dark = scheme_colours(css, '[data-md-color-scheme="slate"] .pmkb-chart')
    assert set(light) == set(dark) == set(charts.STYLES)
    assert light == {name: style.colour for name, style in charts.STYLES.items()}
    for name in charts.STYLES:
        assert contrast(light[name], "#ffffff") >= 3, name  # WCAG 1.4.11 for graphics
        assert contrast(dark[name], "#1e2129") >= 3, name  # Material's slate background
    patterns = [charts.STYLES[f"sev{n}"].pattern for n in range(5)]
    assert len(set(patterns)) == 5  # severities differ by pattern, not only by colour


def test_a_span_of_years_is_drawn_with_a_column_a_year(site: Site) -> None:
    site.add("1990/a.md", report_text("INC-1990-001", date="1990-05-01"))
    site.add("2024/b.md", report_text("INC-2024-001", date="2024-01-10", severity="SEV1"))
    site.add("2024/c.md", report_text("INC-2024-002", date="2024-02-10"))
    site.configure("build_date: 2024-03-01\n")
    site.build()
    page = site.page("incidents/metrics/index.md")
    figure = page[page.index('id="incidents-per-month"') : page.index('id="time-to-detect"')]
    assert "Incidents per year, by severity" in figure and "each column is a year" in figure
    rows = re.findall(r"<tr><td>(\d{4})</td>.*?<td>(\d+)</td></tr>", figure)
    assert len(rows) == 2024 - 1990 + 1  # a column a year, not 406 months
    assert rows[0] == ("1990", "1") and rows[-1] == ("2024", "2")
    recent = site.page("incidents/metrics/last-year.md")
    assert "Incidents per month, by severity" in recent  # 12 months: a column a month
