"""Dockerfile model: instructions, a stage graph and RUN commands with exact source lines.

Serves UDEF004 docker-stages-share-base (every stage resolved to its root external image),
UDEF005 no-pip-no-deps (`pip install --no-deps` in RUN, `PIP_NO_DEPS` in ENV/ARG, each
pointing at the physical line of the flag) and UDEF009 runtime-non-root (the ARG, ENV and
USER steps of each stage, kept as written, and `substitute` to resolve them in a scope).

`parse_dockerfile` is a pure function of untrusted bytes: it never executes anything, never
raises, and its work is linear in the input (ARG expansion is capped in length and nesting).

Line handling follows BuildKit's parser rather than dockerfile-parse's: a continuation ends
with the escape character (`\\`, or the backtick after a `# escape=`` ` directive) followed
only by spaces/tabs; comment lines and blank lines inside a continuation are dropped; a
heredoc body (`<<EOF`, `<<-EOF`, `<<'EOF'`, several per line) is taken off the instruction
stream and kept on the instruction that opened it; an unterminated heredoc runs to the end of
the file. dockerfile-parse 2.0.1 (a project dependency) is deliberately *not* called here:
its `.structure` concatenates each continued instruction with `+=` on a dict item, which is
quadratic (36 s for one 2 MB continued RUN), decodes strictly as UTF-8 (raises on other
bytes), ends a continuation at a blank line, and cannot skip heredoc bodies -- and the
heredoc pass it would need is itself a full continuation-aware scan. The test suite checks
this scanner's instruction boundaries against dockerfile-parse on inputs where both agree.

Lines are separated by "\\n" (a trailing "\\r" is dropped, a UTF-8 BOM is removed, bytes that
are not UTF-8 become U+FFFD); all line numbers are 1-based.
"""

from __future__ import annotations

import bisect
import json
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "Dockerfile",
    "EnvAssignment",
    "Heredoc",
    "Instruction",
    "RunCommand",
    "Stage",
    "StageStep",
    "normalize_image",
    "parse_dockerfile",
    "root_image",
    "substitute",
]

# A substituted value may grow the text by at most this many characters: `ARG B=$A$A`,
# `ARG C=$B$B`, ... would otherwise double with every line.
_MAX_EXPANSION_GROWTH = 4096
# `${A:-${B:-...}}` deeper than this is reported as unresolved instead of recursed into.
_MAX_NESTING = 32
# At most this many unresolved ARG names are kept per value, so a chain of ARGs each adding
# one more name cannot make every later reference copy all of them.
_MAX_UNRESOLVED_NAMES = 16

_DIRECTIVE_RE = re.compile(r"#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.+?)\s*")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
# BuildKit's heredoc word: optional fd, `<<`, optional `-` (strip tabs), then the delimiter.
_HEREDOC_WORD_RE = re.compile(r"(\d*)<<(-?)([^<]*)", re.DOTALL)
_ASSIGNMENT_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_NAME_RE = re.compile(r"[^\W\d]\w*|\d+")
_BRACED_RE = re.compile(r"([^\W\d]\w*|\d+)(?:(:?[-+?])(.*))?", re.DOTALL)
_KEYWORD_RE = re.compile(r"(\S+)")
_NON_SPACE_RE = re.compile(r"\S")

_DOCKER_HUB_REGISTRIES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_OFFICIAL_PREFIX = "library/"
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


# --------------------------------------------------------------------------- public model


@dataclass(frozen=True)
class Instruction:
    """One logical instruction; `end_line` includes continuation lines and heredoc bodies."""

    keyword: str
    value: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Heredoc:
    """A BuildKit heredoc body attached to a RUN.

    `interpreter` is None when the RUN is only the heredoc (`RUN <<EOF`: the body is a shell
    script) or only heredoc markers; for such a lone body starting with `#!` it is the
    shebang command (e.g. "/usr/bin/env python3"). Otherwise it is the first word of the
    command the body is fed to (`RUN python3 <<EOF` -> "python3"; `VAR=x` prefixes skipped).
    """

    start_line: int
    body: str
    interpreter: str | None

    def line_at(self, offset: int) -> int:
        """Physical 1-based line of character `offset` in `body` (clamped to the body)."""
        last = max(self.body.count("\n") - 1, 0)
        return self.start_line + min(self.body.count("\n", 0, max(offset, 0)), last)


def _segment_offset(segment: tuple[int, int]) -> int:
    return segment[0]


@dataclass(frozen=True)
class RunCommand:
    """A RUN instruction, its command text and the physical line of every part of it.

    `text` is the command after the RUN flags (`--mount=...`, listed in `flags`): continuation
    lines joined by a single space, the escape character and comment lines removed. In shell
    form `shell == text` and `exec_argv` is None; in exec form (`RUN ["pip", "install"]`)
    `shell` is None, `exec_argv` holds the JSON strings and `text` is the JSON source.
    `segments` pairs the offset in `text` where each joined physical line starts with that
    line. `stage` is -1 for a RUN before the first FROM.
    """

    stage: int
    start_line: int
    end_line: int
    shell: str | None
    exec_argv: tuple[str, ...] | None
    heredocs: tuple[Heredoc, ...]
    text: str = ""
    flags: tuple[str, ...] = ()
    segments: tuple[tuple[int, int], ...] = ()

    def line_at(self, offset: int) -> int:
        """Physical 1-based line of character `offset` in `shell` (or `text`).

        Offsets before the start map to the first line, past the end to the last one; the
        result never decreases as the offset grows and stays within start_line..end_line.
        """
        if not self.segments:
            return self.start_line
        index = bisect.bisect_right(self.segments, offset, key=_segment_offset) - 1
        line = self.segments[max(index, 0)][1]
        return min(max(line, self.start_line), self.end_line)


@dataclass(frozen=True)
class EnvAssignment:
    """`key=value` from ENV (`K=V ...` or legacy `K V`) or an ARG with a default.

    `value` has quotes and escapes removed but variables left as written; `line` is the
    physical line of the key; `instruction` is "ENV" or "ARG".
    """

    line: int
    key: str
    value: str
    instruction: str


@dataclass(frozen=True)
class Stage:
    """One FROM: `image` is `image_raw` after global-ARG substitution, None if unresolved.

    `parent` is the index of the earlier stage whose (lower-cased) name the image names;
    `unresolved_args` lists the ARGs without a default (or undeclared) that the image needs.
    """

    index: int
    name: str | None
    from_line: int
    image_raw: str
    image: str | None
    platform: str | None
    parent: int | None
    unresolved_args: tuple[str, ...]


@dataclass(frozen=True)
class StageStep:
    """An `ARG`, `ENV` or `USER` inside a stage, in file order, as written (quotes and `$`
    references kept), so that a reader can resolve it in the scope of a chain of stages.
    `name` is the variable (empty for USER); `raw` is None for an ARG without a default."""

    stage: int
    line: int
    keyword: str
    name: str
    raw: str | None


@dataclass(frozen=True)
class Dockerfile:
    """The parsed file. `global_args` maps each ARG before the first FROM to its default
    (quotes removed, variables as written) or None; `global_values` maps it to its value in
    the default build (substituted; None when unset or unresolved); `copy_from` holds
    (stage index, `--from=` value, line) for every `COPY --from=`; `steps` the ARG, ENV and
    USER instructions inside stages; `escape` the escape character."""

    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    global_args: dict[str, str | None] = field(hash=False)
    runs: tuple[RunCommand, ...]
    env: tuple[EnvAssignment, ...]
    copy_from: tuple[tuple[int, str, int], ...]
    steps: tuple[StageStep, ...] = ()
    global_values: dict[str, str | None] = field(default_factory=dict, hash=False)
    escape: str = "\\"


# --------------------------------------------------------------------------- joined text


class _Text(NamedTuple):
    """Text joined from physical lines; `starts[i]` is where the piece from `lines[i]` begins."""

    text: str
    starts: tuple[int, ...]
    lines: tuple[int, ...]

    def line_at(self, offset: int) -> int:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.lines[max(index, 0)]

    def tail(self, start: int) -> _Text:
        """The text from `start` on, leading whitespace skipped, offsets re-based."""
        found = _NON_SPACE_RE.search(self.text, min(start, len(self.text)))
        start = found.start() if found else len(self.text)
        if len(self.starts) == 1:
            return _Text(self.text[start:], (0,), self.lines)
        index = max(bisect.bisect_right(self.starts, start) - 1, 0)
        starts = (0, *(offset - start for offset in self.starts[index + 1 :]))
        return _Text(self.text[start:], starts, self.lines[index:])

    def segments(self) -> tuple[tuple[int, int], ...]:
        return tuple(zip(self.starts, self.lines, strict=True))


def _join(pieces: list[tuple[int, str]]) -> _Text:
    """Join (line, text) pieces with one space, dropping pieces that are only whitespace."""
    parts: list[str] = []
    starts: list[int] = []
    lines: list[int] = []
    offset = 0
    for line, raw in pieces:
        piece = raw.strip()
        if not piece:
            continue
        if parts:
            offset += 1  # the joining space
        starts.append(offset)
        lines.append(line)
        parts.append(piece)
        offset += len(piece)
    if not parts:
        return _Text("", (0,), (pieces[0][0],))
    return _Text(" ".join(parts), tuple(starts), tuple(lines))


# --------------------------------------------------------------------------- shell words


def _word_re(escape: str) -> re.Pattern[str]:
    # The alternatives start with different characters, so the match never backtracks.
    esc = re.escape(escape)
    body = rf"""(?:[^\s'"{esc}]+|{esc}.?|'[^']*'?|"(?:[^"{esc}]|{esc}.?)*"?)+"""
    return re.compile(body, re.DOTALL)


_WORD_RES = {"\\": _word_re("\\"), "`": _word_re("`")}


def _iter_words(text: str, escape: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each whitespace-separated word; quotes and escapes join words."""
    for match in _WORD_RES[escape].finditer(text):
        yield match.start(), match.end()


class _Overflow(Exception):
    """An expansion outgrew its limit."""


@dataclass(frozen=True)
class _ArgValue:
    """A global ARG in the default build: `value` None means unset (no default); `taint`
    names the unset ARGs the value was computed from."""

    value: str | None
    taint: tuple[str, ...] = ()


@dataclass
class _Trace:
    """Shared by nested expansions: names that made the result unresolved, names used."""

    tainted: list[str] = field(default_factory=list)
    referenced: list[str] = field(default_factory=list)


_SPECIAL_RES = {escape: re.compile("[" + re.escape(escape + "'\"$") + "]") for escape in "\\`"}
_DOUBLE_QUOTED_SPECIAL_RES = {escape: re.compile("[" + re.escape(escape + '"$') + "]") for escape in "\\`"}


class _Expander:
    """Shell word processing for one word: quotes and escapes removed, `$` substituted.

    With `scope` None, `$` stays literal (plain unquoting). Supported: `$V`, `${V}`,
    `${V:-w}`, `${V-w}`, `${V:+w}`, `${V+w}`, `${V:?w}`, `${V?w}`; other forms are unresolved.
    """

    def __init__(
        self,
        text: str,
        scope: Mapping[str, _ArgValue] | None,
        escape: str,
        trace: _Trace,
        depth: int = 0,
    ) -> None:
        self._text = text
        self._scope = scope
        self._escape = escape
        self._trace = trace
        self._depth = depth
        self._pos = 0
        self._out: list[str] = []
        self._size = 0
        self._limit = len(text) + _MAX_EXPANSION_GROWTH
        self._special = _SPECIAL_RES[escape]
        self._double_special = _DOUBLE_QUOTED_SPECIAL_RES[escape]

    def expand(self) -> str:
        while self._pos < len(self._text):
            self._step()
        return "".join(self._out)

    def _emit(self, chunk: str) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise _Overflow
        self._out.append(chunk)

    def _emit_until(self, end: int) -> None:
        self._emit(self._text[self._pos : end])
        self._pos = end

    def _step(self) -> None:
        found = self._special.search(self._text, self._pos)
        if found is None:
            self._emit_until(len(self._text))
            return
        self._emit_until(found.start())
        char = found.group()
        if char == self._escape:
            self._emit(self._text[self._pos + 1 : self._pos + 2])
            self._pos += 2
        elif char == "'":
            close = self._text.find("'", self._pos + 1)
            end = len(self._text) if close < 0 else close
            self._pos += 1
            self._emit_until(end)
            self._pos = end + 1
        elif char == '"':
            self._double_quoted()
        else:
            self._dollar()

    def _double_quoted(self) -> None:
        self._pos += 1
        while self._pos < len(self._text):
            found = self._double_special.search(self._text, self._pos)
            if found is None:
                self._emit_until(len(self._text))
                return
            self._emit_until(found.start())
            char = found.group()
            if char == '"':
                self._pos += 1
                return
            if char == "$":
                self._dollar()
            else:
                self._double_quoted_escape()

    def _double_quoted_escape(self) -> None:
        # Inside double quotes the escape character only escapes `"`, `$` and itself.
        following = self._text[self._pos + 1 : self._pos + 2]
        if following and following in '"$' + self._escape:
            self._emit(following)
            self._pos += 2
        else:
            self._emit(self._escape)
            self._pos += 1

    def _dollar(self) -> None:
        self._pos += 1
        if self._scope is None:
            self._emit("$")
        elif self._text.startswith("{", self._pos):
            self._braced()
        else:
            found = _NAME_RE.match(self._text, self._pos)
            if found is None:
                self._emit("$")
            else:
                self._pos = found.end()
                self._emit_value(found.group())

    def _lookup(self, name: str) -> _ArgValue | None:
        self._trace.referenced.append(name)
        value = self._scope.get(name) if self._scope is not None else None
        if value is None or value.value is None:
            return None
        self._trace.tainted.extend(value.taint)
        return value

    def _emit_value(self, name: str) -> None:
        value = self._lookup(name)
        if value is None or value.value is None:
            self._trace.tainted.append(name)
        else:
            self._emit(value.value)

    def _braced(self) -> None:
        inner_start = self._pos + 1
        close = _closing_brace(self._text, inner_start, self._escape)
        if close < 0:  # an unterminated `${`: Docker rejects the line
            found = _NAME_RE.match(self._text, inner_start)
            self._trace.tainted.append(found.group() if found else "${")
            self._pos = len(self._text)
            return
        self._pos = close + 1
        parsed = _BRACED_RE.fullmatch(self._text, inner_start, close)
        if parsed is None:  # `${#V}`, `${V%x}`, `${V/a/b}`, `${}`: not resolved here
            found = _NAME_RE.search(self._text, inner_start, close)
            self._trace.tainted.append(found.group() if found else "${")
            return
        name, operator, word = parsed.groups()
        if operator is None:
            self._emit_value(name)
        else:
            self._apply_operator(name, operator, word)

    def _apply_operator(self, name: str, operator: str, word: str) -> None:
        """`${V-w}` / `${V+w}` / `${V?w}` and their `:` forms, as the shell reads them."""
        current = self._value_if_set(name, non_empty=operator.startswith(":"))
        if operator.endswith("+"):
            if current is not None:
                self._emit_nested(word)
        elif current is not None:
            self._emit(current)
        elif operator.endswith("?"):
            self._trace.tainted.append(name)
        else:
            self._emit_nested(word)

    def _value_if_set(self, name: str, *, non_empty: bool) -> str | None:
        """The value of `name` if it counts as set: defined, and for a `:` operator non-empty."""
        value = self._lookup(name)
        if value is None or value.value is None or (non_empty and not value.value):
            return None
        return value.value

    def _emit_nested(self, word: str) -> None:
        if self._depth >= _MAX_NESTING:
            self._trace.tainted.append("${")
            return
        nested = _Expander(word, self._scope, self._escape, self._trace, self._depth + 1)
        self._emit(nested.expand())


_BRACE_TOKEN_RES = {escape: re.compile(r"\$\{|\}|" + re.escape(escape) + ".", re.DOTALL) for escape in "\\`"}


def _closing_brace(text: str, start: int, escape: str) -> int:
    """Index of the `}` closing a `${` whose body starts at `start`, or -1."""
    depth = 0
    for token in _BRACE_TOKEN_RES[escape].finditer(text, start):
        if token.group() == "${":
            depth += 1
        elif token.group() == "}":
            if depth == 0:
                return token.start()
            depth -= 1
    return -1


def _unquote(word: str, escape: str) -> str:
    """Remove quotes and escapes from a shell word; `$` references are kept as written."""
    if "'" not in word and '"' not in word and escape not in word:
        return word
    return _Expander(word, None, escape, _Trace()).expand()


def _expand(word: str, scope: Mapping[str, _ArgValue], escape: str) -> tuple[str, tuple[str, ...]]:
    """Substitute global ARGs in `word`; returns the text and the unresolved ARG names."""
    if not _SPECIAL_RES[escape].search(word):
        return word, ()
    trace = _Trace()
    try:
        text = _Expander(word, scope, escape, trace).expand()
    except _Overflow:
        return "", _first_names(trace.referenced or ["${"])
    return text, _first_names(trace.tainted)


def _first_names(names: list[str]) -> tuple[str, ...]:
    """The first distinct names, at most _MAX_UNRESOLVED_NAMES of them."""
    distinct: dict[str, None] = {}
    for name in names:
        if len(distinct) >= _MAX_UNRESOLVED_NAMES:
            break
        distinct.setdefault(name)
    return tuple(distinct)


# --------------------------------------------------------------------------- logical lines


class _Body(NamedTuple):
    start_line: int
    body: str


class _Logical(NamedTuple):
    keyword: str
    value: _Text
    start_line: int
    end_line: int
    bodies: tuple[_Body, ...]


def _physical_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _escape_character(lines: list[str]) -> str:
    """The escape character set by the parser directives at the top of the file."""
    seen: set[str] = set()
    for line in lines:
        found = _DIRECTIVE_RE.fullmatch(line.strip())
        if found is None:
            break
        key = found.group(1).lower()
        if key not in _KNOWN_DIRECTIVES or key in seen:  # directives end here (or Docker errs)
            break
        seen.add(key)
        if key == "escape" and found.group(2) in ("\\", "`"):
            return found.group(2)
    return "\\"


def _is_skipped(line: str) -> bool:
    stripped = line.lstrip()
    return not stripped or stripped.startswith("#")


def _last_flag_value(flags: list[tuple[str, int]], prefix: str) -> str | None:
    """The value of the last `--name=value` flag with this `--name=` prefix (the last wins)."""
    found = None
    for flag, _ in flags:
        if flag.startswith(prefix):
            found = flag.removeprefix(prefix)
    return found


def _stage_name(from_args: list[str]) -> str | None:
    """The lower-cased stage name of `FROM image AS name`, else None."""
    if len(from_args) >= 3 and from_args[1].lower() == "as":
        return from_args[2].lower()
    return None


def _split_flags(value: _Text, escape: str) -> tuple[list[tuple[str, int]], _Text]:
    """Leading `--flag` words (unquoted, with their offsets) and the rest of the text."""
    flags: list[tuple[str, int]] = []
    for start, end in _iter_words(value.text, escape):
        word = value.text[start:end]
        if not word.startswith("--"):
            return flags, value.tail(start)
        if word == "--":  # BuildKit: a bare `--` ends the flags
            return flags, value.tail(end)
        flags.append((_unquote(word, escape), start))
    return flags, value.tail(len(value.text))


def _exec_form(text: str) -> tuple[str, ...] | None:
    """The argv of a JSON-array (exec form) command, or None for shell form."""
    if not text.startswith("["):
        return None
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
        return tuple(parsed)
    return None


class _Scanner:
    """Splits physical lines into logical instructions, taking heredoc bodies off the stream."""

    def __init__(self, lines: list[str], escape: str) -> None:
        self._lines = lines
        self._escape = escape
        self._pos = 0

    def scan(self) -> Iterator[_Logical]:
        while self._pos < len(self._lines):
            if _is_skipped(self._lines[self._pos]):
                self._pos += 1
                continue
            logical = self._instruction()
            if logical.keyword:
                yield logical

    def _instruction(self) -> _Logical:
        start_line = self._pos + 1
        joined = _join(self._continued_pieces())
        found = _KEYWORD_RE.match(joined.text)
        keyword = found.group().upper() if found else ""
        value = joined.tail(found.end() if found else 0)
        bodies = self._heredoc_bodies(keyword, value)
        return _Logical(keyword, value, start_line, self._pos, bodies)

    def _trim(self, line: str) -> tuple[str, bool]:
        body = line.rstrip(" \t")
        if body.endswith(self._escape):
            return body[:-1], True
        return line, False

    def _continued_pieces(self) -> list[tuple[int, str]]:
        text, continues = self._trim(self._lines[self._pos])
        self._pos += 1
        pieces = [(self._pos, text)]
        while continues and self._pos < len(self._lines):
            line = self._lines[self._pos]
            self._pos += 1
            if _is_skipped(line):  # Docker drops comment and blank lines inside a continuation
                continue
            text, continues = self._trim(line)
            pieces.append((self._pos, text))
        return pieces

    def _heredoc_bodies(self, keyword: str, value: _Text) -> tuple[_Body, ...]:
        if keyword not in _HEREDOC_KEYWORDS or "<<" not in value.text:
            return ()
        command = _split_flags(value, self._escape)[1].text
        if _exec_form(command) is not None:
            return ()
        bodies: list[_Body] = []
        for start, end in _iter_words(command, self._escape):
            marker = _HEREDOC_WORD_RE.fullmatch(command, start, end)
            if marker is not None and marker.group(3):
                delimiter = _unquote(marker.group(3), self._escape)
                bodies.append(self._read_body(delimiter, strip_tabs=marker.group(2) == "-"))
        return tuple(bodies)

    def _read_body(self, delimiter: str, *, strip_tabs: bool) -> _Body:
        first_line = self._pos + 1
        body: list[str] = []
        while self._pos < len(self._lines):
            line = self._lines[self._pos]
            self._pos += 1
            if strip_tabs:
                line = line.lstrip("\t")
            if line == delimiter:
                break
            body.append(line + "\n")
        # An empty body at the end of the file still needs a line inside the file.
        return _Body(min(first_line, len(self._lines)), "".join(body))


# --------------------------------------------------------------------------- model building


def _shebang(body: str) -> str | None:
    if not body.startswith("#!"):
        return None
    return body[2:].partition("\n")[0].strip() or None


def _heredoc_interpreter(command: str, escape: str) -> str | None:
    for start, end in _iter_words(command, escape):
        word = command[start:end]
        if _HEREDOC_WORD_RE.fullmatch(word) or _ASSIGNMENT_WORD_RE.match(word):
            continue
        return _unquote(word, escape)
    return None


def _run_heredocs(command: str, bodies: tuple[_Body, ...], escape: str) -> tuple[Heredoc, ...]:
    if not bodies:
        return ()
    if _HEREDOC_WORD_RE.fullmatch(command):  # `RUN <<EOF`: BuildKit runs the body itself
        return tuple(Heredoc(body.start_line, body.body, _shebang(body.body)) for body in bodies)
    interpreter = _heredoc_interpreter(command, escape)
    return tuple(Heredoc(body.start_line, body.body, interpreter) for body in bodies)


def _arg_pairs(value: _Text, escape: str) -> Iterator[tuple[str, str | None, int]]:
    """(name, raw default or None, line) for each `NAME[=default]` word of an ARG."""
    for start, end in _iter_words(value.text, escape):
        name, equals, default = value.text[start:end].partition("=")
        if name:
            yield name, default if equals else None, value.line_at(start)


def _env_pairs(value: _Text, escape: str) -> Iterator[tuple[str, str, int]]:
    """(key, raw value, line) of `ENV K=V K2=V2` or the legacy `ENV K V`."""
    words = list(_iter_words(value.text, escape))
    if not words:
        return
    first_start, first_end = words[0]
    if "=" not in value.text[first_start:first_end]:
        rest = value.text[first_end:].strip()
        if rest:
            yield value.text[first_start:first_end], rest, value.line_at(first_start)
        return
    for start, end in words:
        key, equals, raw = value.text[start:end].partition("=")
        if key and equals:
            yield key, raw, value.line_at(start)


class _Builder:
    """Accumulates the model while walking the logical instructions in order."""

    def __init__(self, escape: str) -> None:
        self.escape = escape
        self.instructions: list[Instruction] = []
        self.stages: list[Stage] = []
        self.global_args: dict[str, str | None] = {}
        self.scope: dict[str, _ArgValue] = {}
        self.stage_by_name: dict[str, int] = {}
        self.runs: list[RunCommand] = []
        self.env: list[EnvAssignment] = []
        self.copy_from: list[tuple[int, str, int]] = []
        self.steps: list[StageStep] = []

    def add(self, logical: _Logical) -> None:
        self.instructions.append(Instruction(logical.keyword, logical.value.text, logical.start_line, logical.end_line))
        if logical.keyword == "FROM":
            self._from(logical)
        elif logical.keyword == "ARG":
            self._arg(logical)
        elif logical.keyword == "ENV":
            for key, raw, line in _env_pairs(logical.value, self.escape):
                self.env.append(EnvAssignment(line, key, _unquote(raw, self.escape), "ENV"))
                self._step(line, "ENV", key, raw)
        elif logical.keyword == "USER":
            self._step(logical.start_line, "USER", "", logical.value.text)
        elif logical.keyword == "RUN":
            self._run(logical)
        elif logical.keyword == "COPY":
            self._copy(logical)

    def build(self) -> Dockerfile:
        return Dockerfile(
            instructions=tuple(self.instructions),
            stages=tuple(self.stages),
            global_args=self.global_args,
            runs=tuple(self.runs),
            env=tuple(self.env),
            copy_from=tuple(self.copy_from),
            steps=tuple(self.steps),
            global_values={name: None if value.taint else value.value for name, value in self.scope.items()},
            escape=self.escape,
        )

    def _step(self, line: int, keyword: str, name: str, raw: str | None) -> None:
        if self.stages:  # before the first FROM only ARG is allowed, and it is global
            self.steps.append(StageStep(len(self.stages) - 1, line, keyword, name, raw))

    def _arg(self, logical: _Logical) -> None:
        for name, raw, line in _arg_pairs(logical.value, self.escape):
            default = None if raw is None else _unquote(raw, self.escape)
            if default is not None:
                self.env.append(EnvAssignment(line, name, default, "ARG"))
            if self.stages:  # an ARG inside a stage never reaches a later FROM
                self._step(line, "ARG", name, raw)
                continue
            self.global_args[name] = default
            if raw is None:
                self.scope[name] = _ArgValue(None)
            else:
                text, taint = _expand(raw, self.scope, self.escape)
                self.scope[name] = _ArgValue(text, taint)

    def _from(self, logical: _Logical) -> None:
        flags, rest = _split_flags(logical.value, self.escape)
        platform = _last_flag_value(flags, "--platform=")
        args = rest.text.split()
        image_raw = args[0] if args else ""
        name = _stage_name(args)
        image, unresolved = _expand(image_raw, self.scope, self.escape)
        resolved = image if image and not unresolved else None
        parent = self.stage_by_name.get(resolved.lower()) if resolved else None
        index = len(self.stages)
        self.stages.append(Stage(index, name, logical.start_line, image_raw, resolved, platform, parent, unresolved))
        if name is not None:
            self.stage_by_name[name] = index

    def _run(self, logical: _Logical) -> None:
        flags, command = _split_flags(logical.value, self.escape)
        argv = _exec_form(command.text)
        heredocs = () if argv is not None else _run_heredocs(command.text, logical.bodies, self.escape)
        self.runs.append(
            RunCommand(
                stage=len(self.stages) - 1,
                start_line=logical.start_line,
                end_line=logical.end_line,
                shell=None if argv is not None else command.text,
                exec_argv=argv,
                heredocs=heredocs,
                text=command.text,
                flags=tuple(flag for flag, _ in flags),
                segments=command.segments(),
            )
        )

    def _copy(self, logical: _Logical) -> None:
        flags, _ = _split_flags(logical.value, self.escape)
        for flag, offset in flags:
            if flag.startswith("--from="):
                source = flag.removeprefix("--from=")
                self.copy_from.append((len(self.stages) - 1, source, logical.value.line_at(offset)))


# --------------------------------------------------------------------------- public API


def parse_dockerfile(data: bytes) -> Dockerfile:
    """Parse Dockerfile bytes into instructions, stages, RUN commands and env assignments.

    Never raises: undecodable bytes become U+FFFD and malformed instructions are kept as
    well as they can be read (a FROM without an image gives a stage with `image` None).
    """
    lines = _physical_lines(data)
    escape = _escape_character(lines)
    builder = _Builder(escape)
    for logical in _Scanner(lines, escape).scan():
        builder.add(logical)
    return builder.build()


class _Values(Mapping[str, _ArgValue]):
    """Plain values (None: unset) seen as the expander's ARG values, without copying them."""

    def __init__(self, values: Mapping[str, str | None]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> _ArgValue:
        if name not in self._values:
            raise KeyError(name)
        return _ArgValue(self._values[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def substitute(word: str, values: Mapping[str, str | None], escape: str = "\\") -> str | None:
    """A shell word as Docker reads it in an instruction: quotes and escapes removed, `$V`
    and `${V...}` (the forms `parse_dockerfile` supports) replaced from `values` (None:
    unset). None when the word needs a variable that is unset or not in `values`, or uses a
    form Docker's default build cannot decide; the work is bounded as for FROM lines."""
    text, unresolved = _expand(word, _Values(values), escape)
    return None if unresolved else text


def root_image(dockerfile: Dockerfile, stage_index: int) -> str | None:
    """The normalised external image stage `stage_index` is built on, following FROM <stage>.

    None when the chain reaches an unresolved FROM or loops (only possible in a hand-built
    model). Raises IndexError when `stage_index` is not an index of `dockerfile.stages`.
    """
    stages = dockerfile.stages
    if not 0 <= stage_index < len(stages):
        raise IndexError(f"stage index {stage_index} out of range")
    seen: set[int] = set()
    position = stage_index
    while stages[position].parent is not None:
        seen.add(position)
        parent = stages[position].parent
        if parent is None or parent in seen or not 0 <= parent < len(stages):
            return None
        position = parent
    image = stages[position].image
    return None if image is None else normalize_image(image)


def _looks_like_registry(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def _canonical_name(name: str) -> str:
    """Docker's "familiar" name: Docker Hub host and the `library/` namespace dropped."""
    first, slash, rest = name.partition("/")
    if slash and _looks_like_registry(first):
        if first not in _DOCKER_HUB_REGISTRIES:
            return name
        path = rest
    else:
        path = name
    official = path.removeprefix(_OFFICIAL_PREFIX)
    if official != path and "/" not in official:
        path = official
    # Keep the Hub host when the path itself would read as a registry (`docker.io/a.b/c`).
    if "/" in path and _looks_like_registry(path.partition("/")[0]):
        return "docker.io/" + path
    return path


def normalize_image(ref: str) -> str:
    """Canonical image reference: Docker's familiar form with an explicit tag.

    `[registry/]path[:tag][@digest]` where Docker Hub's hosts (docker.io, index.docker.io,
    registry-1.docker.io) and the `library/` namespace of official images are dropped, the
    registry and path are lower-cased (ASCII), the tag defaults to `latest` unless a digest
    is given, and tag and digest are kept as written. So `python`, `python:latest` and
    `docker.io/library/python:latest` all give "python:latest";
    `ghcr.io/org/img:tag` stays as it is; `localhost:5000/img` gives "localhost:5000/img:latest";
    `python@sha256:...` keeps only the digest. "scratch" stays "scratch". Whitespace, which
    cannot occur in a reference, is removed. Idempotent.
    """
    reference = "".join(ref.split())  # whitespace cannot occur in a reference
    if reference.translate(_ASCII_LOWER) == "scratch":
        return "scratch"
    name, at, digest = reference.partition("@")
    tag: str | None = None
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1 :]
    name = _canonical_name(name.translate(_ASCII_LOWER))
    if tag is None and not at:
        tag = "latest"
    return name + ("" if tag is None else ":" + tag) + (at + digest)
