"""Heading anchors as GitHub computes them for a rendered Markdown file (UDEF026).

GitHub gives every heading of a rendered Markdown file an anchor (`id="user-content-<slug>"`,
reachable as `#<slug>`). The slug is computed from the heading's *rendered text* (what a
reader sees: the text of inline code and of links, no Markdown markers, no HTML tags, no
image alt text) by the algorithm that github-slugger 2.0 implements and whose test fixtures
are generated with GitHub's own Markdown API:

1. lower-case the text (full Unicode lower-casing);
2. drop every character of the Unicode general categories Other_Number, Close/Final/
   Initial/Open/Other_Punctuation, Dash_Punctuation except `-`, every Symbol, Control,
   Private_Use, Format, Unassigned and Separator character except the ASCII space, unless
   the character is Alphabetic (the circled and squared letters such as `Ⓐ` are symbols
   but Alphabetic, and stay);
3. turn every remaining ASCII space into `-` (runs of spaces give runs of dashes; leading
   and trailing spaces give leading and trailing dashes: `Foo ` becomes `foo-`);
4. a slug already given in the same file gets `-1`, `-2`, ... appended, counting per base
   slug, and skipping a suffixed slug a heading already took (`echo`, `echo`, `echo 1`
   give `echo`, `echo-1`, `echo-1-1`).

Consequences worth knowing: `_` and digits stay; `.`, `(`, `'` and the typographic apostrophe (U+2019) vanish
(`exchange.bind_headers(exchange)` gives `exchangebind_headersexchange`); a Unicode emoji
vanishes (`😄 emoji` gives `-emoji`) while a gemoji shortcode keeps its name (`:smile: Go`
gives `smile-go`, the colons being punctuation); non-Latin letters stay (`Привет` gives
`привет`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# General categories whose characters a slug drops (github-slugger's list).
_DROPPED_CATEGORIES = frozenset(
    {"No", "Pe", "Pf", "Pi", "Ps", "Po", "Pd", "Sc", "Sk", "Sm", "So", "Cc", "Co", "Cf", "Cn", "Zs", "Zl", "Zp"}
)
# Symbols (So) that are nevertheless Alphabetic (Unicode's Other_Alphabetic property): the
# circled Latin letters and the parenthesised, circled and squared Latin capitals.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))


@lru_cache(maxsize=4096)
def _dropped(char: str) -> bool:
    if char in " -":
        return False
    if unicodedata.category(char) not in _DROPPED_CATEGORIES:
        return False
    code = ord(char)
    return not any(low <= code <= high for low, high in _ALPHABETIC_SYMBOLS)


def github_slug(text: str) -> str:
    """The base slug of a heading's rendered text (no duplicate suffix)."""
    return "".join(c for c in text.lower() if not _dropped(c)).replace(" ", "-")


class Slugger:
    """Unique slugs for the headings of one file, in document order."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, text: str) -> str:
        """The anchor GitHub gives the next heading with this rendered text."""
        base = github_slug(text)
        result = base
        while result in self._occurrences:
            self._occurrences[base] += 1
            result = f"{base}-{self._occurrences[base]}"
        self._occurrences[result] = 0
        return result
