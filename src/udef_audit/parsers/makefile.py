"""Makefiles as rules: targets, prerequisites and recipe lines with their places.

Read the way GNU make reads a file, as far as a model of what runs needs: a rule line
`targets: prerequisites` (optionally `; recipe`) starts a rule, lines starting with a tab
are its recipe (continued with a trailing backslash), variable assignments and directives
end it, `define ... endef` blocks are skipped, `include` lines are listed. Nothing is
expanded or evaluated; the work is linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASSIGNMENT = re.compile(r"\s*(?:export\s+|override\s+)?[^\s:#=]+\s*(?::{1,3}=|[?+!]?=)")
_RULE = re.compile(r"([^:=#]+?)\s*(::?)(?!=)(.*)")
_INCLUDE = re.compile(r"(?:-include|sinclude|include)\s+(.+)")
_DIRECTIVES = ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "export", "unexport", "vpath", "override")
_CONDITIONALS = frozenset({"ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"})
_DEFAULT_GOAL = re.compile(r"\.DEFAULT_GOAL\s*:?=\s*(\S+)")


@dataclass(frozen=True)
class RecipeLine:
    """One recipe line as the shell gets it (leading tab removed, continuation lines kept),
    starting at `line`, `column`."""

    line: int
    column: int
    text: str


@dataclass(frozen=True)
class Rule:
    """`targets: prerequisites` and its recipe."""

    targets: tuple[str, ...]
    line: int
    prerequisites: tuple[str, ...]
    recipe: tuple[RecipeLine, ...]


@dataclass(frozen=True)
class Makefile:
    """The rules in file order, the files it includes (line, name), its default goal."""

    rules: tuple[Rule, ...]
    includes: tuple[tuple[int, str], ...]
    default_goal: str | None

    def target(self, name: str) -> tuple[tuple[str, ...], tuple[RecipeLine, ...], int] | None:
        """(prerequisites, recipe, line) of a target: prerequisites of every rule naming it,
        the recipe of the last rule with one (as make does); None when no rule names it."""
        rules = [rule for rule in self.rules if name in rule.targets]
        if not rules:
            return None
        chosen = next((rule for rule in reversed(rules) if rule.recipe), rules[0])
        return _prerequisites(rules), chosen.recipe, chosen.line


def _prerequisites(rules: list[Rule]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for rule in rules:
        found.update(dict.fromkeys(rule.prerequisites))
    return tuple(found)


def parse_makefile(text: str) -> Makefile:
    """The rules, includes and default goal of a Makefile's text."""
    reader = _Reader(text.split("\n"))
    reader.read()
    return Makefile(tuple(reader.rules), tuple(reader.includes), reader.default_goal())


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = [line.removesuffix("\r") for line in lines]
        self.rules: list[Rule] = []
        self.includes: list[tuple[int, str]] = []
        self.goal: str | None = None
        self.current: tuple[tuple[str, ...], int, tuple[str, ...], list[RecipeLine]] | None = None

    def read(self) -> None:
        index = 0
        while index < len(self.lines):
            index = self._line(index)
        self._close()

    def default_goal(self) -> str | None:
        if self.goal is not None:
            return self.goal
        for rule in self.rules:
            for target in rule.targets:
                if not target.startswith(".") and "%" not in target:
                    return target
        return None

    def _line(self, index: int) -> int:
        line = self.lines[index]
        if line.startswith("\t") and self.current is not None:
            return self._recipe(index)
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return index + 1
        end = self._logical_end(index)
        logical = " ".join(part.rstrip("\\").strip() for part in self.lines[index : end + 1])
        if stripped.startswith("define ") or stripped == "define":
            return self._skip_define(index)
        if logical.strip():  # a lone backslash joins nothing
            self._statement(index, logical)
        return end + 1

    def _statement(self, index: int, logical: str) -> None:
        goal = _DEFAULT_GOAL.match(logical)
        if goal is not None:
            self.goal = goal.group(1)
        include = _INCLUDE.fullmatch(logical)
        if include is not None:
            self._close()
            self.includes.extend((index + 1, name) for name in include.group(1).split())
            return
        first = logical.split(maxsplit=1)[0]
        rule = None if _ASSIGNMENT.match(logical) or first in _DIRECTIVES else _RULE.fullmatch(logical)
        if rule is None:
            if first not in _CONDITIONALS:
                self._close()  # an assignment or another directive ends the recipe
            return
        self._close()
        prerequisites, _, inline = rule.group(3).partition(";")
        recipe: list[RecipeLine] = []
        if inline.strip():
            column = self.lines[index].find(inline.strip()) + 1
            recipe.append(RecipeLine(index + 1, max(column, 1), inline.strip()))
        self.current = (tuple(rule.group(1).split()), index + 1, tuple(prerequisites.split("|")[0].split()), recipe)

    def _recipe(self, index: int) -> int:
        end = self._logical_end(index)
        text = "\n".join(self.lines[index : end + 1])[1:]
        if self.current is not None:
            self.current[3].append(RecipeLine(index + 1, 2, text))
        return end + 1

    def _logical_end(self, index: int) -> int:
        """The last line of the logical line starting at `index` (backslash continuations)."""
        end = index
        while end + 1 < len(self.lines) and _continues(self.lines[end]):
            end += 1
        return end

    def _skip_define(self, index: int) -> int:
        for end in range(index + 1, len(self.lines)):
            if self.lines[end].strip() == "endef":
                return end + 1
        return len(self.lines)

    def _close(self) -> None:
        if self.current is not None:
            targets, line, prerequisites, recipe = self.current
            self.rules.append(Rule(targets, line, prerequisites, tuple(recipe)))
            self.current = None


def _continues(line: str) -> bool:
    """Whether a line ends with an odd run of backslashes (a continuation)."""
    stripped = line.rstrip("\r")
    count = len(stripped) - len(stripped.rstrip("\\"))
    return count % 2 == 1
