"""The org report's "do this first" list and its links (issue 17): which rule to fix first,
ranked by the gates a fix unblocks and the repositories it fails in; links to repositories,
SARIF files and rule docs, in vetted shapes only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from test_org_html import _parse, _text

from udef_audit.report.org_actions import action_rows, rank_actions, repositories_of, sentence
from udef_audit.report.org_html import render_html
from udef_audit.report.org_links import repository_url, rule_docs, sarif_href
from udef_audit.report.rules_listing import DOCS_URL

LAYOUT = "SRC layout structure in place"
DEPS = "Single dependency system (pyproject.toml only)"
TESTS = "Test scenarios mapped to requirements"


def repo(name: str, counts: dict[str, int], blocking: list[tuple[int, str, str, list[str]]] | None = None,
         *, status: str = "ok", next_gate: str | None = "Phase 0 Validation Checklist") -> dict[str, Any]:  # fmt: skip
    """A summary row; `blocking` holds (phase, item, status, rules) of its next gate."""
    items = [{"phase": p, "item": i, "status": s, "rules": r} for p, i, s, r in (blocking or [])]
    return {
        "key": f"https://github.com/acme/{name}",
        "name": name,
        "status": status,
        "score": 40 if status in ("ok", "skipped") else None,
        "counts": counts,
        "next_gate": next_gate if items else None,
        "blocking": items,
        "phase_reached": (items[0]["phase"] - 1) if items else 4,
    }


def six_repositories() -> list[dict[str, Any]]:
    """UDEF001 fails in 4 of 6; it alone blocks phase 0 in 3 of them (the fourth is also
    blocked by UDEF002); UDEF006 fails in 5 and blocks nothing."""
    layout = (0, LAYOUT, "fail", ["UDEF001"])
    deps = (0, DEPS, "fail", ["UDEF002", "UDEF005"])
    return [
        repo("api", {"UDEF001": 3, "UDEF002": 0, "UDEF006": 4}, [layout]),
        repo("web", {"UDEF001": 1, "UDEF002": 0, "UDEF006": 1}, [layout]),
        repo("jobs", {"UDEF001": 2, "UDEF006": 9}, [layout]),
        repo("legacy", {"UDEF001": 5, "UDEF002": 1, "UDEF006": 2}, [layout, deps]),
        repo("docs", {"UDEF001": 0, "UDEF006": 7}, [(1, TESTS, "fail", ["UDEF019"])]),
        repo("lib", {"UDEF001": 0, "UDEF006": 0}),
        repo("gone", {}, status="failed"),  # no result: not counted anywhere
    ]


def test_the_first_action_is_the_rule_that_moves_the_most_repositories() -> None:
    rows = action_rows(six_repositories(), {"UDEF001": "Importable code lives under src/"}, rule_docs())
    first, second, third = rows
    assert (first.verb, first.rule_id, first.concerned, first.moved, first.cleared, first.findings) == (
        "Fix", "UDEF001", 4, 3, 4, 11,
    )  # fmt: skip
    assert first.sentence == (
        "UDEF001 fails in 4 of 6 repositories; fixing it moves 3 of them to phase 0 and clears 4 items blocking a gate."
    )
    assert first.moved_names == "api, web, jobs"
    assert first.docs == DOCS_URL.format(name="UDEF001-src-layout")
    # UDEF002 moves `legacy`, but only with UDEF001 fixed first: it comes second, and says so.
    assert (
        second.sentence
        == "UDEF002 fails in 1 of 6 repositories; fixing it, after the steps above, moves 1 of them to phase 0 "
        "and clears 1 item blocking a gate."
    )
    # UDEF006 fails in the most repositories but unblocks no gate: after the two that do.
    assert (third.rule_id, third.sentence) == ("UDEF006", "UDEF006 fails in 5 of 6 repositories.")
    assert [row.rank for row in rows] == [1, 2, 3]


def test_without_gates_the_list_ranks_by_repositories_then_findings_then_id() -> None:
    rows = [
        repo("a", {"UDEF003": 1, "UDEF007": 2, "UDEF002": 1}),
        repo("b", {"UDEF003": 1, "UDEF007": 0, "UDEF002": 1}),
        repo("c", {"UDEF010": 9}),
    ]
    ranked = rank_actions(repositories_of(rows))
    assert [(a.step.rule_id, len(a.concerned), a.findings, a.moved) for a in ranked] == [
        ("UDEF002", 2, 2, ()),
        ("UDEF003", 2, 2, ()),
        ("UDEF010", 1, 9, ()),
        ("UDEF007", 1, 2, ()),
    ]


def test_a_rule_that_did_not_run_is_a_step_and_an_unclearable_item_moves_nothing() -> None:
    rows = [
        repo(
            "tool-missing", {"UDEF001": 1}, [(0, LAYOUT, "fail", ["UDEF001"]), (0, "Lint", "not checked", ["UDEF009"])]
        ),
        repo("rule-passes", {"UDEF001": 1}, [(0, LAYOUT, "fail", ["UDEF001"]), (0, "Fixtures", "fail", ["UDEF012"])]),
        repo("mixed-phases", {"UDEF001": 1}, [(0, LAYOUT, "fail", ["UDEF001"]), (1, TESTS, "fail", ["UDEF001"])]),
        repo("two-phases", {"UDEF001": 1, "UDEF024": 1}, [(1, TESTS, "fail", ["UDEF001", "UDEF024"])]),
    ]
    ranked = rank_actions(repositories_of(rows))
    assert [(a.step.kind, a.step.rule_id, a.cleared, a.moved) for a in ranked] == [
        ("fix", "UDEF001", 2, ()),  # the layout item of tool-missing and rule-passes
        ("fix", "UDEF024", 1, (("two-phases", 1),)),
        ("check", "UDEF009", 1, (("tool-missing", 0),)),  # a fix, with its findings, goes first on a tie
    ]
    assert ranked[1].needs_earlier and ranked[2].needs_earlier
    assert ranked[1].moves_text() == "moves 1 of them to phase 1"
    assert sentence(ranked[2], 4) == (
        "UDEF009 is not checked in 1 of 4 repositories (not installed or not selected); checking it (if it then "
        "passes), after the steps above, moves 1 of them to phase 0 and clears 1 item blocking a gate."
    )


def test_moves_to_different_phases_are_told_apart_and_the_list_is_capped() -> None:
    rows = [
        repo(f"r{i}", {"UDEF001": 1, f"UDEF0{10 + i}": 1}, [(i % 2, LAYOUT, "fail", ["UDEF001"])]) for i in range(14)
    ]
    ranked = rank_actions(repositories_of(rows))
    assert ranked[0].moves_text() == "moves 7 of them to phase 0 and 7 to phase 1"
    assert len(ranked) == 10
    assert rank_actions([]) == []


def test_malformed_rows_do_not_break_the_ranking() -> None:
    rows: list[Any] = [
        {"status": "ok", "score": 10, "counts": "many", "next_gate": "x", "blocking": "none"},
        {"status": "ok", "score": 10, "counts": {"UDEF001": "3", "UDEF002": float("nan")}, "next_gate": "x",
         "blocking": [{"phase": True, "rules": "UDEF001"}, "junk"]},
        {"status": "ok", "score": "ninety", "counts": {"UDEF001": 1}},
    ]  # fmt: skip
    assert rank_actions(repositories_of(rows)) == []


def test_the_page_shows_the_list_first_with_its_links() -> None:
    document = render_html({"repositories": six_repositories(), "rules": [{"id": "UDEF001", "title": "Src layout"}]})
    markup = _parse(document)
    text = _text(markup)
    assert "Do this first" in text
    # The policy's title wins over the summary's; the sentence is the example.
    assert (
        "Fix UDEF001 Importable code lives under src/<package>/ UDEF001 fails in 4 of 6 repositories; "
        "fixing it moves 3 of them to phase 0"
    ) in text
    assert "Moves: api, jobs, web" in text  # in the order of the page: score, then name
    assert text.index("Do this first") < text.index("Phase gates")
    hrefs = [attrs["href"] for tag, attrs in markup.tags if tag == "a"]
    assert DOCS_URL.format(name="UDEF001-src-layout") in hrefs
    assert "https://github.com/acme/api" in hrefs  # the repository's name links to its page


# --- links --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("https://github.com/psf/requests", "https://github.com/psf/requests"),
        ("HTTP://git.example.com/org/tool", "HTTP://git.example.com/org/tool"),
        ("javascript:alert(1)", None),
        ("JavaScript://github.com/%0Aalert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///work/.mirror/psf+requests/repo", None),
        ("ssh://git@github.com/psf/requests", None),
        ("git@github.com:psf/requests", None),
        ("/srv/checkouts/app", None),
        ("https:///no-host", None),
        ("https://user:pw@github.com/x", None),
        ("https://github.com/a b", None),
        ("https://github.com/a\nb", None),
        ("https://[::1/broken", None),
        (None, None),
    ],
)
def test_only_http_urls_with_a_host_become_repository_links(key: object, url: str | None) -> None:
    assert repository_url(key) == url


@pytest.mark.parametrize(
    ("sarif_file", "href"),
    [
        ("/out/sarif/psf+requests-1a2b.sarif", "../sarif/psf%2Brequests-1a2b.sarif"),
        ("/out/sarif/javascript:alert(1).sarif", "../sarif/javascript%3Aalert%281%29.sarif"),
        ("/out/sarif/a?b#c%20d.sarif", "../sarif/a%3Fb%23c%2520d.sarif"),
        ("/elsewhere/<script>.sarif", "../../elsewhere/%3Cscript%3E.sarif"),
    ],
)
def test_sarif_links_are_relative_and_percent_encoded(sarif_file: str, href: str) -> None:
    found = sarif_href(sarif_file, Path("/out/html"))
    assert found == href
    parts = urlsplit(href)  # no scheme, host, query or fragment can come from a file name
    assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", "")
    assert unquote(href).endswith(Path(sarif_file).name)


def test_sarif_links_need_a_file_and_a_page_folder() -> None:
    assert sarif_href("/out/x.sarif", None) is None
    assert sarif_href(None, Path("/out")) is None
    assert sarif_href("", Path("/out")) is None
    assert sarif_href("/out/bad\nname.sarif", Path("/out")) is None
    assert sarif_href("/out/sarif/a.sarif", Path("/out")) == "sarif/a.sarif"


def test_the_repository_table_links_sarif_files_relative_to_the_page(tmp_path: Path) -> None:
    row = repo("api", {"UDEF001": 1}) | {"sarif_file": str(tmp_path / "sarif" / "api-1.sarif")}
    linked = _parse(render_html({"repositories": [row]}, sarif_base=tmp_path / "html"))
    sarif_links = [attrs["href"] for tag, attrs in linked.tags if tag == "a" and attrs.get("type")]
    assert sarif_links == ["../sarif/api-1.sarif"]
    unlinked = _parse(render_html({"repositories": [row]}))
    assert [attrs for tag, attrs in unlinked.tags if tag == "a" and attrs.get("type")] == []
