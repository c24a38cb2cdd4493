"""Frontmatter values as text, for the two places generated output writes them.

Every value from a report's frontmatter or tables is written through one of these, so
it reads as written and never becomes markup: a title holding ``</title><script>`` is
text on every page. Jinja templates escape with ``|e`` instead.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]|])")
"""Characters that make markup anywhere in a line. Generated pages never start a line
with a value, so line-start markup (#, -, +, 1.) needs no escape; fewer escapes also
make the large generated tables much cheaper for Python-Markdown to render."""


def markdown_text(value: object) -> str:
    """``value`` as literal text inside Markdown: no markup, no HTML, no line breaks."""
    text = html.escape(" ".join(str(value).split()), quote=False)
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def html_text(value: object) -> str:
    """``value`` as text inside HTML: escaped, on one line."""
    return html.escape(" ".join(str(value).split()))
