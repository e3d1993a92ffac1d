"""pytest fixtures a module defines, read from its `ast` (UDEF012's "Test fixtures configured").

A fixture is a function decorated with `pytest.fixture` (bare or called, through any alias
of `import pytest`), with `fixture` imported from pytest, or with pytest-asyncio's
`fixture` (`pytest_asyncio.fixture`, `from pytest_asyncio import fixture`); a module-level
`name = pytest.fixture(...)(function)` counts too. Hooks (`pytest_configure`, ...) are no
fixtures. `pytest_plugins` names the modules whose fixtures a conftest.py brings in. Pure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

FIXTURE_MODULES = frozenset({"pytest", "pytest_asyncio"})


def defines_fixture(module: ast.Module) -> bool:
    """Whether the module defines at least one pytest fixture."""
    modules, functions = _fixture_names(module)
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            _is_fixture(decorator, modules, functions) for decorator in node.decorator_list
        ):
            return True
    assigned = (node.value for node in module.body if isinstance(node, ast.Assign))
    return any(isinstance(value, ast.Call) and _is_fixture(value, modules, functions) for value in assigned)


def plugin_modules(module: ast.Module) -> tuple[str, ...]:
    """The dotted module names of a module-level `pytest_plugins = [...]` (or a string)."""
    names: list[str] = []
    for node in module.body:
        if isinstance(node, ast.Assign) and any(_is_named(t, "pytest_plugins") for t in node.targets):
            names.extend(_strings(node.value))
    return tuple(names)


def _fixture_names(module: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to pytest/pytest_asyncio modules, and names bound to their `fixture`."""
    modules: set[str] = set()
    functions: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            modules.update(_bound(node.names, FIXTURE_MODULES))
        elif isinstance(node, ast.ImportFrom) and node.module in FIXTURE_MODULES:
            functions.update(_bound(node.names, {"fixture"}))
    return modules, functions


def _bound(aliases: list[ast.alias], wanted: Iterable[str]) -> Iterator[str]:
    """The local names an import binds to the wanted names."""
    return (alias.asname or alias.name for alias in aliases if alias.name in wanted)


def _is_fixture(expression: ast.expr, modules: set[str], functions: set[str]) -> bool:
    """`pytest.fixture`, `pytest.fixture(...)`, `fixture`, `fixture(...)`, and the same
    applied again (`pytest.fixture(scope="session")(function)`)."""
    while isinstance(expression, ast.Call):
        expression = expression.func
    if isinstance(expression, ast.Attribute):
        owner = expression.value
        return expression.attr == "fixture" and isinstance(owner, ast.Name) and owner.id in modules
    return isinstance(expression, ast.Name) and expression.id in functions


def _is_named(target: ast.expr, name: str) -> bool:
    return isinstance(target, ast.Name) and target.id == name


def _strings(value: ast.expr) -> Iterator[str]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        yield value.value
    elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        for element in value.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                yield element.value
