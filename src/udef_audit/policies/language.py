"""The policy language as plain data: conditions, value tests, and what a check yields.

A policy's `check` is one condition. Evaluated on a repository, a condition *holds* or not,
and says where: an `Outcome` carries the places that make it false (when it does not hold)
or true (when it holds). `not` swaps the two, so `not: {files: {exists: setup.py}}` fails at
each `setup.py`; a failure with no place (something missing) is reported at the policy's
anchor. Nothing here reads a file: evaluation lives in `evaluate.py` and the modules of
each kind of condition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from udef_audit.policies.datapath import DataPath
from udef_audit.policies.globs import Glob
from udef_audit.policies.regex import Pattern

BOUNDS = ("at-least", "at-most", "greater-than", "less-than")


# -- value tests -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValueTest:
    """What a value must be: every test given must pass (`not` negates a whole test)."""

    one_of: tuple[Any, ...] | None = None
    contains: tuple[Any, ...] = ()
    pattern: Pattern | None = None
    version: SpecifierSet | None = None
    bounds: tuple[tuple[str, float], ...] = ()
    negated: ValueTest | None = None

    def passes(self, value: Any) -> bool:
        """Whether `value` passes every test."""
        tests = (self._is_one_of, self._contains_all, self._matches, self._satisfies, self._within, self._not)
        return all(test(value) for test in tests)

    def _is_one_of(self, value: Any) -> bool:
        return self.one_of is None or any(same(value, expected) for expected in self.one_of)

    def _contains_all(self, value: Any) -> bool:
        return all(_contains(value, item) for item in self.contains)

    def _matches(self, value: Any) -> bool:
        text = _as_text(value)
        return self.pattern is None or (text is not None and self.pattern.matches_text(text))

    def _satisfies(self, value: Any) -> bool:
        return self.version is None or version_satisfies(value, self.version)

    def _within(self, value: Any) -> bool:
        return all(_within(value, name, limit) for name, limit in self.bounds)

    def _not(self, value: Any) -> bool:
        return self.negated is None or not self.negated.passes(value)

    def describe(self) -> str:
        """What is expected, in words: "one of 'a', 'b'", "satisfying >=3.11"."""
        parts = [*self._equality(), *(f"containing {show(item)}" for item in self.contains)]
        if self.pattern is not None:
            parts.append(f"matching {self.pattern.text!r}")
        if self.version is not None:
            parts.append(f"satisfying {self.version}")
        parts += [f"{name.replace('-', ' ')} {limit:g}" for name, limit in self.bounds]
        if self.negated is not None:
            parts.append(f"not {self.negated.describe()}")
        return " and ".join(parts) or "anything"

    def _equality(self) -> list[str]:
        if self.one_of is None:
            return []
        shown = ", ".join(show(v) for v in self.one_of)
        return [f"equal to {shown}" if len(self.one_of) == 1 else f"one of {shown}"]


def show(value: Any) -> str:
    """A value as a message quotes it (short, on one line)."""
    text = _as_text(value)
    if text is None:
        text = type(value).__name__
    text = " ".join(text.split())
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def same(actual: Any, expected: Any) -> bool:
    """Equality across formats: an INI string "true" equals true, "80" equals 80, and a
    YAML number equals the same number written as a string."""
    if isinstance(expected, bool):
        if isinstance(actual, bool):
            return actual == expected
        return isinstance(actual, str) and actual.strip().lower() == _as_text(expected)
    if isinstance(actual, bool):
        return False
    if isinstance(expected, (int, float)):
        return number(actual) == expected
    if isinstance(expected, str) and isinstance(actual, (int, float)):
        return number(expected) == actual
    return bool(actual == expected)


def number(value: Any) -> float | None:
    """A number, from a number or from a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and len(value) <= 40:
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _within(value: Any, bound: str, limit: float) -> bool:
    found = number(value)
    if found is None:
        return False
    return {
        "at-least": found >= limit,
        "at-most": found <= limit,
        "greater-than": found > limit,
        "less-than": found < limit,
    }[bound]


def _contains(value: Any, item: Any) -> bool:
    if isinstance(value, list):
        return any(same(element, item) for element in value)
    if isinstance(value, str):
        return _as_text(item) is not None and (_as_text(item) or "") in value
    return isinstance(value, dict) and _as_text(item) in value


_LOWER_BOUNDS = (">=", ">", "==", "~=", "===")


def version_satisfies(value: Any, wanted: SpecifierSet) -> bool:
    """A version (`3.12`) satisfies `wanted` when `wanted` contains it; a specifier
    (`>=3.10,<4`, as in `requires-python`) when the lowest version it admits does. A
    specifier without a lower bound admits every old version, and fails."""
    text = _as_text(value)
    if text is None or len(text) > 200:
        return False
    try:
        return wanted.contains(Version(text.strip()), prereleases=True)
    except InvalidVersion:
        pass
    try:
        given = SpecifierSet(text.strip())
    except InvalidSpecifier:
        return False
    floors = []
    for spec in given:
        if spec.operator in _LOWER_BOUNDS:
            try:
                floors.append(Version(spec.version.removesuffix(".*")))
            except InvalidVersion:
                return False
    return bool(floors) and wanted.contains(max(floors), prereleases=True)


# -- conditions --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilesExist:
    """Some file matches one of the globs (`files: {exists: ...}`)."""

    globs: tuple[Glob, ...]


@dataclass(frozen=True)
class FilesSize:
    """Every file matching the globs has a size within the bounds (bytes)."""

    globs: tuple[Glob, ...]
    at_least: int | None = None
    at_most: int | None = None


@dataclass(frozen=True)
class DataCheck:
    """Values at `path` in structured files: whether they exist, and a test each must pass.
    `files` are globs (with `format`, or the format from each name) or, with `tool`, the
    configuration that tool reads (the tool-config model)."""

    path: DataPath
    files: tuple[Glob, ...] = ()
    format: str | None = None
    tool: str | None = None
    exists: bool | None = None
    test: ValueTest | None = None


@dataclass(frozen=True)
class TextCheck:
    """A pattern occurs in the files (`per_file`: in each of them), in Python code, comments,
    strings or anywhere (`where`; other files are read whole)."""

    files: tuple[Glob, ...]
    pattern: Pattern
    where: str = "any"
    per_file: bool = False


@dataclass(frozen=True)
class DockerCheck:
    """Every selected stage of the Dockerfiles (runtime, test, all) passes the stage tests."""

    stages: str = "all"
    files: tuple[Glob, ...] = ()
    image: ValueTest | None = None
    tag: ValueTest | None = None
    digest: bool | None = None
    user: str | None = None  # "root" | "non-root"
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommandsCheck:
    """Something CI runs (followed into scripts, make, tox, nox, hooks) is one of the
    programs, with every word of `with` among its arguments and none of `without`."""

    programs: tuple[str, ...]
    with_words: tuple[str, ...] = ()
    without_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class AllOf:
    """Every condition holds."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """Some condition holds (when none does, the first one's places are reported)."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The condition does not hold."""

    condition: Condition


Condition = FilesExist | FilesSize | DataCheck | TextCheck | DockerCheck | CommandsCheck | AllOf | AnyOf | Not


# -- outcomes ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """A place that decides a condition: a file, line and column, what it is about (the
    fingerprint's key: never a line number) and the values a message may quote. `path` is
    None for something missing: the result goes to the policy's anchor."""

    path: str | None
    line: int = 1
    column: int | None = None
    subject: str = ""
    captures: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """Whether a condition holds, and the places that make it so (or not)."""

    holds: bool
    evidence: tuple[Evidence, ...] = ()
