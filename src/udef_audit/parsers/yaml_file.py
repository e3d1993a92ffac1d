"""Safe YAML loading for hostile input.

PyYAML's C safe loader (about 9x faster than the pure-Python one), with two YAML 1.1 traps
closed: only `true`/`false` are booleans (so a GitHub workflow's `on:` stays the string
"on"), and a duplicate mapping key is an error instead of a silent last-wins. Merge keys
(`<<: *defaults`, common in GitLab CI) merge as YAML 1.1 says. Alias expansion is bounded,
so an alias bomb fails fast instead of eating memory.

`load_yaml_document` also keeps the composed node tree, whose marks say on which line each
key and value stands (the constructed data keeps no positions); the same bounds apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 200_000
MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlError(Exception):
    """The document is not YAML we accept (syntax, duplicate key, too many nodes)."""


class _Yaml12Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader with YAML 1.2 booleans and duplicate-key errors."""


# Drop the YAML 1.1 bool resolver (yes/no/on/off) and put back the 1.2 one.
_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.copy().items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == MERGE_TAG:
            continue  # `<<`: merged by the base constructor, where a merged key may be overridden
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key: let the base constructor report it
            break
        if duplicate:
            line = key_node.start_mark.line + 1
            raise YamlError(f"duplicate key {key!r} at line {line}")
        seen.add(key)
    return loader.construct_mapping(node)


_Yaml12Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    """Application tags (GitLab's `!reference [...]`, CloudFormation's `!Ref`) load as the
    plain value they tag: valid YAML must not become a UDEF000 note, and nothing is
    constructed beyond lists, mappings and strings."""
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Yaml12Loader.add_multi_constructor("!", _construct_tagged)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed document (`data`) and the node tree it was constructed from (`root`, None
    for an empty document): nodes carry `start_mark.line` (0-based). Mappings with merge
    keys hold their merged pairs (PyYAML flattens them while constructing), so walking the
    nodes sees what the data holds."""

    data: Any
    root: yaml.Node | None


class _ValueConstructor(yaml.constructor.SafeConstructor):
    """Builds the value of one node of an already loaded document, as the loader did."""


_ValueConstructor.add_multi_constructor("!", _construct_tagged)


def node_value(node: yaml.Node) -> Any:
    """The value the loader built for `node` of a document `load_yaml_document` returned
    (a scalar as str, int, float, bool or None; lists and mappings in full)."""
    try:
        return _ValueConstructor().construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None


def load_yaml(data: bytes | str) -> Any:
    """Parse one YAML document safely; raise YamlError with a one-line reason."""
    return load_yaml_document(data).data


def load_yaml_document(data: bytes | str) -> YamlDocument:
    """`load_yaml`, keeping the node tree for line numbers."""
    try:
        loader = _Yaml12Loader(data)
        try:
            node = loader.get_single_node()
            if node is None:
                return YamlDocument(None, None)
            _check_size(node)
            return YamlDocument(loader.construct_document(node), node)
        finally:
            loader.dispose()
    except YamlError:
        raise
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise YamlError(_one_line(exc)) from exc


def node_line(node: yaml.Node) -> int:
    """The 1-based line where a node starts."""
    return int(node.start_mark.line) + 1


def mapping_items(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key text, key node, value node) of a mapping node's scalar keys; nothing for any
    other node."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield str(key.value), key, value


def sequence_items(node: yaml.Node | None) -> list[yaml.Node]:
    """The items of a sequence node; empty for any other node."""
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _check_size(root: yaml.Node) -> None:
    """Count nodes as aliases would expand them; refuse documents past MAX_NODES."""
    count = 0
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise YamlError(f"document too large (more than {MAX_NODES} nodes after aliases)")
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def _one_line(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if mark is not None:
        return f"line {mark.line + 1}: {problem}"
    return str(problem)
