"""Models of a repository's documents that the context builds once (UDEF017-UDEF019, UDEF026).

Plain data computed from the inventory's paths (no file is read here): the docs folder,
the specification documents of its `design/` folder with their modules and kinds, and an
index of every path the repository lists, in scope or not, to answer
"does this link name a file or a folder?" without touching the file system.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from udef_audit.parsers.spec_docs import SpecName, spec_name

DOCS_FOLDERS = ("docs", "doc")
PathKind = Literal["file", "folder"]


def docs_folder(files: Iterable[str]) -> str | None:
    """`docs` when a file is below it, else `doc`, else None (UDEF007's docs folder)."""
    present = {f.partition("/")[0] for f in files if "/" in f}
    return next((d for d in DOCS_FOLDERS if d in present), None)


@dataclass(frozen=True)
class SpecDocument:
    """A specification file of the design folder and what its name says."""

    path: str
    name: SpecName

    @property
    def module(self) -> str:
        """The module as written ("" for the design folder's own triad)."""
        return self.name.module

    @property
    def kind(self) -> str:
        """requirements, design or tasks."""
        return self.name.kind


@dataclass(frozen=True)
class SpecIndex:
    """The design folder (`<docs folder>/design`, None when it holds no file), its files,
    and the specification documents among them, in path order."""

    folder: str | None
    folder_files: tuple[str, ...] = ()
    documents: tuple[SpecDocument, ...] = ()

    def of_kind(self, kind: str) -> list[SpecDocument]:
        """The documents of one kind."""
        return [d for d in self.documents if d.kind == kind]

    def modules(self) -> dict[str, list[SpecDocument]]:
        """Module key -> its documents (a module's documents may sit in different folders)."""
        grouped: dict[str, list[SpecDocument]] = {}
        for document in self.documents:
            grouped.setdefault(document.name.key, []).append(document)
        return grouped


def build_spec_index(files: Sequence[str], docs: str | None) -> SpecIndex:
    """The specification documents below `<docs>/design/`."""
    if docs is None:
        return SpecIndex(None)
    folder = f"{docs}/design"
    below = tuple(f for f in files if f.startswith(folder + "/"))
    if not below:
        return SpecIndex(None)
    documents = []
    for path in below:
        name = spec_name(path[len(folder) + 1:])
        if name is not None:
            documents.append(SpecDocument(path, name))
    return SpecIndex(folder, below, tuple(documents))


class PathIndex:
    """Every path the repository lists (in scope, left out of scope, symlinks) and every
    folder above one: what a link may name. Paths only; nothing is read."""

    def __init__(self, *groups: Iterable[str]) -> None:
        self._groups = groups

    @cached_property
    def _files(self) -> frozenset[str]:
        return frozenset(path for group in self._groups for path in group)

    @cached_property
    def _folders(self) -> frozenset[str]:
        folders = {""}
        for path in self._files:
            folder = path
            while "/" in folder:
                folder = folder.rpartition("/")[0]
                if folder in folders:
                    break
                folders.add(folder)
        return frozenset(folders)

    @cached_property
    def _by_lower_case(self) -> dict[str, str]:
        return {path.lower(): path for path in (*self._files, *self._folders)}

    def spelled(self, path: str) -> str | None:
        """The listed file or folder whose path equals `path` but for letter case."""
        return self._by_lower_case.get(path.lower())

    def kind(self, path: str) -> PathKind | None:
        """"file" or "folder" when the repository lists `path` as one, else None."""
        if path in self._files:
            return "file"
        return "folder" if path in self._folders else None
