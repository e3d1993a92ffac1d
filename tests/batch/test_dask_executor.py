"""The Dask executor against a real two-worker LocalCluster on loopback.

The task function is a stand-in for udef_audit.batch.worker.audit_repository: it audits a
tiny repository (built in tmp_path) with the real engine, or, as `source` asks, raises
("raise"), sleeps ("sleep:<seconds>") or kills its worker process ("crash"). It is defined
at module level so that workers can unpickle it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

from udef_audit.batch.dask_executor import (
    DaskExecutor,
    DaskExecutorError,
    DaskUnavailableError,
    _outcome_of,
    _Submitted,
)
from udef_audit.batch.model import RepoOutcome, RepoTask
from udef_audit.batch.worker import audit_repository
from udef_audit.request import AuditRequest
from udef_audit.service import audit

distributed = pytest.importorskip(
    "distributed", reason="needs the dask extra: pip install 'udef-audit[dask]' (dask[distributed]>=2024.1)"
)
dask = pytest.importorskip("dask")


def audit_tiny_repository(task: RepoTask) -> RepoOutcome:
    """Stand-in task: `source` says what to do with the repository at `checkout`."""
    if task.source == "raise":
        raise RuntimeError(f"planted failure for {task.key}")
    if task.source.startswith("sleep:"):
        time.sleep(float(task.source.removeprefix("sleep:")))
    if task.source == "crash":
        os._exit(3)  # the worker process dies under the task
    started = time.perf_counter()
    result = audit(AuditRequest(path=Path(task.checkout), use_cache=False))
    counts = Counter(finding.rule_id for finding in result.active)
    return RepoOutcome(
        key=task.key,
        status="ok",
        exit_code=1 if result.fails("error") else 0,
        counts=dict(counts),
        rules_run=list(result.rules_run),
        seconds=round(time.perf_counter() - started, 3),
    )


_write = write_tree


def _repositories(tmp_path: Path) -> dict[str, Path]:
    tidy = {
        "pyproject.toml": '[project]\nname = "tidy"\nversion = "1.0"\ndependencies = ["requests>=2"]\n',
        "src/tidy/__init__.py": '"""Tidy."""\n',
        "requirements.lock": "requests==2.32.3\n",
    }
    messy = {
        "setup.py": "from setuptools import setup\nsetup(name='messy', install_requires=['flask'])\n",
        "requirements.txt": "flask\n",
        "messy.py": "def handler():\n    # TODO: handle errors\n    return None\n",
    }
    docker = {
        "pyproject.toml": '[project]\nname = "svc"\nversion = "1.0"\n',
        "src/svc/__init__.py": "",
        "Dockerfile": "FROM python:3.8 AS test\nRUN pip install --no-deps -r requirements.txt\nFROM python:3.12-slim\n",
    }
    return {
        name: _write(tmp_path / name, files)
        for name, files in (("tidy", tidy), ("messy", messy), ("docker", docker), ("empty", {"README.md": "# x\n"}))
    }


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two single-thread worker processes with nannies (a worker restart needs one)."""
    # No retries for a task whose worker died, and no task queued behind a running one on a
    # worker, so a crash or a restart touches exactly the task under test.
    settings = {"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0}
    # Even without a dashboard the scheduler serves health checks over HTTP, on 8787 when that
    # is free; another cluster on this machine only moves it elsewhere, so that is no warning.
    with dask.config.set(settings), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port 8787 is already in use", category=UserWarning)
        local = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    try:
        yield local
    finally:
        local.close()


def _run(cluster: Any, tasks: list[RepoTask]) -> list[RepoOutcome]:
    """Run a batch; also check every outcome arrives in this process's calling thread."""
    outcomes: list[RepoOutcome] = []
    caller = (os.getpid(), threading.get_ident())

    def collect(outcome: RepoOutcome) -> None:
        assert (os.getpid(), threading.get_ident()) == caller
        outcomes.append(outcome)

    with distributed.Client(cluster) as client:
        client.wait_for_workers(2, timeout=30)  # a previous test may have restarted one
    # No grace: the stand-in, unlike audit_repository, keeps no deadline of its own.
    DaskExecutor(cluster.scheduler_address, audit_tiny_repository, timeout_grace_seconds=0).run(tasks, collect)
    return outcomes


# Rules each stand-in repository must break (at least these).
EXPECTED_BROKEN = {"repo:messy": {"UDEF001", "UDEF002"}, "repo:docker": {"UDEF005"}}


@pytest.mark.slow
def test_every_outcome_arrives_once_and_a_raising_task_fails(cluster: Any, tmp_path: Path) -> None:
    repos = _repositories(tmp_path)
    tasks = [RepoTask(key=f"repo:{name}", source="audit", checkout=str(path)) for name, path in repos.items()]
    tasks.append(RepoTask(key="repo:broken", source="raise", checkout=str(tmp_path)))

    outcomes = _run(cluster, tasks)

    assert sorted(outcome.key for outcome in outcomes) == sorted(task.key for task in tasks)
    by_key = {outcome.key: outcome for outcome in outcomes}
    broken = by_key.pop("repo:broken")
    assert broken.status == "failed"
    assert "RuntimeError: planted failure for repo:broken" in (broken.reason or "")
    assert {outcome.status for outcome in by_key.values()} == {"ok"}
    # The real engine ran on the workers: the messy repository breaks the layout and
    # dependency rules, the tidy one does not, the Dockerfile installs with --no-deps.
    broken = _rules_broken(by_key.values())
    assert {key: rules & broken[key] for key, rules in EXPECTED_BROKEN.items()} == EXPECTED_BROKEN
    assert "UDEF001" not in broken["repo:tidy"]
    assert "UDEF001" in by_key["repo:tidy"].rules_run


def _rules_broken(outcomes: Iterable[RepoOutcome]) -> dict[str, set[str]]:
    return {outcome.key: {rule for rule, count in outcome.counts.items() if count} for outcome in outcomes}


@pytest.mark.slow
def test_the_real_batch_worker_runs_on_the_workers(cluster: Any, tmp_path: Path) -> None:
    """audit_repository itself (in a subprocess of the daemonic worker), local-path sources."""
    repos = _repositories(tmp_path)
    tasks = [RepoTask(key=str(path), source=str(path), checkout=str(path)) for path in repos.values()]
    outcomes: list[RepoOutcome] = []
    with distributed.Client(cluster) as client:
        client.wait_for_workers(2, timeout=30)
    DaskExecutor(cluster.scheduler_address).run(tasks, outcomes.append)

    by_key = {outcome.key: outcome for outcome in outcomes}
    assert sorted(by_key) == sorted(task.key for task in tasks)
    assert {outcome.status for outcome in outcomes} == {"ok"}
    assert by_key[str(repos["messy"])].counts["UDEF001"] >= 1
    assert all(outcome.verdict in ("reset", "repair") for outcome in outcomes)


@pytest.mark.slow
def test_a_task_over_its_timeout_is_reported_and_its_worker_restarted(cluster: Any, tmp_path: Path) -> None:
    repos = _repositories(tmp_path)
    tasks = [
        RepoTask(key="repo:stuck", source="sleep:120", checkout=str(tmp_path), timeout_seconds=1.0),
        RepoTask(key="repo:tidy", source="audit", checkout=str(repos["tidy"])),
    ]
    started = time.monotonic()
    outcomes = _run(cluster, tasks)
    elapsed = time.monotonic() - started

    by_key = {outcome.key: outcome for outcome in outcomes}
    assert len(outcomes) == 2
    assert by_key["repo:stuck"].status == "timeout"
    assert "no result within 1 s" in (by_key["repo:stuck"].reason or "")
    assert "restarted" in (by_key["repo:stuck"].reason or "")
    assert by_key["repo:tidy"].status == "ok"
    assert elapsed < 60  # the 120 s sleep was not waited for


@pytest.mark.slow
def test_a_lost_worker_fails_its_task_and_the_batch_goes_on(cluster: Any, tmp_path: Path) -> None:
    repos = _repositories(tmp_path)
    tasks = [
        RepoTask(key="repo:crash", source="crash", checkout=str(tmp_path)),
        RepoTask(key="repo:messy", source="audit", checkout=str(repos["messy"])),
    ]
    outcomes = _run(cluster, tasks)

    by_key = {outcome.key: outcome for outcome in outcomes}
    assert len(outcomes) == 2
    assert by_key["repo:crash"].status == "failed"
    assert "lost worker" in (by_key["repo:crash"].reason or "")
    assert by_key["repo:messy"].status == "ok"


@pytest.mark.slow
def test_without_restarts_a_timed_out_task_runs_on_and_is_discarded(cluster: Any, tmp_path: Path) -> None:
    outcomes: list[RepoOutcome] = []
    task = RepoTask(key="repo:slow", source="sleep:3", checkout=str(tmp_path), timeout_seconds=0.5)
    executor = DaskExecutor(
        cluster.scheduler_address, audit_tiny_repository, restart_stuck_workers=False, timeout_grace_seconds=0
    )
    executor.run([task], outcomes.append)

    assert [outcome.status for outcome in outcomes] == ["timeout"]
    assert "its result is discarded" in (outcomes[0].reason or "")
    assert 0.5 <= outcomes[0].seconds < 3


def test_an_unreachable_scheduler_is_one_clear_error() -> None:
    executor = DaskExecutor("tcp://127.0.0.1:9", audit_tiny_repository, connect_timeout=1)
    task = RepoTask(key="repo:x", source="audit", checkout=".")
    with pytest.raises(DaskExecutorError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        executor.run([task], lambda outcome: None)


def test_the_default_task_is_the_batch_worker() -> None:
    assert DaskExecutor("tcp://127.0.0.1:9").task_function is audit_repository


def test_an_empty_batch_does_not_connect() -> None:
    outcomes: list[RepoOutcome] = []
    DaskExecutor("tcp://127.0.0.1:1", audit_tiny_repository).run([], outcomes.append)
    assert outcomes == []


def test_missing_distributed_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(DaskUnavailableError, match=r"install udef-audit\[dask\]"):
        DaskExecutor(task_function=audit_tiny_repository)


class _SettledFuture:
    """A future in a final state, for the outcome rules that a live cluster rarely shows."""

    def __init__(self, status: str, result: Exception | None = None) -> None:
        self.status = status
        self._result = result

    def result(self, timeout: float | None = None) -> RepoOutcome:
        raise self._result or AssertionError("no result")

    def exception(self) -> BaseException | None:
        return None


@pytest.mark.parametrize(
    ("future", "reason"),
    [
        (_SettledFuture("cancelled"), "the Dask task was cancelled"),
        (_SettledFuture("lost"), "the Dask task was lost"),
        (_SettledFuture("finished", OSError("connection reset")), "could not be fetched from the worker: OSError"),
        (_SettledFuture("error"), "the task failed without an exception"),
    ],
)
def test_a_future_without_a_result_is_a_failed_outcome(future: _SettledFuture, reason: str) -> None:
    entry = _Submitted(RepoTask(key="repo:x", source="audit", checkout="."), future, grace=0.0, worker="tcp://w:1")
    outcome = _outcome_of(entry)
    assert outcome.status == "failed"
    assert outcome.key == "repo:x"
    assert reason in (outcome.reason or "")
    assert "(on worker tcp://w:1)" in (outcome.reason or "")
