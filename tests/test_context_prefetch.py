"""`RepoContext.prefetch_python_facts`: the scan of every Python file starts in worker
processes before the rules that read it, and gives what `python_facts` alone would: the same
facts, the same UDEF000 notes, and no read in `read_log` until a rule asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from udef_audit.context import RepoContext
from udef_audit.inventory import build_inventory
from udef_audit.parsers import python_pool
from udef_audit.testing import write_tree

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
