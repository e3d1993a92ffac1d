"""An organisation of 60+ repositories: a batch killed part-way (SIGKILL) loses nothing it
finished, a re-run resumes, and a run with nothing changed audits nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from conftest import CLI

pytestmark = pytest.mark.slow

SECRET = "0rgT0kenNeverPrinted"  # noqa: S105 - a fake token the test hunts for
DATES = ("2024-02-01T09:00:00+00:00", "2024-02-10T09:00:00+00:00", "2024-02-20T09:00:00+00:00")
GIT_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Org",
    "GIT_AUTHOR_EMAIL": "org@example.com",
    "GIT_COMMITTER_NAME": "Org",
    "GIT_COMMITTER_EMAIL": "org@example.com",
}
PYPROJECT = '[project]\nname = "svc"\nversion = "1"\n'
# Varied compliance: each kind fails different rules (or none).
KINDS = {
    "clean": {
        "pyproject.toml": PYPROJECT,
        "uv.lock": "version = 1\n",
        "src/svc/__init__.py": '"""Service."""\n',
        "docs/design/svc-requirements.md": "FR-01: It SHALL serve.\n",
        "docs/reports/status-report.md": "# Status\n",
        "tests/test_svc.py": "def test_ok() -> None:\n    assert True\n",
    },
    "flat": {"pyproject.toml": PYPROJECT, "svc/__init__.py": "X = 1\n", "svc/api.py": "def get():\n    return 1\n"},
    "requirements": {"requirements.txt": "flask\n", "setup.py": "from setuptools import setup\nsetup()\n"},
    "todos": {"pyproject.toml": PYPROJECT, "uv.lock": "", "src/svc/__init__.py": "# TODO: everything\n"},
    "docker": {
        "pyproject.toml": PYPROJECT,
        "uv.lock": "",
        "src/svc/__init__.py": "",
        "Dockerfile": "FROM python:3.12 AS test\nFROM python:3.11-slim AS runtime\n",
    },
    "scripts": {"pyproject.toml": PYPROJECT, "src/svc/__init__.py": "", "run.sh": "pip install --no-deps .\n"},
}
PER_KIND = 10


def git(cwd: Path, *args: str, date: str | None = None) -> None:
    env = {**GIT_ENV, **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {})}
    subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=True)


def build(path: Path, files: dict[str, str]) -> Path:
    """A repository whose files arrive over three commits at fixed dates."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    names = sorted(files)
    for step, date in enumerate(DATES):
        for name in names[step::3]:
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_text(files[name])
        git(path, "add", "-A")
        git(path, "commit", "-q", "--allow-empty", "-m", f"step {step}", date=date)
    return path


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The list file and, per key, what the repository is ("good", "empty", ...)."""
    root = tmp_path_factory.mktemp("org")
    expected: dict[str, str] = {}
    for kind, files in KINDS.items():
        for number in range(PER_KIND):
            expected[str(build(root / f"{kind}-{number}", files))] = "good"
    empty = root / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    expected[str(empty)] = "empty"
    expected[str(root / "deleted")] = "missing"
    huge = {**KINDS["clean"], "src/svc/generated.py": "VALUE = 1\n" * 700_000}  # 7 MB: over the size limit
    expected[str(build(root / "huge", huge))] = "huge"
    expected["https://127.0.0.1:9/org/private"] = "unreachable"
    expected["ext::sh -c touch% /tmp/owned"] = "refused"
    lines = [*expected, f"https://deploy:{SECRET}@127.0.0.1:9/org/private.git"]
    lines.remove("https://127.0.0.1:9/org/private")
    listing = root / "repositories.txt"
    listing.write_text("# the organisation\n" + "\n".join(lines) + "\n")
    return listing, expected


def command(listing: Path, work: Path, *extra: str) -> list[str]:
    return [str(CLI), "batch", str(listing), "--db", str(work / "org.sqlite"), "--cache", str(work / "clones"), *extra]


def finish(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)


def query(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    with closing(sqlite3.connect(db, timeout=30)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def results_so_far(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return int(query(db, "SELECT COUNT(*) FROM results")[0][0])
    except sqlite3.OperationalError:  # the schema is still being created
        return 0


@pytest.mark.requirement("batch:FR-11")
@pytest.mark.requirement("batch:NFR-02")
@pytest.mark.requirement("batch:FR-10")
def test_killed_batch_resumes_and_an_unchanged_org_audits_nothing(
    org: tuple[Path, dict[str, str]], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    listing, expected = org
    db = tmp_path / "org.sqlite"
    done_before_kill = kill_part_way(listing, tmp_path, cli_env, len(expected))

    second = finish(command(listing, tmp_path, "--jobs", "2"), cli_env)
    assert second.returncode == 4, second.stderr  # the four broken repositories have no result
    run_id = query(db, "SELECT MAX(id) FROM runs")[0][0]
    check_resumed_run(db, run_id, expected, done_before_kill)
    check_broken_repositories(db, run_id, expected)

    started = time.monotonic()
    third = finish(command(listing, tmp_path, "--json", str(tmp_path / "org.json")), cli_env)
    assert third.returncode == 4, third.stderr
    assert time.monotonic() - started < 10
    total = len(KINDS) * PER_KIND + 1
    line = f": {total + 4} repositories: 0 audited, {total} skipped (unchanged), 4 failed, 0 timed out in "
    assert line in third.stderr
    statuses = Counter(row["status"] for row in query(db, "SELECT status FROM results WHERE run_id = ?", run_id + 1))
    assert statuses == {"skipped": total, "failed": 4}
    check_summary(json.loads((tmp_path / "org.json").read_text()), run_id, expected)

    leaked = [path for path in tmp_path.rglob("*") if path.is_file() and SECRET.encode() in path.read_bytes()]
    assert leaked == []
    assert SECRET not in second.stdout + second.stderr + third.stdout + third.stderr


def kill_part_way(listing: Path, work: Path, env: dict[str, str], total: int) -> list[sqlite3.Row]:
    """Start a batch (one job, so it is slow enough), SIGKILL it once 12 results are in; those results."""
    db = work / "org.sqlite"
    batch = subprocess.Popen(command(listing, work, "--jobs", "1"), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while results_so_far(db) < 12 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert batch.poll() is None, "the batch finished before it could be killed"
    batch.send_signal(signal.SIGKILL)
    batch.communicate()
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
    [killed_run] = query(db, "SELECT id, finished FROM runs")
    assert killed_run["finished"] is None
    done = query(db, "SELECT * FROM results WHERE run_id = ?", killed_run["id"])
    assert 12 <= len(done) < total
    return done


def check_resumed_run(db: Path, run_id: int, expected: dict[str, str], done_before_kill: list[sqlite3.Row]) -> None:
    """Every repository exactly once; what finished before the kill is skipped, pointing at it."""
    final = query(db, "SELECT * FROM results WHERE run_id = ?", run_id)
    assert Counter(row["repo_key"] for row in final) == Counter(list(expected))
    ok_before_kill = {row["repo_key"]: row["id"] for row in done_before_kill if row["status"] == "ok"}
    for row in final:
        if row["repo_key"] in ok_before_kill:
            assert (row["status"], row["previous_result_id"]) == ("skipped", ok_before_kill[row["repo_key"]])
            [previous] = query(db, "SELECT * FROM results WHERE id = ?", row["previous_result_id"])
            assert (previous["status"], previous["head"]) == ("ok", row["head"])
        elif expected[row["repo_key"]] in ("good", "huge"):
            assert row["status"] == "ok", row["reason"]
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"


def check_broken_repositories(db: Path, run_id: int, expected: dict[str, str]) -> None:
    """The broken ones are recorded with their reason; the huge file is a UDEF000 note."""
    final = query(db, "SELECT * FROM results WHERE run_id = ?", run_id)
    reasons = {expected[row["repo_key"]]: row["reason"] for row in final}
    assert reasons["empty"] == "empty repository: no commit to audit"
    assert reasons["missing"].startswith("path not found:")
    assert "is not allowed" in reasons["refused"]
    assert "127.0.0.1" in reasons["unreachable"]
    huge_key = next(key for key, kind in expected.items() if kind == "huge")
    [huge] = query(db, "SELECT id FROM results WHERE repo_key = ? AND status = 'ok'", huge_key)
    too_large = query(db, "SELECT message FROM findings WHERE result_id = ? AND rule = 'UDEF000'", huge["id"])
    assert any("too large" in row["message"] for row in too_large)


def check_summary(summary: dict[str, Any], run_id: int, expected: dict[str, str]) -> None:
    """The unchanged run's summary: each repository once, the killed run in no trend."""
    assert sorted(row["key"] for row in summary["repositories"]) == sorted(expected)
    assert [point["run_id"] for point in summary["trend"]] == [run_id, run_id + 1]
    assert summary["changes"]["previous_run_id"] == run_id
    assert summary["changes"]["score_deltas"] == []
