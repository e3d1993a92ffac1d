"""Links and anchors of Markdown files (udef_audit.parsers.markdown_links): CommonMark through
markdown-it-py, each link at its line and column, anchors as GitHub makes them, and bounded
work on hostile text."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udef_audit.parsers import markdown_links
from udef_audit.parsers.markdown_links import MAX_LINES, Link, MarkdownTooLarge, is_markdown, parse_markdown


def links(text: str) -> list[tuple[str, int, int, str]]:
    return [(link.target, link.line, link.column, link.form) for link in parse_markdown(text).links]


# -- links -----------------------------------------------------------------------------------
@pytest.mark.requirement("specs:FR-10")
@pytest.mark.requirement("specs:FR-13")
def test_every_form_of_link_at_its_line_and_column() -> None:
    text = (
        "Some [link](a.md#Frag) and ![img](i.png) here\n"  # 1
        "> quoted [q](b.md)\n"  # 2
        "- item [li](c.md 'title')\n"  # 3
        "  continued [cont](d.md)\n"  # 4
        "\n"
        "| a | [cell](e.md) |\n"  # 6
        "|---|---|\n"
        "| [x](f.md) | <a href=\"g.md\">g</a> |\n"  # 8
        "\n"
        "<div align=\"center\">\n"  # 10
        "  <img src=\"h.png\"> <a\n"  # 11
        "  href=\"i.md\">split tag</a>\n"
        "</div>\n"
        "\n"
        "Then [a reference][ref] and [another].\n"  # 15
        "\n"
        ">   [ref]: j.md \"title\"\n"  # 17
        "[another]:\n"  # 18
        "  k.md\n"
    )
    assert links(text) == [
        ("a.md#Frag", 1, 6, "inline"),
        ("i.png", 1, 28, "image"),
        ("b.md", 2, 10, "inline"),
        ("c.md", 3, 8, "inline"),
        ("d.md", 4, 13, "inline"),
        ("e.md", 6, 7, "inline"),
        ("f.md", 8, 3, "inline"),
        ("g.md", 8, 15, "html"),
        ("h.png", 11, 3, "html"),
        ("i.md", 11, 21, "html"),
        ("j.md", 17, 5, "definition"),
        ("k.md", 18, 1, "definition"),
    ]


@pytest.mark.requirement("specs:FR-10")
def test_code_comments_footnotes_and_undefined_labels_are_no_links() -> None:
    text = (
        "`[span](a.md)` and ``[double](b.md)``\n\n"
        "```markdown\n[fenced](c.md)\n```\n\n"
        "    [indented](d.md)\n\n"
        "<!-- [comment](e.md) <a href=\"f.md\"> -->\n\n"
        "[undefined label][nowhere] and [shortcut]\n\n"
        "Text[^1].\n\n"
        "[^1]: A footnote, not a definition of `A`.\n"
    )
    assert links(text) == []


@pytest.mark.requirement("specs:FR-10")
@pytest.mark.requirement("specs:FR-13")
def test_a_definition_no_link_uses_renders_nothing() -> None:
    text = "[used][a] and [shortcut]\n\n[a]: a.md\n[shortcut]: s.md\n[unused]: u.md\n[same]: a.md\n"
    assert links(text) == [("a.md", 3, 1, "definition"), ("s.md", 4, 1, "definition"), ("a.md", 6, 1, "definition")]


@pytest.mark.requirement("specs:FR-10")
def test_front_matter_is_no_markdown_but_keeps_line_numbers() -> None:
    text = "---\ntitle: [x](front.md)\n---\n# Title\n\n[y](after.md)\n"
    assert links(text) == [("after.md", 6, 1, "inline")]
    assert parse_markdown(text).headings == ("title",)


def test_an_image_inside_a_link_is_two_links() -> None:
    assert links("[![badge](b.svg)](ci.md)\n") == [("ci.md", 1, 1, "inline"), ("b.svg", 1, 2, "image")]


def test_targets_are_as_markdown_it_normalises_them() -> None:
    assert links("[a](<my file.md>) [b](caf\u00e9.md)\n") == [
        ("my%20file.md", 1, 1, "inline"),
        ("caf%C3%A9.md", 1, 19, "inline"),
    ]


@pytest.mark.parametrize("name", ["README.md", "guide.MARKDOWN", "a.mdown", "b.mkd", "c.mkdn", "d.mdwn"])
def test_markdown_extensions(name: str) -> None:
    assert is_markdown(name)
    assert not is_markdown("notes.rst") and not is_markdown("page.mdx")


# -- anchors ---------------------------------------------------------------------------------
@pytest.mark.requirement("specs:FR-12")
def test_heading_anchors_from_the_rendered_text() -> None:
    text = (
        "# The `shop.cli` command\n"
        "## [Linked](x.md) text\n"
        "## ![logo](l.png) Title\n"
        "## Foo <a name=\"Explicit\"></a>\n"
        "## *Emphasis* and **bold**\n"
        "## A &amp; B \\# C\n"
        "## 😄 emoji :smile: ok\n"
        "Setext heading\n"
        "==============\n"
        "## The `shop.cli` command\n"
        "<h2 align=\"center\">Raw <em>HTML</em> heading</h2>\n"
        "<div id=\"faq\"></div>\n"
    )
    doc = parse_markdown(text)
    assert doc.headings == (
        "the-shopcli-command",
        "linked-text",
        "-title",
        "foo-",
        "emphasis-and-bold",
        "a--b--c",
        "-emoji-smile-ok",
        "setext-heading",
        "the-shopcli-command-1",
        "raw-html-heading",
    )
    assert {"explicit", "faq"} <= doc.anchors


@pytest.mark.requirement("specs:FR-12")
@pytest.mark.parametrize(
    ("fragment", "found"),
    [
        ("usage", True),
        ("USAGE", True),
        ("user-content-usage", True),
        ("", True),
        ("top", True),
        ("Top", True),
        ("usages", False),
        ("first-steps", False),
    ],
)
def test_fragments_match_anchors_in_any_case(fragment: str, found: bool) -> None:
    doc = parse_markdown("# Usage\n\n## First steps { #first-steps }\n")
    assert doc.has_anchor(fragment) is found


def test_site_anchors_are_kept_apart() -> None:
    text = (
        "(install-label)=\n# Install\n\n## First steps { #first-steps }\n\n"
        "## The options - all of them\n\n**term**{: .cls #term-id }\n\n::: shop.api\n"
    )
    doc = parse_markdown(text)
    assert not doc.has_anchor("first-steps")
    assert doc.has_anchor("first-steps", site=True)
    assert doc.has_anchor("the-options-all-of-them", site=True)  # Python-Markdown's slug
    assert doc.has_anchor("term-id", site=True) and doc.has_anchor("install-label", site=True)
    assert doc.labels == frozenset({"install-label"})
    assert doc.generated_anchors
    assert not parse_markdown("# Plain\n\n```{note}\nA MyST note makes no anchors.\n```\n").generated_anchors


# -- hostile text ----------------------------------------------------------------------------
HOSTILE = {
    "100k links": "".join(f"[l{i}](f{i}.md) " for i in range(100_000)),
    "nested brackets": "[" * 50_000 + "a" + "]" * 50_000 + "(x.md)",
    "unclosed links": "[a](" * 100_000,
    "unclosed images": "![" * 100_000,
    "unclosed html": '<a href="' * 100_000,
    "nested lists": "".join("  " * i + "- a\n" for i in range(1_500)),
    "nested quotes": ">" * 50_000 + " [x](y.md)\n",
    "html headings": "<div>\n" + "<h1>x" * 100_000 + "\n</div>\n",
    "many definitions": "".join(f"[r{i}]: f{i}.md\n" for i in range(50_000)),
    "NUL bytes": "\0[a](b\0.md)\0\n" * 10_000,
}


@pytest.mark.requirement("specs:NFR-02")
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_is_parsed_in_bounded_time(name: str) -> None:
    started = time.perf_counter()
    doc = parse_markdown(HOSTILE[name])
    assert time.perf_counter() - started < 60
    assert all(link.line >= 1 and link.column >= 1 for link in doc.links)
    if name == "100k links":
        assert len(doc.links) == 100_000 and not doc.truncated
        assert doc.links[-1] == Link("f99999.md", 1, len(HOSTILE[name]) - len("[l99999](f99999.md) ") + 1, "inline")


@pytest.mark.requirement("specs:NFR-02")
def test_the_scan_budget_stops_quadratic_link_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown_links, "_BUDGET_PER_CHAR", 1)
    monkeypatch.setattr(markdown_links, "_BUDGET_FLOOR", 0)
    doc = parse_markdown("![" * 5_000 + "\n\n[late](link.md)\n")
    assert doc.truncated and doc.links == ()
    assert not parse_markdown("[fine](link.md)\n").truncated


@pytest.mark.requirement("specs:NFR-02")
def test_too_long_a_text_is_refused_before_parsing() -> None:
    with pytest.raises(MarkdownTooLarge, match="100001 lines"):
        parse_markdown("a\n" * MAX_LINES)
    with pytest.raises(MarkdownTooLarge, match="20000000 characters"):
        parse_markdown("[a](b.md) " * 2_000_000)


MARKUP = st.sampled_from(
    ["[", "]", "(", ")", "![", "](", "<", ">", '<a href="', '<img src="', "`", "```", "\n", "\n\n", "# ", "> ",
     "- ", "1. ", "|", "---", "\\", "&amp;", "*", "_", "x.md", "#frag", "..", "/", ":", "{#id}", "(label)=",
     "\0", "é", "😄", " ", "\t", "\r"]
)


@pytest.mark.requirement("specs:NFR-02")
@settings(max_examples=300, deadline=None)
@given(st.lists(MARKUP, max_size=300).map("".join) | st.text(max_size=500))
def test_any_text_parses_and_positions_stay_in_the_text(text: str) -> None:
    doc = parse_markdown(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for link in doc.links:
        assert 1 <= link.line <= len(lines)
        assert 1 <= link.column <= len(lines[link.line - 1]) + 1


def test_a_parsed_document_survives_the_cache_unchanged() -> None:
    doc = parse_markdown(
        "# Title\n\n(intro)=\n## Usage\n\n[a](docs/x.md#usage) ![i](img.png)\n\n[ref]: other.md\n"
        '<a href="page.md">p</a>\n'
    )
    assert doc.links and doc.anchors and doc.labels
    assert markdown_links.MarkdownDoc.from_dict(doc.to_dict()) == doc


def test_a_malformed_cache_entry_is_refused() -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        markdown_links.MarkdownDoc.from_dict({"links": [["x", "one", 1, "inline"]]})
