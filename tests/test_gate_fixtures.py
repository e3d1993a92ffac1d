"""The gates on eight fixture repositories (phases 0-3, a library and a service each), item by
item, in every format: `udef-audit gates` (text, JSON, Markdown), the full report's JSON
`gates`, SARIF's `udef/gates`, the text report's gates section, and `--fail-below-phase`.

The expected statuses are data (tests/gate_fixtures.py); items decided by rules not yet on
this branch are expected `not checked` until those rules are installed, their contract status
afterwards (read from the policy at test time).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import REPO
from gate_fixtures import (
    CHECKED,
    FAIL,
    FIXTURES,
    MANUAL,
    NA,
    NOT_CHECKED,
    PASS,
    PENDING_RULES,
    TABLES,
    Today,
    copy_fixture,
    expected_today,
    installed_rules,
    profile_of,
    reached,
)

from udef_audit.gate_checklists import PhaseGate
from udef_audit.policy import load_policy
from udef_audit.report import render
from udef_audit.testing import audit_tree

GATES = load_policy().gates
PROFILE_LINES = {
    "library": "library: no project has a Dockerfile, compose file, manage.py or application server",
    "service": "service: Dockerfile at Dockerfile",
}
TALLY_ORDER = (PASS, "waived", FAIL, NOT_CHECKED, MANUAL, NA)
SCHEMA = json.loads((REPO / "src/udef_audit/report/schema/report-v1.schema.json").read_text(encoding="utf-8"))
Decided = dict[tuple[int, str], Today]


def _today(name: str) -> Decided:
    return expected_today(TABLES[name], installed_rules())


# -- the tables themselves ------------------------------------------------------------------
@pytest.mark.parametrize("name", FIXTURES)
def test_each_table_names_every_item_and_reaches_its_fixtures_phase(name: str) -> None:
    table = TABLES[name]
    assert sorted(table) == sorted(item.item for gate in GATES for item in gate.items)
    every_rule = frozenset(load_policy().rules) | PENDING_RULES
    assert reached(expected_today(table, every_rule), GATES) == int(name[len("phase")])


def test_pending_rules_are_the_contract_rules_deciding_phase_2_and_3_items() -> None:
    deciding = {rule for gate in GATES if gate.phase in (2, 3) for item in gate.items for rule in item.rule_ids}
    assert deciding >= PENDING_RULES
    # Today they are missing, and the phase 2-3 fixtures stop at phase 1; once they land, not.
    missing = PENDING_RULES - installed_rules()
    phases_today = [reached(_today(name), GATES) for name in FIXTURES]
    before, after = [0, 0, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 2, 2, 3, 3]
    if missing == PENDING_RULES:
        assert phases_today == before
    elif not missing:
        assert phases_today == after
    else:  # some have landed: each fixture is somewhere between
        assert all(b <= now <= a for b, now, a in zip(before, phases_today, after, strict=True))


# -- JSON: `udef-audit gates --format json`, the report's `gates`, SARIF's `udef/gates` ------
def _check_json_items(gates: dict[str, Any], name: str, decided: Decided) -> None:
    assert (gates["reached"], gates["profile"]) == (reached(decided, GATES), profile_of(name))
    assert [p["phase"] for p in gates["phases"]] == [g.phase for g in GATES]
    for gate, phase in zip(GATES, gates["phases"], strict=True):
        assert phase["passed"] == all(
            decided[(gate.phase, i.item)].status not in (FAIL, NOT_CHECKED) for i in gate.items
        )
        for item, shown in zip(gate.items, phase["items"], strict=True):
            want = decided[(gate.phase, item.item)]
            where = f"{name}: {item.item}"
            assert (shown["item"], shown["status"], shown["rules"]) == (item.item, want.status, list(item.rule_ids)), (
                where
            )
            assert shown.get("notChecked", []) == list(want.not_checked), where
            listed = [(r["ruleId"], r["path"], r["line"]) for r in shown["results"]]
            assert [r for r in listed if r[0] not in want.failing] == list(want.results), where
            assert all(any(r[0] == rule for r in listed) for rule in want.failing), where


@pytest.mark.parametrize("name", FIXTURES)
def test_every_format_says_each_item(name: str, tmp_path: Path) -> None:
    decided = _today(name)
    result = audit_tree(copy_fixture(name, tmp_path))
    report = json.loads(render(result, "json"))
    jsonschema.validate(report, SCHEMA)
    _check_json_items(report["gates"], name, decided)
    sarif = json.loads(render(result, "sarif"))
    assert sarif["runs"][0]["properties"]["udef/gates"] == report["gates"]
    gates = report["gates"]
    markdown = render(result, "markdown")
    assert "\n".join(markdown_lines(gates)) in markdown
    assert "\n".join(text_lines(gates, decided)) in render(result, "text")


@pytest.mark.parametrize("name", FIXTURES)
def test_the_gates_command_in_each_format(name: str, tmp_path: Path, run_inproc) -> None:
    repo = copy_fixture(name, tmp_path)
    decided = _today(name)
    as_json = run_inproc("gates", repo, "--format", "json")
    assert as_json.code == 0, as_json.stderr
    gates = as_json.json()
    _check_json_items(gates, name, decided)
    as_text = run_inproc("gates", repo)
    assert as_text.stdout == "\n".join([PROFILE_LINES[profile_of(name)], *text_lines(gates, decided)]) + "\n"
    as_markdown = run_inproc("gates", repo, "--format", "markdown")
    assert as_markdown.stdout == "\n".join(markdown_lines(gates)).rstrip() + "\n"


@pytest.mark.parametrize("name", FIXTURES)
def test_fail_below_phase_exits_1_below_the_phase_reached(name: str, tmp_path: Path, run_inproc) -> None:
    repo = copy_fixture(name, tmp_path)
    phase = reached(_today(name), GATES)
    assert run_inproc("gates", repo, "--fail-below-phase", str(phase), "--format", "json").code == 0
    assert run_inproc("gates", repo, "--fail-below-phase", str(phase + 1), "--format", "json").code == 1
    # The main command: the phase gate fails the run even when no finding does.
    assert run_inproc(repo, "--fail-on", "never", "--fail-below-phase", str(phase), "--format", "json").code == 0
    assert run_inproc(repo, "--fail-on", "never", "--fail-below-phase", str(phase + 1), "--format", "json").code == 1


# -- the real command, end to end -----------------------------------------------------------
def test_cli_gates_markdown_and_phase_gate(tmp_path: Path, run_cli) -> None:
    repo = copy_fixture("phase1-service", tmp_path)
    shown = run_cli("gates", repo, "--format", "markdown", "--fail-below-phase", "2")
    assert shown.code == 1, shown.stderr
    assert shown.stdout.startswith(
        "### Phase gates: phase 1 reached (service)\n\n#### Phase 0 Validation Checklist: ✅ passed\n"
    )
    assert (
        "- [ ] Security measures in place (rate limiting, logging) — **fail**: `Dockerfile:19` UDEF009\n"
        in shown.stdout
    )
    assert run_cli("gates", repo, "--fail-below-phase", "1").code == 0


def test_cli_report_formats_carry_the_same_gates(tmp_path: Path, run_cli) -> None:
    repo = copy_fixture("phase0-library", tmp_path)
    as_json = run_cli(repo, "--format", "json", "--fail-on", "never")
    as_sarif = run_cli(repo, "--format", "sarif", "--fail-on", "never")
    gates = run_cli("gates", repo, "--format", "json").json()
    assert as_json.json()["gates"] == gates == as_sarif.json()["runs"][0]["properties"]["udef/gates"]
    assert gates["reached"] == 0
    text = run_cli(repo, "--fail-on", "never", "--fail-below-phase", "1")
    assert text.code == 1
    assert "  Next: Phase 1 Validation Checklist → Human Gate: Specification Approval (5 fail)\n" in text.stdout


# -- what each format should read, built from the expected statuses -------------------------
def _tally(statuses: list[str]) -> str:
    counts = Counter(statuses)
    return ", ".join(f"{counts[s]} {s}" for s in TALLY_ORDER if counts[s])


def _passed(gate: PhaseGate, decided: Decided) -> bool:
    return all(decided[(gate.phase, i.item)].status not in (FAIL, NOT_CHECKED) for i in gate.items)


def _reached_line(gates: dict[str, Any]) -> str:
    if gates["reached"] < 0:
        return f"Phase gates: phase 0 not reached ({gates['profile']})"
    return f"Phase gates: phase {gates['reached']} reached ({gates['profile']})"


def _title(gate: Any) -> str:
    # Phase 3's checklist is named by its Human Gate only in the methodology.
    return f"Phase {gate.phase} checklist" if gate.checklist == gate.gate else gate.checklist


def text_lines(gates: dict[str, Any], decided: Decided) -> list[str]:
    """The gates section of the text report: passed gates, then the next gate's blockers (each
    with its results, as the JSON lists them) and what the Human Gate must confirm."""
    lines = [_reached_line(gates)]
    statuses = {g.phase: [decided[(g.phase, i.item)].status for i in g.items] for g in GATES}
    following = next((g for g in GATES if not _passed(g, decided)), None)
    # Only the gates before the first one that does not pass read as passed.
    before = list(GATES) if following is None else list(GATES)[: list(GATES).index(following)]
    lines += [f"  ✓ {_title(g)}: passed ({_tally(statuses[g.phase])})" for g in before]
    if following is None:
        return [*lines, "  Every gate the repository can show passes; the manual items remain for people."]
    lines.append(f"  Next: {_title(following)} → {following.gate} ({_tally(statuses[following.phase])})")
    shown = {i["item"]: i for i in gates["phases"][following.phase]["items"]}
    for status in (FAIL, NOT_CHECKED):
        for item in following.items:
            want = decided[(following.phase, item.item)]
            if want.status == status == FAIL:
                lines.append(f"    ✗ {item.item} ({', '.join(item.rule_ids)})")
                lines += _result_lines(shown[item.item]["results"])
            elif want.status == status == NOT_CHECKED:
                missing = ", ".join(want.not_checked)
                lines.append(f"    ! {item.item}: not checked ({missing} not installed or not selected)")
    manual = [i.item for i in following.items if decided[(following.phase, i.item)].status == MANUAL]
    return lines + ([f"    ? For the Human Gate to confirm: {'; '.join(manual)}"] if manual else [])


def _result_lines(results: list[dict[str, Any]]) -> list[str]:
    lines = [f"        {r['path']}:{r['line']} {r['ruleId']}" for r in results[:3]]
    return lines + ([f"        … and {len(results) - 3} more"] if len(results) > 3 else [])


def markdown_lines(gates: dict[str, Any]) -> list[str]:
    """The methodology's checklists as GitHub task lists, each item with its status."""
    lines = [f"### {_reached_line(gates)}", ""]
    for gate, phase in zip(GATES, gates["phases"], strict=True):
        lines += [f"#### {gate.checklist}: {'✅ passed' if phase['passed'] else '❌ not passed'}", ""]
        lines += [_markdown_item(item) for item in phase["items"]]
        lines += ["", f"*{gate.gate}*", ""]
    return lines


def _markdown_item(item: dict[str, Any]) -> str:
    box = "[x]" if item["status"] in CHECKED else "[ ]"
    text = item["item"].replace("<", "&lt;")
    status = item["status"]
    if status == FAIL:
        shown = ", ".join(f"`{r['path']}:{r['line']}` {r['ruleId']}" for r in item["results"][:3])
        more = f" and {len(item['results']) - 3} more" if len(item["results"]) > 3 else ""
        return f"- {box} {text} — **fail**: {shown}{more}"
    detail = {
        PASS: "",
        "waived": " — waived",
        NA: " — n/a",
        MANUAL: " — *manual: confirm at the Human Gate*",
        NOT_CHECKED: f" — not checked ({', '.join(item.get('notChecked', []))} not installed or not selected)",
    }[status]
    return f"- {box} {text}{detail}"
