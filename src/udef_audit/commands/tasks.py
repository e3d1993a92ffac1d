"""Named commands a project defines in TOML: hatch scripts, pdm scripts, poe tasks, tox
environments in TOML (`tox.toml`, `[tool.tox]`) and `legacy_tox_ini`.

Each named command becomes scripts (shell text) and the names of other tasks it runs.
The TOML parser gives no positions, so a command is placed where its text is first
written after its table's name (exact for a string written without escapes), else at
that table's line, else line 1.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from udef_audit.commands.model import Origin, Positions, Script
from udef_audit.commands.tox import ToxEnvironments, expand_env_list, tox_text_environments

_TOX_KEYS = ("commands_pre", "commands", "commands_post")


@dataclass(frozen=True)
class Task:
    """A named command: the scripts it runs, then the other tasks it runs by name."""

    name: str
    path: str
    line: int
    scripts: tuple[Script, ...] = ()
    runs: tuple[str, ...] = ()


class TomlText:
    """Places in a TOML file's text, found by searching it (see the module docstring)."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    def start_of(self, *names: str) -> int:
        """Where the first of the table names is written (0: not found)."""
        return next((found for name in names if (found := self.text.find(name)) >= 0), 0)

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def script(self, command: str, origin: Origin, start: int) -> Script:
        """`command` as a script placed where it is written after `start`."""
        first = command.split("\n", 1)[0]
        found = self.text.find(first, start) if first else -1
        if found < 0:
            return Script(self.path, origin, command, self._first_word(first.split(" ", 1)[0], start))
        return Script(self.path, origin, command, Positions.of_lines(command, *self._place(found)))

    def _first_word(self, word: str, start: int) -> Positions:
        """A command written as a list of words: all of it at its first word's literal."""
        quoted = [at for quote in "\"'" if word and (at := self.text.find(quote + word + quote, start)) >= 0]
        if not quoted:
            return Positions.single(self.line_of(start), None)
        return Positions.single(*self._place(min(quoted) + 1))

    def _place(self, offset: int) -> tuple[int, int]:
        return self.line_of(offset), offset - (self.text.rfind("\n", 0, offset) + 1) + 1


def hatch_scripts(file: TomlText, data: Mapping[str, Any]) -> dict[str, Task]:
    """`[tool.hatch.envs.ENV.scripts]`, keyed `ENV:NAME` (and `NAME` for the default env)."""
    found: dict[str, Task] = {}
    for env, config in _table(_table(data, "tool", "hatch"), "envs").items():
        start = file.start_of(f"tool.hatch.envs.{env}.scripts", f"tool.hatch.envs.{env}")
        for name, value in _table(config, "scripts").items():
            origin = Origin("hatch", f"hatch script {env}:{name}")
            commands = [value] if isinstance(value, str) else [item for item in _list(value) if isinstance(item, str)]
            task = Task(name, file.path, file.line_of(start), tuple(file.script(c, origin, start) for c in commands))
            found[f"{env}:{name}"] = task
            if env == "default":
                found[name] = task
    return found


def pdm_scripts(file: TomlText, data: Mapping[str, Any]) -> dict[str, Task]:
    """`[tool.pdm.scripts]`: a string (a command), `{cmd}`, `{shell}` or `{composite}`."""
    start = file.start_of("tool.pdm.scripts")
    found: dict[str, Task] = {}
    for name, value in _table(_table(data, "tool", "pdm"), "scripts").items():
        origin = Origin("pdm", f"pdm script {name}")
        if isinstance(value, Mapping):
            command = value.get("cmd", value.get("shell"))
            composite = [item for item in _list(value.get("composite")) if isinstance(item, str)]
        else:
            command, composite = value, []
        scripts = [file.script(text, origin, start) for text in _command_texts(command)]
        scripts += [file.script(text, origin, start) for text in composite]
        found[name] = Task(name, file.path, file.line_of(start), tuple(scripts))
    return found


def poe_tasks(file: TomlText, data: Mapping[str, Any]) -> dict[str, Task]:
    """`[tool.poe.tasks]`: a string (a command), a list (a sequence of tasks), `{cmd}`,
    `{shell}`, `{sequence}` or `{ref}`."""
    start = file.start_of("tool.poe.tasks")
    found: dict[str, Task] = {}
    for name, value in _table(_table(data, "tool", "poe"), "tasks").items():
        origin = Origin("poe", f"poe task {name}")
        commands, runs = _poe_task(value)
        scripts = tuple(file.script(text, origin, start) for text in commands)
        found[name] = Task(name, file.path, file.line_of(start), scripts, runs)
    return found


def _poe_task(value: object) -> tuple[list[str], tuple[str, ...]]:
    """(commands, tasks it runs) of a poe task."""
    if isinstance(value, str):
        return [value], ()
    if isinstance(value, list):
        return [], _strings(value)
    if not isinstance(value, Mapping):
        return [], ()
    ref = (value["ref"],) if isinstance(value.get("ref"), str) else ()
    return _command_texts(value.get("cmd", value.get("shell"))), _strings(value.get("sequence")) + ref


def pixi_tasks(file: TomlText, data: Mapping[str, Any], *, in_pyproject: bool) -> dict[str, Task]:
    """pixi's `[tasks]` and every feature's `[feature.NAME.tasks]` (`pixi.toml`, or under
    `[tool.pixi]` in pyproject.toml): a string, a list, or `{cmd, depends-on}`."""
    config = _table(data, "tool", "pixi") if in_pyproject else data
    features = _table(config, "feature").items()
    tables = [("tasks", _table(config, "tasks"))]
    tables += [(f"feature.{name}.tasks", _table(feature, "tasks")) for name, feature in features]
    found: dict[str, Task] = {}
    for table_name, table in tables:
        start = file.start_of(table_name)
        for name, value in table.items():
            origin = Origin("pixi", f"pixi task {name}")
            command, runs = _pixi_task(value)
            scripts = tuple(file.script(text, origin, start) for text in _command_texts(command))
            found.setdefault(name, Task(name, file.path, file.line_of(start), scripts, runs))
    return found


def _pixi_task(value: object) -> tuple[object, tuple[str, ...]]:
    """(command, tasks it depends on) of a pixi task."""
    if not isinstance(value, Mapping):
        return value, ()
    depends = value.get("depends-on", value.get("depends_on"))
    return value.get("cmd"), (depends,) if isinstance(depends, str) else _strings(depends)


def tox_toml(file: TomlText, data: Mapping[str, Any], *, in_pyproject: bool) -> ToxEnvironments | None:
    """tox's TOML configuration (`tox.toml`, or `[tool.tox]` in pyproject.toml)."""
    config = _table(data, "tool", "tox") if in_pyproject else data
    if not config:
        return None
    legacy = config.get("legacy_tox_ini")
    if isinstance(legacy, str):
        return _legacy_tox_ini(file, legacy)
    sections = _tox_sections(config, "tool.tox." if in_pyproject else "")
    scripts: dict[tuple[str, str], Script] = {}
    for section, (table, env) in sections.items():
        for key in _TOX_KEYS:
            script = _tox_commands(file, table, key, env.get(key))
            if script is not None:
                scripts[(section, key)] = script
    return ToxEnvironments(_env_list(config.get("env_list")), tuple(sections), scripts)


def _env_list(value: object) -> tuple[str, ...]:
    """`env_list`: a list of names, or (tox.ini style) a string."""
    return expand_env_list(value) if isinstance(value, str) else _strings(value)


def _tox_sections(config: Mapping[str, Any], prefix: str) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Each environment as tox.ini would name its section, with its TOML table's name."""
    sections = {"testenv": (f"{prefix}env_run_base", _table(config, "env_run_base"))}
    for name, env in _table(config, "env").items():
        if isinstance(env, Mapping):
            sections[f"testenv:{name}"] = (f"{prefix}env.{name}", env)
    return sections


def _legacy_tox_ini(file: TomlText, legacy: str) -> ToxEnvironments | None:
    """`legacy_tox_ini`, a string of tox.ini text, placed where it is written."""
    start = file.text.find(legacy.split("\n", 1)[0]) if legacy.strip() else -1
    return tox_text_environments(file.path, legacy, max(file.line_of(start) - 1, 0) if start >= 0 else 0)


def _tox_commands(file: TomlText, table: str, key: str, commands: object) -> Script | None:
    """The commands of one key of a TOML tox environment as one script, each placed."""
    origin = Origin("tox", f"{file.path.rpartition('/')[2]} [{table}] {key}")
    start = file.start_of(table)
    placed = [file.script(command, origin, start) for item in _list(commands) if (command := _joined(item))]
    if not placed:
        return None
    return Script(file.path, origin, "\n".join(script.text for script in placed), _stacked(placed))


def _stacked(scripts: list[Script]) -> Positions:
    """Positions of scripts joined by newlines: each keeps its own places."""
    starts: list[int] = []
    lines: list[int] = []
    columns: list[int | None] = []
    offset = 0
    for script in scripts:
        positions = script.positions
        starts.extend(offset + start for start in positions.starts)
        lines.extend(positions.lines)
        columns.extend(positions.columns)
        offset += len(script.text) + 1
    return Positions(tuple(starts), tuple(lines), tuple(columns))


def _joined(command: object) -> str:
    """A tox TOML command: a list of words (quoted back into one line), or a string."""
    if isinstance(command, str):
        return command
    words = [word for word in _list(command) if isinstance(word, str)]
    return " ".join(word if re.fullmatch(r"[\w@%+=:,./{}-]+", word) else shlex.quote(word) for word in words)


def _command_texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    words = [item for item in _list(value) if isinstance(item, str)]
    return [_joined(words)] if words else []


def _table(data: Mapping[str, Any] | None, *keys: str) -> Mapping[str, Any]:
    for key in keys:
        value = data.get(key) if isinstance(data, Mapping) else None
        data = value if isinstance(value, Mapping) else None
    return data if isinstance(data, Mapping) else {}


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _strings(value: object) -> tuple[str, ...]:
    return tuple(item for item in _list(value) if isinstance(item, str))
