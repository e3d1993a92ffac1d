"""Reading a command's words: what program it runs once prefixes are set aside.

`VAR=1 sudo -E env X=2 time python -m pytest -q` runs pytest: assignments and prefix
commands (`sudo`, `env`, `time`, `nice`, `timeout 60`, `nohup`, `exec`, `command`,
`xvfb-run`, `stdbuf`) change how a program runs, not which; `python -m NAME` (also
`python3.12 -I -m`) runs the module NAME as its program.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from udef_audit.parsers.pip_commands import PREFIX_COMMANDS

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
# Prefix commands and their options that take a separate value; a test command often runs
# under a virtual display in CI (`xvfb-run pytest`).
_PREFIXES = {
    **PREFIX_COMMANDS,
    "xvfb-run": frozenset({"-n", "-s", "-e", "-f", "-p", "--server-num", "--server-args", "--error-file"}),
}
_OPERANDS = {"timeout": 1}
# tox substitutions: `{env:NAME:}` is empty unless NAME is set (an optional prefix such as a
# coverage runner); `{envpython}` is the environment's python.
_TOX_OPTIONAL_WORD = re.compile(r"\{env:[\w.-]+:\}")
_TOX_PYTHON = "{envpython}"
_PYTHON = re.compile(r"(?:python|pypy|py)(?:-?\d+(?:\.\d+)*)?[mdtw]?(?:\.exe)?")
_PYTHON_FLAGS = re.compile(r"-[bBdEhiIOPqsSuvVR]+")
_PYTHON_VALUE_FLAGS = frozenset({"-W", "-X"})
# `-m NAME`, `-mNAME`, `-Im NAME`: python's flag letters clustered in front of `m`.
_MODULE_OPTION = re.compile(r"-[bBdEhiIOPqsSuvVR]*m(.*)")


# A variable glued in front of a program's name: `${PREFIX}coverage` (a virtualenv's bin/
# folder, or "") runs coverage, as `$VENV/bin/pytest` runs pytest.
_PATH_VARIABLE = re.compile(r"^(?:\$\{[A-Za-z_]\w*\}|\$[A-Za-z_]\w*(?=/))+")


def basename(word: str) -> str:
    """The last part of a path (`/usr/bin/make` is `make`, `.venv\\bin\\pytest` `pytest`,
    `${PREFIX}coverage` `coverage`)."""
    path = word.replace("\\", "/")
    return (_PATH_VARIABLE.sub("", path) or path).rsplit("/", 1)[-1]


def command_start(words: Sequence[str]) -> int:
    """The index of the program word, after assignments and prefix commands."""
    index = 0
    while index < len(words):
        if _ASSIGNMENT.match(words[index]) or _TOX_OPTIONAL_WORD.fullmatch(words[index]):
            index += 1
            continue
        name = basename(words[index])
        values = _PREFIXES.get(name)
        if values is None:
            return index
        if name == "command" and index + 1 < len(words) and words[index + 1] in ("-v", "-V"):
            return len(words)  # `command -v x` only looks x up
        index = _after_options(words, index + 1, values, _OPERANDS.get(name, 0))
    return index


def _after_options(words: Sequence[str], index: int, values: frozenset[str], operands: int) -> int:
    while index < len(words):
        word = words[index]
        if word == "--":
            return index + 1 + operands
        if not word.startswith("-") or word == "-":
            if operands == 0 and not _ASSIGNMENT.match(word):
                return index
            operands = max(operands - 1, 0)
            index += 1
            continue
        index += 2 if word in values else 1
    return index


def program(words: Sequence[str]) -> tuple[str, int]:
    """(program name, index of its first argument): `python -m pytest -q` is ("pytest", i
    of "-q"); "" when the words run nothing (only assignments)."""
    start = command_start(words)
    if start >= len(words):
        return "", start
    name = basename(words[start])
    if _PYTHON.fullmatch(name) or name == _TOX_PYTHON:
        module = _module(words, start + 1)
        if module is not None:
            return module
        return "python", start + 1
    return name.removesuffix(".exe"), start + 1


def _module(words: Sequence[str], index: int) -> tuple[str, int] | None:
    """`-m NAME` (also `-mNAME`, `-Im NAME`) after python's own flags."""
    while index < len(words):
        word = words[index]
        module = _MODULE_OPTION.fullmatch(word)
        if module is not None:
            if module.group(1):
                return module.group(1), index + 1
            return (words[index + 1], index + 2) if index + 1 < len(words) else None
        if word in _PYTHON_VALUE_FLAGS:
            index += 2
        elif _PYTHON_FLAGS.fullmatch(word):
            index += 1
        else:
            return None
    return None
