"""The Metrics page as a reader sees it: real headless Chromium, light and dark schemes.

Playwright drives Debian's /usr/bin/chromium (``.ci/run`` installs it; no browser is
downloaded). The repository's own knowledge base is built with a pinned build date
and served on 127.0.0.1. Every chart is screenshotted and its pixels are checked, so
an empty, blank or unstyled chart fails the test; the screenshots are kept in the
test's tmp_path, and in ``$PMKB_SCREENSHOTS`` when that is set, for people to look at.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from playwright.sync_api import Browser, Page

from tests.browser import serve

ROOT = Path(__file__).resolve().parents[2]
CHARTS = 8
BUILD_DATE = datetime(2026, 11, 26, tzinfo=UTC)

# Pixel statistics of a PNG, computed by the browser itself (no imaging library needed).
PIXELS = """async (b64) => {
  const image = new Image();
  image.src = "data:image/png;base64," + b64;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const counts = new Map();
  for (let i = 0; i < data.length; i += 4) {
    const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  let most = 0;
  for (const n of counts.values()) most = Math.max(most, n);
  return {colours: counts.size, other: 1 - most / (data.length / 4)};
}"""

# Contrast ratio (WCAG) of an element's SVG fill or stroke against the page background.
CONTRAST = """([selector, property]) => {
  const rgba = (text) => {
    const parts = text.match(/rgba?\\(([^)]+)\\)/)[1].split(/[ ,\\/]+/).filter(Boolean);
    const [r, g, b] = parts.slice(0, 3).map(Number);
    return [r, g, b, parts.length > 3 ? Number(parts[3]) : 1];
  };
  const background = rgba(getComputedStyle(document.body).backgroundColor);
  const [r, g, b, a] = rgba(getComputedStyle(document.querySelector(selector))[property]);
  const over = [r, g, b].map((c, i) => c * a + background[i] * (1 - a));
  const luminance = (rgb) => {
    const lin = rgb.map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  };
  const [high, low] = [luminance(over), luminance(background.slice(0, 3))].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's site, built for 2026-11-26 and served on a free loopback port.

    Not strict: the strict build is test_samples' job; this one is about the charts.
    """
    site_dir = tmp_path_factory.mktemp("metrics-browser") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(int(BUILD_DATE.timestamp())))
        build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site_dir)))
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="module")
def analyser(browser: Browser) -> Iterator[Page]:
    """A blank page that decodes screenshots; it works whatever the tested page allows."""
    page = browser.new_page()
    yield page
    page.close()


def pixels(analyser: Page, png: bytes) -> dict[str, float]:
    return analyser.evaluate(PIXELS, base64.b64encode(png).decode())


def looks_drawn(stats: dict[str, float]) -> bool:
    """Axes, labels, bars and dots give many colours and cover a fair share of the chart."""
    return stats["colours"] >= 8 and stats["other"] >= 0.03


def keep(tmp_path: Path, name: str, png: bytes) -> None:
    (tmp_path / name).write_bytes(png)
    if folder := os.environ.get("PMKB_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(png)


@pytest.mark.parametrize(("scheme", "attribute"), [("light", "default"), ("dark", "slate")])
def test_every_chart_is_drawn_and_readable(
    browser: Browser,
    analyser: Page,
    base_url: str,
    tmp_path: Path,
    scheme: str,
    attribute: str,
) -> None:
    page = browser.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base_url + "incidents/metrics/")
    page.wait_for_load_state("load")
    assert page.evaluate("document.body.dataset.mdColorScheme") == attribute
    charts = page.locator("svg.pmkb-chart-full")
    assert charts.count() == CHARTS
    for index in range(CHARTS):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 400 and box["height"] > 100, index
        png = chart.screenshot()
        keep(tmp_path, f"metrics-{scheme}-{index}.png", png)
        assert looks_drawn(pixels(analyser, png)), f"chart {index} looks empty in {scheme}"
    keep(tmp_path, f"metrics-{scheme}-page.png", page.screenshot(full_page=True))
    # Text and series colours follow the scheme: readable on its background.
    assert page.evaluate(CONTRAST, [".pmkb-chart-title", "fill"]) >= 7
    assert page.evaluate(CONTRAST, [".pmkb-chart .pmkb-tick", "fill"]) >= 4.5
    for selector in (".pmkb-fill-closed", ".pmkb-fill-bar", ".pmkb-stroke-overdue"):
        prop = "stroke" if "stroke" in selector else "fill"
        assert page.evaluate(CONTRAST, [f"svg {selector}", prop]) >= 3, selector
    assert all(url.startswith(base_url) for url in requests), requests
    page.close()


def test_charts_need_no_javascript(browser: Browser, analyser: Page, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "incidents/metrics/last-year/")
    charts = page.locator("svg.pmkb-chart-full")
    assert charts.count() == CHARTS
    for index in range(CHARTS):
        assert looks_drawn(pixels(analyser, charts.nth(index).screenshot())), index
    context.close()


def test_the_check_catches_an_empty_or_broken_chart(
    browser: Browser, analyser: Page, base_url: str
) -> None:
    page = browser.new_page()
    page.goto(base_url + "incidents/metrics/")
    chart = page.locator("svg.pmkb-chart-full").first
    assert looks_drawn(pixels(analyser, chart.screenshot()))
    # Only the accessible name left: what a chart with no data drawn would look like.
    page.evaluate(
        """() => {
          const svg = document.querySelector("svg.pmkb-chart-full");
          for (const child of [...svg.children]) {
            if (!["title", "desc"].includes(child.tagName)) child.remove();
          }
        }"""
    )
    assert not looks_drawn(pixels(analyser, chart.screenshot()))
    page.close()


def test_severity_pages_show_their_sparkline(
    browser: Browser, analyser: Page, base_url: str
) -> None:
    page = browser.new_page(color_scheme="dark")
    page.goto(base_url + "incidents/severity/sev2/")
    spark = page.locator("svg.pmkb-sparkline")
    box = spark.bounding_box()
    assert box is not None and box["width"] >= 100 and box["height"] >= 20
    stats = pixels(analyser, spark.screenshot())
    assert stats["colours"] >= 3 and stats["other"] > 0.02
    page.close()
