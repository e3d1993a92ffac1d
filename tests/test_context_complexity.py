"""`RepoContext.complexity`: McCabe complexity per function, computed once per content and
cached on disk beside the facts; an unparseable file is a UDEF000 note, not an entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from udef_audit.context import RepoContext
from udef_audit.inventory import build_inventory
from udef_audit.parsers import python_source
from udef_audit.testing import write_tree

TREE = {
    "src/pkg/core.py": "def f(x):\n    if x and x > 1:\n        return 1\n    return 0\n\n"
                       "class C:\n    def m(self):\n        return [i for i in self if i]\n",
    "src/pkg/new.py": "def first[T](items: list[T]) -> T:\n    return items[0] if items else None\n",
    "src/pkg/broken.py": "def f(:\n",
}


def context(root: Path, **options: object) -> RepoContext:
    return RepoContext(build_inventory(root, lambda path: False), **options)  # type: ignore[arg-type]


def rows(found: dict[str, tuple]) -> dict[str, list[tuple[str, int, int, int]]]:
    return {path: [(f.name, f.line, f.column, f.complexity) for f in functions]
            for path, functions in found.items()}


def test_complexity_per_function_and_a_note_for_an_unparseable_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    ctx = context(write_tree(tmp_path / "repo", TREE))
    found = ctx.complexity(["src/pkg/core.py", "src/pkg/new.py", "src/pkg/broken.py", "src/pkg/core.py"])
    assert rows(found) == {
        "src/pkg/core.py": [("f", 1, 1, 3), ("C.m", 7, 5, 3)],
        "src/pkg/new.py": [("first", 1, 1, 2)],
    }
    assert [(d.rule_id, d.path) for d in ctx.diagnostics] == [("UDEF000", "src/pkg/broken.py")]
    assert "syntax error line 1" in ctx.diagnostics[0].message
    assert ctx.complexity(["src/pkg/new.py"]) == {"src/pkg/new.py": found["src/pkg/new.py"]}


def test_complexity_is_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    root = write_tree(tmp_path / "repo", TREE)
    first = context(root).complexity(["src/pkg/core.py"])
    assert list((tmp_path / "cache").glob("python-complexity-*.json"))
    monkeypatch.setattr(python_source, "complexity_many", lambda *a, **k: pytest.fail("measured again"))
    assert context(root).complexity(["src/pkg/core.py"]) == first
    # changed content: measured again (and the patched function says so)
    (root / "src/pkg/core.py").write_text("def g():\n    pass\n")
    with pytest.raises(pytest.fail.Exception):
        context(root).complexity(["src/pkg/core.py"])
    # without the cache nothing is read from disk
    monkeypatch.undo()
    assert rows(context(root, use_cache=False).complexity(["src/pkg/core.py"])) == {
        "src/pkg/core.py": [("g", 1, 1, 1)]}


def test_an_expected_sample_is_measured_with_the_facts_scan_and_noted_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    root = write_tree(tmp_path / "repo", {**TREE, "src/pkg/todo.py": "x = 1  # TODO: later\n"})
    expected = rows(context(root, use_cache=False).complexity(["src/pkg/core.py", "src/pkg/broken.py"]))
    ctx = context(root)
    ctx.expect_complexity(lambda: ["src/pkg/core.py", "src/pkg/broken.py", "not/in/scope.py"])
    ctx.python_facts(["src/pkg/todo.py"])
    # Measured by the scan, read quietly: no rule's cached results come to depend on it,
    # and the note for the broken file waits until the score asks.
    assert set(ctx.read_log) == {"src/pkg/todo.py"}
    assert [d.path for d in ctx.diagnostics] == []
    monkeypatch.setattr(python_source, "complexity_many", lambda *a, **k: pytest.fail("measured again"))
    assert rows(ctx.complexity(["src/pkg/core.py", "src/pkg/broken.py"])) == expected
    assert [(d.rule_id, d.path) for d in ctx.diagnostics] == [("UDEF000", "src/pkg/broken.py")]
    # remembered like any measurement
    assert rows(context(root).complexity(["src/pkg/core.py"])) == {"src/pkg/core.py": expected["src/pkg/core.py"]}


def test_an_expected_file_the_cache_knows_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UDEF_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    root = write_tree(tmp_path / "repo", TREE)
    context(root).complexity(["src/pkg/core.py"])
    ctx = context(root)
    ctx.expect_complexity(lambda: ["src/pkg/core.py"])
    assert ctx._complexity_ahead() == []


def test_one_pool_for_facts_and_complexity_gives_what_each_gives_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_source, "worker_count", lambda workers, items, min_chars=None: 2)
    files = [(name, text.encode()) for name, text in TREE.items()]
    files.append(("src/pkg/todo.py", b"def f():\n    raise NotImplementedError  # TODO: later\n"))
    facts, measured = python_source.scan_and_measure(files, files[:3], workers=2)
    assert facts == python_source.scan_many(files, workers=1)
    assert measured == python_source.complexity_many(files[:3], workers=1)
