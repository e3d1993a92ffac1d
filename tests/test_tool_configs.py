"""The tool configurations a folder's tools read (tool_configs.py, through the context)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

from udef_audit.context import RepoContext
from udef_audit.inventory import build_inventory
from udef_audit.tool_configs import is_true


def _context(root: Path, files: dict[str, str | bytes]) -> RepoContext:
    write_tree(root, files)
    return RepoContext(build_inventory(root, lambda _: False))


def _found(ctx: RepoContext, tool: str, folder: str = "") -> list[tuple[str, str, int]]:
    return [(c.path, c.section, c.line) for c in ctx.tool_configs(folder, tool).found]


PYPROJECT = """\
[project]
name = "demo"

[tool.pytest.ini_options]
markers = ["unit: fast"]

[tool.ruff.lint]
select = ["FIX"]

[tool.ruff]
line-length = 100

[tool.mypy]
strict = true

[tool.coverage.run]
branch = true

[tool.isort]
profile = "black"
"""


def test_an_empty_pytest_ini_wins_over_everything_else(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        {"pytest.ini": "", "pyproject.toml": PYPROJECT, "tox.ini": "[tox]\n\n[pytest]\nmarkers = slow\n"},
    )
    configs = ctx.tool_configs("", "pytest")
    assert _found(ctx, "pytest") == [
        ("pytest.ini", "", 1),
        ("pyproject.toml", "[tool.pytest.ini_options]", 4),
        ("tox.ini", "[pytest]", 3),
    ]
    assert configs.read is not None and configs.read.settings == {}
    assert [c.label for c in configs.ignored] == ["[tool.pytest.ini_options] in pyproject.toml", "[pytest] in tox.ini"]


def test_pytest_reads_the_first_shared_file_with_its_section(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\n",
            "tox.ini": "[tox]\nenvlist = py\n",
            "setup.cfg": "[metadata]\nname = x\n[tool:pytest]\nmarkers =\n  unit: fast\n  integration\n",
        },
    )
    assert _found(ctx, "pytest") == [("setup.cfg", "[tool:pytest]", 3)]
    assert ctx.tool_configs("", "pytest").read.settings == {"markers": "\nunit: fast\nintegration"}  # type: ignore[union-attr]


def test_pytest_9_native_table_and_pytest_toml(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        {".pytest.toml": "[pytest]\naddopts = ['-ra']\n", "pyproject.toml": "[tool.pytest]\nminversion = '9.0'\n"},
    )
    assert _found(ctx, "pytest") == [(".pytest.toml", "", 1), ("pyproject.toml", "[tool.pytest]", 1)]
    assert ctx.tool_configs("", "pytest").read.settings == {"addopts": ["-ra"]}  # type: ignore[union-attr]


def test_mypy_ini_without_a_mypy_section_still_wins(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        {
            "mypy.ini": "[mypy-requests.*]\nignore_missing_imports = True\n",
            "pyproject.toml": PYPROJECT,
            "setup.cfg": "[metadata]\nname = x\n[mypy-pkg.*]\nstrict = False\n[mypy]\nstrict = True\n",
        },
    )
    assert _found(ctx, "mypy") == [
        ("mypy.ini", "", 1),
        ("pyproject.toml", "[tool.mypy]", 13),
        ("setup.cfg", "[mypy]", 3),
    ]
    assert ctx.tool_configs("", "mypy").read.settings == {}  # type: ignore[union-attr]


def test_mypy_strict_through_setup_cfg(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"setup.cfg": "[mypy]\nstrict = True\n", "pyproject.toml": "[project]\nname='x'\n"})
    read = ctx.tool_configs("", "mypy").read
    assert read is not None and read.path == "setup.cfg" and is_true(read.settings["strict"])


def test_setup_cfg_mypy_sections_without_the_global_one_are_not_read(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"setup.cfg": "[mypy-pkg.*]\nstrict = True\n"})
    assert _found(ctx, "mypy") == []


def test_ruff_files_and_the_first_ruff_table(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"ruff.toml": "", ".ruff.toml": "line-length = 90\n", "pyproject.toml": PYPROJECT})
    assert _found(ctx, "ruff") == [(".ruff.toml", "", 1), ("ruff.toml", "", 1), ("pyproject.toml", "[tool.ruff]", 7)]
    pyproject = ctx.tool_configs("", "ruff").found[2]
    assert pyproject.settings == {"lint": {"select": ["FIX"]}, "line-length": 100}


def test_coverage_reads_coveragerc_even_empty_then_files_with_settings(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        {
            ".coveragerc": "# nothing\n",
            "setup.cfg": "[metadata]\nname = x\n[coverage:report]\n[coverage:run]\nbranch = True\n",
            "tox.ini": "[coverage:run]\n",
            "pyproject.toml": PYPROJECT,
        },
    )
    assert _found(ctx, "coverage") == [
        (".coveragerc", "", 1),
        ("setup.cfg", "[coverage:report]", 3),
        ("pyproject.toml", "[tool.coverage]", 16),
    ]
    assert ctx.tool_configs("", "coverage").found[1].settings == {"report": {}, "run": {"branch": "True"}}


def test_coveragerc_sections_with_and_without_prefix(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {".coveragerc": "[run]\nbranch = true\n[coverage:report]\nfail_under = 90\n"})
    read = ctx.tool_configs("", "coverage").read
    assert read is not None and read.settings == {"run": {"branch": "true"}, "report": {"fail_under": "90"}}


def test_flake8_needs_its_section_in_every_file(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        {"setup.cfg": "[metadata]\nname = x\n", "tox.ini": "[tox]\n[flake8]\nmax-complexity = 10\n", ".flake8": ""},
    )
    assert _found(ctx, "flake8") == [("tox.ini", "[flake8]", 2)]
    write_tree(tmp_path, {".flake8": "[flake8]\nmax-line-length = 100\n"})
    ctx = RepoContext(build_inventory(tmp_path, lambda _: False))
    assert _found(ctx, "flake8") == [("tox.ini", "[flake8]", 2), (".flake8", "", 1)]


def test_isort_skips_configurations_without_a_setting(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        {".isort.cfg": "[settings]\n", "pyproject.toml": PYPROJECT, "tox.ini": "[isort]\nprofile = black\n"},
    )
    assert _found(ctx, "isort") == [("pyproject.toml", "[tool.isort]", 19), ("tox.ini", "[isort]", 1)]


def test_a_nested_folder_is_its_own(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"pytest.ini": "", "services/api/pyproject.toml": PYPROJECT})
    assert _found(ctx, "pytest", "services/api") == [("services/api/pyproject.toml", "[tool.pytest.ini_options]", 4)]
    assert ctx.tool_configs("services/api", "pytest").read.label == (  # type: ignore[union-attr]
        "[tool.pytest.ini_options] in services/api/pyproject.toml"
    )


def test_an_unparseable_file_is_no_configuration_and_a_note(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"mypy.ini": "strict = True\n", "setup.cfg": "[mypy]\nstrict = True\n"})
    assert _found(ctx, "mypy") == [("setup.cfg", "[mypy]", 1)]
    assert [(d.rule_id, d.path) for d in ctx.diagnostics] == [("UDEF000", "mypy.ini")]
    assert "no section header" in ctx.diagnostics[0].message


@pytest.mark.parametrize(("value", "expected"), [(True, True), ("True", True), (" on", True), ("0", False), (1, False)])
def test_is_true(value: object, expected: bool) -> None:
    assert is_true(value) is expected
