"""UDEF003 lockfile-present: every project's dependencies are pinned by a generated lock."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.requirements import (
    is_lock_file_name,
    is_requirement_file_name,
)
from udef_audit.projects import NON_PRODUCT_DIRS, Project


class LockfilePresentRule:
    """Flags a project that has a manifest or a dependency file but no lock in its folder
    or any folder above it: `uv.lock`, `poetry.lock`, `pdm.lock`, `Pipfile.lock`,
    `pylock*.toml`, `requirements*.lock`, `conda-lock.yml`, or a requirement file that a
    locker generated (or that pins and hashes every requirement)."""

    id: ClassVar[str] = "UDEF003"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        locks = _LockFinder(ctx)
        for project in ctx.projects:
            anchor = project.anchor
            if anchor is None or locks.serves(project):
                continue
            message = _message(project, locks.hand_written(project))
            yield Finding(rule_id=self.id, path=anchor, line=1, message=message, key="no lockfile")


class _LockFinder:
    """Answers "is there a lock for this project?", parsing each requirement file once."""

    def __init__(self, ctx: RepoContext) -> None:
        self._ctx = ctx
        self._by_folder: dict[str, list[str]] = {}
        for path in ctx.files:
            self._by_folder.setdefault(posixpath.dirname(path), []).append(path)
        self._kinds: dict[str, str] = {}
        # Requirement files by the projects' own naming (any `.txt` in requirements/).
        self._requirement_files = {p for project in ctx.projects for p in project.dependency_files}

    def serves(self, project: Project) -> bool:
        """A lock in the project folder or above (a workspace lock serves its members), or
        a generated requirement file of the project's own (`requirements/prod.txt`)."""
        return any(self._kind(path) == "lock" for path in self._candidates(project))

    def hand_written(self, project: Project) -> list[str]:
        """The hand-written requirement files a user may take for a lock."""
        return [path for path in self._candidates(project) if self._kind(path) == "source"]

    def _candidates(self, project: Project) -> Iterator[str]:
        yield from self._folders_up_from(project.path)
        yield from _own_requirement_files(project)

    def _folders_up_from(self, folder: str) -> Iterator[str]:
        while True:
            yield from self._by_folder.get(folder, ())
            if not folder:
                return
            folder = posixpath.dirname(folder)

    def _kind(self, path: str) -> str:
        """"lock", "source" (a hand-written requirement file), or "other"."""
        if path not in self._kinds:
            self._kinds[path] = self._classify(path)
        return self._kinds[path]

    def _classify(self, path: str) -> str:
        if is_lock_file_name(path):
            return "lock"
        # A file directly in a folder is a requirement file by its name; one deeper in a
        # project (requirements/prod.txt) by the project's own dependency files.
        named = is_requirement_file_name(posixpath.basename(path))
        if not (named or path in self._requirement_files):
            return "other"
        parsed = self._ctx.requirements(path)
        return "other" if parsed is None else parsed.kind


def _own_requirement_files(project: Project) -> Iterator[str]:
    """The project's requirement files outside docs/tests folders: a pip-compiled
    `docs/requirements.txt` pins the docs build, not the project."""
    for path in project.dependency_files:
        folders = project.rel(path).split("/")[:-1]
        if not any(part in NON_PRODUCT_DIRS or part.startswith(".") for part in folders):
            yield path


def _message(project: Project, hand_written: list[str]) -> str:
    where = f"the project in {project.path}" if project.path else "the repository root project"
    note = ""
    if hand_written:
        names = list(dict.fromkeys(hand_written))
        verb = "is" if len(names) == 1 else "are"
        note = f" ({', '.join(names)} {verb} hand-written, not a generated lock)"
    return (
        f"no lockfile pins the dependencies of {where}{note}; generate one (`uv lock`, "
        "`poetry lock`, `pdm lock` or `uv pip compile --generate-hashes -o "
        "requirements.lock`) and commit it."
    )
