"""Dependency declarations in pyproject.toml, Pipfile, conda environment.yml and pip commands.

The caller parses TOML (with tomli); these functions only read the parsed data and use the
raw text to find line numbers (parsers/toml_lines.py). Nothing here raises on hostile input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from udef_audit.parsers.requirements import (
    is_lock_file_name,
    requirement_name,
    split_lines,
)
from udef_audit.parsers.toml_lines import BARE_KEY_RE, MAX_INDEXED_CHARS, line_of, toml_line_index

_CONDA_DEPENDENCIES_RE = re.compile(r"""(?:dependencies|"dependencies"|'dependencies')\s*:""")

# pip install (and uv pip install) options that take a value.
_VALUE_LONG_OPTIONS = frozenset(
    {
        "--requirement",
        "--constraint",
        "--editable",
        "--target",
        "--index-url",
        "--extra-index-url",
        "--find-links",
        "--prefix",
        "--root",
        "--src",
        "--upgrade-strategy",
        "--python-version",
        "--platform",
        "--implementation",
        "--abi",
        "--progress-bar",
        "--report",
        "--config-settings",
        "--global-option",
        "--install-option",
        "--build-option",
        "--log",
        "--log-file",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--trusted-host",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--use-feature",
        "--use-deprecated",
        "--only-binary",
        "--no-binary",
        "--root-user-action",
        "--keyring-provider",
        "--python",
        "--group",
        # uv pip install
        "--override",
        "--index",
        "--default-index",
        "--index-strategy",
        "--resolution",
        "--prerelease",
        "--python-platform",
        "--link-mode",
        "--exclude-newer",
        "--config-setting",
        "--extra",
        "--constraints",
        "--overrides",
    }
)
_VALUE_SHORT_OPTIONS = frozenset("rcetifCp")
_REQUIREMENT_OPTIONS = frozenset({"-r", "--requirement"})
_EDITABLE_OPTIONS = frozenset({"-e", "--editable"})
# The installer and build tooling themselves: upgrading them installs no project dependency.
_TOOL_PACKAGES = frozenset({"pip", "uv", "pip-tools", "setuptools", "wheel"})
_SHELL_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_REMOTE_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".tar")


@dataclass(frozen=True)
class PyprojectDeps:
    """Dependency declarations of a pyproject.toml.

    ``dependency_lines`` holds (line, table or key) pairs such as
    ``(12, "[project] dependencies")`` or ``(30, "[tool.poetry.group.dev.dependencies]")``.
    """

    has_project_table: bool
    project_line: int | None
    dependency_lines: tuple[tuple[int, str], ...]
    uses_poetry: bool


def pyproject_dependencies(text: str, data: Mapping[str, object]) -> PyprojectDeps:
    """Dependency declarations of a pyproject.toml from its parsed ``data``.

    ``text`` serves only to find lines: a table's header, a key inside it, or a dotted key
    (``project.dependencies = [...]``). A declaration with no line of its own (inside an
    inline table) falls back to its closest enclosing table's line, else line 1.
    """
    lines = toml_line_index(text)
    project = data.get("project")
    has_project = isinstance(project, Mapping)
    found = [(line_of(lines, path), label) for path, label in _declared_dependency_tables(data)]
    return PyprojectDeps(
        has_project_table=has_project,
        project_line=line_of(lines, ("project",)) if has_project else None,
        dependency_lines=tuple(sorted(set(found))),
        uses_poetry=_uses_poetry(data),
    )


def pipfile_declaration_line(text: str) -> int:
    """Line of the first ``[packages]`` or ``[dev-packages]`` table of a Pipfile, else 1."""
    lines = toml_line_index(text)
    found = [lines[path] for path in (("packages",), ("dev-packages",)) if path in lines]
    return min(found, default=1)


def conda_environment_line(text: str) -> int:
    """Line of the top-level ``dependencies:`` key of a conda environment file, else 1."""
    for number, raw in enumerate(split_lines(text[:MAX_INDEXED_CHARS]), 1):
        line = raw.removeprefix("\ufeff") if number == 1 else raw
        # Top-level keys start in column 0; indented ones belong to a nested mapping.
        if _CONDA_DEPENDENCIES_RE.match(line):
            return number
    return 1


def named_index_packages(
    pip_install_args: Sequence[str],
    *,
    lock_names: Callable[[str], bool] = is_lock_file_name,
) -> list[str]:
    """The arguments of ``pip install`` that name packages from outside the project.

    Returns index requirements (``"flask==2.0"``), URLs and VCS references, and
    ``"-r <file>"`` for a requirement file that ``lock_names`` does not call a lock. Skips
    options and their values, local paths and archives, editable local installs, and pip,
    uv, pip-tools, setuptools and wheel themselves. Reading stops at a shell separator
    (``&&``, ``;``...) in case the caller split a whole command line.
    """
    args = _command_arguments(pip_install_args)
    named: list[str] = []
    index = 0
    options_done = False
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--" and not options_done:
            options_done = True
        elif arg.startswith("-") and len(arg) > 1 and not options_done:
            option, value, index = _read_option(arg, args, index)
            named.extend(_option_sources(option, value, lock_names))
        elif _is_index_package(arg):
            named.append(arg)
    return named


# --- pyproject.toml ---------------------------------------------------------------------


def _declared_dependency_tables(
    data: Mapping[str, object],
) -> Iterator[tuple[tuple[str, ...], str]]:
    """(TOML path, label) of every dependency table or key present in ``data``."""
    yield from _standard_dependency_tables(data)
    yield from _poetry_dependency_tables(_table(data, "tool", "poetry"))
    if "dev-dependencies" in _table(data, "tool", "pdm"):
        yield ("tool", "pdm", "dev-dependencies"), "[tool.pdm.dev-dependencies]"


def _standard_dependency_tables(
    data: Mapping[str, object],
) -> Iterator[tuple[tuple[str, ...], str]]:
    """The PEP 621 ``[project]`` dependency keys and PEP 735 ``[dependency-groups]``."""
    project = _table(data, "project")
    if "dependencies" in project:
        yield ("project", "dependencies"), "[project] dependencies"
    if "optional-dependencies" in project:
        yield ("project", "optional-dependencies"), "[project.optional-dependencies]"
    if "dependency-groups" in data:
        yield ("dependency-groups",), "[dependency-groups]"


def _poetry_dependency_tables(
    poetry: Mapping[str, object],
) -> Iterator[tuple[tuple[str, ...], str]]:
    """Poetry's main and dev dependency tables, then those of its groups, in ``[tool.poetry]``."""
    for key in ("dependencies", "dev-dependencies"):
        if key in poetry:
            yield ("tool", "poetry", key), f"[tool.poetry.{key}]"
    for group, body in _table(poetry, "group").items():
        if isinstance(group, str) and isinstance(body, Mapping) and "dependencies" in body:
            path = ("tool", "poetry", "group", group, "dependencies")
            yield path, f"[{_dotted_label(path)}]"


def _table(data: Mapping[str, object], *path: str) -> Mapping[str, object]:
    """The sub-table at ``path``, or an empty mapping when it is absent or not a table."""
    current: object = data
    for key in path:
        if not isinstance(current, Mapping):
            return {}
        current = current.get(key)
    return current if isinstance(current, Mapping) else {}


def _uses_poetry(data: Mapping[str, object]) -> bool:
    if "poetry" in _table(data, "tool"):
        return True
    backend = _table(data, "build-system").get("build-backend")
    return isinstance(backend, str) and backend.startswith("poetry")


def _dotted_label(path: tuple[str, ...]) -> str:
    # Keys that are not bare are quoted as TOML quotes them (a JSON string is a TOML string).
    return ".".join(part if BARE_KEY_RE.fullmatch(part) else json.dumps(part) for part in path)


# --- pip install arguments ----------------------------------------------------------------


def _command_arguments(args: Sequence[str]) -> list[str]:
    """Unquoted arguments up to the end of the command (a shell separator or comment)."""
    result: list[str] = []
    for raw in args:
        arg = _unquote(raw)
        if arg in _SHELL_SEPARATORS or arg.startswith("#"):
            break
        if arg.endswith(";"):
            result.append(arg[:-1])
            break
        result.append(arg)
    return result


def _unquote(arg: str) -> str:
    arg = arg.strip()
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"":
        return arg[1:-1].strip()
    return arg


def _read_option(arg: str, args: Sequence[str], index: int) -> tuple[str, str | None, int]:
    """(option, its value or None, index of the next argument) for the option ``arg``.

    Knows ``--opt=value``, ``--opt value``, ``-rfile``, ``-r file`` and clustered short
    flags ending in a value-taking one (``-Ur file``), as pip's option parser does.
    """
    if arg.startswith("--"):
        name, equals, value = arg.partition("=")
        if equals:
            return name, value, index
        if name in _VALUE_LONG_OPTIONS:
            return name, _argument_at(args, index), index + 1
        return name, None, index
    for position in range(1, len(arg)):
        letter = arg[position]
        if letter in _VALUE_SHORT_OPTIONS:
            attached = arg[position + 1 :]
            if attached:
                return f"-{letter}", attached, index
            return f"-{letter}", _argument_at(args, index), index + 1
    return arg, None, index


def _argument_at(args: Sequence[str], index: int) -> str | None:
    return args[index] if index < len(args) else None


def _option_sources(option: str, value: str | None, lock_names: Callable[[str], bool]) -> list[str]:
    """What an option pulls from outside the project: ``-r`` of a non-lock file, or an
    editable install of a URL."""
    if value is None:
        return []
    if option in _REQUIREMENT_OPTIONS:
        return [] if lock_names(value) else [f"-r {value}"]
    if option in _EDITABLE_OPTIONS and _is_remote(value):
        return [value]
    return []


def _is_index_package(arg: str) -> bool:
    """Whether a positional argument names something fetched from outside the project.

    ``$VAR`` arguments are unknowable and not counted.
    """
    if not arg or arg.startswith("$"):
        return False
    if _is_remote(arg):
        return True
    if _is_local(arg):
        return False
    name = requirement_name(arg)
    return name is not None and name not in _TOOL_PACKAGES


def _is_remote(arg: str) -> bool:
    """A URL (not ``file:``), a VCS reference, or a ``name @ URL`` requirement."""
    if _is_url(arg):
        return True
    head, at, target = arg.partition("@")
    return bool(at) and requirement_name(head) is not None and _is_url(target.strip())


def _is_url(arg: str) -> bool:
    lowered = arg.lower()
    if lowered.startswith(_VCS_PREFIXES):
        return True
    return _REMOTE_RE.match(arg) is not None and not lowered.startswith("file:")


def _is_local(arg: str) -> bool:
    """A path on the build machine: ``.``, ``./x``, ``/abs``, ``..``, ``.[dev]``, archives."""
    if arg.startswith((".", "/", "~", "\\")) or "/" in arg or "\\" in arg:
        return True
    return arg.lower().startswith("file:") or arg.lower().endswith(_ARCHIVE_SUFFIXES)
