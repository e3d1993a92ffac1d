"""A pyproject.toml's main dependencies, each with its line: what a lock must pin (UDEF013).

`[project].dependencies` (PEP 621) when the project declares it, else poetry's
`[tool.poetry.dependencies]` (without `python`, and without optional dependencies, which
belong to extras). The caller parses the TOML; the text serves only to find lines.
Requirements that are no valid PEP 508 (or poetry constraint) are left out: the lock cannot
be judged against them, and the build itself rejects them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from udef_audit.parsers.pep508 import poetry_specifiers
from udef_audit.parsers.requirements import canonical_name
from udef_audit.parsers.toml_lines import array_item_lines, line_of, toml_line_index

PEP621_KEY = ("project", "dependencies")
POETRY_KEY = ("tool", "poetry", "dependencies")
# Poetry dependency keys that put a condition on where the dependency is installed.
_POETRY_CONDITIONS = ("markers", "python", "platform")
_POETRY_SOURCES = ("git", "path", "url", "file", "directory")


@dataclass(frozen=True)
class MainDependency:
    """One main dependency. `specifiers`: any of them satisfies it (poetry's `||`); empty for
    any version. `marker`: the environment condition, if any (such a dependency may be absent
    from a lock). `direct`: a URL, VCS or path reference, which only needs to be present."""

    name: str
    declared: str
    line: int
    specifiers: tuple[SpecifierSet, ...]
    extras: frozenset[str]
    marker: str | None
    direct: bool


@dataclass(frozen=True)
class MainDependencies:
    """The main dependencies of one pyproject.toml, the key that declares them and its line."""

    source: str
    key_line: int
    items: tuple[MainDependency, ...]
    project_name: str | None


def main_dependencies(text: str, data: Mapping[str, Any]) -> MainDependencies | None:
    """The main dependencies a pyproject.toml declares; None when it declares none (no
    `[project].dependencies` list, `dependencies` dynamic, and no poetry table)."""
    project = data.get("project")
    project = project if isinstance(project, Mapping) else {}
    name = project.get("name")
    project_name = canonical_name(name) if isinstance(name, str) else None
    index = toml_line_index(text)
    if isinstance(project.get("dependencies"), list):
        items = tuple(_pep621(text, project["dependencies"], line_of(index, PEP621_KEY)))
        return MainDependencies("[project] dependencies", line_of(index, PEP621_KEY), items, project_name)
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, Mapping) else None
    table = poetry.get("dependencies") if isinstance(poetry, Mapping) else None
    if isinstance(table, Mapping) and not _is_dynamic(project):
        if project_name is None and isinstance(poetry, Mapping) and isinstance(poetry.get("name"), str):
            project_name = canonical_name(poetry["name"])
        items = tuple(_poetry(table, index))
        return MainDependencies("[tool.poetry.dependencies]", line_of(index, POETRY_KEY), items, project_name)
    return None


def parse_requirement(text: str) -> Requirement | None:
    """A PEP 508 requirement, or None when `text` is not one."""
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _is_dynamic(project: Mapping[str, Any]) -> bool:
    dynamic = project.get("dynamic")
    return isinstance(dynamic, list) and "dependencies" in dynamic


def _pep621(text: str, declared: list[Any], key_line: int) -> Iterator[MainDependency]:
    lines = array_item_lines(text, PEP621_KEY)
    if len(lines) != len(declared):  # an inline table or an unusual layout: the key's line
        lines = (key_line,) * len(declared)
    for item, line in zip(declared, lines, strict=True):
        requirement = parse_requirement(item) if isinstance(item, str) else None
        if requirement is None:
            continue
        yield MainDependency(
            name=canonical_name(requirement.name),
            declared=item.strip(),
            line=line,
            specifiers=(requirement.specifier,),
            extras=frozenset(canonical_name(e) for e in requirement.extras),
            marker=str(requirement.marker) if requirement.marker is not None else None,
            direct=requirement.url is not None,
        )


def _poetry(table: Mapping[str, Any], index: Mapping[tuple[str, ...], int]) -> Iterator[MainDependency]:
    for key, value in table.items():
        if not isinstance(key, str) or key.lower() == "python":
            continue
        constraints = value if isinstance(value, list) else [value]
        bodies = [c if isinstance(c, Mapping) else {"version": c} for c in constraints]
        if not bodies or any(body.get("optional") is True for body in bodies):
            continue  # an optional dependency belongs to an extra, not to the main ones
        dependency = _poetry_dependency(key, bodies, line_of(index, (*POETRY_KEY, key)))
        if dependency is not None:
            yield dependency


def _poetry_dependency(key: str, bodies: list[Mapping[str, Any]], line: int) -> MainDependency | None:
    specifiers: list[SpecifierSet] = []
    direct = False
    for body in bodies:
        if any(source in body for source in _POETRY_SOURCES):
            direct = True
            continue
        version = body.get("version", "*")
        parsed = poetry_specifiers(version) if isinstance(version, str) else None
        if parsed is None:
            return None
        specifiers.extend(parsed)
    conditions = [body[c] for body in bodies for c in _POETRY_CONDITIONS if c in body]
    extras = [e for body in bodies if isinstance(body.get("extras"), list) for e in body["extras"]]
    any_version = any(not str(spec) for spec in specifiers)
    return MainDependency(
        name=canonical_name(key),
        declared=f"{key} = {_describe(bodies)}",
        line=line,
        specifiers=() if direct or any_version else tuple(specifiers),
        extras=frozenset(canonical_name(e) for e in extras if isinstance(e, str)),
        marker=" or ".join(str(c) for c in conditions) if conditions or len(bodies) > 1 else None,
        direct=direct,
    )


def _describe(bodies: list[Mapping[str, Any]]) -> str:
    """How a poetry dependency reads in messages: its constraint(s), or its source."""
    versions = [str(body.get("version")) for body in bodies if "version" in body]
    if versions:
        return " || ".join(f'"{v}"' for v in versions)
    return "{" + ", ".join(f"{k} = ..." for k in bodies[0]) + "}"
