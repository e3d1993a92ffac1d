"""A whole report replayed (replay.py, ADR 0015): the same command on the same tree prints
what it printed last time without auditing again, and anything the audit could have seen
changing makes it audit again."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import HYGIENE, Run, write_tree

from udef_audit import cli, replay
from udef_audit.replay import Invocation, Replays

PYPROJECT = '[project]\nname = "demo"\nversion = "1.0"\ndependencies = []\n'
FILES = {
    "pyproject.toml": PYPROJECT,
    "src/demo/__init__.py": "def f():\n    raise NotImplementedError\n",
    "README.md": "# Demo\n",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def _repository(root: Path) -> Path:
    write_tree(root, FILES)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")
    return root


@pytest.fixture
def audits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each full audit the command line starts (a replay starts none)."""
    started: list[int] = []
    real = cli._run_audit

    def counting(request: Any) -> Any:
        started.append(1)
        return real(request)

    monkeypatch.setattr(cli, "_run_audit", counting)
    return started


def _twice(
    run_inproc: Callable[..., Run], root: Path, *args: str, between: Callable[[], object] = lambda: None
) -> tuple[Run, Run]:
    first = run_inproc(root, *args)
    between()
    return first, run_inproc(root, *args)


def test_the_same_command_on_the_same_tree_prints_the_same_report_without_auditing(
    tmp_path: Path, run_inproc: Callable[..., Run], audits: list[int]
) -> None:
    root = _repository(tmp_path / "repo")
    first, second = _twice(run_inproc, root, "--format", "json")
    assert first.code == second.code == 1
    assert second.stdout == first.stdout
    assert audits == [1]


def test_each_format_is_its_own_report(tmp_path: Path, run_inproc: Callable[..., Run], audits: list[int]) -> None:
    root = _repository(tmp_path / "repo")
    as_json = run_inproc(root, "--format", "json")
    as_text = run_inproc(root, "--format", "text")
    assert run_inproc(root, "--format", "json").stdout == as_json.stdout
    assert run_inproc(root, "--format", "text").stdout == as_text.stdout
    assert as_text.stdout != as_json.stdout
    assert audits == [1, 1]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: (root / "src/demo/__init__.py").write_text("def f():\n    return 1\n"), id="edited"),
        pytest.param(lambda root: (root / "src/demo/new.py").write_text("x = 1  # TODO: later\n"), id="untracked"),
        pytest.param(lambda root: (root / "README.md").unlink(), id="deleted"),
        pytest.param(
            lambda root: (root / "pyproject.toml").write_text(PYPROJECT + '[tool.udef-audit]\nignore = ["UDEF006"]\n'),
            id="config",
        ),
        pytest.param(lambda root: _git(root, "commit", "-q", "--allow-empty", "-m", "next"), id="new-commit"),
    ],
)
def test_a_change_the_audit_could_see_audits_again(
    tmp_path: Path, run_inproc: Callable[..., Run], audits: list[int], change: Callable[[Path], object]
) -> None:
    root = _repository(tmp_path / "repo")
    _twice(run_inproc, root, "--format", "json", between=lambda: change(root))
    assert audits == [1, 1]


def test_an_edit_shows_in_the_next_report(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    root = _repository(tmp_path / "repo")
    fixed = lambda: (root / "src/demo/__init__.py").write_text("def f():\n    return 1\n")  # noqa: E731
    before, after = _twice(run_inproc, root, "--format", "json", between=fixed)
    assert "UDEF006" in {f["ruleId"] for f in before.json()["findings"]}
    assert "UDEF006" not in {f["ruleId"] for f in after.json()["findings"]}


def test_the_environment_and_the_date_are_part_of_the_key(
    tmp_path: Path, run_inproc: Callable[..., Run], audits: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path / "repo")
    run_inproc(root, "--format", "json")
    run_inproc(root, "--format", "json", env={"FORCE_COLOR": "1"})
    monkeypatch.setattr(replay, "_today", lambda: "2099-01-01")
    run_inproc(root, "--format", "json")
    assert audits == [1, 1, 1]


def test_a_baseline_named_outside_the_tree_is_part_of_the_key(
    tmp_path: Path, run_inproc: Callable[..., Run], audits: list[int]
) -> None:
    root = _repository(tmp_path / "repo")
    baseline = tmp_path / "baseline.json"
    empty = tmp_path / "empty.json"
    run_inproc(root, "--write-baseline", str(baseline))  # writes: never replayed nor stored
    (root / "README.md").rename(tmp_path / "README.md")
    run_inproc(root, "--write-baseline", str(empty))  # also the README's absence
    (tmp_path / "README.md").rename(root / "README.md")
    first = run_inproc(root, "--format", "json", "--baseline", str(baseline))
    baseline.write_bytes(empty.read_bytes())
    second = run_inproc(root, "--format", "json", "--baseline", str(baseline))
    assert audits == [1, 1, 1, 1]
    assert second.stdout != first.stdout


@pytest.mark.parametrize("args", [("--no-cache",), ("--files", "src/demo/__init__.py")])
def test_no_replay_without_the_cache_or_for_named_files(
    tmp_path: Path, run_inproc: Callable[..., Run], audits: list[int], args: tuple[str, ...]
) -> None:
    root = _repository(tmp_path / "repo")
    for _ in range(2):
        run_inproc(root, "--format", "json", *args, cwd=root) if "--files" in args else run_inproc(root, *args)
    assert audits == [1, 1]


def test_a_custom_policy_always_runs(tmp_path: Path, run_inproc: Callable[..., Run], audits: list[int]) -> None:
    root = _repository(tmp_path / "repo")
    write_tree(
        root,
        {
            "pyproject.toml": PYPROJECT + '[tool.udef-audit]\npolicies = ["policies/"]\n',
            "policies/acme.yaml": (
                "id: ACME006\nslug: security-policy-present\ntitle: A SECURITY.md\nlevel: error\nphase: 0\n"
                "why: Reports go to public issues otherwise.\nfix: Add SECURITY.md.\n"
                'message: "no security policy: add {expected}"\n'
                "check:\n  files: {exists: [SECURITY.md]}\n"
            ),
        },
    )
    first, second = _twice(run_inproc, root, "--format", "json")
    assert "ACME006" in {f["ruleId"] for f in first.json()["findings"]}, first.stderr
    assert second.json()["findings"] == first.json()["findings"]
    assert audits == [1, 1]


def test_a_damaged_or_foreign_store_is_an_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    reports = Replays(tmp_path, "k" * 40)
    assert reports.lookup() is None
    reports.store("the report\n", 1)
    stored = reports.lookup()
    assert stored is not None and (stored.output, stored.code) == ("the report\n", 1)
    (reports.folder / reports.key).write_text("not a code\nthe report\n")
    assert reports.lookup() is None


def test_only_the_newest_reports_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    for number in range(replay.MAX_ENTRIES + 3):
        Replays(tmp_path, f"key{number:02d}").store(f"report {number}", 0)
    kept = sorted(p.name for p in Replays(tmp_path, "x").folder.iterdir())
    assert len(kept) == replay.MAX_ENTRIES and "key00" not in kept


def test_the_shell_s_own_variables_are_not_part_of_the_key() -> None:
    same = Invocation(("--format", "json"), "/w", {"HOME": "/h", "SHLVL": "1", "_": "/bin/a"}, "d")
    other = Invocation(("--format", "json"), "/w", {"HOME": "/h", "SHLVL": "2", "_": "/bin/b"}, "d")
    assert same.to_key() == other.to_key()
    moved = Invocation((), "/w", {"HOME": "/elsewhere"}, "d")
    assert moved.to_key() != Invocation((), "/w", {"HOME": "/h"}, "d").to_key()


def test_a_clean_repository_replays_through_the_console_script(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = _repository(tmp_path / "repo")
    write_tree(root, HYGIENE)
    first = run_cli(root, "--format", "sarif")
    second = run_cli(root, "--format", "sarif")
    assert (second.code, second.stdout, second.stderr) == (first.code, first.stdout, first.stderr)


def test_large_untracked_files_are_known_by_their_stat_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_inproc: Callable[..., Run], audits: list[int]
) -> None:
    root = _repository(tmp_path / "repo")
    big = root / "data.bin"
    big.write_bytes(b"\0" * 64)
    monkeypatch.setattr(replay, "MAX_HASHED_BYTES", 16)
    reads: list[str] = []
    real = replay.read_regular_file

    def reading(base: Path, rel: str, limit: int) -> bytes:
        reads.append(rel)
        return real(base, rel, limit)

    monkeypatch.setattr(replay, "read_regular_file", reading)
    run_inproc(root, "--format", "json")
    assert "data.bin" not in reads
    run_inproc(root, "--format", "json")
    big.write_bytes(b"\1" * 65)  # a new size (and time): audited again
    run_inproc(root, "--format", "json")
    assert audits == [1, 1]


@pytest.mark.parametrize(("exclude", "listings"), [((), 1), (("src/**",), 2)])
def test_the_audit_lists_the_repository_once_unless_something_is_excluded(
    tmp_path: Path, run_inproc: Callable[..., Run], monkeypatch: pytest.MonkeyPatch,
    exclude: tuple[str, ...], listings: int,
) -> None:
    from udef_audit import engine

    root = _repository(tmp_path / "repo")
    made: list[int] = []
    real_replay, real_engine = replay.build_inventory, engine.build_inventory

    def counted(real: Callable[..., Any]) -> Callable[..., Any]:
        def build(*args: Any, **kwargs: Any) -> Any:
            made.append(1)
            return real(*args, **kwargs)

        return build

    monkeypatch.setattr(replay, "build_inventory", counted(real_replay))
    monkeypatch.setattr(engine, "build_inventory", counted(real_engine))
    excludes = [arg for pattern in exclude for arg in ("--exclude", pattern)]
    report = run_inproc(root, "--format", "json", *excludes).json()
    assert len(made) == listings
    paths = {f["path"] for f in report["findings"]}
    assert ("src/demo/__init__.py" in paths) is not bool(exclude)


def test_a_write_that_fails_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from udef_audit import cache

    target = tmp_path / "store" / "report"

    def failing_replace(self: Path, other: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        cache.write_atomically(target, b"data")
    assert list(target.parent.iterdir()) == []
