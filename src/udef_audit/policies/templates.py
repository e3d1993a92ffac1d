"""Message templates: text with `{name}` placeholders, filled by plain substitution.

Nothing is evaluated: `{value}` is replaced by the captured text and that is all (no
attribute access, no format specs, no expressions). `{{` and `}}` are literal braces. A
name the template uses must be one the policy's check can capture (checked when the
policy loads); a result that has no such value (a missing file has no `{value}`) gets an
empty string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_PART = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_-]{0,40})\}|[{}]")


class TemplateError(ValueError):
    """A template that is not plain text with `{name}` placeholders."""


@dataclass(frozen=True)
class Template:
    """A parsed template: literal strings and placeholder names, alternating as written."""

    parts: tuple[tuple[bool, str], ...]  # (is a placeholder, text or name)

    @property
    def names(self) -> frozenset[str]:
        """The placeholders used."""
        return frozenset(text for is_name, text in self.parts if is_name)

    def render(self, values: Mapping[str, str]) -> str:
        """The message: each placeholder replaced by its value ("" when there is none)."""
        return "".join(values.get(text, "") if is_name else text for is_name, text in self.parts)


def parse_template(text: str) -> Template:
    """Split a template into literal text and placeholders; TemplateError on a stray brace."""
    parts: list[tuple[bool, str]] = []
    position = 0
    for match in _PART.finditer(text):
        token = match.group()
        if token in ("{", "}"):
            raise TemplateError(
                f"a lone {token!r} at character {match.start() + 1}: placeholders are {{name}} "
                "(lower-case), literal braces are {{ and }}"
            )
        parts.append((False, text[position : match.start()]))
        parts.append((True, match.group(1)) if match.group(1) else (False, token[0]))
        position = match.end()
    parts.append((False, text[position:]))
    return Template(tuple(part for part in parts if part[0] or part[1]))
