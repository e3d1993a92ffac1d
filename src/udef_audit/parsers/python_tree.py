"""The one visitor: every fact the scanner takes from a Python syntax tree is computed here.

Whatever the path to the tree (the whole file; only the statements around the hits, see
:mod:`.python_chunks`; or a file in syntax newer than the running interpreter, after libcst
located that syntax and it was blanked out, see :mod:`.python_newsyntax`), it is an ``ast``
tree of the running interpreter, and :class:`FactVisitor` reads it. A new Python fact is
added here and only here: a field of :class:`TreeFacts`, a few lines in the visitor, and the
field of :class:`~.python_facts.PythonFacts` that carries it.

The visitor walks statements; it looks into expressions only when a fact needs them (pip
calls, complexity), because that is most of the work of a walk.
"""

from __future__ import annotations

import ast
import re
import warnings
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import NamedTuple

from udef_audit.parsers.python_calls import ImportedNames, fixture_name, nox_argv, subprocess_argv
from udef_audit.parsers.python_facts import (
    STUB,
    UNSUPPORTED_CASE,
    Fixture,
    FunctionComplexity,
    NotImplementedRaise,
    PipCall,
)
from udef_audit.parsers.python_lexer import LineIndex

__all__ = [
    "MAX_LIBCST_WEIGHT",
    "MAX_PARSE_WEIGHT",
    "TOO_LARGE",
    "FactVisitor",
    "Rejected",
    "Scope",
    "TreeFacts",
    "class_scope",
    "function_scope",
    "parse_source",
    "parse_weight",
    "sole_statement",
]

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# except* (3.11+): a branch like any other except (radon 6 forgets it).
_TRIES: tuple[type[ast.stmt], ...] = tuple(
    kind for kind in (ast.Try, getattr(ast, "TryStar", None)) if isinstance(kind, type)
)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_BLOCKS = ("body", "orelse", "finalbody")

# The keywords without which an expression holds no branch: `and`/`or` (BoolOp), `if`
# (IfExp, a comprehension's condition) and `for` (a comprehension), ending a word. Before
# a keyword comes no word character, or the end of a number that runs into it (`0x1for y`
# is `0x1f or y`, `1jif c else 2` an IfExp: valid, with a warning): a digit, a hex digit
# or `j`. So a keyword ending a name after any other letter or `_` is none. Keywords in
# strings and comments only cost a walk, never a count.
_KEYWORD = re.compile(r"(?:and|or|if|for)\b")
_NOT_BEFORE_KEYWORD = frozenset("ghiklmnopqrstuvwxyzGHIKLMNOPQRSTUVWXYZ_")


# A tree's memory follows its node count, not the file's size: `x = [1,1,...]` costs about
# 470 bytes per character under ast, ordinary code a tenth of that. The punctuation and
# line breaks of a text count its nodes closely enough, and cheaply (str.count, in C). At
# the bounds below a parse peaks near 150 MB (ast) and 160 MB (libcst, in its child); of
# 17,000 files of CPython, sympy, numpy, scipy and others, one generated data file of 4 MB
# is over the first (issue 16, benchmarks/worst_file.py).
_WEIGHT_CHARACTERS = ",()[]{}.:;=+-*/%&|^~<>!@\n"
MAX_PARSE_WEIGHT = 125_000
MAX_LIBCST_WEIGHT = 40_000
TOO_LARGE = "too large to parse"


def parse_weight(text: str) -> int:
    """How many brackets, operators, commas and line breaks `text` holds: a cheap, close
    upper estimate of the size of its syntax tree."""
    return sum(text.count(character) for character in _WEIGHT_CHARACTERS)


class Rejected(NamedTuple):
    """Why a parser rejected the source."""

    message: str


def parse_source(source: str) -> ast.Module | Rejected:
    """``ast.parse`` that never raises: a syntax error, a tree too deep or a null byte is a
    :class:`Rejected` worded as :attr:`PythonFacts.error <.python_facts.PythonFacts.error>`;
    a text whose tree would outgrow the memory bound is not parsed at all."""
    weight = parse_weight(source)
    if weight > MAX_PARSE_WEIGHT:
        return Rejected(f"{TOO_LARGE} ({weight} brackets, operators, commas and lines, over {MAX_PARSE_WEIGHT})")
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences and the like warn while parsing; under -W error a
            # warning would become a SyntaxError for a valid file.
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except SyntaxError as error:
        return Rejected(f"syntax error line {error.lineno or 0}: {error.msg}")
    except (RecursionError, MemoryError) as error:
        return Rejected(f"too complex to parse ({type(error).__name__})")
    except ValueError as error:
        return Rejected(f"syntax error line 0: {error}")


@dataclass
class TreeFacts:
    """What the visitor found in one file (over one or several parsed chunks)."""

    docstrings: list[tuple[int, int]] = field(default_factory=list)  # character offsets
    raises: dict[tuple[int, int], NotImplementedRaise] = field(default_factory=dict)
    functions: list[FunctionComplexity] = field(default_factory=list)
    names: ImportedNames = field(default_factory=ImportedNames)
    # Decided at the end, when every import of the file is known: (node, line, column).
    calls: list[tuple[ast.Call, int, int]] = field(default_factory=list)
    decorated: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, int, int]] = field(default_factory=list)

    def pip_calls(self) -> list[PipCall]:
        """The calls that may run pip, with their literal argv."""
        found: list[PipCall] = []
        for call, line, column in self.calls:
            for via, argv in (("subprocess", subprocess_argv(call, self.names)),
                              ("nox", nox_argv(call, self.names))):
                if argv is not None:
                    found.append(PipCall(line, column, argv, via))
        return found

    def fixtures(self) -> list[Fixture]:
        """The pytest fixtures the file defines."""
        return [Fixture(line, column, name) for node, line, column in self.decorated
                if (name := fixture_name(node, self.names)) is not None]


@dataclass(frozen=True)
class Scope:
    """Where a statement is: ``qualname`` as ``__qualname__`` builds it ("" at module level).

    ``sole`` is the one statement of the block's own body that does anything (a docstring,
    ``pass`` and ``...`` do nothing), None when there are several or it is unknown (a
    chunk of a module or class): a ``raise NotImplementedError`` that is it is a stub.
    """

    qualname: str = ""
    kind: str = "module"  # "module" | "class" | "function"
    protocol: bool = False  # a class with a Protocol base
    exempt: str | None = None  # a function whose NotImplementedError is not a placeholder
    sole: ast.stmt | None = field(default=None, compare=False)

    def child(self, name: str, kind: str, body: list[ast.stmt], *, protocol: bool = False,
              exempt: str | None = None) -> Scope:
        """The scope of a def or class named ``name`` inside this one."""
        if self.kind == "function":
            qualname = f"{self.qualname}.<locals>.{name}"
        else:
            qualname = f"{self.qualname}.{name}" if self.qualname else name
        return Scope(qualname, kind, protocol, exempt, sole_statement(body))


def _is_string(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def _does_nothing(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and (
        node.value.value is Ellipsis or isinstance(node.value.value, str))


def sole_statement(body: list[ast.stmt]) -> ast.stmt | None:
    """The only statement of ``body`` that does something, else None."""
    working = [node for node in body if not _does_nothing(node)]
    return working[0] if len(working) == 1 else None


_EXEMPTING_DECORATORS = {
    "abstractmethod": "abstractmethod",
    "abstractproperty": "abstractmethod",
    "abstractclassmethod": "abstractmethod",
    "abstractstaticmethod": "abstractmethod",
    "overload": "overload",
}
_TYPING_MODULES = frozenset({"abc", "typing", "typing_extensions"})


def _typing_name(node: ast.expr) -> str | None:
    """``name`` for ``name`` or ``abc.name``/``typing.name``/``typing_extensions.name``."""
    if isinstance(node, ast.Name):
        return node.id
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in _TYPING_MODULES):
        return node.attr
    return None


def _decorator_exemption(decorators: list[ast.expr]) -> str | None:
    for decorator in decorators:
        name = _typing_name(decorator.func if isinstance(decorator, ast.Call) else decorator)
        if name in _EXEMPTING_DECORATORS:
            return _EXEMPTING_DECORATORS[name]
    return None


def _has_protocol_base(node: ast.ClassDef) -> bool:
    for base in node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if _typing_name(target) == "Protocol":
            return True
    return False


def function_scope(node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> Scope:
    """The scope a def statement opens inside ``scope``."""
    exempt = _decorator_exemption(node.decorator_list)
    if exempt is None and scope.kind == "class" and scope.protocol:
        exempt = "protocol"
    return scope.child(node.name, "function", node.body, exempt=exempt)


def class_scope(node: ast.ClassDef, scope: Scope) -> Scope:
    """The scope a class statement opens inside ``scope``."""
    return scope.child(node.name, "class", node.body, protocol=_has_protocol_base(node))


def _is_not_implemented(node: ast.Raise) -> bool:
    target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def _statement_branches(node: ast.stmt) -> int:
    """What a statement adds to its function's McCabe count by itself (radon's rules)."""
    if isinstance(node, (ast.If, ast.Assert)):
        return 1
    if isinstance(node, _LOOPS):
        return 1 + bool(node.orelse)
    if isinstance(node, _TRIES):
        return len(getattr(node, "handlers", ())) + bool(getattr(node, "orelse", ()))
    if isinstance(node, ast.Match):
        # `case _:` and a bare capture pattern are the `else` of a match, not a branch.
        default = any(isinstance(case.pattern, ast.MatchAs) and case.pattern.pattern is None
                      for case in node.cases)
        return max(0, len(node.cases) - default)
    return 0


def _expression_branches(node: ast.AST) -> int:
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1
    if isinstance(node, ast.IfExp):
        return 1
    if isinstance(node, ast.comprehension):
        return 1 + len(node.ifs)
    return 0


def _expression_parts(node: ast.stmt) -> Iterator[ast.AST]:
    """The expressions of a statement, not its nested blocks (of a handler its type, of a
    case its guard)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ExceptHandler):
            if child.type is not None:
                yield child.type
        elif isinstance(child, ast.match_case):
            if child.guard is not None:
                yield child.guard
        elif not isinstance(child, ast.stmt):
            yield child


class FactVisitor:
    """Walks the statements of a parsed chunk, recording facts in ``facts``.

    ``line_base`` maps the chunk's lines to the file's: file line index = ``node.lineno - 1 +
    line_base``. With ``targets`` (sorted file line indices) only the statements spanning a
    target are entered: the lexer has already found every line that can hold a fact.
    ``calls`` collects every call (for pip calls); ``complexity`` counts the McCabe
    complexity of each function (both need the whole file: ``targets`` None). Recursion
    follows statement nesting, which Python's tokenizer limits to 100 indentation levels.
    """

    def __init__(self, lines: LineIndex, line_base: int, facts: TreeFacts, *,
                 targets: list[int] | None = None, calls: bool = False,
                 complexity: bool = False) -> None:
        self.lines = lines
        self.line_base = line_base
        self.facts = facts
        self.targets = targets
        self.calls = calls
        self.complexity = complexity
        self.expressions = calls or complexity
        self.counting: list[int] | None = None  # [count] of the innermost function, if any

    def _position(self, node: ast.stmt | ast.expr) -> tuple[int, int]:
        """1-based file line and 1-based character column of a node."""
        line = node.lineno - 1 + self.line_base
        return line + 1, self.lines.char_column(line, node.col_offset) + 1

    def _holds_target(self, node: ast.stmt) -> bool:
        if self.targets is None:
            return True
        decorators = getattr(node, "decorator_list", None)
        start = min(node.lineno, *(item.lineno for item in decorators)) if decorators else node.lineno
        index = bisect_left(self.targets, start - 1 + self.line_base)
        last = (node.end_lineno or node.lineno) - 1 + self.line_base
        return index < len(self.targets) and self.targets[index] <= last

    def block(self, statements: list[ast.stmt], scope: Scope, docstring_slot: bool) -> None:
        """Record the facts of a block; ``docstring_slot``: its first statement may be one."""
        if docstring_slot and statements:
            self._docstring(statements[0])
        for statement in statements:
            if self._holds_target(statement):
                self._statement(statement, scope)

    def _statement(self, node: ast.stmt, scope: Scope) -> None:
        if isinstance(node, _FUNCTIONS):
            self._function(node, scope)
        elif isinstance(node, ast.ClassDef):
            self._class(node, scope)
        else:
            if isinstance(node, ast.Raise):
                self._raise(node, scope)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self.facts.names.add(node)
            if self.counting is not None:
                self.counting[0] += _statement_branches(node)
            if self.expressions:
                self._expressions(node)
            self._nested(node, scope)

    def _nested(self, node: ast.stmt, scope: Scope) -> None:
        for name in _BLOCKS:
            block = getattr(node, name, None)
            if isinstance(block, list):
                self.block(block, scope, False)
        for part in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
            self.block(part.body, scope, False)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        if node.decorator_list:
            self.facts.decorated.append((node, *self._position(node)))
        if self.calls:  # decorators, defaults and annotations may call; they never branch
            for part in (*node.decorator_list, node.args, node.returns):
                if part is not None:
                    self._walk(part, count=False)
        inner = function_scope(node, scope)
        if not self.complexity:
            self.block(node.body, inner, True)
            return
        frame = [1]
        outer, self.counting = self.counting, frame
        self.block(node.body, inner, True)
        line, column = self._position(node)
        self.facts.functions.append(FunctionComplexity(inner.qualname, line, column, frame[0]))
        self.counting = outer

    def _class(self, node: ast.ClassDef, scope: Scope) -> None:
        if self.calls:
            for part in (*node.decorator_list, *node.bases, *node.keywords):
                self._walk(part, count=False)
        outer, self.counting = self.counting, None  # a class body is no branch of a function
        self.block(node.body, class_scope(node, scope), True)
        self.counting = outer

    def _expressions(self, node: ast.stmt) -> None:
        """Calls and branches in the expressions of a statement (not in its nested blocks)."""
        count = not isinstance(node, ast.Assert)  # radon does not look inside an assert
        if self._worth_walking(node, count):
            for part in _expression_parts(node):
                self._walk(part, count)

    def _worth_walking(self, node: ast.AST, count: bool) -> bool:
        """Walking is most of a complexity count's time: calls are looked for everywhere,
        branches only in a function, and only on lines that hold a branch keyword."""
        return self.calls or (count and self.counting is not None and self._may_branch(node))

    @cached_property
    def _keyword_lines(self) -> list[int]:
        """Prefix counts of the lines holding a branch keyword: entry ``i`` counts lines
        before file line ``i``."""
        flags = bytearray(len(self.lines.starts))
        text, line_of = self.lines.text, self.lines.line_of
        for match in _KEYWORD.finditer(text):
            start = match.start()
            if start == 0 or text[start - 1] not in _NOT_BEFORE_KEYWORD:
                flags[line_of(start)] = 1
        return list(accumulate(flags, initial=0))

    def _may_branch(self, node: ast.AST) -> bool:
        """Whether the lines of an expression hold a branch keyword (a node without a
        position, such as `arguments`, may)."""
        lineno: int | None = getattr(node, "lineno", None)
        if lineno is None:
            return True
        end: int = getattr(node, "end_lineno", None) or lineno
        first, last = lineno - 1 + self.line_base, end - 1 + self.line_base
        prefix = self._keyword_lines
        return prefix[min(last + 1, len(prefix) - 1)] > prefix[max(first, 0)]

    def _walk(self, root: ast.AST, count: bool) -> None:
        if not self._worth_walking(root, count):
            return
        counting = self.counting if count else None
        for node in ast.walk(root):
            if counting is not None:
                counting[0] += _expression_branches(node)
            if self.calls and isinstance(node, ast.Call):
                self.facts.calls.append((node, *self._position(node)))

    def _raise(self, node: ast.Raise, scope: Scope) -> None:
        if not _is_not_implemented(node):
            return
        line, column = self._position(node)
        exempt = scope.exempt if scope.kind == "function" else None
        kind = STUB if scope.sole is node else UNSUPPORTED_CASE
        self.facts.raises[(line, column)] = NotImplementedRaise(
            line, column, exempt, scope.qualname or "<module>", kind
        )

    def _docstring(self, node: ast.stmt) -> None:
        if not (isinstance(node, ast.Expr) and _is_string(node)):
            return
        value = node.value
        start = self.lines.offset(value.lineno - 1 + self.line_base, value.col_offset)
        end_line = (value.end_lineno or value.lineno) - 1 + self.line_base
        end = self.lines.offset(end_line, value.end_col_offset or 0)
        self.facts.docstrings.append((start, end))
