"""UDEF007's fix (unsafe: documents move, and anything outside the repository that links to
them breaks): `docs/design/` and `docs/reports/` created with a README each (git tracks no
empty folder), and each misplaced document moved into the folder of its kind, keeping its
name. Relative links in the moved document, and links to it from the repository's other
Markdown and reStructuredText documents (toctree entries and `:doc:` roles, by Sphinx
document name), are rewritten (links.py)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from udef_audit.findings import Finding
from udef_audit.fix import links
from udef_audit.fix.registry import Fixed
from udef_audit.fix.tree import FixRefused, FixTree
from udef_audit.parsers.doc_kinds import classify_document

HOMES = {"design": "design", "report": "reports"}
READMES = {
    "design": "# Design specifications\n\nRequirements, design and task specifications of the project "
    "(the UDEF methodology keeps them apart from implementation reports, which live in `reports/`).\n",
    "reports": "# Reports\n\nImplementation, test and status reports (the UDEF methodology keeps them "
    "apart from the specifications, which live in `design/`).\n",
}


def separate_documents(finding: Finding, tree: FixTree, params: Mapping[str, Any]) -> Fixed:
    """Create a missing folder, or move a misplaced document (by the finding's key)."""
    if finding.key.startswith("missing:"):
        return _create_folders(tree, finding.key.removeprefix("missing:"))
    return _move_document(tree, finding.path)


def _create_folders(tree: FixTree, folder: str) -> Fixed:
    folders = [f"{folder}/design", f"{folder}/reports"] if "/" not in folder.strip("/") else [folder]
    created = []
    for path in folders:
        readme = f"{path}/README.md"
        if not any(f.startswith(path + "/") for f in tree.files):
            tree.write_text(readme, READMES[posixpath.basename(path)])
            created.append(readme)
    if not created:  # a document this run moved there made it exist
        return Fixed(f"{' and '.join(folders)} now hold the documents moved there")
    return Fixed(f"create {' and '.join(created)}")


def _move_document(tree: FixTree, path: str) -> Fixed:
    current = tree.read_text(path)
    if current is None:
        raise FixRefused(f"{path} is gone")
    docs, _, rel = path.partition("/")
    found = classify_document(rel, current[0])
    if found is None or found.kind not in HOMES:
        raise FixRefused(f"{path} is no longer a design document or report")
    target = f"{docs}/{HOMES[found.kind]}/{posixpath.basename(path)}"
    if tree.exists(target):
        raise FixRefused(f"{target} exists: move {path} by hand")
    text, form = current
    tree.write_text(path, _own_links(text, path, target, tree), form)
    tree.move_file(path, target)
    relinked = _links_to(tree, path, target)
    also = f"; links rewritten in {', '.join(relinked)}" if relinked else ""
    return Fixed(f"move {path} to {target}{also}")


def _own_links(text: str, old: str, new: str, tree: FixTree) -> str:
    """The moved document's relative links, pointing where they did from its new folder."""
    old_dir, new_dir = posixpath.dirname(old), posixpath.dirname(new)

    def path_target(target: str) -> str | None:
        parts = links.split_target(target)
        if parts is None or parts[0].startswith("/") or not parts[0]:
            return None
        resolved = links.resolve(parts[0], old_dir)
        if resolved is None:
            return None
        return links.relative_link(resolved, new_dir, trailing_slash=parts[0].endswith("/")) + parts[1]

    if old.endswith(links.MARKDOWN):
        return links.rewrite_markdown(text, path_target)
    if old.endswith(links.RST):
        source = _sphinx_root(tree, old)
        old_doc, new_doc = posixpath.relpath(old_dir, source), posixpath.relpath(new_dir, source)

        def docname(target: str) -> str | None:
            if target.startswith("/"):
                return None
            resolved = posixpath.normpath(posixpath.join(old_doc, target))
            return posixpath.relpath(resolved, new_doc)

        return links.rewrite_rst(text, path_target, docname)
    return text


def _links_to(tree: FixTree, old: str, new: str) -> list[str]:
    """Rewrite the other documents' links to the moved one; the documents changed."""
    changed = []
    stem = posixpath.splitext(posixpath.basename(old))[0]
    for path in tree.files:
        if path == new or not path.endswith((*links.MARKDOWN, *links.RST)):
            continue
        current = tree.read_text(path)
        if current is None or stem not in current[0]:
            continue
        text, form = current
        rewritten = _relink(tree, path, text, old, new)
        if rewritten != text:
            tree.write_text(path, rewritten, form)
            changed.append(path)
    return changed


def _relink(tree: FixTree, path: str, text: str, old: str, new: str) -> str:
    folder = posixpath.dirname(path)

    def path_target(target: str) -> str | None:
        parts = links.split_target(target)
        if parts is None or not parts[0] or links.resolve(parts[0], folder) != old:
            return None
        if parts[0].startswith("/"):
            return "/" + new + parts[1]
        return links.relative_link(new, folder) + parts[1]

    if path.endswith(links.MARKDOWN):
        return links.rewrite_markdown(text, path_target)
    source = _sphinx_root(tree, old)
    if not old.endswith(links.RST) or not path.startswith(source + "/"):  # not a document of that Sphinx project
        return links.rewrite_rst(text, path_target, lambda _: None)
    old_name = posixpath.splitext(posixpath.relpath(old, source))[0]
    new_name = posixpath.splitext(posixpath.relpath(new, source))[0]
    here = posixpath.relpath(folder, source)

    def docname(target: str) -> str | None:
        named = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(here, target))
        if named != old_name:
            return None
        return "/" + new_name if target.startswith("/") else posixpath.relpath(new_name, here)

    return links.rewrite_rst(text, path_target, docname)


def _sphinx_root(tree: FixTree, path: str) -> str:
    """The Sphinx source folder of a document: the nearest folder above it with a conf.py,
    else the docs folder."""
    folder = posixpath.dirname(path)
    while folder:
        if tree.exists(f"{folder}/conf.py"):
            return folder
        folder = posixpath.dirname(folder)
    return path.partition("/")[0] if "/" in path else ""
