"""Find dependency declarations in setup.py and setup.cfg without running either.

setup.py comes from an untrusted repository, so it is only ever parsed with ``ast``: it is
never imported, compiled to bytecode or executed. setup.cfg is read as configparser reads it
(parsers/ini_file.py).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from udef_audit.parsers.ini_file import IniDocument, IniError, parse_ini
from udef_audit.parsers.requirements import decode_text

# Larger files are treated as unparseable: a real setup.py/setup.cfg is a few kilobytes.
MAX_SETUP_BYTES = 2 * 1024 * 1024

_DECLARATION_KEYS = frozenset({"install_requires", "extras_require", "tests_require"})
# Modules whose `setup` is the packaging entry point (`setuptools.setup(...)`).
_SETUP_MODULES = frozenset({"setuptools", "distutils.core", "numpy.distutils.core", "skbuild"})
_OPTIONS = "options"
_EXTRAS_SECTION = "options.extras_require"
@dataclass(frozen=True)
class Declaration:
    """A dependency declaration: its 1-based line and what declares it."""

    line: int
    key: str


def setup_py_declarations(data: bytes) -> tuple[Declaration, ...] | None:
    """Dependency keywords passed to ``setup()`` in a setup.py, found with ``ast`` only.

    Reports ``install_requires``/``extras_require``/``tests_require`` keywords of any call
    to ``setup``, ``setuptools.setup`` or distutils' setup (imported aliases included), and
    the keys of a module-level dict passed as ``setup(**kwargs)``. Returns None when the
    file does not parse (or exceeds ``MAX_SETUP_BYTES``), an empty tuple when nothing is
    declared. Never raises.
    """
    tree = _parse_python(data)
    return None if tree is None else declarations_in_module(tree)


def declarations_in_module(tree: ast.Module) -> tuple[Declaration, ...]:
    """`setup_py_declarations` for an already parsed module (the audit parses each file once)."""
    setup_names, setup_modules = _setup_bindings(tree)
    module_dicts = _module_level_dicts(tree)
    found: set[Declaration] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_setup_callee(node.func, setup_names, setup_modules):
            found.update(_call_declarations(node, module_dicts))
    return _ordered(found)


def setup_cfg_declarations(data: bytes) -> tuple[Declaration, ...] | None:
    """Dependency declarations in a setup.cfg; None when configparser would reject it.

    Reports the line of ``install_requires`` and ``tests_require`` in ``[options]`` (keys
    ``"[options] install_requires"``, ``"[options] tests_require"``) and the header line of
    ``[options.extras_require]`` when that section has entries. Never raises.
    """
    if len(data) > MAX_SETUP_BYTES:
        return None
    try:
        document = parse_ini(decode_text(data))
    except IniError:
        return None
    return declarations_in_ini(document)


def declarations_in_ini(document: IniDocument) -> tuple[Declaration, ...]:
    """`setup_cfg_declarations` for an already parsed setup.cfg (one parse per audit).

    A key written twice is declared where the value setuptools reads stands (the later
    one); setuptools also accepted dashed keys (``install-requires``), with a warning."""
    found: list[Declaration] = []
    options = document.section(_OPTIONS)
    for key in ("install_requires", "tests_require"):
        entry = None if options is None else options.entries.get(key) or options.entries.get(key.replace("_", "-"))
        if entry is not None:
            found.append(Declaration(entry.line, f"[{_OPTIONS}] {key}"))
    extras = document.section(_EXTRAS_SECTION)
    if extras is not None and extras.entries:
        found.append(Declaration(extras.line, f"[{_EXTRAS_SECTION}]"))
    return _ordered(found)


def _parse_python(data: bytes) -> ast.Module | None:
    if len(data) > MAX_SETUP_BYTES:
        return None
    try:
        with warnings.catch_warnings():
            # Invalid escapes and the like warn at parse time; they are not our concern,
            # and a warnings-as-errors filter must not turn them into a failure.
            warnings.simplefilter("ignore")
            return ast.parse(data, filename="setup.py", mode="exec")
    except Exception:
        # Hostile source: SyntaxError, ValueError, RecursionError, MemoryError and codec
        # errors (a bogus coding cookie) all mean "does not parse".
        return None


def _setup_bindings(tree: ast.Module) -> tuple[frozenset[str], frozenset[str]]:
    """Names bound to a packaging ``setup`` function, and names of modules that provide it."""
    setup_names = {"setup"}
    modules = set(_SETUP_MODULES)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in _SETUP_MODULES:
            setup_names.update(_setup_function_aliases(node))
        elif isinstance(node, ast.Import):
            modules.update(_setup_module_aliases(node))
    return frozenset(setup_names), frozenset(modules)


def _setup_function_aliases(node: ast.ImportFrom) -> list[str]:
    """Local names of ``setup`` in ``from setuptools import setup [as name]``."""
    return [alias.asname or alias.name for alias in node.names if alias.name == "setup"]


def _setup_module_aliases(node: ast.Import) -> list[str]:
    """``name`` in ``import setuptools as name``; the unaliased modules are known already."""
    return [alias.asname for alias in node.names if alias.asname and alias.name in _SETUP_MODULES]


def _is_setup_callee(func: ast.expr, names: frozenset[str], modules: frozenset[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id in names
    if isinstance(func, ast.Attribute) and func.attr == "setup":
        return _dotted_name(func.value) in modules
    return False


def _dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attribute accesses on a name, else None (iterative: a
    hostile file may nest attributes deeper than the recursion limit)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _module_level_dicts(tree: ast.Module) -> dict[str, set[Declaration]]:
    """Declarations held by module-level dicts, by variable name.

    Covers ``kw = {...}``, ``kw = dict(...)`` and ``kw["install_requires"] = ...``.
    """
    found: dict[str, set[Declaration]] = {}
    for statement in tree.body:
        for target, value in _assignments(statement):
            if isinstance(target, ast.Name):
                found.setdefault(target.id, set()).update(_mapping_declarations(value))
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                key = _declared_key(target.slice)
                if key is not None:
                    found.setdefault(target.value.id, set()).add(Declaration(target.lineno, key))
    return found


def _assignments(statement: ast.stmt) -> Iterable[tuple[ast.expr, ast.expr]]:
    if isinstance(statement, ast.Assign):
        return [(target, statement.value) for target in statement.targets]
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return [(statement.target, statement.value)]
    return []


def _mapping_declarations(value: ast.expr) -> set[Declaration]:
    """Declarations in a dict display or a ``dict(...)`` call."""
    if isinstance(value, ast.Dict):
        found: set[Declaration] = set()
        for key_node in value.keys:
            key = None if key_node is None else _declared_key(key_node)
            if key_node is not None and key is not None:
                found.add(Declaration(key_node.lineno, key))
        return found
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        return _keyword_declarations(value.keywords)
    return set()


def _declared_key(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and node.value in _DECLARATION_KEYS:
        return str(node.value)
    return None


def _keyword_declarations(keywords: Iterable[ast.keyword]) -> set[Declaration]:
    return {
        Declaration(keyword.lineno, keyword.arg)
        for keyword in keywords
        if keyword.arg in _DECLARATION_KEYS
    }


def _call_declarations(
    call: ast.Call, module_dicts: dict[str, set[Declaration]]
) -> set[Declaration]:
    found = _keyword_declarations(call.keywords)
    for keyword in call.keywords:
        if keyword.arg is not None:
            continue
        if isinstance(keyword.value, ast.Name):
            found.update(module_dicts.get(keyword.value.id, set()))
        else:
            found.update(_mapping_declarations(keyword.value))
    return found


def _ordered(declarations: Iterable[Declaration]) -> tuple[Declaration, ...]:
    return tuple(sorted(set(declarations), key=lambda item: (item.line, item.key)))
