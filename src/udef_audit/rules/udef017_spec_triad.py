"""UDEF017 spec-triad: every module has a requirements, a design and a tasks document.

The documents are the context's `spec_index` (names only: `documents.py` and
`parsers/spec_docs.py` say which names count). Decisions the contract leaves open, made
here and in the rule's YAML:

- *No requirements at all*: one result, at the design folder's first file in path order,
  else the repository-wide anchor; modules that have only a design or a tasks document are
  named in that message rather than reported one by one (the first fix is the same: write
  requirements).
- *Incomplete module*: one result per module, keyed by the module (not the path: renaming
  the file keeps the alert), at its requirements document, else its design document, else
  its tasks document (first in path order), line 1. The message suggests the missing
  files' names in the existing document's folder, separator and extension.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.documents import SpecDocument
from udef_audit.findings import Finding
from udef_audit.parsers.spec_docs import SPEC_KINDS


class SpecTriadRule:
    """Checks that `docs/design/` holds requirements documents, and that every module with
    a specification document has all three of requirements, design and tasks."""

    id: ClassVar[str] = "UDEF017"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        index = ctx.spec_index
        if not index.of_kind("requirements"):
            yield from self._no_requirements(ctx)
            return
        for documents in index.modules().values():
            missing = [kind for kind in SPEC_KINDS if all(d.kind != kind for d in documents)]
            if missing:
                yield self._incomplete(documents, missing)

    def _no_requirements(self, ctx: RepoContext) -> Iterator[Finding]:
        index = ctx.spec_index
        anchor = index.folder_files[0] if index.folder_files else ctx.repository_anchor
        if anchor is None:
            return
        folder = index.folder or f"{ctx.docs_folder or 'docs'}/design"
        partial = sorted({_label(d) for d in index.documents})
        verb = "has" if len(partial) == 1 else "have"
        also = f" ({', '.join(partial)} {verb} a design or tasks document but no requirements)" if partial else ""
        yield Finding(
            rule_id=self.id, path=anchor, line=1, key="no-requirements", kind="no-requirements",
            message=f"No requirements document in {folder}/{also}: write "
                    f"{folder}/<module>-requirements.md with requirement IDs (FR-01, NFR-01) and "
                    "measurable criteria, beside <module>-design.md and <module>-tasks.md.",
        )

    def _incomplete(self, documents: list[SpecDocument], missing: list[str]) -> Finding:
        anchor = min(documents, key=lambda d: (SPEC_KINDS.index(d.kind), d.path))
        have = sorted({d.kind for d in documents}, key=SPEC_KINDS.index)
        wanted = " and ".join(f"no {kind} document" for kind in missing)
        create = " and ".join(f"`{_sibling(anchor, kind)}`" for kind in missing)
        return Finding(
            rule_id=self.id, path=anchor.path, line=1, key=f"module:{anchor.name.key}", kind="incomplete-triad",
            message=f"{_capitalised(_label(anchor))} has {wanted} (only {', '.join(have)}): create {create} "
                    "(the methodology's three-document framework).",
        )


def _label(document: SpecDocument) -> str:
    return f"module `{document.module}`" if document.module else "the project's own specification"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sibling(document: SpecDocument, kind: str) -> str:
    """The path of the `kind` document that would sit beside `document`."""
    folder, _, name = document.path.rpartition("/")
    stem, _, extension = name.rpartition(".")
    prefix = stem[: len(stem) - len(document.kind)]
    return f"{folder}/{prefix}{kind}.{extension}"
