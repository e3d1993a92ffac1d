"""UDEF001's fix: flat packages moved under src/, the build backend and tool paths told."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree
from fixing import assert_idempotent, fixed

from udef_audit.testing import check

HATCH = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "app"
dynamic = ["version"]

[tool.hatch.version]
path = "app/__about__.py"  # one source of the version

[tool.hatch.build.targets.sdist]
include = [
    "/app",
    "/tests",
]

[tool.coverage.run]
source = ["app", "tests"]

[tool.mypy]
files = "app, tests"

[tool.ruff]
src = ["."]
"""


def test_hatchling_project_moves_and_its_paths_follow(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": HATCH,
            "app/__init__.py": "from app.core import f\n",
            "app/core.py": "def f(): return 1\n",
            "app/__about__.py": "__version__ = '1'\n",
            "tests/test_core.py": "from app import f\n",
            "scripts/lint": "ruff check app tests\nmypy app/\n",
        },
    )
    shown = run_inproc("fix", tmp_path, "--no-cache", "--diff", "--unsafe-fixes", "--select", "UDEF001")
    assert shown.stdout.startswith("diff --git a/app/ b/src/app/\nrename from app/\nrename to src/app/ (3 files)\n")
    out = fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF001").stdout
    assert (tmp_path / "src/app/core.py").read_text() == "def f(): return 1\n" and not (tmp_path / "app").exists()
    assert (tmp_path / "pyproject.toml").read_text() == HATCH.replace('path = "app/', 'path = "src/app/').replace(
        '"/app",', '"/src/app",'
    ).replace('source = ["app",', 'source = ["src/app",').replace(
        'files = "app, tests"', 'files = "src/app, tests"'
    ).replace('src = ["."]', 'src = [".", "src"]')
    assert "then: review the paths naming app/ in scripts/lint" in out
    assert check("UDEF001", tmp_path) == []
    assert_idempotent(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF001")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            '[tool.setuptools]\npackages = ["app"]\n',
            '[tool.setuptools]\npackages = ["app"]\npackage-dir = {"" = "src"}\n',
        ),
        ('[tool.setuptools.packages.find]\nwhere = ["."]\n', '[tool.setuptools.packages.find]\nwhere = ["src"]\n'),
        ("", ""),
    ],
)
def test_setuptools_discovery(tmp_path: Path, run_inproc, config: str, expected: str) -> None:
    head = (
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '\n[project]\nname = "app"\nversion = "1"\n\n'
    )
    write_tree(tmp_path, {"pyproject.toml": head + config, "app/__init__.py": "", "tool.py": "x = 1\n"})
    fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF001")
    assert (tmp_path / "pyproject.toml").read_text() == head + expected
    assert (tmp_path / "src/app/__init__.py").exists() and (tmp_path / "src/tool.py").exists()
    assert check("UDEF001", tmp_path) == []


def test_poetry_gets_packages_from_src(tmp_path: Path, run_inproc) -> None:
    head = (
        '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
        '\n[tool.poetry]\nname = "app"\nversion = "1"\n'
    )
    write_tree(tmp_path, {"pyproject.toml": head, "mylib/__init__.py": ""})
    fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF001")
    assert (tmp_path / "pyproject.toml").read_text() == head + 'packages = [{include = "mylib", from = "src"}]\n'


def test_setup_py_declaring_packages_is_refused(tmp_path: Path, run_inproc) -> None:
    files = {
        "setup.py": "from setuptools import setup, find_packages\nsetup(name='a', packages=find_packages())\n",
        "app/__init__.py": "",
    }
    write_tree(tmp_path, files)
    out = fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF001").stdout
    assert "not fixed app/__init__.py:1 UDEF001: setup.py declares the packages: move them by hand" in out
    assert (tmp_path / "app/__init__.py").exists()


def test_a_project_without_pyproject_is_refused(tmp_path: Path, run_inproc) -> None:
    # A Django site run by manage.py from the root: moving the package alone breaks its imports.
    files = {"manage.py": "import os\n", "site/__init__.py": "", "site/settings.py": "DEBUG = False\n"}
    write_tree(tmp_path, files)
    out = fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF001").stdout
    assert (
        "not fixed site/__init__.py:1 UDEF001: no pyproject.toml tells installers where the package is: "
        "write one first (UDEF002)"
    ) in out
    assert (tmp_path / "site/settings.py").exists() and not (tmp_path / "src").exists()
