"""Every kind of page the plugin generates, scanned by axe-core in real Chromium, in the
light and the dark scheme: no violation in the plugin's own markup.

The plugin's markup is everything in the page's content (``.md-content__inner``): the
report header, related incidents, generated pages, dashboard, search controls, charts.
What axe finds in Material's own frame (header, navigation, footer, dialogs) is listed
in KNOWN with the reason, and nothing else may appear.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser import serve

PAGES = {
    "home dashboard": "",
    "report": "2026/03-march/2026-03-17-global-config-push-gateway-outage/",
    "near-miss report": "2026/02-february/2026-02-03-postgres-xid-wraparound-near-miss/",
    "overview": "incidents/",
    "severity index": "incidents/severity/",
    "severity page": "incidents/severity/sev1/",
    "patterns": "incidents/patterns/",
    "group page (tag, service, cause, factor)": "incidents/tags/config-push/",
    "action items": "incidents/action-items/",
    "owner page": "incidents/owners/dba-team/",
    "archive": "incidents/archive/",
    "monthly reviews": "incidents/reviews/",
    "monthly review": "incidents/reviews/2026-03/",
    "near-misses": "incidents/near-misses/",
    "metrics": "incidents/metrics/",
    "search": "incidents/search/?query=postgres",
}

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

KNOWN: dict[str, str] = {
    # rule id: why a finding in Material's own frame is not the plugin's to fix
    "landmark-unique": "Material's two navigation sidebars share the role without names",
    "color-contrast": "Material's footer line (.md-copyright) in the light scheme",
    "aria-dialog-name": "Material's empty dialog (.md-dialog) for its clipboard notices",
}

MATERIAL_IN_CONTENT: dict[str, tuple[str, str]] = {
    # rule id: (the element of Material's own, why it is not the plugin's markup)
    "scrollable-region-focusable": (
        ".md-typeset__scrollwrap",
        "Material's script wraps every wide table in a scrolling div that takes no focus",
    ),
}

SCAN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: %s}});
  return result.violations.map(v => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.map(n => {
      const el = document.querySelector(n.target[0]);
      return {target: n.target.join(" "), own: !!(el && el.closest(".md-content__inner")),
              summary: n.failureSummary};
    }),
  }));
}"""


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_no_violation_in_the_plugins_markup(
    repo_site: Path, axe_script: Path, browser: Browser, scheme: str
) -> None:
    own: list[str] = []
    frame: set[str] = set()
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    # Material keeps the chosen scheme in localStorage: the reader's toggle, made here.
    index = 0 if scheme == "default" else 1
    context.add_init_script(
        f"localStorage.setItem('/.__palette', JSON.stringify({{index: {index}, color: "
        f"{{media: '', scheme: '{scheme}', primary: 'indigo', accent: 'indigo'}}}}))"
    )
    # Nothing leaves the machine (Material asks GitHub for the repository's stars).
    context.route(re.compile(r"^(?!http://127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    with serve(repo_site) as base:
        for kind, path in PAGES.items():
            page.goto(base + path)
            if kind == "search":
                page.wait_for_selector("#pmkb-search[data-ready=yes]")
            assert page.get_attribute("body", "data-md-color-scheme") == scheme, kind
            page.add_script_tag(path=str(axe_script))
            for violation in page.evaluate(SCAN % WCAG):
                for node in violation["nodes"]:
                    material = MATERIAL_IN_CONTENT.get(violation["id"])
                    if material and node["target"].startswith(material[0]):
                        frame.add(violation["id"])
                    elif node["own"]:
                        own.append(
                            f"{kind}: {violation['id']} at {node['target']}: {node['summary']}"
                        )
                    else:
                        frame.add(violation["id"])
    context.close()
    assert own == [], "\n".join(own)
    print(f"Material's own findings ({scheme}): {sorted(frame)}")
    assert frame <= set(KNOWN) | set(MATERIAL_IN_CONTENT), frame - set(KNOWN)
