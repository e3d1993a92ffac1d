"""UDEF014 lock-strategy-documented: somewhere a contributor looks says how the lock is made."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.lock_commands import lock_command, lock_hook
from udef_audit.parsers.locks import lock_format
from udef_audit.projects import Project

PRECOMMIT = (".pre-commit-config.yaml", ".pre-commit-config.yml")
_TASK_FILES = frozenset({
    "makefile", "gnumakefile", "justfile", ".justfile", "noxfile.py", "tox.ini", "pyproject.toml", "tasks.py",
    "taskfile.yml", "taskfile.yaml",
})
_PROSE_PREFIXES = ("readme", "contributing")
_DOCS_FOLDERS = ("docs/", "doc/")
_TEXT_SUFFIXES = (".md", ".rst", ".txt", ".adoc", ".mdx", ".markdown", ".html")
_SCRIPT_FOLDERS = ("scripts/", "script/", "bin/", "tools/", "tasks/", "ci/", ".ci/")
_SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".bat", ".cmd", ".mk")
_CI_FILES = frozenset({
    ".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "jenkinsfile", ".drone.yml",
    ".woodpecker.yml",
})
_CI_FOLDERS = (".github/workflows/", ".github/actions/", ".gitlab/", ".circleci/", ".buildkite/", ".woodpecker/")
_GENERATOR_COMMANDS = {
    "uv": "uv pip compile", "pip-compile": "pip-compile", "pip-tools": "pip-compile", "poetry": "poetry export",
    "pdm": "pdm export",
}


class LockStrategyDocumentedRule:
    """For each project with a lock, looks for a lock-generating command in the places a
    contributor reads or runs: README/CONTRIBUTING, the docs folder, task runners, the
    pre-commit configuration, CI definitions and scripts, of the project and of every folder
    above it up to the repository root."""

    id: ClassVar[str] = "UDEF014"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        groups = _by_locks(ctx)
        searcher = _Searcher(ctx) if groups else None  # no lock, nothing to search
        for locks, projects in groups.items():
            anchor = ctx.repository_anchor or projects[0].anchor
            if anchor is None or searcher is None or any(searcher.documented(project) for project in projects):
                continue
            yield Finding(
                rule_id=self.id, path=anchor, line=1, message=_message(ctx, locks),
                key=f"undocumented:{','.join(locks)}", kind="undocumented",
            )


def _by_locks(ctx: RepoContext) -> dict[tuple[str, ...], list[Project]]:
    """Projects grouped by the locks serving them: projects served by the same locks (a
    workspace lock and its members) share one result, and documenting the lock anywhere
    any of them looks is enough."""
    groups: dict[tuple[str, ...], list[Project]] = {}
    for project in ctx.projects:
        locks = tuple(lock.path for lock in ctx.locks(project))
        if locks:
            groups.setdefault(locks, []).append(project)
    return groups


class _Searcher:
    """Which files document a lock command, each file read at most once per audit."""

    def __init__(self, ctx: RepoContext) -> None:
        self._ctx = ctx
        roots = {p.path for p in ctx.projects} - {""}
        places = []
        for path in ctx.files:
            owner = _owner(path, roots) if roots else ""  # one project: no folder walk
            rank = _kind_rank(path[len(owner) + 1 :] if owner else path)
            if rank is not None:
                places.append((rank, path, owner))
        # Cheap and likely places first: the search stops at the first file that names a command.
        self._places = sorted(places)
        self._verdicts: dict[str, bool] = {}

    def documented(self, project: Project) -> bool:
        """Whether a file of the project, or of a folder above it, names a lock command."""
        scopes = _scopes(project.path)
        return any(self._names_command(path) for _, path, owner in self._places if owner in scopes)

    def _names_command(self, path: str) -> bool:
        if path not in self._verdicts:
            self._verdicts[path] = self._read(path)
        return self._verdicts[path]

    def _read(self, path: str) -> bool:
        if posixpath.basename(path) in PRECOMMIT and lock_hook(self._ctx.yaml(path)) is not None:
            return True
        data = self._ctx.read_bytes(path)
        return data is not None and lock_command(data) is not None


def _owner(path: str, roots: set[str]) -> str:
    """The deepest project root holding the file ("" for the repository root)."""
    folder = posixpath.dirname(path)
    while folder and folder not in roots:
        parent = posixpath.dirname(folder)
        if parent == folder:  # dirname("/") is "/": an absolute path ends here
            return ""
        folder = parent
    return folder


def _scopes(folder: str) -> set[str]:
    """The project's folder and every folder above it (their files document it too)."""
    scopes = {folder, ""}
    while folder and posixpath.dirname(folder) != folder:
        folder = posixpath.dirname(folder)
        scopes.add(folder)
    return scopes


def _kind_rank(rel: str) -> int | None:
    """0 prose, 1 task runners and pre-commit, 2 CI, 3 scripts, 4 docs pages; None: not a
    place that documents how the lock is made."""
    folder, _, name = rel.rpartition("/")
    lower = name.lower()
    checks = (
        folder in ("", ".github") and lower.startswith(_PROSE_PREFIXES),
        lower in _TASK_FILES or name in PRECOMMIT,
        lower in _CI_FILES or rel.startswith(_CI_FOLDERS),
        rel.startswith(_SCRIPT_FOLDERS) or lower.endswith(_SCRIPT_SUFFIXES),
        rel.startswith(_DOCS_FOLDERS) and lower.endswith(_TEXT_SUFFIXES),
    )
    return next((rank for rank, matches in enumerate(checks) if matches), None)


def _message(ctx: RepoContext, locks: Sequence[str]) -> str:
    verb = "is" if len(locks) == 1 else "are"
    hint = ""
    generators = [g for path in locks if (g := _generator(ctx, path))]
    if generators:
        hint = f" ({locks[0]}'s own header says `{generators[0]}` made it, but only the lock says so)"
    return (
        f"lock strategy undocumented: nothing says how {', '.join(locks)} {verb} generated{hint}; name the "
        "command (`uv lock`, `poetry lock`, `pip-compile`, `uv pip compile`, ...) in the README, CONTRIBUTING, "
        "the docs, a Makefile/nox/tox task, a pre-commit hook, CI or a script."
    )


def _generator(ctx: RepoContext, path: str) -> str | None:
    """The command a requirement-style lock's header names (uv.lock and the like name none)."""
    parsed = ctx.requirements(path) if lock_format(path) == "requirements" else None
    return _GENERATOR_COMMANDS.get(parsed.generator or "") if parsed is not None else None
