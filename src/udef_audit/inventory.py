"""Which files an audit looks at.

Files in scope: what git tracks plus untracked files git does not ignore (every file below
the root when it is not a git work tree), minus virtualenvs, `node_modules`, build output,
caches and the user's excludes. Symlinks are never followed: a symlinked file or directory
is left out (its target, when inside the root, is audited under its real path).
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from udef_audit.gitsafe import git_argv, safe_env

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "build",
        "dist",
        ".tox",
        ".nox",
        "site-packages",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".eggs",
        ".udef-audit-cache",
    }
)


@dataclass(frozen=True)
class Inventory:
    """The files in scope (posix paths relative to the root, sorted) and how they were found."""

    root: Path
    files: tuple[str, ...]
    is_git: bool
    skipped_symlinks: tuple[str, ...] = ()
    # Git blob ids of tracked files whose work-tree content is the indexed one: a content
    # hash git already has, so a warm audit need not read and hash those files again.
    blob_ids: Mapping[str, str] = field(default_factory=dict)
    # Every path in the git index, whatever the skip list says (a tracked `__pycache__/*.pyc`
    # is a finding, not a file to audit), minus the user's excludes; sorted, empty without git.
    tracked: tuple[str, ...] = ()


def build_inventory(root: Path, excluded: Callable[[str], bool]) -> Inventory:
    """List the files in scope below `root` (already resolved, an existing directory)."""
    listed = _git_files(root)
    is_git = listed is not None
    candidates = listed if listed is not None else _walk(root)
    files, links = _filter(root, candidates, excluded)
    blob_ids, tracked = _index_entries(root) if is_git else ({}, ())
    tracked = tuple(path for path in tracked if not excluded(path))
    return Inventory(root, tuple(sorted(files)), is_git, tuple(links), blob_ids, tracked)


def _index_entries(root: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """The index, read once: path -> blob id for tracked, unmerged-free files that are
    unmodified in the work tree, and every tracked path."""
    staged = _git_lines(root, "ls-files", "-s", "-z") or []
    modified = set(_git_lines(root, "ls-files", "-m", "-z") or [])  # modified or deleted
    ids: dict[str, str] = {}
    tracked: set[str] = set()
    for entry in staged:
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        tracked.add(path)
        if len(fields) == 3 and fields[2] == "0" and path not in modified:
            ids[path] = fields[1]
    return ids, tuple(sorted(tracked))


def _git_lines(root: Path, *args: str) -> list[str] | None:
    """NUL-separated output of a git command; None when git is missing or fails."""
    try:
        out = subprocess.run(
            git_argv("-C", str(root), *args),
            capture_output=True,
            env=safe_env(),
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return [p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def _git_files(root: Path) -> list[str] | None:
    """Tracked + untracked-not-ignored files, or None when root is not in a git work tree."""
    if not (root / ".git").exists() and not _inside_work_tree(root):
        return None
    return _git_lines(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate")


def _inside_work_tree(root: Path) -> bool:
    answer = _git_lines(root, "rev-parse", "--is-inside-work-tree")
    return answer is not None and [line.strip() for line in answer] == ["true"]


def _walk(root: Path) -> Iterator[str]:
    """Every regular file below root, not descending into skipped or symlinked directories."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if not _skip_dir(Path(dirpath) / d, d)]
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            yield name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")


def _skip_dir(path: Path, name: str) -> bool:
    return _skip_name(name) or (path / "pyvenv.cfg").exists()


def _filter(
    root: Path, candidates: Iterator[str] | list[str], excluded: Callable[[str], bool]
) -> tuple[list[str], list[str]]:
    candidates = list(candidates)
    venvs = {p.rpartition("/")[0] for p in candidates if p.endswith("pyvenv.cfg")}
    files: list[str] = []
    links: list[str] = []
    for rel in candidates:
        if _skipped(rel, venvs) or excluded(rel):
            continue
        kind = _kind(root / rel)
        if kind == "file":
            files.append(rel)
        elif kind == "link":
            links.append(rel)
    return files, links


def _skipped(rel: str, venvs: set[str]) -> bool:
    """Inside a tool directory, a virtualenv or a project template (git may track them; we
    never audit them)."""
    parents = rel.split("/")[:-1]
    return any(_skip_name(part) for part in parents) or _under_any(rel, venvs)


def _skip_name(name: str) -> bool:
    # `{{cookiecutter.project_slug}}/` and copier's `{{ name }}/` hold Jinja templates, not
    # code: their pyproject.toml and Python do not parse until rendered.
    return name in SKIP_DIRS or name.endswith(".egg-info") or "{{" in name or "{%" in name


def _under_any(rel: str, dirs: set[str]) -> bool:
    return any(d == "" or rel.startswith(d + "/") for d in dirs) if dirs else False


def _kind(path: Path) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # listed by git but deleted from the work tree
        return "missing"
    if stat.S_ISLNK(mode):
        return "link"
    return "file" if stat.S_ISREG(mode) else "other"
