"""The modules a conftest.py brings in with `pytest_plugins` (UDEF012 follows them for
fixtures). Fixtures themselves are a cached Python fact (`PythonFacts.fixtures`). Pure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator


def plugin_modules(module: ast.Module) -> tuple[str, ...]:
    """The dotted module names of a module-level `pytest_plugins = [...]` (or a string)."""
    names: list[str] = []
    for node in module.body:
        if isinstance(node, ast.Assign) and any(_is_named(t, "pytest_plugins") for t in node.targets):
            names.extend(_strings(node.value))
    return tuple(names)


def _is_named(target: ast.expr, name: str) -> bool:
    return isinstance(target, ast.Name) and target.id == name


def _strings(value: ast.expr) -> Iterator[str]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        yield value.value
    elif isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        for element in value.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                yield element.value
