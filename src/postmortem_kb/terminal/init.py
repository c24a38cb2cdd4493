"""``pmkb init``: a knowledge base in an MkDocs project, new or existing, in one command.

It adds the plugin to ``mkdocs.yml`` only when the edit is provably safe (the file, read
back, means what it meant plus the change; comments and order untouched), and otherwise
prints the lines to add and changes nothing. It creates the reports folder, copies the
built-in templates when asked, and writes the pull-request, Pages and weekly-overdue
workflows and a pre-commit configuration for the project's own ``docs_dir`` and reports
folder, from the files in ``project_files/`` (this repository's workflows are made from
the same files). It never overwrites a file that differs without ``force``, and every
step says what it did.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from postmortem_kb import __version__
from postmortem_kb.core.config import (
    PLUGIN_NAME,
    ConfigError,
    plugin_options,
    read_yaml,
    settings_from_options,
)
from postmortem_kb.core.escape import markdown_text
from postmortem_kb.core.settings import Settings
from postmortem_kb.terminal.scaffold import BUILT_IN_TEMPLATES, CONFIG_NAMES, render

PROJECT_FILES = Path(__file__).parent / "project_files"
WORKFLOWS = ("postmortems.yml", "publish.yml", "overdue.yml")
"""The GitHub workflows ``pmkb init`` writes under ``.github/workflows/``."""
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
DEFAULT_FOLDER = "postmortems"
FONT_ADVICE = "font: false   # under theme: no web-font requests (fonts.googleapis.com)"


def default_install() -> str:
    """How the workflows install the package: the version running now, from the index."""
    return f'pip install "postmortem-kb=={__version__}"'


class Action(Enum):
    WROTE = "wrote"
    EDITED = "edited"
    OVERWROTE = "overwrote"
    UNCHANGED = "unchanged"
    KEPT = "kept"
    """An existing file that differs, left alone: the user decides (``--force``)."""
    ADVICE = "to do"
    """A change the user must make by hand; the detail says exactly what."""
    NOTE = "note"
    """Worth knowing, nothing to do for the knowledge base to work."""


@dataclass(frozen=True, slots=True)
class Step:
    path: str
    """Relative to the project folder, with '/' separators."""
    action: Action
    detail: str = ""

    @property
    def needs_user(self) -> bool:
        return self.action in (Action.KEPT, Action.ADVICE)

    def __str__(self) -> str:
        return f"{self.action.value:<9} {self.path}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a project keeps things, as its mkdocs.yml says."""

    docs_dir: str
    """Relative to the project folder, with '/' separators."""
    settings: Settings
    custom_dir: str | None = None
    site_name: str = "this site"

    @property
    def reports_dir(self) -> str:
        return _join(self.docs_dir, self.settings.folder)


def _join(*parts: str) -> str:
    path = PurePosixPath(*(p for p in parts if p not in ("", ".")))
    return path.as_posix() if path.parts else "."


# --- rendering the project files ---------------------------------------------------------


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML value: as written when YAML reads it back the same, else quoted."""
    try:
        if yaml.safe_load(f"key: {text}") == {"key": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def project_file(name: str, values: dict[str, str]) -> str:
    """A file of ``project_files/`` with its ``{{placeholders}}`` filled in."""
    text = render((PROJECT_FILES / name).read_text(encoding="utf-8"), values)
    left = re.findall(r"(?<!\$)\{\{\s*\w+\s*\}\}", text)
    assert not left, f"{name}: no value for {left}"  # GitHub's ${{ }} stay as written
    return text


def workflow_paths(layout: Layout, more: Iterable[str] = ()) -> list[str]:
    """What a pull request must touch for the check workflow to run."""
    paths = [f"{layout.docs_dir}/**" if layout.docs_dir != "." else "**/*.md", "mkdocs.yml"]
    if layout.custom_dir:
        paths.append(f"{layout.custom_dir}/**")
    return [*paths, *more, ".github/workflows/postmortems.yml"]


def workflows(layout: Layout, install: str, more_paths: Iterable[str] = ()) -> dict[str, str]:
    """The three workflows for ``layout``, by file name."""
    paths = workflow_paths(layout, more_paths)
    values = {
        "install": yaml_scalar(install),
        "paths": "\n".join(f"      - {json.dumps(path)}" for path in paths),
    }
    return {name: project_file(name, values) for name in WORKFLOWS}


def hook_files(layout: Layout) -> str:
    """The pre-commit ``files`` pattern: the Markdown files of the reports folder."""
    folder = layout.reports_dir
    prefix = "" if folder == "." else re.escape(folder) + "/"
    return f"^{prefix}.*\\.(md|markdown)$"


def pre_commit_config(layout: Layout) -> str:
    return project_file(PRE_COMMIT_CONFIG.lstrip("."), {"files": json.dumps(hook_files(layout))})


# --- editing mkdocs.yml safely -----------------------------------------------------------

_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:(?P<rest>.*)$")


@dataclass(frozen=True, slots=True)
class _Block:
    """A top-level key of a YAML file and the lines of its block value."""

    start: int
    """Index of the key's line."""
    end: int
    """Index after the block's last line that holds content."""
    rest: str
    """What follows the colon on the key's line (a value in flow style, or a comment)."""
    indent: int | None
    """Indentation of the block's first content line (None when the block is empty)."""
    item: bool
    """Whether that line is a sequence item ('- ...')."""


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _top_block(lines: list[str], key: str) -> _Block | None:
    """The block of top-level ``key``, or None when the key is not there (or twice)."""
    found = [i for i, line in enumerate(lines) if (m := _TOP_KEY.match(line)) and m["key"] == key]
    if len(found) != 1:
        return None
    start = found[0]
    rest = _TOP_KEY.match(lines[start])["rest"]  # type: ignore[index]
    end, indent, item = start + 1, None, False
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if not _content(line):
            continue
        width = len(line) - len(line.lstrip(" "))
        is_item = line.lstrip(" ").startswith("- ") or line.strip() == "-"
        if width == 0 and not is_item:
            break  # the next top-level key
        if indent is None:
            indent, item = width, is_item
        elif width < indent or (width == indent and item and not is_item):
            break
        end = index + 1
    return _Block(start, end, rest, indent, item)


def _checked(
    old_text: str, new_text: str, expect: Callable[[dict[str, Any]], dict[str, Any]]
) -> str | None:
    """``new_text`` when YAML reads it as ``expect`` makes of what ``old_text`` says."""
    try:
        before, after = read_yaml(old_text), read_yaml(new_text)
    except yaml.YAMLError:
        return None
    if not isinstance(before, dict) or after != expect(copy.deepcopy(before)):
        return None
    return new_text


def plugin_entry(folder: str) -> list[str]:
    """The plugin's entry as sequence-item lines (indented by the caller)."""
    if folder == ".":
        return [f"- {PLUGIN_NAME}"]
    return [f"- {PLUGIN_NAME}:", f"    folder: {yaml_scalar(folder)}"]


def plugins_snippet(folder: str, with_search: bool) -> str:
    lines = ["plugins:", *(["  - search"] if with_search else [])]
    lines += [f"  {line}" for line in plugin_entry(folder)]
    return "\n".join(lines)


def add_plugin(text: str, folder: str) -> str | None:
    """``text`` with the plugin added to ``plugins``, or None when no edit is safe."""
    lines = text.split("\n")
    eol = "\r" if lines[0].endswith("\r") else ""  # a file with CRLF line ends keeps them
    block = _top_block(lines, "plugins")
    options = None if folder == "." else {"folder": folder}

    def expect(data: dict[str, Any]) -> dict[str, Any]:
        plugins = data.get("plugins")
        if plugins is None:
            data["plugins"] = ["search", {PLUGIN_NAME: options} if options else PLUGIN_NAME]
        elif isinstance(plugins, list):
            plugins.append({PLUGIN_NAME: options} if options else PLUGIN_NAME)
        else:
            plugins[PLUGIN_NAME] = options or {}
        return data

    if block is None:
        if any((m := _TOP_KEY.match(line)) and m["key"] == "plugins" for line in lines):
            return None  # written twice: YAML keeps one, and an edit could change which
        # MkDocs' default plugins are [search]; listing plugins replaces them.
        addition = plugins_snippet(folder, with_search=True).replace("\n", eol + "\n")
        end = "" if text.endswith("\n") or not text else eol + "\n"
        new = text + end + addition + eol + "\n"
        return _checked(text, new, expect)
    if block.rest.split("#", 1)[0].strip() or block.indent is None:
        return None  # flow style, an alias or a tag on the key's line: left to the user
    pad = " " * block.indent
    if block.item:
        entry = [pad + line for line in plugin_entry(folder)]
    else:  # plugins as a mapping of names to options
        entry = [f"{pad}{PLUGIN_NAME}:" + ("" if options else " {}")]
        if options:
            entry.append(f"{pad}  folder: {yaml_scalar(folder)}")
    new_lines = lines[: block.end] + [line + eol for line in entry] + lines[block.end :]
    return _checked(text, "\n".join(new_lines), expect)


def set_font_off(text: str) -> str | None:
    """``text`` with ``font: false`` under ``theme``, or None when no edit is safe."""
    lines = text.split("\n")
    eol = "\r" if lines[0].endswith("\r") else ""
    block = _top_block(lines, "theme")
    if block is None:
        return None

    def expect(data: dict[str, Any]) -> dict[str, Any]:
        theme = data["theme"]
        data["theme"] = {"name": theme, "font": False} if isinstance(theme, str) else theme
        data["theme"]["font"] = False
        return data

    value, _, comment = block.rest.partition("#")
    if value.strip():  # theme: material
        if block.indent is not None:
            return None
        name_line = f"  name: {value.strip()}" + (f"  #{comment.rstrip()}" if comment else "")
        added = ["theme:", name_line, "  font: false"]
        new_lines = [*lines[: block.start], *(line + eol for line in added)]
        new_lines += lines[block.start + 1 :]
    elif block.indent is None or block.item:
        return None
    else:
        font = " " * block.indent + "font: false  # no web-font requests (pmkb init)" + eol
        new_lines = [*lines[: block.start + 1], font, *lines[block.start + 1 :]]
    return _checked(text, "\n".join(new_lines), expect)


# --- the steps -------------------------------------------------------------------------


def _write(root: Path, rel: str, text: str, force: bool, page: bool = False) -> Step:
    """Write a file unless it exists with other content (then only with ``force``).

    A ``page`` (a home or folder page) that exists is the project's own: never replaced.
    """
    path = root / rel
    if path.is_file():
        current = path.read_text(encoding="utf-8", errors="replace")
        if current == text:
            return Step(rel, Action.UNCHANGED)
        if page:
            return Step(rel, Action.UNCHANGED, "exists")
        if not force:
            return Step(rel, Action.KEPT, "exists and differs; --force overwrites it")
        path.write_text(text, encoding="utf-8", newline="\n")
        return Step(rel, Action.OVERWROTE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return Step(rel, Action.WROTE)


def _config_file(root: Path) -> Path | None:
    return next((root / name for name in CONFIG_NAMES if (root / name).is_file()), None)


def _layout(data: dict[str, Any], folder: str, where: str) -> Layout:
    options = plugin_options(data.get("plugins")) or {}
    settings = settings_from_options({"folder": folder, **options}, where)
    theme = data.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    docs_dir = PurePosixPath(str(data.get("docs_dir") or "docs")).as_posix()
    name = str(data.get("site_name") or "this site")
    return Layout(docs_dir, settings, str(custom_dir) if custom_dir else None, name)


def _configure(root: Path, folder: str, site_name: str | None) -> tuple[list[Step], Layout]:
    """Create mkdocs.yml, or add the plugin and ``font: false`` to the one there."""
    config = _config_file(root)
    if config is None:
        name = site_name or root.resolve().name.replace("-", " ").replace("_", " ").title()
        values = {"site_name": yaml_scalar(name), "folder": yaml_scalar(folder)}
        text = project_file("mkdocs.yml", values)
        (root / "mkdocs.yml").write_text(text, encoding="utf-8", newline="\n")
        wrote = Step("mkdocs.yml", Action.WROTE, "a new MkDocs project with Material")
        home = _write(root, "docs/index.md", f"# {markdown_text(name)}\n", False, page=True)
        return [wrote, home], _layout(read_yaml(text), folder, "mkdocs.yml")
    rel = config.name
    try:
        text = config.read_bytes().decode("utf-8")  # as written: CRLF line ends stay
        data = read_yaml(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{config}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{config}: expected a mapping of MkDocs settings")
    steps: list[Step] = []
    if "INHERIT" in data:  # what it inherits decides: the two files are the user's to edit
        snippet = plugins_snippet(folder, with_search=True)
        detail = f"it inherits another file (INHERIT), not edited; the site needs\n{snippet}"
        detail += f"\nand under theme: {FONT_ADVICE}"
        return [Step(rel, Action.ADVICE, detail)], _layout(data, folder, str(config))
    if plugin_options(data.get("plugins")) is not None:
        steps.append(Step(rel, Action.UNCHANGED, f"already uses the {PLUGIN_NAME} plugin"))
    else:
        edited = add_plugin(text, folder)
        if edited is None:
            with_search = data.get("plugins") is None
            snippet = plugins_snippet(folder, with_search)
            detail = f"cannot be edited safely; add the plugin to its plugins:\n{snippet}"
            steps.append(Step(rel, Action.ADVICE, detail))
        else:
            text = edited
            config.write_text(text, encoding="utf-8", newline="")
            steps.append(Step(rel, Action.EDITED, f"added the {PLUGIN_NAME} plugin"))
    steps += _font(config, text, rel)
    layout = _layout(read_yaml(text), folder, str(config))
    if data.get("nav"):
        steps.append(Step(rel, Action.NOTE, _nav_note(layout)))
    return steps, layout


def _nav_note(layout: Layout) -> str:
    """An explicit nav lists only what it names: the knowledge base's pages, for example."""
    pages = layout.settings.pages_dir.strip("/")
    entries = (
        [f"{_join(layout.settings.folder, 'index.md')}"] if layout.settings.folder != "." else []
    )
    entries += [f"{pages}/index.md", f"Search incidents: {pages}/search.md"]
    lines = "\n".join(f"      - {entry}" for entry in entries)
    return (
        f"its nav lists pages by hand; to list the knowledge base, add\n  - Postmortems:\n{lines}"
    )


def _font(config: Path, text: str, rel: str) -> list[Step]:
    """``theme.font: false``: Material's default loads fonts from Google on every page."""
    data = read_yaml(text)
    theme = data.get("theme")
    name = theme.get("name") if isinstance(theme, dict) else theme
    if name != "material":
        advice = "the plugin's pages are made for Material: theme: {name: material, font: false}"
        return [Step(rel, Action.ADVICE, advice)]
    if isinstance(theme, dict) and theme.get("font") is False:
        return []
    if isinstance(theme, dict) and "font" in theme:
        return [Step(rel, Action.ADVICE, f"theme.font loads web fonts; set {FONT_ADVICE}")]
    edited = set_font_off(text)
    if edited is None:
        return [Step(rel, Action.ADVICE, f"cannot be edited safely; add {FONT_ADVICE}")]
    config.write_text(edited, encoding="utf-8", newline="")
    return [Step(rel, Action.EDITED, "set theme.font: false (no web-font requests)")]


def init(
    root: Path,
    *,
    folder: str = DEFAULT_FOLDER,
    templates: bool = False,
    force: bool = False,
    install: str | None = None,
    site_name: str | None = None,
) -> list[Step]:
    """Set up the knowledge base in the project at ``root``; returns what was done."""
    root.mkdir(parents=True, exist_ok=True)
    steps, layout = _configure(root, folder, site_name)
    reports = root / layout.reports_dir
    pages = layout.settings.pages_dir.strip("/")
    if (root / layout.docs_dir / pages).exists():
        detail = "the plugin generates pages there; set its pages_dir option to another folder"
        steps.append(Step(_join(layout.docs_dir, pages), Action.ADVICE, detail))
    if layout.reports_dir != layout.docs_dir:
        up = "../" * len(PurePosixPath(layout.settings.folder).parts)
        values = {"site_name": markdown_text(layout.site_name), "pages": f"{up}{pages}"}
        index = project_file("reports-index.md", values)
        steps.append(_write(root, _join(layout.reports_dir, "index.md"), index, False, page=True))
    else:
        reports.mkdir(parents=True, exist_ok=True)
    if templates:
        for source in sorted(BUILT_IN_TEMPLATES.glob("*.md")):
            rel = _join(layout.reports_dir, layout.settings.template_dir, source.name)
            steps.append(_write(root, rel, source.read_text(encoding="utf-8"), force))
    for name, text in workflows(layout, install or default_install()).items():
        steps.append(_write(root, f".github/workflows/{name}", text, force))
    steps.append(_pre_commit(root, layout, force))
    return steps


def _pre_commit(root: Path, layout: Layout, force: bool) -> Step:
    path = root / PRE_COMMIT_CONFIG
    text = pre_commit_config(layout)
    if path.is_file() and not force and "pmkb-check" not in path.read_text(encoding="utf-8"):
        hook = text[text.index("  - repo: local") :].rstrip()
        detail = f"exists; add this hook under its repos:\n{hook}"
        return Step(PRE_COMMIT_CONFIG, Action.ADVICE, detail)
    if path.is_file() and not force:
        return Step(PRE_COMMIT_CONFIG, Action.UNCHANGED, "already has the pmkb-check hook")
    return _write(root, PRE_COMMIT_CONFIG, text, force)
