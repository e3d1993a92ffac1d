"""Syntax newer than the running interpreter: libcst locates it, blanks make ``ast`` accept it.

When ``ast`` rejects a file, libcst (which knows 3.12 and 3.14 syntax on any interpreter)
parses it in a guarded child process (:mod:`._libcst_worker`) and answers where the comments
and the newer constructs are. Each construct is then overwritten, character for character,
by something the running ``ast`` accepts and that holds no fact: ``type X[T] = ...`` and
``except A, B:``'s types become an empty parenthesised tuple, ``def f[T](x)`` becomes
``def f   (x)``, an f-string using PEP 701 freedoms or a t-string becomes ``(     )``.
Line breaks and comments are kept, so every position outside a blank is unchanged, and the
same fact visitor reads the result as any other file. When ``ast`` still rejects the
blanked text, the file has a real syntax error.

libcst costs about a third of a CPU second per file, so the common constructs are first
located without it, from the regex lexer's spans (:func:`quick_locate`): type parameters
after ``def name``/``class Name``, ``type`` statements that start a line, ``except A, B:``
and t-strings. Only when the lexer is unsure (a PEP 701 f-string) or ``ast`` rejects that
blanked text does libcst run.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from udef_audit.parsers.python_lexer import COMMENT, LineIndex, Regions

__all__ = ["LIBCST_MAX_BYTES", "Located", "desugar", "locate_many", "located", "quick_locate"]

# libcst needs about 600 bytes of memory per source byte and can crash on deep
# expressions, so it runs in a child process and never on files bigger than this.
LIBCST_MAX_BYTES = 500_000
_SECONDS_PER_FILE = 20.0
_WORKER = Path(__file__).with_name("_libcst_worker.py")
# All libcst children of one scan together: past this, files are left unchecked.
_TOTAL_SECONDS = 120.0
_BLANK_KINDS = frozenset({"alias", "params", "except", "string"})


class Located(NamedTuple):
    """libcst's answer for one text, as character offsets: comment spans, and the spans to
    blank with their kind ("alias", "params", "except" or "string")."""

    comments: tuple[tuple[int, int], ...]
    blanks: tuple[tuple[str, int, int], ...]


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _span(lines: LineIndex, where: Sequence[object]) -> tuple[int, int]:
    line, column, end_line, end_column = where
    start = lines.starts[_int(line) - 1] + _int(column)
    end = lines.starts[_int(end_line) - 1] + _int(end_column)
    if not 0 <= start <= end <= len(lines.text):
        raise ValueError("span outside the text")
    return start, end


def located(answer: dict[str, Any] | None, lines: LineIndex) -> Located | None:
    """The spans of a libcst answer; None when libcst rejected the source or the answer is
    malformed (it comes from another process: trust nothing)."""
    if answer is None or answer.get("ok") is not True:
        return None
    try:
        comments = tuple(_span(lines, where) for where in answer["comments"])
        blanks = []
        for kind, *where in answer["blanks"]:
            if kind not in _BLANK_KINDS:
                raise ValueError(f"unknown blank {kind!r}")
            blanks.append((kind, *_span(lines, where)))
        return Located(comments, tuple(sorted(blanks, key=lambda item: item[1])))
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _accepted(source: str) -> bool:
    """Whether the running ``ast`` accepts an expression as it stands."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse("(" + source + "\n)", mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


class _Blanker:
    """Overwrites spans of a text in place, keeping line breaks and comments."""

    def __init__(self, text: str, comments: Sequence[tuple[int, int]]) -> None:
        self.chars = list(text)
        self.kept = [False] * len(text)
        for start, end in comments:
            self.kept[start:end] = [True] * (end - start)

    def blank(self, start: int, end: int, opening: str, closing: str) -> None:
        for offset in range(start, end):
            if self.chars[offset] != "\n" and not self.kept[offset]:
                self.chars[offset] = " "
        self.chars[start] = opening
        if closing:
            self.chars[end - 1] = closing


def desugar(text: str, where: Located) -> str:
    """``text`` with the located newer syntax blanked (see the module docstring); the same
    length, the same line breaks, the same comments."""
    blanker = _Blanker(text, where.comments)
    covered = 0
    for kind, start, end in where.blanks:
        if start >= covered and end - start >= 2:  # else inside a span already blanked
            covered = _blank_one(blanker, text, kind, start, end)
    return "".join(blanker.chars)


def _blank_one(blanker: _Blanker, text: str, kind: str, start: int, end: int) -> int:
    """Blank one located construct; the end of what it covers."""
    if kind == "params":
        after = _next_code(text, end)
        if after < len(text) and text[after] == "(":
            blanker.blank(start, after + 1, "(", "")  # `f[T](x)` -> `f(   x)`
        else:
            blanker.blank(start, end, "(", ")")  # `class C[T]:` -> `class C( ):`
        return end
    if kind == "alias":
        end = _statement_end(text, start, end)
    elif kind == "string":
        end = _string_end(text, start, end)
        if _accepted(text[start:end]):
            return end  # an f-string this interpreter reads: it stays
    blanker.blank(start, end, "(", ")")
    return end


def _string_end(text: str, start: int, end: int) -> int:
    """The end of the string expression libcst located at ``start``. libcst's positions come
    from regenerating the code, and it drops the blanks between an f-string's conversion and
    its ``}`` (``f"{x!r  }"``): then its span stops short of the closing quote, which is on
    the same line for a one-quote string."""
    quote = start
    while quote < end and text[quote] not in "'\"":
        quote += 1
    closing = text[quote : quote + 3] if text.startswith(text[quote] * 3, quote) else text[quote]
    if text.endswith(closing, start, end) or len(closing) == 3:
        return end
    line_end = text.find("\n", end)
    found = text.find(closing, end, len(text) if line_end < 0 else line_end)
    return end if found < 0 else found + 1


def _statement_end(text: str, start: int, end: int) -> int:
    """The end of a small statement whose libcst span runs on over its ``;`` separator."""
    stripped = text[start:end].rstrip(" \t\f")
    if stripped.endswith(";"):
        stripped = stripped[:-1].rstrip(" \t\f")
    return start + len(stripped)


def _next_code(text: str, offset: int) -> int:
    while offset < len(text) and text[offset] in " \t\f":
        offset += 1
    return offset

# --- without libcst: the common constructs, found from the lexer's spans ----------------------

_PARAMS = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+\w+[ \t]*(\[)", re.MULTILINE)
_ALIAS = re.compile(r"^[ \t]*(type)[ \t]+\w+[ \t]*[\[=]", re.MULTILINE)
_EXCEPT = re.compile(r"^[ \t]*except\*?[ \t]+(?=[^\s(])", re.MULTILINE)
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


class _Code:
    """Walks the code of a text (comments and strings skipped, from the lexer's spans)."""

    def __init__(self, text: str, regions: Regions) -> None:
        self.text = text
        self.regions = regions

    def skip(self, offset: int) -> int:
        """``offset``, or the end of the comment or string it falls in."""
        index = self.regions.index_at(offset)
        return offset if index < 0 else self.regions.ends[index]

    def closing_bracket(self, opening: int) -> int | None:
        """The offset after the bracket that closes the one at ``opening``."""
        depth, offset = 0, opening
        while offset < len(self.text):
            offset = self.skip(offset)
            if offset >= len(self.text):
                break
            character = self.text[offset]
            depth += character in _OPENING
            depth -= character in _CLOSING
            if depth == 0:
                return offset + 1
            offset += 1
        return None

    def logical_end(self, start: int, stops: str) -> int | None:
        """The first of ``stops`` (or a line break) outside brackets after ``start``,
        backslash continuations followed; None when the text ends first."""
        depth, offset = 0, start
        while offset < len(self.text):
            offset = self.skip(offset)
            if offset >= len(self.text):
                return None
            character = self.text[offset]
            if depth == 0 and (character in stops or character == "\n") and not (
                    character == "\n" and self.text[offset - 1] == "\\"):
                return offset
            depth += character in _OPENING
            depth -= character in _CLOSING
            offset += 1
        return None


def _in_code(regions: Regions, offset: int) -> bool:
    return regions.index_at(offset) < 0


def quick_locate(text: str, regions: Regions) -> Located | None:
    """The newer syntax the lexer can find without libcst (type parameters, ``type``
    statements at the start of a line, ``except A, B:``, t-strings), as libcst would answer;
    None when the lexer is unsure of the text (a PEP 701 f-string)."""
    if regions.anomalous or not regions.complete:
        return None
    code = _Code(text, regions)
    blanks = [*_parameter_lists(code), *_line_constructs(code), *_template_strings(text, regions)]
    comments = tuple((start, end) for start, end, kind
                     in zip(regions.starts, regions.ends, regions.kinds, strict=True) if kind == COMMENT)
    return Located(comments, tuple(sorted(blanks, key=lambda blank: blank[1])))


def _parameter_lists(code: _Code) -> list[tuple[str, int, int]]:
    """``[...]`` after ``def name`` or ``class Name``."""
    found: list[tuple[str, int, int]] = []
    for match in _PARAMS.finditer(code.text):
        start = match.start(1)
        end = code.closing_bracket(start) if _in_code(code.regions, start) else None
        if end is not None:
            found.append(("params", start, end))
    return found


def _line_constructs(code: _Code) -> list[tuple[str, int, int]]:
    """``type X = ...`` statements that start a line, and ``except A, B:`` types."""
    found: list[tuple[str, int, int]] = []
    for pattern, kind, stops in ((_ALIAS, "alias", ";"), (_EXCEPT, "except", ":")):
        for match in pattern.finditer(code.text):
            start = match.start(1) if kind == "alias" else match.end()
            end = code.logical_end(start, stops) if _in_code(code.regions, start) else None
            if end is None or (kind == "except" and not _bare_tuple(code.text[start:end])):
                continue
            found.append((kind, start, start + len(code.text[start:end].rstrip(" \t\\\n"))))
    return found


def _template_strings(text: str, regions: Regions) -> list[tuple[str, int, int]]:
    """t-strings (PEP 750), prefix included."""
    return [("string", _prefix_start(text, start), end)
            for start, end, kind in zip(regions.starts, regions.ends, regions.kinds, strict=True)
            if kind != COMMENT and _is_template_string(text, start)]


_PREFIX_LETTERS = "rRbBuUfFtT"


def _prefix_start(text: str, quote: int) -> int:
    """Where the prefix of the string whose quote is at ``quote`` starts."""
    begin = quote
    while begin > 0 and quote - begin < 2 and text[begin - 1] in _PREFIX_LETTERS:
        begin -= 1
    if begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
        return quote  # the letters end a name: `not"x"` is `not` and a plain string
    return begin


def _is_template_string(text: str, quote: int) -> bool:
    return any(letter in "tT" for letter in text[_prefix_start(text, quote) : quote])


def _bare_tuple(types: str) -> bool:
    """Whether an except clause's types are a tuple without parentheses (PEP 758)."""
    return "," in types and " as " not in types


def _child(texts: Sequence[str]) -> list[dict[str, Any]]:
    """Answers of one libcst child for ``texts``, in order; fewer when it died on one."""
    payload = "".join(json.dumps(text) + "\n" for text in texts).encode("ascii")
    timeout = 10.0 + _SECONDS_PER_FILE * len(texts)
    command = [sys.executable, "-I", str(_WORKER), str(_SECONDS_PER_FILE)]
    try:
        output = subprocess.run(command, input=payload, capture_output=True, timeout=timeout,
                                check=False).stdout
    except subprocess.TimeoutExpired as error:
        output = error.stdout if isinstance(error.stdout, bytes) else b""
    except (OSError, ValueError, subprocess.SubprocessError):
        output = b""
    answers: list[dict[str, Any]] = []
    for line in output.split(b"\n")[: len(texts)]:
        try:
            answer = json.loads(line)
        except ValueError:
            break
        if not isinstance(answer, dict):
            break
        answers.append(answer)
    return answers


def run_libcst(texts: Sequence[str]) -> list[dict[str, Any] | None]:
    """libcst's answer for each text (see ``_libcst_worker``); None where it crashed or timed
    out. A child that dies is replaced, and resumes after the file that killed it."""
    results: list[dict[str, Any] | None] = []
    remaining = list(texts)
    deadline = time.monotonic() + _TOTAL_SECONDS
    while remaining and time.monotonic() < deadline:
        answers = _child(remaining)
        results.extend(answers)
        if len(answers) < len(remaining):
            results.append(None)
            remaining = remaining[len(answers) + 1 :]
        else:
            remaining = []
    return results + [None] * len(remaining)


def locate_many(texts: Sequence[str], workers: int) -> list[dict[str, Any] | None]:
    """:func:`run_libcst` for each text, in order: the texts are dealt round-robin to at most
    ``workers`` children, side by side (one child start-up per group, not per file)."""
    groups = [list(range(index, len(texts), max(1, workers))) for index in range(max(1, workers))]
    groups = [group for group in groups if group]
    answers: list[dict[str, Any] | None] = [None] * len(texts)
    if groups:
        # Imported here: only files in syntax newer than this Python's get this far.
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            results = pool.map(lambda group: run_libcst([texts[i] for i in group]), groups)
            for group, found in zip(groups, results, strict=True):
                for index, answer in zip(group, found, strict=True):
                    answers[index] = answer
    return answers
