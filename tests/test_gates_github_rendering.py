"""The gates' Markdown renders on GitHub as the methodology's checklists.

GitHub renders a list item whose paragraph starts with `[ ] ` or `[x] ` as a task list item:
`<li class="task-list-item"><input type="checkbox" class="task-list-item-checkbox" disabled
checked>` (GFM spec, "Task list items"). tests/data/gates/phase1-service.github.html is the
gates Markdown of fixtures/gates/phase1-service as GitHub renders it (its heading anchors and
task-list markup). The test renders today's Markdown with markdown-it-py plus GitHub's
task-list rule and compares the two structures: headings, paragraphs, list items and the
state of every checkbox. The rules are selected by name, so the rendering stays the same when
the pipeline rules (UDEF020-025) are installed: they are "not selected" then.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from conftest import REPO
from gate_fixtures import copy_fixture
from markdown_it import MarkdownIt
from markdown_it.token import Token

STORED = REPO / "tests" / "data" / "gates" / "phase1-service.github.html"
# Every rule installed when the stored rendering was written, UDEF015 aside (it decides no item).
SELECTED = ",".join(f"UDEF{n:03}" for n in (*range(1, 15), 16, 17, 18, 19, 24, 26))
TASK_MARKERS = {"[ ] ": False, "[x] ": True, "[X] ": True}
Block = tuple[str, object, str]  # (kind, level or checkbox state, text)


def _plain(inline: Token) -> str:
    """An inline token's text as a reader sees it (code spans, emphasis and entities resolved)."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def markdown_structure(markdown: str) -> list[Block]:
    """Headings, paragraphs and list items, with GitHub's task-list rule applied."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    blocks: list[Block] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.type == "list_item_open":
            depth += 1
            inline = next(t for t in tokens[index:] if t.type == "inline")
            raw = inline.content
            checked = TASK_MARKERS.get(raw[:4])
            text = _plain(inline)
            blocks.append(("task", checked, text[3:].strip()) if checked is not None else ("item", None, text))
        elif token.type == "list_item_close":
            depth -= 1
        elif token.type == "heading_open":
            blocks.append(("heading", int(token.tag[1]), _plain(tokens[index + 1])))
        elif token.type == "paragraph_open" and depth == 0:
            blocks.append(("paragraph", None, _plain(tokens[index + 1])))
    return blocks


class _GithubHtml(HTMLParser):
    """The same structure from GitHub's HTML (heading anchors and their icons are not text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._open: list[list[object]] = []  # [kind, level or state, text parts]
        self._in_anchor = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._open.append(["heading", int(tag[1]), []])
        elif tag == "li":
            self._open.append(["task" if found.get("class") == "task-list-item" else "item", None, []])
        elif tag == "p" and not self._open:
            self._open.append(["paragraph", None, []])
        elif tag == "input" and self._open and self._open[-1][0] == "task":
            assert found.get("type") == "checkbox" and found.get("class") == "task-list-item-checkbox"
            assert "disabled" in found
            self._open[-1][1] = "checked" in found
        elif tag == "a" and found.get("class") == "anchor":
            self._in_anchor += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._in_anchor:
            self._in_anchor -= 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "li", "p") and self._open:
            kind, state, parts = self._open.pop()
            assert isinstance(parts, list)
            self.blocks.append((str(kind), state, " ".join("".join(parts).split())))

    def handle_data(self, data: str) -> None:
        if self._open and not self._in_anchor:
            parts = self._open[-1][2]
            assert isinstance(parts, list)
            parts.append(data)


def github_structure(html: str) -> list[Block]:
    """Headings, paragraphs and list items (with their checkboxes) of a GitHub rendering."""
    parser = _GithubHtml()
    parser.feed(html)
    parser.close()
    return parser.blocks


def test_the_checklists_render_on_github_as_stored(tmp_path: Path, run_inproc) -> None:
    repo = copy_fixture("phase1-service", tmp_path)
    shown = run_inproc("gates", repo, "--format", "markdown", "--select", SELECTED)
    assert shown.code == 0, shown.stderr
    rendered = markdown_structure(shown.stdout)
    stored = github_structure(STORED.read_text(encoding="utf-8"))
    assert rendered == stored
    # What a reader sees: five checklists of 34 task items, a heading and a Human Gate each.
    assert [b for b in rendered if b[0] == "heading"][:2] == [
        ("heading", 3, "Phase gates: phase 1 reached (service)"),
        ("heading", 4, "Phase 0 Validation Checklist: ✅ passed"),
    ]
    tasks = [b for b in rendered if b[0] == "task"]
    assert len(tasks) == 34 and not [b for b in rendered if b[0] == "item"]
    assert ("task", False, "Security measures in place (rate limiting, logging) — fail: Dockerfile:19 UDEF009") in tasks
    assert (
        "task",
        False,
        "Complexity metrics passing (<10) — not checked (UDEF022 not installed or not selected)",
    ) in tasks
    assert sum(1 for b in tasks if b[1]) == 16  # 8 + 5 + 1 + 1 + 1
    assert [b[2] for b in rendered if b[0] == "paragraph"] == [
        "Human Gate: Foundation Review",
        "Human Gate: Specification Approval",
        "Human Gate: Pipeline Proven",
        "Human Gate: Module Completion",
        "Human Gate: Production Readiness",
    ]


def test_a_box_github_would_not_tick_is_told_apart() -> None:
    # The comparison sees checkbox states and task-ness, not only text.
    unticked = (
        '<ul class="contains-task-list">\n<li class="task-list-item">'
        '<input type="checkbox" class="task-list-item-checkbox" disabled> a</li>\n</ul>'
    )
    assert github_structure(unticked) == [("task", False, "a")]
    assert markdown_structure("- [x] a\n") == [("task", True, "a")]
    assert markdown_structure("- [ ]a\n") == [("item", None, "[ ]a")]
    assert markdown_structure("* [x] a\n\n  more\n") == [("task", True, "a")]
