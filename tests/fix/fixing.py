"""Helpers of the fix tests: run `udef-audit fix` in this process, and see every byte of a tree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

PYPROJECT = '[project]\nname = "app"\nversion = "1.0"\n'


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below `root` (outside .git) and its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and ".git" not in p.relative_to(root).parts
    }


def fixed(run_inproc: Callable[..., Any], root: Path, *args: str) -> Any:
    """`udef-audit fix ROOT ARGS` (the cache off); asserts it did not fail."""
    result = run_inproc("fix", root, "--no-cache", *args)
    assert result.code in (0, 1), result.stderr + result.stdout
    return result


def assert_idempotent(run_inproc: Callable[..., Any], root: Path, *args: str) -> None:
    """A second run changes nothing and has nothing to show."""
    before = snapshot(root)
    again = fixed(run_inproc, root, *args)
    assert "Fixed 0 results (0 changes)." in again.stdout
    assert snapshot(root) == before
    diff = run_inproc("fix", root, "--no-cache", "--diff", *args)
    assert (diff.code, diff.stdout) == (0, "")
