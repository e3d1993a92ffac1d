"""rule_runs.py: each rule in isolation, its results checked against what its YAML declares,
and the findings and notes handed back in the rules' order whatever order they ran in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from udef_audit.config import RuleSettings
from udef_audit.context import RepoContext
from udef_audit.findings import Finding, Level, Notification
from udef_audit.hookspecs import Rule
from udef_audit.inventory import build_inventory
from udef_audit.policy import load_policy
from udef_audit.rule_cache import RuleCache
from udef_audit.rule_runs import run_beside_python_scan, run_rules
from udef_audit.testing import write_tree

RAN: list[str] = []


class Careless:
    """Stands for UDEF006: one good result, one without a line, one of a kind UDEF006
    never declared, one in another rule's name."""

    id: ClassVar[str] = "UDEF006"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        RAN.append(self.id)
        yield Finding(rule_id="UDEF006", message="kept", path="a.py", line=2, kind="marker")
        yield Finding(rule_id="UDEF006", message="no line", path="a.py", line=0)
        yield Finding(rule_id="UDEF006", message="odd kind", path="a.py", line=3, kind="nonsense")
        yield Finding(rule_id="UDEF001", message="not mine", path="a.py", line=4)


class Broken:
    """Stands for UDEF026: raises."""

    id: ClassVar[str] = "UDEF026"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        RAN.append(self.id)
        raise RuntimeError("broken")


def context(root: Path) -> RepoContext:
    return RepoContext(build_inventory(root, lambda path: False), use_cache=False)


def test_results_a_rule_does_not_declare_are_dropped_with_a_note(tmp_path: Path) -> None:
    ctx = context(write_tree(tmp_path, {"a.py": "x = 1\n"}))
    rules: dict[str, Rule] = {"UDEF006": Careless(), "UDEF026": Broken()}
    settings = {rule_id: RuleSettings(Level.WARNING, {}) for rule_id in rules}
    notes: list[Notification] = []
    found = run_rules(ctx, ["UDEF006", "UDEF026"], rules=rules, settings=settings, policy=load_policy(), notes=notes)
    assert [f.message for f in found] == ["kept"]
    assert [(note.rule_id, note.message.split(":")[0]) for note in notes] == [
        ("UDEF006", "rule UDEF006 produced an invalid result"),
        ("UDEF006", "rule UDEF006 produced a result of undeclared kind 'nonsense' (declare it under `kinds"),
        ("UDEF006", "rule UDEF006 produced an invalid result"),
        ("UDEF026", "rule UDEF026 failed"),
    ]


def test_a_python_reader_runs_last_but_reports_in_order(tmp_path: Path) -> None:
    # UDEF006's YAML says reads-every-python-file: it runs after UDEF026, and its notes
    # still come first.
    ctx = context(write_tree(tmp_path, {"a.py": "x = 1\n"}))
    rules: dict[str, Rule] = {"UDEF006": Careless(), "UDEF026": Broken()}
    settings = {rule_id: RuleSettings(Level.WARNING, {}) for rule_id in rules}
    policy = load_policy()
    cache = RuleCache(ctx, [(rule_id, {}) for rule_id in rules], enabled=False, mode="whole")
    notes: list[Notification] = []
    RAN.clear()
    found = run_beside_python_scan(
        ctx, ["UDEF006", "UDEF026"], True, rules=rules, settings=settings, policy=policy, notes=notes, cache=cache
    )
    assert RAN == ["UDEF026", "UDEF006"]
    assert [f.message for f in found] == ["kept"]
    assert [note.rule_id for note in notes] == ["UDEF006", "UDEF006", "UDEF006", "UDEF026"]
    assert ctx._prefetched == {}  # started for UDEF006, which never asked: stopped
