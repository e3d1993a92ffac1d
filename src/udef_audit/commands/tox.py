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
from udef_audit.parsers.ini_file import IniDocument, IniEntry, IniError, parse_ini

COMMAND_KEYS = frozenset({"commands", "commands_pre", "commands_post", "install_command"})
ENV_KEYS = frozenset({"setenv", "set_env"})
_LINE_PREFIX = re.compile(r"\s*(?:!?[\w.{}-]+(?:\s*,\s*!?[\w.{}-]+)*\s*:\s|-\s)")


def tox_commands(path: str, document: IniDocument, text: str) -> FileCommands:
    """The tox scripts and settings of an INI file (`document` is the context's reading of
    `text`)."""
    name = path.rpartition("/")[2]
    lines = text.split("\n")
    scripts: list[Script] = []
    env: list[EnvSetting] = []
    for section, entry in _tox_entries(document, name):
        origin = Origin("tox", f"{name} [{section}] {entry.key}")
        rows = value_rows(entry, lines)
        if entry.key in COMMAND_KEYS:
            script = "\n".join(blank_line_prefixes(rows))
            scripts.append(Script(path, origin, script, Positions.of_lines(script, entry.line)))
        elif entry.key in ENV_KEYS:
            env.extend(_settings(path, origin, entry.line, rows))
    return FileCommands(path, scripts=tuple(scripts), env=tuple(env))


def _tox_entries(document: IniDocument, file_name: str) -> list[tuple[str, IniEntry]]:
    return [
        (name, entry)
        for name, section in document.sections.items()
        if is_tox_section(name, file_name)
        for entry in section.entries.values()
    ]


def value_rows(entry: IniEntry, lines: list[str]) -> list[str]:
    """A value as physical lines: the key and delimiter blanked on the first, comment and
    blank lines empty, continuation lines as written; so row `i` is line `entry.line + i`
    with the file's columns."""
    rows = []
    for number in range(entry.line, entry.end_line + 1):
        raw = lines[number - 1].removesuffix("\r") if number <= len(lines) else ""
        if number == entry.line:
            rows.append(" " * entry.column + raw[entry.column :])
        else:
            stripped = raw.strip()
            rows.append("" if not stripped or stripped[0] in "#;" else raw)
    return rows


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


def _settings(path: str, origin: Origin, first_line: int, rows: list[str]) -> Iterator[EnvSetting]:
    for index, line in enumerate(blank_line_prefixes(rows)):
        name, equals, setting = line.partition("=")
        if equals:
            column = len(name) - len(name.lstrip()) + 1
            yield EnvSetting(path, origin, name.strip(), setting.strip(), first_line + index, column)


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


def tox_environments(path: str, document: IniDocument, text: str, line_offset: int = 0) -> ToxEnvironments:
    """The environments of a tox INI text (`tox.ini`, `setup.cfg`, `legacy_tox_ini`) read
    as `document`; `line_offset` places a text that starts further down its file."""
    name = path.rpartition("/")[2]
    lines = text.split("\n")
    scripts: dict[tuple[str, str], Script] = {}
    for section, entry in _tox_entries(document, name):
        if entry.key in _ENV_KEYS_IN_ORDER:
            script = "\n".join(value_rows(entry, lines))
            origin = Origin("tox", f"{name} [{section}] {entry.key}")
            positions = Positions.of_lines(script, entry.line + line_offset)
            scripts[(section, entry.key)] = Script(path, origin, script, positions)
    listed = next((value for section in ("tox", "tox:tox") for key in ("env_list", "envlist")
                   if (value := document.get(section, key)) is not None), "")  # fmt: skip
    return ToxEnvironments(expand_env_list(listed), tuple(document.sections), scripts)


def tox_text_environments(path: str, text: str, line_offset: int = 0) -> ToxEnvironments | None:
    """`tox_environments` of INI text held in another file (`legacy_tox_ini`)."""
    try:
        return tox_environments(path, parse_ini(text), text, line_offset)
    except IniError:
        return None


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
