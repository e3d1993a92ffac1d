"""noxfile.py sessions from the module's `ast`: what each session runs, never importing it.

A session is a function decorated with `nox.session` (or `session` imported from nox),
named by the decorator's `name=` or the function. Its commands are the literal arguments
of `session.run(...)`, `session.run_always(...)`, `session.run_install(...)` and
`session.install(...)` (read as `pip install ...`); `session.notify("other")` queues
another session. Arguments that are not string literals (`*session.posargs`, variables)
are not words. `nox.options.sessions = [...]` is what `nox` runs by default.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

_RUN_METHODS = frozenset({"run", "run_always", "run_install", "install", "conda_install"})


@dataclass(frozen=True)
class NoxWord:
    """A literal argument and where it is written (1-based line and column)."""

    text: str
    line: int
    column: int


@dataclass(frozen=True)
class NoxCall:
    """One `session.run(...)`-like call: where it is, and its literal words."""

    line: int
    column: int
    words: tuple[NoxWord, ...]


@dataclass(frozen=True)
class NoxSession:
    """A session: its name, line, the Pythons it asks for, its calls, what it notifies
    (`session.notify("x")`, and the sessions it calls as functions: `mypy(session)`)."""

    name: str
    line: int
    python: tuple[str, ...]
    calls: tuple[NoxCall, ...]
    notifies: tuple[str, ...]


@dataclass(frozen=True)
class Noxfile:
    """The sessions, and the default selection (None: every session)."""

    sessions: tuple[NoxSession, ...]
    default: tuple[str, ...] | None

    def session(self, name: str) -> NoxSession | None:
        """The session called `name` (a `name-3.12` parametrised name finds `name`)."""
        found = next((session for session in self.sessions if session.name == name), None)
        return found or next((session for session in self.sessions if name.startswith(session.name + "-")), None)


def nox_sessions(module: ast.Module, text: str) -> Noxfile:
    """The sessions of a noxfile, from its ast and its text (for character columns)."""
    lines = text.split("\n")
    sessions: list[tuple[NoxSession, str, tuple[str, ...]]] = []
    default: tuple[str, ...] | None = None
    for node in ast.walk(module):
        decorator = _session_decorator(node)
        if decorator is not None and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            sessions.append((_session(node, decorator, lines), node.name, _called_functions(node)))
        elif isinstance(node, ast.Assign) and any(_is_options_sessions(target) for target in node.targets):
            default = _strings(node.value)
    return Noxfile(_with_called_sessions(sessions), default)


def _with_called_sessions(sessions: list[tuple[NoxSession, str, tuple[str, ...]]]) -> tuple[NoxSession, ...]:
    """Each session with the sessions it calls as functions added to those it notifies."""
    by_function = {function: session.name for session, function, _ in sessions}
    return tuple(
        replace(session, notifies=(*session.notifies, *(by_function[f] for f in called if f in by_function)))
        for session, _, called in sessions
    )


def _session_decorator(node: ast.AST) -> ast.expr | None:
    """The `@nox.session` decorator of a function (None: not a session, or not a function)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return next((d for d in node.decorator_list if _is_session_decorator(d)), None)


def _called_functions(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    """The functions a session calls with its session argument (`mypy(session)`), in
    text order: when they are sessions, their commands run within this one."""
    receiver = function.args.args[0].arg if function.args.args else "session"
    called = sorted(found for node in ast.walk(function) if (found := _called_with(node, receiver)) is not None)
    return tuple(dict.fromkeys(name for _, _, name in called))


def _called_with(node: ast.AST, receiver: str) -> tuple[int, int, str] | None:
    """(line, column, `f`) of a call `f(..., receiver, ...)`; None for anything else."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    passes = any(isinstance(argument, ast.Name) and argument.id == receiver for argument in node.args)
    return (node.lineno, node.col_offset, node.func.id) if passes else None


def _is_session_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr == "session" and isinstance(target.value, ast.Name) and target.value.id == "nox"
    return isinstance(target, ast.Name) and target.id == "session"


def _is_options_sessions(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "sessions"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "options"
    )


def _session(function: ast.FunctionDef | ast.AsyncFunctionDef, decorator: ast.expr, lines: list[str]) -> NoxSession:
    options = {keyword.arg: _strings(keyword.value) for keyword in getattr(decorator, "keywords", ())}
    name = (options.get("name") or (function.name,))[0]
    python = options.get("python") or options.get("py") or ()
    calls, notifies = _body(function, lines)
    return NoxSession(name, function.lineno, python, calls, notifies)


def _body(
    function: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]
) -> tuple[tuple[NoxCall, ...], tuple[str, ...]]:
    """The run-like calls on the session argument, in text order, and the sessions notified."""
    receiver = function.args.args[0].arg if function.args.args else "session"
    calls: list[NoxCall] = []
    notifies: list[str] = []
    for node in ast.walk(function):
        method = _method(node, receiver)
        if method in _RUN_METHODS and isinstance(node, ast.Call):
            calls.append(_call(node, method, lines))
        elif method == "notify" and isinstance(node, ast.Call) and node.args:
            notifies.extend(_strings(node.args[0]) or ())
    calls.sort(key=lambda call: (call.line, call.column))
    return tuple(calls), tuple(notifies)


def _method(node: ast.AST, receiver: str) -> str | None:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    value = node.func.value
    return node.func.attr if isinstance(value, ast.Name) and value.id == receiver else None


def _call(node: ast.Call, method: str, lines: list[str]) -> NoxCall:
    line, column = node.lineno, _column(lines, node.lineno, node.col_offset)
    words = [NoxWord(text, line, column) for text in (("pip", "install") if "install" in method else ())]
    for argument in node.args:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            place = _column(lines, argument.lineno, argument.col_offset)
            words.append(NoxWord(argument.value, argument.lineno, place + 1))  # inside the quote
    return NoxCall(line, column, tuple(words))


def _column(lines: list[str], line: int, byte_offset: int) -> int:
    """1-based character column of an ast byte offset (ast counts UTF-8 bytes)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def _strings(node: ast.expr) -> tuple[str, ...] | None:
    """A string or a list/tuple of string literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(item.value for item in node.elts if isinstance(item, ast.Constant) and isinstance(item.value, str))
    return None
