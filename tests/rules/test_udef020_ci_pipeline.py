"""UDEF020 ci-pipeline: ruff check, mypy --strict and the tests under coverage, in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.testing import check, rows

RULE = "UDEF020"
CI = ".github/workflows/ci.yml"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("methodology", []),
        ("no-ci", [("README.md", 1, None, "no-ci")]),
        # A Makefile target calling a script calling pytest: the result is at the pytest line.
        (
            "make-script-pytest",
            [(CI, 1, None, "no-lint"), (CI, 1, None, "no-type-check"), ("scripts/test.sh", 3, 1, "no-coverage")],
        ),
        # strict = true in [tool.mypy]: `mypy src` is strict; `coverage run` measures.
        ("mypy-config-strict", []),
        # lint.yml runs mypy, tests.yml runs the tests: both are read, tests.yml is the main file.
        ("mypy-ini-not-strict", [(".github/workflows/lint.yml", 9, 14, "mypy-not-strict")]),
        # tox envs followed: the lint env lints and type checks, the test env runs pytest bare.
        ("tox-envs", [("tox.ini", 5, 12, "no-coverage")]),
        # `tox -e ${{ matrix.env }}`: each matrix value is followed.
        ("matrix-tox", []),
        # pre-commit/action runs the hooks: ruff and a mypy hook with --strict.
        ("precommit-mypy-strict", []),
        ("ruff-format-only", [(CI, 1, None, "no-lint")]),
        # A GitLab local include is followed.
        ("gitlab-include", []),
        (
            "reusable-remote",
            [(CI, 1, None, "no-lint"), (CI, 1, None, "no-type-check"), (CI, 1, None, "no-tests")],
        ),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, int, int | None, str]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, line, column) for path, line, column, _ in expected]
    assert [finding.kind for finding in found] == [kind for *_, kind in expected]


def test_no_ci_is_an_error_the_others_warnings() -> None:
    [no_ci] = check(RULE, fixture(RULE, "no-ci"))
    assert no_ci.level is not None and no_ci.level.value == "error"
    levels = {f.level.value if f.level else "warning" for f in check(RULE, fixture(RULE, "make-script-pytest"))}
    assert levels == {"warning"}


def test_the_message_says_how_the_test_command_was_reached() -> None:
    *_, coverage = check(RULE, fixture(RULE, "make-script-pytest"))
    assert coverage.message == (
        "the tests run without coverage: .github/workflows/ci.yml:8 runs `make test`, Makefile:2 runs "
        "`sh scripts/test.sh`, scripts/test.sh:3 runs `pytest -q tests` (no `--cov`, no `coverage run`): run them "
        "under coverage, `pytest --cov --cov-branch` or `coverage run --branch -m pytest`."
    )


def test_a_reusable_workflow_of_another_repository_is_said_unfollowed() -> None:
    lint, *_ = check(RULE, fixture(RULE, "reusable-remote"))
    assert lint.message.startswith(
        ".github/workflows/ci.yml: CI runs no `ruff check` (not followed: .github/workflows/ci.yml:5 "
        "`uses: example/shared-workflows/.github/workflows/python.yml@v1`, a reusable workflow from another "
        "repository): "
    )


def test_mypy_not_strict_names_the_configuration() -> None:
    [found] = check(RULE, fixture(RULE, "mypy-ini-not-strict"))
    assert "(the mypy configuration it reads, mypy.ini, does not set `strict = true`)" in found.message


def test_ruff_format_alone_is_no_lint() -> None:
    [found] = check(RULE, fixture(RULE, "ruff-format-only"))
    assert "(`ruff format` alone formats, it does not lint)" in found.message


def test_pytest_addopts_with_cov_measure_coverage(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n\n[tool.pytest.ini_options]\naddopts = "--cov"\n',
        "src/app/__init__.py": "",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: ruff check .\n      - run: mypy --strict src\n"
        "      - run: pytest\n",
    }
    assert check(RULE, tree, tmp_path) == []


def test_no_cov_in_the_command_turns_addopts_off(tmp_path: Path) -> None:
    tree = {
        "pytest.ini": "[pytest]\naddopts = --cov\n",
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: ruff check .\n      - run: mypy --strict src\n"
        "      - run: pytest --no-cov\n",
    }
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, CI, 7, 14)]


def test_through_the_cli(run_inproc) -> None:
    result = run_inproc(str(fixture(RULE, "mypy-ini-not-strict")), "--select", RULE, "--fail-on", "warning")
    assert result.code == 1
    assert ".github/workflows/lint.yml:9:14 UDEF020 [warning] mypy runs without strict mode" in result.stdout


def test_cov_passed_to_a_script_that_passes_it_on(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        "scripts/test.sh": "#!/bin/sh\npytest -n auto tests ${@}\n",
        "scripts/test-cov.sh": "#!/bin/sh\nbash scripts/test.sh --cov --cov-context=test ${@}\n",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: ruff check .\n      - run: mypy --strict src\n"
        "      - run: bash scripts/test-cov.sh\n",
    }
    assert check(RULE, tree, tmp_path) == []
    tree["scripts/test-cov.sh"] = "#!/bin/sh\nbash scripts/test.sh ${@}\n"
    assert rows(check(RULE, tree, tmp_path / "plain")) == [(RULE, "scripts/test.sh", 2, 1)]


def test_the_main_ci_file_is_the_test_suite_not_a_docs_workflow_running_pytest(tmp_path: Path) -> None:
    steps = "on: [push]\njobs:\n  t:\n    steps:\n      - run: {}\n"
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        ".github/workflows/docs-build.yml": steps.format("pytest docs"),
        ".github/workflows/test.yml": steps.format("pytest tests"),
        ".circleci/config.yml": "version: 2.1\njobs:\n  lint:\n    steps:\n      - run: echo\n",
    }
    found = check(RULE, tree, tmp_path)
    # CircleCI runs no tests: the main CI file is test.yml, not docs-build.yml (path order),
    # and the tests without coverage are reported at its command.
    assert rows(found) == [
        (RULE, ".github/workflows/test.yml", 1, None),
        (RULE, ".github/workflows/test.yml", 1, None),
        (RULE, ".github/workflows/test.yml", 5, 14),
    ]
    assert [f.kind for f in found] == ["no-lint", "no-type-check", "no-coverage"]
    assert "1 more test command runs without coverage" in found[2].message


def test_mypy_version_is_not_a_type_check(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: ruff check .\n      - run: mypy --version\n"
        "      - run: pytest --cov\n",
    }
    found = check(RULE, tree, tmp_path)
    assert [(f.path, f.line, f.kind) for f in found] == [(CI, 1, "no-type-check")]


def test_mypy_in_a_folder_the_repository_does_not_hold_is_unknown(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        "tests/generate.sh": "cookiecutter . --no-input\ncd build/generated\nmypy project\n",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - run: ruff check .\n      - run: sh tests/generate.sh\n"
        "      - run: pytest --cov\n",
    }
    assert check(RULE, tree, tmp_path) == []
