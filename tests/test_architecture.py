"""The design holds: imports only point down, no cycles, and no class grows past a screenful.

The layers are import-linter contracts in pyproject.toml (``[tool.importlinter]``):
the adapters (``plugin``, ``cli``) on top, then ``site`` and ``terminal``, then
``analysis``, then ``core``, and within the core the knowledge base over reading,
over the checks, over the report data.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "postmortem_kb"
MAX_CLASS_LINES = 250


def lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """import-linter on the contracts in pyproject.toml, from the test environment."""
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "lint-imports"),
            "--config",
            str(ROOT / "pyproject.toml"),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_imports_point_down_and_never_go_round() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_a_layer_that_imports_upwards_breaks_the_contract(tmp_path: Path) -> None:
    """The contract can fail: a copy of the package whose core imports the plugin."""
    copy = tmp_path / "src"
    subprocess.run(["cp", "-r", str(PACKAGE.parent), str(copy)], check=True)
    (copy / "postmortem_kb" / "core" / "slugs.py").open("a").write(
        "\nfrom postmortem_kb import plugin  # noqa\n"
    )
    result = lint_imports(tmp_path, {"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "postmortem_kb.core.slugs -> postmortem_kb.plugin" in result.stdout


def classes() -> list[tuple[str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                found.append((f"{path.relative_to(PACKAGE)}:{node.name}", lines))
    return found


def test_no_class_is_longer_than_a_screenful_or_two() -> None:
    found = classes()
    assert any(name.endswith(":PostmortemsPlugin") for name, _ in found)
    too_long = [(name, lines) for name, lines in found if lines > MAX_CLASS_LINES]
    assert not too_long, too_long
