"""A fix writes only inside the root, never through a symlink, never into .git; atomically,
keeping the mode; and refuses a file that changed since it was read."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree
from fixing import PYPROJECT, fixed, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udef_audit.fix import safe_fs
from udef_audit.fix.tree import FixRefused, FixTree
from udef_audit.fix.writer import ChangedMeanwhile, apply

PARTS = st.sampled_from(["a", "b", "link", "dirlink", ".git", ".GIT", "..", ".", "", "x.txt", "HEAD", "out"])
PATHS = st.lists(PARTS, min_size=1, max_size=4).map("/".join) | st.sampled_from(["/etc/passwd", "a\0b", "../out/x"])


def _sandbox(base: Path) -> tuple[Path, Path]:
    """A root with a .git folder, a folder, a symlinked folder and file leading outside."""
    root, outside = base / "root", base / "outside"
    write_tree(outside, {"x.txt": "outside\n", "HEAD": "outside\n"})
    write_tree(root, {".git/HEAD": "ref\n", "a/x.txt": "a\n", "b/keep": ""})
    (root / "dirlink").symlink_to(outside, target_is_directory=True)
    (root / "a" / "link").symlink_to(outside / "x.txt")
    return root, outside


def _everything(base: Path) -> dict[str, bytes]:
    return {
        p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file() and not p.is_symlink()
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rel=PATHS, data=st.binary(max_size=20))
def test_a_write_lands_inside_the_root_or_nowhere(
    tmp_path_factory: pytest.TempPathFactory, rel: str, data: bytes
) -> None:
    base = tmp_path_factory.mktemp("w")
    root, _ = _sandbox(base)
    before = _everything(base)
    try:
        safe_fs.write_file(root, rel, data, 0o644)
    except (safe_fs.UnsafePath, OSError):
        assert _everything(base) == before
        return
    after = _everything(base)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed == {f"root/{rel}"}
    assert ".git" not in [part.casefold() for part in rel.split("/")]
    assert {k: v for k, v in after.items() if k.startswith("outside/")} == {
        k: v for k, v in before.items() if k.startswith("outside/")
    }


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=PATHS, target=PATHS)
def test_a_move_stays_inside_the_root(tmp_path_factory: pytest.TempPathFactory, source: str, target: str) -> None:
    base = tmp_path_factory.mktemp("m")
    root, _ = _sandbox(base)
    before = _everything(base)
    try:
        safe_fs.move(root, source, target)
    except (safe_fs.UnsafePath, OSError):
        assert _everything(base) == before
        return
    after = _everything(base)
    assert {k for k in after if not k.startswith("root/")} == {k for k in before if not k.startswith("root/")}
    assert all(not k.startswith("root/.git/") or before.get(k) == v for k, v in after.items())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rel=PATHS)
def test_a_read_never_follows_a_link(tmp_path_factory: pytest.TempPathFactory, rel: str) -> None:
    root, _ = _sandbox(tmp_path_factory.mktemp("r"))
    try:
        data = FixTree(root).read(rel)
    except (FixRefused, safe_fs.UnsafePath):
        return
    assert data != b"outside\n"


def test_symlinked_gitignore_and_docs_are_refused(tmp_path: Path, run_inproc) -> None:
    outside = write_tree(tmp_path / "outside", {"ignore": "x\n"})
    root = write_tree(tmp_path / "repo", {"pyproject.toml": PYPROJECT, "app.py": "x = 1\n", "README.md": "# r\n"})
    (root / ".gitignore").symlink_to(outside / "ignore")
    (root / "docs").symlink_to(outside, target_is_directory=True)
    before = snapshot(tmp_path / "outside")
    out = fixed(run_inproc, root, "--unsafe-fixes").stdout
    assert (
        "not fixed README.md:1 UDEF011: refused: .gitignore is a symlink" in out or "UDEF011: refused .gitignore" in out
    )
    assert "not fixed README.md:1 UDEF007: refused: docs is a symlink" in out
    assert snapshot(tmp_path / "outside") == before


def test_a_file_changed_since_it_was_read_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.txt": "one\n", "b.txt": "two\n"})
    tree = FixTree(tmp_path)
    tree.write_text("b.txt", "TWO\n")
    tree.write_text("a.txt", (tree.read_text("a.txt") or ("", None))[0] + "more\n")
    (tmp_path / "a.txt").write_text("someone else\n")
    with pytest.raises(ChangedMeanwhile, match=r"a\.txt changed since the fix read it"):
        apply(tree)
    assert (tmp_path / "b.txt").read_text() == "two\n"  # nothing was written


def test_atomic_write_leaves_no_temporary_and_keeps_the_mode(tmp_path: Path) -> None:
    write_tree(tmp_path, {"run.sh": "echo 1\n"})
    (tmp_path / "run.sh").chmod(0o750)
    tree = FixTree(tmp_path)
    tree.write_text("run.sh", "echo 2\n")
    apply(tree)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.sh"]
    assert (tmp_path / "run.sh").stat().st_mode & 0o777 == 0o750


def test_git_is_never_written(tmp_path: Path) -> None:
    tree = FixTree(tmp_path)
    with pytest.raises(safe_fs.UnsafePath, match=r"never writes into \.git"):
        tree.write_text(".git/hooks/pre-commit", "evil\n")
