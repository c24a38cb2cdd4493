"""postmortem-kb: a knowledge base of blameless postmortems, checked and published with MkDocs.

The public API is small: :func:`load` a knowledge base from files, read its
``reports`` and ``problems``; :data:`RULES` lists every rule. The MkDocs plugin
(:mod:`postmortem_kb.plugin`) and the ``pmkb`` command are thin layers over it.
"""

from postmortem_kb.core.kb import KnowledgeBase, find_reports, is_report, load
from postmortem_kb.core.reading import read_report
from postmortem_kb.core.report import Keep, Report
from postmortem_kb.core.rules import RULES, Level, Problem, Rule
from postmortem_kb.core.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "Keep",
    "KnowledgeBase",
    "Level",
    "Problem",
    "Report",
    "Rule",
    "Settings",
    "__version__",
    "find_reports",
    "is_report",
    "load",
    "read_report",
]
