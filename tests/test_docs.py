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
