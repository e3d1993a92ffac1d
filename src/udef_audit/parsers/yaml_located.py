"""YAML values that know where they are written: the data the safe loader constructs, each
part beside the line (and column) of the node it came from.

PyYAML's constructed data keeps no positions; its composed node tree does. A `Located`
walks both at once, lazily, so a validator can say "policy.yaml:12: check.any[1].path:
expected ..." and a reader of a scanned file can put a result at the line of the value it
found. Built on `yaml_file.load_yaml_document` (the hardened loader: YAML 1.2 booleans,
duplicate keys refused, alias expansion bounded), never on `yaml.load`.

A mapping's entries are matched to their nodes by key text; an entry that has no node of
its own (one merged in with `<<: *alias`) takes its mapping's position.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from udef_audit.parsers.yaml_file import YamlDocument, load_yaml_document, mapping_items, sequence_items


@dataclass(frozen=True)
class Located:
    """A value of a YAML document and where it starts (1-based line and column)."""

    value: Any
    line: int = 1
    column: int = 1
    node: yaml.Node | None = None

    def get(self, key: str) -> Located | None:
        """The mapping's value under `key` (compared as text), or None."""
        if not isinstance(self.value, dict):
            return None
        for text, located in self.entries():
            if text == key:
                return located
        return None

    def entries(self) -> Iterator[tuple[str, Located]]:
        """A mapping's (key text, value) pairs in document order; nothing for another value."""
        if not isinstance(self.value, dict):
            return
        nodes = {text: value_node for text, _, value_node in mapping_items(self.node)}
        for key, value in self.value.items():
            text = _key_text(key)
            yield text, self._child(value, nodes.get(text))

    def key_line(self, key: str) -> int:
        """The line where a mapping's key is written (the mapping's own line when unknown)."""
        for text, key_node, _ in mapping_items(self.node):
            if text == key:
                return int(key_node.start_mark.line) + 1
        return self.line

    def items(self) -> list[Located]:
        """A sequence's items; empty for another value."""
        if not isinstance(self.value, list):
            return []
        nodes = sequence_items(self.node)
        aligned = len(nodes) == len(self.value)
        return [self._child(value, nodes[i] if aligned else None) for i, value in enumerate(self.value)]

    def _child(self, value: Any, node: yaml.Node | None) -> Located:
        if node is None:
            return Located(value, self.line, self.column, None)
        return Located(value, int(node.start_mark.line) + 1, int(node.start_mark.column) + 1, node)


def _key_text(key: Any) -> str:
    """How a key is compared: its text as written for strings, YAML 1.2 spelling otherwise."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def located(document: YamlDocument) -> Located:
    """The document's data with positions (line 1 for an empty document)."""
    if document.root is None:
        return Located(document.data)
    return Located(document.data, int(document.root.start_mark.line) + 1, int(document.root.start_mark.column) + 1,
                   document.root)


def load_located(data: bytes | str) -> Located:
    """Parse one YAML document safely (YamlError with a one-line reason) and locate it."""
    return located(load_yaml_document(data))
