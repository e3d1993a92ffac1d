"""UDEF012 tests-present: a project with code has tests, and its tests have fixtures."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding, Level
from udef_audit.parsers.pytest_fixtures import plugin_modules
from udef_audit.projects import SRC_DIR, Project

CONFTEST = "conftest.py"
MAX_NAMED = 3


class ProjectTestsRule:
    """For each project with Python code of its own (src code, flat packages and modules),
    looks for test files (`test_*.py`, `*_test.py`, Python files under a `tests`/`test`
    folder) and for a conftest.py that pytest loads for them and that defines a fixture."""

    id: ClassVar[str] = "UDEF012"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        test_dirs = frozenset(params.get("test-dirs", ("tests", "test")))
        for project in ctx.projects:
            if not project.has_own_code:
                continue
            anchor = project.anchor or ctx.repository_anchor or _first_code_file(project)
            tests = [f for f in project.files if _is_test_file(project.rel(f), test_dirs)]
            if not tests:
                yield self._finding(anchor, project, "no-tests", _no_tests(project), Level.ERROR)
                continue
            conftests = _conftests_for(project, tests)
            if _defines_fixtures(ctx, project, conftests) is False:
                message = _no_fixtures(project, tests, conftests, _modules_with_fixtures(ctx, tests))
                yield self._finding(anchor, project, "no-fixtures", message, Level.WARNING)

    def _finding(self, anchor: str, project: Project, kind: str, message: str, level: Level) -> Finding:
        return Finding(
            rule_id=self.id, path=anchor, line=1, message=message, key=f"{kind}:{project.path}", kind=kind, level=level
        )


def _first_code_file(project: Project) -> str:
    """Where a result about a project with code and neither manifest nor README points."""
    flat = [code.path for code in project.flat_code]
    source = [f for f in project.files if project.rel(f).startswith(f"{SRC_DIR}/") and f.endswith(".py")]
    return min([*flat, *source])


def _is_test_file(rel: str, test_dirs: frozenset[str]) -> bool:
    folders, _, name = rel.rpartition("/")
    # conftest.py and __init__.py configure or mark a test folder; they hold no test.
    if not name.endswith(".py") or name in (CONFTEST, "__init__.py"):
        return False
    if name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in test_dirs for part in folders.split("/"))


def _conftests_for(project: Project, tests: Sequence[str]) -> list[str]:
    """The project's conftest.py files that pytest loads for at least one of its tests: one
    in a test file's folder or a folder above it."""
    test_folders = {posixpath.dirname(t) for t in tests}
    found = []
    for path in project.files:
        if posixpath.basename(path) != CONFTEST:
            continue
        folder = posixpath.dirname(path)
        if any(f == folder or not folder or f.startswith(folder + "/") for f in test_folders):
            found.append(path)
    return found


def _defines_fixtures(ctx: RepoContext, project: Project, conftests: Sequence[str]) -> bool | None:
    """True when a conftest (or a plugin module it names in `pytest_plugins`) defines a
    fixture; None when one could not be parsed (no verdict); else False. Fixtures come from
    the cached Python facts (parsed once, shared with UDEF005/UDEF006)."""
    facts = ctx.python_facts(conftests)
    unreadable = False
    for path in conftests:
        found = facts.get(path)
        if found is None or found.error:
            unreadable = True
        elif found.fixtures or _plugins_define_fixtures(ctx, project, path):
            return True
    return None if unreadable else False


def _plugins_define_fixtures(ctx: RepoContext, project: Project, conftest: str) -> bool:
    """Whether a module the conftest names in `pytest_plugins` defines a fixture (read only
    for a conftest without fixtures of its own; only modules that are files of the project)."""
    data = ctx.read_bytes(conftest)
    module = ctx.python_module(conftest) if data is not None and b"pytest_plugins" in data else None
    plugins = list(_plugin_paths(ctx, project, plugin_modules(module))) if module is not None else []
    return any(found.fixtures for found in ctx.python_facts(plugins).values())


def _modules_with_fixtures(ctx: RepoContext, tests: Sequence[str]) -> list[str]:
    """Test modules that define fixtures of their own, for the message (the first three)."""
    facts = ctx.python_facts(tests)
    return [path for path in tests if path in facts and facts[path].fixtures][:MAX_NAMED]


def _plugin_paths(ctx: RepoContext, project: Project, modules: Sequence[str]) -> Iterator[str]:
    """The project's files for dotted module names (`tests.fixtures`), beside the project
    root or under its `src/`; modules from installed packages are not in the repository."""
    for name in modules:
        rel = name.replace(".", "/")
        for base in ("", f"{SRC_DIR}/"):
            for candidate in (f"{base}{rel}.py", f"{base}{rel}/__init__.py"):
                if ctx.exists(project.join(candidate)):
                    yield project.join(candidate)


def _where(project: Project) -> str:
    return f"the project in {project.path}" if project.path else "the repository root project"


def _no_tests(project: Project) -> str:
    return (
        f"no tests: {_where(project)} has Python code but no test file (`test_*.py`, `*_test.py` "
        "or a Python file under `tests/`); write the tests first, TDD is not optional."
    )


def _no_fixtures(project: Project, tests: Sequence[str], conftests: Sequence[str], local: Sequence[str]) -> str:
    count = f"{len(tests)} test file{'s' if len(tests) != 1 else ''}"
    if conftests:
        verb = "defines" if len(conftests) == 1 else "define"
        found = f"{', '.join(conftests)} {verb} no `@pytest.fixture` (only hooks or settings)"
    else:
        found = "no conftest.py defines a `@pytest.fixture` for them"
    if local:
        found += f" (fixtures are defined only inside test modules: {', '.join(local)})"
    return (
        f"no test fixtures: {_where(project)} has {count} but {found}; configure shared fixtures "
        "in tests/conftest.py."
    )
