"""Counted nouns for every report: "1 error", "2 errors", "3,009 baselined".

One place, so that no report says "1 errors" and every count over a thousand reads the
same way (a comma between thousands, as the terminal, Markdown and the org report print).
"""

from __future__ import annotations

# Nouns whose plural is not the noun and an "s".
_IRREGULAR = {"this": "these", "repository": "repositories", "entry": "entries", "was": "were", "is": "are"}


def count(number: int) -> str:
    """`3009` -> `3,009`."""
    return f"{number:,}"


def plural(number: int, noun: str, many: str | None = None) -> str:
    """`1 error`, `2 errors`, `0 errors`, `1,203 files` (`many`: an irregular plural)."""
    return f"{count(number)} {noun_for(number, noun, many)}"


def noun_for(number: int, noun: str, many: str | None = None) -> str:
    """The noun alone, singular for exactly one."""
    if number == 1:
        return noun
    return many or _IRREGULAR.get(noun) or f"{noun}s"
