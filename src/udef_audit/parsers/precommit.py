"""A pre-commit configuration (`.pre-commit-config.yaml`): its hooks, the commands they
run, and what a `pygrep` hook's regular expression matches.

Built from the safe loader's document and node tree (parsers/yaml_file.py), so every hook
keeps the line of its `id:`. Nothing here runs a hook: a local hook's `entry` is split into
words (`shlex`), and the wrappers around a tool (`uv run`, `poetry run`, `python -m`,
`sh -c`, a venv path) are peeled off to see which tool it runs. A `pygrep` pattern is
compiled with RE2 (linear time, no backtracking): Python's `re` accepts lookaround,
backreferences, `\\Z` and `(?x)`, which RE2 refuses, and such a pattern is reported as
untestable rather than run on `re`.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from udef_audit.parsers.yaml_file import YamlDocument, mapping_items, node_line, sequence_items

# Memory RE2 may use to compile one hook's pattern (a larger pattern is untestable).
_RE2_MAX_MEMORY = 8 << 20
# Peeling wrappers stops after this many layers (`sh -c "uv run sh -c '...'"`).
_MAX_WRAPPERS = 8


@dataclass(frozen=True)
class Hook:
    """One configured hook: its repository (`local`, `meta` or a URL), id, the line of its
    `id:` key, and what it runs (`entry`, `args`, `language`; a remote hook's entry lives in
    its own repository and is None here)."""

    repo: str
    id: str
    line: int
    entry: str | None = None
    args: tuple[str, ...] = ()
    language: str | None = None

    def words(self) -> list[str]:
        """The command line the hook runs: its entry's words, then its args."""
        return [*split_words(self.entry or ""), *self.args]


@dataclass(frozen=True)
class PrecommitConfig:
    """The hooks, in file order, and the line of the `repos:` key (1 when missing)."""

    repos_line: int
    hooks: tuple[Hook, ...]


def precommit_config(document: YamlDocument) -> PrecommitConfig | None:
    """The configuration a parsed `.pre-commit-config.yaml` holds; None when it is not a
    mapping (pre-commit would refuse it)."""
    if not isinstance(document.data, dict):
        return None
    repos_line = 1
    repo_nodes: list[Any] = []
    for key, key_node, value_node in mapping_items(document.root):
        if key == "repos":
            repos_line, repo_nodes = node_line(key_node), sequence_items(value_node)
    repos = document.data.get("repos")
    hooks: list[Hook] = []
    for repo, node in zip(repos if isinstance(repos, list) else [], repo_nodes, strict=False):
        if isinstance(repo, dict):
            hooks.extend(_hooks(repo, node))
    return PrecommitConfig(repos_line, tuple(hooks))


def _hooks(repo: dict[Any, Any], node: Any) -> list[Hook]:
    hook_nodes = next((value for key, _, value in mapping_items(node) if key == "hooks"), None)
    hooks = repo.get("hooks")
    pairs = zip(hooks if isinstance(hooks, list) else [], sequence_items(hook_nodes), strict=False)
    url = str(repo.get("repo", ""))
    return [_hook(url, hook, hook_node) for hook, hook_node in pairs if isinstance(hook, dict) and _text(hook, "id")]


def _hook(repo: str, hook: dict[Any, Any], node: Any) -> Hook:
    """One hook; its line is that of its `id:` key (of the hook itself when merged in)."""
    line = next((node_line(k) for key, k, _ in mapping_items(node) if key == "id"), node_line(node))
    args = hook.get("args")
    return Hook(
        repo=repo,
        id=str(hook["id"]),
        line=line,
        entry=_text(hook, "entry"),
        args=tuple(str(a) for a in args if isinstance(a, (str, int, float))) if isinstance(args, list) else (),
        language=_text(hook, "language"),
    )


def _text(mapping: dict[Any, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) else None


# --- what a command runs ----------------------------------------------------------------------


def split_words(command: str) -> list[str]:
    """A command's words as a POSIX shell splits them (plain whitespace when the quotes do
    not balance: a hook command is not always valid shell)."""
    try:
        return shlex.split(command, comments=False, posix=True)
    except ValueError:
        return command.split()


# Wrappers that run the command after them, and their options that take a value.
_RUNNERS: dict[tuple[str, ...], frozenset[str]] = {
    ("uv", "run"): frozenset(
        {"--with", "--with-editable", "--with-requirements", "--extra", "--group", "--only-group", "--no-group",
         "--no-extra", "--python", "-p", "--project", "--directory", "--package", "--env-file", "--index",
         "--default-index", "--index-url", "--extra-index-url", "--find-links", "-f", "--config-file",
         "--cache-dir", "--exclude-newer", "--index-strategy", "--resolution", "--prerelease", "--link-mode"}
    ),
    ("uvx",): frozenset({"--with", "--from", "--python", "-p", "--index", "--index-url"}),
    ("uv", "tool", "run"): frozenset({"--with", "--from", "--python", "-p", "--index", "--index-url"}),
    ("poetry", "run"): frozenset({"--directory", "-C", "--project", "-P"}),
    ("pdm", "run"): frozenset({"--project", "-p", "--venv"}),
    ("pipenv", "run"): frozenset(),
    ("hatch", "run"): frozenset(),
    ("rye", "run"): frozenset(),
    ("pipx", "run"): frozenset({"--spec", "--python"}),
    ("env",): frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}),
}  # fmt: skip
_SHELLS = frozenset({"sh", "bash", "zsh", "dash"})
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)?)?(?:\.exe)?")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def tool_argv(words: Sequence[str]) -> list[str]:
    """The command line under its wrappers: `uv run --frozen mypy --strict src` and
    `.venv/bin/python -m mypy --strict src` are both `["mypy", "--strict", "src"]`; the
    first word is a bare program name."""
    argv = list(words)
    for _ in range(_MAX_WRAPPERS):
        peeled = _peel(argv)
        if peeled is None:
            break
        argv = peeled
    if argv:
        argv[0] = posixpath.basename(argv[0].replace("\\", "/"))
    return argv


def _peel(argv: list[str]) -> list[str] | None:
    """The command inside one wrapper layer, or None when `argv` is no wrapper."""
    if not argv:
        return None
    if _ASSIGNMENT.match(argv[0]):
        return argv[1:]
    program = posixpath.basename(argv[0].replace("\\", "/"))
    if _PYTHON.fullmatch(program):
        return argv[2:] if len(argv) > 2 and argv[1] == "-m" else None
    if program in _SHELLS:
        return _shell_command(argv)
    for runner, value_options in _RUNNERS.items():
        if [program, *argv[1 : len(runner)]] == list(runner):
            return _after_options(argv[len(runner) :], value_options, runner[0] == "hatch")
    return None


def _shell_command(argv: list[str]) -> list[str] | None:
    """The words of `sh -c 'command'` (any option cluster holding `c`)."""
    inner = next((argv[i + 1] for i, word in enumerate(argv[:-1]) if word.startswith("-") and "c" in word), None)
    return None if inner is None else split_words(inner)


def _after_options(argv: list[str], value_options: frozenset[str], hatch: bool) -> list[str]:
    index = 0
    while index < len(argv) and (argv[index].startswith("-") or _ASSIGNMENT.match(argv[index])):
        word = argv[index]
        if word == "--":
            return argv[index + 1 :]
        index += 2 if word in value_options else 1
    rest = argv[index:]
    if hatch and rest and ":" in rest[0]:  # `hatch run types:mypy` runs mypy in env "types"
        rest = [rest[0].partition(":")[2], *rest[1:]]
    return rest


# --- what a pygrep pattern matches -----------------------------------------------------------

# Lines a placeholder word stands on, as a grep over source would meet it.
_WORD_LINES = ("{word}", "# {word}: finish this", "    # {word}(someone) later", '"""{word}"""')


@dataclass(frozen=True)
class PygrepVerdict:
    """Which words a pygrep hook's pattern catches, or why it could not be tested."""

    matched: frozenset[str]
    error: str | None = None


def pygrep_catches(pattern: str, args: Sequence[str], words: Sequence[str]) -> PygrepVerdict:
    """The words (of `words`) a `language: pygrep` hook with this `entry` and `args` would
    flag on a line (`--ignore-case` honoured; `--negate` inverts the hook, so it catches
    nothing), tested with RE2 on a few lines each word typically stands on."""
    if "--negate" in args:
        return PygrepVerdict(frozenset())
    import re2  # noqa: PLC0415 (only a configuration with a pygrep hook needs RE2)

    options = re2.Options()
    options.log_errors = False  # RE2 would print the reason on stderr
    options.max_mem = _RE2_MAX_MEMORY
    options.case_sensitive = not ({"-i", "--ignore-case"} & set(args))
    options.dot_nl = "--multiline" in args
    try:
        compiled = re2.compile(_without_verbose(pattern), options)
    except re2.error as exc:
        return PygrepVerdict(frozenset(), _re2_reason(exc))
    matched = {word for word in words if any(compiled.search(line.format(word=word)) for line in _WORD_LINES)}
    return PygrepVerdict(frozenset(matched))


_LEADING_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")


def _without_verbose(pattern: str) -> str:
    """A `(?x)` pattern rewritten without its verbose syntax (RE2 has no `x` flag): blanks
    and `#` comments outside character classes dropped, escapes kept."""
    flags = _LEADING_FLAGS.match(pattern)
    if flags is None or "x" not in flags.group(1):
        return pattern
    kept = flags.group(1).replace("x", "")
    return (f"(?{kept})" if kept else "") + "".join(_verbose_tokens(pattern[flags.end() :]))


def _verbose_tokens(body: str) -> Iterator[str]:
    """The pieces of a verbose pattern's body that count: an escape, a character, a class."""
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            yield body[index : index + 2]
            index += 2
        elif char == "[":
            end = _class_end(body, index)
            yield body[index:end]
            index = end
        elif char == "#":
            newline = body.find("\n", index)
            index = len(body) if newline < 0 else newline
        else:
            if not char.isspace():
                yield char
            index += 1


def _class_end(body: str, start: int) -> int:
    """The index after the `]` closing the character class opened at `start` (blanks and
    `#` inside a class are literal)."""
    index = start + 1
    while index < len(body) and body[index] != "]":
        index += 2 if body[index] == "\\" else 1
    return min(index + 1, len(body))


def _re2_reason(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else exc
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return f"RE2 cannot compile it ({text}; Python-only syntax such as lookaround or backreferences)"
