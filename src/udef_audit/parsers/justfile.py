"""justfiles as recipes: name, dependencies, body lines with their places.

A recipe starts at column 0 with `name params: dependencies` (an `@` before the name
silences it, `[attribute]` lines before it are skipped); its body is the indented lines
that follow. Settings, assignments, aliases, imports and modules are not recipes. A body
starting with `#!` is one script; otherwise each line is a command (`@`/`-` prefixes
removed). Nothing is evaluated: `{{ variables }}` stay as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RECIPE = re.compile(r"@?([A-Za-z_][\w-]*)([^:]*?):(?!=)(.*)")
_NOT_RECIPES = re.compile(r"(?:set|alias|export|import|mod)\b|[A-Za-z_][\w-]*\s*:=")
_DEPENDENCY = re.compile(r"\(?\s*([A-Za-z_][\w-]*)")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


@dataclass(frozen=True)
class BodyLine:
    """A body line as run: `text` starts at `line`, `column`."""

    line: int
    column: int
    text: str


@dataclass(frozen=True)
class Recipe:
    """A recipe: its dependencies (run first) and body."""

    name: str
    line: int
    dependencies: tuple[str, ...]
    body: tuple[BodyLine, ...]
    shebang: bool


@dataclass(frozen=True)
class Justfile:
    """The recipes in file order; `default` is the first one (what `just` runs)."""

    recipes: tuple[Recipe, ...]

    @property
    def default(self) -> str | None:
        """The recipe `just` runs without arguments."""
        return self.recipes[0].name if self.recipes else None

    def recipe(self, name: str) -> Recipe | None:
        """The recipe called `name`, if any."""
        return next((recipe for recipe in self.recipes if recipe.name == name), None)


def parse_justfile(text: str) -> Justfile:
    """The recipes of a justfile's text."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    recipes: list[Recipe] = []
    index = 0
    while index < len(lines):
        header = _header(lines[index])
        index += 1
        if header is None:
            continue
        header_line = index
        body: list[BodyLine] = []
        while index < len(lines) and (not lines[index].strip() or lines[index][0] in " \t"):
            if lines[index].strip():
                body.append(_body_line(index + 1, lines[index]))
            index += 1
        shebang = bool(body) and body[0].text.startswith("#!")
        recipes.append(Recipe(header.group(1), header_line, _dependencies(header), tuple(body), shebang))
    return Justfile(tuple(recipes))


def _header(line: str) -> re.Match[str] | None:
    """A recipe's first line (not a comment, attribute, setting or assignment)."""
    if not line or line[0] in " \t#[" or _NOT_RECIPES.match(line):
        return None
    return _RECIPE.fullmatch(line)


def _dependencies(header: re.Match[str]) -> tuple[str, ...]:
    written = _QUOTED.sub("", header.group(3).split("#")[0])  # arguments of `(dep "x")`
    return tuple(match.group(1) for match in _DEPENDENCY.finditer(written))


def _body_line(number: int, line: str) -> BodyLine:
    stripped = line.lstrip(" \t")
    column = len(line) - len(stripped) + 1
    while stripped[:1] in ("@", "-") and stripped:
        stripped = stripped[1:]
        column += 1
    return BodyLine(number, column, stripped)
