"""The documentation says what the code does: every rule and option is documented."""

from __future__ import annotations

from pathlib import Path

from postmortem_kb import RULES, Settings

GUIDE = Path(__file__).resolve().parent.parent / "postmortems" / "guide"


def test_rules_page_lists_every_rule_with_its_name_and_level() -> None:
    page = (GUIDE / "rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        row = next((line for line in page.splitlines() if line.startswith(f"| {rule.code} ")), None)
        assert row is not None, f"{rule.code} is not in guide/rules.md"
        assert rule.name in row and str(rule.level) in row, row


def test_format_reference_documents_every_option() -> None:
    page = (GUIDE / "format.md").read_text(encoding="utf-8")
    for option in Settings.model_fields:
        assert f"`{option}`" in page, f"option {option} is not documented in guide/format.md"


def test_every_setting_is_a_plugin_option() -> None:
    """mkdocs.yml accepts exactly the options the core understands (strict builds warn
    on unknown plugin options, and pmkb rejects them)."""
    from postmortem_kb.plugin import PostmortemsConfig

    assert {name for name, _ in PostmortemsConfig._schema} == set(Settings.model_fields)


def test_the_architecture_page_names_only_modules_that_exist() -> None:
    """Every path the page names under src/postmortem_kb/ is there, and every module of
    the package's layers is named (a new module shows up on the page, or this fails)."""
    import re

    package = GUIDE.parents[1] / "src" / "postmortem_kb"
    page = (GUIDE / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:core|analysis|site|terminal)/[\w/]*(?:\.py|/)?|\w+\.py)`", page))
    for name in named:
        # A bare file name stands for the module of that name in the layer its row names.
        found = (package / name).exists() if "/" in name else any(package.rglob(name))
        assert found, f"guide/architecture.md names {name}, which is not in the package"
    layered = {
        p.relative_to(package).as_posix()
        for p in package.glob("*/**/*.py")
        if p.name != "__init__.py"
    }
    mentioned = {n for n in named if n.endswith(".py")}
    short = {n.rsplit("/", 1)[-1] for n in mentioned}
    missing = {m for m in layered if m not in mentioned and m.rsplit("/", 1)[-1] not in short}
    assert not missing, sorted(missing)
