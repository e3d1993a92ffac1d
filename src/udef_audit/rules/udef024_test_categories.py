"""UDEF024 test-categories: a project's tests are split into unit, integration and
performance tests."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import CATEGORIES as CATEGORIES_PROPERTY
from udef_audit.findings import Finding
from udef_audit.projects import TEST_DIRS, Project
from udef_audit.tool_configs import ToolConfig

CATEGORIES = ("unit", "integration", "performance")
_DEFAULT_NAMES = {
    "unit": ["unit"],
    "integration": ["integration", "e2e"],
    "performance": ["performance", "perf", "benchmarks"],
}
_MARKER_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")


class TestCategories:
    """For each project with tests: every category (unit, integration, performance) must
    exist as a folder of its name in the test tree (`tests/unit/`, or a `t/unit/` holding
    test files; `e2e` counts as integration, `perf` and `benchmarks` as performance, and so
    does a `benchmarks/` folder at the project's top level) or as a marker declared in the pytest configuration pytest
    reads. One note naming the missing categories, at that configuration's section."""

    __test__ = False  # a rule, not a pytest test class
    id: ClassVar[str] = "UDEF024"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        names = {c: [str(n) for n in params.get(f"{c}-names", _DEFAULT_NAMES[c])] for c in CATEGORIES}
        for project in ctx.projects:
            if project.test_files:
                yield from self._project(ctx, project, names)

    def _project(self, ctx: RepoContext, project: Project, names: Mapping[str, Sequence[str]]) -> Iterator[Finding]:
        config = ctx.tool_configs(project.path, "pytest").read
        found = _folder_categories(project, names) | _marker_categories(config, names)
        missing = [c for c in CATEGORIES if c not in found and names[c]]
        path, line = _anchor(ctx, project, config)
        if missing and path is not None:
            message = _message(project, missing, names, config)
            yield Finding(
                self.id,
                message,
                path,
                line,
                key="test categories",
                kind="missing-categories",
                properties={CATEGORIES_PROPERTY: list(missing)},
            )


def _folder_categories(project: Project, names: Mapping[str, Sequence[str]]) -> set[str]:
    """Categories with a folder of their name in the test tree: under a `tests`/`test`
    folder, or holding test files itself (celery's `t/unit/`); for performance also at the
    project's top level (a `benchmarks/` suite of asv files)."""
    by_name = {name: category for category, aliases in names.items() for name in aliases}
    with_tests = {posixpath.dirname(project.rel(path)) for path in project.test_files}
    folders = {posixpath.dirname(project.rel(path)) for path in project.files} - {""}
    named = _named_folders(folders, by_name)
    counted = {folder for folder, category in named.items() if _counts(folder, category, with_tests)}
    return {named[folder] for folder in _with_siblings(counted, named)}


def _with_siblings(counted: set[str], named: Mapping[str, str]) -> set[str]:
    """A category folder beside one that counts is part of the same test tree
    (t/benchmarks beside t/unit), whatever it holds."""
    roots = {posixpath.dirname(folder) for folder in counted}
    return counted | {folder for folder in named if posixpath.dirname(folder) in roots}


def _named_folders(folders: set[str], by_name: Mapping[str, str]) -> dict[str, str]:
    """Every folder (and parent folder) named like a category, with that category."""
    named: dict[str, str] = {}
    for folder in folders:
        parts = folder.split("/")
        for depth, part in enumerate(parts):
            if part in by_name:
                named["/".join(parts[: depth + 1])] = by_name[part]
    return named


def _counts(folder: str, category: str, with_tests: set[str]) -> bool:
    """Whether a folder named like a category is one of the test tree."""
    parts = folder.split("/")
    if any(part in TEST_DIRS for part in parts[:-1]) or (len(parts) == 1 and category == "performance"):
        return True
    return any(found == folder or found.startswith(folder + "/") for found in with_tests)


def _marker_categories(config: ToolConfig | None, names: Mapping[str, Sequence[str]]) -> set[str]:
    """Categories with a marker declared in the pytest configuration pytest reads."""
    declared = set(_declared_markers(config))
    return {category for category, aliases in names.items() if declared & set(aliases)}


def _declared_markers(config: ToolConfig | None) -> Iterator[str]:
    """Marker names of the `markers` setting (`name: description` or `name(args): …` per
    line in INI, or a list of such strings in TOML)."""
    value = None if config is None else config.settings.get("markers")
    lines = value.split("\n") if isinstance(value, str) else value if isinstance(value, list) else []
    for line in lines:
        match = _MARKER_NAME.match(str(line))
        if match is not None:
            yield match.group(1)


def _anchor(ctx: RepoContext, project: Project, config: ToolConfig | None) -> tuple[str | None, int]:
    if config is not None:
        return config.path, config.line
    anchor = project.anchor or (ctx.repository_anchor if not project.path else None) or project.test_files[0]
    return anchor, 1


def _message(
    project: Project, missing: Sequence[str], names: Mapping[str, Sequence[str]], config: ToolConfig | None
) -> str:
    where = f" of {project.path}" if project.path else ""
    tests = project.join("tests")
    folders = ", ".join(f"{tests}/{names[c][0]}/" for c in missing)
    markers = ", ".join(f"`{names[c][0]}`" for c in missing)
    plural = "s" if len(missing) > 1 else ""
    declare = f"in {config.label}" if config is not None else "in [tool.pytest.ini_options] of pyproject.toml"
    return (
        f"the tests{where} have no {_or(missing)} category: put those tests in {folders}, or declare the "
        f"{markers} marker{plural} {declare} and mark them (`pytest -m {names[missing[0]][0]}`)."
    )


def _or(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
