"""libcst in a child process: it locates the syntax the running interpreter's ``ast`` lacks.

:mod:`udef_audit.parsers.python_newsyntax` runs this file as a script
(``python -I _libcst_worker.py SECONDS_PER_FILE``) and never imports it: libcst can crash
the interpreter (a few thousand ``+`` terms overflow its native parser's stack), recurse
without end or take gigabytes, and any of that must cost only the file at hand. The
parent replaces a child that dies and carries on after the file that killed it.

This worker computes no fact. It only says where the newer syntax is, so that the parent
can blank it out and hand the rest to ``ast`` and the one fact visitor
(:mod:`udef_audit.parsers.python_tree`): a new fact never needs a change here.

Protocol: stdin holds one JSON string (a source text, ``\\n`` line breaks) per line; for each,
stdout gets one JSON object on one line, flushed at once::

    {"ok": false, "error": "line 3: ..."}
    {"ok": true, "comments": [[line, col, end_line, end_col], ...],
     "blanks": [[kind, line, col, end_line, end_col], ...]}

``blanks`` are the PEP 695 ``type`` statements (kind ``"alias"``) and type parameter lists
(``"params"``), the unparenthesised ``except A, B:`` types of PEP 758 (``"except"``) and
every outermost string expression holding an f-string or a t-string (``"string"``; the
parent keeps those its ``ast`` accepts). Lines are 1-based, columns 0-based in characters.
"""

from __future__ import annotations

import faulthandler
import json
import sys
from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

_MEMORY_LIMIT = 3 * 1024**3  # address space; libcst needs ~600 bytes per source byte


class _Locator(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.comments: list[list[int]] = []
        self.blanks: list[list[Any]] = []
        self.string_depth = 0

    def _where(self, node: cst.CSTNode) -> list[int]:
        where = self.get_metadata(PositionProvider, node)
        return [where.start.line, where.start.column, where.end.line, where.end.column]

    def visit_Comment(self, node: cst.Comment) -> None:
        self.comments.append(self._where(node))

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self.blanks.append(["alias", *self._where(node)])

    def visit_TypeParameters(self, node: cst.TypeParameters) -> None:
        self.blanks.append(["params", *self._where(node)])

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._except_types(node.type)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._except_types(node.type)

    def _except_types(self, types: cst.BaseExpression | None) -> None:
        if isinstance(types, cst.Tuple) and not types.lpar:
            self.blanks.append(["except", *self._where(types)])

    # Strings nest (an f-string inside an f-string's field): the outermost is blanked whole,
    # and its children are still visited for the comments inside replacement fields.
    def _enter_string(self, node: cst.BaseExpression, holds_template: bool) -> None:
        if self.string_depth == 0 and holds_template:
            self.blanks.append(["string", *self._where(node)])
        self.string_depth += 1

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._enter_string(node, True)

    def leave_FormattedString(self, original_node: cst.FormattedString) -> None:
        self.string_depth -= 1

    def visit_TemplatedString(self, node: cst.TemplatedString) -> None:
        self._enter_string(node, True)

    def leave_TemplatedString(self, original_node: cst.TemplatedString) -> None:
        self.string_depth -= 1

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._enter_string(node, _holds_template(node))

    def leave_ConcatenatedString(self, original_node: cst.ConcatenatedString) -> None:
        self.string_depth -= 1


def _holds_template(node: cst.ConcatenatedString) -> bool:
    parts: list[cst.BaseExpression] = [node.left, node.right]
    while parts:
        part = parts.pop()
        if isinstance(part, cst.ConcatenatedString):
            parts.extend((part.left, part.right))
        elif isinstance(part, (cst.FormattedString, cst.TemplatedString)):
            return True
    return False


def analyse(source: str) -> dict[str, Any]:
    """The answer for one source text (see the module docstring)."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        return {"ok": False, "error": f"line {error.raw_line}: {error.message}"}
    locator = _Locator()
    MetadataWrapper(module, unsafe_skip_copy=True).visit(locator)
    return {"ok": True, "comments": locator.comments, "blanks": locator.blanks}


def _limit_memory() -> None:
    try:
        import resource  # noqa: PLC0415 - Unix only

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(_MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass  # no limit on this platform: the parent's timeout still bounds the child


def _answer(line: bytes) -> dict[str, Any]:
    try:
        source = json.loads(line)
        if not isinstance(source, str):
            return {"ok": False, "error": "not a source text"}
        return analyse(source)
    # libcst raises more than ParserSyntaxError on hostile or merely unusual input
    # (RecursionError, MemoryError, TypeError on valid code): each is a rejection.
    except Exception as error:
        return {"ok": False, "error": f"libcst failed ({type(error).__name__})"}


def main(argv: Sequence[str]) -> int:
    """Answer each stdin line; a watchdog ends the process if one file takes too long."""
    seconds = float(argv[1]) if len(argv) > 1 else 20.0
    _limit_memory()
    sys.setrecursionlimit(20_000)
    for line in sys.stdin.buffer:
        faulthandler.dump_traceback_later(seconds, exit=True)
        answer = _answer(line)
        faulthandler.cancel_dump_traceback_later()
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
