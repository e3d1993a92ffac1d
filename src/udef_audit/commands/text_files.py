"""Formats that are shell text already: shell scripts, Makefiles, and documentation's shell
snippets (Markdown and reStructuredText)."""

from __future__ import annotations

from udef_audit.commands.model import FileCommands, Origin, Positions, Script
from udef_audit.parsers.doc_snippets import shell_snippets

SHELL = Origin("shell", "shell script")
MAKE = Origin("make", "Makefile")
DOCS = Origin("docs", "install instructions", executable=False)


def shell_file_commands(path: str, text: str, *, make: bool = False) -> FileCommands:
    """A shell script or a Makefile: the whole file is one script."""
    script = Script(path, MAKE if make else SHELL, text, Positions.of_lines(text), make_syntax=make)
    return FileCommands(path, scripts=(script,))


def docs_commands(path: str, text: str, syntax: str) -> FileCommands:
    """The shell snippets of a Markdown (`syntax="markdown"`) or reStructuredText file."""
    scripts = tuple(
        Script(path, DOCS, snippet.script, Positions.of_lines(snippet.script, snippet.first_line))
        for snippet in shell_snippets(text, syntax)
    )
    return FileCommands(path, scripts=scripts)
