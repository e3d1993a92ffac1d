"""A policy's `check:` read into conditions, validated key by key with the place of every
mistake (see docs/design/policies.md for the language)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TypeVar

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from udef_audit.policies.datapath import DataPath, DataPathError, parse_path
from udef_audit.policies.globs import Glob, GlobError, compile_glob
from udef_audit.policies.language import (
    BOUNDS,
    AllOf,
    AnyOf,
    CommandsCheck,
    Condition,
    DataCheck,
    DockerCheck,
    FilesExist,
    FilesSize,
    Not,
    TextCheck,
    ValueTest,
)
from udef_audit.policies.regex import FLAGS, Pattern, PatternError, compile_pattern
from udef_audit.policies.schema import Cursor

MAX_DEPTH = 12
FORMATS = ("toml", "yaml", "json", "ini")
TOOLS = ("pytest", "mypy", "ruff", "coverage", "flake8", "isort")
_EXTENSIONS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".ini": "ini", ".cfg": "ini",
               ".flake8": "ini", ".coveragerc": "ini", ".pylintrc": "ini", ".editorconfig": "ini"}
_VALUE_KEYS = ("equals", "one-of", "contains", "matches", "flags", "version", *BOUNDS, "not")
_SIZE = re.compile(r"(?i)\s*(\d{1,12})\s*(b|kb|kib|mb|mib|gb|gib)?\s*")
_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}
_TEST_KEYS = tuple(key for key in _VALUE_KEYS if key != "flags")
T = TypeVar("T")
NO_GLOBS: tuple[Glob, ...] = ()
NO_INSTRUCTIONS: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
CONDITIONS = ("files", "data", "text", "docker", "commands", "all", "any", "not")
# What a message template may name, by kind of condition (patterns add their named groups).
CAPTURES = {
    "files": ("expected", "size"),
    "data": ("value", "key", "expected"),
    "text": ("match", "expected"),
    "docker": ("stage", "image", "tag", "user", "instruction", "expected"),
    "commands": ("command", "program", "chain", "expected"),
}


def format_of(path: str) -> str | None:
    """The data format a file name (or a glob's last alternatives, `*.{yml,yaml}`) says:
    `.toml`, `.yml`, `setup.cfg`...; None when it says none, or several."""
    name = path.rsplit("/", 1)[-1]
    stem, brace, choices = name.partition("{")
    if brace and choices.endswith("}"):
        kinds = {format_of(stem + choice) for choice in choices[:-1].split(",")}
        return kinds.pop() if len(kinds) == 1 else None
    for extension, kind in _EXTENSIONS.items():
        if name.endswith(extension):
            return kind
    return None


class Compiler:
    """Reads one policy's check; `captures` collects the names its messages may use."""

    def __init__(self) -> None:
        self.captures: set[str] = set()
        self.count = 0

    def condition(self, at: Cursor, depth: int = 0) -> Condition:
        """One condition: a mapping with one key naming its kind."""
        self.count += 1
        if depth > MAX_DEPTH or self.count > 200:
            at.fail(f"conditions nest at most {MAX_DEPTH} deep, 200 in all")
        kind, body = at.single(CONDITIONS, "a condition: one of " + ", ".join(CONDITIONS))
        if kind in ("all", "any"):
            items = tuple(self.condition(item, depth + 1) for item in body.elements("a list of conditions"))
            return AllOf(items) if kind == "all" else AnyOf(items)
        if kind == "not":
            return Not(self.condition(body, depth + 1))
        self.captures.update(CAPTURES[kind])
        readers: dict[str, Callable[[Cursor], Condition]] = {
            "files": self._files, "data": self._data, "text": self._text, "docker": self._docker,
            "commands": self._commands,
        }
        return readers[kind](body)

    # -- files -----------------------------------------------------------------------------
    def _files(self, at: Cursor) -> Condition:
        fields = at.fields(("exists", "missing", "glob", "min-size", "max-size"),
                           what="a mapping with exists, missing, or glob and a size")
        chosen = [k for k in ("exists", "missing", "glob") if k in fields]
        if len(chosen) != 1:
            at.fail("expected exactly one of exists, missing, or glob (with min-size or max-size)")
        globs = globs_at(fields[chosen[0]])
        if chosen[0] == "exists":
            return FilesExist(globs)
        if chosen[0] == "missing":
            return Not(FilesExist(globs))
        sizes = {key: _size(fields[key]) for key in ("min-size", "max-size") if key in fields}
        if not sizes:
            at.fail("expected min-size or max-size with glob")
        return FilesSize(globs, sizes.get("min-size"), sizes.get("max-size"))

    # -- data ------------------------------------------------------------------------------
    def _data(self, at: Cursor) -> Condition:
        fields = at.fields(("files", "tool", "format", "path", "exists", *_VALUE_KEYS), required=("path",))
        if ("files" in fields) == ("tool" in fields):
            at.fail("expected exactly one of files (with an optional format) or tool")
        files = given(fields, "files", globs_at, NO_GLOBS)
        fmt = _data_format(fields, files)
        test = self.value_test(at, fields, required=False)
        exists = optional(fields, "exists", Cursor.boolean)
        if exists is None and test is None:
            at.fail("expected exists or a value test (" + ", ".join(_TEST_KEYS) + ")")
        if exists is False and test is not None:
            at.fail("exists: false says the value is absent; a value test cannot apply to it")
        tool = optional(fields, "tool", lambda c: c.choice(TOOLS))
        return DataCheck(_data_path(fields["path"]), files, fmt, tool, exists, test)

    def value_test(self, at: Cursor, fields: dict[str, Cursor], *, required: bool = True) -> ValueTest | None:
        """The value tests among `fields` (None when there are none and none is required)."""
        if not any(key in fields for key in _TEST_KEYS):
            if required:
                at.fail("expected a value test: " + ", ".join(_TEST_KEYS))
            return None
        _flags_need_matches(fields)
        return ValueTest(
            one_of=_one_of(fields),
            contains=given(fields, "contains", lambda c: tuple(item.scalar() for item in _items(c)), ()),
            pattern=optional(fields, "matches", lambda c: self.pattern(c, fields.get("flags"))),
            version=optional(fields, "version", _specifier),
            bounds=tuple((key, float(fields[key].number())) for key in BOUNDS if key in fields),
            negated=optional(fields, "not", self.standalone_test),
        )

    def standalone_test(self, at: Cursor) -> ValueTest:
        """A value test as its own mapping (`tag: {not: {equals: latest}}`)."""
        test = self.value_test(at, at.fields(_VALUE_KEYS, what="a value test"))
        if test is None:  # pragma: no cover - a required test fails before
            at.fail("expected a value test")
        return test

    def pattern(self, at: Cursor, flags: Cursor | None) -> Pattern:
        """An RE2 pattern; its named groups become captures."""
        chosen = tuple(f.choice(tuple(FLAGS)) for f in _items(flags)) if flags is not None else ()
        try:
            compiled = compile_pattern(at.text("a regular expression (RE2 syntax)"), chosen)
        except PatternError as exc:
            at.fail(str(exc))
        for group in compiled.groups:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", group):
                at.fail(f"a named group is a lower-case name a message can use ({{{group}}} is not)")
        self.captures.update(compiled.groups)
        return compiled

    # -- text ------------------------------------------------------------------------------
    def _text(self, at: Cursor) -> Condition:
        fields = at.fields(("files", "pattern", "flags", "in", "per-file"), required=("files", "pattern"))
        return TextCheck(
            files=globs_at(fields["files"]),
            pattern=self.pattern(fields["pattern"], fields.get("flags")),
            where=fields["in"].choice(("code", "comments", "strings", "any")) if "in" in fields else "any",
            per_file=fields["per-file"].boolean() if "per-file" in fields else False,
        )

    # -- docker ----------------------------------------------------------------------------
    def _docker(self, at: Cursor) -> Condition:
        tests = ("image", "tag", "digest", "user", "instructions")
        fields = at.fields(("files", "stages", *tests))
        if not any(key in fields for key in tests):
            at.fail("expected a stage test: " + ", ".join(tests))
        present, absent = given(fields, "instructions", _instructions, NO_INSTRUCTIONS)
        return DockerCheck(
            stages=given(fields, "stages", lambda c: c.choice(("runtime", "test", "all")), "all"),
            files=given(fields, "files", globs_at, NO_GLOBS),
            image=optional(fields, "image", self.standalone_test),
            tag=optional(fields, "tag", self.standalone_test),
            digest=optional(fields, "digest", Cursor.boolean),
            user=optional(fields, "user", lambda c: c.choice(("root", "non-root"))),
            present=present,
            absent=absent,
        )

    # -- commands --------------------------------------------------------------------------
    def _commands(self, at: Cursor) -> Condition:
        fields = at.fields(("runs", "with", "without"), required=("runs",))
        return CommandsCheck(
            programs=fields["runs"].texts("a program name or a list of them (mypy, pytest)"),
            with_words=fields["with"].texts("a word or a list of words") if "with" in fields else (),
            without_words=fields["without"].texts("a word or a list of words") if "without" in fields else (),
        )


def optional(fields: dict[str, Cursor], key: str, read: Callable[[Cursor], T]) -> T | None:
    """`read` of the key's cursor, or None when the key is absent."""
    cursor = fields.get(key)
    return None if cursor is None else read(cursor)


def given(fields: dict[str, Cursor], key: str, read: Callable[[Cursor], T], default: T) -> T:
    """`read` of the key's cursor, or `default` when the key is absent."""
    cursor = fields.get(key)
    return default if cursor is None else read(cursor)


def _flags_need_matches(fields: dict[str, Cursor]) -> None:
    if "flags" in fields and "matches" not in fields:
        fields["flags"].fail("flags apply to matches")


def _data_path(at: Cursor) -> DataPath:
    try:
        return parse_path(at.text("a data path such as project.requires-python"))
    except DataPathError as exc:
        at.fail(f"expected a data path such as project.requires-python or jobs.*.steps[*].uses: {exc}")


def _data_format(fields: dict[str, Cursor], files: tuple[Glob, ...]) -> str | None:
    """The format given, or None when each file's name says it (a glob that does not fails)."""
    if "format" in fields:
        if "tool" in fields:
            fields["format"].fail("a tool's configuration has its own format: give files, or tool without format")
        return fields["format"].choice(FORMATS)
    for glob, item in zip(files, _items(fields.get("files")), strict=False):
        if format_of(glob.text) is None:
            item.fail(f"cannot tell the format from {glob.text!r}: add format: toml, yaml, json or ini")
    return None


def globs_at(at: Cursor) -> tuple[Glob, ...]:
    """A glob or a list of globs, each compiled (the mistake's place when one is not)."""
    items = [at] if isinstance(at.value, str) else list(at.elements("a glob or a list of globs"))
    globs = []
    for item in items:
        try:
            globs.append(compile_glob(item.text("a glob such as **/*.py")))
        except GlobError as exc:
            item.fail(f"expected a glob such as **/*.py: {exc}")
    if all(glob.excludes for glob in globs):
        at.fail("a '!glob' takes files out of what the other globs of the list match: add one without '!'")
    return tuple(globs)


def _items(at: Cursor | None) -> Iterator[Cursor]:
    if at is None:
        return iter(())
    return iter([at]) if not isinstance(at.value, list) else at.elements()


def _one_of(fields: dict[str, Cursor]) -> tuple[object, ...] | None:
    if "equals" in fields and "one-of" in fields:
        fields["one-of"].fail("give equals or one-of, not both")
    if "equals" in fields:
        return (fields["equals"].scalar(),)
    if "one-of" in fields:
        return tuple(item.scalar() for item in fields["one-of"].elements("a list of values"))
    return None


def _specifier(at: Cursor) -> SpecifierSet:
    try:
        return SpecifierSet(at.text("a version specifier such as >=3.11"))
    except InvalidSpecifier:
        at.fail(f"expected a version specifier such as >=3.11 (PEP 440), found {at.value!r}")


def _size(at: Cursor) -> int:
    if isinstance(at.value, int) and not isinstance(at.value, bool) and at.value >= 0:
        return at.value
    match = _SIZE.fullmatch(at.value) if isinstance(at.value, str) else None
    if match is None:
        at.expected("a size in bytes, or with a unit: 500 kB, 1 MiB")
    return int(match.group(1)) * _UNITS[(match.group(2) or "b").lower()]


def _instructions(at: Cursor) -> tuple[tuple[str, ...], tuple[str, ...]]:
    fields = at.fields(("present", "absent"), what="a mapping with present and/or absent")
    if not fields:
        at.fail("expected present and/or absent")
    lists = []
    for key in ("present", "absent"):
        words = fields[key].texts("an instruction or a list of them (HEALTHCHECK, ADD)") if key in fields else ()
        for word in words:
            if not re.fullmatch(r"[A-Za-z]+", word):
                fields[key].fail(f"expected a Dockerfile instruction such as HEALTHCHECK, found {word!r}")
        lists.append(tuple(word.upper() for word in words))
    return lists[0], lists[1]
