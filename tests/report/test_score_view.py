"""The reset-vs-repair score explained: the arithmetic in the text report, Markdown, JSON
and SARIF; `udef-audit explain score [PATH]`; and a baseline that hides nothing from it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from conftest import REPO

from udef_audit.report import render
from udef_audit.testing import audit_tree, write_tree

REPORT_SCHEMA = json.loads((REPO / "src/udef_audit/report/schema/report-v1.schema.json").read_text())
OVERRIDES = (
    "[tool.udef-audit.reset-vs-repair]\nverdict-threshold = 40\n"
    "[tool.udef-audit.reset-vs-repair.criteria.foundation-breadth]\nweight = 40\n"
)
FLAT = {
    "pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n" + OVERRIDES,
    "app/__init__.py": "x = 1  # TODO: later\n",
}


def test_explain_score_prints_the_model_with_the_overrides(tmp_path: Path, run_inproc) -> None:
    root = write_tree(tmp_path, FLAT)
    result = run_inproc("explain", "score", cwd=root)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "The reset-vs-repair score (rules/reset-vs-repair.yaml; settings: pyproject.toml [tool.udef-audit])",
        "  score = clamp(0, 100, round(100 * Σ points of the known criteria / Σ their weights"
        " - Σ repair signals present))",
        "  verdict: reset at 40 or more, else repair; history window 90 days",
    ]
    assert '  foundation-breadth   weight  40, threshold  0.5  Foundation breadth: "Foundation issues affect > 50% ' \
        'of codebase"' in lines
    assert "  isolated-findings    weight  10, threshold 0.2  Findings isolated to few modules: " \
        '"Issues isolated to specific modules"' in lines
    assert not any("score 80" in line for line in lines)  # no path: no audit


def test_explain_score_of_a_repository(tmp_path: Path, run_inproc) -> None:
    root = write_tree(tmp_path / "r", FLAT)
    text = run_inproc("explain", "score", root)
    assert text.code == 0, text.stderr
    assert text.stdout.splitlines()[-1] == "  = 100 * 60 / 75 = 80.0; 80.0 - 0 = 80.0 → 80; 80 >= 40: reset"
    assert "  +  40.0 of 40  Foundation breadth (met): 100% of Python files (1 of 1) are in projects failing a " \
        "foundation rule" in text.stdout
    data = json.loads(run_inproc("explain", "score", root, "--format", "json").stdout)
    assert data["model"]["criteria"]["foundation-breadth"] == {"title": "Foundation breadth", "weight": 40,
                                                               "threshold": 0.5}
    assert data["score"]["arithmetic"] == {
        "points": 60.0,
        "knownWeight": 75.0,
        "scaled": 80.0,
        "repairPoints": 0.0,
        "unclamped": 80.0,
        "unknown": ["emergency-fixes", "debt-vs-velocity"],
        "formula": "100 * 60 / 75 = 80.0; 80.0 - 0 = 80.0 → 80; 80 >= 40: reset",
    }
    markdown = run_inproc("explain", "score", root, "--format", "markdown").stdout
    assert "| `foundation-breadth` Foundation breadth | 40 | 0.5 |" in markdown
    assert "`100 * 60 / 75 = 80.0; 80.0 - 0 = 80.0 → 80; 80 >= 40: reset`" in markdown


def test_explain_usage_mistakes(tmp_path: Path, run_inproc) -> None:
    assert run_inproc("explain", "score", tmp_path / "missing").code == 2
    # A rule's PATH is the repository whose custom policies count (issue 15); --policy is a rule's only.
    assert run_inproc("explain", "UDEF006", tmp_path).code == 0
    mistaken = run_inproc("explain", "score", tmp_path, "--policy", tmp_path / "org.toml")
    assert mistaken.code == 2
    assert mistaken.stderr == "udef-audit: error: --policy goes with `udef-audit explain ID` only\n"


def test_every_format_carries_the_arithmetic(tmp_path: Path) -> None:
    result = audit_tree(FLAT, tmp_path, score=True)
    report = json.loads(render(result, "json"))
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["properties"]["udef/resetVsRepair"]["arithmetic"]["formula"].endswith("80 >= 40: reset")
    sarif = json.loads(render(result, "sarif"))
    assert sarif["runs"][0]["properties"]["udef/resetVsRepair"]["arithmetic"]["knownWeight"] == 75.0
    markdown = render(result, "markdown")
    assert "| repair signal | value | present | subtracted |" in markdown
    assert "| Foundation breadth | 100% of Python files (1 of 1) are in projects failing a foundation rule | 0.5 | " \
        "yes | 40 of 40 |" in markdown
    text = render(result, "text")
    assert "│ Reset vs repair: RESET, score 80 of 100 (a reset takes 40 or more) │" in text


def test_a_baseline_hides_no_placeholder_from_the_score(tmp_path: Path) -> None:
    tree = {**FLAT, "src/b/__init__.py": "y = 2  # FIXME: soon\n"}
    plain = audit_tree(tree, tmp_path / "plain", git=True, score=True)
    baseline = tmp_path / "baseline.json"
    adopted = audit_tree(tree, tmp_path / "adopted", git=True, score=True, write_baseline=baseline)
    assert adopted.active == [] and adopted.findings  # everything baselined
    assert plain.score is not None and adopted.score is not None
    debt = {c.id: c.value for c in adopted.score.criteria}["debt-vs-velocity"]
    assert debt.startswith("2 placeholders and 0 functions over complexity 10 in the 2 Python files changed")
    assert (adopted.score.score, [c.value for c in adopted.score.criteria]) == (
        plain.score.score, [c.value for c in plain.score.criteria]
    )
