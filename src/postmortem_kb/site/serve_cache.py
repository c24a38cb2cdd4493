"""What ``mkdocs serve`` reuses between rebuilds: the generated files, while their inputs match.

An edit that changes no report's metadata, summary, action items or problems changes
none of the generated files, so a rebuild after it adds the last build's files again
instead of relating, indexing and writing the pages anew. (Reports themselves are
reused by file identity: :class:`postmortem_kb.core.kb.ReportCache`.)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig

from postmortem_kb.core.kb import KnowledgeBase
from postmortem_kb.core.report import Report, report_signature
from postmortem_kb.site.build import Generated


def signature(kb: KnowledgeBase, reports: dict[str, Report], config: MkDocsConfig) -> str:
    """What the generated files depend on: settings, build date, URLs, and for each
    published report (``reports`` by docs path) its metadata, summary sections, action
    items and problems."""
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
        digest.update(uri.encode())
        digest.update(report_signature(report, kb.problems_of(report)).encode())
    return digest.hexdigest()


@dataclass
class ServeCache:
    """The last build's generated files, by the :func:`signature` of their inputs."""

    signature: str = ""
    generated: Generated | None = None

    def get(self, signature: str) -> Generated | None:
        return self.generated if signature == self.signature else None

    def keep(self, signature: str, generated: Generated) -> None:
        self.signature, self.generated = signature, generated
