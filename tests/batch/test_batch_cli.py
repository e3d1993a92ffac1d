"""`udef-audit batch` as a user runs it: list formats, usage errors, transports, credentials,
clone cache, timeouts and exports."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from conftest import CLI, Run

from udef_audit.batch.command import batch_parser

SECRET = "s3cretT0kenValue"  # noqa: S105 - a fake token the test hunts for
DATE = "2024-05-01T12:00:00+00:00"
GIT_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": DATE,
    "GIT_COMMITTER_DATE": DATE,
}
PROJECT = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1"\n',
    "uv.lock": "version = 1\n",
    "src/demo/__init__.py": '"""Demo."""\n',
}
SUMMARY_KEYS = {"run", "totals", "repositories", "rules", "scores", "phases", "trend", "changes"}
ROW_KEYS = {
    "phase_reached",
    "next_gate",
    "blocking",
    "key",
    "name",
    "status",
    "reason",
    "head",
    "score",
    "verdict",
    "counts",
    "criteria_met",
    "evidence",
    "sarif_file",
}


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def make_repo(path: Path, files: dict[str, str] | None = None) -> Path:
    """A git repository with one commit of `files` (default: a small compliant project)."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for name, text in (files or PROJECT).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "first")
    return path


def commit_file(repo: Path, name: str, text: str) -> str:
    (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"change {name}")
    return git(repo, "rev-parse", "HEAD")


def rows(db: Path, sql: str, *params: Any) -> list[sqlite3.Row]:
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def last_run(db: Path) -> dict[str, sqlite3.Row]:
    """The last run's results by repository key."""
    found = rows(db, "SELECT * FROM results WHERE run_id = (SELECT MAX(id) FROM runs)")
    return {row["repo_key"]: row for row in found}


@pytest.fixture
def batch(run_cli: Callable[..., Run], cli_env: dict[str, str], tmp_path: Path) -> Callable[..., Run]:
    """batch(LIST, *options, stdin=None): `udef-audit batch` with a private database and clone cache."""

    def run(listing: str | Path, *options: str | Path, stdin: str | None = None) -> Run:
        args = ["batch", listing, "--db", tmp_path / "batch.sqlite", "--cache", tmp_path / "clones", *options]
        if stdin is None:
            return run_cli(*args)
        proc = subprocess.run(
            [str(CLI), *map(str, args)], input=stdin, capture_output=True, text=True, env=cli_env, timeout=120,
            check=False,
        )  # fmt: skip
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


def write_list(path: Path, *lines: str | Path) -> Path:
    path.write_text("\n".join(map(str, lines)) + "\n")
    return path


# --- the list and usage errors --------------------------------------------------------


@pytest.mark.requirement("batch:FR-02")
def test_every_option_is_offered_with_its_default(run_cli: Callable[..., Run]) -> None:
    usage = run_cli("batch", "--help")
    assert usage.code == 0, usage.stderr
    for option in (
        "--db FILE", "--cache DIR", "--jobs N", "--timeout SECONDS", "--policy FILE", "--sarif-dir DIR",
        "--csv FILE", "--json FILE", "--html FILE", "--executor {local,dask}", "--scheduler ADDRESS", "--force",
    ):  # fmt: skip
        assert option in usage.stdout, option
    assert "(default: CPU count)" in usage.stdout
    assert "(default: ~/.cache/udef-audit/clones)" in usage.stdout
    defaults = batch_parser().parse_args(["repos.txt"])
    assert (defaults.db, defaults.cache, defaults.jobs, defaults.timeout, defaults.executor, defaults.force) == (
        Path("udef-audit.sqlite"), None, None, 300.0, "local", False,
    )  # fmt: skip


@pytest.mark.requirement("batch:FR-03")
@pytest.mark.parametrize(
    "options",
    [["--jobs", "0"], ["--timeout", "-1"], ["--executor", "ray"], ["--bogus"], ["--scheduler", "tcp://x:1"]],
)
def test_bad_options_are_exit_2_with_one_line(options: list[str], batch, tmp_path: Path) -> None:
    listing = write_list(tmp_path / "repos.txt", make_repo(tmp_path / "a"))
    result = batch(listing, *options)
    assert result.code == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.requirement("batch:FR-03")
def test_missing_or_empty_list_is_exit_2(batch, tmp_path: Path) -> None:
    missing = batch(tmp_path / "nope.txt")
    assert missing.code == 2
    assert "repository list not found" in missing.stderr
    empty = batch(write_list(tmp_path / "empty.txt", "# only a comment", ""))
    assert empty.code == 2
    assert "no repositories" in empty.stderr


@pytest.mark.requirement("batch:FR-03")
def test_a_bad_org_policy_is_exit_2(batch, tmp_path: Path) -> None:
    listing = write_list(tmp_path / "repos.txt", make_repo(tmp_path / "a"))
    policy = tmp_path / "policy.toml"
    policy.write_text('enforce = ["NOPE999"]\n')
    result = batch(listing, "--policy", policy)
    assert result.code == 2
    assert "NOPE999" in result.stderr


@pytest.mark.requirement("batch:FR-01")
def test_list_file_comments_relative_paths_and_duplicates(batch, tmp_path: Path) -> None:
    make_repo(tmp_path / "repos" / "one")
    make_repo(tmp_path / "repos" / "two")
    listing = write_list(
        tmp_path / "repos" / "list.txt", "# our services", "", "one", "  two  ", str(tmp_path / "repos" / "one")
    )
    result = batch(listing)
    assert result.code == 0, result.stderr
    results = last_run(tmp_path / "batch.sqlite")
    assert set(results) == {str(tmp_path / "repos" / "one"), str(tmp_path / "repos" / "two")}
    assert {row["status"] for row in results.values()} == {"ok"}


@pytest.mark.requirement("batch:FR-01")
def test_list_from_stdin(batch, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "a")
    result = batch("-", stdin=f"{repo}\n")
    assert result.code == 0, result.stderr
    assert list(last_run(tmp_path / "batch.sqlite")) == [str(repo)]


@pytest.mark.requirement("batch:FR-01")
def test_directory_list_audits_its_git_checkouts_only(batch, tmp_path: Path) -> None:
    org = tmp_path / "org"
    make_repo(org / "service-a")
    make_repo(org / "service-b")
    (org / "notes").mkdir()
    (org / "notes" / "todo.md").write_text("not a repository\n")
    result = batch(org)
    assert result.code == 0, result.stderr
    assert sorted(Path(key).name for key in last_run(tmp_path / "batch.sqlite")) == ["service-a", "service-b"]


# --- transports and credentials ---------------------------------------------------------


@pytest.mark.requirement("batch:FR-04")
def test_unsafe_transports_are_refused_before_git_runs(batch, tmp_path: Path) -> None:
    planted = tmp_path / "pwned"
    listing = write_list(
        tmp_path / "repos.txt",
        f"ext::sh -c touch% {planted}",
        f"ext::sh -c 'touch {planted}'",
        "fd::17",
        "http://example.com/org/repo.git",
        "--upload-pack=touch",
    )
    result = batch(listing)
    assert result.code == 4, result.stderr  # some repositories could not be audited
    assert not planted.exists()
    found = last_run(tmp_path / "batch.sqlite").values()
    reasons = [row["reason"] for row in found]
    assert [row["status"] for row in found] == ["failed"] * 5
    assert sum("'ext::' is not allowed" in r for r in reasons) == 2
    assert any("'fd::' is not allowed" in r for r in reasons)
    assert any("transport 'http' is not allowed" in r for r in reasons)
    assert any("may not start with '-'" in r for r in reasons)


@pytest.mark.requirement("batch:FR-07")
@pytest.mark.parametrize("force", [False, True], ids=["probe", "clone"])
def test_a_credential_in_a_url_never_appears_anywhere(force: bool, batch, tmp_path: Path) -> None:
    closed_port = _closed_port()
    url = f"https://ci-bot:{SECRET}@127.0.0.1:{closed_port}/org/private.git"
    listing = write_list(tmp_path / "repos.txt", url, make_repo(tmp_path / "a"))
    out = tmp_path / "out"
    result = batch(
        listing,
        "--csv",
        out / "s.csv",
        "--json",
        out / "s.json",
        "--sarif-dir",
        out / "sarif",
        *(["--force"] if force else []),
    )
    assert result.code == 4, result.stderr
    results = last_run(tmp_path / "batch.sqlite")
    private = results[f"https://127.0.0.1:{closed_port}/org/private"]
    assert private["status"] == "failed"
    assert "Failed to connect" in private["reason"] or "Couldn't connect" in private["reason"]
    leaked = [
        str(p)
        for p in [*out.rglob("*"), *tmp_path.glob("batch.sqlite*"), *(tmp_path / "clones").rglob("*")]
        if p.is_file() and SECRET.encode() in p.read_bytes()
    ]
    assert leaked == []
    assert SECRET not in result.stdout + result.stderr
    assert "ci-bot" not in result.stdout + result.stderr


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.requirement("batch:FR-05")
def test_file_url_clones_then_later_runs_fetch_instead_of_recloning(batch, tmp_path: Path) -> None:
    work = make_repo(tmp_path / "work")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    listing = write_list(tmp_path / "repos.txt", f"file://{bare}")
    key = f"file://{tmp_path}/origin"

    first = batch(listing)
    assert first.code == 0, first.stderr
    assert last_run(tmp_path / "batch.sqlite")[key]["status"] == "ok"
    [clone] = [p for p in (tmp_path / "clones").iterdir()]
    marker = clone / ".git" / "kept-between-runs"
    marker.write_text("a re-clone would delete this\n")
    assert git(clone, "config", "remote.origin.partialclonefilter") == "blob:none"
    assert not (clone / ".git" / "shallow").exists()  # the whole history, for the score

    assert batch(listing).code == 0
    assert last_run(tmp_path / "batch.sqlite")[key]["status"] == "skipped"

    new_head = commit_file(work, "src/demo/extra.py", "VALUE = 2\n")
    git(work, "push", "-q", str(bare), "main")
    second = batch(listing)
    assert second.code == 0, second.stderr
    row = last_run(tmp_path / "batch.sqlite")[key]
    assert (row["status"], row["head"]) == ("ok", new_head)
    assert marker.exists()
    assert [p.name for p in (tmp_path / "clones").iterdir()] == [clone.name]
    assert git(clone, "rev-parse", "HEAD") == new_head


@pytest.mark.requirement("batch:FR-06")
def test_a_repository_hook_never_runs(batch, tmp_path: Path) -> None:
    """A hook planted in a cached clone (as a hostile fetch could) must not run on refresh."""
    work = make_repo(tmp_path / "work")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    listing = write_list(tmp_path / "repos.txt", f"file://{bare}")
    assert batch(listing).code == 0
    [clone] = list((tmp_path / "clones").iterdir())
    planted = tmp_path / "hook-ran"
    for hook in ("post-checkout", "post-merge", "reference-transaction", "post-index-change"):
        script = clone / ".git" / "hooks" / hook
        script.write_text(f"#!/bin/sh\ntouch {planted}\n")
        script.chmod(0o755)
    commit_file(work, "README.md", "# changed\n")
    git(work, "push", "-q", str(bare), "main")
    assert batch(listing).code == 0
    assert not planted.exists()


# --- timeouts -----------------------------------------------------------------------------


class SilentGitServer:
    """Accepts git:// connections and never answers; records when each client goes away."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = int(self.sock.getsockname()[1])
        self.connected = threading.Event()
        self.hung_up = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with self.sock:
            conn, _ = self.sock.accept()
            self.connected.set()
            with conn:
                while conn.recv(4096):
                    pass
            self.hung_up.set()


@pytest.fixture
def silent_server() -> Iterator[SilentGitServer]:
    yield SilentGitServer()


@pytest.mark.requirement("batch:FR-09")
def test_a_clone_that_hangs_is_killed_at_the_timeout_and_the_batch_goes_on(
    batch, tmp_path: Path, silent_server: SilentGitServer
) -> None:
    good = make_repo(tmp_path / "good")
    listing = write_list(tmp_path / "repos.txt", f"git://127.0.0.1:{silent_server.port}/hangs.git", good)
    started = time.monotonic()
    # The timeout leaves the healthy repository's audit room on a loaded two-core machine
    # (at 1.5 s it failed under load); the hanging clone is killed at it all the same.
    result = batch(listing, "--timeout", "6", "--force")
    assert result.code == 4, result.stderr
    assert time.monotonic() - started < 30
    results = last_run(tmp_path / "batch.sqlite")
    hung = results[f"git://127.0.0.1:{silent_server.port}/hangs"]
    assert (hung["status"], hung["reason"]) == ("timeout", "no result within 6 s: killed")
    assert results[str(good)]["status"] == "ok"
    assert silent_server.connected.is_set()
    assert silent_server.hung_up.wait(5), "git was left running after the timeout"


def test_a_remote_that_does_not_answer_times_out_in_the_probe(
    batch, tmp_path: Path, silent_server: SilentGitServer
) -> None:
    listing = write_list(tmp_path / "repos.txt", f"git://127.0.0.1:{silent_server.port}/hangs.git")
    result = batch(listing, "--timeout", "1")
    assert result.code == 4, result.stderr
    [row] = last_run(tmp_path / "batch.sqlite").values()
    assert row["status"] == "timeout"
    assert "did not answer within 1 s" in row["reason"]


# --- exports ------------------------------------------------------------------------------


@pytest.mark.requirement("batch:FR-14")
def test_exports_and_sarif_files(batch, tmp_path: Path) -> None:
    clean = make_repo(tmp_path / "clean")
    messy = make_repo(tmp_path / "messy", {"app.py": "x = 1  # TODO remove\n", "requirements.txt": "flask\n"})
    listing = write_list(tmp_path / "repos.txt", clean, messy, tmp_path / "missing")
    out = tmp_path / "out"
    result = batch(
        listing,
        "--csv",
        out / "s.csv",
        "--json",
        out / "s.json",
        "--sarif-dir",
        out / "sarif",
        "--html",
        out / "s.html",
    )
    assert result.code == 4, result.stderr  # the missing path has no result

    summary = json.loads((out / "s.json").read_text())
    assert set(summary) == SUMMARY_KEYS
    assert [set(row) for row in summary["repositories"]] == [ROW_KEYS] * 3
    keys = [row["key"] for row in summary["repositories"]]
    assert keys == [str(messy), str(clean), str(tmp_path / "missing")]  # highest score first, failures last
    assert summary["repositories"][2]["reason"] == f"path not found: {tmp_path / 'missing'}"
    assert summary["run"]["repositories"] == 3
    # Both audited repositories stop at phase 0, blocked among others by the layout item.
    assert [row["phase_reached"] for row in summary["repositories"]] == [-1, -1, None]
    assert summary["phases"]["distribution"][0] == {"phase": -1, "repositories": 2}
    blocking = {(b["phase"], b["item"]): b["repositories"] for b in summary["phases"]["blocking"]}
    assert blocking[(0, "Documentation directories created")] == 2

    table = list(csv.DictReader(io.StringIO((out / "s.csv").read_text())))
    assert [row["key"] for row in table] == keys
    assert int(table[0]["UDEF006"]) >= 1

    sarif_files = sorted((out / "sarif").glob("*.sarif"))
    assert len(sarif_files) == 2
    assert all(json.loads(p.read_text())["version"] == "2.1.0" for p in sarif_files)
    assert (out / "s.html").read_text().lstrip().lower().startswith("<!doctype html")

    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["score", "verdict", "phase", "status", "repository"]
    assert lines[-1].startswith("3 repositories: 2 audited, 0 skipped (unchanged), 1 failed, 0 timed out;")


@pytest.mark.requirement("batch:FR-11")
def test_skipped_repositories_keep_their_sarif_file_in_a_new_sarif_dir(batch, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "a")
    listing = write_list(tmp_path / "repos.txt", repo)
    assert batch(listing, "--sarif-dir", tmp_path / "s1").code == 0
    again = batch(listing, "--sarif-dir", tmp_path / "s2")
    assert again.code == 0
    [row] = last_run(tmp_path / "batch.sqlite").values()
    assert row["status"] == "skipped"
    [copied] = list((tmp_path / "s2").glob("*.sarif"))
    assert row["sarif_path"] == str(copied)
    assert copied.read_text() == next((tmp_path / "s1").glob("*.sarif")).read_text()


@pytest.mark.requirement("batch:FR-11")
def test_org_policy_change_means_audit_again(batch, tmp_path: Path) -> None:
    listing = write_list(tmp_path / "repos.txt", make_repo(tmp_path / "a"))
    policy = tmp_path / "policy.toml"
    policy.write_text('enforce = ["UDEF001"]\n')
    assert batch(listing, "--policy", policy).code == 0
    assert batch(listing, "--policy", policy).code == 0
    assert [r["status"] for r in last_run(tmp_path / "batch.sqlite").values()] == ["skipped"]
    policy.write_text('enforce = ["UDEF001", "UDEF006"]\n')
    assert batch(listing, "--policy", policy).code == 0
    assert [r["status"] for r in last_run(tmp_path / "batch.sqlite").values()] == ["ok"]
    assert batch(listing, "--policy", policy, "--force").code == 0
    assert [r["status"] for r in last_run(tmp_path / "batch.sqlite").values()] == ["ok"]


def test_a_batch_that_fails_is_exit_3_and_keeps_its_results(batch, tmp_path: Path) -> None:
    listing = write_list(tmp_path / "repos.txt", make_repo(tmp_path / "a"))
    (tmp_path / "taken").mkdir()
    result = batch(listing, "--csv", tmp_path / "taken")  # a directory where the CSV file should go
    assert result.code == 3
    assert result.stderr.splitlines()[-1].startswith("udef-audit batch: failed: IsADirectoryError")
    assert [row["status"] for row in last_run(tmp_path / "batch.sqlite").values()] == ["ok"]
