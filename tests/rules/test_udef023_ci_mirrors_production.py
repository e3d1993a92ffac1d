"""UDEF023 ci-mirrors-production: CI builds the test stage or tests on the runtime's Python."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.testing import check, rows

RULE = "UDEF023"
CI = ".github/workflows/ci.yml"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # setup-python with the matrix [3.12, 3.13]; the runtime image is python:3.11-slim.
        ("matrix-differs", [(CI, 8, 19)]),
        ("matrix-includes-runtime", []),
        ("test-stage-built", []),
        ("compose-build-target", []),
        ("job-container", [(CI, 6, 16)]),
        ("setup-python-single", [(CI, 10, 28)]),
        # python:latest says no version: unknown, no result.
        ("unknown-tag", []),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, int, int]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, line, column) for path, line, column in expected]
    assert all(f.kind == "python-differs" and f.level and f.level.value == "error" for f in found)


def test_the_message_names_both_sides() -> None:
    [found] = check(RULE, fixture(RULE, "matrix-differs"))
    assert found.message == (
        "CI tests on Python 3.12, 3.13 (setup-python python-version), never on the runtime image's Python 3.11 "
        "(python:3.11-slim, Dockerfile:10), and builds no test stage of Dockerfile: test on 3.11 too, or build "
        "and test the Dockerfile's test stage in CI (`docker build --target test .`)."
    )


def test_a_library_has_no_result(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n"
        "          python-version: '3.12'\n      - run: pytest\n",
    }
    assert check(RULE, tree, tmp_path) == []


def test_no_tests_in_ci_no_result(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        "src/app/__init__.py": "",
        "Dockerfile": "FROM python:3.11-slim\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n",
        CI: "on: [push]\njobs:\n  t:\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n"
        "          python-version: '3.12'\n      - run: ruff check .\n",
    }
    assert check(RULE, tree, tmp_path) == []


def test_through_the_cli(run_inproc) -> None:
    result = run_inproc(str(fixture(RULE, "matrix-differs")), "--select", RULE)
    assert result.code == 1
    assert f"{CI}:8:19 UDEF023 [error] CI tests on Python 3.12, 3.13" in result.stdout
