"""UDEF021 coverage-gate: a coverage threshold at the methodology's minimum, with branch
coverage."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from udef_audit.commands import Invocation, PlacedWord
from udef_audit.commands.coverage import coverage_use
from udef_audit.commands.words import program
from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.tool_configs import ToolConfig, is_true
from udef_audit.tool_settings import pytest_addopts

# "Start at 80% coverage, reach 95% by Phase 3".
_MINIMUM = 80
_MINIMUM_FROM_PHASE_3 = 95
_PHASE_3 = 3
_PYTEST = ("pytest", "py.test")


@dataclass(frozen=True)
class _Place:
    """Where something is written, and how a message names it."""

    path: str
    line: int
    column: int | None
    label: str


@dataclass(frozen=True)
class _Gate:
    """The thresholds and branch settings found in the repository."""

    thresholds: list[tuple[float, _Place]]
    branch: list[_Place]
    configs: list[ToolConfig]
    tests: tuple[Invocation, ...]


class CoverageGate:
    """Collects every coverage threshold and branch setting of the repository: the
    coverage configurations coverage reads (in the root, each project root, each folder CI
    runs coverage or pytest in, and the files `--rcfile`/`--cov-config` name), the pytest
    configurations' `addopts`, and the commands CI runs (`--cov-fail-under`, `coverage
    report --fail-under`, `--cov-branch`, `coverage run --branch`). The highest threshold
    must reach the minimum (80, 95 from phase 3, or the `minimum` parameter), and branch
    coverage must be on somewhere."""

    id: ClassVar[str] = "UDEF021"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        minimum = _minimum(ctx, params)
        gate = _collect(ctx)
        anchor = _anchor(ctx, gate)
        if not gate.thresholds:
            if anchor is not None:
                yield self._finding(anchor, _no_threshold_message(anchor, minimum), "no threshold", "no-threshold")
        else:
            value, place = max(gate.thresholds, key=lambda found: found[0])
            if value < minimum:
                message = _low_message(value, place, minimum, len(gate.thresholds))
                yield self._finding(place, message, "threshold below minimum", "threshold-too-low")
        if not gate.branch and anchor is not None:
            yield self._finding(anchor, _no_branch_message(anchor), "no branch coverage", "no-branch")

    def _finding(self, place: _Place, message: str, key: str, kind: str) -> Finding:
        return Finding(self.id, message, place.path, place.line, place.column, key=key, kind=kind)


def _minimum(ctx: RepoContext, params: Mapping[str, Any]) -> float:
    """The parameter when set (not 0), else 80, and 95 from a declared phase 3."""
    configured = params.get("minimum", 0)
    if isinstance(configured, (int, float)) and not isinstance(configured, bool) and configured > 0:
        return float(configured)
    return _MINIMUM_FROM_PHASE_3 if ctx.phase is not None and ctx.phase >= _PHASE_3 else _MINIMUM


def _collect(ctx: RepoContext) -> _Gate:
    found = _Found([], [], [])
    runs = [i for i in ctx.commands.invocations() if program(i.argv)[0] in ("coverage", "hatch", *_PYTEST)]
    for invocation in runs:
        found.add(invocation, _pytest_config(ctx, invocation))
    for folder in dict.fromkeys(["", *(project.path for project in ctx.projects)]):
        found.add_addopts(ctx.tool_configs(folder, "pytest").read)
    configs = _configs(ctx, runs, found.named)
    for config in configs:
        found.add_config(config)
    thresholds = list(dict.fromkeys(found.thresholds))  # a pytest configuration read by several runs
    return _Gate(thresholds, found.branch, configs, ctx.commands.test_invocations())


@dataclass
class _Found:
    """Thresholds and branch settings read from commands, and the configurations they name."""

    thresholds: list[tuple[float, _Place]]
    branch: list[_Place]
    named: list[str]

    def add(self, invocation: Invocation, pytest: ToolConfig | None) -> None:
        """A command CI runs (for pytest, with the `addopts` of the configuration it reads)."""
        addopts = pytest_addopts(pytest)
        use = coverage_use(invocation.words, addopts)

        def place(word: PlacedWord) -> _Place:
            if pytest is not None and any(word is option for option in addopts):
                return _Place(pytest.path, word.line, None, f"the addopts of {pytest.label}")
            return _Place(invocation.path, word.line, word.column, invocation.describe())

        if use.threshold is not None:
            self.thresholds.append((use.threshold.value, place(use.threshold.word)))
        if use.branch is not None:
            self.branch.append(place(use.branch))
        if use.config is not None:
            self.named.append(posixpath.normpath(posixpath.join(invocation.folder, use.config)))

    def add_config(self, config: ToolConfig) -> None:
        """A coverage configuration's `[report] fail_under` and `[run] branch`."""
        threshold = _config_threshold(config)
        if threshold is not None:
            self.thresholds.append(threshold)
        if is_true(_section(config, "run").get("branch")):
            self.branch.append(_Place(config.path, config.line_of("run", "branch"), None, config.label))

    def add_addopts(self, pytest: ToolConfig | None) -> None:
        """A pytest configuration's `addopts` (pytest applies them to every run)."""
        addopts = pytest_addopts(pytest)
        if pytest is None or not addopts:
            return
        use = coverage_use([PlacedWord("pytest", pytest.line, None), *addopts])
        label = f"the addopts of {pytest.label}"
        if use.threshold is not None:
            self.thresholds.append((use.threshold.value, _Place(pytest.path, use.threshold.word.line, None, label)))
        if use.branch is not None:
            self.branch.append(_Place(pytest.path, use.branch.line, None, label))


def _pytest_config(ctx: RepoContext, invocation: Invocation) -> ToolConfig | None:
    """The pytest configuration a pytest command reads (None for other commands)."""
    return ctx.tool_config_at(invocation.folder, "pytest") if program(invocation.argv)[0] in _PYTEST else None


def _configs(ctx: RepoContext, runs: list[Invocation], named: list[str]) -> list[ToolConfig]:
    """The coverage configurations coverage reads: in the root, each project root, and
    each folder CI runs it in, then those named on command lines; each file once."""
    folders = ["", *(project.path for project in ctx.projects), *(run.folder for run in runs)]
    found = [config for folder in dict.fromkeys(folders) if (config := ctx.tool_configs(folder, "coverage").read)]
    found += [config for path in dict.fromkeys(named) if (config := ctx.tool_config_file(path, "coverage"))]
    unique: dict[str, ToolConfig] = {}
    for config in found:
        unique.setdefault(config.path, config)
    return list(unique.values())


def _section(config: ToolConfig, name: str) -> Mapping[str, Any]:
    section = config.settings.get(name)
    return section if isinstance(section, Mapping) else {}


def _config_threshold(config: ToolConfig) -> tuple[float, _Place] | None:
    """`[report] fail_under` of a coverage configuration, when it is a number."""
    value = _section(config, "report").get("fail_under")
    try:
        number = float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
    if number is None:
        return None
    line = config.line_of("report", "fail_under")
    return number, _Place(config.path, line, None, f"{config.path}:{line}, `fail_under` of the coverage configuration")


def _anchor(ctx: RepoContext, gate: _Gate) -> _Place | None:
    """The coverage configuration's section line, else the first test command (the main
    CI file's first), else the root project's manifest (the repository-wide anchor)."""
    if gate.configs:
        config = gate.configs[0]
        return _Place(config.path, config.line, None, config.label)
    if gate.tests:
        test = _first_test(ctx, gate.tests)
        return _Place(test.path, test.line, test.column, test.describe())
    manifest = next((project.anchor for project in ctx.projects if project.anchor), None) or ctx.repository_anchor
    return None if manifest is None else _Place(manifest, 1, None, manifest)


def _first_test(ctx: RepoContext, tests: Sequence[Invocation]) -> Invocation:
    """The first test command of the main CI file, else the first."""
    main = ctx.commands.main_pipeline()
    main_path = main.path if main is not None else None
    return next((test for test in tests if test.pipeline == main_path), tests[0])


def _number(value: float) -> str:
    return f"{value:g}"


def _no_threshold_message(anchor: _Place, minimum: float) -> str:
    return (
        f"no coverage threshold: neither the coverage configuration (`fail_under`) nor a command CI runs "
        f"(`--cov-fail-under`, `coverage report --fail-under`) fails the build below a minimum (here: "
        f"{anchor.label}): set `fail_under = {_number(minimum)}` in the coverage configuration, or add "
        f"`--cov-fail-under={_number(minimum)}` to the test command."
    )


def _low_message(value: float, place: _Place, minimum: float, count: int) -> str:
    highest = "the highest of the thresholds found" if count > 1 else "the only threshold"
    return (
        f"the coverage threshold is {_number(value)} %, below the minimum of {_number(minimum)} % ({highest}: "
        f"{place.label}): raise it to {_number(minimum)}."
    )


def _no_branch_message(anchor: _Place) -> str:
    return (
        f"no branch coverage: neither `branch = true` in the coverage configuration nor `--cov-branch`/`coverage "
        f"run --branch` in a command CI runs (here: {anchor.label}); the methodology asks for line and branch "
        "coverage: set `branch = true` under the coverage configuration's `run` section."
    )
