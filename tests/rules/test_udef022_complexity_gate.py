"""UDEF022 complexity-gate: xenon, ruff C901 or flake8 fails on complexity above 10."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.testing import check, rows

RULE = "UDEF022"
CI = ".github/workflows/ci.yml"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("xenon-b", []),
        ("xenon-c", [(CI, 8, 24, "limit-too-high")]),
        # ruff's default selection has no C90: at the [tool.ruff] header.
        ("ruff-default", [("pyproject.toml", 5, None, "not-enforced")]),
        # C90 selected, max-complexity unset: ruff's default, 10.
        ("ruff-c90-default-limit", []),
        ("ruff-limit-12", [("pyproject.toml", 9, None, "limit-too-high")]),
        ("flake8-setup-cfg", []),
        # A pre-commit hook enforces it too (extend-select C901, default limit).
        ("precommit-ruff-hook", []),
        # No ruff configuration, no CI: the manifest.
        ("no-ci", [("pyproject.toml", 1, None, "not-enforced")]),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, int, int | None, str]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, line, column) for path, line, column, _ in expected]
    assert [finding.kind for finding in found] == [kind for *_, kind in expected]


def test_a_limit_above_ten_is_named() -> None:
    [found] = check(RULE, fixture(RULE, "xenon-c"))
    assert found.message == (
        "complexity is limited only above 10: xenon --max-absolute C (.github/workflows/ci.yml:8 runs "
        "`xenon src -b C`) lets functions reach complexity 20: lower it to 10 (xenon --max-absolute B, or "
        "`max-complexity = 10`)."
    )


def test_one_enforcer_at_ten_passes_whatever_another_says(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        "setup.cfg": "[flake8]\nmax-complexity = 15\n",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: flake8 src\n      - run: xenon -b B src\n",
    }
    assert check(RULE, tree, tmp_path) == []


def test_the_lowest_of_several_high_limits(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        "setup.cfg": "[flake8]\nmax-complexity = 15\n",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: flake8 src\n      - run: xenon -b D src\n",
    }
    [found] = check(RULE, tree, tmp_path)
    assert (found.path, found.line, found.kind) == ("setup.cfg", 2, "limit-too-high")
    assert "(the lowest of 2 limits)" in found.message


def test_ruff_ignoring_c901_does_not_enforce(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n\n[tool.ruff.lint]\nselect = ["ALL"]\n'
        'ignore = ["C901"]\n',
        "src/app/__init__.py": "",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: ruff check .\n",
    }
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "pyproject.toml", 5, None)]


def test_through_the_cli(run_inproc) -> None:
    result = run_inproc(str(fixture(RULE, "ruff-limit-12")), "--select", RULE, "--fail-on", "warning")
    assert result.code == 1
    assert "pyproject.toml:9 UDEF022 [warning] complexity is limited only above 10" in result.stdout


def test_prek_action_runs_the_hooks(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n\n[tool.ruff.lint]\nextend-select = ["C90"]\n',
        "src/app/__init__.py": "",
        ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.9\n"
        "    hooks: [{id: ruff, stages: [manual]}]\n",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - uses: j178/prek-action@v2\n",
    }
    # The hook runs only at the manual stage: the action's `prek run --all-files` runs it not.
    assert [f.kind for f in check(RULE, tree, tmp_path)] == ["not-enforced"]
    tree[".pre-commit-config.yaml"] = tree[".pre-commit-config.yaml"].replace(", stages: [manual]", "")
    assert check(RULE, tree, tmp_path / "commit-stage") == []
