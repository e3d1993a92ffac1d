"""The rule cache: a warm audit replays each rule's results while nothing it read changed,
and runs the rule again as soon as a file it read, the listing or its settings change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import Run

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.inventory import build_inventory
from udef_audit.rule_cache import RuleCache
from udef_audit.rules import LazyRule

PYPROJECT = '[project]\nname = "demo"\nversion = "1.0"\ndependencies = []\n'


def _repo(root: Path) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "src/demo/__init__.py": "def f():\n    raise NotImplementedError\n",
        "README.md": "# Demo\n\n[guide](docs/guide.md)\n",
        "docs/guide.md": "# Guide\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each built-in rule's check actually ran."""
    counts: Counter[str] = Counter()
    original = LazyRule.check

    def counting(self: LazyRule, ctx: Any, params: Mapping[str, Any]) -> Iterable[Any]:
        counts[self.id] += 1
        return original(self, ctx, params)

    monkeypatch.setattr(LazyRule, "check", counting)
    return counts


def _report(run_inproc: Callable[..., Run], root: Path, *args: str) -> list[tuple[Any, ...]]:
    result = run_inproc(root, "--format", "json", *args)
    assert result.code in (0, 1), result.stderr
    return [(f["ruleId"], f["path"], f["line"], f["column"], f["message"]) for f in result.json()["findings"]]


def test_an_unchanged_tree_runs_no_rule_and_reports_the_same(
    tmp_path: Path, run_inproc: Callable[..., Run], ran: Counter[str]
) -> None:
    root = _repo(tmp_path)
    cold = _report(run_inproc, root)
    assert ran["UDEF006"] == 1
    ran.clear()
    warm = _report(run_inproc, root)
    assert warm == cold
    assert not ran
    assert ("UDEF006", "src/demo/__init__.py", 2, 5) in [f[:4] for f in warm]


def test_a_changed_file_runs_the_rules_again_with_its_new_content(
    tmp_path: Path, run_inproc: Callable[..., Run], ran: Counter[str]
) -> None:
    root = _repo(tmp_path)
    _report(run_inproc, root)
    (root / "README.md").write_text("# Demo\n\n[guide](docs/missing.md)\n", encoding="utf-8")
    ran.clear()
    warm = _report(run_inproc, root)
    assert ran["UDEF026"] == 1
    assert warm == _report(run_inproc, root, "--no-cache")
    assert [f[:4] for f in warm if f[0] == "UDEF026"] == [("UDEF026", "README.md", 3, 1)]


def test_a_new_file_changes_the_listing_and_runs_every_rule(
    tmp_path: Path, run_inproc: Callable[..., Run], ran: Counter[str]
) -> None:
    root = _repo(tmp_path)
    _report(run_inproc, root)
    (root / "src/demo/extra.py").write_text("x = 1  # TODO: more\n", encoding="utf-8")
    ran.clear()
    warm = _report(run_inproc, root)
    assert ran["UDEF001"] == 1
    assert warm == _report(run_inproc, root, "--no-cache")
    assert ("UDEF006", "src/demo/extra.py", 1, 10) in [f[:4] for f in warm]


def test_an_unparseable_file_is_still_a_udef000_note_when_replayed(
    tmp_path: Path, run_inproc: Callable[..., Run], ran: Counter[str]
) -> None:
    root = _repo(tmp_path)
    (root / "pyproject.toml").write_text(PYPROJECT + "broken = [\n", encoding="utf-8")
    cold = _report(run_inproc, root)
    ran.clear()
    warm = _report(run_inproc, root)
    assert not ran
    assert warm == cold
    assert [f[:4] for f in warm if f[0] == "UDEF000"] == [("UDEF000", "pyproject.toml", 1, None)]


def test_other_settings_run_the_rules_again(
    tmp_path: Path, run_inproc: Callable[..., Run], ran: Counter[str]
) -> None:
    root = _repo(tmp_path)
    _report(run_inproc, root)
    ran.clear()
    narrowed = _report(run_inproc, root, "--select", "UDEF006")
    assert ran == Counter({"UDEF006": 1})
    assert [f[0] for f in narrowed] == ["UDEF006"]


class _Versioned:
    cache_version = "1"


def test_results_that_json_would_change_are_not_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    root = _repo(tmp_path / "repo")
    ctx = RepoContext(build_inventory(root, lambda _path: False))
    cache = RuleCache(ctx, [("X001", {})], enabled=True, mode="whole")
    plain = Finding(rule_id="X001", message="m", path="README.md", properties={"names": ["a"]})
    cache.record(_Versioned(), "X001", {}, [plain], [])
    cache.record(_Versioned(), "X002", {}, [plain.with_changes(rule_id="X002", properties={"names": ("a",)})], [])
    cache.record(object(), "X003", {}, [plain.with_changes(rule_id="X003")], [])  # no cache_version
    assert set(cache.rules) == {"X001|1|{}"}
