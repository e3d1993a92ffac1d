"""udef_audit.parsers.gitignore: the verdict git itself gives (`git check-ignore`)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers.gitignore import MAX_PATTERNS, GitignoreError, folders_of, is_ignored, parse_gitignore

# Nested .gitignore files, negation, anchoring, `**`, directory-only patterns.
IGNORE_FILES = {
    "": "build/\n/dist\n*.py[cod]\n!keep.pyc\n__pycache__\nlogs/*\n!logs/keep/\nfoo/**/bar\n.venv\r\n",
    "src": "/generated\n!*.pyc\n*.egg-info/\n",
    "src/pkg": "!__pycache__/\ncache/\n",
    "docs": "_build\n!build/\n",
}
PATHS = [
    "build/lib/m.py", "sub/build/x", "build", "dist/p.whl", "sub/dist/x", "m.pyc", "keep.pyc", "a/b/keep.pyc",
    "__pycache__/m.cpython-312.pyc", "src/m.pyc", "src/generated/x.py", "generated/x.py", "src/pkg/__pycache__/m.pyc",
    "src/pkg/cache/x", "src/x.egg-info/PKG-INFO", "x.egg-info/PKG-INFO", "logs/today.txt", "logs/keep/a.txt",
    "foo/bar", "foo/a/b/bar", "foo/a/b/bar/x", "docs/_build/index.html", "docs/build/x", ".venv/bin/python",
    "src/pkg/module.py",
]  # fmt: skip


def _git_verdicts(root: Path, paths: list[str]) -> dict[str, bool]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    verdicts = {}
    for path in paths:
        done = subprocess.run(["git", "-C", str(root), "check-ignore", "--no-index", "-q", path], env=env, check=False)
        verdicts[path] = done.returncode == 0
    return verdicts


def test_same_verdicts_as_git(tmp_path: Path) -> None:
    for folder, text in IGNORE_FILES.items():
        target = tmp_path / folder / ".gitignore"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode())
    specs = {folder: parse_gitignore(text) for folder, text in IGNORE_FILES.items()}
    ours = {path: is_ignored(path, specs) for path in PATHS}
    assert ours == _git_verdicts(tmp_path, PATHS)
    # A few verdicts spelled out, so the expectations do not rest on git alone.
    assert ours["src/pkg/__pycache__/m.pyc"] is False  # the deeper file re-includes
    assert ours["logs/keep/a.txt"] is False and ours["logs/today.txt"] is True
    assert ours["src/m.pyc"] is False and ours["a/b/keep.pyc"] is False
    assert ours["docs/build/x"] is False and ours["sub/dist/x"] is False


def test_a_file_in_an_excluded_folder_cannot_be_re_included() -> None:
    specs = {"": parse_gitignore("cache/\n!cache/keep.txt\n")}
    assert is_ignored("cache/keep.txt", specs) is True
    assert is_ignored("cache", specs, directory=True) is True
    assert is_ignored("cache", specs) is False  # a file named cache is no folder


def test_invalid_patterns_are_skipped() -> None:
    specs = {"": parse_gitignore("[z-a]\n!\ntrailing\\\n*.pyc\n")}
    assert is_ignored("m.pyc", specs) is True
    assert is_ignored("trailing", specs) is False


def test_too_many_patterns_are_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(GitignoreError, match="too many patterns"):
        parse_gitignore("x\n" * (MAX_PATTERNS + 1))
    assert time.perf_counter() - started < 1.0
    assert is_ignored("x", {"": parse_gitignore("# only comments\n\n" * MAX_PATTERNS + "x\n")}) is True


def test_folders_whose_ignore_files_count() -> None:
    assert folders_of(["a/b/c.py", "d.py", "__pycache__/m.pyc"]) == {"", "a", "a/b", "__pycache__"}


@given(st.text(max_size=300), st.text(alphabet="ab/.*!_", min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_hostile_patterns_never_raise(text: str, path: str) -> None:
    is_ignored(path, {"": parse_gitignore(text)})
