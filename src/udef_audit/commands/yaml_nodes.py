"""Reading composed YAML nodes: strings, mappings, lists, and where a value is written.

Nodes come from `parsers.yaml_file.load_yaml_document`, so the document already passed the
safe loader (size bound, duplicate keys, no Python objects) and merge keys are flattened.
Positions come from the nodes' marks (character offsets into the text given to the loader),
turned into lines and columns with the file's own line table, where only "\\n" ends a line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import yaml

from udef_audit.commands.model import Origin, Positions, Script, Value
from udef_audit.parsers.yaml_scalars import scalar_segments

STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


def text_of(node: yaml.Node | None) -> str | None:
    """The string a scalar node loads as (plain, quoted, `!!str` or an application tag such
    as `!reference`), else None (numbers, booleans, nulls, containers)."""
    if isinstance(node, yaml.ScalarNode) and (node.tag == STR_TAG or _application_tag(node.tag)):
        return str(node.value)
    return None


def is_mapping(node: yaml.Node | None) -> bool:
    """Whether the node loads as a dict (not a `!!set`)."""
    return isinstance(node, yaml.MappingNode) and (node.tag == MAP_TAG or _application_tag(node.tag))


def is_sequence(node: yaml.Node | None) -> bool:
    """Whether the node loads as a list (not `!!omap`/`!!pairs`)."""
    return isinstance(node, yaml.SequenceNode) and (node.tag == SEQ_TAG or _application_tag(node.tag))


def _application_tag(tag: str) -> bool:
    return tag.startswith("!")


@dataclass(frozen=True)
class LineTable:
    """Line starts of the text given to the loader (only "\\n" ends a line)."""

    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> LineTable:
        """The table of `text`."""
        return cls((0, *(match.end() for match in re.finditer("\n", text))))

    def place(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        index = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return index + 1, offset - self.starts[index] + 1


def node_place(node: yaml.Node, table: LineTable) -> tuple[int, int]:
    """Where the node starts; for a quoted scalar, its first character inside the quote."""
    quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
    return table.place(node.start_mark.index + (1 if quoted else 0))


def scalar_positions(node: yaml.ScalarNode, text: str, table: LineTable) -> Positions:
    """Where each character of the scalar's value is written; the node's start for every
    character when its source does not read back as its value."""
    segments = scalar_segments(text, node.start_mark.index, node.end_mark.index, node.style, str(node.value))
    if segments is None:
        line, _ = table.place(node.start_mark.index)
        return Positions.single(line, None)
    places = [table.place(source) for _, source in segments]
    return Positions(
        tuple(offset for offset, _ in segments),
        tuple(line for line, _ in places),
        tuple(column for _, column in places),
    )


@dataclass(frozen=True)
class YamlFile:
    """A loaded YAML file: its text, line table and root node (None: empty)."""

    path: str
    text: str
    table: LineTable
    root: yaml.Node | None

    def value(self, node: yaml.Node | None) -> Value | None:
        """A scalar as written (`3.10` stays "3.10") with its place; None for containers."""
        if not isinstance(node, yaml.ScalarNode) or node.tag == NULL_TAG:
            return None
        line, column = node_place(node, self.table)
        return Value(str(node.value), line, column)

    def line(self, node: yaml.Node) -> int:
        """The line a node starts on."""
        return self.table.place(node.start_mark.index)[0]

    def script(self, node: yaml.Node | None, origin: Origin) -> Script | None:
        """A string node as a script of this file, with its positions."""
        if not isinstance(node, yaml.ScalarNode) or text_of(node) is None:
            return None
        return Script(self.path, origin, str(node.value), scalar_positions(node, self.text, self.table))


NULL_TAG = "tag:yaml.org,2002:null"


def items(node: yaml.Node | None) -> list[tuple[str, yaml.Node]]:
    """A mapping's (string key, value) pairs as the loaded dict has them: a key written
    again (or merged from `<<` and then written) keeps its last value, at its first place."""
    return [(name, value) for name, _, value in entries(node)]


def entries(node: yaml.Node | None) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """Like `items`, with the key node too (a job's line is its key's)."""
    if not (isinstance(node, yaml.MappingNode) and is_mapping(node)):
        return []
    found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        name = text_of(key)
        if name is not None:
            found[name] = (found[name][0] if name in found else key, value)
    return [(name, key, value) for name, (key, value) in found.items()]


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of `key` in a mapping node (None: absent, or not a mapping)."""
    return dict(items(node)).get(key)


def sequence(node: yaml.Node | None) -> list[yaml.Node]:
    """A list node's items (empty for anything else)."""
    return list(node.value) if isinstance(node, yaml.SequenceNode) and is_sequence(node) else []


def strings(node: yaml.Node | None) -> list[yaml.ScalarNode]:
    """A string, or the strings of a (nested) list, in document order."""
    found: list[yaml.ScalarNode] = []
    pending = [node]  # a stack, not recursion: lists may nest deeper than Python recurses
    while pending:
        item = pending.pop()
        if isinstance(item, yaml.ScalarNode) and text_of(item) is not None:
            found.append(item)
        else:
            pending.extend(reversed(sequence(item)))
    return found
