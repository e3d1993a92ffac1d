"""A small shell lexer: simple commands and their words, with offsets into the text.

The text comes from Dockerfile RUN lines, shell scripts, Makefile recipes, tox commands and
CI steps of untrusted repositories, so this is a *lexer*, never an interpreter: nothing is
executed or expanded, nothing raises, the work is linear in the text, and the recursion
into `$( ... )`, backticks, heredocs and `sh -c '...'` is depth-limited.

Every word carries character offsets into the text the caller passed in, also for words
found inside a quoted `sh -c` argument, so a caller can map a word to its exact line.
`pip_commands` reads pip invocations from these commands; `simple_commands` hands out the
words of every simple command, for the commands model.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "ASSIGNMENT",
    "SHELLS",
    "Command",
    "Lexer",
    "Source",
    "Spans",
    "Token",
    "Word",
    "basename",
    "script_source",
    "shell_script_tokens",
    "simple_commands",
]


@dataclass(frozen=True)
class Word:
    """One shell word: `text` after quote removal, `raw` exactly as written at `offset`."""

    text: str
    offset: int
    raw: str


# --- limits -------------------------------------------------------------------------------

# Nested `$( )`, backticks and heredoc bodies handled inside one text; deeper ones are
# skipped over (their parentheses are still balanced so the outer text lexes correctly).
_MAX_NESTING = 12
# Levels of `sh -c '...'` / `eval` re-lexing `simple_commands` follows.
_MAX_SCRIPT_DEPTH = 4

# --- shell facts ----------------------------------------------------------------------------

_BLANKS = frozenset(" \t\r\f\v")
_OPERATOR_CHARS = frozenset(";&|()<>")
_WORD_BREAKS = _BLANKS | _OPERATOR_CHARS | {"\n"}
# Reserved words that may open a command; the command proper follows them.
_COMMAND_START_KEYWORDS = frozenset(
    {"!", "{", "}", "if", "then", "do", "else", "elif", "while", "until", "fi", "done", "esac"}
)
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh", "mksh"})
_SHELL_VALUE_OPTIONS = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_PLAIN_RUN = re.compile(r"[^\s;&|()<>\\'\"$`]+")
_DOUBLE_QUOTED_RUN = re.compile(r'[^"\\$`]+')
_ANSI_C_RUN = re.compile(r"[^'\\]+")
_ANSI_C_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", re.DOTALL)
_ANSI_C_SIMPLE = {
    "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
    "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip
_BACKTICK_BODY = re.compile(r"[^`\\]*(?:\\.[^`\\]*)*", re.DOTALL)
# Runs the lexer jumps over in one match instead of one character per step (a 3 MB run of
# blanks must not cost seconds). Unrolled, so the regex never backtracks.
_BLANK_RUN = re.compile(r"[ \t\r\f\v]*")
_BLANKS_AND_CONTINUATIONS = re.compile(r"[ \t\r\f\v]*(?:\\\r?\n[ \t\r\f\v]*)*")
# `;`, `&`, `|`, `&&`, `||`, `;;`...: every character ends the simple command, so a run ends it once.
_LIST_OPERATOR_RUN = re.compile(r"[;&|]+")
_BRACKETS = {"(": re.compile(r"[()]"), "{": re.compile(r"[{}]")}
_REDIRECTION = re.compile(r"&>>?|<<<|<<-?|<>|[<>]&|>>|>\||[<>]")
_FD_PREFIX = re.compile(r"\d+|\{[A-Za-z_][A-Za-z0-9_]*\}")


# --- simple commands ------------------------------------------------------------------------


def simple_commands(script: str, *, make_syntax: bool = False) -> list[tuple[Word, ...]]:
    """The words of every simple command in `script`, in text order: commands joined by
    `;`, `&&`, `|`, in `$( )` and backticks, and inside the string of `sh -c` / `bash -c`
    / `eval` (which is listed too). Assignments before a command (`VAR=1 cmd`) are words
    of it. `make_syntax=True` reads a Makefile recipe (`@`/`-`/`+` prefixes, `$$`)."""
    found: list[tuple[Word, ...]] = []
    pending = [Source(script, script, None, 0, make_syntax)]
    while pending:
        source = pending.pop()
        for command in Lexer(source, []).lex():
            words = tuple(source.word(token) for token in command.tokens)
            if make_syntax:
                words = _without_make_expansion(script, words)
            if not words:
                continue
            found.append(words)
            inner = _command_string(command.tokens)
            if inner and source.depth < _MAX_SCRIPT_DEPTH:
                pending.append(script_source(source, inner))
    return sorted(found, key=lambda words: words[0].offset)


def _without_make_expansion(script: str, words: tuple[Word, ...]) -> tuple[Word, ...]:
    """In a recipe, `$(NAME)` and `$(wildcard ...)` are Make's, not command substitutions:
    they are no commands, except `$(shell ...)`, whose words after `shell` are one."""
    if not words or script[max(words[0].offset - 2, 0) : words[0].offset] not in ("$(", "${"):
        return words
    return words[1:] if words[0].text == "shell" else ()


def _command_string(tokens: list[Token]) -> list[Token] | None:
    """The script of `sh -c SCRIPT` (or `eval WORDS`), also when a wrapper runs the shell
    (`uv run bash -c '...'`, `docker run IMAGE sh -c '...'`, `sudo -u x sh -c '...'`)."""
    first = _first_command_word(tokens)
    found = shell_script_tokens(tokens, first)
    for index in range(first + 1, len(tokens)):
        if found is not None:
            break
        if basename(tokens[index].text) in SHELLS:
            found = shell_script_tokens(tokens, index)
    return found


def _first_command_word(tokens: list[Token]) -> int:
    index = 0
    while index < len(tokens) - 1 and tokens[index].assignment:
        index += 1
    return index


# --- lexer ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """Text being lexed; `text[i]` was read from `root[starts[i]:ends[i]]` (None: root)."""

    text: str
    root: str
    spans: Spans | None
    depth: int
    make_syntax: bool

    def start_of(self, index: int) -> int:
        """Where in `root` the character `text[index]` starts."""
        if self.spans is None:
            return index
        return _clamped(self.spans.starts, index)

    def end_of(self, index: int) -> int:
        """Where in `root` the character `text[index]` ends (exclusive)."""
        if self.spans is None:
            return index + 1
        return _clamped(self.spans.ends, index)

    def word(self, token: Token) -> Word:
        """The public word for a token, located in `root`."""
        start = self.start_of(token.start)
        end = self.end_of(token.end - 1) if token.end > token.start else start
        return Word(token.text, start, self.root[start : max(start, end)])


@dataclass(slots=True)
class Spans:
    """Where each character of a word or script was read: `[starts[i], ends[i])`."""

    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))


def _clamped(values: Sequence[int], index: int) -> int:
    if not values:
        return 0
    return values[max(0, min(index, len(values) - 1))]


@dataclass(frozen=True, slots=True)
class Token:
    """A word of `Source.text[start:end]`; `nesting`/`limit` allow an identical re-scan."""

    text: str
    start: int
    end: int
    assignment: bool
    nesting: int
    limit: int


@dataclass(slots=True)
class Command:
    """One simple command: its words and the targets of its redirections."""

    source: Source
    tokens: list[Token] = field(default_factory=list)
    redirect_targets: list[Token] = field(default_factory=list)


@dataclass(slots=True)
class _Heredoc:
    delimiter: str
    strip_tabs: bool
    command: Command
    sink_index: int


@dataclass(slots=True)
class _ListState:
    command: Command
    closing: bool
    line_start: bool
    paren_depth: int = 0
    done: bool = False


class _WordBuilder:
    """Collects a word's text and, on request, where each character came from."""

    def __init__(self, *, record: bool) -> None:
        self.parts: list[str] = []
        self.spans: Spans | None = Spans() if record else None

    def add(self, text: str, at: int, *, width: int | None = None) -> None:
        """Append `text` read verbatim at `at`, or decoded from the `width` chars at `at`."""
        self.parts.append(text)
        if self.spans is None:
            return
        if width is None:
            self.spans.starts.extend(range(at, at + len(text)))
            self.spans.ends.extend(range(at + 1, at + len(text) + 1))
        else:  # every character of an escape covers the whole escape
            self.spans.starts.extend([at] * len(text))
            self.spans.ends.extend([at + width] * len(text))


class Lexer:
    """Splits a source into simple commands; substitutions add their own commands."""

    def __init__(self, source: Source, sink: list[Command]) -> None:
        self.source = source
        self.text = source.text
        self.end = len(source.text)
        self.sink = sink
        self.nesting = 0
        self.heredocs: list[_Heredoc] = []

    def lex(self) -> list[Command]:
        """All simple commands of the source."""
        self._parse_list(0, closing=False, line_start=True)
        return self.sink

    def rescan_spans(self, token: Token) -> Spans:
        """Where each character of `token.text` was read, by reading the word again."""
        self.nesting, self.end = token.nesting, token.limit
        builder = _WordBuilder(record=True)
        self._scan_word(token.start, builder)
        spans = builder.spans
        if spans is None or len(spans.starts) != len(token.text):  # never expected
            spans = Spans()
            spans.starts.extend([token.start] * len(token.text))
            spans.ends.extend([token.end] * len(token.text))
        return spans

    # -- command lists

    def _parse_list(self, i: int, *, closing: bool, line_start: bool) -> int:
        state = _ListState(Command(self.source), closing, line_start)
        while i < self.end and not state.done:
            i = self._step(i, state)
        self._finish(state)
        return i

    def _step(self, i: int, state: _ListState) -> int:
        char = self.text[i]
        if char in _BLANKS or char == "\\":
            after = self._skip_blanks(i)
            if after > i:
                return after
        if char in "\n#":
            return self._end_of_line(i, state)
        if self._is_make_recipe_prefix(char, state):
            return i + 1
        state.line_start = False
        if char in _OPERATOR_CHARS and not self._at_process_substitution(i):
            return self._operator(i, state)
        return self._word(i, state)

    def _skip_blanks(self, i: int) -> int:
        """Index after the blanks and line continuations at `i` (a continuation is a blank)."""
        match = _BLANKS_AND_CONTINUATIONS.match(self.text, i, self.end)
        i = match.end() if match else i
        if self.end - 3 < i < self.end:
            # The regex stops at the end of a region; a continuation that starts in it but
            # runs past it is still skipped whole, leaving `i` past the end.
            i += self._continuation_length(i)
        return i

    def _run_end(self, run: re.Pattern[str], i: int) -> int:
        """Index after the run of `run` at `i` (`i` itself where none starts)."""
        match = run.match(self.text, i, self.end)
        return match.end() if match else i

    def _is_make_recipe_prefix(self, char: str, state: _ListState) -> bool:
        """Make's silent / ignore-errors / always-run recipe prefixes `@ - +` at a line start."""
        return state.line_start and self.source.make_syntax and char in "@-+"

    def _end_of_line(self, i: int, state: _ListState) -> int:
        if self.text[i] == "#":  # between words, so this starts a comment
            newline = self.text.find("\n", i, self.end)
            return self.end if newline < 0 else newline
        self._finish(state)
        state.line_start = True
        return self._read_heredoc_bodies(i + 1)

    def _continuation_length(self, i: int) -> int:
        if self.text.startswith("\\\n", i):
            return 2
        return 3 if self.text.startswith("\\\r\n", i) else 0

    def _finish(self, state: _ListState) -> None:
        command = state.command
        if command.tokens or command.redirect_targets:
            self.sink.append(command)
        state.command = Command(self.source)

    def _operator(self, i: int, state: _ListState) -> int:
        char = self.text[i]
        if char in "<>" or self.text.startswith("&>", i):
            return self._redirection(i, state)
        self._finish(state)  # ; & | && || ( ) all end the simple command
        if char == "(":
            state.paren_depth += 1
        elif char == ")":
            if state.paren_depth == 0 and state.closing:
                state.done = True
            state.paren_depth = max(0, state.paren_depth - 1)
        else:
            return self._list_operator_end(i)
        return i + 1

    def _list_operator_end(self, i: int) -> int:
        """Index after the run of `;&|` at `i`, short of an `&>` redirection that ends it."""
        end = self._run_end(_LIST_OPERATOR_RUN, i)
        # `&>` is only checked where the run ends: `>` is not part of it. As in `_operator`,
        # the check may look past the end of a region.
        return end - 1 if self.text.startswith("&>", end - 1) else end

    def _redirection(self, i: int, state: _ListState) -> int:
        match = _REDIRECTION.match(self.text, i, self.end)
        operator = match.group() if match else self.text[i]
        _drop_file_descriptor(state.command.tokens, i)
        i = self._run_end(_BLANK_RUN, i + len(operator))
        if not self._at_word_start(i):
            return i
        target, i = self._scan_word(i, _WordBuilder(record=False))
        if operator in ("<<", "<<-"):
            heredoc = _Heredoc(target.text, operator == "<<-", state.command, len(self.sink))
            self.heredocs.append(heredoc)
        else:
            state.command.redirect_targets.append(target)
        return i

    def _word(self, i: int, state: _ListState) -> int:
        token, i = self._scan_word(i, _WordBuilder(record=False))
        command = state.command
        if not command.tokens and token.text in _COMMAND_START_KEYWORDS and self._unquoted(token):
            return i
        command.tokens.append(token)
        return i

    def _unquoted(self, token: Token) -> bool:
        """Whether the token is written as it reads: no quotes or escapes (`"if"` is no keyword)."""
        return token.text == self.text[token.start : token.end]

    # -- heredocs

    def _read_heredoc_bodies(self, i: int) -> int:
        if not self.heredocs:
            return i
        pending, self.heredocs = self.heredocs, []
        feeds_shell = self._shell_since(pending[0].sink_index)
        for heredoc in pending:
            body_start = i
            body_end, i = self._heredoc_end(i, heredoc)
            # A bare `<<EOF` is a Dockerfile `RUN <<EOF` script.
            if feeds_shell or not heredoc.command.tokens:
                self._lex_region(body_start, body_end, line_start=True)
        return i

    def _shell_since(self, sink_index: int) -> bool:
        commands = self.sink[sink_index:]
        return any(basename(t.text) in SHELLS for command in commands for t in command.tokens)

    def _heredoc_end(self, i: int, heredoc: _Heredoc) -> tuple[int, int]:
        """(end of the body, index after the delimiter line)."""
        while i < self.end:
            newline = self.text.find("\n", i, self.end)
            line_end = self.end if newline < 0 else newline
            line = self.text[i:line_end].rstrip("\r")
            if heredoc.strip_tabs:
                line = line.lstrip("\t")
            if line == heredoc.delimiter:
                return i, min(line_end + 1, self.end)
            i = line_end + 1
        return self.end, self.end

    # -- regions lexed in place: $( ), backticks, heredoc bodies

    def _lex_region(self, start: int, end: int, *, line_start: bool) -> None:
        if self.nesting >= _MAX_NESTING:
            return
        saved = self.end, self.heredocs
        self.end, self.heredocs = end, []
        self.nesting += 1
        try:
            self._parse_list(start, closing=False, line_start=line_start)
        finally:
            self.nesting -= 1
            self.end, self.heredocs = saved

    def _substitution_end(self, i: int) -> int:
        """Index after the `)` closing a `$(` / `<(` whose body starts at `i`."""
        if self.nesting >= _MAX_NESTING:
            return self._skip_balanced(i, "(")
        saved = self.heredocs
        self.heredocs = []
        self.nesting += 1
        try:
            return self._parse_list(i, closing=True, line_start=False)
        finally:
            self.nesting -= 1
            self.heredocs = saved

    def _skip_balanced(self, i: int, opening: str) -> int:
        """Index after the bracket closing `opening` (`(` or `{`); the body starts at `i`."""
        depth = 1
        for bracket in _BRACKETS[opening].finditer(self.text, i, self.end):  # only brackets
            depth += 1 if bracket.group() == opening else -1
            if depth == 0:
                return bracket.end()
        return self.end

    # -- words

    def _at_word_start(self, i: int) -> bool:
        """Whether a word (or a `<(` / `>(` process substitution) starts at `i`."""
        at_word = i < self.end and self.text[i] not in _WORD_BREAKS
        return at_word or self._at_process_substitution(i)

    def _at_process_substitution(self, i: int) -> bool:
        return self.text.startswith(("<(", ">("), i) and i + 2 <= self.end

    def _scan_word(self, start: int, builder: _WordBuilder) -> tuple[Token, int]:
        i = start
        if self._at_process_substitution(i):
            i = self._substitution_end(i + 2)
            builder.add(self.text[start:i], start)
        while i < self.end and self.text[i] not in _WORD_BREAKS:
            i = self._word_part(i, builder)
        assignment = ASSIGNMENT.match(self.text, start, i) is not None
        text = "".join(builder.parts)
        return Token(text, start, i, assignment, self.nesting, self.end), i

    def _word_part(self, i: int, builder: _WordBuilder) -> int:
        char = self.text[i]
        if char == "\\":
            return self._escape(i, builder)
        if char == "'":
            return self._single_quoted(i + 1, builder)
        if char == '"':
            return self._double_quoted(i + 1, builder)
        if char == "$":
            return self._dollar(i, builder, quoted=False)
        if char == "`":
            return self._backtick(i, builder)
        match = _PLAIN_RUN.match(self.text, i, self.end)
        run = match.group() if match else char
        builder.add(run, i)
        return i + len(run)

    def _escape(self, i: int, builder: _WordBuilder) -> int:
        if i + 1 >= self.end:
            builder.add("\\", i)
            return i + 1
        continuation = self._continuation_length(i)
        if continuation:
            return i + continuation
        builder.add(self.text[i + 1], i, width=2)
        return i + 2

    def _single_quoted(self, i: int, builder: _WordBuilder) -> int:
        close = self.text.find("'", i, self.end)
        if close < 0:  # unterminated: the rest of the text is this word
            builder.add(self.text[i : self.end], i)
            return self.end
        builder.add(self.text[i:close], i)
        return close + 1

    def _double_quoted(self, i: int, builder: _WordBuilder) -> int:
        while i < self.end:
            char = self.text[i]
            if char == '"':
                return i + 1
            if char == "\\":
                i = self._escape_in_double_quotes(i, builder)
            elif char == "$":
                i = self._dollar(i, builder, quoted=True)
            elif char == "`":
                i = self._backtick(i, builder)
            else:
                match = _DOUBLE_QUOTED_RUN.match(self.text, i, self.end)
                run = match.group() if match else char
                builder.add(run, i)
                i += len(run)
        return i

    def _escape_in_double_quotes(self, i: int, builder: _WordBuilder) -> int:
        following = self.text[i + 1] if i + 1 < self.end else ""
        if following == "\n":
            return i + 2
        if following and following in '$`"\\':
            builder.add(following, i, width=2)
            return i + 2
        builder.add("\\", i)  # any other backslash is literal inside double quotes
        return i + 1

    def _dollar(self, i: int, builder: _WordBuilder, *, quoted: bool) -> int:
        following = self.text[i + 1] if i + 1 < self.end else ""
        if following in ("(", "{"):
            end = self._expansion_end(i + 2, following)
            builder.add(self.text[i:end], i)
            return end
        if following == "$" and self.source.make_syntax:
            return i + 1  # Make's `$$` is a `$` for the shell: read the second one
        if following in ("'", '"') and not quoted:
            return self._dollar_quoted(i + 2, following, builder)
        dollars = "$$" if following == "$" else "$"
        builder.add(dollars, i)
        return i + len(dollars)

    def _expansion_end(self, i: int, opening: str) -> int:
        """Index after the `$( ... )` (lexed for its commands) or `${ ... }` whose body is at `i`."""
        if opening == "(":
            return self._substitution_end(i)
        return self._skip_balanced(i, "{")

    def _dollar_quoted(self, i: int, quote: str, builder: _WordBuilder) -> int:
        """Read the body at `i` of `$"..."` (double-quoted) or `$'...'` (ANSI-C quoted)."""
        if quote == '"':
            return self._double_quoted(i, builder)
        return self._ansi_c_quoted(i, builder)

    def _ansi_c_quoted(self, i: int, builder: _WordBuilder) -> int:
        while i < self.end:
            if self.text[i] == "'":
                return i + 1
            escape = _ANSI_C_ESCAPE.match(self.text, i, self.end)
            if escape:
                builder.add(_decode_ansi_c(escape.group(1)), i, width=escape.end() - i)
                i = escape.end()
                continue
            match = _ANSI_C_RUN.match(self.text, i, self.end)
            run = match.group() if match else self.text[i]
            builder.add(run, i)
            i += len(run)
        return i

    def _backtick(self, i: int, builder: _WordBuilder) -> int:
        body = _BACKTICK_BODY.match(self.text, i + 1, self.end)
        body_end = body.end() if body else self.end
        if body_end < self.end and self.text[body_end] == "`":
            end = body_end + 1
        else:  # unterminated: the rest of the text is the substitution
            body_end = end = self.end
        self._lex_region(i + 1, body_end, line_start=False)
        builder.add(self.text[i:end], i)
        return end


def _drop_file_descriptor(tokens: list[Token], operator_start: int) -> None:
    """`2>&1`: the 2 written right before the operator is a file descriptor, not an argument."""
    if tokens and tokens[-1].end == operator_start and _FD_PREFIX.fullmatch(tokens[-1].text):
        tokens.pop()


def _decode_ansi_c(escape: str) -> str:
    """Decode the part after the backslash of a `$'...'` escape matched by _ANSI_C_ESCAPE."""
    if len(escape) > 1 and escape[0] == "x":
        return chr(int(escape[1:], 16))
    if escape[0] in "01234567":  # the regex took only octal digits
        return chr(int(escape, 8) & 0xFF)
    return _ANSI_C_SIMPLE.get(escape, "\\" + escape)


def shell_script_tokens(tokens: list[Token], index: int) -> list[Token] | None:
    """The script words of `sh -c SCRIPT`, `bash -lc SCRIPT` or `eval WORDS`."""
    name = basename(tokens[index].text)
    if name == "eval":
        return tokens[index + 1 :] or None
    if name not in SHELLS:
        return None
    reads_command, index = _shell_options(tokens, index + 1)
    if reads_command and index < len(tokens):
        return [tokens[index]]
    return None


def _shell_options(tokens: list[Token], index: int) -> tuple[bool, int]:
    """Whether a shell's options from `index` include `-c`; the index of its first operand."""
    reads_command = False
    while index < len(tokens):
        text = tokens[index].text
        if text == "--":
            return reads_command, index + 1
        if not text.startswith(("-", "+")) or len(text) < 2:
            break
        reads_command = reads_command or _is_command_string_option(text)
        index += 2 if text in _SHELL_VALUE_OPTIONS else 1
    return reads_command, index


def _is_command_string_option(option: str) -> bool:
    """`-c`, alone or in a cluster such as `-lc`; neither `+c` nor a `--long` option."""
    return option[0] == "-" and option[1] != "-" and "c" in option


def script_source(source: Source, tokens: list[Token]) -> Source:
    """The words of `sh -c` / `eval` as a script of their own, one level deeper, every
    character keeping its offset in the root text."""
    parts: list[str] = []
    spans = Spans()
    for token in tokens:
        if parts:  # the blank joining `eval` words sits where the previous word ended
            previous_end = spans.ends[-1] if spans.ends else source.start_of(token.start)
            parts.append(" ")
            spans.starts.append(previous_end)
            spans.ends.append(previous_end)
        parts.append(token.text)
        starts, ends = _root_spans(source, token)
        spans.starts.extend(starts)
        spans.ends.extend(ends)
    return Source("".join(parts), source.root, spans, source.depth + 1, source.make_syntax)


def _root_spans(source: Source, token: Token) -> tuple[Sequence[int], Sequence[int]]:
    """Where in the root text each character of `token.text` starts and ends."""
    if token.text == source.text[token.start : token.end]:  # nothing quoted or escaped
        if source.spans is None:
            return range(token.start, token.end), range(token.start + 1, token.end + 1)
        word = slice(token.start, token.end)
        return source.spans.starts[word], source.spans.ends[word]
    local = Lexer(source, []).rescan_spans(token)
    if source.spans is None:
        return local.starts, local.ends
    starts = [source.start_of(index) for index in local.starts]
    return starts, [source.end_of(index - 1) for index in local.ends]


def basename(text: str) -> str:
    return text.replace("\\", "/").rsplit("/", 1)[-1]
