"""PEP 440/508 helpers over `packaging`: poetry's constraints as specifier sets, whether a
locked version satisfies a specifier, and requirements compared by meaning, not spelling.

Pure; nothing here raises on hostile input (an unparseable constraint or version is None).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

# Poetry writes `>= 1.2, < 1.5` or `>=1.2 <1.5`; the operator is glued to its version first.
_OPERATOR_SPACE_RE = re.compile(r"(===|==|!=|~=|>=|<=|>|<|\^|~|=)\s+")
_SEPARATOR_RE = re.compile(r"[,\s]+")
_RELEASE_RE = re.compile(r"v?(\d+(?:\.\d+)*)(.*)")
# Environments that markers are evaluated in to compare two markers by meaning: uv rewrites
# `python_version < "3.11"` as `python_full_version < '3.11'`, which means the same.
_PLATFORMS = (
    ("linux", "Linux", "posix", "x86_64"),
    ("linux", "Linux", "posix", "aarch64"),
    ("win32", "Windows", "nt", "AMD64"),
    ("darwin", "Darwin", "posix", "arm64"),
)
_IMPLEMENTATIONS = (("cpython", "CPython"), ("pypy", "PyPy"))
_PYTHONS = ("2.7.18", *(f"3.{minor}.{patch}" for minor in range(17) for patch in (0, 9)))


def satisfies(version: str, specifiers: tuple[SpecifierSet, ...]) -> bool | None:
    """Whether a locked version satisfies any of the specifier sets (pre-releases allowed:
    a lock that pins one was told to); None when the version is no PEP 440 version."""
    if not specifiers:
        return True
    try:
        parsed = Version(version)
    except InvalidVersion:
        return None
    return any(spec.contains(parsed, prereleases=True) for spec in specifiers)


def poetry_specifiers(constraint: str) -> tuple[SpecifierSet, ...] | None:
    """A poetry version constraint (`^1.2`, `~1.2.3`, `1.2.*`, `>=1,<2 || ^3`) as PEP 440
    specifier sets, any of which satisfies it; None when it cannot be read."""
    alternatives = []
    for alternative in re.split(r"\|\|?", constraint):
        glued = _OPERATOR_SPACE_RE.sub(r"\1", alternative.strip())
        clauses: list[str] = []
        for token in _SEPARATOR_RE.split(glued):
            converted = _poetry_clause(token) if token else []
            if converted is None:
                return None
            clauses.extend(converted)
        try:
            alternatives.append(SpecifierSet(",".join(clauses)))
        except InvalidSpecifier:
            return None
    return tuple(alternatives)


def _poetry_clause(clause: str) -> list[str] | None:
    """One poetry clause as PEP 440 clauses."""
    if clause == "*":
        return []
    if clause.startswith("^"):
        return _bounded(clause[1:], caret=True)
    if clause.startswith("~") and not clause.startswith("~="):
        return _bounded(clause[1:], caret=False)
    if clause.startswith("=") and not clause.startswith("=="):
        return [f"=={clause[1:]}"]
    if clause[0].isdigit() or clause[0] == "v":
        return [f"=={clause.removeprefix('v')}"]
    return [clause]


def _bounded(version: str, *, caret: bool) -> list[str] | None:
    """`^1.2.3` -> >=1.2.3,<2.0.0; `^0.2` -> >=0.2,<0.3; `~1.2.3` -> >=1.2.3,<1.3.0."""
    match = _RELEASE_RE.fullmatch(version)
    if match is None:
        return None
    parts = [int(p) for p in match.group(1).split(".")]
    # A caret bumps the first non-zero part (the last one when all are zero); a tilde bumps
    # the minor part (the major one when only it is given).
    first_non_zero = next((i for i, p in enumerate(parts) if p), len(parts) - 1)
    position = first_non_zero if caret else min(1, len(parts) - 1)
    upper = [*parts[:position], parts[position] + 1] + [0] * (len(parts) - position - 1)
    return [f">={version.removeprefix('v')}", f"<{'.'.join(map(str, upper))}"]


def specifier_key(specifier: str) -> frozenset[tuple[str, Version | str]] | None:
    """A specifier set by meaning: `>=1.0, <2` and `<2.0,>=1` have the same key; None when
    it is no PEP 440 specifier set."""
    try:
        specs = SpecifierSet(specifier)
    except InvalidSpecifier:
        return None
    return frozenset((spec.operator, _version_key(spec)) for spec in specs)


def _version_key(spec: Specifier) -> Version | str:
    if spec.version.endswith("*") or spec.operator == "===":
        return spec.version
    try:
        return Version(spec.version)
    except InvalidVersion:
        return spec.version


def same_marker(first: str | None, second: str | None, python: SpecifierSet | None = None) -> bool:
    """Whether two environment markers mean the same, spelling aside: they agree in every
    sample environment (Python 2.7 to 3.16, only the versions `python` allows when given;
    Linux, Windows and macOS; CPython and PyPy). No marker is a marker that always holds, so
    `python_version >= "3.8"` under `requires-python = ">=3.9"` is no marker at all.
    Unreadable markers are compared as normalised text; markers that cannot be evaluated
    count as the same (no verdict, so no result)."""
    if first == second:
        return True
    try:
        markers = [None if m is None else Marker(m) for m in (first, second)]
    except InvalidMarker:
        return " ".join(str(first).split()) == " ".join(str(second).split())
    if str(markers[0]) == str(markers[1]):
        return True
    try:
        return all(_holds(markers[0], env) == _holds(markers[1], env) for env in _environments(python))
    except Exception:  # packaging raises several types for odd comparisons: no verdict, no result
        return True


def _holds(marker: Marker | None, environment: dict[str, str]) -> bool:
    return marker is None or marker.evaluate(environment)


def _environments(allowed: SpecifierSet | None) -> Iterator[dict[str, str]]:
    pythons = [p for p in _PYTHONS if allowed is None or allowed.contains(p, prereleases=True)] or list(_PYTHONS)
    for python, platform, implementation in itertools.product(pythons, _PLATFORMS, _IMPLEMENTATIONS):
        sys_platform, system, os_name, machine = platform
        yield {
            "python_version": ".".join(python.split(".")[:2]),
            "python_full_version": python,
            "implementation_version": python,
            "sys_platform": sys_platform,
            "platform_system": system,
            "os_name": os_name,
            "platform_machine": machine,
            "implementation_name": implementation[0],
            "platform_python_implementation": implementation[1],
            "platform_release": "",
            "platform_version": "",
            "extra": "",
        }
