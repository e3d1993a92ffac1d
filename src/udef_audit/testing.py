"""Testing rules in-process, for this project's tests and for authors of rule plugins.

    from udef_audit.testing import check, rows

    def test_test_stage_on_another_base(tmp_path):
        found = check("UDEF004", {"Dockerfile": "FROM python:3.11 AS runtime\\nFROM python:3.12 AS test\\n"}, tmp_path)
        assert rows(found) == [("UDEF004", "Dockerfile", 2, None)]

`check` writes a small tree (or takes an existing folder), audits it with only the named rule
selected, exactly as `udef-audit --select RULE` would (config, context, levels, inline
suppressions, fingerprints), and returns that rule's findings in report order. `audit_tree`
returns the whole plain result, for tests of messages, levels or the score.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from udef_audit.findings import Finding
from udef_audit.request import AuditRequest
from udef_audit.result import AuditResult
from udef_audit.service import audit

Tree = Mapping[str, "str | bytes"]
_GIT = ("git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")


def write_tree(root: Path, files: Tree) -> Path:
    """Write `{relative path: text or bytes}` below `root` (created as needed)."""
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def commit_all(root: Path, message: str = "initial") -> None:
    """Make `root` a git repository with everything below it committed (no user config)."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "--allow-empty", "-m", message)):
        subprocess.run([*_GIT, "-C", str(root), *args], check=True, capture_output=True, env=env)


def audit_tree(
    tree: Tree | Path,
    where: Path | None = None,
    *,
    git: bool = False,
    **request: Any,
) -> AuditResult:
    """Audit a tree in this process: `tree` is written below `where` (a fresh folder, such as
    pytest's `tmp_path`), or is an existing folder. Keyword arguments are AuditRequest fields
    (`select=("UDEF004",)`, `config_file=...`); the cache is off unless asked for."""
    root = _materialise(tree, where, git=git)
    if request.get("files") is not None:  # relative to the tree, not to the current directory
        request["files"] = tuple(str(root / name) for name in request["files"])
    request.setdefault("use_cache", False)
    request.setdefault("score", False)
    return audit(AuditRequest(path=root, **request))


def check(
    rule_id: str,
    tree: Tree | Path,
    where: Path | None = None,
    *,
    git: bool = False,
    files: Sequence[str] | None = None,
    **request: Any,
) -> list[Finding]:
    """The findings of one rule on a tree, as `udef-audit --select RULE` reports them."""
    if files is not None:
        request["files"] = tuple(files)
    result = audit_tree(tree, where, git=git, select=(rule_id,), **request)
    failures = [n.message for n in result.notifications if n.rule_id == rule_id and n.level.value == "error"]
    if failures:
        raise AssertionError(f"{rule_id} failed: {failures}")
    return [f for f in result.findings if f.rule_id == rule_id]


def rows(findings: Sequence[Finding]) -> list[tuple[str, str, int, int | None]]:
    """`(rule, path, line, column)` of each finding: what a user reads first."""
    return [(f.rule_id, f.path, f.line, f.column) for f in findings]


def _materialise(tree: Tree | Path, where: Path | None, *, git: bool) -> Path:
    if isinstance(tree, Path):
        return tree
    if where is None:
        raise ValueError("a tree given as a mapping needs a folder to be written in (`where`)")
    write_tree(where, tree)
    if git:
        commit_all(where)
    return where
