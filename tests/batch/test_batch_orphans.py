"""A batch killed with SIGKILL leaves no audit running: its worker dies with it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CLI

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
from hostile_corpus import fake_git, git_repo

pytestmark = pytest.mark.slow


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie may wait for a PID 1 that never reaps)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_for(path: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_stuck_on_a_repository_dies_with_the_killed_batch(tmp_path: Path, cli_env: dict[str, str]) -> None:
    repo = git_repo(tmp_path / "repo", {"pyproject.toml": '[project]\nname = "x"\n'})
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{repo}\n", encoding="utf-8")
    record = tmp_path / "worker.pid"
    bin_dir = fake_git(tmp_path / "bin", "ls-files", record)  # the audit's git waits for 300 s
    env = {**cli_env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    command = [str(CLI), "batch", str(listing), "--db", str(tmp_path / "b.sqlite"), "--timeout", "120", "--jobs", "1"]
    batch = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    worker = 0
    try:
        assert _wait_for(record, 60), "the worker never reached git"
        worker = int(record.read_text().strip())
        assert _running(worker)
        batch.kill()
        batch.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(worker), "the worker outlived its batch"
    finally:
        for group in (worker, batch.pid):  # the worker's own group holds the fake git's sleep
            if group:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(group, signal.SIGKILL)
        batch.wait(timeout=10)
