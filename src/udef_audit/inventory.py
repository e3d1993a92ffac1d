"""Which files an audit looks at.

Files in scope: what git tracks plus untracked files git does not ignore (every file below
the root when it is not a git work tree), minus virtualenvs, `node_modules`, build output,
caches and the user's excludes. Symlinks are never followed: a symlinked file or directory
is left out (its target, when inside the root, is audited under its real path).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from udef_audit.git_index import index_commands, index_entries
from udef_audit.gitsafe import git_output, git_outputs, repository_problem
from udef_audit.repo_paths import parent_dirs, path_problem

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
    # is a finding, not a file to audit), minus the user's excludes and the paths refused
    # below; sorted, empty without git.
    tracked: tuple[str, ...] = ()
    # Paths git listed that are not normalised relative paths inside the root (`../x`,
    # `/etc/passwd`, ...), each with the reason: skipped, and said in a notification.
    refused: tuple[tuple[str, str], ...] = ()
    # Why git was not used although the folder looks like a repository (its .git leads out).
    git_refused: str | None = None
    # Paths listed (by git, or by the walk) that the scope leaves out: the user's excludes,
    # virtualenvs, build output, caches. Never read; a link to one still names a file that
    # exists in the repository (UDEF026).
    left_out: tuple[str, ...] = ()
    # The size of each file in scope when it was listed (its `lstat`, taken once): what the
    # Python scan balances its workers by, before anything is read.
    sizes: Mapping[str, int] = field(default_factory=dict)


# A pre-commit run names a few files: git is asked about those alone (and the places a
# virtualenv marker would sit above them) rather than listing the whole repository; beyond
# this many the command line grows long and the whole listing is as cheap.
MAX_NAMED_PATHS = 100


def build_inventory(root: Path, excluded: Callable[[str], bool], named: Sequence[str] | None = None) -> Inventory:
    """List the files in scope below `root` (already resolved, an existing directory);
    with `named` (root-relative posix paths), in a git work tree, only those of them that
    are in scope (the `--files` mode: what else the repository holds is not asked)."""
    git_refused = repository_problem(root)
    pathspecs = _pathspecs(named) if named is not None and len(named) <= MAX_NAMED_PATHS else ()
    listed, index = _git_files(root, pathspecs) if git_refused is None else (None, (None, None))
    is_git = listed is not None
    candidates, refused = _checked(listed) if listed is not None else (list(_walk(root)), [])
    stats, links, left_out = _filter(root, candidates, excluded)
    blob_ids, tracked = index_entries(root, stats, *index) if is_git else ({}, ())
    return Inventory(
        root,
        tuple(sorted(stats)),
        is_git,
        tuple(links),
        blob_ids,
        tracked=tuple(path for path in tracked if not excluded(path)),
        refused=tuple(refused),
        git_refused=git_refused,
        left_out=tuple(sorted(left_out)),
        sizes={path: info.st_size for path, info in stats.items()},
    )


def _checked(paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Git's paths split into usable ones and refused ones (with the reason)."""
    usable: list[str] = []
    refused: list[tuple[str, str]] = []
    for path in paths:
        problem = path_problem(path)
        if problem is None:
            usable.append(path)
        else:
            refused.append((path, problem))
    return usable, refused


def _git_files(
    root: Path, pathspecs: tuple[str, ...] = ()
) -> tuple[list[str] | None, tuple[bytes | None, bytes | None]]:
    """Tracked + untracked-not-ignored files (those `pathspecs` name, when given), or None
    when root is not in a git work tree; with the outputs `index_entries` reads, asked at
    the same time."""
    if not _lexists(root / ".git") and not _inside_work_tree(root):
        return None, (None, None)
    listing, index, index_path = git_outputs(
        root,
        ("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate", "--", *pathspecs),
        *index_commands(pathspecs),
    )
    return _nul_separated(listing), (index, index_path)


def _nul_separated(out: bytes | None) -> list[str] | None:
    return None if out is None else [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _pathspecs(named: Sequence[str]) -> tuple[str, ...]:
    """Literal pathspecs for the named files and for a `pyvenv.cfg` in each folder above
    them (a file inside a virtualenv is left out, as in a full listing)."""
    wanted = dict.fromkeys(named)
    for name in named:
        for folder in parent_dirs(name):
            wanted[f"{folder}/pyvenv.cfg" if folder else "pyvenv.cfg"] = None
    if not wanted:
        wanted["pyvenv.cfg"] = None  # no file named: a pathspec that lists nothing else
    return tuple(f":(literal){path}" for path in wanted)


def _inside_work_tree(root: Path) -> bool:
    answer = _nul_separated(git_output(root, "rev-parse", "--is-inside-work-tree"))
    return answer is not None and [line.strip() for line in answer] == ["true"]


def _lexists(path: Path) -> bool:
    try:
        os.lstat(path)
    except OSError:
        return False
    return True


def _walk(root: Path) -> Iterator[str]:
    """Every regular file below root, not descending into skipped or symlinked directories."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if not _skip_dir(Path(dirpath) / d, d)]
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            yield name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")


def _skip_dir(path: Path, name: str) -> bool:
    # lstat, not exists(): a symlinked folder is not descended into, nor looked through.
    return _skip_name(name) or path.is_symlink() or _lexists(path / "pyvenv.cfg")


def _filter(
    root: Path, candidates: Iterator[str] | list[str], excluded: Callable[[str], bool]
) -> tuple[dict[str, os.stat_result], list[str], list[str]]:
    """The regular files in scope with their `lstat`, the symlinks, and the paths left out."""
    candidates = list(candidates)
    venvs = {p.rpartition("/")[0] for p in candidates if p.endswith("pyvenv.cfg")}
    files: dict[str, os.stat_result] = {}
    links: list[str] = []
    kinds = _Kinds(root)
    left_out: list[str] = []
    for rel in candidates:
        if _skipped(rel, venvs) or excluded(rel):
            left_out.append(rel)
            continue
        kind, info = kinds.of(rel)
        if info is not None:
            files[rel] = info
        elif kind == "link":
            links.append(rel)
    return files, links, left_out


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


class _Kinds:
    """What each path is, looked at without following a symlink in any component: a file
    under a symlinked folder is a link, even when git still lists it (its folder was
    replaced after the checkout). Each folder is looked at once, and the verdict on the
    folders above a file is remembered per folder (2,000 files share a few hundred)."""

    def __init__(self, root: Path) -> None:
        # Plain strings, not Path objects: joining 2,000 pathlib paths costs more than
        # the lstat calls themselves.
        self.root = os.fspath(root)
        self.folders: dict[str, str] = {}  # "dir" when every folder down to it is one

    def of(self, rel: str) -> tuple[str, os.stat_result | None]:
        """"file" (with its `lstat`), "link", "missing" or "other" for a checked relative path."""
        folder = rel.rpartition("/")[0]
        above = self._folder(folder) if folder else "dir"
        if above != "dir":
            return above, None
        info = _lstat(f"{self.root}/{rel}")
        kind = _kind(info)
        return kind, info if kind == "file" else None

    def _folder(self, folder: str) -> str:
        """"dir" when `folder` and every folder above it are real folders; else "link" or
        "missing", for the first that is not (nothing below it is looked at)."""
        pending: list[str] = []
        while folder and folder not in self.folders:  # a loop, not recursion: paths nest deep
            pending.append(folder)
            folder = folder.rpartition("/")[0]
        verdict = self.folders[folder] if folder else "dir"
        for name in reversed(pending):
            if verdict == "dir":
                kind = _kind(_lstat(f"{self.root}/{name}"))
                verdict = kind if kind in ("dir", "link") else "missing"
            self.folders[name] = verdict
        return verdict


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:  # listed by git but deleted from the work tree
        return None


def _kind(info: os.stat_result | None) -> str:
    if info is None:
        return "missing"
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else "other"
