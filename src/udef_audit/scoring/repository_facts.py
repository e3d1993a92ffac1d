"""Facts about a repository the score needs beyond the rules' findings."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from udef_audit.cache import FactsCache, content_key
from udef_audit.context import RepoContext

CI_FILES = re.compile(
    r"^(?:\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci/config\.ya?ml|Jenkinsfile|"
    r"azure-pipelines\.ya?ml|\.travis\.ya?ml|bitbucket-pipelines\.ya?ml|\.buildkite/.+\.ya?ml|\.drone\.ya?ml|"
    r"\.woodpecker(?:/.+)?\.ya?ml)$"
)
TEST_FILE = re.compile(r"(?:^|/)(?:tests?|testing)/|(?:^|/)test_[^/]*\.py$|_test\.py$|(?:^|/)conftest\.py$")


def has_ci(ctx: RepoContext) -> bool:
    """Whether a CI pipeline definition is in scope."""
    return any(CI_FILES.match(f) for f in ctx.files)


def has_tests(ctx: RepoContext) -> bool:
    """Whether test code is in scope (a tests/ folder or test_*.py / *_test.py files)."""
    return any(f.endswith(".py") and TEST_FILE.search(f) for f in ctx.files)


def setup_py_has_metadata(ctx: RepoContext, path: str) -> bool:
    """Whether setup.py passes arguments to setup() (a bare `setup()` shim carries none)."""
    module = ctx.python_module(path)
    if module is None:
        return False
    return any(
        isinstance(node, ast.Call) and _called_name(node.func) == "setup" and bool(node.keywords or node.args)
        for node in ast.walk(module)
    )


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def complex_functions(ctx: RepoContext, paths: Sequence[str], limit: int) -> list[tuple[str, str, int, int]]:
    """(path, function, line, complexity) of functions above `limit` (radon), cached by content."""
    cache = FactsCache(ctx.root, "complexity", str(limit), enabled=ctx.use_cache)
    found: list[tuple[str, str, int, int]] = []
    seen: set[str] = set()
    for path in paths:
        data = ctx.read_bytes(path)
        if data is None:
            continue
        key = content_key(data)
        seen.add(key)
        blocks = cache.get(key)
        if blocks is None:
            blocks = _over_limit(ctx, path, limit)
            cache.put(key, blocks)
        found.extend((path, name, line, cc) for name, line, cc in blocks)
    cache.save(seen)
    return found


def _over_limit(ctx: RepoContext, path: str, limit: int) -> list[list[object]]:
    from radon.complexity import cc_visit_ast  # noqa: PLC0415 - radon is only needed here

    module = ctx.python_module(path)
    if module is None:
        return []
    try:
        blocks = cc_visit_ast(module)
    except (RecursionError, ValueError, TypeError, AttributeError):
        return []
    return [[b.name, b.lineno, b.complexity] for b in blocks if b.complexity > limit]
