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
    project = _mapping(data.get("project"))
    index = toml_line_index(text)
    key_line = line_of(index, PEP621_KEY)
    if isinstance(project.get("dependencies"), list):
        items = tuple(_pep621(text, project["dependencies"], key_line))
        return MainDependencies("[project] dependencies", key_line, items, _name(project))
    poetry = _mapping(_mapping(data.get("tool")).get("poetry"))
    table = poetry.get("dependencies")
    if not isinstance(table, Mapping) or _is_dynamic(project):
        return None
    items = tuple(_poetry(table, index))
    name = _name(project) or _name(poetry)
    return MainDependencies("[tool.poetry.dependencies]", line_of(index, POETRY_KEY), items, name)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _name(table: Mapping[str, Any]) -> str | None:
    name = table.get("name")
    return canonical_name(name) if isinstance(name, str) else None


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
        bodies = _poetry_bodies(value)
        # An optional dependency belongs to an extra, not to the main ones.
        if key.lower() == "python" or not bodies or any(body.get("optional") is True for body in bodies):
            continue
        dependency = _poetry_dependency(key, bodies, line_of(index, (*POETRY_KEY, key)))
        if dependency is not None:
            yield dependency


def _poetry_bodies(value: object) -> list[Mapping[str, Any]]:
    """A poetry dependency as a list of tables: `"^1.2"` is `{version = "^1.2"}`, and a list
    of constraints (one per Python version or platform) stays a list."""
    constraints = value if isinstance(value, list) else [value]
    return [c if isinstance(c, Mapping) else {"version": c} for c in constraints]


def _poetry_dependency(key: str, bodies: list[Mapping[str, Any]], line: int) -> MainDependency | None:
    direct = any(_is_source(body) for body in bodies)
    specifiers = _poetry_versions(bodies)
    if specifiers is None:
        return None
    any_version = direct or any(not str(spec) for spec in specifiers)
    return MainDependency(
        name=canonical_name(key),
        declared=f"{key} = {_describe(bodies)}",
        line=line,
        specifiers=() if any_version else tuple(specifiers),
        extras=frozenset(canonical_name(e) for body in bodies for e in _strings(body.get("extras"))),
        marker=_poetry_marker(bodies),
        direct=direct,
    )


def _is_source(body: Mapping[str, Any]) -> bool:
    return any(source in body for source in _POETRY_SOURCES)


def _poetry_marker(bodies: list[Mapping[str, Any]]) -> str | None:
    """The environment conditions (`python`, `markers`, `platform`) as one description;
    several constraints are conditional by nature."""
    conditions = [str(body[c]) for body in bodies for c in _POETRY_CONDITIONS if c in body]
    return " or ".join(conditions) if conditions or len(bodies) > 1 else None


def _poetry_versions(bodies: list[Mapping[str, Any]]) -> list[SpecifierSet] | None:
    """The specifier sets of the constraints that name a version (a source names none);
    None when one cannot be read."""
    specifiers: list[SpecifierSet] = []
    for body in bodies:
        if _is_source(body):
            continue
        version = body.get("version", "*")
        parsed = poetry_specifiers(version) if isinstance(version, str) else None
        if parsed is None:
            return None
        specifiers.extend(parsed)
    return specifiers


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _describe(bodies: list[Mapping[str, Any]]) -> str:
    """How a poetry dependency reads in messages: its constraint(s), or its source."""
    versions = [str(body.get("version")) for body in bodies if "version" in body]
    if versions:
        return " || ".join(f'"{v}"' for v in versions)
    return "{" + ", ".join(f"{k} = ..." for k in bodies[0]) + "}"
