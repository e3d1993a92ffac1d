"""tox configuration in INI form (`tox.ini`, and `setup.cfg`'s `[tox:tox]`/`[testenv]`).

`commands`, `commands_pre`, `commands_post` and `install_command` are scripts, one command
per line; `setenv`/`set_env` lines are environment settings. tox's line prefixes (factor
conditions `py311,!lint: cmd`, and `- cmd` to ignore the exit code) are blanked out, so the
command is the line's first word and columns stay those of the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from udef_audit.commands.model import EnvSetting, FileCommands, Origin, Positions, Script
from udef_audit.parsers.ini_values import IniValue, ini_values, parse_ini

COMMAND_KEYS = frozenset({"commands", "commands_pre", "commands_post", "install_command"})
ENV_KEYS = frozenset({"setenv", "set_env"})
_LINE_PREFIX = re.compile(r"\s*(?:!?[\w.{}-]+(?:\s*,\s*!?[\w.{}-]+)*\s*:\s|-\s)")


def tox_commands(path: str, text: str) -> FileCommands | None:
    """The tox scripts and settings of an INI file; None when configparser rejects it."""
    parser = parse_ini(text)
    if parser is None:
        return None
    name = path.rpartition("/")[2]
    scripts: list[Script] = []
    env: list[EnvSetting] = []
    for (section, key), value in ini_values(text).items():
        if not is_tox_section(section, name) or not parser.has_option(section, key):
            continue
        origin = Origin("tox", f"{name} [{section}] {key}")
        if key in COMMAND_KEYS:
            script = "\n".join(blank_line_prefixes(value.lines))
            scripts.append(Script(path, origin, script, Positions.of_lines(script, value.line)))
        elif key in ENV_KEYS:
            env.extend(_settings(path, origin, value))
    return FileCommands(path, scripts=tuple(scripts), env=tuple(env))


def is_tox_section(section: str, file_name: str) -> bool:
    """`[testenv]` and `[testenv:NAME]`, and `[tox:tox]` in setup.cfg."""
    if section == "testenv" or section.startswith("testenv:"):
        return True
    return file_name == "setup.cfg" and section == "tox:tox"


def blank_line_prefixes(lines: list[str]) -> list[str]:
    """tox's line prefixes replaced by blanks, so the command is the line's first word."""
    blanked = []
    for line in lines:
        prefix = _LINE_PREFIX.match(line)
        blanked.append(line if prefix is None else " " * prefix.end() + line[prefix.end() :])
    return blanked


def _settings(path: str, origin: Origin, value: IniValue) -> Iterator[EnvSetting]:
    for index, line in enumerate(blank_line_prefixes(value.lines)):
        name, equals, setting = line.partition("=")
        if equals:
            column = len(name) - len(name.lstrip()) + 1
            yield EnvSetting(path, origin, name.strip(), setting.strip(), value.line + index, column)


# --- environments, for following `tox -e NAME` ------------------------------------------------

_ENV_KEYS_IN_ORDER = ("commands_pre", "commands", "commands_post")
_BRACES = re.compile(r"\{([^{}]*)\}")
_MAX_ENV_NAMES = 256


@dataclass(frozen=True)
class ToxEnvironments:
    """What tox runs: the default environments and each environment's scripts."""

    default: tuple[str, ...]
    sections: tuple[str, ...]
    scripts: dict[tuple[str, str], Script] = field(hash=False)

    def commands(self, env: str) -> list[Script]:
        """The scripts tox runs for `env` (its section, else `[testenv]`), lines of other
        factors blanked."""
        section = f"testenv:{env}" if f"testenv:{env}" in self.sections else "testenv"
        found = []
        for key in _ENV_KEYS_IN_ORDER:
            script = self.scripts.get((section, key)) or self.scripts.get(("testenv", key))
            if script is not None:
                found.append(_for_env(script, env))
        return found

    @property
    def all(self) -> tuple[str, ...]:
        """Every environment named by a section or the default list."""
        named = [section.partition(":")[2] for section in self.sections if section.startswith("testenv:")]
        return tuple(dict.fromkeys([*self.default, *named]))


def tox_environments(path: str, text: str, line_offset: int = 0) -> ToxEnvironments | None:
    """The environments of a tox INI text (`tox.ini`, `setup.cfg`, `legacy_tox_ini`);
    `line_offset` places a text that starts further down its file."""
    parser = parse_ini(text)
    if parser is None:
        return None
    name = path.rpartition("/")[2]
    scripts: dict[tuple[str, str], Script] = {}
    for (section, key), value in ini_values(text).items():
        if key in _ENV_KEYS_IN_ORDER and is_tox_section(section, name) and parser.has_option(section, key):
            script = "\n".join(value.lines)
            origin = Origin("tox", f"{name} [{section}] {key}")
            scripts[(section, key)] = Script(path, origin, script, Positions.of_lines(script, value.line + line_offset))
    listed = ""
    for section in ("tox", "tox:tox"):
        for key in ("env_list", "envlist"):
            if parser.has_option(section, key):
                listed = parser.get(section, key)
    return ToxEnvironments(expand_env_list(listed), tuple(parser.sections()), scripts)


def expand_env_list(listed: str) -> tuple[str, ...]:
    """`py{311,312}-django, lint` -> py311-django, py312-django, lint (bounded)."""
    names: list[str] = []
    for item in re.split(r"[,\n]", listed):
        pending = [item.strip()]
        while pending and len(names) < _MAX_ENV_NAMES:
            name = pending.pop(0)
            brace = _BRACES.search(name)
            if brace is None:
                if name:
                    names.append(name)
                continue
            choices = brace.group(1).split(",")
            pending.extend(name[: brace.start()] + choice.strip() + name[brace.end() :] for choice in choices)
    return tuple(dict.fromkeys(names))


def _for_env(script: Script, env: str) -> Script:
    """The script with lines whose factor condition excludes `env` blanked, and tox's line
    prefixes blanked (so offsets keep their places)."""
    factors = set(env.split("-"))
    lines = []
    for line in script.text.split("\n"):
        prefix = _LINE_PREFIX.match(line)
        condition = line[: prefix.end()].strip().rstrip(":").strip() if prefix else ""
        if condition and condition != "-" and not _factors_match(condition, factors):
            lines.append(" " * len(line))
        else:
            lines.append(line if prefix is None else " " * prefix.end() + line[prefix.end() :])
    return Script(script.path, script.origin, "\n".join(lines), script.positions)


def _factors_match(condition: str, factors: set[str]) -> bool:
    """`py311,py312` (any of), `py311-django` (all of), `!lint` (not)."""
    for alternative in condition.split(","):
        parts = [part.strip() for part in alternative.strip().split("-") if part.strip()]
        if all((part[1:] not in factors) if part.startswith("!") else (part in factors) for part in parts):
            return True
    return False
