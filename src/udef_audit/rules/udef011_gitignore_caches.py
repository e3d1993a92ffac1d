"""UDEF011 gitignore-caches: the repository's .gitignore files ignore every cache, and no
cache artifact is tracked."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.gitignore import (
    SUGGESTED_PATTERNS,
    GitignoreError,
    folders_of,
    is_ignored,
    parse_gitignore,
    suggested_pattern,
)

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

IGNORE_FILE = ".gitignore"
# Folders that hold only caches, wherever they are.
CACHE_FOLDERS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
# Test data folders: an artifact there is a sample kept on purpose (an `*.egg-info` a
# packaging tool's tests inspect, a `.pyc` an import test loads).
TEST_DATA_FOLDERS = frozenset({"fixtures", "fixture", "testdata", "test_data", "test-data"})


class GitignoreCaches:
    """Two checks. The repository's own `.gitignore` files (root and nested, as git
    evaluates them; not `.git/info/exclude` nor global excludes) must ignore each sample
    path of a cache or build artifact: one result listing those they do not. And no cache
    artifact may be tracked: the git index is read whatever the audit's skip list says, and
    the files under one cache folder (or the loose `*.pyc` of one folder) make one result."""

    id: ClassVar[str] = "UDEF011"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        samples = [str(s).strip("/") for s in params.get("sample-paths", list(SUGGESTED_PATTERNS)) if str(s).strip("/")]
        yield from self._unignored(ctx, samples)
        yield from self._tracked(ctx)

    def _unignored(self, ctx: RepoContext, samples: Sequence[str]) -> Iterator[Finding]:
        specs = _ignore_files(ctx, samples)
        if specs is None:
            return  # an ignore file could not be read: a UDEF000 note says which
        missing = [sample for sample in samples if not is_ignored(sample, specs)]
        if not missing:
            return
        anchor = IGNORE_FILE if ctx.exists(IGNORE_FILE) else _repository_anchor(ctx)
        if anchor is not None:
            message = _unignored_message(missing, has_file=ctx.exists(IGNORE_FILE))
            yield Finding(self.id, message, anchor, 1, key="cache paths not ignored", kind="missing-patterns")

    def _tracked(self, ctx: RepoContext) -> Iterator[Finding]:
        groups: dict[tuple[str, str], list[str]] = {}
        for path in ctx.tracked_files:
            group = _artifact_group(path)
            if group is not None:
                groups.setdefault(group, []).append(path)
        for (kind, where), paths in sorted(groups.items(), key=lambda item: _byte_order(min(item[1], key=_byte_order))):
            first = min(paths, key=_byte_order)
            message = _tracked_message(kind, where, paths, first)
            yield Finding(self.id, message, first, 1, key=f"tracked {kind} {where}", kind="tracked-artifact")


def _ignore_files(ctx: RepoContext, samples: Sequence[str]) -> dict[str, GitIgnoreSpec] | None:
    """The specs of the `.gitignore` files that have a say about the samples, by folder;
    None when one of them cannot be read. Git reads untracked ones too, and so does this
    rule (a `.gitignore` just written by `udef-audit fix` counts before it is committed);
    the `htmlcov/.gitignore` coverage writes ignores itself, so it is no file of the audit."""
    specs: dict[str, GitIgnoreSpec] = {}
    for folder in sorted(folders_of(samples)):
        path = posixpath.join(folder, IGNORE_FILE) if folder else IGNORE_FILE
        if not ctx.exists(path):
            continue
        text = ctx.text(path)
        if text is None:
            return None
        try:
            specs[folder] = parse_gitignore(text)
        except GitignoreError as exc:
            ctx.unparseable(path, str(exc))
            return None
    return specs


def _repository_anchor(ctx: RepoContext) -> str | None:
    """The repository-wide anchor, else the first Python file of a project."""
    if ctx.repository_anchor is not None:
        return ctx.repository_anchor
    return next((f for p in ctx.projects for f in p.own_python), None)


def _artifact_group(path: str) -> tuple[str, str] | None:
    """("folder", outermost cache folder), ("pyc", its folder) or ("coverage", the file) for
    a cache artifact; None for anything else, and for samples kept in test data folders."""
    parts = path.split("/")
    if any(part in TEST_DATA_FOLDERS for part in parts[:-1]):
        return None
    for index, part in enumerate(parts[:-1]):
        if part in CACHE_FOLDERS or part.endswith(".egg-info"):
            return "folder", "/".join(parts[: index + 1])
    name = parts[-1]
    if name.endswith(".pyc"):
        return "pyc", posixpath.dirname(path)
    if name == ".coverage":
        return "coverage", path
    return None


def _byte_order(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def _unignored_message(missing: Sequence[str], *, has_file: bool) -> str:
    patterns = list(dict.fromkeys(suggested_pattern(sample) for sample in missing))
    listed = ", ".join(missing)
    add = ", ".join(f"`{p}`" for p in patterns)
    if not has_file:
        return (
            f"no .gitignore at the repository root, so git offers caches and build output for commit ({listed}): "
            f"create one with {add}."
        )
    return f"the repository's .gitignore files do not ignore {listed}: add {add} to .gitignore."


def _tracked_message(kind: str, where: str, paths: Sequence[str], first: str) -> str:
    count = f"{len(paths)} file{'s' if len(paths) != 1 else ''}"
    if kind == "folder":
        return (
            f"{where}/ is a cache folder tracked by git ({count}): untrack it with "
            f"`git rm -r --cached {shlex.quote(where)}` and ignore it in .gitignore."
        )
    if kind == "pyc":
        folder = where or "the repository root"
        glob = posixpath.join(where, "*.pyc") if where else "*.pyc"
        return (
            f"{count} of compiled Python (*.pyc) in {folder} tracked by git, {first} first: untrack them with "
            f"`git rm --cached {shlex.quote(glob)}` (the files stay on disk) and ignore `*.py[cod]` in .gitignore."
        )
    return (
        f"{where} (coverage data) is tracked by git: untrack it with `git rm --cached {shlex.quote(where)}` and "
        "ignore `.coverage` in .gitignore."
    )
