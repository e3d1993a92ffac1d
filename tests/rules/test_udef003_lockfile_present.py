"""UDEF003 lockfile-present: every project with dependencies has a generated lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture, write_tree

RULE = "UDEF003"
Audit = Callable[..., list[tuple[Any, ...]]]
RunCli = Callable[..., Run]
PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["requests>=2"]\n'
HASHED = "requests==2.31.0 \\\n    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\n"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("uv-lock", []),
        ("poetry-lock", []),
        ("requirements-lock", []),
        ("pip-compile-requirements", []),
        ("compiled-requirements-folder", []),
        ("hand-pinned-requirements", [("pyproject.toml", 1)]),
        ("docs-only", []),
        ("docs-lock-only", [("pyproject.toml", 1)]),
        ("workspace", []),
        ("monorepo-member-unlocked", [("services/unlocked/pyproject.toml", 1)]),
        ("requirements-only", [("requirements.txt", 1)]),
        ("setup-py-only", [("setup.py", 1)]),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int]]) -> None:
    found = audit(fixture(RULE, case), "--select", RULE)
    assert found == [(RULE, path, line, None) for path, line in expected]


_write = write_tree


def _messages(run_inproc: RunCli, path: Path) -> dict[str, str]:
    result = run_inproc(path, "--format", "json", "--select", RULE)
    assert result.code in (0, 1), result.stderr
    return {f["path"]: f["message"] for f in result.json()["findings"]}


@pytest.mark.parametrize(
    "lock",
    [
        "uv.lock",
        "poetry.lock",
        "pdm.lock",
        "Pipfile.lock",
        "pylock.toml",
        "pylock.dev.toml",
        "requirements.lock",
        "requirements-dev.lock",
        "conda-lock.yml",
    ],
)
def test_every_lock_name_counts(audit: Audit, tmp_path: Path, lock: str) -> None:
    _write(tmp_path, {"pyproject.toml": PYPROJECT, lock: "# generated\n"})
    assert audit(tmp_path, "--select", RULE) == []


@pytest.mark.parametrize("lock", ["pylock..toml", "uv.lock.bak", "requirements.lock.txt"])
def test_look_alike_names_are_no_lock(audit: Audit, tmp_path: Path, lock: str) -> None:
    _write(tmp_path, {"pyproject.toml": PYPROJECT, lock: "requests\n"})
    assert audit(tmp_path, "--select", RULE) == [(RULE, "pyproject.toml", 1, None)]


def test_hashed_requirements_without_banner_are_a_lock(audit: Audit, tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": PYPROJECT, "requirements.txt": HASHED})
    assert audit(tmp_path, "--select", RULE) == []


def test_lock_in_a_sibling_folder_serves_nobody_else(audit: Audit, tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "a/pyproject.toml": PYPROJECT,
            "a/uv.lock": "version = 1\n",
            "b/pyproject.toml": PYPROJECT,
        },
    )
    assert audit(tmp_path, "--select", RULE) == [(RULE, "b/pyproject.toml", 1, None)]


def test_lock_in_an_intermediate_folder_serves_members(audit: Audit, tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "services/uv.lock": "version = 1\n",
            "services/api/pyproject.toml": PYPROJECT,
            "services/worker/pyproject.toml": PYPROJECT,
        },
    )
    assert audit(tmp_path, "--select", RULE) == []


@pytest.mark.parametrize(
    ("files", "anchor"),
    [
        ({"setup.cfg": "[metadata]\nname = app\n"}, "setup.cfg"),
        ({"setup.py": "", "setup.cfg": "", "pyproject.toml": PYPROJECT}, "pyproject.toml"),
        ({"setup.py": "", "setup.cfg": ""}, "setup.py"),
        ({"Pipfile": "[packages]\nrequests = '*'\n"}, "Pipfile"),
        ({"environment.yml": "dependencies:\n  - python=3.12\n"}, "environment.yml"),
    ],
)
def test_anchor_is_the_manifest_else_the_dependency_file(
    audit: Audit,
    tmp_path: Path,
    files: dict[str, str],
    anchor: str,
) -> None:
    _write(tmp_path, files)
    assert audit(tmp_path, "--select", RULE) == [(RULE, anchor, 1, None)]


@pytest.mark.parametrize(
    "files",
    [
        {"Pipfile": "[packages]\n", "Pipfile.lock": "{}\n"},
        {"environment.yml": "dependencies: []\n", "conda-lock.yml": "version: 1\n"},
    ],
)
def test_pipfile_and_conda_locks(audit: Audit, tmp_path: Path, files: dict[str, str]) -> None:
    _write(tmp_path, files)
    assert audit(tmp_path, "--select", RULE) == []


def test_code_without_manifest_or_dependency_file_is_not_checked(
    audit: Audit,
    tmp_path: Path,
) -> None:
    _write(tmp_path, {"app.py": "print('hello')\n"})
    assert audit(tmp_path, "--select", RULE) == []


def test_binary_requirement_file_does_not_break_the_rule(run_inproc: RunCli, tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": PYPROJECT})
    (tmp_path / "requirements.txt").write_bytes(b"\x00\xff\xfe garbage \x00" * 50)
    result = run_inproc(tmp_path, "--format", "json", "--select", RULE)
    assert result.code == 1, result.stderr
    found = [(f["ruleId"], f["path"]) for f in result.json()["findings"]]
    assert found == [(RULE, "pyproject.toml")]


def test_hand_pinned_message_says_why(run_inproc: RunCli) -> None:
    messages = _messages(run_inproc, fixture(RULE, "hand-pinned-requirements"))
    assert messages == {
        "pyproject.toml": "no lockfile pins the dependencies of the repository root project "
        "(requirements.txt is hand-written, not a generated lock); generate one (`uv lock`, "
        "`poetry lock`, `pdm lock` or `uv pip compile --generate-hashes -o requirements.lock`) "
        "and commit it.",
    }


def test_member_message_names_the_project(run_inproc: RunCli) -> None:
    messages = _messages(run_inproc, fixture(RULE, "monorepo-member-unlocked"))
    message = messages["services/unlocked/pyproject.toml"]
    assert message.startswith(
        "no lockfile pins the dependencies of the project in services/unlocked;",
    )


def test_exit_codes(run_inproc: RunCli) -> None:
    assert run_inproc(fixture(RULE, "setup-py-only"), "--select", RULE).code == 1
    assert run_inproc(fixture(RULE, "uv-lock"), "--select", RULE).code == 0
