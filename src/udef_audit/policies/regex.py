"""Regular expressions from policies: RE2 only, so matching time stays linear in the text.

A policy's pattern runs over hostile files. Python's `re` backtracks: `(a+)+$` on thirty
thousand `a`s never returns. RE2 answers in linear time, but its syntax has no
backreferences and no lookaround (which are exactly what needs backtracking): a pattern
using them is refused when the policy loads, with the reason, and never run on `re`.
Patterns are compiled as text and run over UTF-8 bytes (one encoding per file, not one per
search); `\\w`, `\\d` and `\\b` are ASCII, as RE2 defines them (`\\pL` is any letter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2

MAX_PATTERN = 2000
# RE2's compiled program size (instructions). Matching costs at most text x program in the
# worst case; a typical policy pattern is under 100, `\w{1000}` about 2000.
MAX_PROGRAM = 5000
FLAGS = {"ignore-case": "i", "multiline": "m", "dot-all": "s"}
# What RE2's error says, and the backtracking construct it means.
_UNSUPPORTED = {
    "invalid perl operator: (?=": "a lookahead",
    "invalid perl operator: (?!": "a negative lookahead",
    "invalid perl operator: (?<=": "a lookbehind",
    "invalid perl operator: (?<!": "a negative lookbehind",
    "invalid perl operator: (?>": "an atomic group",
    "invalid escape sequence: \\k": "a backreference",
    "bad repetition operator: ++": "a possessive quantifier",
    "bad repetition operator: *+": "a possessive quantifier",
}


class PatternError(ValueError):
    """A pattern RE2 cannot (or will not) run: the message says why."""


@dataclass(frozen=True)
class Pattern:
    """A compiled policy pattern and its named groups (the captures a message may use)."""

    text: str
    groups: tuple[str, ...]
    regex: Any = field(compare=False, repr=False)
    program: int = 0  # RE2's program size: what one byte of text can cost at worst

    def search(self, data: bytes) -> Any:
        """The first match in UTF-8 bytes, or None."""
        return self.regex.search(data)

    def finditer(self, data: bytes) -> Any:
        """Every match in UTF-8 bytes, left to right."""
        return self.regex.finditer(data)

    def matches_text(self, text: str) -> bool:
        """Whether the pattern occurs in a short text (a value, a path)."""
        return self.regex.search(text.encode("utf-8", "surrogateescape")) is not None


def compile_pattern(text: str, flags: tuple[str, ...] = ()) -> Pattern:
    """Compile for RE2, refusing what it cannot run, with the reason."""
    if not text or len(text) > MAX_PATTERN:
        raise PatternError(f"a pattern has 1 to {MAX_PATTERN} characters")
    regex = _compiled(_with_flags(text, flags), text)
    if regex.programsize > MAX_PROGRAM:
        raise PatternError(f"too large for a policy: RE2 program of {regex.programsize} instructions (at most "
                           f"{MAX_PROGRAM}); write a shorter pattern")
    return Pattern(text, tuple(sorted(regex.groupindex, key=regex.groupindex.get)), regex, regex.programsize)


def _with_flags(text: str, flags: tuple[str, ...]) -> str:
    unknown = [flag for flag in flags if flag not in FLAGS]
    if unknown:
        raise PatternError(f"unknown flag {unknown[0]!r} (flags: {', '.join(FLAGS)})")
    prefix = "".join(FLAGS[flag] for flag in flags)
    return f"(?{prefix}){text}" if prefix else text


def _compiled(source: str, text: str) -> Any:
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(source, options)
    except re2.error as exc:
        raise PatternError(_reason(exc, text)) from None


def _reason(exc: Exception, text: str) -> str:
    detail = exc.args[0] if exc.args else exc
    message = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    construct = _construct(message, text)
    if construct is None:
        return f"not a valid RE2 pattern: {message}"
    return (
        f"RE2 cannot run {construct} ({message}); policies run on RE2 so that matching time stays linear "
        "in the file: rewrite the pattern without backreferences or lookaround"
    )


def _construct(message: str, text: str) -> str | None:
    """The backtracking construct RE2's error message is about, if it is about one."""
    construct = next((name for marker, name in _UNSUPPORTED.items() if message.startswith(marker)), None)
    if construct is not None:
        return construct
    numbered = message.startswith("invalid escape sequence: \\") and message[-1:].isdigit()
    named = message.endswith("(?P") and "(?P=" in text
    return "a backreference" if numbered or named else None
