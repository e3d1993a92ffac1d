"""Find pip invocations, and `--no-deps` in particular, in shell text.

Serves UDEF005 no-pip-no-deps ("Never use `pip install --no-deps`") and UDEF002, which
needs the package arguments of `pip install`. The commands come from `shell_lexer` (never
an interpreter: nothing is executed or expanded, nothing raises, the work is linear), and
this module reads them as pip would, following exports, `env`/`sudo` prefixes and the
scripts of `sh -c '...'` and `eval` (depth-limited).

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from udef_audit.parsers.shell_lexer import (
    ASSIGNMENT,
    Command,
    Lexer,
    Source,
    Token,
    Word,
    basename,
    script_source,
    shell_script_tokens,
)

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

_EXPORT_BUILTINS = frozenset({"export", "declare", "typeset", "local", "readonly"})
# Commands that run the rest of their arguments as a command, with their options that take
# a separate value (e.g. `sudo -u user`). The commands model (commands/words.py) shares it.
PREFIX_COMMANDS: dict[str, frozenset[str]] = {
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
}
# A pip call can come through xargs (`xargs pip install < list`).
_PREFIX_COMMANDS = {
    **PREFIX_COMMANDS,
    "xargs": frozenset({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file"}),
}
# Prefix commands with positional operands before the command (`timeout 60 pip ...`).
_PREFIX_OPERANDS = {"timeout": 1}

# `NAME = value`, `NAME := value`, `NAME ?= value`...; the value is stripped afterwards
# (a lazy `(.*?)\s*` would be quadratic on long runs of blanks).
_MAKE_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?::{1,3}=|[?+!]?=)(.*)", re.DOTALL)
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
    source = Source(root, root, None, 0, make_syntax=False)
    command = Command(source)
    start = 0
    for text in texts:
        end = start + len(text)
        assignment = ASSIGNMENT.match(text) is not None
        command.tokens.append(Token(text, start, end, assignment, 0, len(root)))
        start = end + 1
    findings = _Findings()
    _analyze_commands([command], findings)
    uses = findings.sorted_uses()
    return uses[0].flag if uses else None


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
    source = Source(script, script, None, 0, make_syntax)
    findings = _Findings()
    _analyze_commands(Lexer(source, []).lex(), findings)
    findings.invocations.sort(key=lambda invocation: invocation.offset)
    return findings


def _analyze_commands(commands: list[Command], findings: _Findings) -> None:
    exports = _Exports()
    ordered = sorted((c for c in commands if c.tokens), key=lambda c: c.tokens[0].start)
    for command in ordered:
        _analyze_command(command, findings, exports)


def _analyze_command(command: Command, findings: _Findings, exports: _Exports) -> None:
    tokens, source = command.tokens, command.source
    index, env = _skip_command_prefixes(tokens, source.make_syntax)
    if index >= len(tokens):  # assignments only: shell variables, not the environment
        for token in env:
            _remember_assignment(source, token, exports)
        return
    findings.uses.extend(_env_uses(source, env))
    if _analyze_builtin(command, index, findings, exports):
        return
    script = shell_script_tokens(tokens, index)
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


def _analyze_builtin(command: Command, index: int, findings: _Findings, exports: _Exports) -> bool:
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


def _skip_command_prefixes(tokens: list[Token], make_syntax: bool) -> tuple[int, list[Token]]:
    """Index of the command word after assignments and `sudo`/`env`/...; the assignments."""
    env: list[Token] = []
    index = _collect_assignments(tokens, 0, env)
    while index < len(tokens):
        name = basename(tokens[index].text)
        if make_syntax and name == "shell":  # the body of Make's `$(shell ...)`
            index += 1
            continue
        value_options = _PREFIX_COMMANDS.get(name)
        if value_options is None:
            break
        index = _skip_prefix_options(tokens, index + 1, name, value_options)
        index = _collect_assignments(tokens, index, env)
    return index, env


def _collect_assignments(tokens: list[Token], index: int, env: list[Token]) -> int:
    while index < len(tokens) and tokens[index].assignment:
        env.append(tokens[index])
        index += 1
    return index


def _skip_prefix_options(words: list[Token], index: int, name: str, values: frozenset[str]) -> int:
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


def _env_use(source: Source, token: Token) -> NoDepsUse:
    word = source.word(token)
    return NoDepsUse(word.offset, word.raw, "pip")


def _remember_assignment(source: Source, token: Token, exports: _Exports) -> None:
    name, value = _split_assignment(token.text)
    if _is_no_deps_variable(name):
        exports.assign(name, value, _env_use(source, token))


def _env_uses(source: Source, env: list[Token]) -> list[NoDepsUse]:
    found: list[NoDepsUse] = []
    for token in env:
        name, value = _split_assignment(token.text)
        if _is_no_deps_variable(name) and is_truthy_pip_env(value):
            found.append(_env_use(source, token))
    return found


def _export_uses(command: Command, index: int, exports: _Exports) -> list[NoDepsUse]:
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


def _export_mode(tokens: list[Token], index: int) -> tuple[bool, int]:
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


def _make_assignment(tokens: Sequence[Token]) -> tuple[str, str] | None:
    """(name, value) when the tokens read as a Make assignment such as `NAME = value`."""
    if not tokens or tokens[0].assignment:
        return None  # `NAME=value` as one word reads the same in the shell
    match = _MAKE_ASSIGNMENT.fullmatch(" ".join(token.text for token in tokens))
    if match is None:
        return None
    return match.group(1), match.group(2).strip()


def _remember_make_assignment(command: Command, index: int, exports: _Exports) -> NoDepsUse | None:
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


def _github_env_uses(command: Command, index: int) -> list[NoDepsUse]:
    """`echo "PIP_NO_DEPS=1" >> "$GITHUB_ENV"` sets the variable for later CI steps."""
    if not any("GITHUB_ENV" in target.text for target in command.redirect_targets):
        return []
    found: list[NoDepsUse] = []
    for token in command.tokens[index + 1 :]:
        text = token.text.removesuffix("\\n")  # printf "PIP_NO_DEPS=1\n": an escape, not the value
        if _no_deps_assignment(text):
            found.append(_env_use(command.source, token))
    return found


def _analyze_script(source: Source, tokens: list[Token], findings: _Findings) -> None:
    """Lex the words of `sh -c` / `eval` as a script, keeping offsets into the root text."""
    if source.depth >= _MAX_SCRIPT_DEPTH:
        return
    _analyze_commands(Lexer(script_source(source, tokens), []).lex(), findings)


def _pip_invocation(command: Command, index: int, env: list[Token]) -> PipInvocation | None:
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


def _pip_entry(tokens: list[Token], index: int, make_syntax: bool) -> tuple[str, int] | None:
    """("pip" | "uv pip", index after `pip`) when the command at `index` runs pip."""
    head = tokens[index].text
    name = basename(head)
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


def _uv_pip_entry(tokens: list[Token], index: int) -> tuple[str, int] | None:
    index = _skip_options(tokens, index, _UV_VALUE_OPTIONS.__contains__)
    if index < len(tokens) and tokens[index].text == "pip":
        return "uv pip", index + 1
    return None


def _python_module(tokens: list[Token], index: int) -> tuple[str | None, int]:
    """The module of `python [options] -m MODULE`; any word directly before `-m` counts."""
    head = tokens[index].text
    is_python = head == _PYTHON_PLACEHOLDER or bool(_PYTHON_EXECUTABLE.fullmatch(basename(head)))
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


def _skip_options(tokens: list[Token], index: int, takes_value: Callable[[str], bool]) -> int:
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
