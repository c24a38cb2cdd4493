"""Reading the plugin's settings from ``mkdocs.yml`` without importing MkDocs.

``pmkb`` must check reports with exactly the options the site build uses, on a
machine or in a hook where only this package is wanted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from postmortem_kb.core.edition import EditionError, resolve_edition
from postmortem_kb.core.settings import Settings, epoch_date

PLUGIN_NAME = "postmortems"


class ConfigError(Exception):
    """``mkdocs.yml`` or the plugin's options in it cannot be used."""


@dataclass(frozen=True, slots=True)
class Project:
    config_file: Path | None
    docs_dir: Path
    settings: Settings
    exclude_docs: str | None = None
    """MkDocs' ``exclude_docs`` (gitignore patterns): files the site leaves out."""

    @property
    def reports_dir(self) -> Path:
        return (self.docs_dir / self.settings.folder).resolve()


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml files that use MkDocs' or Python-Markdown's custom tags."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        values = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = values[:-1], values[-1]
    return next((os.environ[name] for name in names if name in os.environ), default)


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_TolerantLoader.add_constructor("!ENV", _env)
_TolerantLoader.add_multi_constructor("", _any_tag)


def read_yaml(text: str) -> Any:
    """What MkDocs makes of an mkdocs.yml's text, without MkDocs: custom tags read as
    plain values (``!ENV`` as the variable's value); raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_TolerantLoader)


def plugin_options(plugins: object) -> dict[str, Any] | None:
    """The options given to the ``postmortems`` plugin, or None when it is not listed."""
    entries: list[tuple[str, Any]] = []
    if isinstance(plugins, dict):
        entries = list(plugins.items())
    elif isinstance(plugins, list):
        for item in plugins:
            if isinstance(item, str):
                entries.append((item, None))
            elif isinstance(item, dict) and len(item) == 1:
                entries.extend(item.items())
    for name, options in entries:
        if name == PLUGIN_NAME:
            return dict(options or {})
    return None


def settings_from_options(
    options: dict[str, Any], where: str, environ: Mapping[str, str] | None = None
) -> Settings:
    """The plugin's settings, with the edition the ``PMKB_EDITION`` variable asks for.

    The site build and ``pmkb`` both come through here, so both honour the variable.
    """
    try:
        settings = Settings.model_validate({k: v for k, v in options.items() if v is not None})
    except ValidationError as exc:
        lines = [f"{where}: invalid options for the '{PLUGIN_NAME}' plugin:"]
        for error in exc.errors():
            loc = ".".join(str(part) for part in error["loc"])
            lines.append(f"  {loc}: {error['msg']}")
        raise ConfigError("\n".join(lines)) from None
    variables = os.environ if environ is None else environ
    try:
        edition = resolve_edition(settings.edition, variables)
    except EditionError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    epoch = variables.get("SOURCE_DATE_EPOCH", "").strip()
    if settings.build_date is None and epoch.isdigit():
        try:
            day = epoch_date(epoch)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        if (problem := settings.dates().problem(day)) is not None:
            raise ConfigError(f"{where}: SOURCE_DATE_EPOCH={epoch} is {day}: {problem}")
    return settings.model_copy(update={"edition": edition.value})


def read_project(config_file: Path) -> Project:
    try:
        data = read_yaml(config_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_file}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file}: expected a mapping of MkDocs settings")
    options = plugin_options(data.get("plugins")) or {}
    docs_dir = config_file.parent / str(data.get("docs_dir") or "docs")
    exclude_docs = data.get("exclude_docs")
    return Project(
        config_file,
        docs_dir.resolve(),
        settings_from_options(options, str(config_file)),
        exclude_docs if isinstance(exclude_docs, str) else None,
    )
