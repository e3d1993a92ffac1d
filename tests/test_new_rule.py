"""A rule is one YAML and one module: adding both to a copy of the project makes the rule
appear everywhere else by itself (the listing, SARIF, the docs, the tests' rule lists)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from udef_audit.policy import load_policy

pytestmark = pytest.mark.slow

MODULE = '''\
"""{rule_id} {slug}: a rule added by writing this module and its YAML, nothing else."""

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding


class DemoRule:
    """Reports a README that says "demo"."""

    id: ClassVar[str] = "{rule_id}"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        for path in ctx.named("README.md"):
            if "demo" in (ctx.text(path) or ""):
                yield Finding(rule_id=self.id, path=path, line=1, message="The README says demo.", key="demo")
'''

YAML = """\
id: {rule_id}
slug: {slug}
title: A demonstration rule
level: warning
phase: 0
chapter: "Phase 0: Foundation Setup"
section: "Day 2: Project Structure & Configuration"
category: foundation
scope: repository
summary: Reports a README that says demo.
methodology: |
  "Zero placeholders in committed code"
what: Reads the root README.
why: A demo is not a product.
example: "`README.md` saying demo."
fix: Write a real README.
"""


def _unshipped_contract_rule() -> tuple[str, str]:
    """A contract ID and slug not shipped yet (the test must not collide with a real rule)."""
    contract = [
        line.split(" ", 1)
        for line in (REPO / "tests" / "data" / "rule-ids.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    shipped = load_policy().rules
    free = [(rid, slug) for rid, slug in contract if rid not in shipped]
    return (free[0][0], free[0][1]) if free else ("UDEF099", "demo-rule")


@pytest.fixture
def project_copy(tmp_path: Path) -> tuple[Path, str, str]:
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("src", "rules", "tests", "docs"):
        shutil.copytree(REPO / part, copy / part, ignore=ignore)
    shutil.copy(REPO / "README.md", copy / "README.md")
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    rule_id, slug = _unshipped_contract_rule()
    if rule_id == "UDEF099":  # every contract rule ships: a new contract revision appends here
        with (copy / "tests" / "data" / "rule-ids.txt").open("a") as handle:
            handle.write(f"{rule_id} {slug}\n")
    module = copy / "src" / "udef_audit" / "rules" / f"{rule_id.lower()}_{slug.replace('-', '_')}.py"
    module.write_text(MODULE.format(rule_id=rule_id, slug=slug))
    (copy / "rules" / f"{rule_id}-{slug}.yaml").write_text(YAML.format(rule_id=rule_id, slug=slug))
    return copy, rule_id, slug


def _run(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The copy's code is not the project's: coverage must not measure it (it would report a
    # second, mostly unrun copy of src/ and sink the coverage gate).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "COV_CORE"))}
    env |= {"PYTHONPATH": str(copy / "src"), "UDEF_AUDIT_CACHE_DIR": str(copy / ".cache")}
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, check=False)


def test_a_yaml_and_a_module_make_a_rule(project_copy: tuple[Path, str, str]) -> None:
    copy, rule_id, slug = project_copy
    listing = _run(copy, "-m", "udef_audit", "rules")
    assert listing.returncode == 0, listing.stderr
    assert any(line.startswith(f"{rule_id}  {slug}") for line in listing.stdout.splitlines())

    tree = copy / "tree"
    tree.mkdir()
    (tree / "README.md").write_text("# demo\n")
    sarif = _run(copy, "-m", "udef_audit", str(tree), "--format", "sarif", "--select", rule_id)
    run = json.loads(sarif.stdout)["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["UDEF000", rule_id]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [(rule_id, "warning")]

    docs = _run(copy, "-m", "udef_audit.report.rules_listing", "docs/rules", "README.md")
    assert docs.returncode == 0, docs.stderr
    assert (copy / "docs" / "rules" / f"{rule_id}-{slug}.md").read_text().startswith(f"# {rule_id} {slug}:")
    row = f"| [{rule_id}](docs/rules/{rule_id}-{slug}.md) | `{slug}` | warning | 0 |"
    assert row in (copy / "README.md").read_text()

    # The tests that list rules read the policy: they pass with the new rule, untouched.
    tests = _run(
        copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
        "tests/test_policy.py", "tests/test_rules_listing.py", "-k", "not wheel",
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-2000:]
    assert f"test_methodology_quotes_are_verbatim[{rule_id}] PASSED" in _run(
        copy, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-n", "0", "tests/test_policy.py", "-k", rule_id
    ).stdout
