"""Nothing the scanned repository names runs, and git is never pointed outside the root."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import HangingGit, Run
from hostile_corpus import filter_repo, git, git_repo

from udef_audit import gitsafe
from udef_audit.gitsafe import git_argv, git_outputs, repository_problem, safe_env
from udef_audit.inventory import build_inventory

pytestmark = pytest.mark.slow


def _nothing_excluded(_: str) -> bool:
    return False


def test_filters_the_repository_names_never_run_during_an_audit(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    marker = tmp_path / "FILTER-RAN"
    repo = filter_repo(tmp_path / "repo", marker)
    for fmt in ("text", "json"):
        result = run_cli(repo, "--format", fmt, "--no-cache")
        assert result.code == 1, result.stderr
    assert not marker.exists()
    # The files are still audited (their facts read by us, with no filter).
    findings = run_cli(repo, "--format", "json").json()["findings"]
    assert ("UDEF006", "a.py") in {(f["ruleId"], f["path"]) for f in findings}


def test_the_filter_overrides_stop_git_itself_from_running_them(tmp_path: Path) -> None:
    # What would run them: a command that re-hashes changed files. With the repository's
    # drivers emptied, even that runs nothing (the second defence, gitsafe.py).
    marker = tmp_path / "FILTER-RAN"
    repo = filter_repo(tmp_path / "repo", marker)
    done = subprocess.run(
        git_argv("-C", str(repo), "ls-files", "-m"), env=safe_env(repository=repo), capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    # The proof that the repository is armed: without the overrides, git runs the filter.
    subprocess.run(git_argv("-C", str(repo), "ls-files", "-m"), env=safe_env(), capture_output=True, check=False)
    assert marker.exists()


def test_clean_blob_ids_need_no_hashing_and_skip_files_whose_stat_changed(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo", {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    git(repo, "update-index", "--refresh")  # the index is newer than the files: not racy
    inventory = build_inventory(repo.resolve(), _nothing_excluded)
    assert set(inventory.blob_ids) == {"a.py", "b.py"}
    os.utime(repo / "a.py", (1_000_000_000, 1_000_000_000))
    assert set(build_inventory(repo.resolve(), _nothing_excluded).blob_ids) == {"b.py"}


def _elsewhere(tmp_path: Path) -> Path:
    marker = tmp_path / "FILTER-RAN"
    return filter_repo(tmp_path / "elsewhere", marker)


@pytest.mark.parametrize("layout", ["gitdir-file", "symlink", "commondir", "alternates"])
def test_a_git_directory_leading_outside_the_root_is_not_used(
    tmp_path: Path, run_cli: Callable[..., Run], layout: str
) -> None:
    elsewhere = _elsewhere(tmp_path)
    root = tmp_path / "root"
    if layout in ("gitdir-file", "symlink"):
        root.mkdir()
        (root / "pyproject.toml").write_text('[project]\nname = "y"\n', encoding="utf-8")
        (root / "own.py").write_text("z = 1  # TODO\n", encoding="utf-8")
        if layout == "gitdir-file":
            (root / ".git").write_text(f"gitdir: {elsewhere / '.git'}\n", encoding="utf-8")
        else:
            (root / ".git").symlink_to(elsewhere / ".git")
    else:
        git_repo(root, {"pyproject.toml": '[project]\nname = "y"\n', "own.py": "z = 1  # TODO\n"})
        if layout == "commondir":
            (root / ".git" / "commondir").write_text(f"{elsewhere / '.git'}\n", encoding="utf-8")
        else:
            (root / ".git" / "objects" / "info" / "alternates").write_text(
                f"{elsewhere / '.git' / 'objects'}\n", encoding="utf-8"
            )
    assert repository_problem(root.resolve()) is not None
    result = run_cli(root, "--format", "json", "--no-cache")
    assert result.code == 1, result.stderr
    report = result.json()
    paths = {f["path"] for f in report["findings"]}
    assert "own.py" in paths and "a.py" not in paths  # the folder's files, not elsewhere's index
    notes = [n["message"] for n in report["notifications"]]
    assert any(n.startswith("git not used: its ") for n in notes), notes
    assert report["stats"]["git"] is False
    assert not (tmp_path / "FILTER-RAN").exists()


def test_a_linked_worktree_is_still_a_git_repository(tmp_path: Path) -> None:
    main = git_repo(tmp_path / "main", {"a.py": "x = 1\n"})
    git(main, "worktree", "add", "-q", str(tmp_path / "linked"))
    linked = (tmp_path / "linked").resolve()
    assert repository_problem(linked) is None
    inventory = build_inventory(linked, _nothing_excluded)
    assert inventory.is_git and inventory.files == ("a.py",)


def test_a_shallow_file_that_is_a_fifo_does_not_hang_the_history(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    repo = git_repo(tmp_path / "repo", {"pyproject.toml": '[project]\nname = "x"\n'})
    os.mkfifo(repo / ".git" / "shallow")  # git itself would block on it
    started = time.monotonic()
    result = run_cli(repo, "--format", "json")
    assert result.code in (0, 1), result.stderr
    assert time.monotonic() - started < 20
    notes = [n["message"] for n in result.json()["notifications"]]
    assert notes == [
        "git not used: its git directory's shallow is not a regular file; the files were listed from the folder "
        "and the score has no history"
    ]


def test_git_calls_made_together_give_none_when_git_is_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert git_outputs(tmp_path, ("rev-parse", "HEAD"), ("ls-files",)) == [None, None]


def test_git_calls_made_together_give_none_and_leave_nothing_running_when_git_hangs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hanging_git: HangingGit) -> None:
    monkeypatch.setattr(gitsafe, "_OUTPUT_TIMEOUT_SECONDS", 0.2)
    assert git_outputs(tmp_path, ("rev-parse", "HEAD"), ("ls-files",)) == [None, None]
    assert len(hanging_git.pids()) >= 2  # the two calls (and any git call safe_env makes first)
    assert hanging_git.none_left_running()
