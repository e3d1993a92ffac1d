"""UDEF021 coverage-gate: a threshold at the minimum (80, 95 from phase 3) and branch coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.testing import check, rows

RULE = "UDEF021"
CI = ".github/workflows/ci.yml"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("command-line", []),
        # .coveragerc: branch = True, fail_under = 85.
        ("coveragerc", []),
        # coverage reads .coveragerc first: pyproject's fail_under = 90 is never read.
        ("coveragerc-wins", [(".coveragerc", 1, None, "no-threshold")]),
        ("setup-cfg-low", [("setup.cfg", 8, None, "threshold-too-low")]),
        # No branch: at the coverage configuration's first section line.
        ("pyproject-no-branch", [("pyproject.toml", 5, None, "no-branch")]),
        # tox env: coverage run --branch, coverage report --fail-under=80.
        ("tox-ini", []),
        ("nothing", [(CI, 8, 14, "no-threshold"), (CI, 8, 14, "no-branch")]),
        ("phase-3", [(CI, 8, 40, "threshold-too-low")]),
        # pytest.ini addopts carry --cov-branch and --cov-fail-under.
        ("addopts", []),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, int, int | None, str]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, line, column) for path, line, column, _ in expected]
    assert [finding.kind for finding in found] == [kind for *_, kind in expected]


def test_low_threshold_names_both_numbers() -> None:
    [found] = check(RULE, fixture(RULE, "setup-cfg-low"))
    assert found.message == (
        "the coverage threshold is 70 %, below the minimum of 80 % (the only threshold: setup.cfg:8, `fail_under` "
        "of the coverage configuration): raise it to 80."
    )


def test_phase_3_asks_95() -> None:
    [found] = check(RULE, fixture(RULE, "phase-3"))
    assert "the coverage threshold is 90 %, below the minimum of 95 %" in found.message


def test_the_minimum_is_a_parameter(tmp_path: Path) -> None:
    config = tmp_path / "udef.toml"
    config.write_text('[tool.udef-audit.rules.UDEF021]\nminimum = 90\n')
    found = check(RULE, fixture(RULE, "coveragerc"), config_file=config)
    assert rows(found) == [(RULE, ".coveragerc", 5, None)]


def test_the_highest_threshold_wins(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n\n[tool.coverage.run]\nbranch = true\n\n'
        "[tool.coverage.report]\nfail_under = 60\n",
        "src/app/__init__.py": "",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: pytest --cov --cov-fail-under=85\n",
    }
    assert check(RULE, tree, tmp_path) == []


def test_a_file_named_by_rcfile_is_read(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        "ci/coverage.ini": "[run]\nbranch = true\n[report]\nfail_under = 75\n",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: coverage run --rcfile=ci/coverage.ini -m pytest\n",
    }
    found = check(RULE, tree, tmp_path)
    assert rows(found) == [(RULE, "ci/coverage.ini", 4, None)]
    assert found[0].kind == "threshold-too-low"


def test_through_the_cli(run_inproc) -> None:
    result = run_inproc(str(fixture(RULE, "nothing")), "--select", RULE, "--fail-on", "warning")
    assert result.code == 1
    assert f"{CI}:8:14 UDEF021 [warning] no coverage threshold" in result.stdout
    assert f"{CI}:8:14 UDEF021 [warning] no branch coverage" in result.stdout


def test_a_threshold_passed_to_a_script_that_passes_it_on(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        "scripts/test.sh": '#!/bin/sh\nset -e\npytest tests "$@"\n',
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: bash scripts/test.sh --cov --cov-fail-under=70\n",
    }
    found = check(RULE, tree, tmp_path)
    # The threshold reaches pytest through the script's "$@" (line 3, column 14).
    assert rows(found) == [(RULE, "scripts/test.sh", 3, 1), (RULE, "scripts/test.sh", 3, 14)]
    assert "runs `pytest tests --cov --cov-fail-under=70`" in found[1].message
    assert [f.kind for f in found] == ["no-branch", "threshold-too-low"]
