"""Parsing a whole file, or only the statements around the hits, and visiting what parsed.

Parsing a big file whole to look at three lines is most of the scanner's cost, so the lexer
proposes the statements that hold the hits (by indentation, see
:func:`~.python_lexer.statement_starts`) and only those are parsed: the top-level statement,
or for a big top-level def or class, the body statement holding the hit (wrapped in ``if 1:``) plus the
class header. A proposal is trusted only when its chunk parses; every failure falls back to
a bigger chunk, and in the end to the whole file, whose verdict is the real one.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from udef_audit.parsers.python_lexer import LineIndex, Regions, block_body, statement_starts
from udef_audit.parsers.python_tree import (
    FactVisitor,
    Rejected,
    Scope,
    TreeFacts,
    class_scope,
    function_scope,
    parse_source,
    sole_statement,
)

__all__ = ["MAX_WHOLE_PARSE_CHARS", "tree_facts", "whole_file_facts"]

# Files up to this many characters are parsed whole: splitting them saves too little.
_WHOLE_FILE_CHARS = 4_000
# A top-level def or class bigger than this is split into its body statements.
_SPLIT_STATEMENT_CHARS = 4_000
# Times a chunk that does not parse is merged with its neighbours before the whole file is.
_CHUNK_MERGES = 3
# ast needs about 400 bytes of memory per source byte: a file that must be parsed whole
# and is bigger than this is reported as too large to parse instead.
MAX_WHOLE_PARSE_CHARS = 2_000_000


def whole_file_facts(text: str, lines: LineIndex, *, targets: Sequence[int] | None = None,
                     calls: bool = False, complexity: bool = False) -> TreeFacts | Rejected:
    """The facts of the whole file (only of the statements holding ``targets``, if given)."""
    if len(text) > MAX_WHOLE_PARSE_CHARS:
        return Rejected(f"too large to parse ({len(text)} characters)")
    tree = parse_source(text)
    if isinstance(tree, Rejected):
        return tree
    facts = TreeFacts()
    visitor = FactVisitor(lines, 0, facts, targets=None if targets is None else list(targets),
                          calls=calls, complexity=complexity)
    visitor.block(tree.body, Scope(sole=sole_statement(tree.body)), True)
    return facts


def tree_facts(text: str, lines: LineIndex, regions: Regions, targets: Sequence[int] | None,
               calls: bool) -> TreeFacts | Rejected:
    """What ``ast`` says, from the statements around the target lines where that is possible
    and cheaper, else from the whole file (all of it when ``targets`` is None)."""
    # pip calls are looked for everywhere, and small files are cheaper to parse whole.
    if targets is not None and not calls and len(text) > _WHOLE_FILE_CHARS:
        chunked = _ChunkParser(lines, regions, list(targets)).run()
        if chunked is not None:
            return chunked
    return whole_file_facts(text, lines, targets=None if calls else targets, calls=calls)


class _BlockPlan(NamedTuple):
    """A big top-level def or class split into its body statements."""

    scope: Scope
    starts: list[int]  # first line of each body statement
    stop: int  # line after the statement


class _ChunkParser:
    """Parses only the statements holding the target lines (see the module docstring).

    ``run`` returns None when even a top-level statement does not parse: the caller then
    parses the whole file. A chunk knows nothing of the statements around it, so a raise
    at module or class level found in a chunk is never taken for the whole body of its
    module or class.
    """

    def __init__(self, lines: LineIndex, regions: Regions, targets: list[int]) -> None:
        self.lines = lines
        self.regions = regions
        self.targets = targets
        self.facts = TreeFacts()
        self.parsed: set[tuple[int, int]] = set()
        self.plans: dict[tuple[int, int], _BlockPlan | None] = {}
        self.tops: list[int] = []

    def run(self) -> TreeFacts | None:
        """The facts of the chunks holding the targets, None when one does not parse."""
        self.tops = statement_starts(self.lines, self.regions, "", 0, len(self.lines.starts))
        for target in self.targets:
            if not self._cover_target(target):
                return None
        return self.facts

    def _cover_target(self, target: int) -> bool:
        for _ in range(_CHUNK_MERGES):
            index = bisect_right(self.tops, target) - 1
            if index < 0:
                return False
            first = self.tops[index]
            stop = self.tops[index + 1] if index + 1 < len(self.tops) else len(self.lines.starts)
            if self._cover(target, first, stop, index == 0):
                return True
            # A line at column 0 inside brackets looks like a statement start; then the
            # chunks on either side of it do not parse. Merge the chunk with its neighbours.
            del self.tops[max(index, 1) : index + 2]
        return False

    def _source(self, first: int, stop: int) -> str:
        return self.lines.text[self.lines.starts[first] : self.lines.end_of(stop - 1)]

    def _visitor(self, line_base: int) -> FactVisitor:
        return FactVisitor(self.lines, line_base, self.facts, targets=self.targets)

    def _cover(self, target: int, first: int, stop: int, module_head: bool) -> bool:
        if (first, stop) in self.parsed:
            return True
        size = self.lines.end_of(stop - 1) - self.lines.starts[first]
        plan = self._plan(first, stop) if size > _SPLIT_STATEMENT_CHARS else None
        if plan is not None and self._cover_member(plan, target):
            return True
        return self._parse_top(first, stop, module_head)

    def _parse_top(self, first: int, stop: int, module_head: bool) -> bool:
        tree = parse_source(self._source(first, stop))
        if isinstance(tree, Rejected):
            return False
        self._visitor(first).block(tree.body, Scope(), module_head)
        self.parsed.add((first, stop))
        return True

    def _plan(self, first: int, stop: int) -> _BlockPlan | None:
        if (first, stop) not in self.plans:
            self.plans[first, stop] = self._make_plan(first, stop)
        return self.plans[first, stop]

    def _make_plan(self, first: int, stop: int) -> _BlockPlan | None:
        body = block_body(self.lines, self.regions, first, stop)
        if body is None or not body[1]:
            return None
        body_line, indent = body
        scope = self._header_scope(first, body_line, indent)
        if scope is None:
            return None
        starts = statement_starts(self.lines, self.regions, indent, body_line, stop)
        if not starts or starts[0] != body_line:
            return None
        return _BlockPlan(scope, starts, stop)

    def _header_scope(self, first: int, body_line: int, indent: str) -> Scope | None:
        """The scope opened by the header on lines ``first`` to ``body_line`` (exclusive);
        None unless, given a ``pass`` body, it parses as exactly one def or class. What the
        rest of the body holds is unknown here: ``sole`` stays None."""
        header = parse_source(self._source(first, body_line) + indent + "pass\n")
        if isinstance(header, Rejected) or len(header.body) != 1:
            return None
        node = header.body[0]
        # Anything but our one `pass` means the guessed body line was not the real one.
        block = getattr(node, "body", None)
        if not (isinstance(block, list) and len(block) == 1 and isinstance(block[0], ast.Pass)):
            return None
        if isinstance(node, ast.ClassDef):
            scope = class_scope(node, Scope())
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope = function_scope(node, Scope())
        else:
            return None
        return Scope(scope.qualname, scope.kind, scope.protocol, scope.exempt, None)

    def _cover_member(self, plan: _BlockPlan, target: int) -> bool:
        index = bisect_right(plan.starts, target) - 1
        if index < 0:
            return False  # the target is in the header
        first = plan.starts[index]
        stop = plan.starts[index + 1] if index + 1 < len(plan.starts) else plan.stop
        if (first, stop) in self.parsed:
            return True
        body = self._member_body(first, stop)
        if body is None or (plan.scope.kind == "function" and any(isinstance(node, ast.Raise) for node in body)):
            return False  # a raise in a function's own body: is it the whole body? Only all of it says
        self._visitor(first - 1).block(body, plan.scope, index == 0)
        self.parsed.add((first, stop))
        return True

    def _member_body(self, first: int, stop: int) -> list[ast.stmt] | None:
        """The statements on lines ``first`` to ``stop`` (indented), None when they do not
        parse as one block."""
        tree = parse_source("if 1:\n" + self._source(first, stop))
        if isinstance(tree, Rejected) or len(tree.body) != 1 or not isinstance(tree.body[0], ast.If):
            return None
        return tree.body[0].body
