"""Data conditions: values at a path of TOML, YAML, JSON or INI files, or of the
configuration a tool reads, each with the line it is written on.

Every file is read through the context (parsed once per audit, UDEF000 when malformed):
TOML through `ctx.toml` with `ctx.toml_lines`, YAML through `ctx.yaml_document` (the
node tree gives each value's line), JSON through `ctx.json_document`, INI through
`ctx.ini` (as configparser reads it: `section.key`, keys lower-cased), and a tool's
configuration through `ctx.tool_configs` (the file the tool actually reads).

A file the globs match that has no value at the path passes unless `exists: true`; a
check whose globs match no file passes (combine it with `files: {exists: ...}`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from udef_audit.parsers.toml_lines import line_of as toml_line
from udef_audit.parsers.yaml_located import Located, located
from udef_audit.policies.compile import format_of
from udef_audit.policies.datapath import Concrete, DataPath, Step, find, plain_children, prefix, render
from udef_audit.policies.language import DataCheck, Evidence, Outcome, show

if TYPE_CHECKING:
    from udef_audit.context import RepoContext
    from udef_audit.policies.scope import Scope

Value = tuple[Concrete, Any, int]  # (where, value, line)


@dataclass(frozen=True)
class Source:
    """One parsed document: its values at a path, with lines."""

    path: str
    values: Callable[[DataPath], tuple[list[Value], bool]]


def evaluate_data(check: DataCheck, scope: Scope) -> Outcome:
    """Each source's values at the path: present or absent as asked, each passing the test."""
    failures: list[Evidence] = []
    witnesses: list[Evidence] = []
    for source in _sources(check, scope):
        for passes, evidence in _judged(check, scope, source):
            (witnesses if passes else failures).append(evidence)
    return Outcome(not failures, tuple(failures or witnesses))


def _judged(check: DataCheck, scope: Scope, source: Source) -> Iterator[tuple[bool, Evidence]]:
    """Each value of one source, passing or not; a missing one that must exist fails."""
    expected = _expected(check)
    values, truncated = source.values(check.path)
    if truncated:
        scope.ctx.unparseable(source.path, f"the data path {check.path.text!r} names too many values; "
                              "only the first ones were checked")
    if check.exists and not values:
        yield False, _evidence(source.path, _nearest_line(source, check.path), check.path.text, None, expected)
    for where, value, line in values:
        passes = check.exists is not False and (check.test is None or check.test.passes(value))
        yield passes, _evidence(source.path, line, render(where), value, expected)


def _expected(check: DataCheck) -> str:
    if check.exists is False:
        return "absent"
    return check.test.describe() if check.test is not None else "present"


def _evidence(path: str, line: int, key: str, value: Any, expected: str) -> Evidence:
    shown = "(absent)" if value is None else show(value).strip("'\"")
    captures = {"key": key, "value": shown, "expected": expected}
    return Evidence(path, line, None, f"{key}={shown}" if value is not None else f"{key} missing", captures)


def _nearest_line(source: Source, path: DataPath) -> int:
    """The line of the deepest part of the path that exists (1 when none does)."""
    known = prefix(path)
    for length in range(len(known.steps), 0, -1):
        values, _ = source.values(DataPath(path.text, known.steps[:length]))
        if values:
            return values[0][2]
    return 1


# -- sources -----------------------------------------------------------------------------------
def _sources(check: DataCheck, scope: Scope) -> Iterator[Source]:
    ctx = scope.ctx
    if check.tool is not None:
        config = ctx.tool_configs(scope.folder, check.tool).read
        if config is not None:
            yield Source(config.path, _plain(config.settings, lambda _where: config.line))
        return
    for path in scope.files(check.files):
        source = _source(ctx, path, check.format or format_of(path))
        if source is not None:
            yield source


def _source(ctx: RepoContext, path: str, fmt: str | None) -> Source | None:
    readers: dict[str | None, Callable[[RepoContext, str], Source | None]] = {
        "toml": _toml_source, "yaml": _yaml_source, "json": _json_source, "ini": _ini_source,
    }
    reader = readers.get(fmt)
    return None if reader is None else reader(ctx, path)


def _toml_source(ctx: RepoContext, path: str) -> Source | None:
    data = ctx.toml(path)
    if data is None:
        return None
    lines = ctx.toml_lines(path)
    return Source(path, _plain(data, lambda where: toml_line(lines, _keys(where))))


def _yaml_source(ctx: RepoContext, path: str) -> Source | None:
    document = ctx.yaml_document(path)
    return None if document is None else Source(path, _located(located(document)))


def _json_source(ctx: RepoContext, path: str) -> Source | None:
    document = ctx.json_document(path)
    return None if document is None else Source(path, _plain(document.data, document.line_of))


def _ini_source(ctx: RepoContext, path: str) -> Source | None:
    ini = ctx.ini(path)
    if ini is None:
        return None

    def ini_line(where: Concrete) -> int:
        section = ini.sections.get(str(where[0])) if where else None
        if section is None:
            return 1
        entry = section.entries.get(str(where[1])) if len(where) > 1 else None
        return entry.line if entry is not None else section.line

    return Source(path, _plain(ini.as_dict(), ini_line))


def _keys(where: Concrete) -> tuple[str, ...]:
    return tuple(part for part in where if isinstance(part, str))


def _plain(data: Any, line_of: Callable[[Concrete], int]) -> Callable[[DataPath], tuple[list[Value], bool]]:
    def values(path: DataPath) -> tuple[list[Value], bool]:
        found = find(data, path)
        return [(where, value, line_of(where)) for where, value in found.values], found.truncated

    return values


def _located(root: Located) -> Callable[[DataPath], tuple[list[Value], bool]]:
    def values(path: DataPath) -> tuple[list[Value], bool]:
        found = find(root, path, _located_children)
        return [(where, node.value, node.line) for where, node in found.values], found.truncated

    return values


def _located_children(node: Located, step: Step) -> Iterator[tuple[str | int, Located]]:
    """The children a step takes in a located document (plain_children's rules)."""
    if step.kind == "key":
        child = node.get(step.key)
        if child is not None:
            yield step.key, child
    elif isinstance(node.value, list):
        items = node.items()
        if step.kind != "index":
            yield from enumerate(items)
        elif -len(items) <= step.index < len(items):
            yield step.index % len(items), items[step.index]
    elif step.kind == "any":
        yield from node.entries()
    else:
        yield from plain_children(node.value, step)  # nothing: a step into a scalar
