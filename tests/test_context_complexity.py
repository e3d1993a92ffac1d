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
