"""Reading a policy file against its schema, one key at a time, with the place of every
mistake: a `Cursor` is a located value plus its key path (`check.any[1].path`), and every
check it makes fails with a `PolicyFileError` naming the file, the line and that key."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from udef_audit.parsers.yaml_located import Located
from udef_audit.policies.errors import PolicyFileError

# A policy is a page of YAML; these bounds keep a hostile one from costing more than that.
MAX_TEXT = 20_000
MAX_LIST = 200


def describe(value: Any) -> str:
    """How a wrong value is named in a message: its type, and a short form of it."""
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a mapping", type(None): "nothing"}.get(type(value), type(value).__name__)
    if isinstance(value, (bool, int, float, str)):
        shown = repr(value)
        return f"{kind} ({shown if len(shown) <= 40 else shown[:37] + '...'})"
    return kind


@dataclass(frozen=True)
class Cursor:
    """A located value of a policy file and the key path that leads to it."""

    at: Located
    source: str
    key: str = ""

    @property
    def value(self) -> Any:
        """The plain value."""
        return self.at.value

    @property
    def line(self) -> int:
        """Where the value starts."""
        return self.at.line

    def fail(self, problem: str) -> NoReturn:
        """Raise the policy error for this key."""
        raise PolicyFileError(self.source, self.at.line, self.key, problem)

    def expected(self, what: str) -> NoReturn:
        """Raise "expected WHAT, found ..."."""
        self.fail(f"expected {what}, found {describe(self.value)}")

    def _path(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    # -- containers ------------------------------------------------------------------------
    def fields(self, allowed: Collection[str], required: Collection[str] = (), what: str = "a mapping") -> dict[
        str, Cursor
    ]:
        """A mapping's keys as cursors; an unknown key or a missing required one fails (at the
        key's own line, naming the keys allowed)."""
        if not isinstance(self.value, dict):
            self.expected(what)
        found: dict[str, Cursor] = {}
        for name, child in self.at.entries():
            if name not in allowed:
                line = self.at.key_line(name)
                raise PolicyFileError(
                    self.source, line, self._path(name), f"unknown key (expected one of {', '.join(sorted(allowed))})"
                )
            found[name] = Cursor(child, self.source, self._path(name))
        missing = [name for name in required if name not in found]
        if missing:
            self.fail(f"missing key {missing[0]!r}")
        return found

    def fields_any(self, what: str) -> dict[str, Cursor]:
        """A mapping with keys of the author's choosing (file paths, a kind's name)."""
        if not isinstance(self.value, dict):
            self.expected(what)
        if len(self.value) > MAX_LIST:
            self.fail(f"at most {MAX_LIST} entries")
        return {name: Cursor(child, self.source, self._path(name)) for name, child in self.at.entries()}

    def single_any(self, what: str) -> tuple[str, Cursor]:
        """A mapping with exactly one key, of the author's choosing."""
        entries = self.fields_any(what)
        if len(entries) != 1:
            self.expected(what + " (exactly one key)")
        ((name, child),) = entries.items()
        return name, child

    def single(self, allowed: Collection[str], what: str) -> tuple[str, Cursor]:
        """A mapping with exactly one key among `allowed` (a condition: `{any: [...]}`)."""
        entries = self.fields(allowed, what=what)
        if len(entries) != 1:
            self.expected(what + " (exactly one key)")
        ((name, child),) = entries.items()
        return name, child

    def elements(self, what: str = "a list", *, empty: bool = False) -> Iterator[Cursor]:
        """A list's items as cursors (`key[0]`, `key[1]`...)."""
        if not isinstance(self.value, list) or (not empty and not self.value):
            self.expected(what if empty else f"{what} with at least one item")
        if len(self.value) > MAX_LIST:
            self.fail(f"at most {MAX_LIST} items")
        for index, item in enumerate(self.at.items()):
            yield Cursor(item, self.source, f"{self.key}[{index}]")

    # -- scalars ---------------------------------------------------------------------------
    def text(self, what: str = "a non-empty string") -> str:
        """A non-empty string (stripped), bounded in length."""
        if not isinstance(self.value, str) or not self.value.strip():
            self.expected(what)
        if len(self.value) > MAX_TEXT:
            self.fail(f"at most {MAX_TEXT} characters")
        return self.value.strip()

    def texts(self, what: str = "a string or a list of strings") -> tuple[str, ...]:
        """A string, or a non-empty list of strings."""
        if isinstance(self.value, str):
            return (self.text(what),)
        if not isinstance(self.value, list):
            self.expected(what)
        return tuple(item.text(what) for item in self.elements(what))

    def integer(self, low: int, high: int, what: str = "") -> int:
        """An integer in [low, high] (a boolean is not one)."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.expected(what or f"an integer from {low} to {high}")
        return value

    def number(self, what: str = "a number") -> float | int:
        """An int or a float (a boolean is not one)."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            self.expected(what)
        return self.value

    def boolean(self) -> bool:
        """true or false."""
        if not isinstance(self.value, bool):
            self.expected("true or false")
        return self.value

    def choice(self, options: Collection[str]) -> str:
        """One of a few words."""
        if self.value not in options:
            self.expected("one of " + ", ".join(options))
        return str(self.value)

    def scalar(self, what: str = "a string, number or boolean") -> str | int | float | bool:
        """A plain value to compare with (never a list or mapping)."""
        if not isinstance(self.value, (str, int, float, bool)):
            self.expected(what)
        return self.value
