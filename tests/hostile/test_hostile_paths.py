"""Nothing outside the audited root is read: through a symlinked folder at any depth, a
symlinked file, or index entries that climb out or are absolute. Every run ends.

Reads are detected, not inferred from the findings: in-process runs record every
successful open and stat of the process (any path that resolves into the outside folder
fails the test), and the outside folder's files are FIFOs, on which any process that opens
them for reading blocks (the run would then hit its timeout)."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import CLI, Run
from hostile_corpus import climbing_index_repo, fake_git, git_repo, outside_tripwires, symlinked_folder_repo

from udef_audit.projects import find_projects
from udef_audit.safe_read import UnreadableFile, read_regular_file

pytestmark = pytest.mark.slow
TRIPWIRES = ("Dockerfile", "mod.py", "pyproject.toml", "requirements.txt")


def _where(path: Any, dir_fd: int | None) -> Path | None:
    if isinstance(path, int):
        return None
    name = Path(os.fsdecode(path))
    if dir_fd is not None and not name.is_absolute():
        name = Path(f"/proc/self/fd/{dir_fd}").readlink() / name
    return name


@contextmanager
def recorded_accesses() -> Iterator[list[tuple[str, str]]]:
    """Every successful open and stat in this process, as (kind, path with the last component
    unresolved and the folders resolved): where the process actually went."""
    seen: list[tuple[str, str]] = []
    originals = {"open": os.open, "stat": os.stat, "lstat": os.lstat, "io": io.open, "builtin": builtins.open}

    def note(kind: str, path: Any, dir_fd: int | None = None) -> None:
        where = _where(path, dir_fd)
        if where is not None:  # the folders resolved, the last component as named
            seen.append((kind, str(Path(os.path.realpath(where.parent)) / where.name)))

    def os_open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        fd = originals["open"](path, flags, mode, dir_fd=dir_fd)
        note("open", path, dir_fd)
        return fd

    def os_stat(path: Any, *, dir_fd: int | None = None, follow_symlinks: bool = True) -> os.stat_result:
        result = originals["stat"](path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
        note("stat" if follow_symlinks else "lstat", path, dir_fd)
        return result

    def os_lstat(path: Any, *, dir_fd: int | None = None) -> os.stat_result:
        result = originals["lstat"](path, dir_fd=dir_fd)
        note("lstat", path, dir_fd)
        return result

    def file_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        handle = originals["io"](path, *args, **kwargs)
        note("open", path)
        return handle

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "open", os_open)
        patch.setattr(os, "stat", os_stat)
        patch.setattr(os, "lstat", os_lstat)
        patch.setattr(io, "open", file_open)
        patch.setattr(builtins, "open", file_open)
        yield seen


def _inside(path: str, folder: Path) -> bool:
    """Whether an access went into `folder` (a symlink's own lstat, named in its real parent
    folder, does not)."""
    real = Path(os.path.realpath(folder))
    return Path(path) == real or real in Path(path).parents


def test_the_recorder_sees_a_read_through_a_symlinked_folder(tmp_path: Path) -> None:
    # The detector itself: an unsafe read through the symlink is caught.
    outside = outside_tripwires(tmp_path / "outside", TRIPWIRES)
    repo = symlinked_folder_repo(tmp_path / "repo", outside, 2)
    with recorded_accesses() as seen:
        (repo / "d1" / "d2" / "SECRET.txt").read_bytes()
    assert any(_inside(path, outside) for _, path in seen)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_a_symlinked_folder_at_any_depth_is_never_read_through(
    tmp_path: Path, run_inproc: Callable[..., Run], depth: int
) -> None:
    outside = outside_tripwires(tmp_path / "outside", TRIPWIRES)
    repo = symlinked_folder_repo(tmp_path / "repo", outside, depth)
    (repo / "leaf.py").symlink_to(outside / "SECRET.txt")  # the last component too
    with recorded_accesses() as seen:
        result = run_inproc(repo, "--format", "json", "--no-cache")
    assert result.code in (0, 1), result.stderr
    assert [access for access in seen if _inside(access[1], outside)] == []
    assert "TOP-SECRET" not in result.stdout
    assert not any(f["path"].startswith("d1/") or f["path"] == "leaf.py" for f in result.json()["findings"])


def test_the_single_reader_refuses_a_symlink_in_any_component(tmp_path: Path) -> None:
    outside = outside_tripwires(tmp_path / "outside", TRIPWIRES)
    repo = symlinked_folder_repo(tmp_path / "repo", outside, 3).resolve()
    with pytest.raises(UnreadableFile, match=r"^refused: d1/d2/d3 is a symlink$"):
        read_regular_file(repo, "d1/d2/d3/SECRET.txt", 1000)
    for bad, reason in (("../outside/SECRET.txt", "climbs out"), ("/etc/passwd", "absolute"), ("a//b", "normalised")):
        with pytest.raises(UnreadableFile, match=reason):
            read_regular_file(repo, bad, 1000)
    os.mkfifo(repo / "pipe")
    with pytest.raises(UnreadableFile, match="not a regular file"):
        read_regular_file(repo, "pipe", 1000)  # opened without blocking, refused after fstat


def test_index_entries_that_climb_out_or_are_absolute_are_skipped_and_said(
    tmp_path: Path, run_inproc: Callable[..., Run], run_cli: Callable[..., Run]
) -> None:
    outside = outside_tripwires(tmp_path / "outside", ("Dockerfile", "mod.py"))
    repo = climbing_index_repo(tmp_path / "repo", outside)
    with recorded_accesses() as seen:
        result = run_inproc(repo, "--format", "json", "--no-cache")
    assert result.code in (0, 1), result.stderr
    assert [access for access in seen if _inside(access[1], outside)] == []
    report = result.json()
    skipped = sorted(n["message"] for n in report["notifications"] if n["message"].startswith("skipped a path"))
    assert len(skipped) == 6, skipped
    assert sum("climbs out of the root" in n for n in skipped) == 2
    assert sum("an absolute path" in n for n in skipped) == 2
    assert sum("not a normalised path" in n for n in skipped) == 2
    assert all(n["level"] == "warning" for n in report["notifications"])
    assert "TOP-SECRET" not in result.stdout
    assert {f["path"] for f in report["findings"]} <= {"README.md", "pyproject.toml"}
    # A real process too: it ends (the FIFOs would hold a blocking reader forever).
    assert run_cli(repo, "--no-cache").code in (0, 1)


def test_the_project_owner_lookup_ends_on_an_absolute_path() -> None:
    projects = find_projects(["/abs/pyproject.toml", "/abs/x.py", "pyproject.toml"])
    assert [p.path for p in projects] == ["", "/abs"]


def test_sigint_stops_an_audit_that_waits_on_git(tmp_path: Path, cli_env: dict[str, str]) -> None:
    repo = git_repo(tmp_path / "repo", {"pyproject.toml": '[project]\nname = "x"\n'})
    record = tmp_path / "git-waiting"
    bin_dir = fake_git(tmp_path / "bin", "ls-files", record)
    env = {**cli_env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    with subprocess.Popen([str(CLI), str(repo), "--no-cache"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, start_new_session=True) as process:
        try:
            deadline = time.monotonic() + 60
            while not record.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert record.exists(), "the audit never reached git"
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=20) == 130
        finally:
            with contextlib.suppress(ProcessLookupError):  # the fake git's sleep, in its group
                os.killpg(process.pid, signal.SIGKILL)


def _worth_a_pool(repo: Path) -> Path:
    """A tree whose Python scan runs in worker processes (and takes a few seconds)."""
    repo.mkdir()
    stub = "def g{0}():\n    raise NotImplementedError  # TODO\n"
    for index in range(24):
        lines = [stub.format(j) if j % 3 == 0 else f"f(a, b, c.d)  # TODO {j}\n" for j in range(8_000)]
        (repo / f"m{index}.py").write_text("".join(lines), encoding="utf-8")
    return repo


def test_an_audit_that_fails_before_its_rules_leaves_no_worker(tmp_path: Path, cli_env: dict[str, str]) -> None:
    # A first audit starts its scan before the policy loads (ADR 0016, amendment); a policy
    # that does not load then ends the audit with exit 2, and the workers with it.
    repo = _worth_a_pool(tmp_path / "repo")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: X\n")
    done = subprocess.run([str(CLI), str(repo), "--no-cache", "--policies", str(bad)], env=cli_env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr.strip()) == (2, f"udef-audit: error: {bad}:1: missing key 'slug'")
    assert _still_running(_running_on(repo)) == []


def _running_on(repo: Path) -> list[int]:
    """Processes whose command line names `repo` (a worker's is its parent's)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and os.fsencode(repo) in (entry / "cmdline").read_bytes().split(b"\0"):
                found.append(int(entry.name))
    return found


def _pool_workers(pid: int) -> list[int]:
    """Children of `pid` that run the same program (the scanner's forked workers)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    workers = []
    for child in children:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                workers.append(int(child))
    return workers


def _still_running(pids: list[int], grace: float = 5.0) -> list[int]:
    """Those of `pids` still alive after `grace` seconds (a worker told to stop ends at once)."""
    deadline = time.monotonic() + grace
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
    return alive


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    return False


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell's background job starts


def test_sigint_stops_a_parallel_scan_at_once_even_when_started_ignored(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    repo = _worth_a_pool(tmp_path / "repo")
    with subprocess.Popen([str(CLI), str(repo), "--no-cache"], env=cli_env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, preexec_fn=_ignore_sigint) as process:  # noqa: PLW1509
        try:
            deadline = time.monotonic() + 60
            while not _pool_workers(process.pid) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            workers = _pool_workers(process.pid)
            assert workers, "the scan never started its workers"
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 130
            assert _still_running(workers) == []  # no orphaned worker waits for work forever
        finally:
            if process.poll() is None:
                process.kill()
