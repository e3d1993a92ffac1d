"""What commands can lead into: the repository's Makefiles, justfiles, tox and nox
configurations, pre-commit hooks, pyproject tasks, scripts and YAML files, each read and
parsed once (through the context) and kept for every later lookup.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from udef_audit.commands.model import Positions, Script
from udef_audit.commands.precommit import Hook, hooks
from udef_audit.commands.repository import RepositoryFiles, YamlFiles
from udef_audit.commands.sources import has_shell_shebang
from udef_audit.commands.tasks import Task, TomlText, hatch_scripts, pdm_scripts, pixi_tasks, poe_tasks, tox_toml
from udef_audit.commands.text_files import SHELL
from udef_audit.commands.tox import ToxEnvironments, tox_environments
from udef_audit.commands.yaml_nodes import YamlFile
from udef_audit.parsers.justfile import Justfile, parse_justfile
from udef_audit.parsers.makefile import Makefile, parse_makefile
from udef_audit.parsers.noxfile import Noxfile, nox_sessions

T = TypeVar("T")
_SHELL_SUFFIXES = (".sh", ".bash")
MAKEFILE_NAMES = ("GNUmakefile", "makefile", "Makefile")
JUSTFILE_NAMES = ("justfile", "Justfile", ".justfile")


class Definitions:
    """Lazily parsed files that commands lead into, cached by (kind, path)."""

    def __init__(self, repository: RepositoryFiles, yaml_files: YamlFiles) -> None:
        self.repository = repository
        self.paths = frozenset(repository.files)
        self._yaml = yaml_files
        self._cache: dict[tuple[str, str], Any] = {}

    def exists(self, path: str) -> bool:
        """Whether `path` is an in-scope file."""
        return path in self.paths

    def _once(self, kind: str, path: str, load: Callable[[str], T]) -> T:
        key = (kind, path)
        if key not in self._cache:
            self._cache[key] = load(path) if path in self.paths else None
        value: T = self._cache[key]
        return value

    def yaml(self, path: str) -> YamlFile | None:
        """A YAML file with its nodes (None: absent or malformed, reported)."""
        return self._yaml.get(path) if path in self.paths else None

    def shell_script(self, path: str) -> Script | None:
        """A shell script file as one script (None: not a shell script)."""
        return self._once("shell", path, self._load_shell)

    def _load_shell(self, path: str) -> Script | None:
        data = self.repository.read_bytes(path)
        if data is None or not (path.endswith(_SHELL_SUFFIXES) or has_shell_shebang(data)):
            return None
        text = self.repository.text(path)
        return None if text is None else Script(path, SHELL, text, Positions.of_lines(text))

    def makefile(self, path: str) -> Makefile | None:
        """A Makefile's rules."""
        return self._once("make", path, lambda p: _parsed(self.repository.text(p), parse_makefile))

    def justfile(self, path: str) -> Justfile | None:
        """A justfile's recipes."""
        return self._once("just", path, lambda p: _parsed(self.repository.text(p), parse_justfile))

    def noxfile(self, path: str) -> Noxfile | None:
        """A noxfile's sessions, from its ast (never imported)."""
        return self._once("nox", path, self._load_nox)

    def _load_nox(self, path: str) -> Noxfile | None:
        module, text = self.repository.python_module(path), self.repository.text(path)
        return None if module is None or text is None else nox_sessions(module, text)

    def hooks(self, path: str) -> tuple[Hook, ...]:
        """The hooks of a pre-commit configuration (none when absent)."""
        file = self.yaml(path)
        return () if file is None else self._once("hooks", path, lambda _: hooks(file))

    def tox(self, config: str | None = None, folder: str = "") -> ToxEnvironments | None:
        """The tox configuration tox run in `folder` would read (or the one `-c` names, a
        repository path)."""
        names = ["tox.ini", "setup.cfg", "pyproject.toml", "tox.toml"]
        candidates = [config] if config else [posixpath.join(folder, name) if folder else name for name in names]
        for path in candidates:
            found = self._once("tox", path, self._load_tox)
            if found is not None and (found.scripts or found.default):
                return found
        return None

    def _load_tox(self, path: str) -> ToxEnvironments | None:
        if path.endswith(".toml"):
            data = self.repository.toml(path)
            text = self.repository.text(path)
            if data is None or text is None:
                return None
            return tox_toml(TomlText(path, text), data, in_pyproject=path.endswith("pyproject.toml"))
        document, text = self.repository.ini(path), self.repository.text(path)
        return None if document is None or text is None else tox_environments(path, document, text)

    def tasks(self, tool: str) -> dict[str, Task]:
        """`hatch`, `pdm`, `poe` or `pixi` tasks of the root pyproject.toml (pixi: of
        pixi.toml first)."""
        path = "pixi.toml" if tool == "pixi" and self.exists("pixi.toml") else "pyproject.toml"
        return self._once(f"tasks:{tool}", path, lambda found: self._load_tasks(found, tool)) or {}

    def _load_tasks(self, path: str, tool: str) -> dict[str, Task]:
        data, text = self.repository.toml(path), self.repository.text(path)
        if data is None or text is None:
            return {}
        file = TomlText(path, text)
        if tool == "pixi":
            return pixi_tasks(file, data, in_pyproject=path.endswith("pyproject.toml"))
        read = {"hatch": hatch_scripts, "pdm": pdm_scripts, "poe": poe_tasks}[tool]
        return read(file, data)


def first_existing(definitions: Definitions, folder: str, names: Sequence[str]) -> str | None:
    """The first of `names` in `folder` that is an in-scope file."""
    for name in names:
        path = posixpath.join(folder, name) if folder else name
        if definitions.exists(path):
            return path
    return None


def _parsed(text: str | None, parse: Callable[[str], T]) -> T | None:
    return None if text is None else parse(text)
