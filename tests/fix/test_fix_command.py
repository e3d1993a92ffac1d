"""The fix commands as a user runs them, and what the reports say about fixes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from conftest import REPO, write_tree
from fixing import PYPROJECT, snapshot

from udef_audit.fix.registry import FIXERS
from udef_audit.policy import PolicyError, load_policy, parse_rule_meta

TREE = {
    "pyproject.toml": PYPROJECT,
    "app/__init__.py": "",
    ".gitignore": "__pycache__/\n",
    "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "-m", "app"]\n',
}


def test_dash_dash_fix_is_the_fix_command(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, TREE)
    result = run_inproc(tmp_path, "--fix", "--no-cache", "--select", "UDEF011")
    assert result.code == 0 and "fixed .gitignore:1 UDEF011" in result.stdout and "Nothing remains." in result.stdout


def test_diff_exit_codes_and_select(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, TREE)
    before = snapshot(tmp_path)
    shown = run_inproc(tmp_path, "--diff", "--no-cache", "--unsafe-fixes", "--select", "UDEF009")
    assert shown.code == 1 and shown.stdout.startswith("diff --git a/Dockerfile b/Dockerfile\n")
    assert "+USER appuser\n" in shown.stdout and ".gitignore" not in shown.stdout
    assert "Would fix 1 result (1 change)." in shown.stderr
    assert snapshot(tmp_path) == before
    nothing = run_inproc("fix", tmp_path, "--diff", "--no-cache", "--select", "UDEF006")
    assert (nothing.code, nothing.stdout) == (0, "")


def test_remaining_results_make_the_exit_code(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, {**TREE, "todo.py": "# TODO: later\n"})
    result = run_inproc("fix", tmp_path, "--no-cache", "--select", "UDEF006,UDEF011")
    assert result.code == 1
    assert "1 result remain:\n  todo.py:1:3 UDEF006" in result.stdout


def test_files_mode_refuses_fix(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, TREE)
    result = run_inproc("--fix", "--files", str(tmp_path / "app/__init__.py"))
    assert result.code == 2 and "--files does not apply" in result.stderr


def test_text_report_counts_fixable_results(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, TREE)
    result = run_inproc(tmp_path, "--no-cache", "--select", "UDEF009,UDEF011")
    assert "1 fixable with `udef-audit fix` (1 more with `--unsafe-fixes`)" in result.stdout


def test_sarif_carries_text_edits_as_fixes(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, TREE)
    result = run_inproc(tmp_path, "--no-cache", "--format", "sarif", "--select", "UDEF009,UDEF011,UDEF007")
    log = json.loads(result.stdout)
    schema = json.loads((REPO / "tests/data/sarif/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    by_rule = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    (fix,) = by_rule["UDEF009"]["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 1},
            "insertedContent": {
                "text": "# Create non-root user for security\nRUN useradd -m -u 1000 appuser\nUSER appuser\n"
            },
        }
    ]
    assert by_rule["UDEF009"]["properties"]["udef/fixSafety"] == "unsafe"
    assert by_rule["UDEF011"]["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"] == 2
    # Creating folders is no text edit: the safety is said, no fixes[] given.
    assert "fixes" not in by_rule["UDEF007"] and by_rule["UDEF007"]["properties"]["udef/fixSafety"] == "unsafe"


def test_every_fixer_has_a_fix_safety_and_every_safety_a_fixer() -> None:
    policy = load_policy()
    with_fixers = {rule for rule, _ in FIXERS}
    declared = {rid for rid, meta in policy.rules.items() if meta.fix_safety is not None}
    assert declared == with_fixers & set(policy.rules)
    for rule, kind in FIXERS:
        if rule in policy.rules:
            assert kind in policy.rules[rule].kinds or kind == "", (rule, kind)
    assert {policy.rules[r].fix_safety for r in ("UDEF010", "UDEF011")} == {"safe"}


def test_fix_safety_is_validated() -> None:
    base = {
        k: "x"
        for k in ("title", "chapter", "section", "category", "summary", "methodology", "what", "why", "example", "fix")
    }
    meta = {**base, "id": "UDEF999", "slug": "x", "level": "note", "scope": "repository"}
    assert parse_rule_meta({**meta, "fix-safety": "unsafe"}).fix_safety == "unsafe"
    assert parse_rule_meta(meta).fix_safety is None
    try:
        parse_rule_meta({**meta, "fix-safety": "maybe"})
    except PolicyError as exc:
        assert "fix-safety must be one of safe, unsafe" in str(exc)
    else:
        raise AssertionError("an unknown fix-safety was accepted")
