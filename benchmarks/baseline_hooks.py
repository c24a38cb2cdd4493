"""MkDocs hook for the plain-Material baseline: ignore the reports' ``template`` key.

Without the postmortems plugin, MkDocs would take ``template: standard`` in a report's
frontmatter as the name of a theme template and fail; the baseline must only render.
Reports written today say ``report_template:``, which MkDocs ignores (``pmkb migrate``
renames the old key); the hook is for corpora written before.
"""

from __future__ import annotations

from typing import Any


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    page.meta.pop("template", None)
    return markdown
