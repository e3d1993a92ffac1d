"""Relative links in documents, rewritten when a document moves.

Markdown: inline links and images `[t](target)`, reference definitions `[t]: target`, and
HTML `href`/`src` attributes, outside fenced code blocks and code spans. reStructuredText:
toctree entries and `:doc:` roles (Sphinx document names, relative to the document or, with
a leading `/`, to the docs root), and the paths of `image`, `figure`, `include` and
`literalinclude` directives. A target with a scheme (`https:`), a bare `#fragment` and a
target that climbs above the root are left alone. Targets resolve as UDEF026 resolves them
(parsers/link_targets.py: a leading `/` is the repository root, as GitHub reads it).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from udef_audit.parsers.link_targets import resolve_link

MARKDOWN = (".md", ".markdown")
RST = (".rst",)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_INLINE = re.compile(r"(\]\()(<[^>\n]*>|[^)\s]+)")
_REFERENCE = re.compile(r"^(\s{0,3}\[[^\]\n]+\]:\s*)(<[^>\n]*>|\S+)")
_HTML = re.compile(r"""(\b(?:href|src)\s*=\s*)(["'])([^"'\n]*)\2""")
_CODE_SPAN = re.compile(r"`+[^`\n]*`+")
_RST_PATH_DIRECTIVE = re.compile(r"^(\s*\.\.\s+(?:image|figure|include|literalinclude)::\s+)(\S+)\s*$")
_RST_DOC_ROLE = re.compile(r"(:doc:`)([^`<]*<)?([^`>]+)(>?`)")
_TOCTREE = re.compile(r"^(\s*)\.\.\s+toctree::")

Resolver = Callable[[str], "str | None"]


def rewrite_markdown(text: str, new_target: Resolver) -> str:
    """Each link target replaced by `new_target(target)` when that gives one."""
    out, fenced = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        out.append(line if fenced else _markdown_line(line, new_target))
    return "\n".join(out)


def _markdown_line(line: str, new_target: Resolver) -> str:
    spans = [m.span() for m in _CODE_SPAN.finditer(line)]

    def in_code(at: int) -> bool:
        return any(start <= at < end for start, end in spans)

    def replace(match: re.Match[str], group: int) -> str:
        target = match.group(group)
        bracketed = target.startswith("<") and target.endswith(">")
        changed = None if in_code(match.start()) else new_target(target[1:-1] if bracketed else target)
        if changed is None:
            return match.group(0)
        shown = f"<{changed}>" if bracketed else changed
        return (
            match.group(0)[: match.start(group) - match.start()]
            + shown
            + match.group(0)[match.end(group) - match.start() :]
        )

    line = _REFERENCE.sub(lambda m: replace(m, 2), line)
    line = _INLINE.sub(lambda m: replace(m, 2), line)
    return _HTML.sub(lambda m: replace(m, 3), line)


def rewrite_rst(text: str, new_path: Resolver, new_docname: Resolver) -> str:
    """Directive paths through `new_path`, toctree entries and `:doc:` targets through
    `new_docname`."""
    out: list[str] = []
    toctree_indent: int | None = None
    for raw in text.split("\n"):
        line = raw
        toctree = _TOCTREE.match(line)
        if toctree:
            toctree_indent = len(toctree.group(1))
        elif toctree_indent is not None and line.strip():
            indent = len(line) - len(line.lstrip())
            if indent <= toctree_indent:
                toctree_indent = None
            elif not line.lstrip().startswith(":"):
                line = _toctree_entry(line, new_docname)
        directive = _RST_PATH_DIRECTIVE.match(line)
        if directive and (changed := new_path(directive.group(2))) is not None:
            line = directive.group(1) + changed
        line = _RST_DOC_ROLE.sub(lambda m: _doc_role(m, new_docname), line)
        out.append(line)
    return "\n".join(out)


def _toctree_entry(line: str, new_docname: Resolver) -> str:
    """`   name` or `   Title <name>`."""
    match = re.match(r"^(\s+)(.*?<)?([^<>]+?)(>?)\s*$", line)
    if match is None:
        return line
    changed = new_docname(match.group(3))
    if changed is None:
        return line
    return f"{match.group(1)}{match.group(2) or ''}{changed}{match.group(4)}"


def _doc_role(match: re.Match[str], new_docname: Resolver) -> str:
    changed = new_docname(match.group(3))
    if changed is None:
        return match.group(0)
    return f"{match.group(1)}{match.group(2) or ''}{changed}{match.group(4)}"


def split_target(target: str) -> tuple[str, str] | None:
    """(path, `#fragment` or `?query` suffix) of a relative target; None for a URL, a bare
    fragment or an empty target."""
    if not target or target.startswith("#") or _SCHEME.match(target) or target.startswith("//"):
        return None
    cut = min((i for i in (target.find("#"), target.find("?")) if i >= 0), default=len(target))
    return target[:cut], target[cut:]


def resolve(path: str, folder: str) -> str | None:
    """The repository path a link's path names from a file in `folder`, as UDEF026 resolves
    it (percent-decoded, a leading `/` is the root); None above the root."""
    found = resolve_link(posixpath.join(folder, "_") if folder else "_", path)
    return None if found is None or found.outside else found.path


def relative_link(target: str, folder: str, *, trailing_slash: bool = False) -> str:
    """The link from a file in `folder` to the repository path `target`."""
    link = posixpath.relpath(target, folder or ".")
    return link + "/" if trailing_slash and not link.endswith("/") else link
