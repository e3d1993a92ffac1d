"""The tool configurations a project's tools actually read.

pytest, mypy, ruff, coverage, flake8 and isort each look for their configuration in a
folder in a fixed order and read the first one they find ("first found wins"): a second
configuration of the same tool is silently ignored. For one folder and one tool this model
lists every configuration present, in the tool's reading order, with its parsed settings
and the line of its section. The orders come from each tool's own documentation (cited in
rules/UDEF015-single-config-source.yaml):

- pytest: `pytest.toml`, `.pytest.toml`, `pytest.ini`, `.pytest.ini` (each wins even when
  empty), `pyproject.toml` with `[tool.pytest]`/`[tool.pytest.ini_options]`, `tox.ini` with
  `[pytest]`, `setup.cfg` with `[tool:pytest]`;
- mypy: `mypy.ini`, `.mypy.ini` (even without a `[mypy]` section), `pyproject.toml` with
  `[tool.mypy]`, `setup.cfg` with `[mypy]`;
- ruff: `.ruff.toml`, `ruff.toml` (even empty), `pyproject.toml` with `[tool.ruff]`;
- coverage: `.coveragerc` (even empty), `.coveragerc.toml`, then the first of `setup.cfg`,
  `tox.ini` (`[coverage:*]` sections) and `pyproject.toml` (`[tool.coverage.*]`) that holds a
  coverage setting;
- flake8: the first of `setup.cfg`, `tox.ini`, `.flake8` with a `[flake8]` (or
  `[flake8:local-plugins]`) section;
- isort: the first of `.isort.cfg` (`[settings]`/`[isort]`), `pyproject.toml`
  (`[tool.isort]`), `setup.cfg`, `tox.ini` (`[isort]`/`[tool:isort]`) that holds a setting.

A file that cannot be read or parsed is not a configuration here (the context reports it
as a UDEF000 note): mypy skips such a file, and a crashing tool reads nothing either.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from udef_audit.parsers.ini_file import IniDocument, IniSection
from udef_audit.parsers.toml_lines import first_line_within

TOOLS = ("pytest", "mypy", "ruff", "coverage", "flake8", "isort")


class ConfigFiles(Protocol):
    """What the model reads: the context's parsed views of a folder's files."""

    def exists(self, path: str) -> bool:
        """Whether a path is in scope."""

    def toml(self, path: str) -> dict[str, Any] | None:
        """Parsed TOML, or None."""

    def toml_lines(self, path: str) -> Mapping[tuple[str, ...], int]:
        """The first line of each table and key path of a TOML file."""

    def ini(self, path: str) -> IniDocument | None:
        """Parsed INI, or None."""


@dataclass(frozen=True)
class ToolConfig:
    """One configuration of a tool: the file, its section, the settings, and where.

    `section` is how the file names the configuration (`[tool.mypy]`, `[tool:pytest]`), ""
    for a file that holds only this tool's configuration (`mypy.ini`, `ruff.toml`), whose
    `line` is then 1. `settings` are the tool's settings as parsed: TOML values, or INI
    strings; for coverage, a mapping of its sections (`run`, `report`) to their settings.
    `lines` maps each setting's key path within `settings`, dotted (`lint.mccabe.max-
    complexity`, coverage's `report.fail_under`), to the line it is written on.
    """

    tool: str
    path: str
    section: str
    line: int
    settings: Mapping[str, Any]
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, *keys: str) -> int:
        """The line of a setting (`line_of("report", "fail_under")`), else of the closest
        table holding it, else the configuration's own line."""
        for length in range(len(keys), 0, -1):
            line = self.lines.get(".".join(keys[:length]))
            if line is not None:
                return line
        return self.line

    @property
    def file_name(self) -> str:
        """The file's name without its folder."""
        return posixpath.basename(self.path)

    @property
    def label(self) -> str:
        """How a message names it: `mypy.ini`, `[tool.mypy] in pyproject.toml`."""
        return f"{self.section} in {self.path}" if self.section else self.path


@dataclass(frozen=True)
class ToolConfigs:
    """Every configuration of one tool in one folder, in the order the tool reads them."""

    tool: str
    folder: str
    found: tuple[ToolConfig, ...]

    @property
    def read(self) -> ToolConfig | None:
        """The configuration the tool reads (the first found), or None."""
        return self.found[0] if self.found else None

    @property
    def ignored(self) -> tuple[ToolConfig, ...]:
        """The configurations the tool never reads."""
        return self.found[1:]


_Finder = Callable[[ConfigFiles, str, str], "ToolConfig | None"]


@dataclass(frozen=True)
class _Candidate:
    """A file name a tool looks for, and how to find its configuration inside."""

    name: str
    find: _Finder


def tool_configs(files: ConfigFiles, folder: str, tool: str) -> ToolConfigs:
    """The configurations of `tool` in `folder` ("" for the repository root)."""
    found = []
    for candidate in _CANDIDATES[tool]:
        path = posixpath.join(folder, candidate.name) if folder else candidate.name
        if files.exists(path):
            config = candidate.find(files, tool, path)
            if config is not None:
                found.append(config)
    return ToolConfigs(tool, folder, tuple(found))


def config_in_file(files: ConfigFiles, tool: str, path: str) -> ToolConfig | None:
    """The configuration of `tool` in a file named on its command line (`mypy
    --config-file=setup.cfg`, `coverage run --rcfile=X`, `pytest --cov-config=X`): for mypy
    a TOML file's `[tool.mypy]` or an INI file's `[mypy]`; for coverage, read as coverage
    reads the file it is given (`[tool.coverage.*]` in a TOML file, `[coverage:*]` in
    setup.cfg and tox.ini, `[run]`/`[report]` in any other). None for other tools or when
    the file holds no such configuration."""
    if tool not in ("mypy", "coverage") or not files.exists(path):
        return None
    toml = path.endswith(".toml")
    if tool == "coverage":
        name = posixpath.basename(path)
        shared = name in ("setup.cfg", "tox.ini")
        finder = _coverage_toml(dedicated=name != "pyproject.toml") if toml else _coverage_ini(dedicated=not shared)
    else:
        finder = _pyproject(("tool", "mypy")) if toml else _dedicated_ini(("mypy",))
    return finder(files, tool, path)


# Tools that look for their configuration in the folders above the one they run in.
_SEARCH_UPWARD = frozenset({"pytest", "mypy", "ruff", "flake8"})


def nearest_config(configs: Callable[[str], ToolConfigs], folder: str, tool: str) -> ToolConfig | None:
    """The configuration `tool` reads when run in `folder`: that folder's, else, for the
    tools that search upward (pytest, mypy, ruff, flake8), the nearest folder's above it up
    to the repository root (`configs(folder)` lists a folder's configurations)."""
    while True:
        found = configs(folder).read
        if found is not None or tool not in _SEARCH_UPWARD or not folder:
            return found
        folder = posixpath.dirname(folder)


def is_true(value: Any) -> bool:
    """A boolean setting as the tools read it: TOML `true`, or configparser's true words."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in {"1", "yes", "true", "on"}


# --- finding a configuration in one file ------------------------------------------------------


def _dedicated_ini(
    section_names: tuple[str, ...], *, needs_section: bool = False, needs_settings: bool = False
) -> _Finder:
    """A file that is this tool's own (`mypy.ini`): it wins when it exists, read from its
    sections `section_names`; unless the tool skips it without such a section
    (`needs_section`, flake8) or without a setting in them (`needs_settings`, isort)."""

    def find(files: ConfigFiles, tool: str, path: str) -> ToolConfig | None:
        document = files.ini(path)
        if document is None:
            return None
        sections = [s for name in section_names if (s := document.section(name)) is not None]
        settings = _merged(sections)
        if (needs_section and not sections) or (needs_settings and not settings):
            return None
        return ToolConfig(tool, path, "", 1, settings, _ini_lines(sections))

    return find


def _shared_ini(section_names: tuple[str, ...], *, also: str = "", needs_settings: bool = False) -> _Finder:
    """A file several tools share (`setup.cfg`): the tool's configuration is there when one
    of `section_names` is (with a setting, for tools that skip empty sections). Its line is
    that of the tool's first section, which may be one named `also*` (`[mypy-pkg.*]`)."""

    def find(files: ConfigFiles, tool: str, path: str) -> ToolConfig | None:
        document = files.ini(path)
        if document is None:
            return None
        sections = [s for name in section_names if (s := document.section(name)) is not None]
        settings = _merged(sections)
        if not sections or (needs_settings and not settings):
            return None
        first = min(sections, key=lambda s: s.line)
        extra = [s.line for s in document.sections.values() if also and s.name.startswith(also)]
        return ToolConfig(tool, path, f"[{first.name}]", min([first.line, *extra]), settings, _ini_lines(sections))

    return find


def _ini_lines(sections: Iterable[IniSection], prefix: str = "") -> dict[str, int]:
    """The line of each key, as `_merged` keeps its value (a later section wins)."""
    lines: dict[str, int] = {}
    for section in sections:
        lines.update({prefix + key: entry.line for key, entry in section.entries.items()})
    return lines


def _toml_lines(files: ConfigFiles, path: str, table: tuple[str, ...]) -> dict[str, int]:
    """The line of each key path below `table`, dotted relative to it."""
    size = len(table)
    return {
        ".".join(keys[size:]): line
        for keys, line in files.toml_lines(path).items()
        if len(keys) > size and keys[:size] == table
    }


def _merged(sections: Iterable[IniSection]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for section in sections:
        settings.update({key: entry.value for key, entry in section.entries.items()})
    return settings


def _dedicated_toml(table: tuple[str, ...]) -> _Finder:
    """A TOML file of the tool's own (`ruff.toml`): it wins when it exists (and parses)."""

    def find(files: ConfigFiles, tool: str, path: str) -> ToolConfig | None:
        data = files.toml(path)
        if data is None:
            return None
        settings = _table(data, table) if table else data
        return ToolConfig(tool, path, "", 1, settings, _toml_lines(files, path, table))

    return find


def _pyproject(table: tuple[str, ...], *, needs_settings: bool = False) -> _Finder:
    """`[tool.<name>]` in pyproject.toml (with a setting, for tools that skip empty ones)."""

    def find(files: ConfigFiles, tool: str, path: str) -> ToolConfig | None:
        data = files.toml(path)
        tool_table = None if data is None else _table_or_none(data, table)
        if tool_table is None or (needs_settings and not tool_table):
            return None
        line = first_line_within(files.toml_lines(path), table) or 1
        return ToolConfig(tool, path, _header(table), line, tool_table, _toml_lines(files, path, table))

    return find


def _pytest_pyproject(files: ConfigFiles, tool: str, path: str) -> ToolConfig | None:
    """pytest reads `[tool.pytest.ini_options]` (and, from pytest 9, `[tool.pytest]`)."""
    data = files.toml(path)
    table = None if data is None else _table_or_none(data, ("tool", "pytest"))
    if table is None:
        return None
    ini_options = table.get("ini_options")
    section = ("tool", "pytest", "ini_options") if isinstance(ini_options, dict) else ("tool", "pytest")
    settings = ini_options if isinstance(ini_options, dict) else table
    line = first_line_within(files.toml_lines(path), ("tool", "pytest")) or 1
    return ToolConfig(tool, path, _header(section), line, settings, _toml_lines(files, path, section))


def _coverage_ini(*, dedicated: bool) -> _Finder:
    """coverage's INI sections: `[run]` or `[coverage:run]` in its own `.coveragerc` (which
    wins even empty), only `[coverage:run]` in a shared file (used when it sets something)."""

    def find(files: ConfigFiles, tool: str, path: str) -> ToolConfig | None:
        document = files.ini(path)
        if document is None:
            return None
        sections = {
            name: section
            for section in document.sections.values()
            if (name := _coverage_name(section.name, dedicated=dedicated)) is not None
        }
        settings = {name: _merged([section]) for name, section in sections.items()}
        lines = {
            key: line for name, section in sections.items() for key, line in _ini_lines([section], f"{name}.").items()
        }
        if dedicated:
            return ToolConfig(tool, path, "", 1, settings, lines)
        if not any(settings.values()):
            return None
        first = min(sections.values(), key=lambda s: s.line)
        return ToolConfig(tool, path, f"[{first.name}]", first.line, settings, lines)

    return find


def _coverage_name(section: str, *, dedicated: bool) -> str | None:
    if section.startswith("coverage:"):
        return section.removeprefix("coverage:")
    return section if dedicated else None


def _coverage_toml(*, dedicated: bool) -> _Finder:
    """`[tool.coverage.run]` (or, in `.coveragerc.toml`, also `[run]`)."""

    def find(files: ConfigFiles, tool: str, path: str) -> ToolConfig | None:
        data = files.toml(path)
        if data is None:
            return None
        table = _table_or_none(data, ("tool", "coverage"))
        lines = _toml_lines(files, path, ("tool", "coverage") if table is not None else ())
        if dedicated:
            return ToolConfig(tool, path, "", 1, table if table is not None else data, lines)
        if not table or not any(isinstance(v, dict) and v for v in table.values()):
            return None
        line = first_line_within(files.toml_lines(path), ("tool", "coverage")) or 1
        return ToolConfig(tool, path, "[tool.coverage]", line, table, lines)

    return find


def _table_or_none(data: Mapping[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def _table(data: Mapping[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    return _table_or_none(data, path) or {}


def _header(path: tuple[str, ...]) -> str:
    return "[" + ".".join(path) + "]"


_CANDIDATES: dict[str, tuple[_Candidate, ...]] = {
    "pytest": (
        _Candidate("pytest.toml", _dedicated_toml(("pytest",))),
        _Candidate(".pytest.toml", _dedicated_toml(("pytest",))),
        _Candidate("pytest.ini", _dedicated_ini(("pytest",))),
        _Candidate(".pytest.ini", _dedicated_ini(("pytest",))),
        _Candidate("pyproject.toml", _pytest_pyproject),
        _Candidate("tox.ini", _shared_ini(("pytest",))),
        _Candidate("setup.cfg", _shared_ini(("tool:pytest",))),
    ),
    "mypy": (
        _Candidate("mypy.ini", _dedicated_ini(("mypy",))),
        _Candidate(".mypy.ini", _dedicated_ini(("mypy",))),
        _Candidate("pyproject.toml", _pyproject(("tool", "mypy"))),
        _Candidate("setup.cfg", _shared_ini(("mypy",), also="mypy-")),
    ),
    "ruff": (
        _Candidate(".ruff.toml", _dedicated_toml(())),
        _Candidate("ruff.toml", _dedicated_toml(())),
        _Candidate("pyproject.toml", _pyproject(("tool", "ruff"))),
    ),
    "coverage": (
        _Candidate(".coveragerc", _coverage_ini(dedicated=True)),
        _Candidate(".coveragerc.toml", _coverage_toml(dedicated=True)),
        _Candidate("setup.cfg", _coverage_ini(dedicated=False)),
        _Candidate("tox.ini", _coverage_ini(dedicated=False)),
        _Candidate("pyproject.toml", _coverage_toml(dedicated=False)),
    ),
    "flake8": (
        _Candidate("setup.cfg", _shared_ini(("flake8", "flake8:local-plugins"))),
        _Candidate("tox.ini", _shared_ini(("flake8", "flake8:local-plugins"))),
        _Candidate(".flake8", _dedicated_ini(("flake8", "flake8:local-plugins"), needs_section=True)),
    ),
    "isort": (
        _Candidate(".isort.cfg", _dedicated_ini(("settings", "isort"), needs_settings=True)),
        _Candidate("pyproject.toml", _pyproject(("tool", "isort"), needs_settings=True)),
        _Candidate("setup.cfg", _shared_ini(("isort", "tool:isort"), needs_settings=True)),
        _Candidate("tox.ini", _shared_ini(("isort", "tool:isort"), needs_settings=True)),
    ),
}
