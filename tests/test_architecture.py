"""The arrows of the architecture (../shared/spec/architecture.md), checked on the source.

Every import in src/ counts, lazy ones inside functions too; only imports under
`if TYPE_CHECKING:` are left out (they never run). A test fails naming the module and the
import that breaks an arrow, so a newcomer sees which way the arrow should point.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from conftest import REPO

SRC = REPO / "src"
PACKAGE = "udef_audit"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return skipped


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    yield base
    yield from (f"{base}.{alias.name}" for alias in node.names)


@cache
def import_graph() -> dict[str, set[str]]:
    """module -> the udef_audit modules it imports (only names that are modules)."""
    files = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_bytes())
        skipped = _type_checking_nodes(tree)
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skipped:
                targets.update(t for t in _imported(node, name, path.name == "__init__.py") if t in files)
        graph[name] = targets - {name}
    return graph


def reachable(start: str) -> set[str]:
    graph = import_graph()
    seen, stack = set(), [start]
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _source_path(module: str) -> Path:
    """The file of a package module."""
    return next(p for p in SRC.rglob("*.py") if _module_name(p) == module)


def _all_imports(module: str) -> set[str]:
    """Every module name imported anywhere in the module (the standard library too)."""
    path = _source_path(module)
    tree = ast.parse(path.read_bytes())
    return {
        name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for name in _imported(node, module, path.name == "__init__.py")
    }


def modules_under(prefix: str) -> list[str]:
    return sorted(m for m in import_graph() if m == prefix or m.startswith(prefix + "."))


ENGINE_AND_CLI = {f"{PACKAGE}.engine", f"{PACKAGE}.rule_runs", f"{PACKAGE}.cli", f"{PACKAGE}.service"}


def test_the_graph_sees_the_package() -> None:
    graph = import_graph()
    assert f"{PACKAGE}.engine" in graph and f"{PACKAGE}.cli" in graph[f"{PACKAGE}.console"]
    assert f"{PACKAGE}.console" in graph[f"{PACKAGE}.__main__"]
    assert f"{PACKAGE}.engine" in reachable(f"{PACKAGE}.cli")  # the test can see an arrow


@pytest.mark.parametrize("module", modules_under(f"{PACKAGE}.report") + modules_under(f"{PACKAGE}.scoring"))
def test_reporters_and_scoring_never_reach_the_engine_or_the_cli(module: str) -> None:
    # Reporters read the plain result and the policy; scoring reads findings, facts, history.
    assert reachable(module) & ENGINE_AND_CLI == set()


@pytest.mark.parametrize("module", modules_under(f"{PACKAGE}.batch"))
def test_batch_reuses_the_service_never_the_engine_or_the_cli(module: str) -> None:
    assert f"{PACKAGE}.cli" not in reachable(module)
    assert f"{PACKAGE}.engine" not in import_graph()[module]


@pytest.mark.parametrize("module", modules_under(f"{PACKAGE}.parsers"))
def test_parsers_are_pure(module: str) -> None:
    # Parsers never import rules, the engine, the context or anything that reads files.
    allowed = {m for m in import_graph() if m.startswith(f"{PACKAGE}.parsers")} | {f"{PACKAGE}.findings"}
    assert import_graph()[module] - allowed == set()


@pytest.mark.parametrize("module", modules_under(f"{PACKAGE}.rules"))
def test_rules_see_the_repository_only_through_the_context(module: str) -> None:
    forbidden = {f"{PACKAGE}.{m}" for m in ("cli", "engine", "service", "batch", "inventory", "safe_read")}
    forbidden |= {m for m in import_graph() if m.startswith((f"{PACKAGE}.report", f"{PACKAGE}.batch"))}
    assert import_graph()[module] & forbidden == set()
    others = {m for m in modules_under(f"{PACKAGE}.rules") if m not in (module, f"{PACKAGE}.rules")}
    assert import_graph()[module] & others == set(), "a rule imports another rule's internals"


@pytest.mark.parametrize(
    "module", [*modules_under(f"{PACKAGE}.rules"), *modules_under(f"{PACKAGE}.commands")]
)
def test_rules_and_the_commands_model_never_touch_the_file_system(module: str) -> None:
    # The rule cache (rule_cache.py, ADR 0012) knows what a rule read only because every
    # read goes through the context: no file, process or path of their own.
    forbidden = {"os", "io", "pathlib", "subprocess", "shutil", "glob", "tempfile"}
    assert {name.split(".")[0] for name in _all_imports(module)} & forbidden == set()
    tree = ast.parse(_source_path(module).read_bytes())
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "open" not in called


@pytest.mark.parametrize("module", modules_under(f"{PACKAGE}.commands"))
def test_the_commands_model_reads_the_repository_only_through_the_context(module: str) -> None:
    # The context owns the model and hands itself in (a protocol); extraction is pure.
    forbidden = {f"{PACKAGE}.{m}" for m in ("cli", "engine", "service", "context", "inventory", "safe_read")}
    outside = (f"{PACKAGE}.rules", f"{PACKAGE}.report", f"{PACKAGE}.batch")
    forbidden |= {m for m in import_graph() if m.startswith(outside)}
    assert import_graph()[module] & forbidden == set()


def test_no_import_cycle() -> None:
    graph = import_graph()
    cycles = [m for m in graph if m in reachable(m)]
    assert cycles == []
