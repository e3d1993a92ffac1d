"""Find pip invocations, and `--no-deps` in particular, in shell text.

Serves UDEF005 no-pip-no-deps ("Never use `pip install --no-deps`") and UDEF002, which
needs the package arguments of `pip install`. The text comes from Dockerfile RUN lines,
shell scripts, Makefile recipes, tox/setup.cfg commands and CI `run:`/`script:` steps of
untrusted repositories, so this is a small shell *lexer*, never an interpreter: nothing is
executed or expanded, nothing raises, the work is linear in the text, and the recursion
into `$( ... )`, backticks, heredocs and `sh -c '...'` is depth-limited.

Every result carries character offsets into the text the caller passed in, also for words
found inside a quoted `sh -c` argument, so a caller can map a finding to its exact line.

Facts checked against pip 26.3 (optparse) and uv (clap):

* optparse accepts any unambiguous prefix of a long option, but it counts the two spellings
  `--no-deps` and `--no-dependencies` as two candidates, so `--no-d`, `--no-de` and
  `--no-dep` are *ambiguous* (pip exits with "ambiguous option"); the shortest accepted
  abbreviation is `--no-depe`. uv accepts only the exact `--no-deps`.
* `--no-deps` before the subcommand (`pip --no-deps install`) is rejected by pip's main
  parser ("no such option"), so only flags after the subcommand count.
* pip reads `PIP_NO_DEPS` / `PIP_NO_DEPENDENCIES` (any case after the `PIP_` prefix) with
  its `strtobool`: y/yes/t/true/on/1 are true, n/no/f/false/off/0 are false, and an empty
  value is dropped before parsing.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "NoDepsUse",
    "PipInvocation",
    "Word",
    "find_no_deps",
    "find_no_deps_in_argv",
    "is_no_deps_flag",
    "is_truthy_pip_env",
    "iter_pip_invocations",
    "no_deps_flag",
]


@dataclass(frozen=True)
class Word:
    """One shell word: `text` after quote removal, `raw` exactly as written at `offset`."""

    text: str
    offset: int
    raw: str


@dataclass(frozen=True)
class PipInvocation:
    """A pip command: `offset` is that of the simple command's first word (an env prefix
    such as `VAR=1` or `sudo` included); `args` are the words after the subcommand."""

    offset: int
    tool: str
    subcommand: str | None
    args: tuple[Word, ...]
    env: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class NoDepsUse:
    """A place that turns dependency installation off; `flag` is the text at `offset`."""

    offset: int
    flag: str
    tool: str


# --- limits -------------------------------------------------------------------------------

# Nested `$( )`, backticks and heredoc bodies handled inside one text; deeper ones are
# skipped over (their parentheses are still balanced so the outer text lexes correctly).
_MAX_NESTING = 12
# Levels of `sh -c '...'` / `eval` re-lexing; each level re-reads at most the whole text.
_MAX_SCRIPT_DEPTH = 4

# --- pip facts ------------------------------------------------------------------------------

_NO_DEPS = "--no-deps"
_NO_DEPENDENCIES = "--no-dependencies"
# optparse sees --no-deps and --no-dependencies as two candidates for shorter prefixes.
_SHORTEST_NO_DEPENDENCIES_PREFIX = len("--no-depe")
# The contract counts `--no-dep` as an abbreviation of `--no-deps`. Current pip rejects it as
# ambiguous (--no-deps or --no-dependencies?), so such a line fails, but it still says
# "install without dependencies": it is reported, with a message that says so.
_SHORTEST_REPORTED_PREFIX = len("--no-dep")
_INSTALL_SUBCOMMAND = "install"
_PIP_ENV_NAMES = frozenset({"no-deps", "no-dependencies"})
_PIP_TRUE_VALUES = frozenset({"y", "yes", "t", "true", "on", "1"})

# pip's general options (`pip --help`), the only options allowed before the subcommand.
_PIP_GENERAL_VALUE_OPTIONS = frozenset(
    {
        "--cache-dir", "--cert", "--client-cert", "--default-timeout", "--exists-action",
        "--keyring-provider", "--local-log", "--log", "--log-file", "--proxy", "--python",
        "--resume-retries", "--retries", "--timeout", "--trusted-host", "--use-deprecated",
        "--use-feature",
    }
)  # fmt: skip
_PIP_GENERAL_FLAG_OPTIONS = frozenset(
    {
        "--debug", "--disable-pip-version-check", "--help", "--isolated", "--no-cache-dir",
        "--no-color", "--no-input", "--no-proxy-env", "--no-python-version-warning",
        "--quiet", "--require-venv", "--require-virtualenv", "--verbose", "--version",
    }
)  # fmt: skip
_PIP_GENERAL_OPTIONS = tuple(sorted(_PIP_GENERAL_VALUE_OPTIONS | _PIP_GENERAL_FLAG_OPTIONS))
# uv's global options that take a separate value and may come before `pip`.
_UV_VALUE_OPTIONS = frozenset(
    {
        "--allow-insecure-host", "--cache-dir", "--color", "--config-file", "--directory",
        "--project", "--python-preference",
    }
)  # fmt: skip

# --- shell facts ----------------------------------------------------------------------------

_BLANKS = frozenset(" \t\r\f\v")
_OPERATOR_CHARS = frozenset(";&|()<>")
_WORD_BREAKS = _BLANKS | _OPERATOR_CHARS | {"\n"}
# Reserved words that may open a command; the command proper follows them.
_COMMAND_START_KEYWORDS = frozenset(
    {"!", "{", "}", "if", "then", "do", "else", "elif", "while", "until", "fi", "done", "esac"}
)
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash", "ksh", "mksh"})
_SHELL_VALUE_OPTIONS = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
_EXPORT_BUILTINS = frozenset({"export", "declare", "typeset", "local", "readonly"})
# Commands that run the rest of their arguments as a command, with their options that take
# a separate value (e.g. `sudo -u user`).
_PREFIX_COMMANDS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "exec": frozenset({"-a"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "nohup": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "xargs": frozenset({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file"}),
}
# Prefix commands with positional operands before the command (`timeout 60 pip ...`).
_PREFIX_OPERANDS = {"timeout": 1}

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
# `NAME = value`, `NAME := value`, `NAME ?= value`...; the value is stripped afterwards
# (a lazy `(.*?)\s*` would be quadratic on long runs of blanks).
_MAKE_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?::{1,3}=|[?+!]?=)(.*)", re.DOTALL)
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

_PIP_EXECUTABLE = re.compile(r"pip(?:-?\d+(?:\.\d+)*)?(?i:\.exe)?")
_PYTHON_EXECUTABLE = re.compile(r"(?:python|pypy|py)(?:-?\d+(?:\.\d+)*)?[mdtw]?(?i:\.exe)?")
_UV_EXECUTABLE = re.compile(r"uv(?i:\.exe)?")
_PYTHON_PLACEHOLDER = "<python>"
# `-m pip`, `-mpip`, `-Im pip`: python's flag letters clustered in front of `m`.
_PYTHON_MODULE_OPTION = re.compile(r"-[bBdEhiIOPqsSuvVR]*m(.*)", re.DOTALL)
_PYTHON_FLAG_OPTION = re.compile(r"-[bBdEhiIOPqsSuvVR]+|-[WX].+|-\d[\d.]*(?:-\d+)?")
_PYTHON_VALUE_OPTIONS = frozenset({"-W", "-X"})
_MAKE_VARIABLE = re.compile(r"\$(?:\((\w+)\)|\{(\w+)\}|(\w+))")
# PIP, PIP3, VENV_PIP, MY_PIP — but not PIPENV, PIPX or PIPELINE.
_PIP_IN_VARIABLE_NAME = re.compile(r"pip(?![a-z])", re.IGNORECASE)


# --- public helpers -------------------------------------------------------------------------


def is_no_deps_flag(word: str) -> bool:
    """Whether `word` asks pip for `--no-deps`.

    `--no-deps`, `--no-dependencies` and its prefixes from `--no-depe` on are what pip's
    option parser accepts; `--no-dep` (the contract's example) is counted too, although
    optparse finds it ambiguous and pip exits with an error (see `is_rejected_abbreviation`).
    """
    if len(word) < _SHORTEST_REPORTED_PREFIX:
        return False
    return _NO_DEPS.startswith(word) or _NO_DEPENDENCIES.startswith(word)


def is_rejected_abbreviation(word: str) -> bool:
    """A `--no-deps` abbreviation that pip itself rejects as ambiguous (`--no-dep`)."""
    return is_no_deps_flag(word) and word not in (_NO_DEPS,) and len(word) < _SHORTEST_NO_DEPENDENCIES_PREFIX


def is_truthy_pip_env(value: str) -> bool:
    """Whether pip reads `value` of a boolean `PIP_*` variable as true (its `strtobool`)."""
    return value.lower() in _PIP_TRUE_VALUES


def no_deps_flag(invocation: PipInvocation) -> Word | None:
    """The `--no-deps` word of an install (`pip install`, `uv pip install`), else None.

    `pip wheel` / `pip download` accept the flag too but install nothing, so they never
    count. Words after `--` are operands, not options.
    """
    if invocation.subcommand != _INSTALL_SUBCOMMAND:
        return None
    exact_only = invocation.tool == "uv pip"  # clap does not expand abbreviations
    for word in invocation.args:
        if word.text == "--":
            return None
        if word.text == _NO_DEPS or (not exact_only and is_no_deps_flag(word.text)):
            return word
    return None


def iter_pip_invocations(script: str, *, make_syntax: bool = False) -> list[PipInvocation]:
    """Every pip command in `script`, in text order.

    `make_syntax=True` reads a Makefile recipe: `@`, `-` and `+` line prefixes are
    stripped, `$$` stands for `$`, and `$(PIP)`-like variables count as pip.
    """
    return _scan_script(script, make_syntax).invocations


def find_no_deps(script: str, *, make_syntax: bool = False) -> list[NoDepsUse]:
    """Every place in `script` that installs with dependencies turned off, in text order.

    That is a `--no-deps` flag of an install, and `PIP_NO_DEPS` / `PIP_NO_DEPENDENCIES`
    set truthy for a command (`VAR=1 cmd`, `env VAR=1 cmd`), exported (`export VAR=1`,
    `VAR=1; export VAR`, Make's `export VAR = 1`) or written to `$GITHUB_ENV`.
    """
    return _scan_script(script, make_syntax).sorted_uses()


def find_no_deps_in_argv(argv: Sequence[str]) -> str | None:
    """The no-deps flag, as written, in an exec-form command list, else None.

    The first element may be a pip or python executable (any path), `uv`, a prefix such as
    `env`, a shell with `-c` (its script is lexed), or the placeholder `"<python>"`.
    """
    if isinstance(argv, str) or not isinstance(argv, Sequence):
        return None
    texts = [item if isinstance(item, str) else str(item) for item in argv]
    root = " ".join(texts)
    source = _Source(root, root, None, 0, make_syntax=False)
    command = _Command(source)
    start = 0
    for text in texts:
        end = start + len(text)
        assignment = _ASSIGNMENT.match(text) is not None
        command.tokens.append(_Token(text, start, end, assignment, 0, len(root)))
        start = end + 1
    findings = _Findings()
    _analyze_commands([command], findings)
    uses = findings.sorted_uses()
    return uses[0].flag if uses else None


# --- lexer ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    """Text being lexed; `text[i]` was read from `root[starts[i]:ends[i]]` (None: root)."""

    text: str
    root: str
    spans: _Spans | None
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

    def word(self, token: _Token) -> Word:
        """The public word for a token, located in `root`."""
        start = self.start_of(token.start)
        end = self.end_of(token.end - 1) if token.end > token.start else start
        return Word(token.text, start, self.root[start : max(start, end)])


@dataclass(slots=True)
class _Spans:
    """Where each character of a word or script was read: `[starts[i], ends[i])`."""

    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))


def _clamped(values: Sequence[int], index: int) -> int:
    if not values:
        return 0
    return values[max(0, min(index, len(values) - 1))]


@dataclass(frozen=True, slots=True)
class _Token:
    """A word of `_Source.text[start:end]`; `nesting`/`limit` allow an identical re-scan."""

    text: str
    start: int
    end: int
    assignment: bool
    nesting: int
    limit: int


@dataclass(slots=True)
class _Command:
    """One simple command: its words and the targets of its redirections."""

    source: _Source
    tokens: list[_Token] = field(default_factory=list)
    redirect_targets: list[_Token] = field(default_factory=list)


@dataclass(slots=True)
class _Heredoc:
    delimiter: str
    strip_tabs: bool
    command: _Command
    sink_index: int


@dataclass(slots=True)
class _ListState:
    command: _Command
    closing: bool
    line_start: bool
    paren_depth: int = 0
    done: bool = False


class _WordBuilder:
    """Collects a word's text and, on request, where each character came from."""

    def __init__(self, *, record: bool) -> None:
        self.parts: list[str] = []
        self.spans: _Spans | None = _Spans() if record else None

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


class _Lexer:
    """Splits a source into simple commands; substitutions add their own commands."""

    def __init__(self, source: _Source, sink: list[_Command]) -> None:
        self.source = source
        self.text = source.text
        self.end = len(source.text)
        self.sink = sink
        self.nesting = 0
        self.heredocs: list[_Heredoc] = []

    def lex(self) -> list[_Command]:
        """All simple commands of the source."""
        self._parse_list(0, closing=False, line_start=True)
        return self.sink

    def rescan_spans(self, token: _Token) -> _Spans:
        """Where each character of `token.text` was read, by reading the word again."""
        self.nesting, self.end = token.nesting, token.limit
        builder = _WordBuilder(record=True)
        self._scan_word(token.start, builder)
        spans = builder.spans
        if spans is None or len(spans.starts) != len(token.text):  # never expected
            spans = _Spans()
            spans.starts.extend([token.start] * len(token.text))
            spans.ends.extend([token.end] * len(token.text))
        return spans

    # -- command lists

    def _parse_list(self, i: int, *, closing: bool, line_start: bool) -> int:
        state = _ListState(_Command(self.source), closing, line_start)
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
        state.command = _Command(self.source)

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

    def _unquoted(self, token: _Token) -> bool:
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
        return any(_basename(t.text) in _SHELLS for command in commands for t in command.tokens)

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

    def _scan_word(self, start: int, builder: _WordBuilder) -> tuple[_Token, int]:
        i = start
        if self._at_process_substitution(i):
            i = self._substitution_end(i + 2)
            builder.add(self.text[start:i], start)
        while i < self.end and self.text[i] not in _WORD_BREAKS:
            i = self._word_part(i, builder)
        assignment = _ASSIGNMENT.match(self.text, start, i) is not None
        text = "".join(builder.parts)
        return _Token(text, start, i, assignment, self.nesting, self.end), i

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


def _drop_file_descriptor(tokens: list[_Token], operator_start: int) -> None:
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


# --- command analysis -----------------------------------------------------------------------


@dataclass(slots=True)
class _Findings:
    invocations: list[PipInvocation] = field(default_factory=list)
    uses: list[NoDepsUse] = field(default_factory=list)

    def sorted_uses(self) -> list[NoDepsUse]:
        unique = {(use.offset, use.flag): use for use in self.uses}
        return [unique[key] for key in sorted(unique)]


class _Exports:
    """Truthy no-deps variables assigned without export, for a later `export NAME`."""

    def __init__(self) -> None:
        self._assigned: dict[str, NoDepsUse] = {}

    def assign(self, name: str, value: str, use: NoDepsUse) -> None:
        if not _is_no_deps_variable(name):
            return
        if is_truthy_pip_env(value):
            self._assigned[name] = use
        else:
            self._assigned.pop(name, None)

    def exported(self, name: str) -> NoDepsUse | None:
        return self._assigned.get(name)


def _scan_script(script: str, make_syntax: bool) -> _Findings:
    source = _Source(script, script, None, 0, make_syntax)
    findings = _Findings()
    _analyze_commands(_Lexer(source, []).lex(), findings)
    findings.invocations.sort(key=lambda invocation: invocation.offset)
    return findings


def _analyze_commands(commands: list[_Command], findings: _Findings) -> None:
    exports = _Exports()
    ordered = sorted((c for c in commands if c.tokens), key=lambda c: c.tokens[0].start)
    for command in ordered:
        _analyze_command(command, findings, exports)


def _analyze_command(command: _Command, findings: _Findings, exports: _Exports) -> None:
    tokens, source = command.tokens, command.source
    index, env = _skip_command_prefixes(tokens, source.make_syntax)
    if index >= len(tokens):  # assignments only: shell variables, not the environment
        for token in env:
            _remember_assignment(source, token, exports)
        return
    findings.uses.extend(_env_uses(source, env))
    if _analyze_builtin(command, index, findings, exports):
        return
    script = _shell_script_tokens(tokens, index)
    if script:
        _analyze_script(source, script, findings)
        return
    invocation = _pip_invocation(command, index, env)
    if invocation is None:
        return
    findings.invocations.append(invocation)
    flag = no_deps_flag(invocation)
    if flag is not None:
        findings.uses.append(NoDepsUse(flag.offset, flag.raw, invocation.tool))


def _analyze_builtin(command: _Command, index: int, findings: _Findings, exports: _Exports) -> bool:
    """Handle `export`-like builtins, `echo ... >> $GITHUB_ENV` and Make assignments."""
    head = command.tokens[index].text
    if head in _EXPORT_BUILTINS:
        findings.uses.extend(_export_uses(command, index, exports))
        return True
    if head in ("echo", "printf"):
        findings.uses.extend(_github_env_uses(command, index))
        return True
    if command.source.make_syntax and _make_assignment(command.tokens[index:]):
        _remember_make_assignment(command, index, exports)
        return True
    return False


def _skip_command_prefixes(tokens: list[_Token], make_syntax: bool) -> tuple[int, list[_Token]]:
    """Index of the command word after assignments and `sudo`/`env`/...; the assignments."""
    env: list[_Token] = []
    index = _collect_assignments(tokens, 0, env)
    while index < len(tokens):
        name = _basename(tokens[index].text)
        if make_syntax and name == "shell":  # the body of Make's `$(shell ...)`
            index += 1
            continue
        value_options = _PREFIX_COMMANDS.get(name)
        if value_options is None:
            break
        index = _skip_prefix_options(tokens, index + 1, name, value_options)
        index = _collect_assignments(tokens, index, env)
    return index, env


def _collect_assignments(tokens: list[_Token], index: int, env: list[_Token]) -> int:
    while index < len(tokens) and tokens[index].assignment:
        env.append(tokens[index])
        index += 1
    return index


def _skip_prefix_options(words: list[_Token], index: int, name: str, values: frozenset[str]) -> int:
    operands = _PREFIX_OPERANDS.get(name, 0)
    while index < len(words):
        text = words[index].text
        if text == "--":
            return index + 1 + operands
        if not text.startswith("-"):
            if not operands:
                break
            operands -= 1
            index += 1
            continue
        if name == "command" and text in ("-v", "-V"):
            return len(words)  # `command -v pip` only looks pip up
        index += 2 if text in values else 1
    return index


def _split_assignment(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    return name.rstrip("+"), value


def _is_no_deps_variable(name: str) -> bool:
    # pip reads PIP_<option> with the rest lower-cased and `_` read as `-`.
    return name.startswith("PIP_") and name[4:].lower().replace("_", "-") in _PIP_ENV_NAMES


def _no_deps_assignment(text: str) -> bool:
    name, _, value = text.partition("=")
    return _is_no_deps_variable(name) and is_truthy_pip_env(value)


def _env_use(source: _Source, token: _Token) -> NoDepsUse:
    word = source.word(token)
    return NoDepsUse(word.offset, word.raw, "pip")


def _remember_assignment(source: _Source, token: _Token, exports: _Exports) -> None:
    name, value = _split_assignment(token.text)
    if _is_no_deps_variable(name):
        exports.assign(name, value, _env_use(source, token))


def _env_uses(source: _Source, env: list[_Token]) -> list[NoDepsUse]:
    found: list[NoDepsUse] = []
    for token in env:
        name, value = _split_assignment(token.text)
        if _is_no_deps_variable(name) and is_truthy_pip_env(value):
            found.append(_env_use(source, token))
    return found


def _export_uses(command: _Command, index: int, exports: _Exports) -> list[NoDepsUse]:
    """`export VAR=1`, `declare -x VAR=1`, `export VAR` after `VAR=1`, Make's `export V = 1`."""
    tokens, source = command.tokens, command.source
    exported, operands = _export_mode(tokens, index)
    if source.make_syntax and _make_assignment(tokens[operands:]):
        use = _remember_make_assignment(command, operands, exports)
        return [use] if exported and use is not None else []
    found: list[NoDepsUse] = []
    for token in tokens[operands:]:
        if token.assignment:
            _remember_assignment(source, token, exports)
        remembered = exports.exported(_split_assignment(token.text)[0])
        if exported and remembered is not None:
            found.append(remembered)
    return found


def _export_mode(tokens: list[_Token], index: int) -> tuple[bool, int]:
    """Whether the builtin at `index` exports (`export`, `declare -x`); its first operand."""
    head = tokens[index].text
    exported = head == "export"
    index += 1
    while index < len(tokens) and tokens[index].text.startswith(("-", "+")):
        option = tokens[index].text
        if "x" in option:
            exported = option.startswith("-")
        elif head == "export" and option.startswith("-") and "n" in option:
            exported = False  # `export -n` removes the export
        index += 1
    return exported, index


def _make_assignment(tokens: Sequence[_Token]) -> tuple[str, str] | None:
    """(name, value) when the tokens read as a Make assignment such as `NAME = value`."""
    if not tokens or tokens[0].assignment:
        return None  # `NAME=value` as one word reads the same in the shell
    match = _MAKE_ASSIGNMENT.fullmatch(" ".join(token.text for token in tokens))
    if match is None:
        return None
    return match.group(1), match.group(2).strip()


def _remember_make_assignment(command: _Command, index: int, exports: _Exports) -> NoDepsUse | None:
    """Remember a Make assignment for a later `export`; its use when it turns deps off."""
    tokens, source = command.tokens, command.source
    parsed = _make_assignment(tokens[index:])
    if parsed is None:
        return None
    name, value = parsed
    first, last = source.word(tokens[index]), source.word(tokens[-1])
    use = NoDepsUse(first.offset, source.root[first.offset : last.offset + len(last.raw)], "pip")
    exports.assign(name, value, use)
    return use if _no_deps_assignment(f"{name}={value}") else None


def _github_env_uses(command: _Command, index: int) -> list[NoDepsUse]:
    """`echo "PIP_NO_DEPS=1" >> "$GITHUB_ENV"` sets the variable for later CI steps."""
    if not any("GITHUB_ENV" in target.text for target in command.redirect_targets):
        return []
    found: list[NoDepsUse] = []
    for token in command.tokens[index + 1 :]:
        text = token.text.removesuffix("\\n")  # printf "PIP_NO_DEPS=1\n": an escape, not the value
        if _no_deps_assignment(text):
            found.append(_env_use(command.source, token))
    return found


def _shell_script_tokens(tokens: list[_Token], index: int) -> list[_Token] | None:
    """The script words of `sh -c SCRIPT`, `bash -lc SCRIPT` or `eval WORDS`."""
    name = _basename(tokens[index].text)
    if name == "eval":
        return tokens[index + 1 :] or None
    if name not in _SHELLS:
        return None
    reads_command, index = _shell_options(tokens, index + 1)
    if reads_command and index < len(tokens):
        return [tokens[index]]
    return None


def _shell_options(tokens: list[_Token], index: int) -> tuple[bool, int]:
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


def _analyze_script(source: _Source, tokens: list[_Token], findings: _Findings) -> None:
    """Lex the words of `sh -c` / `eval` as a script, keeping offsets into the root text."""
    if source.depth >= _MAX_SCRIPT_DEPTH:
        return
    parts: list[str] = []
    spans = _Spans()
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
    inner = _Source("".join(parts), source.root, spans, source.depth + 1, source.make_syntax)
    _analyze_commands(_Lexer(inner, []).lex(), findings)


def _root_spans(source: _Source, token: _Token) -> tuple[Sequence[int], Sequence[int]]:
    """Where in the root text each character of `token.text` starts and ends."""
    if token.text == source.text[token.start : token.end]:  # nothing quoted or escaped
        if source.spans is None:
            return range(token.start, token.end), range(token.start + 1, token.end + 1)
        word = slice(token.start, token.end)
        return source.spans.starts[word], source.spans.ends[word]
    local = _Lexer(source, []).rescan_spans(token)
    if source.spans is None:
        return local.starts, local.ends
    starts = [source.start_of(index) for index in local.starts]
    return starts, [source.end_of(index - 1) for index in local.ends]


def _pip_invocation(command: _Command, index: int, env: list[_Token]) -> PipInvocation | None:
    tokens, source = command.tokens, command.source
    entry = _pip_entry(tokens, index, source.make_syntax)
    if entry is None:
        return None
    tool, index = entry
    if tool == "pip":
        index = _skip_options(tokens, index, _pip_general_option_takes_value)
    else:
        index = _skip_options(tokens, index, _UV_VALUE_OPTIONS.__contains__)
    subcommand = tokens[index].text if index < len(tokens) else None
    args = tuple(source.word(token) for token in tokens[index + 1 :])
    return PipInvocation(
        offset=source.word(tokens[0]).offset,
        tool=tool,
        subcommand=subcommand,
        args=args,
        env=tuple(_split_assignment(token.text) for token in env),
    )


def _pip_entry(tokens: list[_Token], index: int, make_syntax: bool) -> tuple[str, int] | None:
    """("pip" | "uv pip", index after `pip`) when the command at `index` runs pip."""
    head = tokens[index].text
    name = _basename(head)
    if _PIP_EXECUTABLE.fullmatch(name) or (make_syntax and _is_pip_variable(head)):
        return "pip", index + 1
    if _UV_EXECUTABLE.fullmatch(name):
        return _uv_pip_entry(tokens, index + 1)
    module, after = _python_module(tokens, index)
    if module == "pip":
        return "pip", after
    if module == "uv":
        return _uv_pip_entry(tokens, after)
    return None


def _uv_pip_entry(tokens: list[_Token], index: int) -> tuple[str, int] | None:
    index = _skip_options(tokens, index, _UV_VALUE_OPTIONS.__contains__)
    if index < len(tokens) and tokens[index].text == "pip":
        return "uv pip", index + 1
    return None


def _python_module(tokens: list[_Token], index: int) -> tuple[str | None, int]:
    """The module of `python [options] -m MODULE`; any word directly before `-m` counts."""
    head = tokens[index].text
    is_python = head == _PYTHON_PLACEHOLDER or bool(_PYTHON_EXECUTABLE.fullmatch(_basename(head)))
    index += 1
    while index < len(tokens):
        text = tokens[index].text
        module = _PYTHON_MODULE_OPTION.fullmatch(text)
        if module:
            if module.group(1):
                return module.group(1), index + 1
            if index + 1 < len(tokens):
                return tokens[index + 1].text, index + 2
            return None, index + 1
        if not is_python:
            return None, index
        if text in _PYTHON_VALUE_OPTIONS:
            index += 2
        elif _PYTHON_FLAG_OPTION.fullmatch(text):
            index += 1
        else:  # a script, `-c CODE` or an option this reader does not know
            return None, index
    return None, index


def _skip_options(tokens: list[_Token], index: int, takes_value: Callable[[str], bool]) -> int:
    while index < len(tokens):
        text = tokens[index].text
        if not text.startswith("-") or text == "-":
            break
        index += 2 if "=" not in text and takes_value(text) else 1
    return index


def _pip_general_option_takes_value(option: str) -> bool:
    if option in _PIP_GENERAL_VALUE_OPTIONS:
        return True
    if not option.startswith("--") or option in _PIP_GENERAL_FLAG_OPTIONS:
        return False
    matches = [name for name in _PIP_GENERAL_OPTIONS if name.startswith(option)]
    return len(matches) == 1 and matches[0] in _PIP_GENERAL_VALUE_OPTIONS


def _is_pip_variable(text: str) -> bool:
    match = _MAKE_VARIABLE.fullmatch(text)
    if match is None:
        return False
    name = match.group(1) or match.group(2) or match.group(3)
    return bool(_PIP_IN_VARIABLE_NAME.search(name))


def _basename(text: str) -> str:
    return text.replace("\\", "/").rsplit("/", 1)[-1]
