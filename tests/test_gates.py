"""The methodology's phase gates: the data, each status, the phase reached, every output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO
from markdown_it import MarkdownIt

from udef_audit.findings import CATEGORIES, Finding, Suppression
from udef_audit.gate_checklists import GateItem, GatesError, PhaseGate, RuleRef, parse_gates
from udef_audit.gates import GateInputs, evaluate
from udef_audit.policy import load_policy
from udef_audit.profiles import Profile
from udef_audit.report import render
from udef_audit.testing import audit_tree

LIBRARY = Profile("library", "no Dockerfile")
SERVICE = Profile("service", "Dockerfile at Dockerfile")
METHODOLOGY = (REPO / "docs" / "design" / "methodology.md").read_text(encoding="utf-8")


def finding(rule_id: str, path: str = "a.py", *, suppressed: bool = False, **properties: object) -> Finding:
    suppressions = (Suppression("external", "baseline"),) if suppressed else ()
    return Finding(rule_id, "m", path, suppressions=suppressions, properties=dict(properties))


def one_item(item: GateItem, inputs: GateInputs) -> tuple[str, list[tuple[str, str]]]:
    (phase,) = evaluate([PhaseGate(0, "Checklist", "Gate", (item,))], inputs).phases
    (decided,) = phase.items
    return decided.status, [(r.rule_id, r.path) for r in decided.results]


def inputs(*findings: Finding, checked: str = "UDEF001 UDEF002 UDEF024", na: str = "", profile=LIBRARY) -> GateInputs:
    return GateInputs(list(findings), frozenset(checked.split()), frozenset(na.split()), profile)


# -- the data -------------------------------------------------------------------------------
def test_every_checklist_item_is_the_methodologys_word_for_word() -> None:
    gates = load_policy().gates
    assert [g.phase for g in gates] == [0, 1, 2, 3, 4]
    assert [len(g.items) for g in gates] == [9, 5, 8, 6, 6]
    for gate in gates:
        for item in gate.items:
            assert f"- [ ] {item.item}\n" in METHODOLOGY, item.item
        assert f"### {gate.gate}" in METHODOLOGY


def test_every_deciding_rule_is_a_contract_rule() -> None:
    lines = (REPO / "tests" / "data" / "rule-ids.txt").read_text().splitlines()
    contract = {line.split()[0] for line in lines if line[:1] != "#"}
    for gate in load_policy().gates:
        for item in gate.items:
            assert set(item.rule_ids) <= contract, item.item


def _gates_data(item: dict[str, object], phase: int = 0) -> dict[str, object]:
    return {"phases": [{"phase": phase, "checklist": "c", "gate": "g", "items": [item]}]}


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"phases": []}, "'phases' must be a non-empty list"),
        (_gates_data({"item": "x", "manual": True}, phase=1), "0, 1, 2"),
        (_gates_data({"item": "x"}), "names no rule"),
        (_gates_data({"item": "x", "rule": ["A"]}), "unknown"),
        (_gates_data({"item": "x", "rules": [3]}), "an ID or"),
    ],
)
def test_bad_gates_data_is_refused(broken: dict[str, object], message: str) -> None:
    with pytest.raises(GatesError, match=re.escape(message)):
        parse_gates(broken)


# -- each status ----------------------------------------------------------------------------
def test_pass_fail_and_waived() -> None:
    item = GateItem("Single dependency system", (RuleRef("UDEF002"),))
    assert one_item(item, inputs()) == ("pass", [])
    assert one_item(item, inputs(finding("UDEF002", "requirements.txt"))) == ("fail", [("UDEF002", "requirements.txt")])
    waived = inputs(finding("UDEF002", "setup.py", suppressed=True))
    assert one_item(item, waived) == ("waived", [("UDEF002", "setup.py")])
    # A result of another rule does not count.
    assert one_item(item, inputs(finding("UDEF001"))) == ("pass", [])


def test_service_items_are_not_applicable_to_a_library() -> None:
    item = GateItem("Container runs without errors", manual=True, profile="service")
    assert one_item(item, inputs())[0] == "n/a"
    assert one_item(item, inputs(profile=SERVICE))[0] == "manual"
    rule_item = GateItem("Multi-stage Docker builds", (RuleRef("UDEF008"),))
    assert one_item(rule_item, inputs(na="UDEF008"))[0] == "n/a"


def test_not_checked_is_never_a_pass_and_a_failure_says_more() -> None:
    item = GateItem("Lockfile generation strategy documented", (RuleRef("UDEF001"), RuleRef("UDEF014")))
    (phase,) = evaluate([PhaseGate(0, "c", "g", (item,))], inputs()).phases
    assert (phase.items[0].status, phase.items[0].unchecked, phase.passed) == ("not checked", ("UDEF014",), False)
    assert one_item(item, inputs(finding("UDEF001")))[0] == "fail"


def test_plus_manual_fails_on_a_result_else_stays_manual() -> None:
    item = GateItem("Pathfinder module fully implemented with TDD", (RuleRef("UDEF001"),), manual=True)
    assert one_item(item, inputs())[0] == "manual"
    assert one_item(item, inputs(finding("UDEF001")))[0] == "fail"


def test_categories_narrow_a_rule_to_some_of_its_results() -> None:
    item = GateItem("Performance baselines established", (RuleRef("UDEF024", ("performance",)),))
    assert one_item(item, inputs(finding("UDEF024", **{CATEGORIES: ["integration"]})))[0] == "pass"
    assert one_item(item, inputs(finding("UDEF024", **{CATEGORIES: ["integration", "performance"]})))[0] == "fail"


def test_an_item_judged_with_its_own_parameters_reads_its_own_results() -> None:
    item = GateItem("95% test coverage", (RuleRef("UDEF001"),), params={"UDEF001": {"minimum": 95}})
    gates = [PhaseGate(0, "c", "g", (item,))]
    rerun = {(0, "95% test coverage"): [finding("UDEF001")]}
    plain = inputs()
    assert evaluate(gates, plain).phases[0].items[0].status == "pass"
    with_rerun = GateInputs(plain.findings, plain.checked, plain.not_applicable, LIBRARY, rerun)
    assert evaluate(gates, with_rerun).phases[0].items[0].status == "fail"


def test_the_phase_reached_is_the_last_of_an_unbroken_run_of_passed_gates() -> None:
    ok = GateItem("fine", (RuleRef("UDEF001"),))
    broken = GateItem("broken", (RuleRef("UDEF002"),))
    gates = [PhaseGate(0, "a", "A", (ok,)), PhaseGate(1, "b", "B", (broken,)), PhaseGate(2, "c", "C", (ok,))]
    result = evaluate(gates, inputs(finding("UDEF002")))
    assert result.reached == 0 and result.next_phase is not None and result.next_phase.phase == 1
    assert evaluate(gates, inputs()).reached == 2
    assert evaluate(gates, inputs(finding("UDEF001"))).reached == -1


# -- every output ---------------------------------------------------------------------------
FLAT = {
    "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\n",
    "app/__init__.py": "",
    "README.md": "# app\n",
}


def test_gates_in_json_sarif_text_and_markdown(tmp_path: Path) -> None:
    result = audit_tree(FLAT, tmp_path)
    assert result.gates is not None and result.gates.reached == -1
    report = json.loads(render(result, "json"))
    schema = json.loads((REPO / "src/udef_audit/report/schema/report-v1.schema.json").read_text())
    jsonschema.validate(report, schema)
    phase0 = {i["item"]: i for i in report["gates"]["phases"][0]["items"]}
    assert phase0["SRC layout structure in place"] == {
        "item": "SRC layout structure in place",
        "status": "fail",
        "rules": ["UDEF001"],
        "results": [{"ruleId": "UDEF001", "path": "app/__init__.py", "line": 1}],
    }
    assert phase0["Container runs without errors"]["status"] == "n/a"  # a library
    sarif = json.loads(render(result, "sarif"))
    assert sarif["runs"][0]["properties"]["udef/gates"] == report["gates"]
    text = render(result, "text")
    assert "Phase gates: phase 0 not reached (library)" in text
    assert "✗ SRC layout structure in place (UDEF001)\n        app/__init__.py:1 UDEF001" in text


def test_markdown_checklists_are_github_task_lists(tmp_path: Path) -> None:
    result = audit_tree(FLAT, tmp_path)
    markdown = render(result, "markdown")
    # GitHub renders a list item whose paragraph starts with "[ ] " or "[x] " as a task list
    # item (GFM spec, "Task list items"): parse as CommonMark and check every gate line is one.
    tokens = MarkdownIt("commonmark").parse(markdown)
    items = [t.content for i, t in enumerate(tokens) if t.type == "inline" and tokens[i - 2].type == "list_item_open"]
    checklist = [item for item in items if item[:4] in ("[ ] ", "[x] ")]
    assert len(checklist) == 34  # 9 + 5 + 8 + 6 + 6 items
    assert "[ ] SRC layout structure in place — **fail**: `app/__init__.py:1` UDEF001" in checklist
    assert "[x] Container runs without errors — n/a" in checklist


def test_gates_command_and_fail_below_phase(tmp_path: Path, run_inproc) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name, text in FLAT.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    shown = run_inproc("gates", repo)
    assert shown.code == 0 and "Phase gates: phase 0 not reached (library)" in shown.stdout
    as_json = run_inproc("gates", repo, "--format", "json")
    assert json.loads(as_json.stdout)["reached"] == -1
    assert run_inproc("gates", repo, "--fail-below-phase", "0").code == 1
    assert run_inproc(repo, "--fail-below-phase", "0", "--fail-on", "never").code == 1
    assert run_inproc(repo, "--fail-on", "never").code == 0
    bad = run_inproc("gates", repo, "--format", "sarif")
    assert bad.code == 2 and "invalid choice: 'sarif'" in bad.stderr
