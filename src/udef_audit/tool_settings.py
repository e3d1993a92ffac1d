"""What a tool's configuration and command line make it do, as the tool itself decides:
whether mypy is strict, which rules ruff selects, the complexity limits of ruff and flake8.

Shared by the rules that ask (UDEF010 for pre-commit hooks, UDEF020 and UDEF022 for what
CI runs), so they agree. Configurations come from `tool_configs` (the one the tool reads);
nothing here reads a file.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from udef_audit.commands.model import PlacedWord
from udef_audit.tool_configs import ToolConfig, is_true

# The flags `mypy --strict` turns on (mypy 1.x; `extra_checks` was `strict_concatenate`):
# a configuration that sets every one of them is strict too.
STRICT_FLAGS = (
    "warn_unused_configs",
    "disallow_any_generics",
    "disallow_subclassing_any",
    "disallow_untyped_calls",
    "disallow_untyped_defs",
    "disallow_incomplete_defs",
    "check_untyped_defs",
    "disallow_untyped_decorators",
    "warn_redundant_casts",
    "warn_unused_ignores",
    "warn_return_any",
    "no_implicit_reexport",
    "strict_equality",
    "extra_checks|strict_concatenate",
)
# ruff's default selection (no configuration): no FIX or C90 rule.
RUFF_DEFAULT_SELECT = ("E4", "E7", "E9", "F")
# ruff's `lint.mccabe.max-complexity` when unset.
RUFF_DEFAULT_MAX_COMPLEXITY = 10
# flake8's default `select` (mccabe's C90 included, active once max-complexity is set).
FLAKE8_DEFAULT_SELECT = ("E", "F", "W", "C90")


# --- mypy ------------------------------------------------------------------------------------


def mypy_strictness(config: ToolConfig) -> tuple[bool, str]:
    """Whether a mypy configuration is strict (`strict = true`, or every flag --strict
    turns on set one by one), and how a message says so."""
    if is_true(config.settings.get("strict")):
        return True, config.label
    missing = [flag for flag in STRICT_FLAGS if not any(is_true(config.settings.get(f)) for f in flag.split("|"))]
    if not missing:
        return True, f"{config.label} sets every flag of --strict"
    where = f"the mypy configuration it reads, {config.label}, does not set `strict = true`"
    if len(missing) <= 5:  # nearly strict: say what is left
        where += f" (of the flags --strict turns on, it leaves out {', '.join(m.split('|')[0] for m in missing)})"
    return False, where


def option_value(argv: Sequence[str], *options: str) -> str | None:
    """The value of the last `--option X` or `--option=X` among `options` (None: unset)."""
    found = None
    for index, word in enumerate(argv):
        name, equals, value = word.partition("=")
        if name in options and equals:
            found = value
        elif word in options and index + 1 < len(argv):
            found = argv[index + 1]
    return found


def config_file_option(argv: Sequence[str]) -> str | None:
    """mypy's `--config-file PATH`, normalised."""
    value = option_value(argv, "--config-file")
    return None if value is None else posixpath.normpath(value)


# --- pytest ----------------------------------------------------------------------------------


def pytest_addopts(config: ToolConfig | None) -> list[PlacedWord]:
    """The `addopts` of a pytest configuration as words (pytest reads them before the
    command line's), each placed at the setting's line."""
    value = None if config is None else config.settings.get("addopts")
    if config is None or value is None:
        return []
    if isinstance(value, list):
        texts = [str(item) for item in value]
    else:
        try:
            texts = shlex.split(str(value))
        except ValueError:  # an unbalanced quote: pytest would refuse it; read the words
            texts = str(value).split()
    line = config.line_of("addopts")
    return [PlacedWord(text, line, None) for text in texts]


# --- ruff ------------------------------------------------------------------------------------


def option_values(argv: Sequence[str], option: str) -> set[str]:
    """Comma-separated values of `--option X` and `--option=X`, upper-cased."""
    values: set[str] = set()
    for index, word in enumerate(argv):
        if word == option and index + 1 < len(argv):
            values.update(argv[index + 1].split(","))
        elif word.startswith(option + "="):
            values.update(word.partition("=")[2].split(","))
    return {v.strip().upper() for v in values if v.strip()}


def _lint_table(config: ToolConfig | None) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(the whole ruff configuration, its `lint` table or {})."""
    settings: Mapping[str, Any] = config.settings if config is not None else {}
    lint_table = settings.get("lint")
    return settings, lint_table if isinstance(lint_table, dict) else {}


def ruff_selection(config: ToolConfig | None) -> tuple[list[str], list[str]]:
    """(select + extend-select, ignore) of a ruff configuration (its `lint` table, or the
    older top-level keys)."""
    settings, lint = _lint_table(config)

    def codes(key: str) -> list[str]:
        value = lint.get(key, settings.get(key))
        return [str(v).upper() for v in value] if isinstance(value, list) else []

    select = codes("select") if ("select" in lint or "select" in settings) else list(RUFF_DEFAULT_SELECT)
    return select + codes("extend-select"), codes("ignore") + codes("extend-ignore")


def ruff_command_selection(config: ToolConfig | None, argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """ruff's selection for a command line: `--select` replaces the configuration's,
    `--extend-select` adds, `--ignore`/`--extend-ignore` drop."""
    select, ignore = ruff_selection(config)
    select = list(option_values(argv, "--select") or select)
    select += option_values(argv, "--extend-select")
    ignore += option_values(argv, "--ignore") | option_values(argv, "--extend-ignore")
    return select, ignore


def ruff_enables(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """ruff's rule: the most specific selector wins, and an ignore of equal length wins."""
    chosen = max((_specificity(s, code) for s in select), default=-1)
    dropped = max((_specificity(s, code) for s in ignore), default=-1)
    return chosen >= 0 and chosen > dropped


def _specificity(selector: str, code: str) -> int:
    """How specifically a selector names a code (-1: not at all). A selector is a linter's
    letters and a prefix of the rule's number: `F` (pyflakes) does not select `FIX002`,
    `C` selects `C901` (and `C4`), `C90` selects `C901`."""
    if selector == "ALL":
        return 0
    letters, digits = _split_code(selector)
    code_letters, code_digits = _split_code(code)
    return len(selector) if letters == code_letters and code_digits.startswith(digits) else -1


def _split_code(code: str) -> tuple[str, str]:
    letters = code.rstrip("0123456789")
    return letters, code[len(letters) :]


def ruff_max_complexity(config: ToolConfig | None) -> tuple[int, int | None]:
    """ruff's McCabe limit (`lint.mccabe.max-complexity`, or the older `mccabe`
    table) and the line that sets it (None: ruff's default, 10)."""
    settings, lint = _lint_table(config)
    for table, keys in ((lint, ("lint", "mccabe")), (settings, ("mccabe",))):
        mccabe = table.get("mccabe")
        value = mccabe.get("max-complexity") if isinstance(mccabe, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and config is not None:
            return value, config.line_of(*keys, "max-complexity")
    return RUFF_DEFAULT_MAX_COMPLEXITY, None


# --- flake8 ----------------------------------------------------------------------------------


def flake8_max_complexity(config: ToolConfig | None, argv: Sequence[str]) -> tuple[int | None, int | None]:
    """flake8's `max-complexity` (the command line's, else the configuration's) and the
    configuration line that sets it (None: set on the command line, or unset)."""
    written = option_value(argv, "--max-complexity")
    line = None
    if written is None and config is not None:
        for key in ("max-complexity", "max_complexity"):
            if key in config.settings:
                written, line = str(config.settings[key]), config.line_of(key)
    try:
        return (None, None) if written is None else (int(written.strip()), line)
    except ValueError:
        return None, None


def flake8_checks_complexity(config: ToolConfig | None, argv: Sequence[str]) -> bool:
    """Whether flake8 reports C901 under its `select`/`ignore` (command line first, then
    configuration; `extend-select`/`extend-ignore` add)."""
    settings: Mapping[str, Any] = config.settings if config is not None else {}

    def listed(*keys: str) -> list[str]:
        found: list[str] = []
        for key in keys:
            value = option_value(argv, f"--{key}") or settings.get(key) or settings.get(key.replace("-", "_"))
            if isinstance(value, str):
                found += [code.strip().upper() for code in value.replace("\n", ",").split(",") if code.strip()]
        return found

    select = listed("select") or list(FLAKE8_DEFAULT_SELECT)
    select += listed("extend-select")
    ignore = listed("ignore", "extend-ignore")
    chosen = max((len(code) for code in select if "C901".startswith(code)), default=-1)
    dropped = max((len(code) for code in ignore if "C901".startswith(code)), default=-1)
    return chosen >= 0 and chosen > dropped
