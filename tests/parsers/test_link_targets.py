"""Relative link targets resolved as GitHub resolves them (udef_audit.parsers.link_targets)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from udef_audit.parsers.link_targets import LinkTarget, resolve_link

pytestmark = pytest.mark.requirement("specs:FR-11")


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("README.md", "docs/guide.md", LinkTarget("docs/guide.md")),
        ("docs/a/b.md", "../guide.md#Set-Up", LinkTarget("docs/guide.md", "Set-Up")),
        ("docs/a/b.md", "/src/pkg/mod.py", LinkTarget("src/pkg/mod.py")),
        ("docs/a/b.md", "./c.md", LinkTarget("docs/a/c.md")),
        ("docs/a/b.md", "#local", LinkTarget("docs/a/b.md", "local")),
        ("docs/a/b.md", "", None),
        ("README.md", "docs/release%20notes.md", LinkTarget("docs/release notes.md")),
        ("README.md", "docs/caf%C3%A9.md#r%C3%A9sum%C3%A9", LinkTarget("docs/café.md", "résumé")),
        ("README.md", "docs/install.md?raw=true", LinkTarget("docs/install.md")),
        ("README.md", "docs/install.md?plain=1#L3", LinkTarget("docs/install.md", "L3", plain_view=True)),
        ("README.md", "docs/install.md/", LinkTarget("docs/install.md", trailing_slash=True)),
        ("README.md", "docs\\guide.md", LinkTarget("docs/guide.md")),
        ("README.md", "docs/", LinkTarget("docs", trailing_slash=True)),
        ("README.md", ".", LinkTarget("")),
        ("README.md", "../../issues", LinkTarget("", outside=True)),
        ("docs/a.md", "../../etc/passwd", LinkTarget("", outside=True)),
        ("docs/a.md", "/../x.md", LinkTarget("", outside=True)),
        ("docs/a.md", "x/../../../y.md", LinkTarget("", outside=True)),
        ("README.md", "https://example.com/x.md", None),
        ("README.md", "mailto:team@example.com", None),
        ("README.md", "//cdn.example.com/logo.png", None),
        ("README.md", "C:/Users/x.md", None),
    ],
)
def test_targets_resolve_as_on_github(source: str, target: str, expected: LinkTarget | None) -> None:
    assert resolve_link(source, target) == expected


@given(source=st.from_regex(r"([a-z]{1,3}/){0,3}[a-z]{1,3}\.md", fullmatch=True), target=st.text(max_size=80))
def test_a_resolved_target_never_leaves_the_root(source: str, target: str) -> None:
    resolved = resolve_link(source, target)
    if resolved is None or resolved.outside:
        return
    parts = resolved.path.split("/")
    assert ".." not in parts and "." not in parts and not resolved.path.startswith("/")
