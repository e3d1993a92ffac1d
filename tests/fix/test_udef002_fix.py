"""UDEF002's fix: second dependency sources moved into pyproject.toml with tomlkit."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree
from fixing import assert_idempotent, fixed

from udef_audit.testing import check

PYPROJECT = """\
# the project
[project]
name = "app"   # keep this comment
version = "1.0"
dependencies = [
  "click>=8",  # cli
]

[tool.ruff]
line-length = 100
"""


def _fix(run_inproc, root: Path) -> str:
    return fixed(run_inproc, root, "--unsafe-fixes", "--select", "UDEF002").stdout


def test_requirement_files_go_to_dependencies_and_groups(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "requirements.txt": "# runtime\nrequests>=2.31  # http\n"
            "click\nuvicorn[standard]; python_version >= '3.10'\n",
            "requirements-dev.txt": "-r requirements.txt\npytest==8.*\n",
            "docs/requirements.txt": "sphinx>=7\n",
        },
    )
    out = _fix(run_inproc, tmp_path)
    assert (tmp_path / "pyproject.toml").read_text() == PYPROJECT.replace(
        '  "click>=8",  # cli\n]',
        '  "click>=8",  # cli\n  "requests>=2.31",\n  "uvicorn[standard]; python_version >= \'3.10\'",\n]',
    ) + '\n[dependency-groups]\ndocs = [\n  "sphinx>=7",\n]\ndev = [\n  "pytest==8.*",\n]\n'
    assert not (tmp_path / "requirements.txt").exists() and not (tmp_path / "requirements-dev.txt").exists()
    assert not (tmp_path / "docs").exists()  # emptied, so gone
    assert "then: regenerate the lock: `uv lock` (a fix never runs it)" in out
    assert check("UDEF002", tmp_path) == []
    assert_idempotent(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF002")


def test_setup_py_literal_lists_leave_the_call_the_rest_untouched(tmp_path: Path, run_inproc) -> None:
    setup = (
        "from setuptools import setup\n\n# the packaging\nsetup(\n    name='app',  # name\n"
        "    install_requires=[\n        'requests',  # http\n    ],\n"
        "    extras_require={'cli': ['rich>=13']},\n    tests_require=['pytest'],\n    zip_safe=False,\n)\n"
    )
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "setup.py": setup})
    _fix(run_inproc, tmp_path)
    assert (tmp_path / "setup.py").read_text() == (
        "from setuptools import setup\n\n# the packaging\nsetup(\n    name='app',  # name\n    zip_safe=False,\n)\n"
    )
    text = (tmp_path / "pyproject.toml").read_text()
    assert '  "click>=8",  # cli\n  "requests",\n]' in text
    assert '[project.optional-dependencies]\ncli = [\n  "rich>=13",\n]' in text
    assert '[dependency-groups]\ntest = [\n  "pytest",\n]' in text
    assert check("UDEF002", tmp_path) == []


def test_computed_setup_py_is_refused_and_untouched(tmp_path: Path, run_inproc) -> None:
    setup = "from setuptools import setup\nsetup(name='app', install_requires=open('r.txt').read().split())\n"
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "setup.py": setup})
    out = _fix(run_inproc, tmp_path)
    assert "not fixed setup.py:2 UDEF002: setup.py: install_requires is computed, not a literal list" in out
    assert (tmp_path / "setup.py").read_text() == setup
    assert (tmp_path / "pyproject.toml").read_text() == PYPROJECT


def test_setup_cfg_keys_removed_and_the_file_when_empty(tmp_path: Path, run_inproc) -> None:
    cfg = (
        "[options]\ninstall_requires =\n    attrs>=23\n    idna\n\n[options.extras_require]\n"
        "fast = orjson\n\n[flake8]\nmax-line-length = 100\n"
    )
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "setup.cfg": cfg})
    _fix(run_inproc, tmp_path)
    assert (tmp_path / "setup.cfg").read_text() == "[flake8]\nmax-line-length = 100\n"
    assert '"attrs>=23",\n  "idna",\n]' in (tmp_path / "pyproject.toml").read_text()
    assert check("UDEF002", tmp_path) == []


def test_pipfile(tmp_path: Path, run_inproc) -> None:
    pipfile = (
        '[packages]\nrequests = "*"\nflask = {version = ">=3", extras = ["async"]}\n'
        '\n[dev-packages]\npytest = "==8.0"\n'
    )
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "Pipfile": pipfile})
    _fix(run_inproc, tmp_path)
    text = (tmp_path / "pyproject.toml").read_text()
    assert '"requests",\n  "flask[async]>=3",\n]' in text and 'dev = [\n  "pytest==8.0",\n]' in text
    assert not (tmp_path / "Pipfile").exists()


def test_dynamic_dependencies_read_from_the_file_become_static(tmp_path: Path, run_inproc) -> None:
    pyproject = (
        '[project]\nname = "app"\nversion = "1"\ndynamic = ["readme", "dependencies"]\n\n'
        '[tool.setuptools.dynamic]\nreadme = {file = "README.md"}\ndependencies = { file = "requirements.txt" }\n'
    )
    write_tree(tmp_path, {"pyproject.toml": pyproject, "app/__init__.py": "", "requirements.txt": "idna\n"})
    _fix(run_inproc, tmp_path)
    assert (tmp_path / "pyproject.toml").read_text() == (
        '[project]\nname = "app"\nversion = "1"\ndynamic = ["readme"]\ndependencies = [\n    "idna",\n]\n\n'
        '[tool.setuptools.dynamic]\nreadme = {file = "README.md"}\n'
    )


def test_index_options_and_no_project_table_are_refused(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "requirements.txt": "--index-url https://x/simple\nidna\n",
        },
    )
    out = _fix(run_inproc, tmp_path)
    assert (
        "not fixed requirements.txt:2 UDEF002: requirements.txt:1: `--index-url https://x/simple` has no place" in out
    )
    assert (tmp_path / "requirements.txt").exists()


def test_files_still_naming_a_moved_requirement_file_are_listed(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "requirements-dev.txt": "pytest\n",
            "Makefile": "dev:\n\tpip install -r requirements-dev.txt\n",
        },
    )
    out = _fix(run_inproc, tmp_path)
    assert "    then: requirements-dev.txt is gone: Makefile still names it\n" in out


def test_a_file_installing_the_project_with_extras_says_how_to_install_it_now(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "requirements-dev.txt": "-e .[socks]\npytest\n"},
    )
    out = _fix(run_inproc, tmp_path)
    assert (
        "    then: `-e .[socks]` installed the project itself, which a dependency group cannot: "
        "install it with the group (`uv sync --group dev --extra socks`)\n"
    ) in out
    assert 'dev = [\n  "pytest",\n]' in (tmp_path / "pyproject.toml").read_text()


def test_constraints_and_direct_urls_are_refused_and_the_file_kept(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "constraints.txt": "requests<3\n",
            "requirements-dev.txt": "-c constraints.txt\nrequests\n",
            "docs/requirements.txt": "git+https://example.org/theme.git\n",
        },
    )
    out = _fix(run_inproc, tmp_path)
    assert (
        "not fixed requirements-dev.txt:2 UDEF002: requirements-dev.txt:1: a constraint file has no place in "
        "pyproject.toml\n"
    ) in out
    assert (
        "not fixed docs/requirements.txt:1 UDEF002: docs/requirements.txt:1: `git+https://example.org/theme.git` "
        "has no place in pyproject.toml\n"
    ) in out
    assert (tmp_path / "requirements-dev.txt").exists() and (tmp_path / "pyproject.toml").read_text() == PYPROJECT
