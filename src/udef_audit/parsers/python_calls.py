"""What a call or a decorator means, given the names a file's imports bind.

Helpers of the fact visitor (:mod:`.python_tree`): the literal argv of calls that may run
pip (UDEF005) and pytest's fixture decorator (UDEF012). Nothing here walks a tree: the
visitor hands over the imports and the calls it met, and asks at the end, when every import
of the file is known.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["ImportedNames", "fixture_name", "nox_argv", "subprocess_argv"]

_SUBPROCESS_FUNCTIONS = frozenset({"run", "call", "check_call", "check_output", "Popen"})
_NOX_RUN_METHODS = frozenset({"run", "run_always", "run_install"})


@dataclass
class ImportedNames:
    """Local names bound to subprocess, its functions, sys, sys.executable, pytest and
    pytest's ``fixture``."""

    subprocess: set[str] = field(default_factory=lambda: {"subprocess"})
    functions: set[str] = field(default_factory=set)
    sys: set[str] = field(default_factory=lambda: {"sys"})
    executable: set[str] = field(default_factory=set)
    # `pytest` itself always counts: a conftest that uses it without importing it fails.
    pytest: set[str] = field(default_factory=lambda: {"pytest"})
    fixture: set[str] = field(default_factory=set)

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        """Record the names an import statement binds."""
        if isinstance(node, ast.Import):
            self._add_import(node)
        else:
            self._add_import_from(node)

    def _add_import(self, node: ast.Import) -> None:
        """``import subprocess``, ``import sys``, ``import pytest``, with or without ``as``."""
        for alias in node.names:
            if alias.name in ("subprocess", "sys", "pytest"):
                getattr(self, alias.name).add(alias.asname or alias.name)

    def _add_import_from(self, node: ast.ImportFrom) -> None:
        """``from subprocess import run...``, ``from sys import executable``,
        ``from pytest import fixture``."""
        wanted = {"subprocess": (_SUBPROCESS_FUNCTIONS, self.functions),
                  "sys": ({"executable"}, self.executable),
                  "pytest": ({"fixture"}, self.fixture)}.get(node.module or "")
        if wanted is None:
            return
        names, bound = wanted
        bound.update(alias.asname or alias.name for alias in node.names if alias.name in names)


def _argv_item(node: ast.expr, names: ImportedNames) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in names.executable:
        return "<python>"
    if (isinstance(node, ast.Attribute) and node.attr == "executable"
            and isinstance(node.value, ast.Name) and node.value.id in names.sys):
        return "<python>"
    return None


def _literal_argv(items: Sequence[ast.expr], names: ImportedNames) -> tuple[str, ...] | None:
    argv = [_argv_item(item, names) for item in items]
    if any(item is None for item in argv):
        return None
    return tuple(item for item in argv if item is not None)


def _is_subprocess_call(func: ast.expr, names: ImportedNames) -> bool:
    if isinstance(func, ast.Name):
        return func.id in names.functions
    return (isinstance(func, ast.Attribute) and func.attr in _SUBPROCESS_FUNCTIONS
            and isinstance(func.value, ast.Name) and func.value.id in names.subprocess)


def subprocess_argv(node: ast.Call, names: ImportedNames) -> tuple[str, ...] | None:
    """The argv of a subprocess call given as a literal list or tuple (the first positional
    argument, or the last ``args=``), else None."""
    if not _is_subprocess_call(node.func, names):
        return None
    argument = node.args[0] if node.args else None
    for keyword in node.keywords:
        if keyword.arg == "args":
            argument = keyword.value
    if not isinstance(argument, (ast.List, ast.Tuple)):
        return None
    return _literal_argv(argument.elts, names)


def _nox_method(node: ast.Call) -> str | None:
    """``method`` for ``session.method(...)`` when that method may run pip, else None."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id == "session"):
        return None
    return func.attr if func.attr == "install" or func.attr in _NOX_RUN_METHODS else None


def nox_argv(node: ast.Call, names: ImportedNames) -> tuple[str, ...] | None:
    """The argv of ``session.install(...)`` (as a pip command) or ``session.run(...)``."""
    method = _nox_method(node)
    # `**options` may hold more of the argv.
    if method is None or any(keyword.arg is None for keyword in node.keywords):
        return None
    argv = _literal_argv(node.args, names)
    if argv is None:
        return None
    return ("pip", "install", *argv) if method == "install" else argv


def _is_fixture_decorator(target: ast.expr, names: ImportedNames) -> bool:
    if isinstance(target, ast.Name):
        return target.id in names.fixture
    return (isinstance(target, ast.Attribute) and target.attr == "fixture"
            and isinstance(target.value, ast.Name) and target.value.id in names.pytest)


def _name_keyword(call: ast.Call | None) -> str | None:
    """The literal ``name=`` of a decorator call."""
    for keyword in call.keywords if call else ():
        if (keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)):
            return keyword.value.value
    return None


def fixture_name(node: ast.FunctionDef | ast.AsyncFunctionDef, names: ImportedNames) -> str | None:
    """The name pytest gives the fixture this function defines, None when it is none."""
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        if _is_fixture_decorator(call.func if call else decorator, names):
            return _name_keyword(call) or node.name
    return None
