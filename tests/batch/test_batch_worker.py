"""One repository's task: the audit itself, its isolation (timeouts, cancel, daemonic
processes), the local executor, progress lines and the exports' formatting."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from udef_audit import __version__
from udef_audit.batch.executor import BatchProgress, ExecutorUnavailable, LocalExecutor, make_executor
from udef_audit.batch.exports import csv_text, failing_rules, html_text, plain_table, totals_line
from udef_audit.batch.model import RepoOutcome, RepoTask
from udef_audit.batch.worker import (
    audit_in_place,
    audit_repository,
    one_line,
    policy_digest,
    run_isolated,
    sarif_name,
)

DATE = "2024-04-01T08:00:00+00:00"
GIT_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "W",
    "GIT_AUTHOR_EMAIL": "w@example.com",
    "GIT_COMMITTER_NAME": "W",
    "GIT_COMMITTER_EMAIL": "w@example.com",
    "GIT_AUTHOR_DATE": DATE,
    "GIT_COMMITTER_DATE": DATE,
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True).stdout


def make_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "one")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "svc", {"pyproject.toml": '[project]\nname = "s"\nversion = "1"\n',
                                        "src/s/__init__.py": "x = 1  # TODO: real value\n"})  # fmt: skip


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))


def local_task(path: Path, **extra: object) -> RepoTask:
    return RepoTask(key=str(path), source=str(path), checkout=str(path), **extra)  # type: ignore[arg-type]


def test_audit_in_place_counts_scores_and_writes_sarif(repo: Path, tmp_path: Path) -> None:
    outcome = audit_in_place(local_task(repo, sarif_dir=str(tmp_path / "sarif")))
    assert outcome.status == "ok", outcome.reason
    assert outcome.head == git(repo, "rev-parse", "HEAD").strip()
    assert (outcome.tool_version, outcome.policy_hash) == (__version__, "none")
    assert outcome.counts["UDEF006"] == 1
    assert outcome.counts["UDEF001"] == 0  # every rule run is counted, passing ones as 0
    assert set(outcome.rules_run) <= set(outcome.counts)
    assert outcome.verdict in ("reset", "repair")
    assert isinstance(outcome.score, int)
    assert {c["id"] for c in outcome.criteria} >= {"foundation-breadth"}
    assert outcome.sarif_file == str(tmp_path / "sarif" / sarif_name(str(repo)))
    assert json.loads(Path(outcome.sarif_file).read_text())["version"] == "2.1.0"
    assert RepoOutcome.from_dict(json.loads(json.dumps(outcome.to_dict()))) == outcome


@pytest.mark.requirement("batch:FR-08")
def test_audit_in_place_failures_are_outcomes(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert audit_in_place(local_task(empty)).reason == "empty repository: no commit to audit"
    missing = audit_in_place(local_task(tmp_path / "missing"))
    assert (missing.status, missing.reason) == ("failed", f"path not found: {tmp_path / 'missing'}")
    refused = audit_in_place(RepoTask(key="x", source="ext::sh", checkout=str(tmp_path / "c")))
    assert "'ext::' is not allowed" in (refused.reason or "")
    bad_policy = tmp_path / "policy.toml"
    bad_policy.write_text("enforce = 3\n")
    policy = audit_in_place(local_task(tmp_path, policy_file=str(bad_policy)))
    assert policy.status == "failed"
    assert "'enforce' must be a list" in (policy.reason or "")


@pytest.mark.requirement("batch:FR-05")
def test_audit_in_place_clones_fetches_and_recovers_a_damaged_cache(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    task = RepoTask(key="file://origin", source=f"file://{bare}", checkout=str(tmp_path / "cache" / "origin"))
    first = audit_in_place(task)
    assert first.status == "ok", first.reason
    (repo / "NEW.md").write_text("new\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two")
    git(repo, "push", "-q", str(bare), "main")
    second = audit_in_place(task)
    assert second.head == git(repo, "rev-parse", "HEAD").strip() != first.head
    for item in (tmp_path / "cache" / "origin" / ".git").iterdir():  # damage the cache entry
        if item.is_dir():
            subprocess.run(["rm", "-rf", str(item)], check=True)
        else:
            item.unlink()
    third = audit_in_place(task)
    assert (third.status, third.head) == ("ok", second.head)


def test_isolated_audit_in_a_child_process(repo: Path) -> None:
    outcome = audit_repository(local_task(repo))
    assert outcome.status == "ok", outcome.reason
    assert outcome.counts["UDEF006"] == 1


def test_cancel_kills_the_child(repo: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    outcome = run_isolated(local_task(repo), cancel)
    assert (outcome.status, outcome.reason) == ("failed", "cancelled")


def _hanging_server() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, int(server.getsockname()[1])


@pytest.mark.requirement("batch:FR-09")
def test_a_hanging_task_times_out(tmp_path: Path) -> None:
    server, port = _hanging_server()
    with server:
        task = RepoTask(key="k", source=f"git://127.0.0.1:{port}/x.git", checkout=str(tmp_path / "c"),
                        timeout_seconds=0.8)  # fmt: skip
        started = time.monotonic()
        outcome = audit_repository(task)
    assert (outcome.status, outcome.reason) == ("timeout", "no result within 0.8 s: killed")
    assert time.monotonic() - started < 5


def _audit_in_daemon(task: RepoTask, results: multiprocessing.Queue[dict[str, object]]) -> None:
    results.put(audit_repository(task).to_dict())


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_a_daemonic_process_runs_the_task_as_a_subprocess(repo: Path, tmp_path: Path) -> None:
    """A Dask worker is daemonic by default and may not have multiprocessing children."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[dict[str, object]] = context.Queue()
    server, port = _hanging_server()
    hangs = RepoTask(key="k", source=f"git://127.0.0.1:{port}/x", checkout=str(tmp_path / "c"), timeout_seconds=0.8)
    for task in (local_task(repo), hangs):
        process = context.Process(target=_audit_in_daemon, args=(task, results), daemon=True)
        process.start()
        outcome = RepoOutcome.from_dict(results.get(timeout=60))
        process.join()
        assert outcome.status == ("ok" if task is not hangs else "timeout"), outcome.reason
    server.close()


@pytest.mark.requirement("batch:FR-16")
def test_local_executor_reports_every_outcome_in_the_calling_thread(repo: Path, tmp_path: Path) -> None:
    tasks = [local_task(repo), local_task(tmp_path / "missing"), local_task(repo, sarif_dir=str(tmp_path / "s"))]
    seen: list[tuple[str, str]] = []

    def on_outcome(outcome: RepoOutcome) -> None:
        seen.append((outcome.status, threading.current_thread().name))

    LocalExecutor(jobs=2).run(tasks, on_outcome)
    assert sorted(status for status, _ in seen) == ["failed", "ok", "ok"]
    assert {thread for _, thread in seen} == {threading.current_thread().name}


def test_executor_choice() -> None:
    assert LocalExecutor(jobs=3).jobs == 3
    assert isinstance(make_executor("local", None, None), LocalExecutor)
    with pytest.raises(ExecutorUnavailable, match="--scheduler needs --executor dask"):
        make_executor("local", 2, "tcp://127.0.0.1:8786")


@pytest.mark.requirement("batch:FR-15")
def test_plain_progress_lines_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    stream = io.StringIO()
    with BatchProgress(2, secrets=["hunter2hunter2"], stream=stream) as progress:
        progress.advance(RepoOutcome(key="https://h/o/r", status="ok", score=40, verdict="repair", seconds=1.25))
        progress.advance(RepoOutcome(key="https://h/o/s", status="failed", reason="fatal: hunter2hunter2 rejected"))
    assert stream.getvalue().splitlines() == [
        "[1/2] ok       https://h/o/r  score 40 repair (1.2 s)",
        "[2/2] failed   https://h/o/s  fatal: *** rejected",
    ]
    assert progress.counts_text() == "audited 1 · failed 1"


def test_small_helpers() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("x" * 1000)) == 300
    assert policy_digest(None) == "none"
    assert policy_digest("/no/such/policy.toml") == "unreadable"
    assert sarif_name("https://h/org/My Repo.git").startswith("org_My_Repo-")
    assert sarif_name("file:///m/psf+requests/repo").startswith("psf+requests-")
    assert sarif_name("https://h/a/api") != sarif_name("https://h/b/api")


def test_export_formatting() -> None:
    counts = {f"UDEF00{i}": i for i in range(7)}
    assert failing_rules(counts) == "UDEF006 x6, UDEF005 x5, UDEF004 x4, UDEF003 x3, +2 more"
    assert plain_table([("1", "reset", "0", "ok", "k", "", "")]).splitlines() == [
        "score  verdict  phase  status  repository  failing rules  reason",
        "1      reset    0      ok      k",
    ]
    summary = {
        "run": {"repositories": 2},
        "scores": {"reset": 1, "repair": 0},
        "repositories": [
            {"key": "a", "name": "a", "status": "ok", "reason": None, "head": "h", "score": 60, "verdict": "reset",
             "counts": {"UDEF001": 1}, "criteria_met": ["x", "y"], "sarif_file": None,
             "phase_reached": 0, "next_gate": "Phase 1 Validation Checklist"},
            {"key": "b", "name": "b", "status": "failed", "reason": "boom", "head": None, "score": None,
             "verdict": None, "counts": {}, "criteria_met": [], "sarif_file": None},
        ],
    }  # fmt: skip
    assert csv_text(summary).splitlines() == [
        "key,name,status,reason,head,score,verdict,phase_reached,next_gate,UDEF001,criteria_met,sarif_file",
        "a,a,ok,,h,60,reset,0,Phase 1 Validation Checklist,1,x;y,",
        "b,b,failed,boom,,,,,,,,",
    ]
    assert totals_line(summary) == (
        "2 repositories: 1 audited, 0 skipped (unchanged), 1 failed, 0 timed out; verdicts: 1 reset, 0 repair"
    )
    page = html_text(summary)
    assert page.startswith("<!DOCTYPE html>")
    assert '<td class="reason" colspan="1">boom</td>' in page  # no rule ran: the reason takes one column


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_terminal_progress_bar_and_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from udef_audit.batch.exports import print_summary_table

    monkeypatch.delenv("CI", raising=False)
    stream = Terminal()
    with BatchProgress(2, stream=stream) as progress:
        progress.advance(RepoOutcome(key="/srv/a", status="ok", score=10, verdict="repair"))
        progress.advance(RepoOutcome(key="/srv/b", status="timeout", reason="no result within 1 s: killed"))
    shown = stream.getvalue()
    assert "2/2" in shown
    assert "no result within 1 s: killed" in shown  # failures are printed above the bar
    summary = {
        "run": {"id": 7, "repositories": 1},
        "scores": {"reset": 0, "repair": 1},
        "repositories": [{"key": "/srv/a", "status": "ok", "reason": None, "score": 10, "verdict": "repair",
                          "counts": {"UDEF003": 2}}],
    }  # fmt: skip
    table = Terminal()
    print_summary_table(summary, table)
    assert "udef-audit batch: run 7" in table.getvalue()
    assert "UDEF003 x2" in table.getvalue()
    monkeypatch.setenv("CI", "true")
    ci = Terminal()
    with BatchProgress(1, stream=ci) as progress:
        progress.advance(RepoOutcome(key="/srv/a", status="skipped", reason="unchanged since run 1 (result 1)"))
    assert ci.getvalue() == "[1/1] skipped  /srv/a  unchanged since run 1 (result 1)\n"


def test_an_error_while_recording_cancels_the_rest(repo: Path) -> None:
    def on_outcome(outcome: RepoOutcome) -> None:
        raise RuntimeError("database is locked")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="database is locked"):
        LocalExecutor(jobs=1).run([local_task(repo)] * 6, on_outcome)
    assert time.monotonic() - started < 10


def test_dask_executor_is_loaded_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    executor = make_executor("dask", None, "tcp://127.0.0.1:1")
    assert type(executor).__name__ == "DaskExecutor"
    monkeypatch.setitem(sys.modules, "distributed", None)  # the optional extra is not installed
    with pytest.raises(ExecutorUnavailable, match="distributed"):
        make_executor("dask", None, None)
