"""``pmkb``: check postmortems and list the rules, from the terminal or CI.

Exit codes: 0 no errors, 1 errors found, 2 the command itself could not run
(bad arguments, unreadable ``mkdocs.yml``, a path that does not exist).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import ConfigError, Project, read_project
from .kb import display_path, find_reports, load
from .output import FORMATTERS
from .rules import RULES, Level
from .settings import Settings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


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
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")

    rules = commands.add_parser("rules", help="list every rule with its code and level")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _project(config_file: Path | None) -> Project | None:
    if config_file is not None:
        if not config_file.is_file():
            raise UsageError(f"no such config file: {config_file}")
        return read_project(config_file)
    default = Path("mkdocs.yml")
    return read_project(default) if default.is_file() else None


def _files_to_check(paths: Sequence[Path], settings: Settings) -> list[tuple[Path, str]]:
    files: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            files.extend(find_reports(path, settings))
        elif path.is_file():
            files.append((path, path.name))  # named explicitly: checked whatever its name
        else:
            raise UsageError(f"no such file or folder: {path}")
    return files


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder)


def run_check(args: argparse.Namespace) -> int:
    project = _project(args.config_file)
    settings = project.settings if project else Settings()
    if not args.paths and project is None:
        raise UsageError(
            "no PATH given and no mkdocs.yml here; name the files or folders "
            "to check, or pass --config-file"
        )
    paths = list(args.paths) or [project.reports_dir]  # type: ignore[union-attr]
    wanted = _files_to_check(paths, settings)
    # Links and duplicate ids are judged against the whole knowledge base when the
    # checked files belong to it, so checking one changed file gives the same answer.
    context: list[tuple[Path, str]] = []
    if project is not None and all(_inside(p, project.reports_dir) for p, _ in wanted):
        wanted_paths = {p.resolve() for p, _ in wanted}
        context = [
            (p, rel)
            for p, rel in find_reports(project.reports_dir, settings)
            if p.resolve() not in wanted_paths
        ]
    kb = load([*wanted, *context], settings, display_root=Path.cwd())
    shown = {display_path(p, Path.cwd()) for p, _ in wanted}
    problems = [p for p in kb.problems if p.path in shown]
    print(FORMATTERS[args.format](problems, len(wanted)))
    failing = {Level.ERROR, Level.WARNING} if args.strict else {Level.ERROR}
    return EXIT_PROBLEMS if any(p.level in failing for p in problems) else EXIT_OK


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
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"check": run_check, "rules": run_rules}[args.command](args)
    except (UsageError, ConfigError) as exc:
        print(f"pmkb: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
