"""UDEF024 test-categories: unit, integration and performance tests, as folders or markers."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.testing import audit_tree, check, rows

RULE = "UDEF024"
PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\n'
TEST = "def test_it():\n    assert True\n"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("folders", []),
        ("markers-in-pyproject", []),
        # An empty pytest.ini wins: the markers in pyproject.toml are never read.
        ("empty-pytest-ini", [("pytest.ini", 1, "unit, integration or performance")]),
        # pytest reads pytest.ini, so the markers declared in tox.ini [pytest] do not count.
        ("tox-markers-ignored", [("pytest.ini", 1, "integration or performance")]),
        ("e2e-and-benchmarks", []),
        # src/app/integration/ is a package, not a test category.
        ("flat-tests", [("pyproject.toml", 1, "unit, integration or performance")]),
        ("no-tests", []),
        ("setup-cfg-markers", []),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, int, str]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, line, None) for path, line, _ in expected]
    for finding, (_, _, missing) in zip(found, expected, strict=True):
        assert f"have no {missing} category" in finding.message
        assert (finding.kind, finding.level and finding.level.value) == ("missing-categories", "note")


def test_message() -> None:
    [found] = check(RULE, fixture(RULE, "tox-markers-ignored"))
    assert found.message == (
        "the tests have no integration or performance category: put those tests in tests/integration/, "
        "tests/performance/, or declare the `integration`, `performance` markers in pytest.ini and mark them "
        "(`pytest -m integration`)."
    )


def test_a_nested_project_has_its_own_tests(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": PYPROJECT + '[tool.pytest.ini_options]\nmarkers = ["unit", "integration", "perf"]\n',
        "src/app/__init__.py": "",
        "tests/test_root.py": TEST,
        "services/api/pyproject.toml": PYPROJECT,
        "services/api/src/api/__init__.py": "",
        "services/api/tests/unit/test_api.py": TEST,
    }
    [found] = check(RULE, tree, tmp_path)
    assert (found.path, found.line) == ("services/api/pyproject.toml", 1)
    assert found.message.startswith(
        "the tests of services/api have no integration or performance category: put those tests in "
        "services/api/tests/integration/, services/api/tests/performance/"
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # `*_test.py` files count as tests; a top-level perf/ folder is performance.
        ({"app_test.py": TEST, "perf/run.py": ""}, "unit or integration"),
        # A category folder must be inside the test tree (here: test/).
        ({"test/unit/test_a.py": TEST, "test/integration/test_b.py": TEST, "unit/x.py": ""}, "performance"),
        ({"tests/benchmarks/test_speed.py": TEST, "tests/unit/test_a.py": TEST, "tests/e2e/test_b.py": TEST}, None),
    ],
)
def test_folders(tmp_path: Path, files: dict[str, str], expected: str | None) -> None:
    found = check(RULE, {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", **files}, tmp_path)
    assert [f"have no {expected} category" in f.message for f in found] == ([True] if expected else [])


def test_names_are_parameters(tmp_path: Path) -> None:
    settings = (
        '[tool.udef-audit.rules.UDEF024]\nunit-names = ["unit_tests"]\nintegration-names = ["functional"]\n'
        "performance-names = []\n"
    )
    tree = {
        "pyproject.toml": PYPROJECT + settings,
        "src/app/__init__.py": "",
        "tests/unit_tests/test_a.py": TEST,
        "tests/functional/test_b.py": TEST,
    }
    assert check(RULE, tree, tmp_path) == []


def test_phase_lowers_it_to_a_note_ahead_of_phase(tmp_path: Path) -> None:
    tree = {"pyproject.toml": PYPROJECT + "[tool.udef-audit]\nphase = 0\n", "tests/test_a.py": TEST}
    result = audit_tree(tree, tmp_path, select=(RULE,))
    [found] = result.findings
    assert found.ahead_of_phase and found.level is not None and found.level.value == "note"


def test_hostile_pytest_configuration_is_a_note(tmp_path: Path) -> None:
    tree = {"pytest.ini": b"\x00\x01", "pyproject.toml": PYPROJECT, "tests/test_a.py": TEST}
    result = audit_tree(tree, tmp_path, select=(RULE, "UDEF000"))
    assert [(f.rule_id, f.path, f.line) for f in result.findings] == [
        (RULE, "pyproject.toml", 1),
        ("UDEF000", "pytest.ini", 1),
    ]


def test_the_gates_read_the_missing_categories(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": PYPROJECT,
        "src/app/__init__.py": "",
        "tests/unit/test_a.py": TEST,
        "tests/performance/test_speed.py": TEST,
    }
    result = audit_tree(tree, tmp_path)
    [found] = [f for f in result.findings if f.rule_id == RULE]
    assert found.properties["udef/categories"] == ["integration"]
    assert result.gates is not None
    statuses = {item.item: item.status for phase in result.gates.phases for item in phase.items}
    assert statuses["Performance baselines established and documented"] == "pass"
    assert statuses["All integration tests passing"] == "fail"


def test_a_category_folder_holding_tests_counts_outside_tests(tmp_path: Path) -> None:
    # celery keeps its tests in t/unit, t/integration and t/benchmarks.
    tree = {
        "pyproject.toml": PYPROJECT,
        "celery/__init__.py": "",
        "t/unit/test_app.py": TEST,
        "t/integration/test_tasks.py": TEST,
        "t/benchmarks/bench_worker.py": "",
        "celery/integration/__init__.py": "",  # no tests inside: a package, not a category
    }
    assert check(RULE, tree, tmp_path / "with-benchmarks") == []  # t/benchmarks sits beside t/unit
    del tree["t/unit/test_app.py"], tree["t/integration/test_tasks.py"]
    tree["t/test_app.py"] = TEST
    [found] = check(RULE, tree, tmp_path / "flat")
    assert "have no unit, integration or performance category" in found.message
