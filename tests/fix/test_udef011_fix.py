"""UDEF011's fix: missing cache patterns appended to the root .gitignore under one comment."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import write_tree
from fixing import PYPROJECT, assert_idempotent, fixed

from udef_audit.testing import check, commit_all

PATTERNS = (
    "# Caches and build output (udef-audit fix, UDEF011)\n*.py[cod]\n.pytest_cache/\n.mypy_cache/\n.ruff_cache/\n"
    ".coverage\nhtmlcov/\n*.egg-info/\n.venv/\ndist/\nbuild/\n"
)


def test_diff_then_fix_then_nothing(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": "x = 1\n", ".gitignore": "# mine\n__pycache__/\n"})
    shown = run_inproc("fix", tmp_path, "--no-cache", "--diff", "--select", "UDEF011")
    assert shown.code == 1
    assert shown.stdout == (
        "diff --git a/.gitignore b/.gitignore\n--- a/.gitignore\n+++ b/.gitignore\n@@ -1,2 +1,14 @@\n"
        " # mine\n __pycache__/\n+\n" + "".join(f"+{line}\n" for line in PATTERNS.splitlines())
    )
    assert (tmp_path / ".gitignore").read_text() == "# mine\n__pycache__/\n"  # --diff writes nothing
    done = fixed(run_inproc, tmp_path, "--select", "UDEF011")
    assert done.stdout.startswith("fixed .gitignore:1 UDEF011: add *.py[cod], .pytest_cache/")
    assert (tmp_path / ".gitignore").read_text() == "# mine\n__pycache__/\n\n" + PATTERNS
    assert check("UDEF011", tmp_path) == []
    assert_idempotent(run_inproc, tmp_path, "--select", "UDEF011")


def test_crlf_bom_and_mode_are_kept(tmp_path: Path, run_inproc) -> None:
    original = b"\xef\xbb\xbf# mine\r\n__pycache__/\r\n*.pyc"  # no final line break
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": "x = 1\n", ".gitignore": original})
    (tmp_path / ".gitignore").chmod(0o600)
    fixed(run_inproc, tmp_path, "--select", "UDEF011")
    data = (tmp_path / ".gitignore").read_bytes()
    assert data.startswith(original + b"\r\n\r\n# Caches")
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line ending stays CRLF
    assert (tmp_path / ".gitignore").stat().st_mode & 0o777 == 0o600
    assert check("UDEF011", tmp_path) == []


def test_no_gitignore_is_created_and_tracked_artifacts_only_get_the_command(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": "x = 1\n", "__pycache__/app.cpython-312.pyc": b"\0"})
    commit_all(tmp_path)
    done = fixed(run_inproc, tmp_path, "--select", "UDEF011")
    assert "then: git add .gitignore" in done.stdout
    assert (
        tmp_path / ".gitignore"
    ).read_text() == "# Caches and build output (udef-audit fix, UDEF011)\n__pycache__/\n" + PATTERNS.split("\n", 1)[1]
    # The tracked cache stays tracked: untracking is `git rm --cached`, which a fix never runs.
    assert (
        "__pycache__/ is a cache folder tracked by git (1 file): untrack it with `git rm -r --cached __pycache__`"
        in done.stdout
    )
    subprocess.run(["git", "-C", str(tmp_path), "add", ".gitignore"], check=True)
    assert [f.kind for f in check("UDEF011", tmp_path)] == ["tracked-artifact"]
