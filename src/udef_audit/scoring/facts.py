"""What the score needs to know about a repository beyond its findings, gathered once.

The score itself (reset_repair.py) is a pure function of findings, the policy, these facts,
the history and the model; this module is the one place that reads the repository for it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from udef_audit.context import RepoContext
from udef_audit.parsers.gitlog import History
from udef_audit.projects import Project

CI_FILES = re.compile(
    r"^(?:\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci/config\.ya?ml|Jenkinsfile|"
    r"azure-pipelines\.ya?ml|\.travis\.ya?ml|bitbucket-pipelines\.ya?ml|\.buildkite/.+\.ya?ml|\.drone\.ya?ml|"
    r"\.woodpecker(?:/.+)?\.ya?ml)$"
)
TEST_FILE = re.compile(r"(?:^|/)(?:tests?|testing)/|(?:^|/)test_[^/]*\.py$|_test\.py$|(?:^|/)conftest\.py$")


@dataclass(frozen=True)
class ProjectFacts:
    """A project as the score sees it: where it is, how it is named, how much code it has."""

    path: str
    label: str
    anchor: str | None
    code_size: int


@dataclass(frozen=True)
class ComplexFunction:
    """A function over the complexity limit."""

    path: str
    name: str
    line: int
    complexity: int


@dataclass(frozen=True)
class ScoreFacts:
    """Everything the score reads from the repository, as plain data."""

    projects: tuple[ProjectFacts, ...]
    python_files: frozenset[str]
    has_tests: bool
    has_ci: bool
    repository_anchor: str
    setup_beside_pyproject: tuple[str, ...] = ()
    changed_python: tuple[str, ...] = ()  # in the history window, most recently changed first
    complexity_measured: int = 0  # how many of the changed files were measured (a byte budget)
    complex_functions: tuple[ComplexFunction, ...] = ()


def gather_facts(ctx: RepoContext, history: History, model: Mapping[str, object]) -> ScoreFacts:
    """Read what the score needs: projects, tests, CI, churn facts and recent complexity."""
    debt = model["criteria"]["debt-vs-velocity"]  # type: ignore[index]
    changed = changed_python(history, ctx.file_set)
    measured = within_budget(changed, int(debt["complexity-budget-bytes"]), ctx.file_size)
    return ScoreFacts(
        projects=tuple(_project_facts(p) for p in ctx.projects),
        python_files=frozenset(ctx.python_files),
        has_tests=any(f.endswith(".py") and TEST_FILE.search(f) for f in ctx.files),
        has_ci=any(CI_FILES.match(f) for f in ctx.files),
        repository_anchor=_repository_anchor(ctx),
        setup_beside_pyproject=tuple(_setup_beside_pyproject(ctx)),
        changed_python=tuple(changed),
        complexity_measured=len(measured),
        complex_functions=tuple(complex_functions(ctx, measured, int(debt["complexity-limit"]))),
    )


def _project_facts(project: Project) -> ProjectFacts:
    size = len(project.own_python) or sum(1 for f in project.files if f.endswith(".py"))
    return ProjectFacts(project.path, project.label, project.anchor, size)


def _repository_anchor(ctx: RepoContext) -> str:
    readme = next((f for f in ctx.files if "/" not in f and f.upper().startswith("README")), None)
    return readme or (ctx.projects[0].anchor if ctx.projects and ctx.projects[0].anchor else ".")


def _setup_beside_pyproject(ctx: RepoContext) -> list[str]:
    """setup.py files that pass metadata to setup() beside a pyproject.toml `[project]` table."""
    found = []
    for project in ctx.projects:
        setup_py, pyproject = project.join("setup.py"), project.join("pyproject.toml")
        data = ctx.toml(pyproject) if ctx.exists(pyproject) else None
        if data and "project" in data and ctx.exists(setup_py) and setup_py_has_metadata(ctx, setup_py):
            found.append(setup_py)
    return found


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


def changed_python(history: History, in_scope: frozenset[str]) -> list[str]:
    """Python files changed in the window, most recently changed first (commits are newest
    first; in a window of more than git_history.FILE_LIST_COMMITS commits, by the newest)."""
    if not history.available:
        return []
    return list(dict.fromkeys(f for c in history.commits for f in c.files if f.endswith(".py") and f in in_scope))


def within_budget(paths: Sequence[str], budget: int, size: Callable[[str], int | None]) -> list[str]:
    """The leading paths whose sizes fit the byte budget (0: all). Parsing every changed file
    of a large repository costs seconds on a cold cache; recent changes matter most."""
    if budget <= 0:
        return list(paths)
    chosen: list[str] = []
    used = 0
    for path in paths:
        bytes_ = size(path) or 0
        if used + bytes_ > budget and chosen:
            break
        chosen.append(path)
        used += bytes_
    return chosen


def complexity_sample(ctx: RepoContext, history: History, model: Mapping[str, object]) -> list[str]:
    """The files whose complexity the score will measure (as `gather_facts` chooses them),
    sized without a read a rule could be said to make: to measure them ahead."""
    debt = model["criteria"]["debt-vs-velocity"]  # type: ignore[index]
    return within_budget(changed_python(history, ctx.file_set), int(debt["complexity-budget-bytes"]), ctx.quiet_size)


def complex_functions(ctx: RepoContext, paths: Sequence[str], limit: int) -> list[ComplexFunction]:
    """Functions above `limit`, from the context's complexity facts (McCabe as radon counts
    it, measured in worker processes and cached by content)."""
    measured = ctx.complexity(paths)
    return [
        ComplexFunction(path, function.name, function.line, function.complexity)
        for path in paths
        for function in measured.get(path, ())
        if function.complexity > limit
    ]
