"""What a command line says about coverage: whether it measures it, with branches, which
threshold it enforces, and which coverage configuration it names.

pytest with pytest-cov: `--cov[=SRC]` measures (`--no-cov` turns it off again),
`--cov-branch`, `--cov-fail-under N`, `--cov-config FILE`; pytest's own `addopts` are read
as if written first (the caller passes them). coverage.py: `coverage run [--branch]
[--rcfile F]` measures; `coverage report|html|xml|json|lcov --fail-under N` enforces.
`hatch test --cover` measures with coverage.py. Options are matched exactly or as
`--option=value`; pytest's unambiguous prefixes of long options are not expanded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from udef_audit.commands.model import PlacedWord
from udef_audit.commands.words import program

_REPORTS = frozenset({"report", "html", "xml", "json", "lcov"})


@dataclass(frozen=True)
class Threshold:
    """A minimum coverage a command enforces, and the word that sets it."""

    value: float
    word: PlacedWord


@dataclass(frozen=True)
class CoverageUse:
    """What one command does with coverage."""

    measures: bool = False
    branch: PlacedWord | None = None
    threshold: Threshold | None = None
    config: str | None = None


def coverage_use(words: Sequence[PlacedWord], addopts: Sequence[PlacedWord] = ()) -> CoverageUse:
    """How a command (its words) uses coverage; for pytest, the `addopts` of the
    configuration it reads count as written before its own arguments."""
    texts = [word.text for word in words]
    name, args = program(texts)
    rest = list(words[args:])
    if name in ("pytest", "py.test"):
        return _pytest([*addopts, *rest])
    if name == "coverage" and rest:
        return _coverage(rest[0].text, rest[1:])
    if name == "hatch" and texts[args : args + 1] == ["test"]:
        return CoverageUse(measures=any(text in ("--cover", "-c", "--cover-quiet") for text in texts[args + 1 :]))
    return CoverageUse()


def _options(words: Sequence[PlacedWord]) -> list[tuple[str, PlacedWord | None, PlacedWord]]:
    """(option name, its value's word or None, the option's word) for each `--option`."""
    found: list[tuple[str, PlacedWord | None, PlacedWord]] = []
    for index, word in enumerate(words):
        if not word.text.startswith("-"):
            continue
        name, equals, value = word.text.partition("=")
        if equals:
            found.append((name, PlacedWord(value, word.line, word.column), word))
        else:
            following = words[index + 1] if index + 1 < len(words) else None
            found.append((name, following, word))
    return found


def _pytest(words: Sequence[PlacedWord]) -> CoverageUse:
    options = _options(words)
    switches = [name for name, _, _ in options if name in ("--cov", "--no-cov")]
    measures = bool(switches) and switches[-1] == "--cov"  # the last one wins
    if not measures:
        return CoverageUse(config=_last_value(options, "--cov-config"))
    branch = next((word for name, _, word in options if name == "--cov-branch"), None)
    threshold = _last_threshold(options, "--cov-fail-under")
    return CoverageUse(True, branch, threshold, _last_value(options, "--cov-config"))


def _coverage(subcommand: str, words: Sequence[PlacedWord]) -> CoverageUse:
    options = _options(words)
    config = _last_value(options, "--rcfile")
    if subcommand == "run":
        branch = next((word for name, _, word in options if name == "--branch"), None)
        return CoverageUse(measures=True, branch=branch, config=config)
    threshold = _last_threshold(options, "--fail-under") if subcommand in _REPORTS else None
    return CoverageUse(threshold=threshold, config=config)


_Options = list[tuple[str, PlacedWord | None, PlacedWord]]


def _last_value(options: _Options, option: str) -> str | None:
    """The value of the last `option` given with one."""
    values = [value.text for name, value, _ in options if name == option and value is not None]
    return values[-1] if values else None


def _last_threshold(options: _Options, option: str) -> Threshold | None:
    """The last `option N` whose N is a number."""
    found = [threshold for name, value, word in options if name == option and (threshold := _threshold(value, word))]
    return found[-1] if found else None


def _threshold(value: PlacedWord | None, option: PlacedWord) -> Threshold | None:
    """The number of `--fail-under N`, placed at the option; None when not a number."""
    if value is None:
        return None
    try:
        number = float(value.text)
    except ValueError:
        return None
    return Threshold(number, option)

