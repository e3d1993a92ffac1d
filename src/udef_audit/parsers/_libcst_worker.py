"""libcst in a child process: the parser of last resort for Python files ``ast`` rejects.

:mod:`udef_audit.parsers.python_source` runs this file as a script
(``python -I _libcst_worker.py SECONDS_PER_FILE``) and never imports it: libcst can crash
the interpreter (a few thousand ``+`` terms overflow its native parser's stack), recurse
without end or take gigabytes, and any of that must cost only the file at hand. The
parent replaces a child that dies and carries on after the file that killed it.

Protocol: stdin holds one JSON string (a source text, ``\\n`` line breaks) per line; for each,
stdout gets one JSON object on one line, flushed at once::

    {"ok": false, "error": "line 3: ..."}
    {"ok": true, "comments": [[line, col, end_line, end_col], ...], "docstrings": [...],
     "raises": [[line, col, exempt_reason, scope], ...], "pip_calls": [[line, col, argv, via]]}

Lines are 1-based, columns 0-based in characters. The facts follow the same rules as the
``ast`` analysis of the parent (read the two together when changing either).
"""

from __future__ import annotations

import faulthandler
import json
import sys
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

_MEMORY_LIMIT = 3 * 1024**3  # address space; libcst needs ~600 bytes per source byte
_EXEMPTING_DECORATORS = {
    "abstractmethod": "abstractmethod",
    "abstractproperty": "abstractmethod",
    "abstractclassmethod": "abstractmethod",
    "abstractstaticmethod": "abstractmethod",
    "overload": "overload",
}
_TYPING_MODULES = frozenset({"abc", "typing", "typing_extensions"})
_SUBPROCESS_FUNCTIONS = frozenset({"run", "call", "check_call", "check_output", "Popen"})
_NOX_RUN_METHODS = frozenset({"run", "run_always", "run_install"})
_NOX_PIP_METHODS = _NOX_RUN_METHODS | {"install"}


@dataclass(frozen=True)
class _Scope:
    qualname: str = ""
    kind: str = "module"
    protocol: bool = False
    exempt: str | None = None

    def child(self, name: str, kind: str, *, protocol: bool = False,
              exempt: str | None = None) -> _Scope:
        if self.kind == "function":
            qualname = f"{self.qualname}.<locals>.{name}"
        else:
            qualname = f"{self.qualname}.{name}" if self.qualname else name
        return _Scope(qualname, kind, protocol, exempt)


def _typing_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
            and node.value.value in _TYPING_MODULES):
        return node.attr.value
    return None


def _decorator_exemption(decorators: Sequence[cst.Decorator]) -> str | None:
    for decorator in decorators:
        target = decorator.decorator
        name = _typing_name(target.func if isinstance(target, cst.Call) else target)
        if name in _EXEMPTING_DECORATORS:
            return _EXEMPTING_DECORATORS[name]
    return None


def _has_protocol_base(node: cst.ClassDef) -> bool:
    for base in node.bases:
        target = base.value.value if isinstance(base.value, cst.Subscript) else base.value
        if _typing_name(target) == "Protocol":
            return True
    return False


def _first_small_statement(body: Sequence[cst.CSTNode]) -> cst.CSTNode | None:
    if not body:
        return None
    first = body[0]
    if isinstance(first, cst.SimpleStatementLine):
        return first.body[0] if first.body else None
    return first


def _string_parts(node: cst.BaseExpression) -> list[cst.SimpleString] | None:
    """The literal parts of a docstring-shaped string; None for f-strings and bytes."""
    if isinstance(node, cst.SimpleString):
        return None if "b" in node.prefix.lower() else [node]
    if isinstance(node, cst.ConcatenatedString):
        left, right = _string_parts(node.left), _string_parts(node.right)
        return None if left is None or right is None else left + right
    return None


def _block_statements(block: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return block.body


def _is_not_implemented(node: cst.Raise) -> bool:
    target = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
    return isinstance(target, cst.Name) and target.value == "NotImplementedError"


def _literal_string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _bound_name(alias: cst.ImportAlias) -> str | None:
    """The dotted local name an import alias binds: its ``as`` name, else its own name."""
    local = alias.asname.name if alias.asname else alias.name
    return _dotted(local) if isinstance(local, cst.BaseExpression) else None


def _add_imported(aliases: Sequence[cst.ImportAlias], wanted: Set[str],
                  bound_names: set[str]) -> None:
    """Add to ``bound_names`` the local names of the ``wanted`` names a from-import binds."""
    for alias in aliases:
        name = _dotted(alias.name)
        bound = _bound_name(alias) or name
        if name in wanted and bound:
            bound_names.add(bound)


@dataclass
class _Names:
    subprocess: set[str] = field(default_factory=lambda: {"subprocess"})
    functions: set[str] = field(default_factory=set)
    sys: set[str] = field(default_factory=lambda: {"sys"})
    executable: set[str] = field(default_factory=set)

    def add_import(self, node: cst.Import) -> None:
        """``import subprocess`` and ``import sys``, with or without ``as``."""
        for alias in node.names:
            name = _dotted(alias.name)
            if name in ("subprocess", "sys"):
                getattr(self, name).add(_bound_name(alias) or name)

    def add_import_from(self, node: cst.ImportFrom) -> None:
        """``from subprocess import run...`` and ``from sys import executable``."""
        if isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module) if node.module is not None else None
        if module == "subprocess":
            _add_imported(node.names, _SUBPROCESS_FUNCTIONS, self.functions)
        elif module == "sys":
            _add_imported(node.names, {"executable"}, self.executable)

    def argv_item(self, node: cst.BaseExpression) -> str | None:
        value = _literal_string(node)
        if value is not None:
            return value
        if isinstance(node, cst.Name) and node.value in self.executable:
            return "<python>"
        if (isinstance(node, cst.Attribute) and node.attr.value == "executable"
                and isinstance(node.value, cst.Name) and node.value.value in self.sys):
            return "<python>"
        return None

    def literal_argv(self, items: Sequence[cst.BaseExpression]) -> tuple[str, ...] | None:
        argv = [self.argv_item(item) for item in items]
        if any(item is None for item in argv):
            return None
        return tuple(item for item in argv if item is not None)


def _is_subprocess_call(func: cst.BaseExpression, names: _Names) -> bool:
    """Whether ``func`` names one of subprocess's functions (``run``, ``sp.Popen``...)."""
    if isinstance(func, cst.Name):
        return func.value in names.functions
    return (isinstance(func, cst.Attribute) and func.attr.value in _SUBPROCESS_FUNCTIONS
            and isinstance(func.value, cst.Name) and func.value.value in names.subprocess)


def _args_argument(node: cst.Call) -> cst.BaseExpression | None:
    """The argument of a subprocess call that holds the argv: the first positional one,
    unless an ``args=`` keyword is given (then the last of those)."""
    positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
    argument = positional[0] if positional else None
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == "args":
            argument = arg.value
    return argument


def _subprocess_argv(node: cst.Call, names: _Names) -> tuple[str, ...] | None:
    """The argv of a subprocess call given as a literal list or tuple, else None."""
    if not _is_subprocess_call(node.func, names):
        return None
    argument = _args_argument(node)
    if not isinstance(argument, (cst.List, cst.Tuple)):
        return None
    if any(not isinstance(element, cst.Element) for element in argument.elements):
        return None
    return names.literal_argv([element.value for element in argument.elements])


def _nox_method(func: cst.BaseExpression) -> str | None:
    """``method`` for ``session.method`` when that method may run pip, else None."""
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
            and func.value.value == "session"):
        return None
    method = func.attr.value
    return method if method in _NOX_PIP_METHODS else None


def _nox_argv(node: cst.Call, names: _Names) -> tuple[str, ...] | None:
    """The argv of ``session.install(...)`` (as a pip command) or ``session.run(...)``."""
    method = _nox_method(node.func)
    # A starred argument hides part of the argv.
    if method is None or any(arg.star for arg in node.args):
        return None
    argv = names.literal_argv([arg.value for arg in node.args if arg.keyword is None])
    if argv is None:
        return None
    return ("pip", "install", *argv) if method == "install" else argv


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.scopes = [_Scope()]
        self.comments: list[list[int]] = []
        self.docstrings: list[list[int]] = []
        self.raises: list[list[Any]] = []
        self.calls: list[tuple[cst.Call, list[int]]] = []
        self.names = _Names()

    def _where(self, node: cst.CSTNode) -> list[int]:
        where = self.get_metadata(PositionProvider, node)
        return [where.start.line, where.start.column, where.end.line, where.end.column]

    def _docstring(self, body: Sequence[cst.CSTNode]) -> None:
        first = _first_small_statement(body)
        if isinstance(first, cst.Expr):
            for part in _string_parts(first.value) or ():
                self.docstrings.append(self._where(part))

    def visit_Module(self, node: cst.Module) -> None:
        self._docstring(node.body)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        scope = self.scopes[-1].child(node.name.value, "class", protocol=_has_protocol_base(node))
        self.scopes.append(scope)
        self._docstring(_block_statements(node.body))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        parent = self.scopes[-1]
        exempt = _decorator_exemption(node.decorators)
        if exempt is None and parent.kind == "class" and parent.protocol:
            exempt = "protocol"
        self.scopes.append(parent.child(node.name.value, "function", exempt=exempt))
        self._docstring(_block_statements(node.body))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Raise(self, node: cst.Raise) -> None:
        if _is_not_implemented(node):
            scope = self.scopes[-1]
            line, column = self._where(node)[:2]
            exempt = scope.exempt if scope.kind == "function" else None
            self.raises.append([line, column, exempt, scope.qualname or "<module>"])

    def visit_Comment(self, node: cst.Comment) -> None:
        self.comments.append(self._where(node))

    def visit_Import(self, node: cst.Import) -> None:
        self.names.add_import(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.names.add_import_from(node)

    def visit_Call(self, node: cst.Call) -> None:
        # Positions are only available while visiting; the argv waits for every import.
        self.calls.append((node, self._where(node)[:2]))

    def pip_calls(self) -> list[list[Any]]:
        found: list[list[Any]] = []
        for call, where in self.calls:
            for via, argv in (("subprocess", _subprocess_argv(call, self.names)),
                              ("nox", _nox_argv(call, self.names))):
                if argv is not None:
                    found.append([*where, list(argv), via])
        return found


def analyse(source: str) -> dict[str, Any]:
    """The answer for one source text (see the module docstring)."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        return {"ok": False, "error": f"line {error.raw_line}: {error.message}"}
    collector = _Collector()
    MetadataWrapper(module, unsafe_skip_copy=True).visit(collector)
    return {
        "ok": True,
        "comments": collector.comments,
        "docstrings": collector.docstrings,
        "raises": collector.raises,
        "pip_calls": collector.pip_calls(),
    }


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
