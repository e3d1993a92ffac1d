"""The batch database and the org summary it builds (the contract in batch/model.py)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from udef_audit.batch.model import RepoOutcome
from udef_audit.batch.store import Store, StoreError

VERSION = "9.9"
POLICY = "none"


def ok(key: str, score: int, verdict: str, counts: dict[str, int], head: str = "h1", **extra: Any) -> RepoOutcome:
    criteria = [
        {"id": "foundation-breadth", "met": score >= 50, "evidence": [{"text": f"{key}: src layout"}]},
        {"id": "emergency-fixes", "met": False, "evidence": []},
    ]
    findings = [
        {
            "ruleId": rule,
            "path": "f.py",
            "line": 1,
            "level": "error",
            "fingerprint": f"{rule}-{i}",
            "message": "m",
            "suppressed": False,
        }
        for rule, count in counts.items()
        for i in range(count)
    ]
    return RepoOutcome(
        key=key, status="ok", head=head, policy_hash=POLICY, tool_version=VERSION, score=score, verdict=verdict,
        exit_code=1 if any(counts.values()) else 0, counts=counts, findings=findings, criteria=criteria,
        rules_run=sorted(counts), seconds=0.5, **extra,
    )  # fmt: skip


def failed(key: str, reason: str) -> RepoOutcome:
    return RepoOutcome(key=key, status="failed", reason=reason, policy_hash=POLICY, tool_version=VERSION)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "batch.sqlite")


def run(
    store: Store, outcomes: list[RepoOutcome], *, finish: bool = True, previous: dict[str, int] | None = None
) -> int:
    run_id = store.begin_run(VERSION, POLICY, len(outcomes), {"executor": "test"})
    for outcome in outcomes:
        store.record(run_id, outcome, source=outcome.key, previous_result_id=(previous or {}).get(outcome.key))
    if finish:
        store.finish_run(run_id)
    return run_id


@pytest.mark.requirement("batch:FR-13")
def test_summary_layout_order_and_aggregates(store: Store) -> None:
    run_id = run(
        store,
        [
            ok("https://git.example.com/org/api", 60, "reset", {"UDEF001": 1, "UDEF003": 0}),
            ok("/srv/web", 30, "repair", {"UDEF001": 0, "UDEF003": 2}, sarif_file="/tmp/web.sarif"),
            failed("/srv/gone", "path not found: /srv/gone"),
            ok("/srv/perfect", 0, "repair", {"UDEF001": 0, "UDEF003": 0}),
        ],
    )
    summary = store.org_summary(run_id)
    assert set(summary) == {"run", "totals", "repositories", "rules", "scores", "phases", "trend", "changes"}
    assert summary["totals"] == {"repositories": 4, "audited": 3, "skipped": 0, "failed": 1, "timed_out": 0}
    assert summary["run"]["id"] == run_id
    assert summary["run"]["repositories"] == 4
    assert (summary["run"]["tool_version"], summary["run"]["policy_hash"]) == (VERSION, POLICY)
    assert summary["run"]["finished"] is not None

    repos = summary["repositories"]
    assert [r["name"] for r in repos] == ["org/api", "web", "perfect", "gone"]  # score high to low, failures last
    api = repos[0]
    assert api == {
        "key": "https://git.example.com/org/api",
        "name": "org/api",
        "status": "ok",
        "reason": None,
        "head": "h1",
        "score": 60,
        "verdict": "reset",
        "counts": {"UDEF001": 1, "UDEF003": 0},
        "criteria_met": ["foundation-breadth"],
        "evidence": ["foundation-breadth: https://git.example.com/org/api: src layout"],
        "sarif_file": None,
        "phase_reached": None,  # an outcome recorded without gates (an older audit)
        "next_gate": None,
        "blocking": [],
    }
    assert repos[1]["sarif_file"] == "/tmp/web.sarif"
    assert (repos[3]["status"], repos[3]["reason"], repos[3]["score"]) == ("failed", "path not found: /srv/gone", None)

    rules = {rule["id"]: rule for rule in summary["rules"]}
    assert rules["UDEF001"] | {"title": ""} == {
        "id": "UDEF001", "slug": "src-layout", "title": "", "passing": 2, "failing": 1, "pass_rate": 0.6667,
    }  # fmt: skip
    assert rules["UDEF001"]["title"]
    assert (rules["UDEF003"]["passing"], rules["UDEF003"]["failing"]) == (2, 1)

    scores = summary["scores"]
    assert scores["histogram"][0] == [0, 10, 1]
    assert scores["histogram"][3] == [30, 40, 1]
    assert scores["histogram"][6] == [60, 70, 1]
    assert sum(bucket[2] for bucket in scores["histogram"]) == 3
    assert (scores["reset"], scores["repair"]) == (1, 2)

    [point] = summary["trend"]
    assert point | {"date": ""} == {
        "run_id": run_id,
        "date": "",
        "mean_score": 30.0,
        "reset": 1,
        "repositories": 4,
        "pass_rate": round(1 / 3, 4),
    }
    assert summary["changes"] == {"previous_run_id": None, "new_resets": [], "recovered": [], "score_deltas": []}


def test_skipped_repository_contributes_its_previous_result(store: Store) -> None:
    first = run(store, [ok("/srv/a", 70, "reset", {"UDEF001": 1})])
    previous = store.unchanged_result("/srv/a", "h1", POLICY, VERSION)
    assert previous is not None
    assert previous.run_id == first
    skipped = RepoOutcome(
        key="/srv/a", status="skipped", reason="unchanged", head="h1", policy_hash=POLICY, tool_version=VERSION
    )
    second = run(store, [skipped], previous={"/srv/a": previous.result_id})
    [row] = store.org_summary(second)["repositories"]
    assert (row["status"], row["score"], row["verdict"], row["counts"]) == ("skipped", 70, "reset", {"UDEF001": 1})
    assert store.org_summary(second)["rules"][0]["failing"] == 1


@pytest.mark.parametrize(
    ("head", "policy", "version"), [("h2", POLICY, VERSION), ("h1", "other", VERSION), ("h1", POLICY, "10.0")]
)
def test_anything_changed_means_no_previous_result(store: Store, head: str, policy: str, version: str) -> None:
    run(store, [ok("/srv/a", 10, "repair", {})])
    assert store.unchanged_result("/srv/a", head, policy, version) is None
    assert store.unchanged_result("/srv/a", None, POLICY, VERSION) is None


def test_only_an_ok_result_can_be_reused(store: Store) -> None:
    run(store, [failed("/srv/a", "boom")])
    assert store.unchanged_result("/srv/a", None, POLICY, VERSION) is None
    assert store.unchanged_result("/srv/a", "h1", POLICY, VERSION) is None


@pytest.mark.requirement("batch:FR-12")
def test_changes_and_trend_across_runs_ignore_a_killed_run(store: Store) -> None:
    first = run(
        store,
        [
            ok("/srv/a", 60, "reset", {}),
            ok("/srv/b", 20, "repair", {}),
            ok("/srv/c", 40, "repair", {}),
            failed("/srv/d", "clone failed"),
        ],
    )
    run(store, [ok("/srv/a", 0, "repair", {})], finish=False)  # killed: neither trend nor "previous"
    third = run(
        store,
        [
            ok("/srv/a", 30, "repair", {}),
            ok("/srv/b", 80, "reset", {}),
            ok("/srv/c", 40, "repair", {}),
            ok("/srv/d", 90, "reset", {}),
        ],
    )
    summary = store.org_summary(third)
    assert summary["changes"] == {
        "previous_run_id": first,
        "new_resets": ["/srv/b", "/srv/d"],
        "recovered": ["/srv/a"],
        "score_deltas": [
            {"key": "/srv/b", "before": 20, "after": 80},
            {"key": "/srv/a", "before": 60, "after": 30},
        ],
    }
    assert [(p["run_id"], p["mean_score"], p["reset"], p["repositories"]) for p in summary["trend"]] == [
        (first, 40.0, 1, 4),
        (third, 60.0, 2, 4),
    ]


def test_each_repository_is_recorded_once_per_run(store: Store, tmp_path: Path) -> None:
    run_id = store.begin_run(VERSION, POLICY, 1, {})
    assert store.record(run_id, ok("/srv/a", 10, "repair", {"UDEF006": 2}), source="/srv/a") is not None
    assert store.record(run_id, ok("/srv/a", 99, "reset", {"UDEF006": 5}), source="/srv/a") is None
    with closing(sqlite3.connect(tmp_path / "batch.sqlite")) as db:
        assert db.execute("SELECT COUNT(*), MAX(score) FROM results").fetchone() == (1, 10)
        assert db.execute("SELECT COUNT(*) FROM findings").fetchone() == (2,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store.integrity() == "ok"


@pytest.mark.requirement("batch:FR-07")
def test_credentials_are_redacted_in_rows(store: Store, tmp_path: Path) -> None:
    run_id = store.begin_run(VERSION, POLICY, 1, {})
    outcome = failed("https://h/o/r", "fatal: could not read from https://bot:t0ps3cret@h/o/r.git")
    store.record(run_id, outcome, source="https://bot:t0ps3cret@h/o/r.git")
    files = list(tmp_path.glob("batch.sqlite*"))  # the WAL too, while the store is open
    assert [f.name for f in files if b"t0ps3cret" in f.read_bytes()] == []
    assert any(b"***@h/o/r.git" in f.read_bytes() for f in files)


def test_unusable_database_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("this is not a database, but it is long enough to have a header of sorts\n" * 20)
    with pytest.raises(StoreError, match="cannot use"):
        Store(text)
    newer = tmp_path / "newer.sqlite"
    with closing(sqlite3.connect(newer)) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        Store(newer)
    with Store(tmp_path / "fine.sqlite") as store, pytest.raises(StoreError, match="no run 5"):
        store.org_summary(5)


def test_a_version_1_database_gains_the_gates_and_keeps_its_results(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with Store(path) as store:
        run = store.begin_run(VERSION, POLICY, 1, {})
        store.record(run, ok("old", 10, "repair", {}), source="old")
        store.finish_run(run)
    with closing(sqlite3.connect(path)) as db:  # what udef-audit 0.1 wrote: no gates columns
        db.execute("ALTER TABLE results DROP COLUMN gates")
        db.execute("ALTER TABLE results DROP COLUMN phase_reached")
        db.execute("PRAGMA user_version = 1")
        db.commit()
    gates = {"reached": 0, "profile": "library", "next": {"phase": 1, "checklist": "P1", "gate": "G1"},
             "blocking": [{"phase": 1, "item": "Test scenarios mapped to requirements", "status": "fail",
                           "rules": ["UDEF019"]}]}  # fmt: skip
    with Store(path) as store:
        run = store.begin_run(VERSION, POLICY, 2, {})
        store.record(run, ok("new", 20, "repair", {}, gates=gates), source="new")
        store.finish_run(run)
        summary = store.org_summary(run)
    [row] = summary["repositories"]
    assert (row["phase_reached"], row["next_gate"], row["blocking"]) == (0, "P1", gates["blocking"])
    assert summary["phases"]["blocking"] == [
        {"phase": 1, "item": "Test scenarios mapped to requirements", "rules": ["UDEF019"], "repositories": 1}
    ]
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2
