"""The org HTML report: structure, colours, what it loads, and a real headless browser.

`org_summary()` is a realistic summary in the layout of udef_audit/batch/model.py (the
screenshots in docs/reports/ are of a real batch run: docs/reports/org-report.md). Hostile
strings in every field: test_org_html_hostile.py; the script and its CSP:
test_org_html_script.py; the "do this first" list and the links: test_org_actions.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from udef_audit.batch.store import phase_summary
from udef_audit.report.org_charts import PALETTE
from udef_audit.report.org_html import _environment, render_html

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE_NAME = '<script>alert(1)</script> "quotes"'
HOSTILE_KEY = "https://git.example.com/acme/<script>alert(1)</script>%22quotes%22.git"

RULES = [
    ("UDEF001", "src-layout", "Importable code lives under src/<package>/"),
    ("UDEF002", "single-dependency-source", "Dependencies are declared in pyproject.toml only"),
    ("UDEF003", "lockfile-present", "Dependencies are pinned by a lockfile"),
    ("UDEF004", "docker-stages-share-base", "Test and runtime images share one base"),
    ("UDEF005", "no-pip-no-deps", "Never install with pip --no-deps"),
    ("UDEF006", "no-placeholders", "Zero placeholders in committed code"),
    ("UDEF007", "docs-design-separated", "Design specs and implementation reports live apart"),
]

# name, score, verdict, criteria met, counts UDEF001..UDEF007, evidence
AUDITED: list[tuple[str, int, str, list[str], list[int], list[str]]] = [
    (
        "acme/legacy-monolith",
        91,
        "reset",
        ["foundation-breadth", "emergency-fixes", "architecture-churn", "debt-vs-velocity", "lost-confidence"],
        [1, 3, 1, 1, 2, 41, 1],
        [
            "6 of 7 foundation rules fail (UDEF001, UDEF002, UDEF003, UDEF004, UDEF005, UDEF006)",
            "14 emergency fixes in 90 days: 3f2a9c1 2024-05-02 hotfix: payments double charge",
            "setup.py:12 install_requires duplicates requirements.txt",
            "Dockerfile:1 test stage FROM python:3.8, runtime FROM python:3.11-slim",
            "src/billing/core.py:88 TODO: remove once the new ledger ships",
            "38% of commits are wip/retry: a1b2c3d 2024-04-29 wip",
            "tests/ removed from CI in 9e8d7c6 2024-03-18 ci: skip flaky suite",
            "core/ rewritten 4 times in 90 days (architecture churn)",
            "debt grows faster than features: 61 placeholders added, 12 features merged",
            "no passing CI run in 41 days",
        ],
    ),
    (
        HOSTILE_NAME,
        84,
        "reset",
        ["foundation-breadth", "emergency-fixes", "lost-confidence"],
        [1, 1, 1, 0, 1, 12, 0],
        [
            '<img src=x onerror=alert(1)> in README.md:3 "placeholder"',
            "javascript:alert(document.cookie) found in docs/index.md:1",
            "requirements.txt and pyproject.toml both declare dependencies",
        ],
    ),
    (
        "acme/data-pipeline",
        77,
        "reset",
        ["foundation-breadth", "debt-vs-velocity", "architecture-churn"],
        [0, 2, 1, 1, 0, 23, 1],
        ["pipeline/etl.py:210 FIXME: retry logic", "Dockerfile:14 pip install --no-deps on a fresh base"],
    ),
    (
        "acme/mobile-backend",
        66,
        "reset",
        ["emergency-fixes", "lost-confidence"],
        [0, 1, 1, 0, 0, 8, 0],
        ["9 emergency fixes in 90 days", "tests skipped in CI since 2024-04-01"],
    ),
    ("acme/search-indexer", 52, "repair", ["debt-vs-velocity"], [0, 0, 1, 0, 0, 5, 0], ["5 placeholders"]),
    ("acme/auth-service", 38, "repair", ["emergency-fixes"], [0, 0, 0, 0, 0, 2, 1], ["3 emergency fixes"]),
    ("acme/notifications", 31, "repair", [], [0, 1, 0, 0, 0, 0, 0], []),
    ("acme/design-system", 22, "repair", [], [0, 0, 0, 0, 0, 1, 0], []),
    ("acme/billing-api", 14, "repair", [], [0, 0, 0, 0, 0, 0, 1], []),
    ("acme/infra-scripts", 9, "repair", [], [0, 0, 0, 0, 0, 0, 0], []),
    ("acme/udef-audit-action", 3, "repair", [], [0, 0, 0, 0, 0, 0, 0], []),
]


def _repository(row: tuple[str, int, str, list[str], list[int], list[str]]) -> Any:
    name, score, verdict, met, counts, evidence = row
    key = HOSTILE_KEY if name == HOSTILE_NAME else f"https://github.com/{name}.git"
    return {
        "key": key,
        "name": name,
        "status": "ok",
        "reason": None,
        "head": "4b8e405c0ffee",
        "score": score,
        "verdict": verdict,
        "counts": {rule_id: count for (rule_id, _, _), count in zip(RULES, counts, strict=True)},
        "criteria_met": met,
        "evidence": evidence,
        "sarif_file": None,
        **_gates(counts),
    }


def _gates(counts: list[int]) -> dict[str, Any]:
    """A flat layout (UDEF001) keeps a repository before phase 0; the others wait at phase 1."""
    if counts[0]:
        item = {"phase": 0, "item": "SRC layout structure in place", "status": "fail", "rules": ["UDEF001"]}
        return {"phase_reached": -1, "next_gate": "Phase 0 Validation Checklist", "blocking": [item]}
    item = {"phase": 1, "item": "Test scenarios mapped to requirements", "status": "fail", "rules": ["UDEF019"]}
    return {"phase_reached": 0, "next_gate": "Phase 1 Validation Checklist", "blocking": [item]}


def _unaudited(name: str, status: str, reason: str) -> Any:
    return {
        "key": f"https://github.com/{name}.git",
        "name": name,
        "status": status,
        "reason": reason,
        "head": None,
        "score": None,
        "verdict": None,
        "counts": {},
        "criteria_met": [],
        "evidence": [],
        "sarif_file": None,
    }


def _rules(repositories: list[Any]) -> list[Any]:
    audited = [repo for repo in repositories if repo["status"] == "ok"]
    rules = []
    for rule_id, slug, title in RULES:
        failing = sum(1 for repo in audited if repo["counts"][rule_id])
        passing = len(audited) - failing
        rate = passing / len(audited)
        rules.append(
            {"id": rule_id, "slug": slug, "title": title, "passing": passing, "failing": failing, "pass_rate": rate}
        )
    return rules


def _histogram(repositories: list[Any]) -> list[list[int]]:
    bins = [[lower, lower + 9 if lower < 90 else 100, 0] for lower in range(0, 100, 10)]
    for repo in repositories:
        if repo["score"] is not None:
            bins[min(repo["score"] // 10, 9)][2] += 1
    return bins


def org_summary() -> dict[str, Any]:
    """A realistic org summary: 13 repositories, one failed, one timed out, two runs of trend."""
    repositories = [_repository(row) for row in AUDITED]
    repositories += [
        _unaudited("acme/archived-payments", "failed", "git clone failed: Repository not found (exit 128)"),
        _unaudited("acme/ml-monorepo", "timeout", "no result within 300 s"),
    ]
    resets = sum(1 for repo in repositories if repo["verdict"] == "reset")
    scores = [repo["score"] for repo in repositories if repo["score"] is not None]
    return {
        "run": {
            "id": 12,
            "started": "2024-05-06T07:00:02+00:00",
            "finished": "2024-05-06T07:14:41+00:00",
            "tool_version": "0.1.0",
            "policy_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "repositories": len(repositories),
        },
        "repositories": repositories,
        "rules": _rules(repositories),
        "scores": {"histogram": _histogram(repositories), "reset": resets, "repair": len(scores) - resets},
        "phases": phase_summary(repositories),
        "trend": [
            {
                "run_id": 9,
                "date": "2024-04-15T07:00:00+00:00",
                "mean_score": 41.2,
                "reset": 2,
                "repositories": 12,
                "pass_rate": 0.71,
            },
            {
                "run_id": 11,
                "date": "2024-04-29T07:00:00+00:00",
                "mean_score": 44.8,
                "reset": 3,
                "repositories": 13,
                "pass_rate": 0.69,
            },
            {
                "run_id": 12,
                "date": "2024-05-06T07:00:02+00:00",
                "mean_score": round(sum(scores) / len(scores), 1),
                "reset": resets,
                "repositories": len(repositories),
                "pass_rate": 0.68,
            },
        ],
        "changes": {
            "previous_run_id": 11,
            "new_resets": ["https://github.com/acme/mobile-backend.git", HOSTILE_KEY],
            "recovered": ["https://github.com/acme/search-indexer.git"],
            "score_deltas": [
                {"key": "https://github.com/acme/mobile-backend.git", "before": 48, "after": 66},
                {"key": "https://github.com/acme/search-indexer.git", "before": 71, "after": 52},
                {"key": HOSTILE_KEY, "before": 70, "after": 84},
                {"key": "https://github.com/acme/auth-service.git", "before": 35, "after": 38},
            ],
        },
    }


class _Markup(HTMLParser):
    """Every start tag with its attributes, and the document's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(document: str) -> _Markup:
    markup = _Markup()
    markup.feed(document)
    markup.close()
    return markup


HEADINGS = (
    "Do this first",
    "Phase gates",
    "The checklist items blocking the most repositories",
    "Rule pass rates",
    "Score distribution",
    "Repositories most in need of a reset",
    "Trend since the previous run",
    "All repositories",
)
# What the realistic summary must show, as the reader sees it.
SHOWN_TEXT = (
    "UDEF org audit",
    *HEADINGS,
    "36% · 4/11",  # UDEF006 fails in 7 of 11 audited repositories
    "82% · 9/11",  # UDEF005 in 2
    "git clone failed: Repository not found (exit 128)",
    "no result within 300 s",
    "Compared with run 11.",
    "+18",
    "-19",
    "not yet at phase 0 2 18%",  # 2 of the 11 audited repositories fail UDEF001
    "1 Test scenarios mapped to requirements UDEF019 9 0 SRC layout structure in place UDEF001 2",
    "UDEF001 fails in 2 of 11 repositories; fixing it moves 2 of them to phase 0 and clears 2 items blocking a gate.",
    "UDEF006 fails in 7 of 11 repositories.",
    "Phase 1 Validation Checklist: 1 item",
)
# Totals: 13 repositories, 11 audited, one failure, one timeout, 4 resets.
SHOWN_MARKUP = (
    "<title>UDEF org audit, run 12</title>",
    "<dt>Repositories</dt><dd>13</dd>",
    "<dt>Audited</dt><dd>11</dd>",
    "<dt>Failed</dt><dd>1</dd>",
    "<dt>Timed out</dt><dd>1</dd>",
    "<dt>Reset verdicts</dt><dd>4</dd>",
)
# Elements that could load or run something; none may appear (the one script is checked apart).
ACTIVE_TAGS = {"img", "iframe", "object", "embed", "link", "base", "form"}
CSP = (
    "default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


def page_scripts(document: str) -> list[str]:
    """The text of every <script> element of a page."""
    return re.findall(r"<script>(.*?)</script>", document, flags=re.DOTALL | re.IGNORECASE)


def script_digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _text(markup: _Markup) -> str:
    return " ".join(" ".join(markup.text).split())


def test_report_has_every_section_and_its_numbers() -> None:
    document = render_html(org_summary())
    text = _text(_parse(document))
    assert [item for item in SHOWN_TEXT if item not in text] == []
    assert [item for item in SHOWN_MARKUP if item not in document] == []


def test_charts_are_accessible_svg() -> None:
    markup = _parse(render_html(org_summary()))
    svgs = [attrs for tag, attrs in markup.tags if tag == "svg"]
    assert [attrs["id"] for attrs in svgs] == ["rules-chart", "score-histogram", "trend-chart"]
    assert all(attrs["role"] == "img" and attrs["aria-labelledby"] for attrs in svgs)


def test_charts_draw_one_mark_per_datum() -> None:
    summary = org_summary()
    tags = [(tag, attrs.get("class")) for tag, attrs in _parse(render_html(summary)).tags]
    bars = tags.count(("rect", "bar"))
    assert bars == len(summary["rules"]) + len(summary["scores"]["histogram"])
    assert [tag for tag, _ in tags].count("circle") == 2 * len(summary["trend"])
    # Every chart, bar and point carries a <title>: a tooltip and a name for screen readers.
    assert [tag for tag, _ in tags].count("title") >= 3 + bars


def test_hostile_data_is_escaped_and_shown_intact() -> None:
    document = render_html(org_summary())
    assert document.lower().count("<script") == 1  # the page's own, fixed script
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;quotes&#34;" in document
    assert "&lt;img src=x onerror=alert(1)&gt;" in document
    assert HOSTILE_NAME in "".join(_parse(document).text)


def test_nothing_external_or_active_in_any_attribute() -> None:
    markup = _parse(render_html(org_summary()))
    assert {tag for tag, _ in markup.tags} & ACTIVE_TAGS == set()
    assert [tag for tag, _ in markup.tags].count("script") == 1
    attributes = [(name, value or "") for _, attrs in markup.tags for name, value in attrs.items()]
    assert [name for name, _ in attributes if name == "src" or name.startswith("on")] == []
    # Links: the page's own sections, rule docs and the repositories' https pages only.
    hrefs = [value for name, value in attributes if name == "href"]
    assert [h for h in hrefs if not h.startswith(("#", "https://github.com/", "https://git.example.com/"))] == []
    assert HOSTILE_KEY in hrefs  # an https key is a link, quoted in its attribute like any value
    assert [value for _, value in attributes if "javascript:" in value.lower()] == []


def test_the_page_forbids_loading_anything_and_styles_itself_inline() -> None:
    document = render_html(org_summary())
    markup = _parse(document)
    policies = [attrs["content"] for tag, attrs in markup.tags if attrs.get("http-equiv") == "Content-Security-Policy"]
    [script] = page_scripts(document)
    assert policies == [CSP.format(digest=script_digest(script))]
    assert document.count("<style>") == 1
    assert [tag for tag, attrs in markup.tags if "style" in attrs] == []


def test_templates_escape_every_value_and_refuse_a_missing_one() -> None:
    environment = _environment()
    assert environment.from_string("{{ x }}").render(x="<b title='t'>") == "&lt;b title=&#39;t&#39;&gt;"
    with pytest.raises(UndefinedError):
        environment.from_string("{{ page.nothing }}").render(page=object())
    with pytest.raises(TypeError, match="None where text belongs"):
        environment.from_string("{{ x }}").render(x=None)


def _imported(*args: str) -> set[str]:
    """The modules a fresh interpreter imports to run `python args`."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, check=True, timeout=60
    )
    return {line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}


def test_only_the_org_report_loads_jinja() -> None:
    template_modules = {"jinja2", "markupsafe"}
    for command in (["-m", "udef_audit", "--help"], ["-m", "udef_audit", "batch", "--help"]):
        assert {name for name in _imported(*command) if name.split(".")[0] in template_modules} == set()
    assert template_modules <= _imported("-c", "import udef_audit.report.org_html")


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    darker, lighter = sorted((_luminance(first), _luminance(second)))
    return (lighter + 0.05) / (darker + 0.05)


def test_colours_meet_wcag_aa() -> None:
    style = render_html(org_summary()).split("<style>")[1].split("</style>")[0]
    # Text sits on white sections and cards, and on the grey body and striped table rows.
    text = set(re.findall(r"(?<![-\w])(?:color|fill):\s*(#[0-9a-f]{6})", style)) - {"#ffffff"}
    assert {PALETTE.ink, PALETTE.muted, PALETTE.good, PALETTE.poor} <= text
    assert {(c, bg) for c in text for bg in ("#ffffff", "#f6f8fa") if _contrast(c, bg) < 4.5} == set()
    # Badges: white text on a coloured background.
    badges = set(re.findall(r"\.badge[^{]*\{[^}]*background:\s*(#[0-9a-f]{6})", style))
    assert len(badges) == 5
    assert {bg for bg in badges if _contrast("#ffffff", bg) < 4.5} == set()
    # Chart marks (bars, lines, points) need 3:1 against the white chart; grid lines are decoration.
    marks = {PALETTE.good, PALETTE.fair, PALETTE.poor, PALETTE.histogram_bar, PALETTE.score_line, PALETTE.reset_line}
    assert {mark for mark in marks if _contrast(mark, "#ffffff") < 3} == set()


def test_first_run_and_empty_summary_still_render() -> None:
    document = render_html({})
    assert "No runs recorded yet." in document
    assert "No repository has a score yet." in document
    first = org_summary()
    first["trend"] = first["trend"][-1:]
    first["changes"] = {"previous_run_id": None, "new_resets": [], "recovered": [], "score_deltas": []}
    document = render_html(first)
    assert "This is the first run" in document
    assert document.count("<circle") == 2


def test_malformed_values_do_not_break_the_page() -> None:
    summary = org_summary()
    summary["repositories"][0]["score"] = "ninety"
    summary["repositories"][1]["counts"] = {"UDEF001": float("nan")}
    summary["rules"][0] = {"id": "UDEF001", "pass_rate": 83.0}  # a percentage, no counts
    summary["scores"]["histogram"].append(["x", None, "7"])
    summary["trend"][0]["mean_score"] = None
    document = render_html(summary)
    assert "83% · 0/0" in document
    assert document.lower().count("<script") == 1


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")
def test_chromium_parses_and_draws_the_report(tmp_path: Path) -> None:
    page = tmp_path / "org-report.html"
    page.write_text(render_html(org_summary()), encoding="utf-8")
    dumped = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile-dom")
    assert dumped.returncode == 0, dumped.stderr
    dom = dumped.stdout
    assert [heading for heading in HEADINGS if heading not in dom] == []
    assert dom.count("<svg") == 3
    assert dom.count('class="bar"') == 7 + 10
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert dom.lower().count("<script") == 1
    _screenshot_is_drawn(page, tmp_path)


def _screenshot_is_drawn(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    drawn = _chromium(
        f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", page.as_uri(), profile=tmp_path / "p2"
    )
    assert drawn.returncode == 0, drawn.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a blank 1280x2000 page compresses to a few kB
