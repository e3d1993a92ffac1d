"""Facts about Python source files: placeholder markers, ``raise NotImplementedError``, pip calls.

Serves UDEF006 no-placeholders (marker words in comments and docstrings, and
``raise NotImplementedError`` outside abstract methods, overloads and Protocol methods)
and UDEF005 (the literal argv of ``subprocess`` calls and nox ``session.install``/``run``).

The input comes from untrusted repositories: nothing is imported or executed, nothing
raises, and the work is bounded. It is also on the hot path of every audit, so the work is
staged from cheap to expensive and each stage runs only when the previous one cannot decide:

1. decode (PEP 263 cookies honoured) and look for the marker words, ``NotImplementedError``
   and ``no-d``/``NO_DEP`` as plain substrings; most files stop here (``parser="prefilter"``);
2. a regex lexer (:mod:`.python_lexer`) says whether each hit is in a comment, a string or
   code; comment hits need nothing more (``parser="tokens"``);
3. ``ast.parse`` decides docstrings and exemptions, on the one top-level statement (or the
   one class member) around each hit when the file is big, on the whole file otherwise;
4. when ``ast`` rejects the file (syntax newer than the running interpreter, or a real
   error), libcst parses it in a child process, where a crash, a timeout or a memory
   blow-up costs only that file (``parser="libcst"``); when libcst rejects it too, the file
   gets ``error`` and its comment markers from the lexer (``parser="tokens"``).

Positions are 1-based lines and 1-based columns counted in characters.
"""

from __future__ import annotations

import ast
import codecs
import json
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from udef_audit.parsers.python_lexer import (
    COMMENT,
    DOCSTRING,
    STRING,
    LineIndex,
    Regions,
    block_body,
    lex_regions,
    quote_length,
    statement_starts,
    tokenize_regions,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_WORDS",
    "Marker",
    "NotImplementedRaise",
    "PipCall",
    "PythonFacts",
    "check_syntax",
    "parse_module",
    "scan_many",
    "scan_python",
]

DEFAULT_WORDS: tuple[str, ...] = ("TODO", "FIXME", "XXX")
DEFAULT_MAX_BYTES = 5_000_000

# Files up to this many characters are parsed whole: splitting them saves too little.
_WHOLE_FILE_CHARS = 4_000
# A top-level def/class bigger than this is split into its body statements.
_SPLIT_STATEMENT_CHARS = 4_000
# Times a chunk that does not parse is merged with its neighbours before the whole file is.
_CHUNK_MERGES = 3
# libcst needs about 600 bytes of memory per source byte and can crash on deep
# expressions, so it runs in a child process and never on files bigger than this.
_LIBCST_MAX_BYTES = 500_000
_LIBCST_SECONDS_PER_FILE = 20.0
_LIBCST_WORKER = Path(__file__).with_name("_libcst_worker.py")
# All libcst children of one scan together: past this, files are left unchecked.
_LIBCST_TOTAL_SECONDS = 120.0
# ast needs about 400 bytes of memory per source byte: a file that must be parsed whole
# and is bigger than this is reported as too large to parse instead.
_MAX_WHOLE_PARSE_CHARS = 2_000_000
# A tree's memory follows its node count, not the file's size: `x = [1,1,...]` costs about
# 470 bytes per character under ast, ordinary code a tenth of that. The punctuation and
# line breaks of a text count its nodes closely enough, and cheaply (str.count, in C). At
# the bounds below a parse peaks near 150 MB (ast) and 160 MB (libcst, in its child);
# of 17,000 files of CPython, sympy, numpy, scipy and others, one generated data file of
# 4 MB is over the first. See benchmarks/worst_file.py.
_WEIGHT_CHARACTERS = ",()[]{}.:;=+-*/%&|^~<>!@\n"
_MAX_PARSE_WEIGHT = 125_000
_MAX_LIBCST_WEIGHT = 40_000
_TOO_LARGE = "too large to parse"
# Parallel scanning pays for its process start-up only above this much work.
_PARALLEL_MIN_CHARS = 1_000_000
_BATCH_CHARS = 200_000


# --- facts ----------------------------------------------------------------------------------


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _optional_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _records(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError(f"expected a list of objects, got {value!r}")
    return value


@dataclass(frozen=True)
class Marker:
    """A placeholder word in a comment or a docstring.

    ``column`` is that of the word itself; ``text`` is the stripped comment, or the
    stripped docstring line holding the word (a stable fingerprint key).
    """

    line: int
    column: int
    word: str
    kind: str  # "comment" | "docstring"
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"line": self.line, "column": self.column, "word": self.word,
                "kind": self.kind, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Marker:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        return cls(_int(data["line"]), _int(data["column"]), _str(data["word"]),
                   _str(data["kind"]), _str(data["text"]))


@dataclass(frozen=True)
class NotImplementedRaise:
    """A ``raise NotImplementedError`` statement; ``column`` is that of ``raise``.

    ``exempt_reason`` is "abstractmethod", "overload" or "protocol" when the innermost
    enclosing function is decorated so, or is a method of a Protocol class. ``scope`` is the
    ``__qualname__`` of the enclosing function or class, or "<module>".
    """

    line: int
    column: int
    exempt_reason: str | None
    scope: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"line": self.line, "column": self.column,
                "exempt_reason": self.exempt_reason, "scope": self.scope}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NotImplementedRaise:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        return cls(_int(data["line"]), _int(data["column"]),
                   _optional_str(data["exempt_reason"]), _str(data["scope"]))


@dataclass(frozen=True)
class PipCall:
    """The literal argv of a call that may run pip; position is that of the call.

    ``via`` "subprocess": ``subprocess.run/call/check_call/check_output/Popen`` with a
    list or tuple of string constants (``sys.executable`` becomes "<python>"). ``via`` "nox":
    ``session.install(...)`` as ``("pip", "install", ...)``, ``session.run(...)`` as given.
    """

    line: int
    column: int
    argv: tuple[str, ...]
    via: str  # "subprocess" | "nox"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {"line": self.line, "column": self.column, "argv": list(self.argv),
                "via": self.via}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipCall:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        argv = data["argv"]
        if not isinstance(argv, list):
            raise TypeError(f"expected a list, got {argv!r}")
        return cls(_int(data["line"]), _int(data["column"]),
                   tuple(_str(item) for item in argv), _str(data["via"]))


@dataclass(frozen=True)
class PythonFacts:
    """Everything UDEF005/UDEF006 need from one Python file.

    ``error`` says why the file is unreadable or unparseable ("binary file", "not UTF-8
    (byte N)", "too large (N bytes)", "syntax error line N: ..."); syntax is only checked
    in files that needed parsing (see the module docstring), so ``parser == "prefilter"``
    means "not checked", not "valid". ``parser`` is "prefilter", "tokens", "ast" or "libcst".
    ``pip_calls`` are collected only in files that mention ``no-d`` or ``NO_DEP``.
    """

    markers: tuple[Marker, ...] = ()
    raises: tuple[NotImplementedRaise, ...] = ()
    pip_calls: tuple[PipCall, ...] = ()
    error: str | None = None
    parser: str = "prefilter"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "markers": [marker.to_dict() for marker in self.markers],
            "raises": [found.to_dict() for found in self.raises],
            "pip_calls": [call.to_dict() for call in self.pip_calls],
            "error": self.error,
            "parser": self.parser,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PythonFacts:
        """Inverse of :meth:`to_dict`; raises KeyError/TypeError on malformed data."""
        return cls(
            markers=tuple(Marker.from_dict(item) for item in _records(data["markers"])),
            raises=tuple(NotImplementedRaise.from_dict(item) for item in _records(data["raises"])),
            pip_calls=tuple(PipCall.from_dict(item) for item in _records(data["pip_calls"])),
            error=_optional_str(data["error"]),
            parser=_str(data["parser"]),
        )


# --- reading --------------------------------------------------------------------------------

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:#|$)")
_FIRST_LINES = re.compile(rb"\r\n|\r|\n")
_ASCII_SAMPLE = bytes(range(32, 127)) + b"\t\n\r\f"


def _declared_encoding(data: bytes) -> str | None:
    """The PEP 263 coding cookie of the first or second line, as Python finds it."""
    head = data[3:4096] if data.startswith(codecs.BOM_UTF8) else data[:4096]
    lines = _FIRST_LINES.split(head, maxsplit=2)
    match = _COOKIE.match(lines[0])
    if match is None and len(lines) > 1 and _BLANK_OR_COMMENT.match(lines[0]):
        match = _COOKIE.match(lines[1])
    return match.group(1).decode("ascii") if match else None


@lru_cache(maxsize=64)
def _ascii_compatible(codec: str) -> bool:
    # Source must read as ASCII where it is ASCII; this also keeps out the codecs
    # that are slow or not encodings at all (punycode, unicode_escape, rot13...).
    try:
        return _ASCII_SAMPLE.decode(codec) == _ASCII_SAMPLE.decode("ascii")
    except (UnicodeError, LookupError, TypeError, ValueError):
        return False


def _codec_problem(data: bytes, declared: str) -> str | None:
    """Why the declared encoding cannot be used, or None."""
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        return f"unknown encoding ({declared})"
    if data.startswith(codecs.BOM_UTF8) and codec != "utf-8":
        return f"encoding mismatch (UTF-8 byte-order mark, declared {declared})"
    if not _ascii_compatible(codec):
        return f"unsupported encoding ({declared})"
    return None


def _decode_declared(data: bytes, declared: str) -> tuple[str | None, str | None]:
    problem = _codec_problem(data, declared)
    if problem is not None:
        return None, problem
    if codecs.lookup(declared).name == "utf-8":
        return _decode_utf8(data)
    try:
        return data.decode(declared), None
    except UnicodeDecodeError as error:
        return None, f"not valid in its declared encoding ({declared}, byte {error.start})"
    except (LookupError, TypeError, ValueError):
        return None, f"unsupported encoding ({declared})"


def _decode_utf8(data: bytes) -> tuple[str | None, str | None]:
    skip = 3 if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 (byte {error.start + skip})"


def _read(data: bytes, max_bytes: int) -> tuple[str | None, str | None]:
    """(text with ``\\n`` line breaks, None) or (None, reason the file cannot be read)."""
    if len(data) > max_bytes:
        return None, f"too large ({len(data)} bytes)"
    if b"\0" in data:
        return None, "binary file"
    declared = _declared_encoding(data)
    text, error = _decode_utf8(data) if declared is None else _decode_declared(data, declared)
    if text is not None and "\r" in text:
        # Python reads \r\n and a lone \r as line breaks; so do the lexer and the line index.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, error


# --- hits -----------------------------------------------------------------------------------

_RAISE = re.compile(r"raise[\s\\(]*(?:#[^\n]*\n[\s\\(]*)*NotImplementedError(?!\w)")
_WORD_RUN = re.compile(r"\w*")
# Facts of one kind kept per file: a file with more is generated or hostile, and all of its
# facts would only bloat the report and the cache.
_MAX_HITS = 10_000
# Longest Marker.text; a longer comment or docstring line is cut around the word.
_MAX_TEXT_CHARS = 400


def _word_char(character: str) -> bool:
    # The same test as the regex class \w on str patterns.
    return character.isalnum() or character == "_"


def _whole_word_at(text: str, start: int, end: int) -> bool:
    before = start == 0 or not _word_char(text[start - 1])
    return before and (end == len(text) or not _word_char(text[end]))


def _run_end(text: str, start: int) -> int:
    """Offset after the run of word characters starting at ``start`` (at least start + 1)."""
    match = _WORD_RUN.match(text, start)
    return max(start + 1, match.end() if match else start)


def _marker_hits(text: str, words: tuple[str, ...]) -> list[tuple[int, str]]:
    """(offset, word) of every whole-word occurrence of the words, in text order (at most
    ``_MAX_HITS``).

    ``str.find`` per word is several times faster than one alternation regex here (the
    words start with common capitals, which defeats the regex engine's fast scan). After a
    candidate, the search resumes past the run of word characters it started: no later
    start inside that run can be a whole word, and ``XXXXXXXX...`` stays linear.
    """
    found: dict[int, str] = {}
    for word in words:
        skips_runs = _word_char(word[0])
        start = text.find(word)
        while start >= 0 and len(found) < _MAX_HITS:
            end = start + len(word)
            if _whole_word_at(text, start, end) and len(found.get(start, "")) < len(word):
                found[start] = word  # the longest word wins where two start together
            start = text.find(word, _run_end(text, start) if skips_runs else start + 1)
    return sorted(found.items())[:_MAX_HITS]


def _raise_hits(text: str) -> list[int]:
    """Offsets of text that may be a ``raise NotImplementedError`` statement (a superset)."""
    if "NotImplementedError" not in text:
        return []
    hits = (match.start() for match in _RAISE.finditer(text))
    found = [start for start in hits if not (start and _word_char(text[start - 1]))]
    return found[:_MAX_HITS]


def _wants_pip(text: str) -> bool:
    return "no-d" in text or "NO_DEP" in text


def _clean_words(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(word for word in dict.fromkeys(words) if isinstance(word, str) and word)


def _has_candidates(text: str, words: tuple[str, ...]) -> bool:
    """The cheap substring prefilter: can this file have any fact at all?"""
    return (
        any(word in text for word in words)
        or "NotImplementedError" in text
        or _wants_pip(text)
    )


# --- ast analysis -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rejected:
    """Why a parser rejected the source."""

    message: str


def _parse(source: str) -> ast.Module | _Rejected:
    weight = parse_weight(source)
    if weight > _MAX_PARSE_WEIGHT:  # the tree would outgrow the memory bound (issue 16)
        return _Rejected(f"{_TOO_LARGE} ({weight} brackets, operators, commas and lines, over {_MAX_PARSE_WEIGHT})")
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences and the like warn while parsing; under -W error a
            # warning would become a SyntaxError for a valid file.
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except SyntaxError as error:
        return _Rejected(f"syntax error line {error.lineno or 0}: {error.msg}")
    except (RecursionError, MemoryError) as error:
        return _Rejected(f"too complex to parse ({type(error).__name__})")
    except ValueError as error:
        return _Rejected(f"syntax error line 0: {error}")


@dataclass
class _TreeFacts:
    docstrings: list[tuple[int, int]] = field(default_factory=list)
    raises: dict[tuple[int, int], NotImplementedRaise] = field(default_factory=dict)
    pip_calls: list[PipCall] = field(default_factory=list)


@dataclass(frozen=True)
class _Scope:
    """Where a statement is: ``qualname`` as ``__qualname__`` builds it ("" at module level)."""

    qualname: str = ""
    kind: str = "module"  # "module" | "class" | "function"
    protocol: bool = False  # a class with a Protocol base
    exempt: str | None = None  # a function whose NotImplementedError is not a placeholder

    def child(self, name: str, kind: str, *, protocol: bool = False,
              exempt: str | None = None) -> _Scope:
        if self.kind == "function":
            qualname = f"{self.qualname}.<locals>.{name}"
        else:
            qualname = f"{self.qualname}.{name}" if self.qualname else name
        return _Scope(qualname, kind, protocol, exempt)


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


def _function_scope(node: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope) -> _Scope:
    exempt = _decorator_exemption(node.decorator_list)
    if exempt is None and scope.kind == "class" and scope.protocol:
        exempt = "protocol"
    return scope.child(node.name, "function", exempt=exempt)


def _block_scope(node: ast.stmt, scope: _Scope) -> _Scope | None:
    """The scope a def/class statement opens, None for other statements."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _function_scope(node, scope)
    if isinstance(node, ast.ClassDef):
        return scope.child(node.name, "class", protocol=_has_protocol_base(node))
    return None


def _is_not_implemented(node: ast.Raise) -> bool:
    target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


class _Walker:
    """Walks statements (never expressions: a raise is a statement) recording facts.

    ``line_base`` maps the parsed chunk's lines to the file's: file line index =
    ``node.lineno - 1 + line_base``. With ``targets`` (sorted file line indices) only the
    statements spanning a target are entered: the lexer has already found every line that
    can hold a fact. Recursion follows statement nesting, which Python's tokenizer limits
    to 100 indentation levels.
    """

    def __init__(self, lines: LineIndex, line_base: int, facts: _TreeFacts,
                 targets: Sequence[int] | None = None) -> None:
        self.lines = lines
        self.line_base = line_base
        self.facts = facts
        self.targets = targets

    def _holds_target(self, node: ast.stmt) -> bool:
        if self.targets is None:
            return True
        first = node.lineno - 1 + self.line_base
        index = bisect_left(self.targets, first)
        last = (node.end_lineno or node.lineno) - 1 + self.line_base
        return index < len(self.targets) and self.targets[index] <= last

    def body(self, statements: list[ast.stmt], scope: _Scope, docstring_slot: bool) -> None:
        """Record the facts of a block; ``docstring_slot``: its first statement may be one."""
        if docstring_slot and statements:
            self._docstring(statements[0])
        for statement in statements:
            if not self._holds_target(statement):
                continue
            inner = _block_scope(statement, scope)
            if inner is not None:
                self.body(getattr(statement, "body", []), inner, True)
            elif isinstance(statement, ast.Raise):
                self._raise(statement, scope)
            else:
                self._nested(statement, scope)

    def _nested(self, node: ast.stmt, scope: _Scope) -> None:
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                self.body(block, scope, False)
        for part in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
            self.body(part.body, scope, False)

    def _raise(self, node: ast.Raise, scope: _Scope) -> None:
        if not _is_not_implemented(node):
            return
        line = node.lineno - 1 + self.line_base
        column = self.lines.char_column(line, node.col_offset) + 1
        exempt = scope.exempt if scope.kind == "function" else None
        self.facts.raises[(line + 1, column)] = NotImplementedRaise(
            line + 1, column, exempt, scope.qualname or "<module>"
        )

    def _docstring(self, node: ast.stmt) -> None:
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            return
        value = node.value
        start = self.lines.offset(value.lineno - 1 + self.line_base, value.col_offset)
        end_line = (value.end_lineno or value.lineno) - 1 + self.line_base
        end = self.lines.offset(end_line, value.end_col_offset or 0)
        self.facts.docstrings.append((start, end))


# --- pip calls --------------------------------------------------------------------------------

_SUBPROCESS_FUNCTIONS = frozenset({"run", "call", "check_call", "check_output", "Popen"})
_NOX_RUN_METHODS = frozenset({"run", "run_always", "run_install"})


@dataclass
class _ImportedNames:
    """Local names bound to subprocess, its functions, sys and sys.executable."""

    subprocess: set[str] = field(default_factory=lambda: {"subprocess"})
    functions: set[str] = field(default_factory=set)
    sys: set[str] = field(default_factory=lambda: {"sys"})
    executable: set[str] = field(default_factory=set)

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        """Record the names an import statement binds."""
        if isinstance(node, ast.Import):
            self._add_import(node)
        else:
            self._add_import_from(node)

    def _add_import(self, node: ast.Import) -> None:
        """``import subprocess`` and ``import sys``, with or without ``as``."""
        for alias in node.names:
            if alias.name in ("subprocess", "sys"):
                getattr(self, alias.name).add(alias.asname or alias.name)

    def _add_import_from(self, node: ast.ImportFrom) -> None:
        """``from subprocess import run...`` and ``from sys import executable``."""
        for alias in node.names:
            if node.module == "subprocess" and alias.name in _SUBPROCESS_FUNCTIONS:
                self.functions.add(alias.asname or alias.name)
            elif node.module == "sys" and alias.name == "executable":
                self.executable.add(alias.asname or alias.name)


def _argv_item(node: ast.expr, names: _ImportedNames) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in names.executable:
        return "<python>"
    if (isinstance(node, ast.Attribute) and node.attr == "executable"
            and isinstance(node.value, ast.Name) and node.value.id in names.sys):
        return "<python>"
    return None


def _literal_argv(items: Sequence[ast.expr], names: _ImportedNames) -> tuple[str, ...] | None:
    argv = [_argv_item(item, names) for item in items]
    if any(item is None for item in argv):
        return None
    return tuple(item for item in argv if item is not None)


def _is_subprocess_call(func: ast.expr, names: _ImportedNames) -> bool:
    if isinstance(func, ast.Name):
        return func.id in names.functions
    return (isinstance(func, ast.Attribute) and func.attr in _SUBPROCESS_FUNCTIONS
            and isinstance(func.value, ast.Name) and func.value.id in names.subprocess)


def _subprocess_argv(node: ast.Call, names: _ImportedNames) -> tuple[str, ...] | None:
    if not _is_subprocess_call(node.func, names):
        return None
    argument = node.args[0] if node.args else None
    for keyword in node.keywords:
        if keyword.arg == "args":
            argument = keyword.value
    if not isinstance(argument, (ast.List, ast.Tuple)):
        return None
    return _literal_argv(argument.elts, names)


def _nox_argv(node: ast.Call, names: _ImportedNames) -> tuple[str, ...] | None:
    func = node.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id == "session"):
        return None
    if func.attr != "install" and func.attr not in _NOX_RUN_METHODS:
        return None
    argv = _literal_argv(node.args, names)
    if argv is None:
        return None
    return ("pip", "install", *argv) if func.attr == "install" else argv


def _pip_calls(tree: ast.Module, lines: LineIndex) -> list[PipCall]:
    names = _ImportedNames()
    calls: list[ast.Call] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.add(node)
        elif isinstance(node, ast.Call):
            calls.append(node)
    found: list[PipCall] = []
    for call in calls:
        for via, argv in (("subprocess", _subprocess_argv(call, names)),
                          ("nox", _nox_argv(call, names))):
            if argv is not None:
                line = call.lineno - 1
                column = lines.char_column(line, call.col_offset) + 1
                found.append(PipCall(call.lineno, column, argv, via))
    return found


# --- parsing the whole file or only the statements around the hits ---------------------------


def _whole_file_facts(text: str, lines: LineIndex, want_pip: bool,
                      targets: Sequence[int] | None) -> _TreeFacts | _Rejected:
    if len(text) > _MAX_WHOLE_PARSE_CHARS:
        return _Rejected(f"too large to parse ({len(text)} characters)")
    tree = _parse(text)
    if isinstance(tree, _Rejected):
        return tree
    facts = _TreeFacts()
    _Walker(lines, 0, facts, targets).body(tree.body, _Scope(), True)
    if want_pip:
        facts.pip_calls = _pip_calls(tree, lines)
    return facts


@dataclass
class _BlockPlan:
    """A big top-level def/class split into its body statements."""

    scope: _Scope
    starts: list[int]  # first line of each body statement
    stop: int  # line after the statement


class _ChunkParser:
    """Parses only the statements holding the target lines: the top-level statement, or for a
    big top-level def/class, the body statement (wrapped in ``if 1:``) plus the header.

    The statement boundaries are guesses (see :func:`statement_starts`); a guess is trusted
    only when its chunk parses, and every failure falls back to a bigger chunk. ``run``
    returns None when even a top-level statement does not parse: the caller then parses the
    whole file, whose verdict is the real one.
    """

    def __init__(self, lines: LineIndex, regions: Regions, targets: Sequence[int]) -> None:
        self.lines = lines
        self.regions = regions
        self.targets = targets
        self.facts = _TreeFacts()
        self.parsed: set[tuple[int, int]] = set()
        self.plans: dict[tuple[int, int], _BlockPlan | None] = {}
        self.tops: list[int] = []

    def run(self) -> _TreeFacts | None:
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

    def _cover(self, target: int, first: int, stop: int, module_head: bool) -> bool:
        if (first, stop) in self.parsed:
            return True
        size = self.lines.end_of(stop - 1) - self.lines.starts[first]
        plan = self._plan(first, stop) if size > _SPLIT_STATEMENT_CHARS else None
        if plan is not None and self._cover_member(plan, target):
            return True
        return self._parse_top(first, stop, module_head)

    def _parse_top(self, first: int, stop: int, module_head: bool) -> bool:
        tree = _parse(self._source(first, stop))
        if isinstance(tree, _Rejected):
            return False
        _Walker(self.lines, first, self.facts, self.targets).body(tree.body, _Scope(), module_head)
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

    def _header_scope(self, first: int, body_line: int, indent: str) -> _Scope | None:
        """The scope opened by the header on lines ``first`` to ``body_line`` (exclusive);
        None unless, given a ``pass`` body, it parses as exactly one def or class."""
        header = _parse(self._source(first, body_line) + indent + "pass\n")
        if isinstance(header, _Rejected) or len(header.body) != 1:
            return None
        node = header.body[0]
        scope = _block_scope(node, _Scope())
        block = getattr(node, "body", None)
        # Anything but our one `pass` means the guessed body line was not the real one.
        if not (isinstance(block, list) and len(block) == 1 and isinstance(block[0], ast.Pass)):
            return None
        return scope

    def _cover_member(self, plan: _BlockPlan, target: int) -> bool:
        index = bisect_right(plan.starts, target) - 1
        if index < 0:
            return False  # the target is in the header
        first = plan.starts[index]
        stop = plan.starts[index + 1] if index + 1 < len(plan.starts) else plan.stop
        if (first, stop) in self.parsed:
            return True
        tree = _parse("if 1:\n" + self._source(first, stop))
        if isinstance(tree, _Rejected) or len(tree.body) != 1 or not isinstance(tree.body[0], ast.If):
            return False
        walker = _Walker(self.lines, first - 1, self.facts, self.targets)
        walker.body(tree.body[0].body, plan.scope, index == 0)
        self.parsed.add((first, stop))
        return True


# --- markers ----------------------------------------------------------------------------------


def _mark_docstrings(regions: Regions, docstrings: Sequence[tuple[int, int]]) -> None:
    for start, end in docstrings:
        index = bisect_left(regions.starts, start)
        while index < len(regions.starts) and regions.starts[index] < end:
            if regions.kinds[index] == STRING:
                regions.kinds[index] = DOCSTRING
            index += 1


def _excerpt(text: str, begin: int, end: int, offset: int) -> str:
    """``text[begin:end]`` stripped, or for a very long line the part around ``offset``
    (a hostile one-line file must not copy megabytes per marker)."""
    if end - begin > _MAX_TEXT_CHARS:
        half = _MAX_TEXT_CHARS // 2
        begin, end = max(begin, offset - half), min(end, offset + half)
    return text[begin:end].strip()


def _docstring_line(text: str, lines: LineIndex, start: int, end: int, offset: int) -> str:
    """The docstring's part of the line holding ``offset``, quotes excluded, stripped."""
    line = lines.line_of(offset)
    width = quote_length(text, start)
    line_end = lines.end_of(line)
    if line_end > start and text[line_end - 1] == "\n":
        line_end -= 1
    return _excerpt(text, max(lines.starts[line], start + width), min(line_end, end - width), offset)


def _markers(text: str, lines: LineIndex, regions: Regions,
             hits: Sequence[tuple[int, str]]) -> tuple[Marker, ...]:
    """Markers for the hits inside comments and docstrings."""
    found: list[Marker] = []
    for offset, word in hits:
        index = regions.index_at(offset)
        if index < 0 or regions.kinds[index] == STRING:
            continue
        start, end = regions.starts[index], regions.ends[index]
        line = lines.line_of(offset)
        column = offset - lines.starts[line] + 1
        if regions.kinds[index] == COMMENT:
            found.append(Marker(line + 1, column, word, "comment",
                                _excerpt(text, start, end, offset)))
        else:
            found.append(Marker(line + 1, column, word, "docstring",
                                _docstring_line(text, lines, start, end, offset)))
    return tuple(found)


# --- libcst fallback ------------------------------------------------------------------------


def _libcst_child(texts: Sequence[str]) -> list[dict[str, Any]]:
    """Answers of one libcst child for ``texts``, in order; fewer when it died on one."""
    payload = "".join(json.dumps(text) + "\n" for text in texts).encode("ascii")
    timeout = 10.0 + _LIBCST_SECONDS_PER_FILE * len(texts)
    command = [sys.executable, "-I", str(_LIBCST_WORKER), str(_LIBCST_SECONDS_PER_FILE)]
    try:
        output = subprocess.run(command, input=payload, capture_output=True, timeout=timeout,
                                check=False).stdout
    except subprocess.TimeoutExpired as error:
        output = error.stdout if isinstance(error.stdout, bytes) else b""
    except (OSError, ValueError, subprocess.SubprocessError):
        output = b""
    answers: list[dict[str, Any]] = []
    for line in output.split(b"\n")[: len(texts)]:
        try:
            answer = json.loads(line)
        except ValueError:
            break
        if not isinstance(answer, dict):
            break
        answers.append(answer)
    return answers


def _run_libcst(texts: Sequence[str]) -> list[dict[str, Any] | None]:
    """libcst's analysis of each text (see ``_libcst_worker``); None where it crashed or timed
    out. A child that dies is replaced, and resumes after the file that killed it."""
    results: list[dict[str, Any] | None] = []
    remaining = list(texts)
    deadline = time.monotonic() + _LIBCST_TOTAL_SECONDS
    while remaining and time.monotonic() < deadline:
        answers = _libcst_child(remaining)
        results.extend(answers)
        if len(answers) < len(remaining):
            results.append(None)
            remaining = remaining[len(answers) + 1 :]
        else:
            remaining = []
    return results + [None] * len(remaining)


@dataclass
class _CstFacts:
    regions: Regions
    raises: tuple[NotImplementedRaise, ...]
    pip_calls: tuple[PipCall, ...]


def _cst_regions(answer: dict[str, Any], text: str, lines: LineIndex) -> Regions:
    spans: list[tuple[int, int, int]] = []
    for key, kind in (("comments", COMMENT), ("docstrings", DOCSTRING)):
        for line, column, end_line, end_column in answer[key]:
            start = lines.starts[_int(line) - 1] + _int(column)
            end = lines.starts[_int(end_line) - 1] + _int(end_column)
            spans.append((start if kind == COMMENT else _skip_to_quote(text, start, end), end, kind))
    regions = Regions()
    for start, end, kind in sorted(spans):
        regions.add(start, end, kind)
    return regions


def _skip_to_quote(text: str, start: int, end: int) -> int:
    while start < end and text[start] not in "'\"":
        start += 1
    return start


def _cst_facts(answer: dict[str, Any] | None, text: str, lines: LineIndex) -> _CstFacts | None:
    """The facts of a libcst answer; None when libcst rejected the source or the answer is
    malformed (it comes from another process: trust nothing)."""
    if answer is None or answer.get("ok") is not True:
        return None
    try:
        raises = tuple(
            NotImplementedRaise(_int(line), _int(column) + 1, _optional_str(reason), _str(scope))
            for line, column, reason, scope in answer["raises"]
        )
        calls = tuple(
            PipCall(_int(line), _int(column) + 1, tuple(_str(item) for item in argv), _str(via))
            for line, column, argv, via in answer["pip_calls"]
        )
        return _CstFacts(_cst_regions(answer, text, lines), raises, calls)
    except (KeyError, TypeError, ValueError, IndexError):
        return None


# --- scanning ---------------------------------------------------------------------------------


@dataclass
class _Deferred:
    """A file that ``ast`` rejected, waiting for libcst's verdict. Picklable: worker
    processes return it, and the parent hands all of them to a few libcst children at the
    end (one child start-up per group, not per file)."""

    text: str
    hits: list[tuple[int, str]]
    regions: Regions
    message: str
    size: int

    def libcst_eligible(self) -> bool:
        # Never for a file refused as too large: libcst costs several times what ast does.
        return (self.size <= _LIBCST_MAX_BYTES and not self.message.startswith(_TOO_LARGE)
                and parse_weight(self.text) <= _MAX_LIBCST_WEIGHT)

    def finish(self, answer: dict[str, Any] | None) -> PythonFacts:
        """The facts given libcst's answer (None when libcst was not run or crashed)."""
        lines = LineIndex(self.text)
        facts = _cst_facts(answer, self.text, lines)
        if facts is not None:
            return PythonFacts(
                markers=_markers(self.text, lines, facts.regions, self.hits),
                raises=tuple(sorted(facts.raises, key=_position)),
                pip_calls=tuple(sorted(facts.pip_calls, key=_position)),
                parser="libcst",
            )
        message = self.message
        if self.size > _LIBCST_MAX_BYTES and message.startswith("syntax error"):
            message += f" (not checked with libcst: over {_LIBCST_MAX_BYTES} bytes)"
        return PythonFacts(markers=_markers(self.text, lines, self.regions, self.hits),
                           error=message, parser="tokens")


def _position(fact: NotImplementedRaise | PipCall) -> tuple[int, int]:
    return fact.line, fact.column


def _targets(lines: LineIndex, regions: Regions, string_hits: Sequence[int],
             code_raises: Sequence[int]) -> list[int]:
    """Lines whose statements must be parsed (where each hit string starts, each raise),
    sorted and unique."""
    targets = {lines.line_of(regions.starts[regions.index_at(hit)]) for hit in string_hits}
    targets.update(lines.line_of(offset) for offset in code_raises)
    return sorted(targets)


def _string_hits(regions: Regions, hits: Sequence[tuple[int, str]]) -> list[int]:
    """Offsets of the marker hits inside strings: only a parser can tell docstrings apart."""
    return [offset for offset, _ in hits
            if (index := regions.index_at(offset)) >= 0 and regions.kinds[index] == STRING]


def _code_raises(regions: Regions, raises: Sequence[int]) -> list[int]:
    """Offsets of the raise hits in code (not in a comment or a string)."""
    return [offset for offset in raises if regions.index_at(offset) < 0]


def _needs_parser(regions: Regions, string_hits: Sequence[int], code_raises: Sequence[int],
                  want_pip: bool) -> bool:
    """Whether the lexer alone cannot settle the file (stage 2 is not enough)."""
    return bool(regions.anomalous or string_hits or code_raises or want_pip)


def _tree_facts(text: str, lines: LineIndex, regions: Regions, targets: Sequence[int] | None,
                want_pip: bool) -> _TreeFacts | _Rejected:
    """Stage 3: what ``ast`` says, from the statements around the target lines where that
    is possible and cheaper, else from the whole file (all of it when ``targets`` is None)."""
    # pip calls are looked for everywhere, and small files are cheaper to parse whole.
    if targets is not None and not want_pip and len(text) > _WHOLE_FILE_CHARS:
        chunked = _ChunkParser(lines, regions, targets).run()
        if chunked is not None:
            return chunked
    return _whole_file_facts(text, lines, want_pip, targets)


def _parsed_facts(text: str, lines: LineIndex, regions: Regions,
                  hits: Sequence[tuple[int, str]], tree: _TreeFacts) -> PythonFacts:
    """The facts of a file that ``ast`` accepted (``parser="ast"``)."""
    if regions.anomalous:
        # The file is valid for this interpreter, so its tokenizer is the better lexer here.
        regions = tokenize_regions(text, lines) or regions
    _mark_docstrings(regions, tree.docstrings)
    return PythonFacts(
        markers=_markers(text, lines, regions, hits),
        raises=tuple(sorted(tree.raises.values(), key=_position)),
        pip_calls=tuple(sorted(tree.pip_calls, key=_position)),
        parser="ast",
    )


def _analyse(text: str, hits: list[tuple[int, str]], raises: list[int],
             want_pip: bool, size: int) -> PythonFacts | _Deferred:
    """Stages 2-4 for a file with hits (see the module docstring)."""
    # Marker hits alone need the lexer only up to the last of them.
    regions = lex_regions(text, None if raises or want_pip else hits[-1][0])
    lines = LineIndex(text)
    string_hits = _string_hits(regions, hits)
    code_raises = _code_raises(regions, raises)
    if not _needs_parser(regions, string_hits, code_raises, want_pip):
        return PythonFacts(markers=_markers(text, lines, regions, hits), parser="tokens")
    if not regions.complete:
        regions = lex_regions(text)
    # An anomalous lex may have missed or misplaced hits: then the whole tree is walked.
    targets = None if regions.anomalous else _targets(lines, regions, string_hits, code_raises)
    tree = _tree_facts(text, lines, regions, targets, want_pip)
    if isinstance(tree, _Rejected):
        return _Deferred(text, hits, regions, tree.message, size)
    return _parsed_facts(text, lines, regions, hits, tree)


def _scan(data: bytes, words: tuple[str, ...], max_bytes: int) -> PythonFacts | _Deferred:
    text, error = _read(data, max_bytes)
    if text is None:
        return PythonFacts(error=error)
    hits = _marker_hits(text, words)
    raises = _raise_hits(text)
    want_pip = _wants_pip(text)
    if not (hits or raises or want_pip):
        return PythonFacts()
    return _analyse(text, hits, raises, want_pip, len(data))


def _finish_all(deferred: Sequence[_Deferred], workers: int = 1) -> list[PythonFacts]:
    """Run libcst on the deferred files (in ``workers`` children at most) and finish them."""
    eligible = [item for item in deferred if item.libcst_eligible()]
    answers = _libcst_answers(eligible, workers)
    return [item.finish(answers.get(id(item))) for item in deferred]


def _libcst_answers(eligible: Sequence[_Deferred],
                    workers: int) -> dict[int, dict[str, Any] | None]:
    """libcst's answer for each file, keyed by ``id``: the files are dealt round-robin to
    at most ``workers`` groups, each run by its own child, side by side."""
    answers: dict[int, dict[str, Any] | None] = {}
    groups = [eligible[index::workers] for index in range(max(1, workers))]
    groups = [group for group in groups if group]
    if groups:
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            for group, results in zip(groups, pool.map(_run_libcst_on, groups), strict=True):
                answers.update((id(item), result) for item, result in zip(group, results, strict=True))
    return answers


def _run_libcst_on(group: Sequence[_Deferred]) -> list[dict[str, Any] | None]:
    return _run_libcst([item.text for item in group])


def scan_python(
    data: bytes, *, words: Sequence[str] = DEFAULT_WORDS, max_bytes: int = DEFAULT_MAX_BYTES
) -> PythonFacts:
    """Placeholder markers, ``raise NotImplementedError`` statements and pip calls of one file.

    ``words`` are matched case-sensitively as whole words. Never raises; a file that cannot
    be read or parsed gets ``error`` (see :class:`PythonFacts`).
    """
    outcome = _scan(data, _clean_words(words), max_bytes)
    if isinstance(outcome, _Deferred):
        return _finish_all([outcome])[0]
    return outcome


# --- many files -------------------------------------------------------------------------------


def _scan_batch(batch: Sequence[tuple[str, bytes]], words: tuple[str, ...],
                max_bytes: int) -> list[tuple[str, PythonFacts | _Deferred]]:
    return [(name, _scan(data, words, max_bytes)) for name, data in batch]


def _cpu_count() -> int:
    counter = getattr(os, "process_cpu_count", None)
    if callable(counter):
        count = counter()
        return count if isinstance(count, int) and count > 0 else 1
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _batches(items: Sequence[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    """Biggest files first, grouped to about ``_BATCH_CHARS``: few round trips, even load."""
    batch: list[tuple[str, bytes]] = []
    size = 0
    for item in sorted(items, key=lambda pair: len(pair[1]), reverse=True):
        batch.append(item)
        size += len(item[1])
        if size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _scan_parallel(items: Sequence[tuple[str, bytes]], words: tuple[str, ...], max_bytes: int,
                   workers: int) -> dict[str, PythonFacts | _Deferred]:
    """Scan in worker processes; whatever they could not do is scanned here."""
    results: dict[str, PythonFacts | _Deferred] = {}
    # No processes here (a sandbox, a broken pool...): what is left is scanned serially.
    with suppress(Exception):
        pool = ProcessPoolExecutor(workers, mp_context=_pool_context())
        try:
            futures = [pool.submit(_scan_batch, batch, words, max_bytes) for batch in _batches(items)]
            for future in futures:
                results.update(future.result())
        except BaseException:
            _stop_pool(pool)  # an interrupt stops now, not after every queued batch
            raise
        pool.shutdown(wait=True)
    for name, data in items:
        if name not in results:
            results[name] = _scan(data, words, max_bytes)
    return results


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork where it is safe and cheapest (Linux, no other thread that could hold a lock
    across the fork); else a clean start, which costs an interpreter start-up per worker."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _worker_count(workers: int | None, pending: Sequence[tuple[str, bytes]]) -> int:
    if workers is not None and workers <= 1:
        return 1
    if sum(len(data) for _, data in pending) < _PARALLEL_MIN_CHARS or len(pending) < 2:
        return 1
    return min(workers or _cpu_count(), len(pending), 61)  # 61: Windows' limit for a pool


def scan_many(
    items: Sequence[tuple[str, bytes]],
    *,
    words: Sequence[str] = DEFAULT_WORDS,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, PythonFacts]:
    """:func:`scan_python` for each ``(name, data)``, keyed by name, with identical results.

    Files without any candidate substring are settled here; the others are scanned in
    ``workers`` processes (default: the usable CPUs) when there are enough of them to pay
    for starting processes, else in this process. Never raises.
    """
    clean = _clean_words(words)
    unique = dict(items)  # a name given twice: the last data counts
    settled, pending = _prefilter(unique, clean, max_bytes)
    count = _worker_count(workers, pending)
    if count > 1:
        outcomes = _scan_parallel(pending, clean, max_bytes, count)
    else:
        outcomes = dict(_scan_batch(pending, clean, max_bytes))
    settled.update(_finish_outcomes(outcomes, count))
    return {name: settled[name] for name in unique}


def _prefilter(unique: dict[str, bytes], words: tuple[str, ...],
               max_bytes: int) -> tuple[dict[str, PythonFacts], list[tuple[str, bytes]]]:
    """Stage 1 for every file: (facts of the files it settles, the files left to scan)."""
    settled: dict[str, PythonFacts] = {}
    pending: list[tuple[str, bytes]] = []
    for name, data in unique.items():
        text, error = _read(data, max_bytes)
        if text is None or not _has_candidates(text, words):
            settled[name] = PythonFacts(error=error)
        else:
            pending.append((name, data))
    return settled, pending


def _finish_outcomes(outcomes: dict[str, PythonFacts | _Deferred],
                     workers: int) -> dict[str, PythonFacts]:
    """The facts of every scanned file, the deferred ones finished with libcst."""
    deferred = [(name, item) for name, item in outcomes.items() if isinstance(item, _Deferred)]
    finished = _finish_all([item for _, item in deferred], workers)
    settled = dict(zip([name for name, _ in deferred], finished, strict=True))
    settled.update((name, item) for name, item in outcomes.items() if isinstance(item, PythonFacts))
    return settled


# --- other users ------------------------------------------------------------------------------


def parse_weight(text: str) -> int:
    """How many brackets, operators, commas and line breaks `text` holds: a cheap, close
    upper estimate of the size of its syntax tree."""
    return sum(text.count(character) for character in _WEIGHT_CHARACTERS)


def parse_module(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ast.Module | None:
    """The ``ast`` of a file (for readers of setup.py and the like); None when it cannot be
    read, is too big to parse whole (over 2 million characters: the tree would take about
    a gigabyte), or does not parse with the running interpreter. Never raises."""
    text, _ = _read(data, max_bytes)
    if text is None or len(text) > _MAX_WHOLE_PARSE_CHARS:
        return None
    tree = _parse(text)
    return None if isinstance(tree, _Rejected) else tree


def check_syntax(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """None when the file parses (with ``ast``, or with libcst for syntax newer than the
    running interpreter), else the reason, worded as :attr:`PythonFacts.error`; a file
    over the size bound of a whole parse is not parsed at all, and says so."""
    text, error = _read(data, max_bytes)
    if text is None:
        return error
    if len(text) > _MAX_WHOLE_PARSE_CHARS:
        return f"{_TOO_LARGE} ({len(text)} characters; the bound is {_MAX_WHOLE_PARSE_CHARS})"
    tree = _parse(text)
    if not isinstance(tree, _Rejected):
        return None
    deferred = _Deferred(text, [], Regions(), tree.message, len(data))
    return _finish_all([deferred])[0].error
