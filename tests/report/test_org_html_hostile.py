"""The org HTML report on hostile strings: every field a scanned repository fills is text.

Each payload is put in every string of a summary (repository name, key, status, reason,
verdict, criteria, evidence, rule id, slug and title, run and trend fields) and the page is
compared with the same summary holding a harmless word of the same length: the elements and
their attributes must be the same (data never becomes markup, a class, an id or a link), the
payload must show intact wherever the word shows (escaped, never evaluated as a template),
and control characters must come out as U+FFFD.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from test_org_html import CHROMIUM, _chromium, page_scripts

from udef_audit.report.org_html import enhancement_script, render_html

HOSTILE = (
    "<script>alert(1)</script>",
    '"onload="alert(1)',
    "' onmouseover='alert(1)' x='",
    "</style><script>alert(1)</script>",
    "</title></desc></svg><img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "{% raw %}{{ self }}{% endraw %}",
    "{# hidden #}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "nul\x00bell\x07esc\x1b[31mdel\x7fcsi\x9b end",
    "lone \ud800 surrogate",
    "&amp; &lt;b&gt; &#60;script&#62;",
    "]]><!-- --><![CDATA[x",
)
# What a reader sees of a payload: the same text, control characters replaced.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Attributes whose value is data (a tooltip, a timestamp); every other attribute is fixed markup.
DATA_ATTRIBUTES = {"title", "datetime"}


def summary_of(text: str) -> dict[str, Any]:
    """A summary with `text` in every string field, one audited and one failed repository."""
    audited = {
        "key": text,
        "name": text,
        "status": text,
        "reason": text,
        "head": text,
        "score": 70,
        "verdict": text,
        "counts": {text: 1},
        "criteria_met": [text],
        "evidence": [text],
        "sarif_file": text,
    }
    failed = {**audited, "score": None, "counts": {}}
    return {
        "run": {"id": text, "started": text, "finished": text, "tool_version": text, "policy_hash": text},
        "repositories": [audited, failed],
        "rules": [{"id": text, "slug": text, "title": text, "passing": 1, "failing": 1, "pass_rate": 0.5}],
        "scores": {"histogram": [[0, 100, 1]], "reset": 1, "repair": 0},
        "trend": [{"run_id": text, "date": text, "mean_score": 70.0, "reset": 1, "repositories": 2, "pass_rate": 0.5}],
        "changes": {
            "previous_run_id": text,
            "new_resets": [text],
            "recovered": [text],
            "score_deltas": [{"key": text, "before": 10, "after": 70}],
        },
    }


class _Page(HTMLParser):
    """The page as a reader's browser sees it: elements, attributes, text."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.strings: list[str] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fixed = tuple((name, None if name in DATA_ATTRIBUTES else value) for name, value in attrs)
        self.elements.append((tag, fixed))
        self.strings += [value for name, value in attrs if name in DATA_ATTRIBUTES and value]

    def handle_data(self, data: str) -> None:
        self.strings.append(data)

    def shows(self, text: str) -> int:
        return sum(string.count(text) for string in self.strings)


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_hostile_string_is_text_everywhere(payload: str) -> None:
    harmless = "Q" * len(payload)
    document = render_html(summary_of(payload))
    page, reference = _Page(document), _Page(render_html(summary_of(harmless)))
    assert page.elements == reference.elements
    shown = NOT_TEXT.sub("\N{REPLACEMENT CHARACTER}", payload)
    assert page.shows(shown) == reference.shows(harmless) >= 20
    assert NOT_TEXT.search(document) is None
    document.encode("utf-8")  # no lone surrogate left to break the file


def test_template_syntax_in_data_is_never_evaluated() -> None:
    text = " ".join(_Page(render_html(summary_of("{{ 7*7 }} {% raw %}"))).strings)
    assert "{{ 7*7 }} {% raw %}" in text
    assert "49" not in text
    popen = render_html(summary_of("{{ cycler.__init__.__globals__.os.popen('id').read() }}"))
    assert "uid=" not in popen
    assert "{{ cycler.__init__.__globals__.os.popen(&#39;id&#39;).read() }}" in popen


def test_markup_in_data_is_escaped_in_the_source() -> None:
    document = render_html(summary_of('</style><script>"x"</script>'))
    assert document.count("</style>") == 1
    assert document.lower().count("<script") == 1  # the page's own script, and no other
    assert page_scripts(document) == [enhancement_script()]
    assert "&lt;/style&gt;&lt;script&gt;&#34;x&#34;&lt;/script&gt;" in document


def test_no_template_marks_anything_safe() -> None:
    # Autoescaping is the only way data reaches the page; these are the ways around it.
    templates = {path.name: path.read_text(encoding="utf-8") for path in _templates()}
    assert "org.html.j2" in templates
    bypasses = re.compile(r"\|\s*safe\b|autoescape\s+false|Markup")
    assert {name for name, text in templates.items() if bypasses.search(text)} == set()


def _templates() -> list[Path]:
    directory = files("udef_audit") / "report" / "templates"
    return [Path(str(entry)) for entry in directory.iterdir() if entry.name.endswith(".j2")]


def mixed_summary() -> dict[str, Any]:
    """Every payload at once, one per repository, rule and run."""
    summary = summary_of(HOSTILE[0])
    repositories, rules, trend = [], [], []
    for index, payload in enumerate(HOSTILE):
        one = summary_of(payload)
        audited, failed = one["repositories"]
        repositories += [{**audited, "score": 7 * index}, failed]
        rules += one["rules"]
        trend += one["trend"]
    summary.update(repositories=repositories, rules=rules, trend=trend)
    return summary


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
def test_chromium_builds_no_active_element_from_hostile_data(tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(render_html(mixed_summary()), encoding="utf-8")
    dumped = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr
    dom = dumped.stdout.lower()
    assert [tag for tag in ("<img", "<iframe", "<object", "<embed", "<link") if tag in dom] == []
    assert dom.count("<script") == 1
    assert dom.count("<section") == 7
    assert dom.count("<svg") == 3
    assert dom.count('<rect class="bar"') == len(HOSTILE) + 1


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_hostile_url_or_sarif_path_is_a_quoted_href_never_markup(payload: str, tmp_path: Path) -> None:
    def page(text: str) -> str:
        summary = summary_of("QQ")
        summary["repositories"][0] |= {"key": f"https://evil.example/{text}", "sarif_file": str(tmp_path / text)}
        return render_html(summary, sarif_base=tmp_path)

    # The same length, blanks and controls (which keep a URL from being linked) in place.
    harmless = "".join(ch if NOT_TEXT.match(ch) or ch.isspace() else "Q" for ch in payload)
    hostile, reference = _Linked(page(payload)), _Linked(page(harmless))
    assert hostile.elements == reference.elements  # the same elements, whatever the href holds
    if NOT_TEXT.search(payload) or any(ch.isspace() for ch in payload):
        assert hostile.hrefs == reference.hrefs == []  # not a URL a browser should follow as written
        return
    web, sarif = hostile.hrefs
    assert web == f"https://evil.example/{payload}"  # quoted in its attribute, read back whole
    parts = urlsplit(sarif)
    assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", "")
    assert unquote(sarif) == os.path.relpath(tmp_path / payload, tmp_path)


class _Linked(_Page):
    """A page's elements (hrefs left out) and its repository and SARIF hrefs."""

    def __init__(self, document: str) -> None:
        self.hrefs: list[str] = []
        super().__init__(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and not href.startswith(("#", "https://github.com/")):
            self.hrefs.append(href)
        super().handle_starttag(tag, [(name, None if name == "href" else value) for name, value in attrs])
