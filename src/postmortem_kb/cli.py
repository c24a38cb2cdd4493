"""``pmkb``: check postmortems and list the rules, from the terminal or CI.

Exit codes: 0 no errors, 1 errors found, 2 the command itself could not run
(bad arguments, unreadable ``mkdocs.yml``, a path that does not exist).

The site layer (MkDocs, Jinja, feeds, the calendar) is imported by the commands that
write a site or a calendar, when they run: ``pmkb check``, which a pre-commit hook runs
on every commit, starts without it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path, PurePosixPath

from postmortem_kb import __version__
from postmortem_kb.analysis import policies, stats
from postmortem_kb.core.config import ConfigError, Project, read_project
from postmortem_kb.core.edition import Edition, EditionError, published, resolve_edition
from postmortem_kb.core.kb import (
    KnowledgeBase,
    collector_paused,
    display_path,
    load,
)
from postmortem_kb.core.model import Severity, parse_calendar_date
from postmortem_kb.core.report import Keep
from postmortem_kb.core.rules import FAILING, LEVEL_MEANINGS, RULES
from postmortem_kb.core.selection import (
    SelectionError,
    reports_among,
    select,
    shown_paths,
)
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.workers import Workers
from postmortem_kb.terminal import export, migrate, overdue, scaffold
from postmortem_kb.terminal import figures as stats_output
from postmortem_kb.terminal import init as bootstrap
from postmortem_kb.terminal.problems import FORMATTERS
from postmortem_kb.terminal.schema import schema_text

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13
"""What a shell reports for a command that SIGPIPE ended (``yes | head``)."""


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pmkb", description="Check and browse a knowledge base of blameless postmortems."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=None,
        help="mkdocs.yml to read the plugin's settings from (default: ./mkdocs.yml when it exists)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate postmortems without building the site")
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to check (default: the configured reports folder)",
    )
    check.add_argument(
        "--format",
        choices=sorted(FORMATTERS),
        default="text",
        help="text for people, json for programs, github for CI annotations",
    )
    check.add_argument(
        "--strict", action="store_true", help="exit 1 on warnings too (info never fails)"
    )
    check.add_argument(
        "--reports-only",
        action="store_true",
        help="of the files named, check only the configured knowledge base's reports and skip "
        "the others (for hooks that pass every changed Markdown file)",
    )
    check.add_argument(
        "--policies",
        action="store_true",
        help="also check the review policies (deadlines, severity triggers) on the build date",
    )

    rules = commands.add_parser("rules", help="list every rule with its code and level")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    figures = commands.add_parser(
        "stats", help="print the Metrics page's figures: counts, durations, action items"
    )
    figures.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to measure (default: the configured reports folder)",
    )
    figures.add_argument(
        "--since",
        type=_day,
        default=None,
        metavar="DATE",
        help="count only incidents dated on or after DATE (YYYY-MM-DD)",
    )
    figures.add_argument("--format", choices=sorted(STATS_FORMATS), default="text")
    _add_edition_option(figures)
    _add_authoring_commands(commands)
    _add_export_command(commands)
    _add_migrate_command(commands)
    _add_render_command(commands)
    return parser


# --- pmkb migrate and pmkb render (issue 20) ---------------------------------


def _add_migrate_command(commands: argparse._SubParsersAction) -> None:
    move = commands.add_parser(
        "migrate",
        help="rename old frontmatter keys (template: -> report_template:), changing nothing else",
    )
    move.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to rewrite (default: the configured reports folder and its "
        "template files)",
    )
    move.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 when a file would change (for CI)",
    )


def _project_for(args: argparse.Namespace, verb: str) -> tuple[Project | None, Settings]:
    """The project of ``mkdocs.yml`` (if any) and its settings; without one, PATHs are
    needed to know what to ``verb``."""
    project = _project(args.config_file)
    if not args.paths and project is None:
        raise UsageError(
            f"no PATH given and no mkdocs.yml here; name the files or folders to {verb}, "
            "or pass --config-file"
        )
    return project, project.settings if project else Settings()


def run_migrate(args: argparse.Namespace) -> int:
    """Rewrite each report that uses an old key; list what changed (or would)."""
    project, settings = _project_for(args, "migrate")
    chosen = select(args.paths, project, settings)
    files = [(path, False) for path, _ in chosen.wanted]
    if not args.paths and project is not None:
        own = project.reports_dir / settings.template_dir
        files += [(path, True) for path in sorted(own.glob("*.md")) if path.is_file()]
    outcomes = [
        migrate.migrate_file(path, write=not args.check, template_file=template)
        for path, template in files
    ]
    changed = [o for o in outcomes if o.changes]
    failed = [o for o in outcomes if o.error]
    for outcome in outcomes:
        shown = display_path(outcome.path, Path.cwd())
        for change in outcome.changes:
            print(f"{shown}: {change}")
        if outcome.error:
            print(f"{shown}: {outcome.error}", file=sys.stderr)
    verb = "would change" if args.check else "changed"
    print(
        f"{len(changed)} of {len(outcomes)} file(s) {verb}"
        + (f"; {len(failed)} left as they were (see above)" if failed else ""),
        file=sys.stderr,
    )
    return EXIT_PROBLEMS if failed or (args.check and changed) else EXIT_OK


def _add_render_command(commands: argparse._SubParsersAction) -> None:
    out = commands.add_parser(
        "render",
        help="write the site as a plain docs folder and mkdocs.yml that any engine builds "
        "without the plugin (MkDocs, ProperDocs, Zensical)",
    )
    out.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new or empty folder")
    out.add_argument(
        "--site-url",
        default=None,
        metavar="URL",
        help="the address the site is served from, for the feeds (default: site_url of "
        "mkdocs.yml; without one, no feeds are written)",
    )
    out.add_argument(
        "--strict", action="store_true", help="warnings fail too, as in pmkb check --strict"
    )
    out.add_argument(
        "--engine",
        type=_engine,
        default="mkdocs",
        help="the engine that builds the folder: mkdocs (MkDocs, ProperDocs, TechDocs) or "
        "zensical (which reads links in HTML from the Markdown file's folder)",
    )
    _add_edition_option(out)


def _engine(name: str) -> str:
    """``--engine``, checked against the engines the site layer knows."""
    from postmortem_kb.site.folder import ENGINES

    if name not in ENGINES:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {name!r} (choose from {', '.join(map(repr, ENGINES))})"
        )
    return name


def run_render(args: argparse.Namespace) -> int:
    """Render the edition's site; exit 1 (and write nothing) when pmkb check would fail.

    The engine that builds the folder runs no check: the checks are here, the same as
    ``pmkb check``'s, so a report with errors never reaches a site without the plugin.
    """
    from postmortem_kb.site import folder as render

    project = _project(args.config_file)
    if project is None:
        raise UsageError("pmkb render needs the project's mkdocs.yml; run it there or pass -f")
    settings = _with_edition(project.settings, args.edition)
    site_url = args.site_url or render.site_url_of(project)
    try:
        result = render.render(
            project, settings, args.out, site_url, strict=args.strict, engine=args.engine
        )
    except render.RenderError as exc:
        raise UsageError(str(exc)) from None
    except render.ChecksFailed as exc:
        print(FORMATTERS["text"](exc.problems, exc.checked))
        print(f"pmkb render: {exc}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    # The exports, as pmkb export writes them (the site layer does not write them).
    assert result.kb is not None
    today, base = settings.today(), settings.pages_dir.strip("/")
    exports = args.out / "docs" / base / "export"
    exports.mkdir(parents=True, exist_ok=True)
    rows = export.incident_rows(result.kb, today)
    columns = export.incident_columns(settings)
    for name, text in (
        ("incidents.json", export.as_json(rows)),
        ("incidents.csv", export.as_csv(rows, columns)),
        ("actions.csv", export.as_csv(export.action_rows(result.kb, today), export.ACTION_COLUMNS)),
    ):
        (exports / name).write_text(text, encoding="utf-8", newline="")
        result.files.append(f"{base}/export/{name}")
    print(
        f"wrote {display_path(args.out, Path.cwd())}: {result.reports} postmortems, "
        f"{len(result.pages)} pages, {len(result.files)} other files ({settings.edition} "
        f"edition); build it with 'mkdocs build -f {display_path(args.out, Path.cwd())}"
        "/mkdocs.yml' or any engine that reads mkdocs.yml",
        file=sys.stderr,
    )
    return EXIT_OK


# --- end of pmkb migrate and pmkb render ----------------------------------------


def _add_edition_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--edition",
        choices=[edition.value for edition in Edition],
        default=None,
        help="internal (every report) or public (only 'visibility: public', redacted); "
        "default: PMKB_EDITION, else the plugin's edition option",
    )


def _add_export_command(commands: argparse._SubParsersAction) -> None:
    out = commands.add_parser(
        "export",
        help="write incidents or action items as JSON or CSV, or due dates as iCalendar",
    )
    out.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to export (default: the configured reports folder)",
    )
    out.add_argument(
        "--format",
        choices=("json", "csv", "ics"),
        default="json",
        help="ics: open action items' due dates, one all-day event each",
    )
    out.add_argument(
        "--what",
        choices=("incidents", "actions"),
        default="incidents",
        help="one row per postmortem, or one per action item (ics is always action items)",
    )
    _add_edition_option(out)
    out.add_argument("-o", "--output", type=Path, default=None, metavar="FILE")


def _add_authoring_commands(commands: argparse._SubParsersAction) -> None:
    setup = commands.add_parser(
        "init",
        help="set up a knowledge base in an MkDocs project (a new one when DIR has none)",
    )
    setup.add_argument(
        "directory", nargs="?", type=Path, default=Path("."), metavar="DIR",
        help="the project's folder, where mkdocs.yml is or will be (default: here)",
    )  # fmt: skip
    setup.add_argument(
        "--folder",
        default=bootstrap.DEFAULT_FOLDER,
        help="the reports folder, relative to docs_dir, when the plugin is not configured yet "
        f"(default: {bootstrap.DEFAULT_FOLDER})",
    )
    setup.add_argument(
        "--templates",
        action="store_true",
        help="copy the built-in report templates into the project, to edit them",
    )
    setup.add_argument(
        "--install",
        default=None,
        metavar="COMMAND",
        help=f"how the workflows install the package (default: {bootstrap.default_install()})",
    )
    setup.add_argument("--site-name", default=None, help="the site's name, for a new project")
    setup.add_argument("--force", action="store_true", help="overwrite files that exist and differ")

    new = commands.add_parser(
        "new", help="create a postmortem from a template at the recommended path"
    )
    new.add_argument("title", help='the incident\'s title, e.g. "Checkout errors after deploy"')
    new.add_argument("--severity", choices=[s.value for s in Severity], default="SEV2")
    new.add_argument("--template", default=None, help="a configured template (default: standard)")
    new.add_argument(
        "--date", type=_day, default=None, metavar="DATE", help="incident date (default: today)"
    )
    new.add_argument(
        "--author", action="append", default=None, metavar="NAME", help="an author; repeatable"
    )
    new.add_argument("--id", default=None, help="the id (default: the next free id of the year)")

    schema = commands.add_parser("schema", help="print the frontmatter's JSON Schema")
    schema.add_argument("-o", "--output", type=Path, default=None, metavar="FILE")

    late = commands.add_parser("overdue", help="list overdue action items (for a weekly review)")
    late.add_argument("--format", choices=sorted(overdue.FORMATS), default="text")
    late.add_argument(
        "--link-base",
        default="",
        metavar="URL",
        help="link each item to URL/<path>#L<line>, e.g. https://github.com/o/r/blob/main",
    )


STATS_FORMATS = {
    "text": stats_output.as_text,
    "json": stats_output.as_json,
    "csv": stats_output.as_csv,
}


def _day(text: str) -> date:
    try:
        return parse_calendar_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _project(config_file: Path | None) -> Project | None:
    if config_file is not None:
        if not config_file.is_file():
            raise UsageError(f"no such config file: {config_file}")
        return read_project(config_file)
    default = Path("mkdocs.yml")
    return read_project(default) if default.is_file() else None


def _with_edition(settings: Settings, requested: str | None) -> Settings:
    """The settings for the edition asked on the command line, else the configured one."""
    try:
        edition = Edition(requested) if requested else resolve_edition(settings.edition, os.environ)
    except EditionError as exc:
        raise UsageError(str(exc)) from None
    return settings.model_copy(update={"edition": edition.value})


def run_check(args: argparse.Namespace) -> int:
    project, settings = _project_for(args, "check")
    if args.reports_only:
        if project is None:
            raise UsageError("--reports-only needs the mkdocs.yml that says where the reports are")
        paths = reports_among(args.paths, project)
        if not paths:  # none of the files is a report: nothing to check, nothing wrong
            print(FORMATTERS[args.format]([], 0))
            return EXIT_OK
    else:
        paths = list(args.paths)
    chosen = select(paths, project, settings)
    wanted, context = chosen.wanted, chosen.context
    keep = Keep.PAGES if args.policies else Keep.PROBLEMS  # policies read action items
    size = len(wanted) + len(context)
    with Workers.for_size(size, fork=True) as workers:  # this command runs no threads
        kb = load(
            wanted,
            settings,
            display_root=Path.cwd(),
            keep=keep,
            workers=workers,
            context=context,
            refused=chosen.refused,
        )
    shown = shown_paths(kb, chosen, Path.cwd())
    problems = [p for p in kb.problems if p.path in shown]
    if args.policies:
        found = policies.problems(kb, settings.today())
        problems = sorted([*problems, *(p for p in found if p.path in shown)])
    print(FORMATTERS[args.format](problems, len(wanted)))
    return EXIT_PROBLEMS if any(p.level in FAILING[args.strict] for p in problems) else EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    project = _project(args.config_file)
    settings = project.settings if project else Settings()
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "level": str(settings.level_of(r.code)),
                        "summary": r.summary,
                        "hint": r.hint,
                    }
                    for r in RULES.values()
                ],
                indent=2,
            )
        )
        return EXIT_OK
    for rule in RULES.values():
        print(f"{rule.code}  {rule.name:<26} {settings.level_of(rule.code)!s:<8} {rule.summary}")
    print()
    for level, meaning in LEVEL_MEANINGS.items():
        print(f"{level!s:<8} {meaning}")
    return EXIT_OK


def _published_kb(args: argparse.Namespace, verb: str) -> tuple[KnowledgeBase, Settings]:
    """The knowledge base that the requested edition publishes, and its settings."""
    project = _project(args.config_file)
    settings = project.settings if project else Settings()
    if not args.paths and project is None:
        raise UsageError(
            "no PATH given and no mkdocs.yml here; name the files or folders "
            f"to {verb}, or pass --config-file"
        )
    settings = _with_edition(settings, args.edition)
    chosen = select(args.paths, project, settings)
    kb = published(load(chosen.wanted, settings, display_root=Path.cwd()))
    return kb, settings


def run_stats(args: argparse.Namespace) -> int:
    """The figures of the Metrics page, measured on the build date the site would use."""
    kb, settings = _published_kb(args, "measure")
    if args.since is not None and (problem := settings.dates().problem(args.since)):
        raise UsageError(f"--since {args.since.isoformat()}: {problem}")
    figures = stats.compute(kb.reports, settings.today(), args.since)
    print(STATS_FORMATS[args.format](figures))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """What the edition's site publishes, as data: the same reports, the same redactions."""
    kb, settings = _published_kb(args, "export")
    today = settings.today()
    if args.format == "ics":
        from postmortem_kb.site.calendar import action_calendar

        text = action_calendar(kb, today).decode("utf-8")
    else:
        if args.what == "incidents":
            rows, columns = export.incident_rows(kb, today), export.incident_columns(settings)
        else:
            rows, columns = export.action_rows(kb, today), export.ACTION_COLUMNS
        text = export.as_json(rows) if args.format == "json" else export.as_csv(rows, columns)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"wrote {args.output} ({settings.edition} edition)", file=sys.stderr)
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    """Create the file from any folder of the project; print its path."""
    config = args.config_file or scaffold.find_config(Path.cwd())
    if config is None or not Path(config).is_file():
        raise UsageError("no mkdocs.yml here or in any folder above; run pmkb new in the project")
    project = read_project(Path(config))
    known = project.settings.all_templates()
    if args.template is not None and args.template.strip().lower() not in known:
        raise UsageError(
            f"no template '{args.template}' is configured (known: {', '.join(sorted(known))})"
        )
    day = args.date or date.today()
    if (problem := project.settings.dates().problem(day)) is not None:
        raise UsageError(f"--date {day.isoformat()}: {problem}")
    try:
        created = scaffold.create(
            project,
            args.title,
            severity=Severity(args.severity),
            template=args.template,
            day=day,
            authors=args.author,
            report_id=args.id,
        )
    except scaffold.ScaffoldError as exc:
        print(f"pmkb: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(display_path(created.path, Path.cwd()))
    if created.source is None:
        source = " (no template file: one comment per section)"
    elif created.source.is_relative_to(scaffold.BUILT_IN_TEMPLATES):
        source = " (the built-in file)"
    else:
        source = f" (from {display_path(created.source, Path.cwd())})"
    print(
        f"{created.id}, template '{created.template}'{source}. Fill in the sections, then "
        "run 'pmkb check': until then it lists what is left to write.",
        file=sys.stderr,
    )
    return EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    """Set up the knowledge base; print each step; exit 1 when one is left to the user."""
    if args.config_file is not None:
        raise UsageError("pmkb init works on a project folder (DIR), not on --config-file")
    root: Path = args.directory
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    folder = PurePosixPath(args.folder)
    if folder.is_absolute() or ".." in folder.parts:
        raise UsageError(
            f"--folder {args.folder}: give a folder inside docs_dir, such as postmortems"
        )
    steps = bootstrap.init(
        root,
        folder=args.folder,
        templates=args.templates,
        force=args.force,
        install=args.install,
        site_name=args.site_name,
    )
    for step in steps:
        print(step)
    todo = [step for step in steps if step.needs_user]
    if todo:
        print(
            f"pmkb init: {len(todo)} step(s) left to you, listed above; nothing else was changed",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    where = display_path(root, Path.cwd())
    print(
        f"Ready: run 'pmkb new \"What failed\"' and 'mkdocs serve' in {where}; "
        "'pre-commit install' enables the hook.",
        file=sys.stderr,
    )
    return EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    project = _project(args.config_file)
    text = schema_text(project.settings if project else None)
    if args.output is None:
        print(text, end="")
        return EXIT_OK
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def run_overdue(args: argparse.Namespace) -> int:
    project = _project(args.config_file)
    if project is None:
        raise UsageError("no mkdocs.yml here; run pmkb overdue in the project, or pass -f")
    settings = project.settings
    kb = load(select([], project, settings).wanted, settings, display_root=Path.cwd())
    today = settings.today()
    base = args.link_base.rstrip("/")

    def link(tracked: overdue.Tracked) -> str:
        if not base:
            return ""
        return f"{base}/{display_path(tracked.report.path, Path.cwd())}#L{tracked.item.line}"

    items = overdue.overdue_items(kb.reports, today)
    text = overdue.FORMATS[args.format](items, today, link)
    print(text, end="" if text.endswith("\n") else "\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        commands = {"check": run_check, "rules": run_rules, "stats": run_stats}
        commands |= {"new": run_new, "schema": run_schema, "overdue": run_overdue}
        commands |= {"export": run_export, "init": run_init, "migrate": run_migrate}
        commands |= {"render": run_render}
        with collector_paused():  # a command keeps what it reads until it exits
            return commands[args.command](args)
    except (UsageError, ConfigError, SelectionError) as exc:
        print(f"pmkb: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader stopped early (`pmkb check | head`): end quietly, as Unix commands
        # do on SIGPIPE. Output still buffered would fail again at exit, so stdout is
        # pointed at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
