"""UDEF001 src-layout: flat and mixed layouts, per project."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, fixture, write_tree

RULE = "UDEF001"
Audit = Callable[..., list[tuple[Any, ...]]]
RunCli = Callable[..., Run]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("clean-src-layout", []),
        ("flat-package", [("mypkg/__init__.py", 1)]),
        ("flat-module", [("app.py", 1)]),
        ("mixed-layout", [("legacy/__init__.py", 1)]),
        ("tooling-only", []),
        ("non-package-folders", []),
        ("non-importable-names", []),
        ("non-python", []),
        ("monorepo", [("packages/flat/cli.py", 1), ("packages/flat/flat/__init__.py", 1)]),
        (
            "monorepo-root-and-member",
            [("plugins/p1/p1/__init__.py", 1), ("rootpkg/__init__.py", 1)],
        ),
        ("django-style", [("mysite/__init__.py", 1)]),
        ("namespace-src", []),
        ("namespace-src-mixed", [("util/__init__.py", 1)]),
    ],
)
def test_fixture_findings(audit: Audit, case: str, expected: list[tuple[str, int]]) -> None:
    found = audit(fixture(RULE, case), "--select", RULE)
    assert found == [(RULE, path, line, None) for path, line in expected]


def _messages(run_inproc: RunCli, path: Path) -> dict[str, str]:
    result = run_inproc(path, "--format", "json", "--select", RULE)
    assert result.code in (0, 1), result.stderr
    return {f["path"]: f["message"] for f in result.json()["findings"]}


def test_flat_package_message_names_the_move(run_inproc: RunCli) -> None:
    messages = _messages(run_inproc, fixture(RULE, "flat-package"))
    assert messages == {
        "mypkg/__init__.py": "flat layout: package `mypkg` sits at the root instead of under src/; "
        "move it to src/mypkg.",
    }


def test_flat_module_message(run_inproc: RunCli) -> None:
    message = _messages(run_inproc, fixture(RULE, "flat-module"))["app.py"]
    assert message.startswith("flat layout: module `app.py`")
    assert "under src/" in message


@pytest.mark.parametrize(
    ("case", "path"),
    [("mixed-layout", "legacy/__init__.py"), ("namespace-src-mixed", "util/__init__.py")],
)
def test_mixed_layout_message(run_inproc: RunCli, case: str, path: str) -> None:
    message = _messages(run_inproc, fixture(RULE, case))[path]
    assert message.startswith("mixed layout: ")
    assert "flat layout" not in message


def test_monorepo_messages_are_relative_to_the_member(run_inproc: RunCli) -> None:
    messages = _messages(run_inproc, fixture(RULE, "monorepo"))
    package = messages["packages/flat/flat/__init__.py"]
    assert package.startswith("flat layout: package `flat` sits at the root of packages/flat")
    assert package.endswith("move it to packages/flat/src/flat.")
    assert "packages/flat/src/" in messages["packages/flat/cli.py"]


def test_exit_codes(run_inproc: RunCli) -> None:
    assert run_inproc(fixture(RULE, "flat-package"), "--select", RULE).code == 1
    assert run_inproc(fixture(RULE, "clean-src-layout"), "--select", RULE).code == 0


def test_fingerprints_survive_a_reworded_layout(run_inproc: RunCli, tmp_path: Path) -> None:
    """Adding src/ turns "flat" into "mixed"; the alert about the package stays the same one."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\nversion = "1"\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "__init__.py").write_text("")
    before = run_inproc(tmp_path, "--format", "json", "--select", RULE).json()["findings"]
    (tmp_path / "src" / "a").mkdir(parents=True)
    (tmp_path / "src" / "a" / "__init__.py").write_text("")
    after = run_inproc(tmp_path, "--format", "json", "--select", RULE).json()["findings"]
    assert [f["message"].split(":")[0] for f in before + after] == ["flat layout", "mixed layout"]
    assert before[0]["fingerprint"] == after[0]["fingerprint"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_package_at_the_root_is_not_followed(audit: Audit, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\nversion = "1"\n')
    (tmp_path / "src" / "a").mkdir(parents=True)
    (tmp_path / "src" / "a" / "__init__.py").write_text("")
    (tmp_path / "a").symlink_to(tmp_path / "src" / "a", target_is_directory=True)
    (tmp_path / "tool.py").symlink_to(tmp_path / "src" / "a" / "__init__.py")
    assert audit(tmp_path, "--select", RULE) == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_ignored_package_is_not_code(audit: Audit, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\nversion = "1"\n')
    for package in ("generated", "tracked"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    assert audit(tmp_path, "--select", RULE) == [(RULE, "tracked/__init__.py", 1, None)]


def test_excluded_path_is_not_reported(audit: Audit, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\nversion = "1"\n')
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / "__init__.py").write_text("")
    assert audit(tmp_path, "--select", RULE, "--exclude", "vendored/**") == []


def test_tooling_folders_are_not_flat_packages(audit: Audit, tmp_path: Path) -> None:
    # The contract: "tooling scripts in `scripts/`, `hooks/` and the like are not" code
    # (cookiecutter's hooks/ package is run by cookiecutter, never imported).
    tree = {"pyproject.toml": "[project]\nname = 'a'\n", "hooks/__init__.py": "", "scripts/__init__.py": ""}
    write_tree(tmp_path, tree)
    assert audit(tmp_path, "--select", "UDEF001") == []
