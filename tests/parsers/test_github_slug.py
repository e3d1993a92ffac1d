"""Heading anchors as GitHub computes them (udef_audit.parsers.github_slug).

Each expected slug is what github.com gives the heading: the algorithm is github-slugger
2.0's, whose own fixtures are generated with GitHub's Markdown API; the cases below cover
its rules (categories dropped, Alphabetic symbols kept, spaces, duplicates)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from udef_audit.parsers.github_slug import Slugger, github_slug

pytestmark = [pytest.mark.requirement("specs:FR-12"), pytest.mark.requirement("specs:NFR-05")]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Getting Started", "getting-started"),
        ("API Reference (v2)", "api-reference-v2"),
        ("What's new?", "whats-new"),
        ("C++ & Rust", "c--rust"),
        ("foo_bar baz", "foo_bar-baz"),
        ("heading with a - dash", "heading-with-a---dash"),
        ("config.load(path [, strict])", "configloadpath--strict"),
        ("😄 Quick start", "-quick-start"),
        (":rocket: Launch", "rocket-launch"),
        ("Привет мир", "привет-мир"),
        ("Ⓐ circled letters stay", "ⓐ-circled-letters-stay"),
        ("I ♥ Python", "i--python"),
        ("en\u2013dash and em\u2014dash", "endash-and-emdash"),
        ("it\u2019s typographic", "its-typographic"),
        ("a ", "a-"),
        ("Tabs\tand\u00a0nbsp", "tabsandnbsp"),
        ("½ Other numbers ²", "-other-numbers-"),
        ("Version 1.2.3", "version-123"),
        ("ÜBER Straße", "über-straße"),
    ],
)
def test_slugs_are_githubs(text: str, slug: str) -> None:
    assert github_slug(text) == slug


def test_duplicates_count_per_base_slug_and_skip_taken_suffixes() -> None:
    slugger = Slugger()
    assert [slugger.slug(t) for t in ("Usage", "Usage", "Usage 1", "Usage-1", "usage")] == [
        "usage",
        "usage-1",
        "usage-1-1",
        "usage-1-2",
        "usage-2",
    ]


@given(st.text(max_size=200))
def test_any_text_slugs_to_lower_case_without_spaces_or_punctuation(text: str) -> None:
    slug = github_slug(text)
    assert " " not in slug
    assert not set(slug) & set("!\"#$%&'()*+,./:;<=>?@[\\]^`{|}~")
    assert github_slug(text.lower()) == slug  # lower-casing first makes case irrelevant
