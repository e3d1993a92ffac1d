"""Shell snippets in Markdown and reStructuredText: what install instructions tell readers to run.

Markdown: fenced code blocks (``` or ~~~) whose language is a shell (`bash`, `console`,
`{.bash}`, MyST's `{code-block} bash`) or none, and `$ ` prompt lines outside fences.
reStructuredText: `code-block::`/`code::`/`sourcecode::`/`prompt::` directives with a shell
language or none, `::` literal blocks, and `$ ` prompt lines. When a snippet has prompts
(`$ `, `> ` continuing one, optionally after a `(venv)` marker), only prompt lines (prompt
blanked out) and the lines they continue with `\\` are commands; the other lines are a
console's output and become empty. Each snippet keeps one line per physical line, so an
offset into it maps straight to the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

SHELL_LANGUAGES = frozenset({"", "sh", "bash", "shell", "console", "shell-session", "shellsession", "zsh", "terminal"})
_MYST_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
_FENCE = re.compile(r"\s*(`{3,}|~{3,})\s*(.*)")
_RST_CODE = re.compile(r"(\s*)\.\.\s+(?:code-block|code|sourcecode|prompt)::\s*(\S*)")
_RST_DIRECTIVE = re.compile(r"\s*\.\.\s")
# A shell prompt (`$ `, or `> ` continuing one), optionally after a `(venv)` marker.
_PROMPT = re.compile(r"\s*(?:\(\S+\)\s+)?[$>]\s")
_DOLLAR_PROMPT = re.compile(r"\s*(?:\(\S+\)\s+)?\$\s")


@dataclass(frozen=True)
class Snippet:
    """Shell text from documentation: `script` line `i` is the file's line `first_line + i`,
    with the same columns."""

    first_line: int
    script: str


def shell_snippets(text: str, syntax: str) -> list[Snippet]:
    """The shell snippets of a Markdown (`syntax="markdown"`) or reStructuredText document."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    found = _markdown_snippets(lines) if syntax == "markdown" else _rst_snippets(lines)
    return [Snippet(first_line, snippet_script(block)) for first_line, block in found]


def fence_language(info: str) -> str:
    """The language of a fence info string: `bash`, `{.bash}`, MyST's `{code-block} bash`;
    another MyST directive (`{eval-rst}`) is its own, non-shell, language."""
    words = info.split()
    if not words:
        return ""
    first = words[0]
    if first.startswith("{") and first.endswith("}") and not first.startswith("{."):
        if first[1:-1] in _MYST_CODE_DIRECTIVES:
            return words[1].lower() if len(words) > 1 else ""
        return first[1:-1].lower()
    return first.strip("{}.").lower()


def snippet_script(lines: Sequence[str]) -> str:
    """The commands of a snippet: with prompts, only prompt lines (prompt blanked out) and
    the lines they continue with `\\`; other lines are output and become empty."""
    prompts = [_PROMPT.match(line) for line in lines]
    if not any(prompts):
        return "\n".join(lines)
    commands: list[str] = []
    continued = False
    for line, prompt in zip(lines, prompts, strict=True):
        if prompt is not None:
            commands.append(" " * prompt.end() + line[prompt.end() :])
        else:
            commands.append(line if continued else "")
        continued = (prompt is not None or continued) and line.rstrip().endswith("\\")
    return "\n".join(commands)


def _markdown_snippets(lines: Sequence[str]) -> Iterator[tuple[int, Sequence[str]]]:
    """(first line, lines) of shell code blocks and of `$ ` prompt lines outside them."""
    index = 0
    while index < len(lines):
        fence = _FENCE.fullmatch(lines[index])
        if fence is not None and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            end = _fence_end(lines, index + 1, fence.group(1))
            if fence_language(fence.group(2)) in SHELL_LANGUAGES:
                yield index + 2, lines[index + 1 : end]
            index = end + 1
            continue
        if _DOLLAR_PROMPT.match(lines[index]):
            yield index + 1, lines[index : index + 1]
        index += 1


def _fence_end(lines: Sequence[str], start: int, fence: str) -> int:
    """Index of the closing fence (same character, at least as long), else len(lines)."""
    closing = re.compile(rf"\s*{re.escape(fence[0])}{{{len(fence)},}}\s*")
    for index in range(start, len(lines)):
        if closing.fullmatch(lines[index]):
            return index
    return len(lines)


def _rst_snippets(lines: Sequence[str]) -> Iterator[tuple[int, Sequence[str]]]:
    """(first line, lines) of shell code-blocks, `::` literal blocks and `$ ` prompt lines."""
    index = 0
    while index < len(lines):
        line = lines[index]
        code = _RST_CODE.match(line)
        literal = not _RST_DIRECTIVE.match(line) and line.rstrip().endswith("::")
        if code is not None or literal:
            start, end = _rst_body(lines, index + 1, _indent(line), options=code is not None)
            if code is None or code.group(2).lower() in SHELL_LANGUAGES:
                yield start + 1, lines[start:end]
            index = max(end, index + 1)
            continue
        if _DOLLAR_PROMPT.match(line):
            yield index + 1, lines[index : index + 1]
        index += 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _rst_body(lines: Sequence[str], start: int, indent: int, *, options: bool) -> tuple[int, int]:
    """(first, end) indices of the block indented deeper than `indent` after `start`."""
    index = start
    while options and index < len(lines) and lines[index].strip().startswith(":") and _indent(lines[index]) > indent:
        index += 1  # directive options such as `:caption:`
    first = index
    end = index
    while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > indent):
        index += 1
        if lines[index - 1].strip():
            end = index
    return first, end
