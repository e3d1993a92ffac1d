"""`RepoContext.prefetch_python_facts`: the scan of every Python file starts in worker
processes before the rules that read it, and gives what `python_facts` alone would: the same
facts, the same UDEF000 notes, and no read in `read_log` until a rule asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from udef_audit.config import Config
from udef_audit.context import RepoContext
from udef_audit.engine import _start_first_scan
from udef_audit.inventory import build_inventory
from udef_audit.parsers import python_pool
from udef_audit.request import AuditRequest
from udef_audit.testing import commit_all, write_tree

TREE = {
    "src/pkg/core.py": "def f():\n    raise NotImplementedError  # TODO: write it\n",
    "src/pkg/plain.py": "x = 1\n",
    "src/pkg/broken.py": "def f(:\n    raise NotImplementedError\n",
    "src/pkg/huge.py": "# TODO\n" + "x = 1\n" * 400,
    "README.md": "# readme\n",
}


def context(root: Path, **options: object) -> RepoContext:
    return RepoContext(build_inventory(root, lambda path: False), max_file_size=1_000, **options)  # type: ignore[arg-type]


def outcome(ctx: RepoContext) -> tuple[dict[str, object], list[tuple[str, str, str]], list[str]]:
    facts = {path: (found.markers, found.raises, found.error) for path, found in ctx.python_facts().items()}
    notes = [(note.rule_id, note.path, note.message) for note in ctx.diagnostics]
    return facts, notes, list(ctx.read_log)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_prefetched_scan_gives_what_a_plain_one_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    monkeypatch.setattr(python_pool, "_PARALLEL_MIN_CHARS", 1)  # a pool even for these few bytes
    root = write_tree(tmp_path / "repo", TREE)
    plain = context(root, use_cache=False, workers=workers)
    expected = outcome(plain)

    ahead = context(root, use_cache=False, workers=workers)
    ahead.prefetch_python_facts()
    assert ahead.read_log == {} and ahead.diagnostics == []  # nothing read for a rule yet
    assert outcome(ahead) == expected
    facts, notes, read = expected
    assert sorted(facts) == ["src/pkg/broken.py", "src/pkg/core.py", "src/pkg/plain.py"]
    assert [(rule, path) for rule, path, _ in notes] == [
        ("UDEF000", "src/pkg/huge.py"), ("UDEF000", "src/pkg/broken.py")]
    assert sorted(read) == ["src/pkg/broken.py", "src/pkg/core.py", "src/pkg/huge.py", "src/pkg/plain.py"]


def test_a_prefetch_nobody_collects_is_stopped_and_the_facts_computed_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_pool, "_PARALLEL_MIN_CHARS", 1)
    root = write_tree(tmp_path / "repo", TREE)
    ctx = context(root, use_cache=False, workers=2)
    ctx.prefetch_python_facts()
    ctx.cancel_prefetch()
    ctx.cancel_prefetch()  # twice: nothing left to stop
    assert outcome(ctx) == outcome(context(root, use_cache=False, workers=2))


def test_a_prefetch_after_the_facts_are_known_does_nothing(tmp_path: Path) -> None:
    ctx = context(write_tree(tmp_path / "repo", TREE), use_cache=False, workers=1)
    first = ctx.python_facts()
    ctx.prefetch_python_facts()
    assert ctx._prefetched == {}
    assert ctx.python_facts() == first


# --- a first audit's scan, started as soon as the files are listed (prefetch_if_cold) ---------

MARKED = {**TREE, "src/pkg/quiet.py": "x = 1  # udef: ignore[UDEF006]\n"}


def committed(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", MARKED)
    commit_all(root)
    return root


def test_a_cold_start_leaves_clean_tracked_files_to_the_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(python_pool, "_PARALLEL_MIN_CHARS", 1)
    root = committed(tmp_path)
    plain = context(root, use_cache=False, workers=2)
    expected, hints = outcome(plain), {path: plain.mentions_suppression(path) for path in plain.python_files}

    early = context(root, workers=2)
    early.prefetch_if_cold()
    assert early._prefetched  # started, and nothing read here: the workers read the files
    assert [path for path in early.python_files if early._holds_bytes(path)] == []
    assert outcome(early) == expected
    assert {path: early.mentions_suppression(path) for path in early.python_files} == hints
    assert hints["src/pkg/quiet.py"] and not hints["src/pkg/core.py"]


def test_no_cold_start_once_facts_are_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The rule cache may answer every rule that reads Python: the scan waits until one asks.
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(python_pool, "_PARALLEL_MIN_CHARS", 1)
    root = committed(tmp_path)
    first = context(root, workers=2)
    first.prefetch_if_cold()
    first.python_facts()
    again = context(root, workers=2)
    again.prefetch_if_cold()
    assert again._prefetched == {}
    assert again.python_facts() == first.python_facts()


def test_no_cold_start_for_a_scan_too_small_for_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # It would run here when asked anyway: nothing gained by starting it early.
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    ctx = context(committed(tmp_path), workers=2)
    ctx.prefetch_if_cold()
    assert ctx._prefetched == {}


def test_the_score_sample_joins_a_scan_already_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(python_pool, "_PARALLEL_MIN_CHARS", 1)
    root = committed(tmp_path)
    sample = ["src/pkg/core.py", "src/pkg/plain.py", "src/pkg/gone.py"]
    expected = context(root, use_cache=False, workers=1).complexity(sample)

    ctx = context(root, workers=2)
    ctx.prefetch_if_cold()
    ctx.expect_complexity(lambda: sample)
    assert ctx._expected_complexity == []  # named at once, for the running workers
    ctx.python_facts()
    assert sorted(ctx._measured_ahead) == ["src/pkg/core.py", "src/pkg/plain.py"]
    assert ctx.complexity(sample) == expected


def test_a_file_gone_after_the_listing_is_reported_as_a_plain_scan_reports_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The workers cannot read it: the rule that collects the scan reads it, and says so.
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(python_pool, "_PARALLEL_MIN_CHARS", 1)
    root = committed(tmp_path)
    early = context(root, workers=2)
    plain = context(root, use_cache=False, workers=2)
    (root / "src/pkg/plain.py").unlink()
    early.prefetch_if_cold()
    facts, notes, _ = outcome(early)
    assert (facts, notes) == outcome(plain)[:2]
    assert "src/pkg/plain.py" not in facts
    assert ("UDEF000", "src/pkg/plain.py") in [(rule, path) for rule, path, _ in notes]


class _Recorder:
    """A context that only records whether the engine started a first scan."""

    def __init__(self) -> None:
        self.started = False

    def prefetch_if_cold(self) -> None:
        self.started = True


@pytest.mark.parametrize(
    ("files", "config", "starts"),
    [
        (None, Config(), True),  # a first audit of every rule
        (None, Config(select=("UDEF006",)), False),  # the scan may serve nothing
        (None, Config(ignore=("UDEF005", "UDEF006", "UDEF012")), False),
        (("a.py",), Config(), False),  # --files scans its few files when asked
    ],
)
def test_the_engine_starts_a_first_scan_only_for_a_whole_audit_of_every_rule(
        files: tuple[str, ...] | None, config: Config, starts: bool) -> None:
    ctx = _Recorder()
    _start_first_scan(ctx, AuditRequest(Path(), files=files), config)  # type: ignore[arg-type]
    assert ctx.started is starts
