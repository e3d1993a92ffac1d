"""UDEF010's fix: the missing hooks added with ruamel.yaml's round trip, the rest kept byte
for byte; revs from the rule's parameters."""

from __future__ import annotations

from pathlib import Path

from conftest import HYGIENE, write_tree
from fixing import PYPROJECT, assert_idempotent, fixed

from udef_audit.testing import check

CONFIG = """\
# hooks of the team
repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v6.0.0   # pinned
    hooks:
      - id: trailing-whitespace
      - {id: end-of-file-fixer, exclude: "^docs/"}

ci:
  autoupdate_schedule: 'monthly'
"""
ADDED = """\
  - repo: local
    hooks:
      - id: no-placeholders
        name: Block TODOs and incomplete code
        entry: TODO|FIXME|XXX|NotImplementedError
        language: pygrep
        types: [python]
"""
TAIL = """\
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.17.6
    hooks:
      - id: ruff-check
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v2.4.1
    hooks:
      - id: mypy
        args: [--strict]
"""


def _tree(tmp_path: Path, config: str) -> Path:
    return write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app.py": "x = 1\n",
            ".gitignore": HYGIENE[".gitignore"],
            ".pre-commit-config.yaml": config,
        },
    )


def test_three_hooks_added_everything_else_kept(tmp_path: Path, run_inproc) -> None:
    _tree(tmp_path, CONFIG)
    done = fixed(run_inproc, tmp_path, "--select", "UDEF010")
    assert done.stdout.splitlines()[:3] == [
        "fixed .pre-commit-config.yaml:2 UDEF010: add a pygrep hook blocking TODO, FIXME, XXX, NotImplementedError "
        "to .pre-commit-config.yaml",
        "fixed .pre-commit-config.yaml:2 UDEF010: add the `ruff-check` hook of "
        "https://github.com/astral-sh/ruff-pre-commit at v0.17.6 to .pre-commit-config.yaml",
        "fixed .pre-commit-config.yaml:2 UDEF010: add the `mypy --strict` hook of "
        "https://github.com/pre-commit/mirrors-mypy at v2.4.1 to .pre-commit-config.yaml",
    ]
    head, tail = CONFIG.split("\nci:")
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == (
        "# hooks of the team\nrepos:\n" + ADDED + head.split("repos:\n", 1)[1] + TAIL + "\nci:" + tail
    )
    assert check("UDEF010", tmp_path) == []
    assert_idempotent(run_inproc, tmp_path, "--select", "UDEF010")


def test_revs_come_from_the_parameters_and_a_local_repo_takes_the_blocker(tmp_path: Path, run_inproc) -> None:
    config = "repos:\n- repo: local\n  hooks:\n  - id: mine\n    name: mine\n    entry: ./check\n    language: script\n"
    _tree(tmp_path, config)
    settings = '\n[tool.udef-audit.rules.UDEF010]\nruff-pre-commit-rev = "v0.9.0"\nmirrors-mypy-rev = "v1.15.0"\n'
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + settings)
    fixed(run_inproc, tmp_path, "--select", "UDEF010")
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == config + (
        "  - id: no-placeholders\n    name: Block TODOs and incomplete code\n"
        "    entry: TODO|FIXME|XXX|NotImplementedError\n    language: pygrep\n    types: [python]\n"
        "- repo: https://github.com/astral-sh/ruff-pre-commit\n  rev: v0.9.0\n  hooks:\n  - id: ruff-check\n"
        "- repo: https://github.com/pre-commit/mirrors-mypy\n"
        "  rev: v1.15.0\n  hooks:\n  - id: mypy\n    args: [--strict]\n"
    )
    assert check("UDEF010", tmp_path) == []


def test_no_config_gets_the_methodologys(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": "x = 1\n", "README.md": "# app\n"})
    done = fixed(run_inproc, tmp_path, "--select", "UDEF010")
    assert "then: pre-commit install" in done.stdout
    assert check("UDEF010", tmp_path) == []


def test_a_file_ruamel_would_reformat_is_refused(tmp_path: Path, run_inproc) -> None:
    # Two indentations of lists in one file: writing it back would change lines not added.
    config = (
        "repos:\n- repo: local\n  hooks:\n    - id: mine\n"
        "      name: mine\n      entry: ./check\n      language: script\n"
    )
    _tree(tmp_path, config)
    done = fixed(run_inproc, tmp_path, "--select", "UDEF010")
    assert (
        "not fixed .pre-commit-config.yaml:1 UDEF010: .pre-commit-config.yaml indents its lists in more than one way"
        in done.stdout
    )
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == config
