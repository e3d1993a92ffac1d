"""UDEF020 ci-pipeline: CI lints with ruff, type checks with mypy --strict and runs the
tests with coverage."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from udef_audit.commands import Invocation
from udef_audit.commands.coverage import coverage_use
from udef_audit.commands.words import program
from udef_audit.context import RepoContext
from udef_audit.findings import Finding, Level
from udef_audit.tool_settings import config_file_option, mypy_strictness, pytest_addopts

# ruff's subcommands other than `check` (`ruff <paths>` is the old spelling of `ruff check`).
_RUFF_SUBCOMMANDS = frozenset(
    {"format", "rule", "config", "linter", "clean", "version", "help", "server", "analyze", "generate-shell-completion"}
)
_MYPY = frozenset({"mypy", "dmypy"})
_NOT_A_CHECK = frozenset({"--version", "-V", "--help", "-h"})
_MAX_UNFOLLOWED_NAMED = 3


class CiPipeline:
    """Reads what CI runs (`ctx.commands`: every CI definition's jobs, followed into
    scripts, Makefiles, tox, nox, pre-commit hooks and task runners) and looks for the
    methodology's pipeline: `ruff check`, mypy in strict mode, and the tests run under
    coverage. Results point at the main CI file (the one that runs the tests), or at the
    command that falls short, and say how it was reached."""

    id: ClassVar[str] = "UDEF020"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        commands = ctx.commands
        main = commands.main_pipeline()
        if main is None:
            anchor = ctx.repository_anchor
            if anchor is not None:
                yield self._finding(anchor, 1, _NO_CI, "no CI", "no-ci", level=Level.ERROR)
            return
        invocations = commands.invocations()
        not_followed = _not_followed(ctx)
        if not any(_lints(invocation.argv) for invocation in invocations):
            message = _no_lint_message(main.path, invocations, not_followed)
            yield self._finding(main.path, 1, message, "no ruff check", "no-lint")
        yield from self._mypy(ctx, main.path, invocations, not_followed)
        yield from self._tests(ctx, main.path, not_followed)

    def _mypy(
        self, ctx: RepoContext, main: str, invocations: Sequence[Invocation], not_followed: str
    ) -> Iterator[Finding]:
        runs = [invocation for invocation in invocations if _type_checks(invocation.argv)]
        if not runs:
            message = f"{main}: CI runs no mypy{not_followed}: add a step running `mypy --strict` on the code."
            yield self._finding(main, 1, message, "no mypy", "no-type-check")
            return
        verdicts = _not_strict(ctx, runs)
        if not verdicts:
            return
        first, source = _first_in(main, verdicts)
        others = _more(_places(runs) - 1, "mypy command", "runs", "run")
        message = (
            f"mypy runs without strict mode: {first.describe()} ({source}{others}): add `--strict` to the command, "
            "or `strict = true` to the mypy configuration it reads."
        )
        yield self._finding(first.path, first.line, message, "mypy not strict", "mypy-not-strict", column=first.column)

    def _tests(self, ctx: RepoContext, main: str, not_followed: str) -> Iterator[Finding]:
        tests = ctx.commands.test_invocations()
        if not tests:
            message = (
                f"{main}: CI runs no tests{not_followed}: add a step running pytest with coverage "
                "(`pytest --cov --cov-branch`)."
            )
            yield self._finding(main, 1, message, "no tests", "no-tests")
            return
        if any(_measures_coverage(ctx, test) for test in tests):
            return
        first, _ = _first_in(main, [(test, None) for test in tests])
        others = _more(_places(tests) - 1, "test command", "runs", "run", suffix=" without coverage")
        message = (
            f"the tests run without coverage: {first.describe()} (no `--cov`, no `coverage run`{others}): run them "
            "under coverage, `pytest --cov --cov-branch` or `coverage run --branch -m pytest`."
        )
        key = "tests without coverage"
        yield self._finding(first.path, first.line, message, key, "no-coverage", column=first.column)

    def _finding(
        self,
        path: str,
        line: int,
        message: str,
        key: str,
        kind: str,
        *,
        column: int | None = None,
        level: Level | None = None,
    ) -> Finding:
        return Finding(self.id, message, path, line, column, key=key, kind=kind, level=level)


def _not_strict(ctx: RepoContext, runs: Sequence[Invocation]) -> list[tuple[Invocation, str]]:
    """The mypy commands known not to be strict, with why; none when one is strict (or
    when each runs where the repository cannot say which configuration it reads)."""
    verdicts = [(run, _strictness(ctx, run)) for run in runs]
    if any(strict for _, (strict, _) in verdicts):
        return []
    return [(run, source) for run, (strict, source) in verdicts if strict is not None]


def _type_checks(argv: Sequence[str]) -> bool:
    """mypy (or dmypy) checking code: not `mypy --version` or `--help`."""
    name, args = program(argv)
    return name in _MYPY and not any(word in _NOT_A_CHECK for word in argv[args:])


def _lints(argv: Sequence[str]) -> bool:
    """`ruff check ...`, or `ruff <paths>` (the old spelling); `ruff format` is no lint."""
    name, args = program(argv)
    if name != "ruff":
        return False
    rest = [word for word in argv[args:] if not word.startswith("-")]
    return not rest or rest[0] == "check" or rest[0] not in _RUFF_SUBCOMMANDS


def _strictness(ctx: RepoContext, run: Invocation) -> tuple[bool | None, str]:
    """Whether a mypy command is strict (`--strict`, or the configuration it reads), and
    where the verdict comes from; None when it runs in a folder the repository does not
    hold (a project a template generates, an image's folder): its configuration is unknown."""
    argv = run.argv
    if "--strict" in argv:
        return True, "--strict"
    if run.folder and not any(path.startswith(run.folder + "/") for path in ctx.files):
        return None, f"it runs in {run.folder}, which the repository does not hold"
    named = config_file_option(argv)
    if named is not None:
        path = posixpath.normpath(posixpath.join(run.folder, named)) if run.folder else named
        config = ctx.tool_config_file(path, "mypy")
        return (
            (False, f"{path}, named by --config-file, has no mypy configuration")
            if config is None
            else (mypy_strictness(config))
        )
    config = ctx.tool_config_at(run.folder, "mypy")
    if config is None:
        return False, "no --strict, and no mypy configuration"
    return mypy_strictness(config)


def _measures_coverage(ctx: RepoContext, test: Invocation) -> bool:
    """Whether a test command runs under coverage (its own words, or pytest's addopts)."""
    config = ctx.tool_config_at(test.folder, "pytest") if program(test.argv)[0] in ("pytest", "py.test") else None
    return coverage_use(test.words, pytest_addopts(config)).measures


def _first_in(main: str, items: Sequence[tuple[Invocation, Any]]) -> tuple[Invocation, Any]:
    """The first item whose invocation the main CI file runs, else the first."""
    return next((item for item in items if item[0].pipeline == main), items[0])


def _places(invocations: Sequence[Invocation]) -> int:
    """How many different commands: a command reached through several matrix values, tox
    environments or workflows is written once."""
    return len({(invocation.path, invocation.line, invocation.argv) for invocation in invocations})


def _more(count: int, noun: str, verb_one: str, verb_many: str, suffix: str = "") -> str:
    if count <= 0:
        return ""
    verb = verb_one if count == 1 else verb_many
    return f"; {count} more {noun}{'s' if count > 1 else ''} {verb}{suffix}"


def _not_followed(ctx: RepoContext) -> str:
    """What CI runs that the model could not follow, said in a message: the answer may lie
    there (a reusable workflow of another repository, a remote include)."""
    unfollowed = ctx.commands.unfollowed()
    if not unfollowed:
        return ""
    named = "; ".join(f"{u.path}:{u.line} `{u.text}`, {u.reason}" for u in unfollowed[:_MAX_UNFOLLOWED_NAMED])
    more = f"; {len(unfollowed) - _MAX_UNFOLLOWED_NAMED} more" if len(unfollowed) > _MAX_UNFOLLOWED_NAMED else ""
    return f" (not followed: {named}{more})"


def _no_lint_message(main: str, invocations: Sequence[Invocation], not_followed: str) -> str:
    formats = any(program(i.argv)[0] == "ruff" for i in invocations)
    alone = " (`ruff format` alone formats, it does not lint)" if formats else ""
    return (
        f"{main}: CI runs no `ruff check`{alone}{not_followed}: add a step running `ruff check .` "
        "(or the astral-sh/ruff-action action, or a ruff hook through `pre-commit run --all-files`)."
    )


_NO_CI = (
    "no CI definition: nothing runs the lint, the type check and the tests on every change; add "
    ".github/workflows/ci.yml (or .gitlab-ci.yml) running `ruff check`, `mypy --strict` and "
    "`pytest --cov --cov-branch --cov-fail-under=80`."
)
