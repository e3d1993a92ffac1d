"""Policies shipped in an installed package: the folder its `udef_audit_policy_dirs` hook
returns (entry point group `udef_audit.rules`) holds policy YAML, compiled like any other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

from conftest import Run, write_tree

PLUGIN = """\
from pathlib import Path
from udef_audit.hookspecs import hookimpl

@hookimpl
def udef_audit_policy_dirs():
    return [Path(__file__).parent / "acme_policies"]
"""
POLICY = """\
id: ACME001
slug: codeowners-present
title: A CODEOWNERS file says who reviews what
level: warning
why: Reviews go to whoever is around.
fix: Add CODEOWNERS.
message: "no CODEOWNERS"
check:
  files: {exists: [CODEOWNERS, .github/CODEOWNERS]}
"""


def _installed(where: Path) -> Path:
    site = where / "site"
    write_tree(site, {
        "acme_policies-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-policies\nVersion: 1.0\n",
        "acme_policies-1.0.dist-info/entry_points.txt": "[udef_audit.rules]\nacme = acme_policies_plugin\n",
        "acme_policies_plugin.py": dedent(PLUGIN),
        "acme_policies/acme001.yaml": POLICY,
    })
    return site


def test_an_installed_package_brings_its_policies(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    site = _installed(tmp_path)
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": "[project]\nname = 'app'\n"})
    run = run_cli(repo, "--select", "ACME001", "--format", "json", env={"PYTHONPATH": str(site)})
    assert run.code == 0, run.stderr
    assert [(f["ruleId"], f["path"], f["line"], f["message"]) for f in run.json()["findings"]] == [
        ("ACME001", "pyproject.toml", 1, "no CODEOWNERS")]
    explained = run_cli("explain", "ACME001", env={"PYTHONPATH": str(site)})
    assert explained.code == 0, explained.stderr
    assert f"Custom policy: {site / 'acme_policies'}/acme001.yaml" in explained.stdout


def test_without_the_package_the_policy_is_unknown(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": "[project]\nname = 'app'\n"})
    run = run_cli(repo, "--select", "ACME001")
    assert run.code == 2
    assert "ACME001" in run.stderr
