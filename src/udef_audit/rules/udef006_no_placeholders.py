"""UDEF006 no-placeholders: placeholder words in comments and docstrings, stubs that only
`raise NotImplementedError`, and unsupported cases raised as `NotImplementedError`, in
committed Python code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding, Level
from udef_audit.parsers.python_facts import STUB, NotImplementedRaise


class NoPlaceholders:
    """Placeholders are promises nobody tracks. Comments and docstrings holding a
    placeholder word (kind `marker`) and functions whose whole body raises
    NotImplementedError (kind `stub`) are errors; a NotImplementedError raised for one case
    of a function that does other work (kind `unsupported-case`) is a warning. Abstract
    methods, overloads and Protocol methods are exempt. Each at its exact line and column.
    The heavy lifting (prefilter, comment lexer, docstrings, exemptions, newer syntax) is
    the Python scanner's; this rule only turns its facts into findings."""

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
                    yield _raise_finding(self.id, path, raised)


def _raise_finding(rule_id: str, path: str, raised: NotImplementedRaise) -> Finding:
    """A stub (the whole body raises) is an error; a raise for a case the function does not
    handle is a warning that asks for a specific exception (contract rev 3)."""
    if raised.kind == STUB:
        return Finding(
            rule_id=rule_id,
            path=path,
            line=raised.line,
            column=raised.column,
            message=f"raise NotImplementedError in {raised.scope}: finish it, or mark the method "
            "@abstractmethod or declare a typing.Protocol.",
            key=f"NotImplementedError|{raised.scope}",
            kind="stub",
        )
    return Finding(
        rule_id=rule_id,
        path=path,
        line=raised.line,
        column=raised.column,
        message=f"raise NotImplementedError for an unsupported case in {raised.scope}: raise a specific "
        "exception (ValueError, TypeError, a domain error) or finish the case.",
        key=f"unsupported-case|NotImplementedError|{raised.scope}",
        kind="unsupported-case",
        level=Level.WARNING,
    )


def _excerpt(text: str, limit: int = 80) -> str:
    """The comment or docstring line, shortened, ending as a sentence (the alert's title)."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text if text.endswith((".", "…", "!", "?")) else text + "."
