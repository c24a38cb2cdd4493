"""The rule catalogue and the problems that rules report.

Every check in the package reports through a rule from :data:`RULES`, so each
message carries a stable code, a short name and a fix hint, and so teams can
switch rules off or change their level by code in ``mkdocs.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """How much a problem matters: an error fails every check, a warning only a strict
    one (a pull request's CI), an info never fails anything; ``off`` drops it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    level: Level
    summary: str
    hint: str


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with one file, at one line."""

    path: str
    line: int
    code: str
    name: str = field(compare=False)
    level: Level = field(compare=False)
    message: str = field(compare=False)
    hint: str = field(compare=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "rule": self.name,
            "level": str(self.level),
            "message": self.message,
            "hint": self.hint,
        }


_E, _W, _I = Level.ERROR, Level.WARNING, Level.INFO

_CATALOGUE = [
    # Reading the file and its frontmatter.
    Rule(
        "PM001",
        "unreadable-file",
        _E,
        "The file could not be read as UTF-8 text.",
        "Save the file as UTF-8 (most editors offer 'Save with encoding').",
    ),
    Rule(
        "PM002",
        "frontmatter-missing",
        _E,
        "A postmortem must start with YAML frontmatter between '---' lines.",
        "Start the file with '---', the metadata fields, and a closing '---'.",
    ),
    Rule(
        "PM003",
        "frontmatter-unterminated",
        _E,
        "The frontmatter opened with '---' is never closed.",
        "Add a line holding only '---' after the last metadata field.",
    ),
    Rule(
        "PM004",
        "yaml-syntax",
        _E,
        "The frontmatter is not valid YAML.",
        "Fix the YAML at the line shown; quote values that contain ':' or '#'.",
    ),
    Rule(
        "PM005",
        "frontmatter-not-mapping",
        _E,
        "The frontmatter must be a mapping of field names to values.",
        "Write one 'field: value' pair per line.",
    ),
    Rule(
        "PM006",
        "link-outside",
        _E,
        "A symbolic link leads outside the docs folder (a report's, outside the reports "
        "folder), or to nothing; what it leads to is never read or published.",
        "Copy the file into the folder instead of linking to it; a link that leads out is "
        "refused so that no file from elsewhere on the machine is ever published.",
    ),
    Rule(
        "PM007",
        "duplicate-key",
        _E,
        "A frontmatter field is written twice; YAML keeps only the last value.",
        "Keep one of the two lines; if both values matter, merge them into one.",
    ),
    # Frontmatter fields.
    Rule(
        "PM010",
        "missing-field",
        _E,
        "A required frontmatter field is absent.",
        "Add the field; 'pmkb rules' and the format reference list every field.",
    ),
    Rule(
        "PM011",
        "invalid-value",
        _E,
        "A frontmatter value has the wrong type or format.",
        "Write the value in the form the message names; quote strings that YAML "
        "could read as numbers, booleans or dates.",
    ),
    Rule(
        "PM012",
        "unknown-field",
        _W,
        "A frontmatter field is not part of the postmortem format (often a typo).",
        "Rename it to the field you meant, or remove it.",
    ),
    Rule(
        "PM013",
        "id-pattern",
        _E,
        "The id does not match the knowledge base's id pattern.",
        "Use the next free id of the incident's year, for example INC-2024-007.",
    ),
    Rule(
        "PM014",
        "root-cause-required",
        _E,
        "A Final postmortem must state its root cause in 'root_cause'.",
        "Add 'root_cause:' with 'category' and 'summary', or keep the status at Review.",
    ),
    Rule(
        "PM015",
        "impact-times-required",
        _E,
        "'impact.started' and 'impact.resolved' are required unless 'near_miss: true'.",
        'Add the times as ISO 8601 with a timezone, e.g. "2024-01-15T10:13:00Z".',
    ),
    Rule(
        "PM016",
        "impact-time-order",
        _E,
        "Impact times must satisfy started <= detected <= resolved.",
        "Check the times against the timeline; all must share one timezone convention.",
    ),
    Rule(
        "PM017",
        "timezone-missing",
        _E,
        "An impact time has no timezone, so durations would be guesses.",
        "Append 'Z' for UTC or an offset such as '+02:00'.",
    ),
    Rule(
        "PM018",
        "unknown-template",
        _E,
        "The 'report_template' names no template configured for this knowledge base.",
        "Use one of the configured templates, or add it under the plugin's 'templates' option.",
    ),
    # The report template's key (issue 20): 'template:' is MkDocs' and Zensical's own
    # page-template key, which only this plugin hides from the engine.
    Rule(
        "PM050",
        "template-key-renamed",
        _I,
        "The report names its template with 'template:', MkDocs' own page-template key: "
        "without this plugin (pmkb render, Zensical, another engine) it selects a page "
        "template and the build fails. It is still read as 'report_template:'.",
        "Rename the key to 'report_template:'; 'pmkb migrate' rewrites every report, "
        "keeping comments and key order.",
    ),
    Rule(
        "PM051",
        "template-key-twice",
        _W,
        "The report has both 'report_template:' and the old 'template:'; 'template:' is ignored.",
        "Remove the 'template:' line ('pmkb migrate' does when both name the same template).",
    ),
]

# The publish gate (gate.py): files that may not reach the site at all.
_CATALOGUE += [
    Rule(
        "PM030",
        "special-file",
        _E,
        "A FIFO, socket or device sits in the docs folder; it is never opened or published.",
        "Remove it from the docs folder: only files and folders belong there.",
    ),
    Rule(
        "PM031",
        "second-name",
        _E,
        "A symbolic link leads to a folder inside the docs folder (a loop, or a second name "
        "for it), or to a Markdown file: its content would be published twice, or apart "
        "from its checks. It is not published.",
        "Remove the link; move or copy the folder or file instead, or link to the page in "
        "Markdown.",
    ),
    Rule(
        "PM032",
        "file-name",
        _E,
        "A file or folder name holds a control character (such as a newline) or bytes that "
        "are not UTF-8; it is not published.",
        "Rename it with printable characters only (letters, digits, '-', '_', '.').",
    ),
    Rule(
        "PM033",
        "markdown-suffix-case",
        _E,
        "A file's suffix is a Markdown suffix in capitals ('x.MD'): MkDocs would copy it "
        "raw, frontmatter and all, instead of rendering it. It is not published.",
        "Rename it with the suffix in lower case: '.md'.",
    ),
    Rule(
        "PM034",
        "report-as-page",
        _E,
        "A page that is not a postmortem (an index or README page, or one the 'exclude' "
        "option names) holds postmortem frontmatter: it would be published without the "
        "checks and without the public edition's filter. It is not published.",
        "Give the report a name of its own (not index or README), move it out of the "
        "excluded folder, or list the folder in MkDocs' exclude_docs.",
    ),
    Rule(
        "PM035",
        "hidden-file",
        _W,
        "A Markdown file in the reports folder is hidden (its name, or a folder's, starts "
        "with '.'): MkDocs never publishes it, so it is not checked either.",
        "Rename it without the leading '.', or add it to the 'exclude' option if it is "
        "meant to stay out.",
    ),
    Rule(
        "PM036",
        "unreadable",
        _E,
        "A folder cannot be listed, or a file cannot be read: what it holds is neither "
        "checked nor published.",
        "Give the build's user permission to read it (chmod), or remove it.",
    ),
    # Limits: what the site can render in bounded time and memory.
    Rule(
        "PM037",
        "date-out-of-range",
        _E,
        "A date lies outside the range the knowledge base accepts (earliest_date to "
        "latest_date, by default 1970-01-01 to 2200-12-31).",
        "Correct the date (often a typo in the year), or widen the plugin's earliest_date "
        "or latest_date.",
    ),
    Rule(
        "PM038",
        "too-long",
        _E,
        "A frontmatter text or list is longer than the format allows (a title of 200 "
        "characters, names of 100, summaries of 5,000, lists of 50).",
        "Shorten it; put long explanations in the report's sections.",
    ),
    Rule(
        "PM039",
        "markdown-too-deep",
        _E,
        "Lists, quotes or emphasis nest more than 20 levels deep: the renderer would "
        "fail. The page shows the text as written instead.",
        "Flatten the nesting; use headings or a table for structure.",
    ),
    Rule(
        "PM040",
        "markdown-too-large",
        _E,
        "A file over 512 KB, a line over 20,000 characters, or paragraphs so long and so "
        "full of brackets or markup that rendering would take minutes. The page shows "
        "the text as written instead (a file too large is not read).",
        "Split long paragraphs with blank lines, put logs in a fenced code block (```), "
        "and link large attachments instead of pasting them.",
    ),
    Rule(
        "PM041",
        "yaml-aliases",
        _E,
        "The frontmatter's YAML aliases ('*name') expand to more than 10,000 values or a "
        "million characters (or refer to themselves): it is not read.",
        "Write the values out instead of repeating them through anchors and aliases.",
    ),
    Rule(
        "PM042",
        "yaml-tag",
        _E,
        "The frontmatter uses a YAML tag outside the format ('!!set', '!!binary', "
        "'!!timestamp', a custom '!tag'): it is not read.",
        "Write plain text, numbers, lists and mappings; a list is '[a, b]', not '!!set'.",
    ),
    Rule(
        "PM043",
        "page-template-unknown",
        _E,
        "A page's 'template:' names no template of the theme (found by the site build, "
        "which knows the theme). The page is rendered with the theme's default template.",
        "Name a template of the theme or of custom_dir, or remove the key.",
    ),
]

_CATALOGUE += [
    # Links between postmortems.
    Rule(
        "PM020",
        "duplicate-id",
        _E,
        "Two postmortems share one id.",
        "Give one of them the next free id of its year.",
    ),
    Rule(
        "PM021",
        "related-unknown",
        _E,
        "'related' names an id that no postmortem has.",
        "Correct the id, or remove it from 'related'.",
    ),
    Rule(
        "PM022",
        "related-self",
        _E,
        "A postmortem lists itself in 'related'.",
        "Remove the report's own id from 'related'.",
    ),
    Rule(
        "PM023",
        "public-names-internal",
        _W,
        "A public report names an internal report's id, or links to its page, in text the "
        "public edition publishes.",
        "Leave out the internal report's id and link (describe the incident in words), make "
        "that report public too, "
        "or redact the section; a 'related:' entry is fine (the public edition drops it).",
    ),
    Rule(
        "PM024",
        "not-related-unknown",
        _E,
        "'not_related' names an id that no postmortem has.",
        "Correct the id, or remove it from 'not_related'.",
    ),
    Rule(
        "PM025",
        "not-related-self",
        _E,
        "A postmortem lists itself in 'not_related'.",
        "Remove the report's own id from 'not_related'.",
    ),
    Rule(
        "PM026",
        "related-and-not-related",
        _E,
        "An id is in both 'related' and 'not_related'; the 'related' link always shows.",
        "Keep the id in one of the two lists.",
    ),
    # Sections.
    Rule(
        "PM101",
        "missing-section",
        _E,
        "A section required by the report's template is missing.",
        "Add a level-2 heading ('## Name') with the section's text.",
    ),
    Rule(
        "PM102",
        "empty-section",
        _E,
        "A required section has a heading but no text.",
        "Write the section; a few lines are enough while the report is a Draft.",
    ),
    Rule(
        "PM103",
        "recommended-section",
        _I,
        "A section the template recommends is missing.",
        "Add the section when the report has something to say in it; set PM103 to 'warning' "
        "in the plugin's 'rules' to require it in strict builds, or to 'off'.",
    ),
    Rule(
        "PM104",
        "duplicate-section",
        _E,
        "The same section heading appears twice.",
        "Merge the two sections into one.",
    ),
    # Tables.
    Rule(
        "PM110",
        "table-shape",
        _E,
        "A table row has a different number of cells than the header.",
        "Give every row one cell per column; escape a literal pipe inside a cell as '\\|'.",
    ),
    Rule(
        "PM111",
        "timeline-table-missing",
        _E,
        "The Timeline section must hold a table with 'Time' and 'Event' columns.",
        "Add a table: '| Time | Event |', one row per event, in UTC.",
    ),
    Rule(
        "PM112",
        "timeline-time-format",
        _E,
        "A timeline time is not 'HH:MM' or 'YYYY-MM-DD HH:MM'.",
        "Write times as 'HH:MM' (UTC, on the incident date) or 'YYYY-MM-DD HH:MM'.",
    ),
    Rule(
        "PM113",
        "timeline-order",
        _E,
        "Timeline rows are not in chronological order.",
        "Sort the rows by time; use 'YYYY-MM-DD HH:MM' once the timeline passes midnight.",
    ),
    Rule(
        "PM120",
        "action-table-missing",
        _E,
        "Action Items must hold a table (only a Draft may leave it out).",
        "Add '| ID | Action | Owner | Due Date | Priority | Status |' and one row per item.",
    ),
    Rule(
        "PM121",
        "action-columns",
        _E,
        "The action-item table lacks a required column.",
        "Use the columns ID, Action, Owner, Due Date, Priority, Status "
        "(Issue and Notes are optional).",
    ),
    Rule(
        "PM122",
        "action-priority",
        _E,
        "An action item's priority is not one of P0, P1, P2, P3.",
        "Use P0 (most urgent) to P3.",
    ),
    Rule(
        "PM123",
        "action-status",
        _E,
        "An action item's status is not a known status.",
        "Use Not Started, In Progress, Done, Blocked or Won't Do.",
    ),
    Rule(
        "PM124",
        "action-due-date",
        _E,
        "An action item's due date is not a real YYYY-MM-DD date.",
        "Write the due date as YYYY-MM-DD, e.g. 2024-01-20.",
    ),
    Rule(
        "PM125",
        "action-id-duplicate",
        _E,
        "Two action items in one report share an id.",
        "Number the items AI-1, AI-2, ... without repeats.",
    ),
    Rule(
        "PM126",
        "action-issue-url",
        _E,
        "An action item's Issue cell is not an http(s) URL.",
        "Put the tracker URL in the Issue cell, e.g. https://tracker.example/OPS-12.",
    ),
    Rule(
        "PM127",
        "action-field-empty",
        _E,
        "An action item leaves its ID, Action, Owner or Due Date empty.",
        "Fill every required cell; an owner may be a person (@alice) or a team.",
    ),
    Rule(
        "PM128",
        "action-completed-date",
        _E,
        "An action item's Completed date is not a real YYYY-MM-DD date.",
        "Write the day the item was closed as YYYY-MM-DD, e.g. 2024-01-18, or leave it empty.",
    ),
]

_CATALOGUE += [
    # Review checks on the words (lint.py): blameless, specific, finished, actionable.
    Rule(
        "PM201",
        "blameful-language",
        _W,
        "Blameful phrasing from the language guide ('who broke', 'should have known', "
        "'stupid mistake', 'why didn't you', 'careless', 'fault of').",
        "Ask what and why, not who: 'What system failures led to this?', "
        "'What information was missing?'.",
    ),
    Rule(
        "PM202",
        "person-as-cause",
        _W,
        "An author or action-item owner is named as the cause in the root-cause text.",
        "Describe what the system allowed and what was missing to stop it; name roles, not people.",
    ),
    Rule(
        "PM203",
        "vague-wording",
        _W,
        "Vague wording ('the database was slow', 'many users', 'a while') without numbers "
        "in the Impact or Root Cause sections.",
        "Give the data: latencies, counts, durations and times.",
    ),
    Rule(
        "PM204",
        "final-todo",
        _E,
        "A Final report still holds a TODO, TBD or FIXME marker.",
        "Finish the part the marker stands for and delete the marker, or go back to Review.",
    ),
    Rule(
        "PM205",
        "final-guidance",
        _E,
        "A Final report still holds template guidance (an HTML comment).",
        "Replace the guidance with the section's text and delete the comment.",
    ),
    Rule(
        "PM206",
        "final-empty-table",
        _E,
        "The Timeline or Action Items table of a Final report has no rows.",
        "Add the events or the action items, one row each.",
    ),
    Rule(
        "PM207",
        "action-owner-placeholder",
        _E,
        "An action item's owner is a placeholder ('TBD', '?', '-', 'team', 'everyone').",
        "Name one person (@alice) or one team (@payments-team) who will do it.",
    ),
    Rule(
        "PM208",
        "action-no-verb",
        _W,
        "An action item's text has no verb, so it does not say what will be done.",
        "Start with a verb: 'Add connection pool alerting', not 'Connection pool alerting'.",
    ),
    # Blameless language as Learning-from-Incidents practice describes it (lint.py).
    Rule(
        "PM209",
        "hindsight",
        _W,
        "A person is judged with hindsight: what they should, ought to or could have done "
        "('the on-call engineer should have rolled back', 'we could have caught it').",
        "Describe what the person saw and knew at the time and why the action made sense "
        "then; name the safeguard that was missing.",
    ),
    Rule(
        "PM210",
        "omission-framing",
        _W,
        "A person is described by what they did not do: 'failed to', 'forgot to', "
        "'neglected to', 'didn't follow the runbook', 'ignored the alert'.",
        "Say what happened, why the step was easy to miss, and which safeguard would catch it.",
    ),
    Rule(
        "PM211",
        "human-error",
        _W,
        "'Human error' (or 'operator error', 'fat-fingered') stands where an explanation "
        "should be.",
        "Describe the action, what made it reasonable at the time, and what let the slip "
        "through (no confirmation step, no dry run, the tool accepted the input).",
    ),
    Rule(
        "PM212",
        "named-blame",
        _W,
        "A name or @handle, anyone's, is the subject of a blamed action ('Bob forgot to "
        "renew', '@alice didn't follow the runbook').",
        "Name the role, not the person, and say what they saw and why the action made "
        "sense at the time.",
    ),
    Rule(
        "PM213",
        "vigilance-action",
        _W,
        "An action item asks people to be more careful, pay attention, remember or "
        "double-check, instead of naming a safeguard.",
        "Name the safeguard that makes care unnecessary: an automated check, a confirmation "
        "step, an alert, a safer default ('Add a pre-deploy check that rejects a zero limit').",
    ),
    Rule(
        "PM214",
        "counterfactual",
        _I,
        "An outcome is described by what did not happen: 'could have been prevented', "
        "'was avoidable', 'should have been caught', 'if only we had'.",
        "Describe what happened, and name the safeguard that was missing and what adding it takes.",
    ),
    # Review policies (policies.py): only with `pmkb check --policies`.
    Rule(
        "PM220",
        "policy-final-overdue",
        _W,
        "A report of a severity with a deadline is not Final that many days after the incident.",
        "Hold the review meeting and finish the report, or record in the pull request why "
        "it waits.",
    ),
    Rule(
        "PM221",
        "policy-action-due",
        _W,
        "An action item of a priority with a deadline is due later than the policy allows.",
        "Bring the due date forward, or lower the priority if the item is less urgent.",
    ),
    Rule(
        "PM222",
        "policy-severity-trigger",
        _W,
        "A SEV3 or SEV4 report's impact meets the SEV2 postmortem trigger "
        "(by default more than 1,000 users affected or $10,000 of revenue).",
        "Check the severity against the severity definitions; raise it if the impact warrants it.",
    ),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in sorted(_CATALOGUE, key=lambda r: r.code)}

FAILING = {False: frozenset({Level.ERROR}), True: frozenset({Level.ERROR, Level.WARNING})}
"""The levels that fail a check, by whether it is strict: info never fails."""

LEVEL_MEANINGS = {
    Level.ERROR: "the report is wrong or cannot be read as the format says: "
    "fails pmkb check and every build",
    Level.WARNING: "probably a mistake, but a person should judge: "
    "fails pmkb check --strict and mkdocs build --strict",
    Level.INFO: "advice: shown on the page, in pmkb check and as a notice; never fails",
    Level.OFF: "not checked",
}
"""What each level means, for ``pmkb rules`` and the rules page."""

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in _CATALOGUE}


def lookup(code_or_name: str) -> Rule:
    """Find a rule by code (``PM101``) or name (``missing-section``)."""
    key = code_or_name.strip()
    rule = RULES.get(key.upper()) or RULES_BY_NAME.get(key.lower())
    if rule is None:
        raise KeyError(code_or_name)
    return rule


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule violation before the knowledge base's rule levels are applied."""

    code: str
    line: int
    message: str
    hint: str | None = None


PLAIN_TEXT_RULES = frozenset({"PM039", "PM040"})
"""Problems of Markdown the renderer cannot survive: such a page is shown as written."""
