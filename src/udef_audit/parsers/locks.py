"""What a lock pins: package names and versions, from every lock format UDEF013 reads.

Formats: requirement-style locks (`name==version`, hashes), `uv.lock` (with the project's
own `requires-dist` that uv records), `poetry.lock`, `pdm.lock`, `pylock*.toml` (PEP 751)
and `Pipfile.lock` (its `default` packages). The caller reads and parses the file (TOML
through the context, requirement files through `parse_requirements`, Pipfile.lock as text);
these functions only read the parsed data. Locks come from untrusted repositories: entries of
the wrong type are skipped, a lock whose shape is wrong says so in `problem` (a UDEF000
note), and nothing here raises.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from udef_audit.parsers.requirements import RequirementsFile, canonical_name

# A Pipfile.lock is JSON; one larger than this is no lock a person keeps in a repository.
MAX_PIPFILE_LOCK_CHARS = 4 * 1024 * 1024
# `==1.2.3` or `===1.2.3` in a requirement line: the version a requirement-style lock pins.
_PIN_RE = re.compile(r"===?\s*([^\s,;\\]+)")
_EXTRA_MARKER_RE = re.compile(r"\bextra\b")
# Keys with which uv.lock records where a requirement comes from instead of an index.
_UV_SOURCE_KEYS = ("editable", "path", "directory", "git", "url", "virtual", "workspace")


@dataclass(frozen=True)
class RecordedRequirement:
    """A main dependency as uv.lock records it in a project's `[package.metadata]`.

    `has_source` is true when uv recorded a source (editable, path, git, URL): uv then
    drops the version specifier, so only the name, extras and marker can be compared."""

    name: str
    specifier: str
    marker: str | None
    extras: tuple[str, ...]
    has_source: bool


@dataclass(frozen=True)
class LockContents:
    """What one lock pins: PEP 503 name -> the versions locked (None: a package locked
    without a version, such as a VCS, path or editable source).

    `requires_dist` holds, for uv.lock, each workspace project's recorded main
    requirements; None when the lock records none. `generator` is the tool that wrote a
    requirement-style lock, when its header says so."""

    format: str
    pins: Mapping[str, tuple[str | None, ...]]
    requires_dist: Mapping[str, tuple[RecordedRequirement, ...]] = field(default_factory=dict)
    generator: str | None = None
    problem: str | None = None


def lock_format(path: str) -> str | None:
    """The format of a lock by its file name ("uv.lock", "poetry.lock", "pdm.lock",
    "pylock", "Pipfile.lock", "requirements"); None for a lock no parser here reads
    (`conda-lock.yml`)."""
    base = posixpath.basename(path).lower()
    named = {"uv.lock": "uv.lock", "poetry.lock": "poetry.lock", "pdm.lock": "pdm.lock", "pipfile.lock": "Pipfile.lock"}
    if base in named:
        return named[base]
    if base.startswith("pylock.") and base.endswith(".toml"):
        return "pylock"
    if base.startswith("conda-lock."):
        return None
    return "requirements"


def requirements_lock(parsed: RequirementsFile) -> LockContents:
    """Pins of a requirement-style lock: `name==version`; `name @ url` pins no version."""
    pins: dict[str, list[str | None]] = {}
    for entry in parsed.requirements:
        if entry.name is None:
            continue
        spec = entry.text.split(" -", 1)[0]
        match = None if "@" in spec.split(";", 1)[0] else _PIN_RE.search(spec)
        pins.setdefault(entry.name, []).append(match.group(1) if match else None)
    return LockContents("requirements", _frozen(pins), generator=parsed.generator)


def uv_lock(data: Mapping[str, Any]) -> LockContents:
    """Pins of a uv.lock (`[[package]]` name and version) and the main requirements uv
    recorded for each project of the workspace (`[package.metadata] requires-dist`)."""
    packages = data.get("package", [])
    if not isinstance(packages, list):
        return _broken("uv.lock", "`package` is not an array of tables")
    recorded: dict[str, tuple[RecordedRequirement, ...]] = {}
    for entry in _tables(packages):
        name = _name(entry)
        metadata = entry.get("metadata")
        if name is not None and isinstance(metadata, Mapping) and "requires-dist" in metadata:
            recorded[name] = tuple(_recorded(metadata.get("requires-dist")))
    return LockContents("uv.lock", _pins(_tables(packages)), requires_dist=recorded)


def table_lock(data: Mapping[str, Any], lock: str) -> LockContents:
    """Pins of a poetry.lock or pdm.lock (`[[package]]`) or a PEP 751 pylock (`[[packages]]`)."""
    key = "packages" if lock == "pylock" else "package"
    packages = data.get(key, [])
    if not isinstance(packages, list):
        return _broken(lock, f"`{key}` is not an array of tables")
    return LockContents(lock, _pins(_tables(packages)))


def pipfile_lock(text: str) -> LockContents:
    """Pins of a Pipfile.lock's `default` section (`"version": "==1.2.3"`)."""
    data, problem = _load_json(text)
    default = data.get("default", {}) if isinstance(data, dict) else None
    if problem is None and not isinstance(default, dict):
        problem = "`default` is not an object"
    if problem is not None or not isinstance(default, dict):
        return _broken("Pipfile.lock", problem or "`default` is not an object")
    pins: dict[str, list[str | None]] = {}
    for name, body in default.items():
        pins.setdefault(canonical_name(name), []).append(_pipfile_version(body))
    return LockContents("Pipfile.lock", _frozen(pins))


def _load_json(text: str) -> tuple[object, str | None]:
    """The parsed JSON, or why it could not be parsed (bounded, never raising)."""
    if len(text) > MAX_PIPFILE_LOCK_CHARS:
        return None, f"larger than {MAX_PIPFILE_LOCK_CHARS} characters"
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "invalid JSON: nesting too deep"
    except ValueError as exc:
        return None, f"invalid JSON: {str(exc).splitlines()[0]}"


def _pipfile_version(body: object) -> str | None:
    """`"==1.2.3"` -> "1.2.3"; a VCS, path or editable entry pins no version."""
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(version, str) or not version.startswith("=="):
        return None
    return version.lstrip("=").strip() or None


def _broken(lock: str, problem: str) -> LockContents:
    return LockContents(lock, {}, problem=problem)


def _tables(items: Iterable[object]) -> Iterator[Mapping[str, Any]]:
    """The entries of an array of tables that are tables (others are skipped)."""
    return (item for item in items if isinstance(item, Mapping))


def _name(entry: Mapping[str, Any]) -> str | None:
    name = entry.get("name")
    return canonical_name(name) if isinstance(name, str) and name.strip() else None


def _pins(entries: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str | None, ...]]:
    pins: dict[str, list[str | None]] = {}
    for entry in entries:
        name = _name(entry)
        if name is not None:
            version = entry.get("version")
            pins.setdefault(name, []).append(version.strip() or None if isinstance(version, str) else None)
    return _frozen(pins)


def _frozen(pins: Mapping[str, list[str | None]]) -> dict[str, tuple[str | None, ...]]:
    return {name: tuple(dict.fromkeys(versions)) for name, versions in pins.items()}


def _recorded(requires: object) -> Iterator[RecordedRequirement]:
    """The main requirements of a recorded `requires-dist` (entries for an extra skipped)."""
    for entry in _tables(requires if isinstance(requires, list) else ()):
        recorded = _recorded_requirement(entry)
        if recorded is not None:
            yield recorded


def _recorded_requirement(entry: Mapping[str, Any]) -> RecordedRequirement | None:
    name = _name(entry)
    marker = _string(entry.get("marker"))
    if name is None or (marker is not None and _EXTRA_MARKER_RE.search(marker)):
        return None
    extras = entry.get("extras")
    return RecordedRequirement(
        name=name,
        specifier=_string(entry.get("specifier")) or "",
        marker=marker,
        extras=tuple(canonical_name(e) for e in extras if isinstance(e, str)) if isinstance(extras, list) else (),
        has_source=any(key in entry for key in _UV_SOURCE_KEYS),
    )


def _string(value: object) -> str | None:
    """A non-blank string, else None."""
    return value if isinstance(value, str) and value.strip() else None
