"""What the commands model reads of the repository, and the YAML files it keeps.

The context implements `RepositoryFiles`; the model never opens a file itself.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from udef_audit.commands.yaml_nodes import YamlFile
    from udef_audit.parsers.dockerfile import Dockerfile
    from udef_audit.parsers.ini_file import IniDocument
    from udef_audit.parsers.python_source import PythonFacts
    from udef_audit.parsers.yaml_file import YamlDocument


class RepositoryFiles(Protocol):
    """What the model reads of the repository: the context implements it."""

    @property
    def files(self) -> Sequence[str]:
        """In-scope paths, in order."""

    def read_bytes(self, path: str) -> bytes | None:
        """The file's bytes (None: unreadable, already reported)."""

    def text(self, path: str) -> str | None:
        """The file as UTF-8 text (None: reported as UDEF000)."""

    def dockerfile(self, path: str) -> Dockerfile | None:
        """The parsed Dockerfile."""

    def python_facts(self) -> dict[str, PythonFacts]:
        """The Python scanner's facts for every Python file."""

    def python_module(self, path: str) -> ast.Module | None:
        """The `ast` of a Python file (None: unparseable, reported)."""

    def toml(self, path: str) -> dict[str, Any] | None:
        """A parsed TOML file (None: malformed, reported)."""

    def yaml_document(self, path: str) -> YamlDocument | None:
        """A parsed YAML file with its nodes (None: malformed, reported)."""

    def ini(self, path: str) -> IniDocument | None:
        """An INI file as configparser reads it, with places (None: rejected, reported)."""

    def unparseable(self, path: str, reason: str, line: int = 1) -> None:
        """Report a file that cannot be read or parsed (UDEF000)."""


class YamlFiles:
    """YAML files with their nodes, each loaded once (None: absent, unreadable or malformed,
    with a UDEF000 note)."""

    def __init__(self, repository: RepositoryFiles) -> None:
        self.repository = repository
        self._loaded: dict[str, YamlFile | None] = {}

    def get(self, path: str) -> YamlFile | None:
        """The file at `path`, loaded on first use."""
        if path not in self._loaded:
            self._loaded[path] = self._load(path)
        return self._loaded[path]

    def _load(self, path: str) -> YamlFile | None:
        # Imported here: PyYAML's node classes are needed only once a YAML file is read.
        from udef_audit.commands.yaml_nodes import LineTable, YamlFile  # noqa: PLC0415

        # The context's parse, shared with every rule that reads the same file.
        document = self.repository.yaml_document(path)
        text = self.repository.text(path)
        if document is None or text is None:
            return None
        return YamlFile(path, text, LineTable.of(text), document.root)
