"""UDEF015 single-config-source: a tool configured twice reads one configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.testing import check, rows

RULE = "UDEF015"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("one-config-each", []),
        ("mypy-ini-beats-pyproject", [("pyproject.toml", 8)]),
        # An empty pytest.ini still wins: pyproject.toml and tox.ini are both ignored.
        ("empty-pytest-ini", [("pyproject.toml", 5), ("tox.ini", 7)]),
        ("monorepo-member", [("services/api/pyproject.toml", 5)]),
        (
            "setup-cfg-and-tox-ini",
            [
                (".flake8", 1),  # flake8 reads setup.cfg [flake8]
                ("pyproject.toml", 8),  # coverage reads setup.cfg [coverage:run]
                ("setup.cfg", 10),  # mypy reads [tool.mypy]; [mypy-requests.*] is its first section
                ("tox.ini", 4),  # coverage
                ("tox.ini", 7),  # flake8
                ("tox.ini", 10),  # isort reads setup.cfg [isort]
            ],
        ),
    ],
)
def test_fixture_results(case: str, expected: list[tuple[str, int]]) -> None:
    assert rows(check(RULE, fixture(RULE, case))) == [(RULE, path, line, None) for path, line in expected]


def test_the_message_names_the_configuration_read() -> None:
    [found] = check(RULE, fixture(RULE, "mypy-ini-beats-pyproject"))
    assert found.message == (
        "[tool.mypy] in pyproject.toml is ignored: mypy reads mypy.ini (mypy.ini:1). Keep one mypy "
        "configuration: merge this one into mypy.ini, or remove mypy.ini if this one should win."
    )
    assert (found.kind, found.level and found.level.value) == ("ignored-config", "warning")


def test_an_empty_pytest_ini_is_called_out() -> None:
    messages = [f.message for f in check(RULE, fixture(RULE, "empty-pytest-ini"))]
    assert messages[0].startswith(
        "[tool.pytest.ini_options] in pyproject.toml is ignored: pytest reads pytest.ini (pytest.ini:1). "
        "pytest.ini sets nothing, yet pytest stops looking there."
    )
    assert messages[1].startswith("[pytest] in tox.ini is ignored: pytest reads pytest.ini (pytest.ini:1).")


def test_a_nested_project_names_its_own_paths() -> None:
    [found] = check(RULE, fixture(RULE, "monorepo-member"))
    assert found.message.startswith(
        "[tool.ruff] in services/api/pyproject.toml is ignored: ruff reads services/api/ruff.toml "
        "(services/api/ruff.toml:1)."
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # .ruff.toml comes before ruff.toml, and the first ruff table is [tool.ruff.lint].
        (
            {".ruff.toml": "", "ruff.toml": "", "pyproject.toml": "[tool.ruff.lint]\nselect=['E']\n[tool.ruff]\n"},
            [("pyproject.toml", 1), ("ruff.toml", 1)],
        ),
        # A pyproject.toml without [tool.mypy] holds no mypy configuration.
        ({"mypy.ini": "[mypy]\n", "pyproject.toml": "[project]\nname = 'a'\n"}, []),
        # An empty .coveragerc wins; setup.cfg's empty [coverage:run] would not even count.
        ({".coveragerc": "", "setup.cfg": "[coverage:run]\nbranch = 1\n"}, [("setup.cfg", 1)]),
        ({"setup.cfg": "[coverage:run]\n", "pyproject.toml": "[tool.coverage.run]\nbranch = true\n"}, []),
        # isort skips an .isort.cfg that sets nothing.
        ({".isort.cfg": "[settings]\n", "pyproject.toml": "[tool.isort]\nprofile = 'black'\n"}, []),
        # A configuration that does not parse is a UDEF000 note, not a configuration.
        ({"mypy.ini": "strict = True\n", "setup.cfg": "[mypy]\nstrict = True\n"}, []),
        # pytest 9's pytest.toml comes first.
        ({"pytest.toml": "[pytest]\n", "pytest.ini": "[pytest]\n"}, [("pytest.ini", 1)]),
    ],
)
def test_reading_orders(tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int]]) -> None:
    tree = {"src/app/__init__.py": "", **files}
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, path, line, None) for path, line in expected]


def test_the_tools_parameter(tmp_path: Path) -> None:
    tree = {"mypy.ini": "", "pyproject.toml": "[tool.mypy]\n", "setup.cfg": "[flake8]\n", ".flake8": "[flake8]\n"}
    config = '[tool.udef-audit.rules.UDEF015]\ntools = ["flake8"]\n'
    write = {**tree, "pyproject.toml": tree["pyproject.toml"] + config}
    assert rows(check(RULE, write, tmp_path)) == [(RULE, ".flake8", 1, None)]


def test_not_applicable_without_python(tmp_path: Path) -> None:
    tree = {"README.md": "# docs\n", "tox.ini": "[flake8]\n", ".flake8": "[flake8]\n"}
    assert check(RULE, tree, tmp_path / "docs-only") == []
    with_code = {**tree, "app.py": "print(1)\n"}
    assert rows(check(RULE, with_code, tmp_path / "with-code")) == [(RULE, ".flake8", 1, None)]


def test_hostile_configurations_are_notes_never_reads_outside(tmp_path: Path) -> None:
    from udef_audit.testing import audit_tree

    outside = tmp_path / "outside.ini"
    outside.write_text("[mypy]\nstrict = True\n")
    root = tmp_path / "repo"
    tree: dict[str, str | bytes] = {
        "src/app/__init__.py": "",
        "pyproject.toml": "[project]\nname = 'a'\n[tool.mypy]\nstrict = true\n[tool.isort]\nprofile = 'black'\n",
        "setup.cfg": b"[metadata]\x00\xff binary",
        "tox.ini": "[isort]\nprofile = black\n" + "# pad\n" * 400_000,
        ".pytest.ini": "[pytest]\n" + "x = y\n" * 10,
    }
    root.mkdir()
    (root / "mypy.ini").symlink_to(outside)
    result = audit_tree(tree, root, select=(RULE, "UDEF000"))
    assert [(f.rule_id, f.path) for f in result.findings] == [("UDEF000", "setup.cfg"), ("UDEF000", "tox.ini")]
    assert "too large" in result.findings[1].message
    assert not result.notifications
