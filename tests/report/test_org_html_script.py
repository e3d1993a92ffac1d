"""The org report's one script (ADR 0011): sortable and filterable tables in a page that
reads whole without it, and a CSP that lets exactly that script run.

In headless Chromium: with scripts off (a CSP that names no script), every row is there in score order and nothing the
script adds appears; with scripts on, the headers get sort buttons and the repository table
a filter; a driver script (added to a copy of the page together with its own hash) clicks
the buttons and types in the filter, and writes what it saw into the page, which
`--dump-dom` returns; a script the CSP does not name never runs.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_org_html import CHROMIUM, _chromium, _parse, org_summary, page_scripts

from udef_audit.report.org_html import content_security_policy, enhancement_script, render_html

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"
)

# Whatever could turn text into markup or code, and inline handlers (blocked by a hash-only CSP).
FORBIDDEN = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(",
             "setAttribute(\"on", "{{", "{%", "</script")  # fmt: skip

DRIVER = """
(() => {
  const table = document.querySelector("#repositories table");
  const heads = table.tHead.rows[0].cells;
  const names = () => Array.from(table.tBodies[0].rows).filter((r) => !r.hidden).map((r) => r.cells[0].textContent);
  const click = (column) => heads[column].querySelector("button.sort").click();
  const seen = {};
  click(0);
  seen.nameAscending = names();
  seen.nameSort = heads[0].getAttribute("aria-sort");
  click(0);
  seen.nameDescending = names();
  click(2);
  seen.scoreFirstClick = names();
  click(2);
  seen.scoreAscending = names();
  seen.scoreSort = heads[2].getAttribute("aria-sort");
  seen.oldScoreSort = heads[0].getAttribute("aria-sort");
  const input = document.querySelector("#repositories .table-tools input");
  input.value = "TIMEOUT  ";
  input.dispatchEvent(new Event("input"));
  seen.filtered = names();
  seen.shown = document.querySelector("#repositories .table-tools output").textContent;
  const out = document.createElement("pre");
  out.id = "driver";
  out.textContent = JSON.stringify(seen);
  document.body.append(out);
})();
"""


def digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def with_script(document: str, script: str, *, allowed: bool) -> str:
    """The page with `script` added at the end of its body, named in its CSP if `allowed`."""
    if allowed:
        document = document.replace("script-src ", f"script-src 'sha256-{digest(script)}' ", 1)
    return document.replace("</body>", f"<script>{script}</script>\n</body>", 1)


def dump(tmp_path: Path, document: str, *flags: str) -> str:
    page = tmp_path / "page.html"
    page.write_text(document, encoding="utf-8")
    dumped = _chromium(*flags, "--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr
    return dumped.stdout


def names_in_order(summary: dict[str, Any], *, descending: bool) -> list[str]:
    """Repository names by score (missing scores last, in page order), as the page sorts them."""
    rows = _page_order(summary)
    scored = sorted((r for r in rows if r["score"] is not None), key=lambda r: r["score"], reverse=descending)
    return [r["name"] for r in scored] + [r["name"] for r in rows if r["score"] is None]


def _page_order(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(summary["repositories"], key=lambda r: (r["score"] is None, -(r["score"] or 0), r["name"]))


# --- the script and the policy, without a browser ----------------------------------------


def test_the_page_holds_exactly_the_fixed_script_and_its_hash() -> None:
    document = render_html(org_summary())
    assert page_scripts(document) == [enhancement_script()]
    assert f"script-src 'sha256-{digest(enhancement_script())}';" in content_security_policy()
    # Another summary, the same script and policy: nothing of the data is in either.
    other = render_html({"repositories": [{"key": "k", "name": "<b>", "status": "ok", "score": 1}]})
    assert page_scripts(other) == [enhancement_script()]
    assert content_security_policy() in other.replace("&#39;", "'")


def test_the_script_builds_no_markup_and_no_code_from_data() -> None:
    script = enhancement_script()
    assert [word for word in FORBIDDEN if word in script] == []
    assert "textContent" in script and "createElement" in script
    markup = _parse(render_html(org_summary()))
    assert [name for _, attrs in markup.tags for name in attrs if name.startswith("on")] == []


def test_tables_mark_what_the_script_enhances() -> None:
    markup = _parse(render_html(org_summary()))
    classes = [attrs.get("class") or "" for tag, attrs in markup.tags if tag == "table"]
    assert [c for c in classes if "sortable" in c] == ["sortable actions", "sortable", "sortable filterable"]
    numeric = [attrs.get("data-sort") for tag, attrs in markup.tags if tag == "th" and attrs.get("data-sort")]
    assert numeric.count("number") == 5 + 2 + 2 + 7  # actions, blocking items, score and phase, rule columns


# --- in the browser --------------------------------------------------------------------------


@pytest.mark.slow
@needs_chromium
def test_without_scripts_every_row_reads_in_score_order(tmp_path: Path) -> None:
    summary = org_summary()
    # Scripts off: the CSP names no script. (Headless Chromium 156 dumps nothing at all with
    # --blink-settings=scriptEnabled=false, and --disable-javascript does not stop the page's.)
    hashed = f"&#39;sha256-{digest(enhancement_script())}&#39;"  # as the attribute holds it, quotes escaped
    document = render_html(summary).replace(hashed, "&#39;none&#39;", 1)
    assert "script-src &#39;none&#39;;" in document
    dom = dump(tmp_path, document)
    assert "<button" not in dom and 'class="table-tools"' not in dom
    table = dom.split('id="repositories"')[1]
    names = re.findall(r'<th scope="row" class="name" title="[^"]*">(?:<a [^>]*>)?([^<]*)', table)
    assert [html.unescape(name) for name in names] == names_in_order(summary, descending=True)
    assert 'aria-sort="descending"' in table  # the order the page is in, said without a script


@pytest.mark.slow
@needs_chromium
def test_with_scripts_headers_sort_and_the_filter_narrows(tmp_path: Path) -> None:
    summary = org_summary()
    dom = dump(tmp_path, with_script(render_html(summary), DRIVER, allowed=True))
    assert dom.count('class="sort"') == 6 + 4 + (7 + 7)  # every header of the three sortable tables
    found = re.search(r'<pre id="driver">(.*?)</pre>', dom, re.DOTALL)
    assert found is not None, "the driver script did not run"
    seen = json.loads(html.unescape(found.group(1)))
    names = [repo["name"] for repo in _page_order(summary)]
    assert seen["nameAscending"] == sorted(names, key=str.casefold)
    assert seen["nameSort"] == "ascending"
    assert seen["nameDescending"] == sorted(names, key=str.casefold, reverse=True)
    assert seen["scoreFirstClick"] == names_in_order(summary, descending=True)  # a number: highest first
    assert seen["scoreAscending"] == names_in_order(summary, descending=False)  # no score: still last
    assert (seen["scoreSort"], seen["oldScoreSort"]) == ("ascending", None)
    assert seen["filtered"] == ["acme/ml-monorepo"]  # every word, any case: the one timed-out row
    assert seen["shown"] == "1 of 13 shown"


@pytest.mark.slow
@needs_chromium
def test_a_script_the_policy_does_not_name_never_runs(tmp_path: Path) -> None:
    planted = 'document.body.append(Object.assign(document.createElement("p"), {id: "planted"}));'
    dom = dump(tmp_path, with_script(render_html(org_summary()), planted, allowed=False))
    assert 'id="planted"' not in dom
    assert 'class="sort"' in dom  # while the page's own script did run
    allowed = dump(tmp_path, with_script(render_html(org_summary()), planted, allowed=True))
    assert 'id="planted"' in allowed  # the same script, named by its hash: the test can tell
