"""UDEF014 lock-strategy-documented: a file contributors read or run names the lock command."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fixture

from udef_audit.findings import Level
from udef_audit.testing import check, rows

RULE = "UDEF014"
PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["rich>=13"]\n'
BASE = {"README.md": "# app\n", "pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("readme-names-command", []),
        ("precommit-hook", []),
        ("only-the-lock-header", ["README.md"]),
        ("words-not-substrings", ["README.md"]),
        ("monorepo-sibling-docs", ["README.md"]),
    ],
)
def test_fixture_results(case: str, expected: list[str]) -> None:
    found = check(RULE, fixture(RULE, case))
    assert rows(found) == [(RULE, path, 1, None) for path in expected]
    assert all(f.level == Level.NOTE and f.kind == "undocumented" for f in found)


def test_the_message_quotes_the_lock_header_without_counting_it() -> None:
    (found,) = check(RULE, fixture(RULE, "only-the-lock-header"))
    assert found.message == (
        "lock strategy undocumented: nothing says how requirements.lock is generated (requirements.lock's own "
        "header says `uv pip compile` made it, but only the lock says so); name the command (`uv lock`, "
        "`poetry lock`, `pip-compile`, `uv pip compile`, ...) in the README, CONTRIBUTING, the docs, a "
        "Makefile/nox/tox task, a pre-commit hook, CI or a script."
    )


def test_a_sibling_projects_readme_documents_only_its_own_lock() -> None:
    (found,) = check(RULE, fixture(RULE, "monorepo-sibling-docs"))
    assert found.key == "undocumented:services/worker/requirements.lock"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("CONTRIBUTING.md", "Run `uv lock --upgrade` to refresh the lock.\n"),
        (".github/CONTRIBUTING.md", "Use `poetry lock`.\n"),
        ("docs/development.rst", "Dependencies\n------------\n\n    pip-compile --generate-hashes\n"),
        ("Makefile", "lock:\n\tuv pip compile pyproject.toml -o requirements.lock\n"),
        ("justfile", "lock:\n    pdm lock\n"),
        ("noxfile.py", "import nox\n\n@nox.session\ndef lock(session):\n    session.run('uv', 'lock')\n"),
        ("tox.ini", "[testenv:lock]\ncommands = pip-compile-multi\n"),
        (".github/workflows/lock.yml", "on: push\njobs:\n  l:\n    steps:\n      - run: uv lock --check\n"),
        (".gitlab-ci.yml", "lock:\n  script: pipenv lock\n"),
        ("scripts/relock", "#!/bin/sh\nconda-lock -f environment.yml\n"),
        ("tools/update.sh", "python -m piptools compile requirements.in\n"),
        ("pip.ps1", "pip lock -e .\n"),
        (".pre-commit-config.yaml", "repos:\n- repo: local\n  hooks:\n  - id: lock\n    entry: uv export -o r.txt\n"),
    ],
)
def test_every_place_counts(tmp_path: Path, path: str, text: str) -> None:
    assert check(RULE, {**BASE, path: text}, tmp_path) == []


def test_pyproject_tasks_and_comments_count(tmp_path: Path) -> None:
    pyproject = PYPROJECT + '\n[tool.poe.tasks]\nlock = "uv lock"\n'
    assert check(RULE, {**BASE, "pyproject.toml": pyproject}, tmp_path) == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("README.md", "Read the uv locking docs; uv.lock is committed; see conda-lock.yml.\n"),
        ("README.md", "Install: `uv sync`, `poetry install` or `UV LOCK`.\n"),
        ("src/app/notes.md", "run `uv lock`\n"),
        ("tests/README.md", "run `uv lock`\n"),
        ("docs/diagram.png", "run `uv lock`\n"),
        (".pre-commit-config.yaml", "repos:\n- repo: x\n  hooks:\n  - id: uv-lock-check-nothing\n"),
    ],
)
def test_places_and_words_that_do_not_count(tmp_path: Path, path: str, text: str) -> None:
    assert [f.rule_id for f in check(RULE, {**BASE, path: text}, tmp_path)] == [RULE]


def test_a_parent_readme_documents_a_member(tmp_path: Path) -> None:
    tree = {
        "README.md": "Locks are made with `uv pip compile`.\n",
        "services/api/pyproject.toml": PYPROJECT,
        "services/api/requirements.lock": "rich==13.9.4\n",
    }
    assert check(RULE, tree, tmp_path) == []


def test_a_workspace_lock_and_its_members_share_one_note(tmp_path: Path) -> None:
    tree = {**BASE, "packages/a/pyproject.toml": PYPROJECT, "packages/b/pyproject.toml": PYPROJECT}
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "README.md", 1, None)]


def test_no_lock_no_result(tmp_path: Path) -> None:
    assert check(RULE, {"README.md": "# app\n", "pyproject.toml": PYPROJECT}, tmp_path) == []


def test_without_a_readme_the_manifest_is_the_anchor(tmp_path: Path) -> None:
    tree = {"pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"}
    assert rows(check(RULE, tree, tmp_path)) == [(RULE, "pyproject.toml", 1, None)]
