"""Editions: one repository of postmortems, published whole inside and in part outside.

The internal edition publishes every report. The public edition publishes only the
reports marked ``visibility: public``, redacted (see :mod:`redact`). Every output of
a build (pages, indexes, search, metrics, feeds, exports) is made from the knowledge
base that :func:`published` returns, so no output has its own filter to forget: a
report that is not in that knowledge base cannot appear anywhere.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from enum import StrEnum
from fnmatch import fnmatchcase

from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.redact import is_public, link_targets, public_copy
from postmortem_kb.core.rules import RULES, Problem

ENV_VAR = "PMKB_EDITION"
"""Overrides the ``edition`` option, so CI builds both editions from one mkdocs.yml."""


class Edition(StrEnum):
    INTERNAL = "internal"
    PUBLIC = "public"


class EditionError(ValueError):
    """An edition name that is neither ``internal`` nor ``public``."""


def resolve_edition(setting: str, environ: Mapping[str, str]) -> Edition:
    """The edition to build: ``PMKB_EDITION`` when set (and not blank), else the option.

    An unknown value stops the build rather than falling back to a default: a typo in
    a CI variable must not publish the internal edition where the public one belongs.
    """
    raw = environ.get(ENV_VAR, "").strip()
    value, where = (raw, f"the {ENV_VAR} environment variable") if raw else (setting, "edition")
    try:
        return Edition(value.strip().lower())
    except ValueError:
        raise EditionError(
            f"{where} is {value!r}; use 'internal' (every report) or 'public' "
            "(only reports with 'visibility: public')"
        ) from None


def published(kb: KnowledgeBase) -> KnowledgeBase:
    """The knowledge base as the edition in ``kb.settings`` publishes it.

    Internal: ``kb`` itself. Public: a new knowledge base holding the redacted copies
    of the public reports (their ``related`` lists cut to published ids), and only
    their own problems, each message replaced by its
    rule's summary, since messages quote report text (a redacted section, the path of
    a report with the same id) that the public edition must not show.
    """
    if Edition(kb.settings.edition) is Edition.INTERNAL:
        return kb
    public = [r for r in kb.reports if is_public(r)]
    ids = frozenset(r.id for r in public if r.id is not None)
    reports = [public_copy(r, kb.settings, ids) for r in public]
    view = KnowledgeBase(settings=kb.settings, display_root=kb.display_root, reports=reports)
    view.set_problems(_generic(p) for report in reports for p in kb.problems_of(report))
    return view


def _generic(problem: Problem) -> Problem:
    rule = RULES[problem.code]
    return replace(problem, message=rule.summary.rstrip("."), hint=rule.hint)


def withheld_files(
    pages: Mapping[str, tuple[str, bool]],
    files: Iterable[str],
    wanted: Iterable[str] = (),
    public_files: Iterable[str] = (),
) -> set[str]:
    """Files of docs_dir (images, attachments) that the public edition leaves out.

    Deny by default: a file is published only when a published page links to it or
    embeds it, when the site's configuration names it (``wanted``: stylesheets,
    scripts, logo), when a published stylesheet refers to it (fonts, images), or when
    it matches a ``public_files`` pattern (``CNAME``). ``pages`` maps each Markdown
    page's docs path to its text and whether it is published.
    """
    needed: set[str] = set(wanted)
    for uri, (text, is_published) in pages.items():
        if is_published:
            needed.update(link_targets(text, uri))
    patterns = list(public_files)
    return {
        uri
        for uri in files
        if uri not in needed and not any(fnmatchcase(uri, pattern) for pattern in patterns)
    }


_CSS_URL = re.compile(r"""url\(\s*["']?([^"')\s]+)["']?\s*\)""")


def stylesheet_targets(css: str, uri: str) -> Iterator[str]:
    """Docs paths a stylesheet refers to with ``url(...)`` (fonts, background images)."""
    folder = posixpath.dirname(uri)
    for match in _CSS_URL.finditer(css):
        target = match.group(1).split("#", 1)[0].split("?", 1)[0]
        if not target or target.startswith("/") or ":" in target:
            continue
        path = posixpath.normpath(posixpath.join(folder, target))
        if not path.startswith("../"):
            yield path
