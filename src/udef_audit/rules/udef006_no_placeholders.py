"""UDEF006 no-placeholders: placeholder words in comments and docstrings, and stray
`raise NotImplementedError`, in committed Python code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding


class NoPlaceholders:
    """Placeholders are promises nobody tracks. Comments and docstrings holding a
    placeholder word, and `raise NotImplementedError` outside abstract methods, overloads
    and Protocol methods, are reported at their exact line and column. The heavy lifting
    (prefilter, comment lexer, docstrings, exemptions, newer syntax) is the Python
    scanner's; this rule only turns its facts into findings."""

    id: ClassVar[str] = "UDEF006"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        words = tuple(dict.fromkeys([*params["words"], *params["extra-words"]]))
        for path, facts in ctx.python_facts(words=words).items():
            for marker in facts.markers:
                where = "docstring" if marker.kind == "docstring" else "comment"
                yield Finding(
                    rule_id=self.id,
                    path=path,
                    line=marker.line,
                    column=marker.column,
                    message=f"{marker.word} in a {where}: {_excerpt(marker.text)}",
                    key=f"{marker.word}|{marker.text}",
                    kind="marker",
                )
            for raised in facts.raises:
                if raised.exempt_reason is None:
                    yield Finding(
                        rule_id=self.id,
                        path=path,
                        line=raised.line,
                        column=raised.column,
                        message=f"raise NotImplementedError in {raised.scope}: finish it, or mark the method "
                        "@abstractmethod or declare a typing.Protocol.",
                        key=f"NotImplementedError|{raised.scope}",
                        kind="stub",
                    )


def _excerpt(text: str, limit: int = 80) -> str:
    """The comment or docstring line, shortened, ending as a sentence (the alert's title)."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text if text.endswith((".", "…", "!", "?")) else text + "."
