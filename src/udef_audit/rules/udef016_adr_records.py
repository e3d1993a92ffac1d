"""UDEF016 adr-records: decisions are recorded as ADRs with the methodology's parts."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.adr import adr_parts, missing_parts

MARKDOWN_SUFFIXES = (".md", ".markdown")
DEFAULT_FOLDERS = ("docs/adr", "doc/adr", "docs/decisions", "docs/architecture/decisions")
# Files in an ADR folder that are not decisions: its landing page, index and templates.
_NOT_RECORDS = ("readme", "index", "toc", "summary")


class AdrRecordsRule:
    """Looks for the ADR folder (`docs/adr`, `doc/adr`, `docs/decisions`,
    `docs/architecture/decisions`) and checks that each ADR in it has the template's parts:
    Status, Date, Context, Decision, Consequences."""

    id: ClassVar[str] = "UDEF016"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        folders: Sequence[str] = params.get("folders", DEFAULT_FOLDERS)
        in_folder = {path: folder for path in ctx.files if (folder := _adr_folder(path, folders)) is not None}
        present = list(dict.fromkeys(in_folder.values()))
        records = [path for path in in_folder if _is_record(path)]
        anchor = ctx.repository_anchor
        if not records:
            if anchor is not None:
                yield self._missing(anchor, present, folders)
            return
        for path in records:
            yield from self._check_record(ctx, path)

    def _missing(self, anchor: str, present: Sequence[str], folders: Sequence[str]) -> Finding:
        if present:
            message = (
                f"no ADRs: {', '.join(present)} holds no decision record (only its README, index or template); "
                "record each significant decision there (Status, Date, Context, Decision, Consequences)."
            )
            return Finding(rule_id=self.id, path=anchor, line=1, message=message, key="no-adrs", kind="no-adrs")
        message = (
            f"no ADR folder: none of {', '.join(folders)} exists; record significant decisions as Architecture "
            "Decision Records in docs/adr/ (Status, Date, Context, Decision, Consequences)."
        )
        return Finding(rule_id=self.id, path=anchor, line=1, message=message, key="no-adr-folder", kind="no-adr-folder")

    def _check_record(self, ctx: RepoContext, path: str) -> Iterator[Finding]:
        text = ctx.text(path)
        if text is None:
            return
        missing = list(missing_parts(adr_parts(text)))
        if missing:
            names = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
            message = (
                f"incomplete ADR: {path} lacks {names} (as a heading, a `{missing[0]}:` label or a front-matter "
                "key); the methodology's template has Status, Date, Context, Decision and Consequences."
            )
            yield Finding(
                rule_id=self.id, path=path, line=1, message=message, key=f"incomplete:{'/'.join(missing)}",
                kind="incomplete-adr",
            )


def _adr_folder(path: str, folders: Sequence[str]) -> str | None:
    """The ADR folder holding the file, spelled as the repository spells it (folders match
    case-insensitively: `docs/Architecture/Decisions` is `docs/architecture/decisions`)."""
    lower = path.lower()
    for folder in folders:
        prefix = folder.strip("/").lower() + "/"
        if lower.startswith(prefix):
            return path[: len(prefix) - 1]
    return None


def _is_record(path: str) -> bool:
    """A Markdown file that is not the folder's README, index or a template."""
    name = posixpath.basename(path).lower()
    if not name.endswith(MARKDOWN_SUFFIXES):
        return False
    stem = name.rsplit(".", 1)[0].lstrip("_")
    return stem not in _NOT_RECORDS and not stem.startswith("readme") and "template" not in stem
