"""Profiles and phases through the installed command, as a user sees them (contract rev 3,
"Profiles" and "Phases"): the inferred profile and its reason, a later-phase rule lowered
to a note that never fails the run, in the text and the JSON report."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

SERVICE = {
    "pyproject.toml": '[project]\nname = "api"\nversion = "1"\n\n[tool.udef-audit]\nphase = 0\n',
    "src/api/__init__.py": "",
    "Dockerfile": 'FROM python:3.12-slim\nCMD ["python"]\n',
}
SELECT = ("--select", "UDEF008,UDEF017")

pytestmark = pytest.mark.slow


def test_phase_zero_lowers_a_phase_one_rule_and_keeps_a_phase_zero_error(tmp_path: Path, run_cli) -> None:
    write_tree(tmp_path, SERVICE)
    done = run_cli(tmp_path, *SELECT, "--format", "json")
    assert done.code == 1  # UDEF008 (phase 0) still fails; UDEF017 (phase 1) does not
    report = done.json()
    assert [(f["ruleId"], f["level"], f["aheadOfPhase"]) for f in report["findings"]] == [
        ("UDEF008", "error", None),
        ("UDEF017", "note", 1),
    ]
    assert report["properties"]["udef/profile"] == {
        "profile": "service",
        "source": "inferred",
        "reason": "Dockerfile at Dockerfile",
    }
    text = run_cli(tmp_path, *SELECT).stdout
    assert "pyproject.toml:1 UDEF017 [note] (phase 1 rule, ahead of the declared phase) No requirements" in text


def test_without_a_phase_the_phase_one_rule_keeps_its_level(tmp_path: Path, run_cli) -> None:
    write_tree(tmp_path, {**SERVICE, "pyproject.toml": '[project]\nname = "api"\nversion = "1"\n'})
    report = run_cli(tmp_path, *SELECT, "--format", "json").json()
    assert [(f["ruleId"], f["level"], f["aheadOfPhase"]) for f in report["findings"]] == [
        ("UDEF008", "error", None),
        ("UDEF017", "warning", None),
    ]


def test_a_library_is_not_asked_for_containers(tmp_path: Path, run_cli) -> None:
    tree = {k: v for k, v in SERVICE.items() if k != "Dockerfile"}
    write_tree(tmp_path, tree)
    done = run_cli(tmp_path, "--select", "UDEF008", "--format", "json")
    assert done.code == 0
    report = done.json()
    assert report["findings"] == []
    assert report["properties"]["udef/profile"]["profile"] == "library"
    declared = {**tree, "pyproject.toml": tree["pyproject.toml"] + 'profile = "service"\n'}
    write_tree(tmp_path, declared)
    report = run_cli(tmp_path, "--select", "UDEF008", "--format", "json").json()
    assert [f["ruleId"] for f in report["findings"]] == ["UDEF008"]
    assert report["properties"]["udef/profile"]["source"] == "config"
