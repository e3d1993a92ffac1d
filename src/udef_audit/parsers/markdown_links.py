"""The links and anchors of a Markdown file, parsed as CommonMark (UDEF026).

A pure function of the text: `parse_markdown(text)` returns every link target the file
shows a reader, each at its line and column, and every anchor GitHub gives the rendered
file (heading slugs, `github_slug.py`, and explicit anchors). markdown-it-py parses
(CommonMark plus GitHub's tables), so what CommonMark says is not a link is not one here:
links in code spans, fenced and indented code blocks and HTML comments, and a reference
whose label has no definition (plain text).

Links, each at the line and column (1-based, in characters) where it starts:

- `[text](target)` and `![alt](target)` (inline forms; autolinks are always absolute);
- reference definitions `[label]: target` that a reference link uses (`[text][label]`,
  `[label]`), at the definition's `[`: that is where the target is written and fixed,
  once however many links use it. An unused definition renders nothing and is left out; a
  label starting with `^` is a GitHub footnote, not a definition;
- `href` of `<a>` and `src` of `<img>` in HTML blocks and inline HTML, at the tag's `<`.

Anchors, lower-cased (GitHub matches fragments case-insensitively):

- Markdown headings (ATX and setext) and raw HTML headings `<h1>`..`<h6>` of HTML blocks,
  slugged in document order from their rendered text (inline code and link text kept,
  Markdown markers, HTML tags and image alt text dropped);
- explicit anchors: the `name` or `id` attribute of any HTML element (`<a name="x">`,
  `<a id="x">`, `<div id="x">`), which GitHub keeps with a `user-content-` prefix.

Documentation sites (MkDocs, Sphinx with MyST) render the same files with their own
anchors, which GitHub does not show; `site_anchors` holds them for a caller that knows the
file is built by one: attribute-list ids (`## Title {#id}`, `**term**{ #id }`, `{: #id}`),
MyST targets (a line `(label)=`) and Python-Markdown's heading slugs (MkDocs's default:
word characters, spaces and dashes kept, runs of spaces and dashes one `-`). `generated_anchors` says the file
holds a generator directive that makes anchors at build time (`::: module` of
mkdocstrings or mkdocs-click; MyST fences of autodoc, `eval-rst`, `include` and the Python
domain's object directives; content included at build time: a `--8<--` snippet, a
`{{ macro }}` line, a `{% include %}`).

YAML front matter (a first line `---` up to a closing `---` or `...`) is rendered by
GitHub as a table, not as Markdown: its lines are skipped. Only paragraphs, headings and
table cells that can hold a link (a `[` or a `<`) or whose text needs it are parsed
inline, which keeps a large documentation folder cheap.

Hostile text: markdown-it-py is linear in the number of lines, but its link parsing scans
ahead for a closing `]`, `)` or quote, which is quadratic on runs of unclosed openers
(`[a](` or `![` repeated). Every such scan is charged to a budget proportional to the
text's length; once it is spent, no further link is parsed and the result says
`truncated` (its anchors may then be incomplete too). A text of more than `MAX_LINES`
lines or `MAX_CHARS` characters is refused (`MarkdownTooLarge`): markdown-it-py is linear
but slow (about 100 µs a link), and no documentation page comes near either limit.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkLabel, parseLinkTitle
from markdown_it.rules_inline.html_inline import html_inline
from markdown_it.rules_inline.image import image
from markdown_it.rules_inline.link import link
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

from udef_audit.parsers.github_slug import Slugger

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn")
MAX_LINES = 100_000
MAX_CHARS = 3_000_000
# Scan budget per text: this many characters per character of text, plus a floor.
_BUDGET_PER_CHAR = 64
_BUDGET_FLOOR = 1_000_000

# An HTML start or end tag; quoted values may not hold `<`, so every attempt stops at the
# next `<` and a scan of hostile text stays linear.
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^<>\"']|\"[^\"<]*\"|'[^'<]*')*)>")
_ATTR_RE = re.compile(r"([^\s\"'<>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")
_ANY_TAG_RE = re.compile(r"<[^<>]*>")
_SPACE_RE = re.compile(r"[\s\x00-\x1f\x7f]")
_NEWLINE_RE = re.compile(r"\n")
# Documentation-site syntax: attribute lists (`{#id}`, `{: .cls #id }`), MyST targets, and
# directives whose output carries anchors (mkdocstrings `::: pkg.mod`, MyST fences).
_ATTRIBUTE_LIST_RE = re.compile(r"\{:?([^{}\n]{0,200})\}")
_ATTRIBUTE_ID_RE = re.compile(r"(?:^|\s)#([\w-]+)")
_MYST_TARGET_RE = re.compile(r"^\(([^()\s]+)\)=[ \t]*$", re.MULTILINE)
_DIRECTIVE_RE = re.compile(
    r"^[ \t]*(?::::[ \t]+[\w.:-]+|(?:`{3,}|~{3,}|:{3,})\{(?:auto[\w-]*|eval-rst|include|py:[\w-]+|"
    r"function|class|method|attribute|module|data|exception|option|envvar|program|confval)\}"
    r"|--8<--|\{\{[^\n]*\}\}[ \t]*$|\{%[ \t]*include)",
    re.MULTILINE,
)
_PYMARKDOWN_DROP_RE = re.compile(r"[^\w\s-]")
_PYMARKDOWN_JOIN_RE = re.compile(r"[-\s]+")
_HEADING_TAG_RE = re.compile(r"h[1-6]", re.IGNORECASE)
_FRONT_MATTER_END = ("---", "...")
# Characters that make inline parsing necessary for a heading's text (else it is the text).
_INLINE_MARKUP = frozenset("`*_[]<>&\\!~")
_LINK_TAGS = {"a": "href", "img": "src"}
_Rule = Callable[[StateInline, bool], bool]


@dataclass(frozen=True)
class Link:
    """A link target as written (markdown-it's normalised form), where it starts, and its
    form: `inline`, `image`, `definition` or `html`."""

    target: str
    line: int
    column: int
    form: str


@dataclass(frozen=True)
class MarkdownDoc:
    """What UDEF026 needs of one Markdown file: its links and its anchors."""

    links: tuple[Link, ...] = ()
    anchors: frozenset[str] = frozenset()
    headings: tuple[str, ...] = ()  # heading slugs in document order
    truncated: bool = False  # the scan budget ran out: links and anchors are incomplete
    site_anchors: frozenset[str] = frozenset()  # anchors a documentation site adds
    labels: frozenset[str] = frozenset()  # MyST targets `(label)=`, for site-wide references
    generated_anchors: bool = False  # a site generator directive makes more at build time

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (for the per-file cache; sets sorted, so it is stable)."""
        return {
            "links": [[link.target, link.line, link.column, link.form] for link in self.links],
            "anchors": sorted(self.anchors),
            "headings": list(self.headings),
            "truncated": self.truncated,
            "site_anchors": sorted(self.site_anchors),
            "labels": sorted(self.labels),
            "generated_anchors": self.generated_anchors,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MarkdownDoc:
        """Inverse of :meth:`to_dict`; raises KeyError, TypeError or ValueError on malformed data."""
        links = tuple(Link(str(t), int(line), int(column), str(form)) for t, line, column, form in data["links"])
        return cls(
            links=links,
            anchors=frozenset(map(str, data["anchors"])),
            headings=tuple(map(str, data["headings"])),
            truncated=bool(data["truncated"]),
            site_anchors=frozenset(map(str, data["site_anchors"])),
            labels=frozenset(map(str, data["labels"])),
            generated_anchors=bool(data["generated_anchors"]),
        )

    def has_anchor(self, fragment: str, *, site: bool = False) -> bool:
        """Whether `#fragment` lands somewhere: a heading or explicit anchor (any case;
        GitHub's `user-content-` prefix allowed), or the page itself (`#`, `#top`); with
        `site`, also an anchor a documentation site adds."""
        wanted = fragment.lower().removeprefix("user-content-")
        if wanted in ("", "top") or wanted in self.anchors:
            return True
        return site and wanted in self.site_anchors


def is_markdown(path: str) -> bool:
    """Whether a file name has one of GitHub's Markdown extensions (any case)."""
    return path.lower().endswith(MARKDOWN_SUFFIXES)


class MarkdownTooLarge(ValueError):
    """A text longer than the parser is allowed to read (`MAX_CHARS`, `MAX_LINES`)."""


@dataclass
class _Budget:
    """Characters that link parsing may still scan in the current text."""

    left: int

    def charge(self, scanned: int) -> None:
        self.left -= max(scanned, 1)

    @property
    def spent(self) -> bool:
        return self.left <= 0


# The budget of the text being parsed (a context variable: no state shared between threads).
_BUDGET: ContextVar[_Budget | None] = ContextVar("udef_audit_markdown_budget", default=None)


def parse_markdown(text: str) -> MarkdownDoc:
    """The links and anchors of a Markdown text. Never raises, except MarkdownTooLarge for
    a text of more than MAX_CHARS characters or MAX_LINES lines."""
    text = _blank_front_matter(text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd"))
    if len(text) > MAX_CHARS:
        raise MarkdownTooLarge(f"{len(text)} characters; links are checked in files of at most {MAX_CHARS}")
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        raise MarkdownTooLarge(f"{len(lines)} lines; links are checked in files of at most {MAX_LINES}")
    labels = frozenset(label.lower() for label in _MYST_TARGET_RE.findall(text))
    budget = _Budget(_BUDGET_PER_CHAR * len(text) + _BUDGET_FLOOR)
    reset = _BUDGET.set(budget)
    try:
        env: dict[str, Any] = {}
        walker = _Walker(lines, env)
        walker.walk(_parser().parse(text, env))
    finally:
        _BUDGET.reset(reset)
    return MarkdownDoc(
        links=tuple(walker.rendered_links()),
        anchors=frozenset(walker.anchors),
        headings=tuple(walker.headings),
        truncated=budget.spent,
        site_anchors=frozenset(walker.site_anchors | _attribute_ids(text) | labels),
        labels=labels,
        generated_anchors=_DIRECTIVE_RE.search(text) is not None,
    )


# -- the parser ------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark plus tables. Inline parsing is left to the walker (only where needed);
    the link, image and inline-HTML rules record where their token starts; the link
    helpers charge what they scan to the budget."""
    md = MarkdownIt("commonmark", {"inline_definitions": True}).enable("table")
    md.core.ruler.disable(["inline", "text_join"])
    md.inline.ruler.at("link", _positioned(link, "link_open"))
    md.inline.ruler.at("image", _positioned(image, "image"))
    md.inline.ruler.at("html_inline", _positioned(html_inline, "html_inline"))
    # This instance's own helpers (the module stays untouched for other users of markdown-it).
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=_charged_label,
        parseLinkDestination=_charged_destination,
        parseLinkTitle=_charged_title,
    )
    return md


def _charge(scanned: int) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(scanned)


def _charged_label(state: StateInline, start: int, disable_nested: bool = False) -> int:
    end = parseLinkLabel(state, start, disable_nested)
    _charge((end if end >= 0 else state.posMax) - start)
    return end


def _charged_destination(string: str, pos: int, maximum: int) -> Any:
    result = parseLinkDestination(string, pos, maximum)
    if result.ok:
        _charge(result.pos - pos)
    else:  # a failed destination was scanned up to a space or a line end, at most
        stop = _SPACE_RE.search(string, pos, maximum)
        _charge((stop.start() if stop else maximum) - pos)
    return result


def _charged_title(string: str, start: int, maximum: int, prev_state: Any = None) -> Any:
    result = parseLinkTitle(string, start, maximum, prev_state)
    if result.ok:
        _charge(result.pos - start)
    elif start < maximum and string[start] in "\"'(":  # scanned up to its closing mark
        close = string.find(")" if string[start] == "(" else string[start], start + 1, maximum)
        _charge((close if close >= 0 else maximum) - start)
    else:
        _charge(1)
    return result


def _positioned(rule: _Rule, token_type: str) -> _Rule:
    """Wrap an inline rule: it gives up once the budget is spent, and the token it pushes
    carries its start offset (`meta["pos"]`) and whether it was the inline `(...)` form
    (`meta["inline"]`) rather than a reference."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        budget = _BUDGET.get()
        if budget is not None and budget.spent:
            return False
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            token = next((t for t in state.tokens[count:] if t.type == token_type), None)
            if token is not None:
                token.meta = {**token.meta, "pos": start, "inline": state.src[state.pos - 1] == ")"}
        return True

    return wrapped


def _blank_front_matter(text: str) -> str:
    """The text with a YAML front matter block's lines emptied (line numbers kept)."""
    if not text.startswith("---\n"):
        return text
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _FRONT_MATTER_END), None)
    if end is None:
        return text
    return "\n" * end + "\n".join(lines[end:])


# -- positions -------------------------------------------------------------------------------
@dataclass
class _SourceMap:
    """Finds where a token's content sits in the file's lines.

    A block's content is its source lines with the container markers (`>`, list indents)
    cut from their start, so each content line ends the source line it came from (the last
    one up to trailing spaces); table cells sit side by side and are found left to right."""

    lines: Sequence[str]
    cursors: dict[int, int] = field(default_factory=dict)

    def locate(self, content: str, first_line: int, *, cells: bool = False) -> _Located:
        starts = []
        for number, part in enumerate(content.split("\n"), first_line):
            line = self.lines[number] if number < len(self.lines) else ""
            if cells:
                found = line.find(part, self.cursors.get(number, 0))
                if found >= 0:
                    self.cursors[number] = found + len(part)
            else:
                found = line.rfind(part) if part else -1
            starts.append(max(found, 0))
        breaks = [match.start() for match in _NEWLINE_RE.finditer(content)]
        return _Located(first_line, starts, breaks)


@dataclass(frozen=True)
class _Located:
    """Offsets of one token's content mapped to (1-based line, 1-based column)."""

    first_line: int
    starts: list[int]  # 0-based column of each content line in its source line
    breaks: list[int]  # offsets of the content's newlines

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.breaks, offset - 1)
        line_start = self.breaks[index - 1] + 1 if index else 0
        return self.first_line + index + 1, self.starts[index] + offset - line_start + 1


# -- the walk --------------------------------------------------------------------------------
class _Walker:
    """Collects links, anchors and heading slugs from markdown-it's block tokens."""

    def __init__(self, lines: list[str], env: dict[str, Any]) -> None:
        self.source = _SourceMap(lines)
        self.env = env
        self.links: list[Link] = []
        self.anchors: set[str] = set()
        self.headings: list[str] = []
        self.site_anchors: set[str] = set()
        self.referenced: set[str] = set()  # targets that reference links resolved to
        self.slugger = Slugger()

    def walk(self, tokens: list[Token]) -> None:
        context = ""
        for token in tokens:
            if token.type == "heading_open":
                context = "heading"
            elif token.type in ("th_open", "td_open"):
                context = "cell"
            elif token.type == "inline":
                self._inline(token, context)
                context = ""
            elif token.type == "html_block":
                self._html_block(token)
            elif token.type == "definition":
                self._definition(token)

    def _add_heading(self, text: str) -> None:
        slug = self.slugger.slug(text)
        self.headings.append(slug)
        self.anchors.add(slug)
        self.site_anchors.add(_pymarkdown_slug(text))

    def _inline(self, token: Token, context: str) -> None:
        content = token.content
        needs_links = "[" in content or "<" in content
        if context == "heading" and not needs_links and _INLINE_MARKUP.isdisjoint(content):
            self._add_heading(content)
        elif needs_links or context == "heading":
            children = self._parse_inline(content)
            if context == "heading":
                self._add_heading(_rendered_text(children))
            self._links_of(token, children, cells=context == "cell")

    def _parse_inline(self, content: str) -> list[Token]:
        children: list[Token] = []
        md = _parser()
        md.inline.parse(content, md, self.env, children)
        return children

    def _links_of(self, token: Token, children: list[Token], *, cells: bool) -> None:
        located: _Located | None = None
        for child, offset in _with_offsets(children):
            if located is None:
                located = self.source.locate(token.content, token.map[0] if token.map else 0, cells=cells)
            self._inline_child(child, *located.position(offset))

    def _inline_child(self, child: Token, line: int, column: int) -> None:
        if child.type == "html_inline":
            self._tag(child.content, line, column)
            return
        attribute = "href" if child.type == "link_open" else "src"
        target = child.attrGet(attribute)
        if not isinstance(target, str):
            return
        if child.meta.get("inline"):
            self.links.append(Link(target, line, column, "inline" if attribute == "href" else "image"))
        else:
            self.referenced.add(target)

    def rendered_links(self) -> list[Link]:
        """The links a reader sees: every one but the definitions no reference link uses (two
        definitions with one target share their verdict, so the target decides)."""
        return [link for link in self.links if link.form != "definition" or link.target in self.referenced]

    def _definition(self, token: Token) -> None:
        label = str(token.meta.get("label", ""))
        if label.startswith("^") or not token.map:  # a GitHub footnote, not a link
            return
        number = token.map[0]
        line = self.source.lines[number] if number < len(self.source.lines) else ""
        self.links.append(Link(str(token.meta.get("url", "")), number + 1, line.find("[") + 1, "definition"))

    def _html_block(self, token: Token) -> None:
        content = _blank_comments(token.content)
        located = self.source.locate(token.content, token.map[0] if token.map else 0)
        open_heading: tuple[str, int] | None = None
        for match in _TAG_RE.finditer(content):
            closing, name = match.group(1) == "/", match.group(2).lower()
            if _HEADING_TAG_RE.fullmatch(name):
                open_heading = self._html_heading(content, match, open_heading)
            if not closing:
                self._tag(match.group(0), *located.position(match.start()))

    def _html_heading(
        self, content: str, match: re.Match[str], open_heading: tuple[str, int] | None
    ) -> tuple[str, int] | None:
        """Track `<hN>` ... `</hN>`; a closed pair becomes a heading. Returns the open one."""
        name = match.group(2).lower()
        if match.group(1) != "/":
            return (name, match.end())
        if open_heading is not None and open_heading[0] == name:
            inner = content[open_heading[1]:match.start()]
            self._add_heading(html.unescape(_ANY_TAG_RE.sub("", inner)))
            return None
        return open_heading

    def _tag(self, tag: str, line: int, column: int) -> None:
        """Links and explicit anchors of one HTML start tag."""
        match = _TAG_RE.match(tag)
        if match is None or match.group(1):
            return
        name = match.group(2).lower()
        for key, value in _attributes(match.group(3)):
            if key in ("name", "id") and value:
                self.anchors.add(value.lower())
            elif _LINK_TAGS.get(name) == key:
                self.links.append(Link(value, line, column, "html"))


def _pymarkdown_slug(text: str) -> str:
    """Python-Markdown's `toc` slug (MkDocs's default heading ids)."""
    return _PYMARKDOWN_JOIN_RE.sub("-", _PYMARKDOWN_DROP_RE.sub("", text).strip().lower())


def _attribute_ids(text: str) -> set[str]:
    """Attribute-list ids of a text (`{#id}`, `{: .cls #id }`), lower-cased."""
    return {m.lower() for block in _ATTRIBUTE_LIST_RE.finditer(text) for m in _ATTRIBUTE_ID_RE.findall(block[1])}


def _with_offsets(children: list[Token]) -> Iterator[tuple[Token, int]]:
    """The inline tokens that carry a link or a tag, with their start offset."""
    for child in children:
        offset = child.meta.get("pos") if child.meta else None
        if isinstance(offset, int) and child.type in ("link_open", "image", "html_inline"):
            yield child, offset


def _rendered_text(children: list[Token]) -> str:
    """A heading's text as GitHub renders it (what its slug is computed from)."""
    parts = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _attributes(text: str) -> Iterator[tuple[str, str]]:
    for match in _ATTR_RE.finditer(text):
        value = next((v for v in match.group(2, 3, 4) if v is not None), "")
        yield match.group(1).lower(), html.unescape(value).strip()


def _blank_comments(text: str) -> str:
    """HTML comments replaced by spaces (newlines kept), found without a regex."""
    out, position = [], 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        end = len(text) if end < 0 else end + 3
        out.append(text[position:start])
        out.append("".join(c if c == "\n" else " " for c in text[start:end]))
        position = end
    out.append(text[position:])
    return "".join(out)
