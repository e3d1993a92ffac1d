"""UDEF022 complexity-gate: CI or pre-commit fails on a cyclomatic complexity of 10 or more."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from udef_audit.commands import Invocation
from udef_audit.commands.words import program
from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.tool_settings import (
    flake8_checks_complexity,
    flake8_max_complexity,
    option_value,
    ruff_command_selection,
    ruff_enables,
    ruff_max_complexity,
)

# The contract's bound: "Cyclomatic complexity < 10", which every enforcer below reads as
# a limit of at most 10 (xenon's rank B is 6-10; ruff's and flake8's max-complexity N
# fails above N).
_LIMIT = 10
# xenon's ranks, by the highest complexity each allows (F has no bound).
_XENON_RANKS = {"A": 5, "B": 10, "C": 20, "D": 30, "E": 40, "F": 10_000}
_RUFF_SUBCOMMANDS = frozenset(
    {"format", "rule", "config", "linter", "clean", "version", "help", "server", "analyze", "generate-shell-completion"}
)


@dataclass(frozen=True)
class _Limit:
    """One enforcer: the highest complexity it lets through, and where that is set."""

    value: int
    path: str
    line: int
    column: int | None
    how: str


class ComplexityGate:
    """Reads what CI and pre-commit run (`ctx.commands`) for a complexity enforcer:
    xenon with `--max-absolute`, ruff with McCabe's C901 selected (its configuration and
    command line, `max-complexity` defaulting to 10), flake8 with `max-complexity`. One
    enforcer at 10 or less passes; otherwise one result, at the lowest limit found or, when
    there is none, at the ruff configuration (else the main CI file, else the manifest)."""

    id: ClassVar[str] = "UDEF022"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        commands = ctx.commands
        limits = [
            limit
            for invocation in (*commands.invocations(), *commands.hook_invocations())
            if (limit := _limit(ctx, invocation)) is not None
        ]
        if any(limit.value <= _LIMIT for limit in limits):
            return
        if limits:
            lowest = min(limits, key=lambda limit: limit.value)
            message = _too_high_message(lowest, len(limits))
            place = (lowest.path, lowest.line, lowest.column)
            yield Finding(self.id, message, *place, key="limit above 10", kind="limit-too-high")
            return
        anchor = _anchor(ctx)
        if anchor is not None:
            yield Finding(self.id, _NOT_ENFORCED, anchor[0], anchor[1], key="not enforced", kind="not-enforced")


def _limit(ctx: RepoContext, invocation: Invocation) -> _Limit | None:
    name, args = program(invocation.argv)
    argv = invocation.argv[args:]
    if name == "xenon":
        return _xenon(invocation, argv)
    if name == "ruff":
        return _ruff(ctx, invocation, argv)
    if name == "flake8":
        return _flake8(ctx, invocation, argv)
    return None


def _xenon(invocation: Invocation, argv: Sequence[str]) -> _Limit | None:
    """`xenon -b B` / `--max-absolute B`: the rank each block must not exceed."""
    rank = option_value(argv, "-b", "--max-absolute")
    if rank is None or rank.upper() not in _XENON_RANKS:
        return None
    options = ("-b", "--max-absolute")
    place = next((w for w in invocation.words if w.text.partition("=")[0] in options), invocation.words[0])
    how = f"xenon --max-absolute {rank.upper()} ({invocation.describe()})"
    return _Limit(_XENON_RANKS[rank.upper()], invocation.path, place.line, place.column, how)


def _ruff(ctx: RepoContext, invocation: Invocation, argv: Sequence[str]) -> _Limit | None:
    """A `ruff check` whose selection enables C901: its `max-complexity`."""
    operands = [word for word in argv if not word.startswith("-")]
    if operands and operands[0] != "check" and operands[0] in _RUFF_SUBCOMMANDS:
        return None
    config = ctx.tool_config_at(invocation.folder, "ruff")
    select, ignore = ruff_command_selection(config, argv)
    if not ruff_enables("C901", select, ignore):
        return None
    value, line = ruff_max_complexity(config)
    if config is not None and line is not None:
        return _Limit(value, config.path, line, None, f"ruff's max-complexity in {config.label}")
    return _Limit(value, invocation.path, invocation.line, invocation.column, f"ruff C901 ({invocation.describe()})")


def _flake8(ctx: RepoContext, invocation: Invocation, argv: Sequence[str]) -> _Limit | None:
    """flake8 with `max-complexity` set (mccabe's C901 is off without it)."""
    config = ctx.tool_config_at(invocation.folder, "flake8")
    value, line = flake8_max_complexity(config, argv)
    if value is None or value < 1 or not flake8_checks_complexity(config, argv):
        return None
    if config is not None and line is not None:
        return _Limit(value, config.path, line, None, f"flake8's max-complexity in {config.label}")
    return _Limit(value, invocation.path, invocation.line, invocation.column, f"flake8 ({invocation.describe()})")


def _anchor(ctx: RepoContext) -> tuple[str, int] | None:
    """The ruff configuration's section line (`ruff.toml` line 1), else the main CI file's
    line 1, else the root project's manifest."""
    ruff = ctx.tool_configs("", "ruff").read
    if ruff is not None:
        return ruff.path, ruff.line
    main = ctx.commands.main_pipeline()
    if main is not None:
        return main.path, 1
    manifest = next((project.anchor for project in ctx.projects if project.anchor), None) or ctx.repository_anchor
    return None if manifest is None else (manifest, 1)


def _too_high_message(lowest: _Limit, count: int) -> str:
    others = f" (the lowest of {count} limits)" if count > 1 else ""
    return (
        f"complexity is limited only above 10: {lowest.how} lets functions reach {_shown(lowest.value)}{others}: "
        "lower it to 10 (xenon --max-absolute B, or `max-complexity = 10`)."
    )


def _shown(value: int) -> str:
    return "any complexity" if value >= _XENON_RANKS["F"] else f"complexity {value}"


_NOT_ENFORCED = (
    "no complexity gate: neither CI nor pre-commit runs xenon --max-absolute, ruff with McCabe's C901 "
    "selected, or flake8 with max-complexity: select `C90` in ruff's lint configuration (its max-complexity "
    "defaults to 10) and run `ruff check` in CI, or add `xenon src --max-absolute B --max-modules B "
    "--max-average B` to the pipeline."
)
