"""UDEF012 tests-present: projects with code have test files and a conftest.py fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.findings import Level
from udef_audit.testing import audit_tree, check, rows

RULE = "UDEF012"
PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\n'
FIXTURE = "import pytest\n\n\n@pytest.fixture\ndef client():\n    return 1\n"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("tests-unit-folder", []),
        ("root-test-file", []),
        ("pytest-plugins", []),
        ("workspace-root-without-code", []),
        ("no-tests", [("pyproject.toml", "no-tests", Level.ERROR)]),
        ("monorepo-member-without-tests", [("services/api/pyproject.toml", "no-tests", Level.ERROR)]),
        ("conftest-only-hooks", [("pyproject.toml", "no-fixtures", Level.WARNING)]),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, str, Level]]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, 1, None) for path, _, _ in expected]
    assert [(f.kind, f.level) for f in found] == [(kind, level) for _, kind, level in expected]


def test_messages() -> None:
    (no_tests,) = check(RULE, fixture(RULE, "monorepo-member-without-tests"))
    assert no_tests.message == (
        "no tests: the project in services/api has Python code but no test file (`test_*.py`, `*_test.py` or a "
        "Python file under `tests/`); write the tests first, TDD is not optional."
    )
    (hooks_only,) = check(RULE, fixture(RULE, "conftest-only-hooks"))
    assert hooks_only.message == (
        "no test fixtures: the repository root project has 1 test file but tests/conftest.py defines no "
        "`@pytest.fixture` (only hooks or settings); configure shared fixtures in tests/conftest.py."
    )


@pytest.mark.parametrize(
    "tests",
    [
        {"tests/unit/test_a.py": "", "tests/conftest.py": FIXTURE},
        {"test/helpers.py": "", "test/conftest.py": FIXTURE},
        {"src/app/a_test.py": "", "conftest.py": FIXTURE},
        {"src/app/tests/check_a.py": "", "src/app/tests/conftest.py": FIXTURE},
    ],
)
def test_every_kind_of_test_file_counts(tmp_path: Path, tests: dict[str, str]) -> None:
    assert check(RULE, {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", **tests}, tmp_path) == []


@pytest.mark.parametrize(
    "conftest",
    [
        "import pytest as pt\n\n@pt.fixture(scope='session')\ndef db():\n    return 1\n",
        "from pytest import fixture as fx\n\n@fx\nasync def db():\n    return 1\n",
        "from pytest_asyncio import fixture\n\n@fixture(loop_scope='module')\nasync def db():\n    return 1\n",
        "import pytest\n\nclass Helpers:\n    @pytest.fixture\n    def db(self):\n        return 1\n",
    ],
)
def test_fixture_spellings(tmp_path: Path, conftest: str) -> None:
    tree = {"pyproject.toml": PYPROJECT, "app.py": "", "tests/test_app.py": "", "tests/conftest.py": conftest}
    assert check(RULE, tree, tmp_path) == []


@pytest.mark.parametrize(
    "conftest",
    [
        "import pytest\n\n@pytest.mark.slow\ndef helper():\n    return 1\n",
        "from somewhere import fixture\n\n@fixture\ndef db():\n    return 1\n",
        "pytest_plugins = ['pytest_django']\n",
    ],
)
def test_not_fixtures(tmp_path: Path, conftest: str) -> None:
    tree = {"pyproject.toml": PYPROJECT, "app.py": "", "tests/test_app.py": "", "tests/conftest.py": conftest}
    assert [f.kind for f in check(RULE, tree, tmp_path)] == ["no-fixtures"]


def test_a_conftest_pytest_does_not_load_for_the_tests_does_not_count(tmp_path: Path) -> None:
    tree = {"pyproject.toml": PYPROJECT, "src/app/__init__.py": "", "src/app/conftest.py": FIXTURE}
    tree["tests/test_a.py"] = ""
    (found,) = check(RULE, tree, tmp_path)
    assert found.message == (
        "no test fixtures: the repository root project has 1 test file but no conftest.py defines a "
        "`@pytest.fixture` for them; configure shared fixtures in tests/conftest.py."
    )


def test_fixtures_inside_test_modules_are_named(tmp_path: Path) -> None:
    tree = {"pyproject.toml": PYPROJECT, "app.py": "", "tests/test_a.py": FIXTURE, "tests/test_b.py": "x = 1\n"}
    (found,) = check(RULE, tree, tmp_path)
    assert "(fixtures are defined only inside test modules: tests/test_a.py)" in found.message


@pytest.mark.parametrize(
    "tree",
    [
        {"pyproject.toml": PYPROJECT},
        {"pyproject.toml": PYPROJECT, "setup.py": "", "noxfile.py": "", "scripts/x.py": "", "hooks/__init__.py": ""},
        {"README.md": "# docs only\n", "docs/conf.py": ""},
    ],
)
def test_no_code_of_its_own_needs_no_tests(tmp_path: Path, tree: dict[str, str]) -> None:
    assert check(RULE, tree, tmp_path) == []


def test_conftest_and_init_alone_are_no_tests(tmp_path: Path) -> None:
    tree = {"pyproject.toml": PYPROJECT, "app.py": "", "tests/__init__.py": "", "tests/conftest.py": FIXTURE}
    assert [f.kind for f in check(RULE, tree, tmp_path)] == ["no-tests"]


def test_code_without_a_manifest_points_at_the_readme(tmp_path: Path) -> None:
    assert rows(check(RULE, {"README.md": "# x\n", "app.py": ""}, tmp_path)) == [(RULE, "README.md", 1, None)]


def test_an_unparseable_conftest_gives_no_verdict(tmp_path: Path) -> None:
    conftest = "import pytest\n\n@pytest.fixture\ndef (:\n"
    tree = {"pyproject.toml": PYPROJECT, "app.py": "", "tests/test_a.py": "", "tests/conftest.py": conftest}
    result = audit_tree(tree, tmp_path, select=(RULE, "UDEF000"))
    assert [(f.rule_id, f.path) for f in result.findings] == [("UDEF000", "tests/conftest.py")]


def test_a_conftest_without_the_word_fixture_defines_none_whatever_its_syntax(tmp_path: Path) -> None:
    tree = {"pyproject.toml": PYPROJECT, "app.py": "", "tests/test_a.py": "", "tests/conftest.py": "def (:\n"}
    assert [f.kind for f in check(RULE, tree, tmp_path)] == ["no-fixtures"]


def test_the_test_dirs_parameter(tmp_path: Path) -> None:
    tree = {
        "pyproject.toml": PYPROJECT + '\n[tool.udef-audit.rules.UDEF012]\ntest-dirs = ["spec"]\n',
        "app.py": "",
        "spec/check_app.py": "",
        "spec/conftest.py": FIXTURE,
    }
    assert check(RULE, tree, tmp_path) == []
