"""CI definitions: the shell scripts and environment variables of GitHub Actions, GitLab CI
and CircleCI files, wherever the format keeps them.

Each format is a table: the keys whose values are shell scripts (a string, a list of
strings, or for CircleCI a mapping's `command`), and the keys whose mapping values are
environment variables. The whole document is walked, so a key counts wherever the format
allows it (a job, a step, a hidden GitLab job, a `default:` section); each node is read
once, however many aliases point at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from udef_audit.commands.model import EnvSetting, FileCommands, Origin, Script
from udef_audit.commands.yaml_nodes import (
    LineTable,
    is_mapping,
    is_sequence,
    node_place,
    scalar_positions,
    strings,
    text_of,
)
from udef_audit.parsers.yaml_file import node_value


@dataclass(frozen=True)
class CiFormat:
    """Where a CI system keeps commands and environments."""

    script_keys: frozenset[str]
    env_keys: frozenset[str]
    command_key: str | None
    script: Origin
    env: Origin


CI_FORMATS = {
    "github": CiFormat(
        frozenset({"run"}),
        frozenset({"env"}),
        None,
        Origin("github-run", "GitHub Actions run step"),
        Origin("github-env", "GitHub Actions env"),
    ),
    "gitlab": CiFormat(
        frozenset({"script", "before_script", "after_script"}),
        frozenset({"variables"}),
        None,
        Origin("gitlab-script", "GitLab CI script"),
        Origin("gitlab-variables", "GitLab CI variables"),
    ),
    "circleci": CiFormat(
        frozenset({"run"}),
        frozenset({"environment"}),
        "command",
        Origin("circleci-run", "CircleCI run step"),
        Origin("circleci-environment", "CircleCI environment"),
    ),
}


def ci_commands(path: str, text: str, root: yaml.Node | None, ci: CiFormat) -> FileCommands:
    """The scripts and variables of a CI file, from its composed nodes and its text."""
    if root is None:
        return FileCommands(path)
    table = LineTable.of(text)
    scripts: list[Script] = []
    env: list[EnvSetting] = []
    seen: set[int] = set()
    for kind, node in _items(root, ci):
        if id(node) in seen:
            continue  # an alias of a node already read
        seen.add(id(node))
        if kind == "env":
            env.extend(_variables(path, node, table, ci.env))
        else:
            scripts.append(Script(path, ci.script, str(node.value), scalar_positions(node, text, table)))
    return FileCommands(path, scripts=tuple(scripts), env=tuple(env))


def _items(root: yaml.Node, ci: CiFormat) -> Iterator[tuple[str, Any]]:
    """("script", scalar node) and ("env", mapping node) in document order, depth-first."""
    stack: list[Iterator[tuple[yaml.Node | None, yaml.Node]]] = [iter([(None, root)])]
    seen: set[int] = set()
    while stack:
        pair = next(stack[-1], None)
        if pair is None:
            stack.pop()
            continue
        key, value = pair
        name = text_of(key)
        if name in ci.env_keys and is_mapping(value):
            yield "env", value
            continue
        if name in ci.script_keys:
            yield from (("script", script) for script in _script_nodes(value, ci.command_key))
        children = _children(value, seen)
        if children is not None:
            stack.append(children)


def _children(node: yaml.Node, seen: set[int]) -> Iterator[tuple[yaml.Node | None, yaml.Node]] | None:
    """(key, value) pairs of a mapping, (None, item) of a list; each container once."""
    if id(node) in seen or not (is_mapping(node) or is_sequence(node)):
        return None
    seen.add(id(node))
    pairs: list[tuple[yaml.Node | None, yaml.Node]] = (
        list(node.value) if isinstance(node, yaml.MappingNode) else [(None, item) for item in node.value]
    )
    return iter(pairs)


def _script_nodes(node: yaml.Node, command_key: str | None) -> list[yaml.ScalarNode]:
    """A script value: a string, a (nested) list of strings, or a mapping's command."""
    if isinstance(node, yaml.ScalarNode):
        return [node] if text_of(node) is not None else []
    if isinstance(node, yaml.MappingNode) and is_mapping(node) and command_key is not None:
        return _command_of(node, command_key)
    return strings(node) if is_sequence(node) else []


def _command_of(mapping: yaml.MappingNode, command_key: str) -> list[yaml.ScalarNode]:
    """The mapping's command string (its last `command_key`: a merged one is overridden)."""
    commands = [value for key, value in mapping.value if text_of(key) == command_key]
    last = commands[-1] if commands else None
    return [last] if isinstance(last, yaml.ScalarNode) and text_of(last) is not None else []


def _variables(path: str, mapping: yaml.MappingNode, table: LineTable, origin: Origin) -> Iterator[EnvSetting]:
    """Each variable once: a key of the mapping itself overrides one merged from `<<`."""
    effective = {name: (key, value) for key, value in mapping.value if (name := text_of(key)) is not None}
    for name, (key, value) in effective.items():
        line, column = node_place(key, table)
        yield EnvSetting(path, origin, name, variable_text(node_value(value)), line, column)


def variable_text(value: object) -> str:
    """A variable's value as the CI system passes it (GitLab also allows {value: ...})."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return ""
