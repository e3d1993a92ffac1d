"""The org report: one self-contained HTML page built from the org summary.

A reporter: it reads only the org summary (the plain data `Store.org_summary` builds, laid
out in udef_audit/batch/model.py), never the engine, the command line or batch execution.

The page must open offline, from a mail attachment or a CI artifact, so everything is
inline: the CSS in a <style> block, the charts as SVG, and one fixed script that makes the
tables sortable and filterable (templates/_enhance.js.j2). The page reads whole without it.
Its Content-Security-Policy forbids loading anything and allows exactly that script, by
its SHA-256 (ADR 0011): no other script, inline or injected, can run.

Python turns the summary into a view of plain values (text, numbers, chart geometry from
org_charts.py); Jinja2 templates in report/templates draw the page from it with
autoescaping on (ADR 0009). Every string in the summary comes from scanned repositories
(names, messages, evidence) and is hostile: it reaches the page only through `{{ }}`, which
escapes it for element text and quoted attributes. Nothing here builds markup, nothing is
marked safe, and class names and ids in the templates are fixed words, never data. Links
come from org_links.py in three vetted shapes only (an http(s) repository URL, a
percent-encoded relative SARIF path, a rule's documentation page).

Jinja2 is imported by this module only, and this module only by `batch --html`: the audit's
start-up never pays for it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from udef_audit.batch.model import Tally
from udef_audit.report.org_actions import ActionRow, action_rows
from udef_audit.report.org_charts import (
    MISSING,
    PALETTE,
    Histogram,
    RulesChart,
    TrendChart,
    clip,
    count,
    fraction,
    histogram,
    number,
    one_decimal,
    percent,
    rules_chart,
    run_id,
    trend_chart,
    whole,
)
from udef_audit.report.org_gates import GatesView, gates_view, next_gate_cell, phase_cell
from udef_audit.report.org_links import repository_url, rule_docs, rule_titles, sarif_href

TOP_CANDIDATES = 10
MAX_EVIDENCE_LINES = 8
MAX_SCORE_DELTAS = 10
POLICY_HASH_SHOWN = 16  # a full hash is noise; 16 characters still tell two policies apart

# Known values map to fixed class names; anything else gets a neutral one, so data never
# becomes a class name.
STATUS_CLASSES = {"ok": "ok", "failed": "failed", "timeout": "timeout", "skipped": "skipped"}
VERDICT_CLASSES = {"reset": "reset", "repair": "repair"}

# Characters that are not text: C0/C1 controls (tab, newline and carriage return are text)
# and lone surrogates, which a JSON summary can hold and UTF-8 cannot encode.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


SCRIPT_TEMPLATE = "_enhance.js.j2"


def render_html(summary: Mapping[str, Any], *, sarif_base: Path | None = None) -> str:
    """The org summary as a self-contained HTML document; SARIF files are linked relative to
    `sarif_base`, the folder the page is written to (no SARIF links without it)."""
    template = _environment().get_template("org.html.j2")
    return template.render(
        page=_page(summary, sarif_base),
        palette=PALETTE,
        top_candidates=TOP_CANDIDATES,
        content_security_policy=content_security_policy(),
    )


def enhancement_script() -> str:
    """The page's one script, exactly as the page holds it between <script> and </script>."""
    return _environment().get_template(SCRIPT_TEMPLATE).render()


@lru_cache(maxsize=1)
def content_security_policy() -> str:
    """Nothing may load; inline style; exactly one script, the one whose hash this is."""
    digest = base64.b64encode(hashlib.sha256(enhancement_script().encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The template environment: autoescaping everywhere, and a missing name is an error."""
    environment = Environment(
        loader=PackageLoader("udef_audit", "report/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_printable,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    environment.filters["coord"] = coordinate
    return environment


def _printable(value: object) -> object:
    """Every `{{ }}` value before it is escaped: text without control characters.

    Escaping makes markup inert but leaves NUL and other controls, which HTML forbids and
    XML readers of the SVG refuse; they become U+FFFD, visibly. Markup passes unchanged: it
    is only ever the output of our own macros. None is a bug in the view, not a blank.
    """
    if value is None:
        raise TypeError("the org report view has None where text belongs")
    if isinstance(value, str) and not isinstance(value, Markup):
        return UNPRINTABLE.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


def coordinate(value: float) -> str:
    """An SVG coordinate: whole numbers as they are, others to a tenth of a pixel."""
    return str(value) if isinstance(value, int) else f"{value:.1f}"


# --- the view: what the templates draw ------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """An ISO timestamp: machine-readable in <time datetime>, shown to the minute."""

    iso: str
    shown: str


@dataclass(frozen=True)
class Badge:
    """A coloured label; `kind` and `css` are fixed class names, `text` is data."""

    kind: str
    css: str
    text: str


@dataclass(frozen=True)
class RunMeta:
    """The run's identity under the page title."""

    run_id: str
    started: Moment | None
    finished: Moment | None
    tool_version: str
    policy: str


@dataclass(frozen=True)
class Total:
    """One figure of the header."""

    label: str
    value: str


@dataclass(frozen=True)
class Candidate:
    """A reset candidate's card."""

    rank: int
    name: str
    score: str
    verdict: Badge
    criteria: tuple[str, ...]
    evidence: tuple[str, ...]
    more_evidence: int


@dataclass(frozen=True)
class TrendRow:
    """One run in the trend table."""

    run: str
    date: Moment | None
    repositories: str
    mean_score: str
    resets: str
    pass_rate: str


@dataclass(frozen=True)
class Delta:
    """A repository whose score changed since the previous run."""

    name: str
    before: str
    after: str
    change: str
    direction: str  # a fixed class name: "delta-up" or "delta-down"


@dataclass(frozen=True)
class Changes:
    """What changed since the previous run."""

    previous_run: str
    new_resets: tuple[str, ...]
    recovered: tuple[str, ...]
    deltas: tuple[Delta, ...]


@dataclass(frozen=True)
class RuleHead:
    """A rule's column in the repository table; its title is the tooltip."""

    rule_id: str
    title: str
    docs: str | None = None  # the rule's documentation page (org_links.rule_docs)


@dataclass(frozen=True)
class RepositoryRow:
    """A repository in the table: finding counts when it has a result, the reason otherwise."""

    key: str
    name: str
    status: Badge
    score: str
    verdict: Badge | None
    reason: str
    counts: tuple[int, ...] | None  # None: no result, the reason spans the rule columns
    phase: str = MISSING
    next_gate: str = MISSING
    url: str | None = None  # the repository's web page (org_links.repository_url)
    sarif: str | None = None  # its SARIF file, relative to the page (org_links.sarif_href)
    score_value: str = ""  # what the script sorts by: numbers as text, "" when there is none
    phase_value: str = ""


@dataclass(frozen=True)
class Page:
    """Everything the templates show, as plain values."""

    run: RunMeta
    totals: tuple[Total, ...]
    rules: RulesChart | None
    reset_count: str
    repair_count: str
    histogram: Histogram | None
    candidates: tuple[Candidate, ...]
    trend: TrendChart | None
    trend_rows: tuple[TrendRow, ...]
    changes: Changes | None  # None: the first run, nothing to compare with
    rule_heads: tuple[RuleHead, ...]
    reason_span: int  # the columns a failure reason spans: the rule columns, at least one
    repositories: tuple[RepositoryRow, ...]
    tool_version: str
    gates: GatesView | None = None
    actions: tuple[ActionRow, ...] = ()
    with_result: int = 0  # repositories with a result: what the actions are counted over


def _page(summary: Mapping[str, Any], sarif_base: Path | None = None) -> Page:
    run = _mapping(summary.get("run"))
    scores = _mapping(summary.get("scores"))
    repositories = _by_score(_records(summary.get("repositories")))
    rules = _records(summary.get("rules"))
    trend = _records(summary.get("trend"))
    names = {str(repo.get("key")): _name(repo) for repo in repositories}
    rule_ids = [str(rule.get("id")) for rule in rules if rule.get("id")]
    return Page(
        run=_run_meta(run),
        totals=_totals(repositories, scores),
        rules=rules_chart(rules),
        reset_count=whole(scores.get("reset")),
        repair_count=whole(scores.get("repair")),
        histogram=histogram(scores),
        candidates=_candidates(repositories),
        trend=trend_chart(trend),
        trend_rows=tuple(_trend_row(point) for point in trend),
        changes=_changes(_mapping(summary.get("changes")), names),
        rule_heads=tuple(_rule_head(rule) for rule in rules if rule.get("id")),
        reason_span=max(len(rule_ids), 1),
        repositories=tuple(_repository_row(repo, rule_ids, sarif_base) for repo in repositories),
        tool_version=str(run.get("tool_version", "")),
        gates=gates_view(_mapping(summary.get("phases"))),
        actions=action_rows(repositories, _titles(rules), rule_docs()),
        with_result=Tally.of(repo.get("status") for repo in repositories).with_result,
    )


def _titles(rules: list[Mapping[str, Any]]) -> dict[str, str]:
    """Rule titles: the policy's, and the summary's for rules the policy does not know."""
    titles = {str(rule.get("id")): str(rule.get("title") or rule.get("slug") or "") for rule in rules}
    return titles | rule_titles()


# --- reading the summary ---------------------------------------------------------------


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _records(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return ()
    return tuple(str(item) for item in value)


def _name(repo: Mapping[str, Any]) -> str:
    return str(repo.get("name") or repo.get("key") or MISSING)


def _moment(value: object) -> Moment | None:
    if not value:
        return None
    text = str(value)
    return Moment(text, text.replace("T", " ")[:16])


def _by_score(repositories: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Highest score first, repositories without a score last, then by name."""

    def order(repo: Mapping[str, Any]) -> tuple[bool, float, str]:
        score = number(repo.get("score"))
        return (score is None, -(score or 0.0), _name(repo))

    return sorted(repositories, key=order)


def _scored(repositories: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [repo for repo in repositories if number(repo.get("score")) is not None]


def _badge(kind: str, value: object, classes: Mapping[str, str]) -> Badge:
    text = str(value) if value else MISSING
    return Badge(kind, classes.get(text, "other"), text)


# --- header, candidates, trend table, changes, repository table -------------------------


def _run_meta(run: Mapping[str, Any]) -> RunMeta:
    return RunMeta(
        run_id=str(run.get("id", MISSING)),
        started=_moment(run.get("started")),
        finished=_moment(run.get("finished")),
        tool_version=str(run.get("tool_version", MISSING)),
        policy=clip(str(run.get("policy_hash") or MISSING), POLICY_HASH_SHOWN),
    )


def _totals(repositories: list[Mapping[str, Any]], scores: Mapping[str, Any]) -> tuple[Total, ...]:
    # Counted from the rows, with the words every output uses (batch/model.py STATUS_WORDS).
    tally = Tally.of(repo.get("status") for repo in repositories)
    verdicts = [str(repo.get("verdict")) for repo in repositories]
    scored = [number(repo.get("score")) or 0.0 for repo in _scored(repositories)]
    return (
        Total("Repositories", str(tally.repositories)),
        Total("Audited", str(tally.audited)),
        Total("Skipped (unchanged)", str(tally.skipped)),
        Total("Failed", str(tally.failed)),
        Total("Timed out", str(tally.timed_out)),
        Total("Reset verdicts", whole(scores.get("reset", verdicts.count("reset")))),
        Total("Repair verdicts", whole(scores.get("repair", verdicts.count("repair")))),
        Total("Mean score", f"{sum(scored) / len(scored):.1f}" if scored else MISSING),
    )


def _candidates(repositories: list[Mapping[str, Any]]) -> tuple[Candidate, ...]:
    """The cards of the highest scores."""
    return tuple(_candidate(rank, repo) for rank, repo in enumerate(_scored(repositories)[:TOP_CANDIDATES], 1))


def _candidate(rank: int, repo: Mapping[str, Any]) -> Candidate:
    evidence = _strings(repo.get("evidence"))
    return Candidate(
        rank=rank,
        name=_name(repo),
        score=whole(repo.get("score")),
        verdict=_badge("verdict", repo.get("verdict"), VERDICT_CLASSES),
        criteria=_strings(repo.get("criteria_met")),
        evidence=evidence[:MAX_EVIDENCE_LINES],
        more_evidence=max(0, len(evidence) - MAX_EVIDENCE_LINES),
    )


def _trend_row(point: Mapping[str, Any]) -> TrendRow:
    return TrendRow(
        run=run_id(point),
        date=_moment(point.get("date")),
        repositories=whole(point.get("repositories")),
        mean_score=one_decimal(point.get("mean_score")),
        resets=whole(point.get("reset")),
        pass_rate=percent(fraction(point.get("pass_rate"))),
    )


def _changes(changes: Mapping[str, Any], names: Mapping[str, str]) -> Changes | None:
    previous = changes.get("previous_run_id")
    if previous is None:
        return None

    def size(delta: Mapping[str, Any]) -> float:
        return abs((number(delta.get("after")) or 0.0) - (number(delta.get("before")) or 0.0))

    biggest = sorted(_records(changes.get("score_deltas")), key=size, reverse=True)[:MAX_SCORE_DELTAS]
    return Changes(
        previous_run=str(previous),
        new_resets=tuple(names.get(key, key) for key in _strings(changes.get("new_resets"))),
        recovered=tuple(names.get(key, key) for key in _strings(changes.get("recovered"))),
        deltas=tuple(_delta(delta, names) for delta in biggest),
    )


def _delta(delta: Mapping[str, Any], names: Mapping[str, str]) -> Delta:
    key = str(delta.get("key"))
    change = (number(delta.get("after")) or 0.0) - (number(delta.get("before")) or 0.0)
    return Delta(
        name=names.get(key, key),
        before=whole(delta.get("before")),
        after=whole(delta.get("after")),
        change=f"{change:+.0f}",
        direction="delta-up" if change > 0 else "delta-down",
    )


def _rule_head(rule: Mapping[str, Any]) -> RuleHead:
    rule_id = str(rule.get("id"))
    return RuleHead(rule_id, str(rule.get("title") or rule.get("slug") or ""), rule_docs().get(rule_id))


def _repository_row(repo: Mapping[str, Any], rule_ids: list[str], sarif_base: Path | None) -> RepositoryRow:
    counts = _mapping(repo.get("counts"))
    score = number(repo.get("score"))
    scored = score is not None
    phase = repo.get("phase_reached")
    return RepositoryRow(
        key=str(repo.get("key") or ""),
        name=_name(repo),
        status=_badge("status", repo.get("status"), STATUS_CLASSES),
        score=whole(repo.get("score")),
        verdict=_badge("verdict", repo.get("verdict"), VERDICT_CLASSES) if repo.get("verdict") else None,
        reason=str(repo.get("reason") or ""),
        counts=tuple(count(counts.get(rule_id)) for rule_id in rule_ids) if scored else None,
        phase=phase_cell(repo),
        next_gate=next_gate_cell(repo),
        url=repository_url(repo.get("key")),
        sarif=sarif_href(repo.get("sarif_file"), sarif_base),
        score_value=whole(score) if scored else "",
        phase_value=str(phase) if isinstance(phase, int) and not isinstance(phase, bool) else "",
    )
