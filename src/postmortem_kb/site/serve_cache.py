"""What ``mkdocs serve`` reuses between rebuilds: the generated files, while their inputs match.

An edit that changes no report's metadata, summary, action items or problems changes
none of the generated files, so a rebuild after it adds the last build's files again
instead of relating, indexing and writing the pages anew. When they must be made
again, what each unchanged report gave the last build (its part of the signature, its
catalog entry) is reused: an unchanged file gives the same report object
(:class:`postmortem_kb.core.kb.ReportCache`), kept by :class:`~postmortem_kb.core.kb.PerReport`;
so are the Metrics pages while no report's figures change (a title edit).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import partial

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from postmortem_kb.core.kb import KnowledgeBase, PerReport
from postmortem_kb.core.report import Report, report_signature
from postmortem_kb.core.workers import Workers
from postmortem_kb.site.build import Generated, Kept, build_site, replay, timed


def signature(
    kb: KnowledgeBase,
    reports: dict[str, Report],
    config: MkDocsConfig,
    parts: PerReport[str] | None = None,
) -> str:
    """What the generated files depend on: settings, build date, URLs, and for each
    published report (``reports`` by docs path) its metadata, summary sections, action
    items and problems. ``parts`` keeps each report's part for the next rebuild."""
    settings = kb.settings
    digest = hashlib.sha256()
    for part in (
        settings.model_dump_json(),
        settings.today().isoformat(),
        str(config.use_directory_urls),
        str(config.site_url),
    ):
        digest.update(part.encode())
    for uri, report in sorted(reports.items()):
        problems = kb.problems_of(report)
        found = sorted((p.code, str(p.level), p.message) for p in problems)
        make = partial(report_signature, report, problems)
        part = parts.get(report, found, make) if parts is not None else make()
        digest.update(uri.encode())
        digest.update(part.encode())
    if parts is not None:
        parts.keep_only(reports.values())
    return digest.hexdigest()


@dataclass
class ServeCache:
    """The last build's generated files, by the :func:`signature` of their inputs."""

    signature: str = ""
    generated: Generated | None = None
    parts: PerReport[str] = field(default_factory=PerReport)
    """Each report's part of the signature (the same report object gives the same part)."""
    kept: Kept = field(default_factory=Kept)
    """What each build keeps for the next: catalog entries, the Metrics pages."""

    def generate(
        self,
        kb: KnowledgeBase,
        reports: dict[str, Report],
        files: Files,
        config: MkDocsConfig,
        workers: Workers,
        timings: dict[str, float],
        *,
        reuse: bool,
    ) -> Generated:
        """This build's generated files. While serving (``reuse``): the last build's when
        their inputs are unchanged; otherwise made again, reusing what is :class:`Kept`."""
        with timed(timings, "signature"):
            key = signature(kb, reports, config, self.parts if reuse else None)
        if reuse and key == self.signature and self.generated is not None:
            replay(self.generated, files, config)
            return self.generated
        kept = self.kept if reuse else None
        generated = build_site(kb, reports, files, config, workers, timings, kept)
        self.signature, self.generated = key, generated
        return generated
