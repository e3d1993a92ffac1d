"""tox configuration in INI form (`tox.ini`, and `setup.cfg`'s `[tox:tox]`/`[testenv]`).

`commands`, `commands_pre`, `commands_post` and `install_command` are scripts, one command
per line; `setenv`/`set_env` lines are environment settings. tox's line prefixes (factor
conditions `py311,!lint: cmd`, and `- cmd` to ignore the exit code) are blanked out, so the
command is the line's first word and columns stay those of the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
