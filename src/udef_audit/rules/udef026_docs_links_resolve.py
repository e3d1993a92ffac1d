"""UDEF026 docs-links-resolve: relative links of the docs name existing files and headings.

The context parses each Markdown file once (`ctx.markdown`: `parsers/markdown_links.py`)
and knows every path the repository lists (`ctx.path_kind`); `parsers/link_targets.py`
resolves a target as GitHub does. Nothing here reads a file, so a target that climbs out
of the root cannot make anything outside it read.

Decisions the contract leaves open, made here and in the YAML:

- *Which README and CONTRIBUTING*: the root files whose name starts with `README` or
  `CONTRIBUTING` in any case and has a Markdown extension (`README.rst` is not Markdown).
- *Folder links with a fragment*: the folder must exist; the fragment is not checked
  (GitHub shows the folder's README below its listing, but which README it picks is its
  own business).
- *Left-out files*: a link to a file the audit's scope leaves out (the user's excludes,
  `build/`, a vendored folder, a symlink) names a file that exists on GitHub: it passes,
  and a fragment into it is not checked (the file is never read).
- *Truncated files*: a Markdown file whose link parsing ran out of budget (a UDEF000 note
  says so) is still checked up to that point; a fragment into it is not checked.
- *Suggestions*: a path that exists in another letter case, and the closest anchor of the
  target file (difflib), are named in the message.
- *Key*: the link target as written, so the alert survives edits of the lines around it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import unquote

from udef_audit.context import RepoContext
from udef_audit.findings import Finding
from udef_audit.parsers.link_targets import LinkTarget, resolve_link
from udef_audit.parsers.markdown_links import Link, MarkdownDoc, is_markdown

ROOT_DOCUMENTS = ("readme", "contributing")
SITE_CONFIGS = ("mkdocs.yml", "mkdocs.yaml")
# Suffixes that make a target a file path even in a documentation site's sources (`.html`
# is not one there: it names a page the site generates).
FILE_SUFFIXES = frozenset({
    "md", "markdown", "mdown", "mkd", "mkdn", "mdwn", "rst", "txt", "adoc", "ipynb", "py", "pyi",
    "toml", "yaml", "yml", "json", "cfg", "ini", "sh", "bat", "ps1", "png", "jpg", "jpeg", "gif",
    "svg", "webp", "ico", "bmp", "pdf", "csv", "tsv", "xml", "zip", "gz", "tar", "whl", "js", "css",
    "mp4", "webm", "mov", "lock", "in",
})


class DocsLinksResolveRule:
    """Flags each relative link or image of the README, CONTRIBUTING and the docs folder's
    Markdown files whose target names no file or folder, or whose fragment names no heading
    or anchor of the Markdown file it points into."""

    id: ClassVar[str] = "UDEF026"

    def check(self, ctx: RepoContext, params: Mapping[str, Any]) -> Iterator[Finding]:
        if not ctx.is_python_repository:
            return
        checker = _Checker(ctx, site_conventions=bool(params.get("site-conventions", True)))
        for path in checker.documents:
            doc = ctx.markdown(path)
            for link in doc.links if doc is not None else ():
                broken = checker.broken(path, link)
                if broken is not None:
                    kind, message = broken
                    yield Finding(
                        rule_id=self.id, path=path, line=link.line, column=link.column, key=link.target,
                        kind=kind, message=message,
                    )


class _Checker:
    """Decides, link by link, whether a target is broken."""

    def __init__(self, ctx: RepoContext, *, site_conventions: bool) -> None:
        self.ctx = ctx
        self.docs = f"{ctx.docs_folder}/" if ctx.docs_folder else None
        self.site_conventions = site_conventions

    @cached_property
    def documents(self) -> list[str]:
        """The root README and CONTRIBUTING Markdown files and the docs folder's Markdown files."""
        return [path for path in self.ctx.files if is_markdown(path) and self._is_document(path)]

    def _is_document(self, path: str) -> bool:
        if "/" not in path:
            return path.lower().startswith(ROOT_DOCUMENTS)
        return self.docs is not None and path.startswith(self.docs)

    @cached_property
    def site(self) -> frozenset[str]:
        """The documentation site generators that build the docs folder: `mkdocs` (an
        `mkdocs.yml` at the root or in the docs folder), `sphinx` (a `conf.py` in it)."""
        if self.docs is None or not self.site_conventions:
            return frozenset()
        found = set()
        for path in self.ctx.files:
            name = path.rpartition("/")[2]
            in_docs = path.startswith(self.docs)
            if name in SITE_CONFIGS and ("/" not in path or in_docs):
                found.add("mkdocs")
            elif name == "conf.py" and in_docs:
                found.add("sphinx")
        return frozenset(found)

    @cached_property
    def site_labels(self) -> frozenset[str]:
        """MyST target labels of every Markdown file of the docs folder (site-wide references)."""
        docs = (self.ctx.markdown(path) for path in self.documents)
        return frozenset(label for doc in docs if doc is not None for label in doc.labels)

    def broken(self, path: str, link: Link) -> tuple[str, str] | None:
        """(kind, message) when the link is broken, else None."""
        target = resolve_link(path, link.target)
        if target is None or target.outside:
            return None
        site = self._in_site(path)
        kind = self.ctx.path_kind(target.path)
        if kind is None:
            return self._missing(path, link, target, site=site)
        if target.fragment is None or kind == "folder" or target.plain_view or not self._readable(target.path):
            return None
        return self._anchor(path, target, unquote(link.target), site=site)

    def _in_site(self, path: str) -> bool:
        return bool(self.site) and self.docs is not None and path.startswith(self.docs)

    def _missing(self, path: str, link: Link, target: LinkTarget, *, site: bool) -> tuple[str, str] | None:
        if site and (_site_reference(link.target, target) or self._page_relative(path, link)):
            return None
        hint = _case_hint(self.ctx, target)
        return "missing-target", (
            f"Broken link: `{unquote(link.target)}` names nothing in the repository "
            f"({target.path} does not exist{hint})."
        )

    def _page_relative(self, path: str, link: Link) -> bool:
        """MkDocs serves `a/b.md` at `a/b/` and leaves raw HTML untouched: an `<img src>` or
        `<a href>` written for that URL resolves one folder deeper than the file."""
        if "mkdocs" not in self.site or link.form != "html":
            return False
        folder, _, name = path.rpartition("/")
        stem = name.rpartition(".")[0]
        if stem.lower() in ("index", "readme"):
            return False
        target = resolve_link(f"{folder}/{stem}/{name}", link.target)
        return target is not None and not target.outside and self.ctx.path_kind(target.path) is not None

    def _readable(self, path: str) -> bool:
        """A fragment into `path` can be checked: a Markdown file in scope."""
        return is_markdown(path) and self.ctx.exists(path)

    def _anchor(self, path: str, target: LinkTarget, shown: str, *, site: bool) -> tuple[str, str] | None:
        fragment = target.fragment or ""
        doc = self.ctx.markdown(target.path)
        if doc is None or doc.truncated or doc.has_anchor(fragment, site=site):
            return None
        if self._site_anchor(doc, fragment, site=site, local=target.path == path):
            return None
        near = difflib.get_close_matches(fragment.lower(), sorted(doc.anchors), n=1)
        hint = f"; the closest is `#{near[0]}`" if near else ""
        where = "this file" if target.path == path else target.path
        return "missing-anchor", f"Broken link: `{shown}`: {where} has no heading or anchor `#{fragment}`{hint}."

    def _site_anchor(self, doc: MarkdownDoc, fragment: str, *, site: bool, local: bool) -> bool:
        """On a documentation site, a file with generator directives has anchors nobody can
        see in its text, a MyST label is a target anywhere in the site, and Sphinx resolves
        a `#name` link to any target of the project (an API object, a label)."""
        if not site:
            return False
        return doc.generated_anchors or fragment.lower() in self.site_labels or (local and "sphinx" in self.site)


def _site_reference(written: str, target: LinkTarget) -> bool:
    """Whether a target that names no file is something a documentation site resolves: a
    site-root URL (`/img/logo.png`), a page or cross-reference name without a file suffix
    (`getting-started/`, `installation`, `sympy.core.Basic`), or a generated `.html` page."""
    if written.startswith("/"):
        return True
    last = target.path.rpartition("/")[2]
    suffix = last.rpartition(".")[2].lower() if "." in last else ""
    return suffix not in FILE_SUFFIXES


def _case_hint(ctx: RepoContext, target: LinkTarget) -> str:
    spelled = ctx.path_index.spelled(target.path)
    return f"; `{spelled}` does, and GitHub's paths are case-sensitive" if spelled else ""
