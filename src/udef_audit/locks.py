"""Which locks serve a project: the shared model behind UDEF003, UDEF013 and UDEF014.

A lock serves a project when it sits in the project's folder or any folder above it up to
the repository root (a workspace lock serves its members), or when it is a generated
requirement file of the project's own (`requirements/prod.txt`). Requirement files are
classified (generated lock or hand-written source) from their parsed content, each parsed
once through the context.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from udef_audit.parsers.requirements import RequirementsFile, is_lock_file_name, is_requirement_file_name
from udef_audit.projects import NON_PRODUCT_DIRS, Project


@dataclass(frozen=True)
class Lock:
    """A lock serving a project; `distance` is 0 for the project's own folder (and its
    own requirement files), 1 for the folder above, and so on."""

    path: str
    distance: int


class LockIndex:
    """Answers "which locks serve this project?", classifying each requirement file once."""

    def __init__(
        self,
        files: Iterable[str],
        projects: Iterable[Project],
        requirements: Callable[[str], RequirementsFile | None],
    ) -> None:
        self._requirements = requirements
        self._by_folder: dict[str, list[str]] = {}
        for path in files:
            self._by_folder.setdefault(posixpath.dirname(path), []).append(path)
        self._kinds: dict[str, str] = {}
        # Requirement files by the projects' own naming (any `.txt` in requirements/).
        self._requirement_files = {p for project in projects for p in project.dependency_files}

    def locks(self, project: Project) -> tuple[Lock, ...]:
        """The locks serving `project`, nearest first (a path appears once)."""
        found: dict[str, int] = {}
        for path, distance in self._candidates(project):
            if self._kind(path) == "lock":
                found.setdefault(path, distance)
        ordered = sorted(found.items(), key=lambda item: item[1])  # stable: path order within a level
        return tuple(Lock(path, distance) for path, distance in ordered)

    def hand_written(self, project: Project) -> list[str]:
        """The hand-written requirement files a user may take for a lock, in search order."""
        return [path for path, _ in self._candidates(project) if self._kind(path) == "source"]

    def _candidates(self, project: Project) -> Iterator[tuple[str, int]]:
        yield from self._folders_up_from(project.path)
        for path in _own_requirement_files(project):
            yield path, 0

    def _folders_up_from(self, folder: str) -> Iterator[tuple[str, int]]:
        distance = 0
        while True:
            for path in self._by_folder.get(folder, ()):
                yield path, distance
            parent = posixpath.dirname(folder)
            if not folder or parent == folder:  # dirname("/") is "/": stop at a fixed point
                return
            folder = parent
            distance += 1

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
        parsed = self._requirements(path)
        return "other" if parsed is None else parsed.kind


def _own_requirement_files(project: Project) -> Iterator[str]:
    """The project's requirement files outside docs/tests folders: a pip-compiled
    `docs/requirements.txt` pins the docs build, not the project."""
    for path in project.dependency_files:
        folders = project.rel(path).split("/")[:-1]
        if not any(part in NON_PRODUCT_DIRS or part.startswith(".") for part in folders):
            yield path
