"""Data paths: where in a parsed TOML, YAML, JSON or INI document a policy looks.

`project.requires-python` is a key of a key; `jobs.*.steps[*].uses` takes every job, every
step of it, and its `uses`. A segment is a bare key (letters, digits, `_`, `-`, and any
other character but `.`, `[`, `]`, quotes and `*`), a quoted key (`"tool:pytest".addopts`,
`'mypy-app.*'.strict`) or `*` (every key of a mapping, every item of a list); `[N]` takes
item N of a list (`[-1]` the last) and `[*]` every item.

Walking is bounded: a path visits at most `MAX_VISITS` values and yields at most
`MAX_RESULTS` (a wildcard path over a hostile document stops there and says so).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_PATH = 300
MAX_SEGMENTS = 32
MAX_VISITS = 100_000
MAX_RESULTS = 5_000
_SEGMENT = re.compile(r"""\*|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^.\[\]"'*\s][^.\[\]"'*]*)""")
_INDEX = re.compile(r"\[(?:(?P<star>\*)|(?P<number>-?\d{1,6}))\]")

Concrete = tuple[str | int, ...]


class DataPathError(ValueError):
    """A path the language does not accept (the message says why)."""


@dataclass(frozen=True)
class Step:
    """One step of a path: a key, every key or item (`*`), an item, or every item (`[*]`)."""

    kind: str  # "key" | "any" | "index" | "items"
    key: str = ""
    index: int = 0


@dataclass(frozen=True)
class DataPath:
    """A parsed path and its text."""

    text: str
    steps: tuple[Step, ...]

    @property
    def has_wildcard(self) -> bool:
        """Whether the path can name more than one value."""
        return any(step.kind in ("any", "items") for step in self.steps)


def parse_path(text: str) -> DataPath:
    """Parse a data path; DataPathError naming the first thing that is not one."""
    if not text or len(text) > MAX_PATH:
        raise DataPathError(f"a data path has 1 to {MAX_PATH} characters")
    steps: list[Step] = []
    position = 0
    while True:
        position = _segment(text, position, steps)
        if position == len(text):
            break
        if text[position] != ".":
            raise DataPathError(f"expected '.' or '[' at character {position + 1}: {text[position:][:20]!r}")
        position += 1
    if len(steps) > MAX_SEGMENTS:
        raise DataPathError(f"at most {MAX_SEGMENTS} steps")
    return DataPath(text, tuple(steps))


def _segment(text: str, position: int, steps: list[Step]) -> int:
    match = _SEGMENT.match(text, position)
    if match is None:
        raise DataPathError(f"expected a key, a quoted key or '*' at character {position + 1}")
    if match.group() == "*":
        steps.append(Step("any"))
    else:
        key = next(group for group in match.group("dq", "sq", "bare") if group is not None)
        steps.append(Step("key", key.strip() if match.group("bare") else key))
    position = match.end()
    while (index := _INDEX.match(text, position)) is not None:
        steps.append(Step("items") if index.group("star") else Step("index", index=int(index.group("number"))))
        position = index.end()
    return position


class _Budget:
    def __init__(self) -> None:
        self.visits = 0
        self.exhausted = False

    def spend(self) -> bool:
        self.visits += 1
        if self.visits > MAX_VISITS:
            self.exhausted = True
        return not self.exhausted


@dataclass(frozen=True)
class Found:
    """The values a path names in a document: (concrete path, value) pairs in document
    order, and whether the walk stopped at its bound."""

    values: tuple[tuple[Concrete, Any], ...]
    truncated: bool = False


Children = Callable[[Any, Step], Iterator[tuple[str | int, Any]]]


def find(data: Any, path: DataPath, children: Children | None = None) -> Found:
    """Every value `path` names in `data`: plain dicts and lists, or any tree whose
    `children(value, step)` says which children a step takes (a located YAML document)."""
    budget = _Budget()
    out: list[tuple[Concrete, Any]] = []
    for found in _walk(data, path.steps, (), budget, children or plain_children):
        out.append(found)
        if len(out) >= MAX_RESULTS:
            return Found(tuple(out), truncated=True)
    return Found(tuple(out), budget.exhausted)


def _walk(
    value: Any, steps: tuple[Step, ...], at: Concrete, budget: _Budget, children: Children
) -> Iterator[tuple[Concrete, Any]]:
    if not budget.spend():
        return
    if not steps:
        yield at, value
        return
    step, rest = steps[0], steps[1:]
    for key, child in children(value, step):
        yield from _walk(child, rest, (*at, key), budget, children)


def prefix(path: DataPath) -> DataPath:
    """The path up to its first wildcard (where a missing value is looked for)."""
    steps = []
    for step in path.steps:
        if step.kind in ("any", "items"):
            break
        steps.append(step)
    return DataPath(path.text, tuple(steps))


def plain_children(value: Any, step: Step) -> Iterator[tuple[str | int, Any]]:
    """The children a step takes in plain data."""
    if step.kind == "key":
        if isinstance(value, dict) and step.key in value:
            yield step.key, value[step.key]
    elif step.kind == "index":
        yield from _item(value, step.index)
    elif isinstance(value, list):
        yield from enumerate(value)
    elif step.kind == "any" and isinstance(value, dict):
        yield from ((str(key), child) for key, child in value.items())


def _item(value: Any, index: int) -> Iterator[tuple[int, Any]]:
    """Item `index` of a list (negative from the end), when there is one."""
    if isinstance(value, list) and -len(value) <= index < len(value):
        yield index % len(value), value[index]


def render(path: Concrete) -> str:
    """`jobs.build.steps[2].uses`: a concrete path as a person reads it."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _SEGMENT.fullmatch(part) and part != "*" and not part.startswith(("'", '"')) else f'"{part}"'
            out += f".{text}" if out else text
    return out
