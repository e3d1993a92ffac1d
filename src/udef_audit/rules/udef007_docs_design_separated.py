"""UDEF007 docs-design-separated: design specs and implementation reports live apart.

Decisions the contract leaves open, made here:

- *The docs folder* is `docs/` at the repository root, else `doc/`; when both hold files,
  `docs/` is the one checked. Its subfolders are `<docs>/design/` and `<docs>/reports/`.
- *A folder exists* when the inventory holds at least one file under it: git tracks no
  empty directory, so an empty `docs/design/` is missing for every clone, and the message
  says "missing (or empty)". Any file counts (a `.gitkeep` keeps a folder).
- *Documents* are `.md`, `.markdown`, `.rst`, `.txt` and `.adoc` files anywhere below the
  docs folder, except in folders starting with `_` or `.` (Sphinx `_static`, `_build`,
  `_templates`) and except pip requirement files (`docs/requirements.txt`,
  `docs/doc-requirements.txt`: dependency files, not requirement specifications). Sphinx's
  `conf.py`, images and stylesheets are not documents.
- *Classification* is `udef_audit.parsers.doc_kinds.classify_document` (ADR first, then
  the name, then at most the first 64 KiB of content; see that module for the evidence and
  how conflicts resolve). ADRs are never misplaced: they may live in `docs/adr/`,
  `docs/decisions/` or beside the other documents.
- *Missing folders*: one result per missing folder (key `missing:docs/design`,
  `missing:docs/reports`), at the docs folder's landing page (`README.md`, `README.rst`,
  `index.md`, `index.rst`, ...), else its first document in path order, else the
  repository's `README*`, else the docs folder's first file. With no docs folder at all:
  one result (key `missing:docs`) at the repository's `README*`, else its manifest, else
  its first top-level file, else its first file; an empty repository has no result.
- *Misplaced documents*: one result per document at its line 1 (the whole file is what
  moves), keyed by its path; the message says "in docs/reports/" for a design document
  among the reports (and the reverse), "outside docs/design/" elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.doc_kinds import DocClass, classify_document, is_document
from udef_audit.parsers.requirements import is_requirement_file_name
from udef_audit.projects import MANIFESTS

DOCS_FOLDERS = ("docs", "doc")
HOMES = {"design": "design", "report": "reports"}
LANDING_PAGES = (
    "README.md", "README.rst", "README.adoc", "README.txt",
    "index.md", "index.rst", "index.adoc", "index.txt",
)
_PURPOSE = {
    "design": "the specifications (requirements, design, tasks)",
    "reports": "the implementation, test and status reports",
}
_NOUN = {"design": "design document", "report": "report"}


class DocsDesignSeparatedRule:
    """Checks that `docs/design/` and `docs/reports/` exist and that every document the
    docs folder holds sits in the folder of its kind: specifications (requirements, design,
    task lists) in `docs/design/`, implementation/test/status reports in `docs/reports/`.
    Documents are classified by name, then content; decision records go anywhere."""

    id: ClassVar[str] = "UDEF007"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        docs = _docs_folder(ctx.files)
        if docs is None:
            yield from self._no_docs_folder(ctx)
            return
        documents = [f for f in ctx.files if _is_document(f, docs)]
        yield from self._missing_folders(ctx.files, docs, documents)
        for path in documents:
            found = classify_document(path[len(docs) + 1:], ctx.text(path))
            if found is not None and found.kind in HOMES:
                yield from self._misplaced(docs, path, found)

    def _no_docs_folder(self, ctx: RepoContext) -> Iterator[Finding]:
        anchor = _repository_anchor(ctx.files)
        if anchor is None:
            return
        yield Finding(
            rule_id=self.id, path=anchor, line=1, key="missing:docs",
            message="docs/ is missing (or empty): create docs/design/ for the specifications "
                    "and docs/reports/ for the implementation reports.",
        )

    def _missing_folders(
        self, files: Sequence[str], docs: str, documents: Sequence[str],
    ) -> Iterator[Finding]:
        anchor = _docs_anchor(files, docs, documents)
        for sub in ("design", "reports"):
            folder = f"{docs}/{sub}"
            if any(f.startswith(folder + "/") for f in files):
                continue
            yield Finding(
                rule_id=self.id, path=anchor, line=1, key=f"missing:{folder}",
                message=f"{folder}/ is missing (or empty): create it for {_PURPOSE[sub]}; "
                        "git tracks no empty folder, so it needs at least one file.",
            )

    def _misplaced(self, docs: str, path: str, found: DocClass) -> Iterator[Finding]:
        home = f"{docs}/{HOMES[found.kind]}"
        if path.startswith(home + "/"):
            return
        other = next((f"{docs}/{sub}" for sub in HOMES.values()
                      if path.startswith(f"{docs}/{sub}/")), None)
        where = f"in {other}/" if other else f"outside {home}/"
        yield Finding(
            rule_id=self.id, path=path, line=1, key=path,
            message=f"{_NOUN[found.kind]} {where}: move `{path}` to {home}/ ({found.reason}).",
        )


def _docs_folder(files: Sequence[str]) -> str | None:
    """`docs` when it holds a file, else `doc`, else None."""
    return next((d for d in DOCS_FOLDERS if any(f.startswith(d + "/") for f in files)), None)


def _is_document(path: str, docs: str) -> bool:
    if not path.startswith(docs + "/"):
        return False
    rel = path[len(docs) + 1:]
    return is_document(rel) and not is_requirement_file_name(rel)


def _docs_anchor(files: Sequence[str], docs: str, documents: Sequence[str]) -> str:
    """The docs folder's landing page, else its first document, else the repository's
    README, else the docs folder's first file (it has one: that is how it exists)."""
    landing = _landing_page(files, docs)
    if landing is not None:
        return landing
    if documents:
        return documents[0]
    readme = _readme(files)
    return readme or next(f for f in files if f.startswith(docs + "/"))


def _landing_page(files: Sequence[str], docs: str) -> str | None:
    """The shallowest README/index page in the docs folder (Sphinx projects keep theirs in
    docs/source/index.rst), in LANDING_PAGES order at equal depth."""
    pages = [f for f in files if f.startswith(docs + "/") and f.rpartition("/")[2] in LANDING_PAGES]
    return min(pages, key=lambda f: (f.count("/"), LANDING_PAGES.index(f.rpartition("/")[2]), f), default=None)


def _repository_anchor(files: Sequence[str]) -> str | None:
    """README*, else the root manifest, else the first top-level file, else the first."""
    top_level = [f for f in files if "/" not in f]
    manifest = next((m for m in MANIFESTS if m in top_level), None)
    return _readme(files) or manifest or next(iter(top_level + list(files)), None)


def _readme(files: Sequence[str]) -> str | None:
    return next((f for f in files if "/" not in f and f.upper().startswith("README")), None)
