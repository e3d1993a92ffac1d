"""The org report: one self-contained HTML file built from the org summary (model.py).

The file must open offline, from a mail attachment or a CI artifact, so everything is
inline: the CSS in a <style> block and the charts as SVG drawn here. There is no script
at all, and a Content-Security-Policy forbids loading anything, so even a mistake in the
escaping below could not run code or call out.

Every string in the summary comes from scanned repositories (names, messages, evidence)
and is hostile: it reaches the page only through `_esc`, which escapes quotes too, and
only into element text or double-quoted attributes. Class names and ids are never data.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TOP_CANDIDATES = 10
MAX_EVIDENCE_LINES = 8
MAX_SCORE_DELTAS = 10
MISSING = "—"

# Known values map to fixed class names; anything else gets a neutral one, so data never
# becomes markup.
STATUS_CLASSES = {"ok": "ok", "failed": "failed", "timeout": "timeout", "skipped": "skipped"}
VERDICT_CLASSES = {"reset": "reset", "repair": "repair"}

# Colours meet WCAG AA on white: text 4.5:1 or better, chart marks 3:1 or better.
INK, MUTED, GRID = "#1b1f24", "#57606a", "#d0d7de"
PASS_HIGH, PASS_MID, PASS_LOW = "#1a7f37", "#9a6700", "#b42318"
HISTOGRAM_BAR, SCORE_LINE, RESET_LINE = "#0b5cad", "#0b5cad", "#b42318"

CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #f6f8fa; color: {INK};
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }}
main {{ max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }}
header.page {{ background: #ffffff; border: 1px solid {GRID}; border-radius: 8px; padding: 20px 24px; }}
h1 {{ font-size: 26px; margin: 0 0 4px; }}
h2 {{ font-size: 20px; margin: 0 0 12px; }}
h3 {{ font-size: 16px; margin: 0 0 6px; overflow-wrap: anywhere; }}
section {{ background: #ffffff; border: 1px solid {GRID}; border-radius: 8px; padding: 20px 24px; margin-top: 20px; }}
.run-meta {{ color: {MUTED}; margin: 0 0 16px; }}
.run-meta span + span::before {{ content: " · "; }}
dl.totals {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px; margin: 0; }}
dl.totals div {{ border: 1px solid {GRID}; border-radius: 6px; padding: 8px 12px; }}
dl.totals dt {{ color: {MUTED}; font-size: 13px; }}
dl.totals dd {{ margin: 0; font-size: 24px; font-weight: 650; }}
nav ul {{ list-style: none; padding: 0; margin: 14px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }}
nav a {{ color: #0550ae; }}
.note {{ color: {MUTED}; margin: 0 0 12px; }}
svg.chart {{ display: block; width: 100%; height: auto; max-width: 100%; }}
svg.chart text {{ font-family: inherit; font-size: 13px; fill: {INK}; }}
svg.chart text.axis {{ fill: {MUTED}; font-size: 12px; }}
.legend {{ list-style: none; padding: 0; margin: 8px 0 0; display: flex; gap: 18px; color: {MUTED}; }}
.swatch {{ display: inline-block; width: 22px; height: 0; margin: 0 6px 3px 0; vertical-align: middle;
  border-top: 3px solid {SCORE_LINE}; }}
.swatch.resets {{ border-top: 3px dashed {RESET_LINE}; }}
ol.cards {{ list-style: none; padding: 0; margin: 0; display: grid;
  grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }}
ol.cards > li {{ border: 1px solid {GRID}; border-radius: 6px; padding: 12px 14px; }}
.rank {{ color: {MUTED}; font-weight: 400; margin-right: 6px; }}
.score-line {{ margin: 0 0 6px; }}
.score-big {{ font-size: 22px; font-weight: 700; }}
.badge {{ display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12.5px; font-weight: 600;
  color: #ffffff; background: {MUTED}; vertical-align: 2px; }}
.badge.reset, .badge.failed {{ background: {PASS_LOW}; }}
.badge.repair, .badge.ok {{ background: {PASS_HIGH}; }}
.badge.timeout {{ background: {PASS_MID}; }}
.badge.skipped {{ background: #0550ae; }}
ul.chips {{ list-style: none; padding: 0; margin: 4px 0 8px; display: flex; flex-wrap: wrap; gap: 4px; }}
ul.chips li {{ border: 1px solid {GRID}; border-radius: 10px; padding: 0 8px; font-size: 12.5px; }}
ul.evidence {{ margin: 0; padding-left: 18px; font-size: 13.5px; overflow-wrap: anywhere; }}
.label {{ color: {MUTED}; font-size: 13px; font-weight: 400; }}
.changes {{ display: grid; grid-template-columns: 1fr 1fr 2fr; gap: 20px; margin-top: 8px; }}
@media (max-width: 800px) {{ .changes {{ grid-template-columns: 1fr; }} }}
.changes ul {{ margin: 0; padding-left: 18px; overflow-wrap: anywhere; }}
.changes td.name {{ overflow-wrap: anywhere; }}
.table-wrap {{ overflow-x: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ padding: 6px 8px; border-bottom: 1px solid {GRID}; text-align: left; vertical-align: top; }}
thead th {{ position: sticky; top: 0; background: #eaeef2; white-space: nowrap; }}
thead th.sorted::after {{ content: " \\25BE"; }}
tbody tr:nth-child(even) {{ background: #f6f8fa; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.zero {{ color: {MUTED}; }}
td.hit {{ color: {PASS_LOW}; font-weight: 650; }}
th.name {{ min-width: 180px; max-width: 320px; overflow-wrap: break-word; }}
td.reason {{ color: {PASS_LOW}; overflow-wrap: anywhere; }}
.delta-up {{ color: {PASS_LOW}; }}
.delta-down {{ color: {PASS_HIGH}; }}
details {{ margin: 14px 0; }}
summary {{ cursor: pointer; color: #0550ae; }}
caption {{ text-align: left; color: {MUTED}; padding: 4px 0; }}
footer {{ color: {MUTED}; font-size: 13px; text-align: center; margin-top: 24px; }}
"""

# The page may load nothing and run nothing; the <style> block is its only active content.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render_html(summary: Mapping[str, Any]) -> str:
    """The org summary as a self-contained HTML document."""
    run = _mapping(summary.get("run"))
    repositories = _by_score(_records(summary.get("repositories")))
    rules = _records(summary.get("rules"))
    names = {str(repo.get("key")): _name(repo) for repo in repositories}
    sections = [
        _header(run, repositories, _mapping(summary.get("scores"))),
        _rules_section(rules),
        _scores_section(_mapping(summary.get("scores"))),
        _candidates_section(repositories),
        _trend_section(_records(summary.get("trend")), _mapping(summary.get("changes")), names),
        _table_section(repositories, rules),
    ]
    title = f"UDEF org audit, run {_esc(run.get('id', MISSING))}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(sections)
        + f"\n</main>\n<footer>Generated by udef-audit {_esc(run.get('tool_version', ''))}. "
        "This file is self-contained: it loads nothing and runs no script.</footer>\n</body>\n</html>\n"
    )


# --- data helpers ---------------------------------------------------------------------


def _esc(value: object) -> str:
    """Text safe in element content and in double- or single-quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _records(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _strings(value: object) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [str(item) for item in value]


def _number(value: object) -> float | None:
    """A finite number, or None: the summary is data from disk and may hold anything."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _count(value: object) -> int:
    number = _number(value)
    return max(0, round(number)) if number is not None else 0


def _whole(value: object) -> str:
    number = _number(value)
    return MISSING if number is None else str(round(number))


def _fraction(value: object) -> float | None:
    """A rate as 0..1; a value above 1 is read as a percentage."""
    number = _number(value)
    if number is None:
        return None
    return max(0.0, min(1.0, number / 100 if number > 1 else number))


def _percent(rate: float | None) -> str:
    return MISSING if rate is None else f"{rate * 100:.0f}%"


def _name(repo: Mapping[str, Any]) -> str:
    return str(repo.get("name") or repo.get("key") or MISSING)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value: object) -> str:
    """An ISO timestamp as a <time> element, shown to the minute."""
    if not value:
        return MISSING
    text = str(value)
    return f'<time datetime="{_esc(text)}">{_esc(text.replace("T", " ")[:16])}</time>'


def _by_score(repositories: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Highest score first, repositories without a score last, then by name."""

    def order(repo: Mapping[str, Any]) -> tuple[bool, float, str]:
        score = _number(repo.get("score"))
        return (score is None, -(score or 0.0), _name(repo))

    return sorted(repositories, key=order)


def _scored(repositories: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [repo for repo in repositories if _number(repo.get("score")) is not None]


def _badge(kind: str, value: object, classes: Mapping[str, str]) -> str:
    text = str(value) if value else MISSING
    return f'<span class="badge {kind} {classes.get(text, "other")}">{_esc(text)}</span>'


def _svg_open(chart_id: str, width: float, height: float, title: str, description: str) -> str:
    """An accessible SVG root: role img, named by its <title> and described by its <desc>."""
    return (
        f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{_esc(title)}</title><desc id="{chart_id}-desc">{_esc(description)}</desc>'
    )


def _section(section_id: str, heading: str, body: str) -> str:
    """A page section with its heading; ids and headings are fixed strings, never data."""
    return (
        f'<section id="{section_id}" aria-labelledby="{section_id}-heading">\n'
        f'<h2 id="{section_id}-heading">{heading}</h2>\n{body}\n</section>'
    )


# --- header ----------------------------------------------------------------------------


def _header(run: Mapping[str, Any], repositories: list[Mapping[str, Any]], scores: Mapping[str, Any]) -> str:
    statuses = [str(repo.get("status")) for repo in repositories]
    verdicts = [str(repo.get("verdict")) for repo in repositories]
    scored = [_number(repo.get("score")) or 0.0 for repo in _scored(repositories)]
    mean = f"{sum(scored) / len(scored):.1f}" if scored else MISSING
    total = run.get("repositories", len(repositories))
    totals = [
        ("Repositories", _whole(total)),
        ("Audited", str(statuses.count("ok") + statuses.count("skipped"))),
        ("Failed", str(statuses.count("failed"))),
        ("Timed out", str(statuses.count("timeout"))),
        ("Reset verdicts", _whole(scores.get("reset", verdicts.count("reset")))),
        ("Repair verdicts", _whole(scores.get("repair", verdicts.count("repair")))),
        ("Mean score", mean),
    ]
    cells = "".join(f"<div><dt>{label}</dt><dd>{value}</dd></div>" for label, value in totals)
    return (
        '<header class="page">\n<h1>UDEF org audit</h1>\n'
        f'{_run_meta(run)}\n<dl class="totals">{cells}</dl>\n{_navigation()}\n</header>'
    )


def _run_meta(run: Mapping[str, Any]) -> str:
    finished = run.get("finished")
    meta = [
        f"Run {_esc(run.get('id', MISSING))}",
        f"started {_when(run.get('started'))}",
        f"finished {_when(finished)}" if finished else "not finished",
        f"udef-audit {_esc(run.get('tool_version', MISSING))}",
        # A full hash is noise here; 16 characters still tell two policies apart.
        f"policy {_esc(_clip(str(run.get('policy_hash') or MISSING), 16))}",
    ]
    return f'<p class="run-meta">{"".join(f"<span>{part}</span>" for part in meta)}</p>'


def _navigation() -> str:
    targets = [
        ("rules", "Rule pass rates"),
        ("scores", "Score distribution"),
        ("candidates", "Reset candidates"),
        ("trend", "Trend"),
        ("repositories", "All repositories"),
    ]
    links = "".join(f'<li><a href="#{target}">{label}</a></li>' for target, label in targets)
    return f'<nav aria-label="Sections"><ul>{links}</ul></nav>'


# --- rule pass rates -------------------------------------------------------------------


@dataclass(frozen=True)
class _RuleBar:
    """One rule's row in the pass-rate chart."""

    label: str
    passing: int
    failing: int
    rate: float | None

    @classmethod
    def of(cls, rule: Mapping[str, Any]) -> _RuleBar:
        passing, failing = _count(rule.get("passing")), _count(rule.get("failing"))
        # The counts are the source of truth; pass_rate is only used when they are absent.
        rate = passing / (passing + failing) if passing + failing else _fraction(rule.get("pass_rate"))
        label = " · ".join(str(part) for part in (rule.get("id"), rule.get("slug")) if part)
        return cls(label or MISSING, passing, failing, rate)

    @property
    def colour(self) -> str:
        if self.rate is None or self.rate >= 0.9:
            return PASS_HIGH
        return PASS_MID if self.rate >= 0.6 else PASS_LOW

    @property
    def caption(self) -> str:
        return f"{_percent(self.rate)} · {self.passing}/{self.passing + self.failing}"


RULE_LABEL_WIDTH, RULE_BAR_WIDTH, RULE_ROW_HEIGHT = 270, 600, 32


def _rules_section(rules: list[Mapping[str, Any]]) -> str:
    intro = (
        '<p class="note">Share of successfully audited repositories with no unsuppressed finding of each rule '
        "(passing / audited).</p>"
    )
    body = _rules_chart([_RuleBar.of(rule) for rule in rules]) if rules else '<p class="note">No rules ran.</p>'
    return _section("rules", "Rule pass rates", f"{intro}\n{body}")


def _rules_chart(bars: list[_RuleBar]) -> str:
    width = RULE_LABEL_WIDTH + RULE_BAR_WIDTH + 130
    height = len(bars) * RULE_ROW_HEIGHT + 12
    rows = "".join(_rule_row(index, bar) for index, bar in enumerate(bars))
    description = "; ".join(f"{bar.label}: {bar.caption}" for bar in bars)
    return (
        _svg_open("rules-chart", width, height, "Pass rate per rule", description) + f'<g class="bars">{rows}</g></svg>'
    )


def _rule_row(index: int, bar: _RuleBar) -> str:
    top = 6 + index * RULE_ROW_HEIGHT
    middle = top + RULE_ROW_HEIGHT / 2
    filled = RULE_BAR_WIDTH * (bar.rate or 0.0)
    thickness = RULE_ROW_HEIGHT - 10
    tooltip = f"{bar.label}: {bar.passing} passing, {bar.failing} failing ({_percent(bar.rate)})"
    return (
        f'<g class="rule-row"><title>{_esc(tooltip)}</title>'
        f'<text x="{RULE_LABEL_WIDTH - 12}" y="{middle + 4:.1f}" text-anchor="end">{_esc(_clip(bar.label, 34))}</text>'
        f'<rect class="track" x="{RULE_LABEL_WIDTH}" y="{top + 5}" width="{RULE_BAR_WIDTH}" height="{thickness}"'
        ' rx="3" fill="#eaeef2"/>'
        f'<rect class="bar" x="{RULE_LABEL_WIDTH}" y="{top + 5}" width="{filled:.1f}" height="{thickness}"'
        f' rx="3" fill="{bar.colour}"/>'
        f'<text x="{RULE_LABEL_WIDTH + RULE_BAR_WIDTH + 10}" y="{middle + 4:.1f}">{_esc(bar.caption)}</text></g>'
    )


# --- score distribution ----------------------------------------------------------------


@dataclass(frozen=True)
class _Plot:
    """A chart's drawing area inside its viewBox."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float

    @property
    def inner_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def inner_height(self) -> float:
        return self.height - self.top - self.bottom

    def y(self, value: float, maximum: float) -> float:
        """The y coordinate of `value` on an axis from 0 to `maximum`."""
        return self.top + self.inner_height * (1 - value / maximum if maximum else 1.0)


HISTOGRAM = _Plot(width=900, height=300, left=56, right=16, top=20, bottom=46)


def _scores_section(scores: Mapping[str, Any]) -> str:
    bins = [row for row in _records_or_rows(scores.get("histogram")) if len(row) >= 3]
    verdicts = (
        f'<p class="note">Higher scores make a stronger case for a reset. '
        f"{_whole(scores.get('reset'))} reset · {_whole(scores.get('repair'))} repair.</p>"
    )
    chart = _histogram(bins) if bins else '<p class="note">No scores in this run.</p>'
    return _section("scores", "Score distribution", f"{verdicts}\n{chart}")


def _records_or_rows(value: object) -> list[Sequence[Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [row for row in value if isinstance(row, Sequence) and not isinstance(row, str)]


def _histogram(bins: list[Sequence[Any]]) -> str:
    counts = [_count(row[2]) for row in bins]
    tallest = max(*counts, 1)
    slot = HISTOGRAM.inner_width / len(bins)
    bars = "".join(
        _histogram_bar(index, row, count, slot, tallest)
        for index, (row, count) in enumerate(zip(bins, counts, strict=True))
    )
    description = "; ".join(f"scores {_bin_label(row)}: {count}" for row, count in zip(bins, counts, strict=True))
    return (
        _svg_open("score-histogram", HISTOGRAM.width, HISTOGRAM.height, "Repositories per score range", description)
        + _count_axis(HISTOGRAM, tallest)
        + f'<g class="bars">{bars}</g>'
        + f'<text class="axis" x="{HISTOGRAM.left + HISTOGRAM.inner_width / 2:.0f}" y="{HISTOGRAM.height - 4}"'
        ' text-anchor="middle">score (0 = repair, 100 = reset)</text></svg>'
    )


def _bin_label(row: Sequence[Any]) -> str:
    return f"{_whole(row[0])}\N{EN DASH}{_whole(row[1])}"


def _histogram_bar(index: int, row: Sequence[Any], count: int, slot: float, tallest: int) -> str:
    x = HISTOGRAM.left + index * slot + 3
    y = HISTOGRAM.y(count, tallest)
    base = HISTOGRAM.top + HISTOGRAM.inner_height
    label_x = x + (slot - 6) / 2
    count_label = f'<text x="{label_x:.1f}" y="{y - 5:.1f}" text-anchor="middle">{count}</text>' if count else ""
    return (
        f'<g class="bin"><title>{count} repositories scored {_esc(_bin_label(row))}</title>'
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot - 6:.1f}" height="{base - y:.1f}"'
        f' fill="{HISTOGRAM_BAR}"/>{count_label}'
        f'<text class="axis" x="{label_x:.1f}" y="{base + 18:.1f}" text-anchor="middle">'
        f"{_esc(_bin_label(row))}</text></g>"
    )


def _count_axis(plot: _Plot, maximum: int) -> str:
    """Grid lines and labels for a count axis on the left, at whole numbers."""
    ticks = sorted({0, maximum // 2, maximum})
    lines = []
    for tick in ticks:
        y = plot.y(tick, maximum)
        lines.append(
            f'<line x1="{plot.left}" x2="{plot.width - plot.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text class="axis" x="{plot.left - 8}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    return f'<g class="grid">{"".join(lines)}</g>'


# --- reset candidates ------------------------------------------------------------------


def _candidates_section(repositories: list[Mapping[str, Any]]) -> str:
    top = _scored(repositories)[:TOP_CANDIDATES]
    cards = "".join(_candidate(rank, repo) for rank, repo in enumerate(top, start=1))
    body = f'<ol class="cards">{cards}</ol>' if top else '<p class="note">No repository has a score yet.</p>'
    intro = (
        f'<p class="note">The {TOP_CANDIDATES} highest reset-vs-repair scores, with the criteria met and their '
        "evidence.</p>"
    )
    return _section("candidates", "Repositories most in need of a reset", f"{intro}\n{body}")


def _candidate(rank: int, repo: Mapping[str, Any]) -> str:
    criteria = _strings(repo.get("criteria_met"))
    evidence = _strings(repo.get("evidence"))
    chips = f'<ul class="chips">{"".join(f"<li>{_esc(item)}</li>" for item in criteria)}</ul>'
    if not criteria:
        chips = '<p class="note">None met.</p>'
    shown = "".join(f"<li>{_esc(line)}</li>" for line in evidence[:MAX_EVIDENCE_LINES])
    more = len(evidence) - MAX_EVIDENCE_LINES
    if more > 0:
        shown += f"<li>… and {more} more</li>"
    evidence_list = f'<ul class="evidence">{shown}</ul>' if shown else '<p class="note">No evidence recorded.</p>'
    return (
        f'<li><h3><span class="rank">{rank}.</span>{_esc(_name(repo))}</h3>'
        f'<p class="score-line"><span class="score-big">{_whole(repo.get("score"))}</span>'
        f'<span class="label">/100</span> {_badge("verdict", repo.get("verdict"), VERDICT_CLASSES)}</p>'
        f'<span class="label">Criteria met</span>{chips}'
        f'<span class="label">Evidence</span>{evidence_list}</li>'
    )


# --- trend -----------------------------------------------------------------------------

TREND = _Plot(width=900, height=300, left=56, right=56, top=20, bottom=52)


def _trend_section(trend: list[Mapping[str, Any]], changes: Mapping[str, Any], names: Mapping[str, str]) -> str:
    chart = _trend_chart(trend) if trend else '<p class="note">No runs recorded yet.</p>'
    legend = (
        '<ul class="legend" aria-hidden="true"><li><span class="swatch"></span>mean score (left axis)</li>'
        '<li><span class="swatch resets"></span>reset verdicts (right axis)</li></ul>'
        if trend
        else ""
    )
    body = f"{chart}\n{legend}\n{_trend_table(trend)}\n{_changes(changes, names)}"
    return _section("trend", "Trend since the previous run", body)


def _trend_chart(trend: list[Mapping[str, Any]]) -> str:
    means = [_number(point.get("mean_score")) or 0.0 for point in trend]
    resets = [_count(point.get("reset")) for point in trend]
    most_resets = max(*resets, 1)
    xs = _spread(len(trend))
    score_points = [(x, TREND.y(mean, 100)) for x, mean in zip(xs, means, strict=True)]
    reset_points = [(x, TREND.y(count, most_resets)) for x, count in zip(xs, resets, strict=True)]
    labels = "".join(_run_label(x, point) for x, point in zip(xs, trend, strict=True))
    return (
        _svg_open("trend-chart", TREND.width, TREND.height, "Mean score and reset verdicts per run", _trend_text(trend))
        + _trend_axes(most_resets)
        + _series("score-line", score_points, SCORE_LINE, "", [f"mean score {mean:.1f}" for mean in means])
        + _series("reset-line", reset_points, RESET_LINE, ' stroke-dasharray="7 5"', [f"{n} resets" for n in resets])
        + f"<g>{labels}</g></svg>"
    )


def _trend_text(trend: list[Mapping[str, Any]]) -> str:
    """The chart's data in words, for screen readers."""
    return "; ".join(
        f"run {_run_id(point)}: mean score {_one_decimal(point.get('mean_score'))}, {_whole(point.get('reset'))} resets"
        for point in trend
    )


def _spread(count: int) -> list[float]:
    """Evenly spaced x positions; a single run sits in the middle."""
    if count == 1:
        return [TREND.left + TREND.inner_width / 2]
    step = TREND.inner_width / (count - 1)
    return [TREND.left + index * step for index in range(count)]


def _run_id(point: Mapping[str, Any]) -> str:
    return str(point.get("run_id", MISSING))


def _run_label(x: float, point: Mapping[str, Any]) -> str:
    base = TREND.top + TREND.inner_height
    date = str(point.get("date") or "")[:10]
    return (
        f'<text class="axis" x="{x:.1f}" y="{base + 18:.1f}" text-anchor="middle">run {_esc(_run_id(point))}</text>'
        f'<text class="axis" x="{x:.1f}" y="{base + 34:.1f}" text-anchor="middle">{_esc(date)}</text>'
    )


def _trend_axes(most_resets: int) -> str:
    """Score 0-100 on the left, reset counts on the right, one shared set of grid lines."""
    right = TREND.width - TREND.right
    parts = []
    for fraction in (0.0, 0.5, 1.0):
        y = TREND.y(fraction, 1.0)
        resets = most_resets * fraction
        # Resets are whole repositories: no "0.5" tick on their axis.
        reset_label = f"{resets:.0f}" if resets.is_integer() else ""
        parts.append(
            f'<line x1="{TREND.left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text class="axis" x="{TREND.left - 8}" y="{y + 4:.1f}" text-anchor="end">{fraction * 100:.0f}</text>'
            f'<text class="axis" x="{right + 8}" y="{y + 4:.1f}" fill="{RESET_LINE}">{reset_label}</text>'
        )
    return f'<g class="grid">{"".join(parts)}</g>'


def _series(name: str, points: list[tuple[float, float]], colour: str, dash: str, tooltips: list[str]) -> str:
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    markers = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"><title>{_esc(tip)}</title></circle>'
        for (x, y), tip in zip(points, tooltips, strict=True)
    )
    return (
        f'<g class="series {name}"><polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"{dash}/>'
        f"{markers}</g>"
    )


def _trend_table(trend: list[Mapping[str, Any]]) -> str:
    if not trend:
        return ""
    rows = "".join(
        f"<tr><td>{_esc(_run_id(point))}</td><td>{_when(point.get('date'))}</td>"
        f'<td class="num">{_whole(point.get("repositories"))}</td>'
        f'<td class="num">{_one_decimal(point.get("mean_score"))}</td><td class="num">{_whole(point.get("reset"))}</td>'
        f'<td class="num">{_percent(_fraction(point.get("pass_rate")))}</td></tr>'
        for point in trend
    )
    return (
        "<details><summary>Trend data</summary><table><caption>Runs, oldest first</caption><thead><tr>"
        '<th scope="col">run</th><th scope="col">date</th><th scope="col" class="num">repositories</th>'
        '<th scope="col" class="num">mean score</th><th scope="col" class="num">resets</th>'
        f'<th scope="col" class="num">pass rate</th></tr></thead><tbody>{rows}</tbody></table></details>'
    )


def _one_decimal(value: object) -> str:
    number = _number(value)
    return MISSING if number is None else f"{number:.1f}"


def _changes(changes: Mapping[str, Any], names: Mapping[str, str]) -> str:
    previous = changes.get("previous_run_id")
    if previous is None:
        return '<p class="note">This is the first run: there is no earlier run to compare with.</p>'
    new_resets = _key_list(_strings(changes.get("new_resets")), names, "No repository turned to reset.")
    recovered = _key_list(_strings(changes.get("recovered")), names, "No repository recovered.")
    return (
        f'<p class="note">Compared with run {_esc(previous)}.</p><div class="changes">'
        f"<div><h3>New resets</h3>{new_resets}</div><div><h3>Recovered (reset to repair)</h3>{recovered}</div>"
        f"<div><h3>Biggest score changes</h3>{_deltas(_records(changes.get('score_deltas')), names)}</div></div>"
    )


def _key_list(keys: list[str], names: Mapping[str, str], empty: str) -> str:
    if not keys:
        return f'<p class="note">{empty}</p>'
    return "<ul>" + "".join(f"<li>{_esc(names.get(key, key))}</li>" for key in keys) + "</ul>"


def _deltas(deltas: list[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    def size(delta: Mapping[str, Any]) -> float:
        return abs((_number(delta.get("after")) or 0.0) - (_number(delta.get("before")) or 0.0))

    biggest = sorted(deltas, key=size, reverse=True)[:MAX_SCORE_DELTAS]
    if not biggest:
        return '<p class="note">No score changed.</p>'
    rows = "".join(_delta_row(delta, names) for delta in biggest)
    return (
        '<table><thead><tr><th scope="col">repository</th><th scope="col" class="num">before</th>'
        '<th scope="col" class="num">after</th><th scope="col" class="num">change</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _delta_row(delta: Mapping[str, Any], names: Mapping[str, str]) -> str:
    key = str(delta.get("key"))
    change = (_number(delta.get("after")) or 0.0) - (_number(delta.get("before")) or 0.0)
    direction = "delta-up" if change > 0 else "delta-down"
    return (
        f'<tr><td class="name">{_esc(names.get(key, key))}</td><td class="num">{_whole(delta.get("before"))}</td>'
        f'<td class="num">{_whole(delta.get("after"))}</td><td class="num {direction}">{change:+.0f}</td></tr>'
    )


# --- all repositories ------------------------------------------------------------------


def _table_section(repositories: list[Mapping[str, Any]], rules: list[Mapping[str, Any]]) -> str:
    rule_ids = [str(rule.get("id")) for rule in rules if rule.get("id")]
    # One column per rule; with no rules at all, one column still holds the failure reasons.
    rule_heads = "".join(_rule_head(rule) for rule in rules if rule.get("id")) or '<th scope="col">findings</th>'
    head = (
        '<thead><tr><th scope="col">repository</th><th scope="col">status</th>'
        '<th scope="col" class="num sorted" aria-sort="descending">score</th><th scope="col">verdict</th>'
        f"{rule_heads}</tr></thead>"
    )
    rows = "".join(_repository_row(repo, rule_ids) for repo in repositories)
    intro = (
        '<p class="note">Sorted by score, highest first; repositories without a result last, with the reason. '
        "Rule columns count unsuppressed findings.</p>"
    )
    return _section(
        "repositories",
        "All repositories",
        f'{intro}\n<div class="table-wrap"><table>{head}<tbody>{rows}</tbody></table></div>',
    )


def _rule_head(rule: Mapping[str, Any]) -> str:
    # The rule's title is the column's tooltip: a quoted, escaped attribute.
    title = _esc(rule.get("title") or rule.get("slug") or "")
    return f'<th scope="col" class="num" title="{title}">{_esc(rule.get("id"))}</th>'


def _repository_row(repo: Mapping[str, Any], rule_ids: list[str]) -> str:
    reason = _esc(repo.get("reason") or "")
    note = ""
    if _number(repo.get("score")) is None:
        # No result: the reason takes the width of the rule columns, where it can be read.
        findings = f'<td class="reason" colspan="{max(len(rule_ids), 1)}">{reason or MISSING}</td>'
    else:
        counts = _mapping(repo.get("counts"))
        findings = "".join(_count_cell(counts.get(rule_id)) for rule_id in rule_ids) or "<td></td>"
        # A result can still carry a reason (a skipped repository: unchanged since the last run).
        note = f'<br><span class="label">{reason}</span>' if reason else ""
    # The key (often a long URL) is the name's tooltip: it identifies the repository without
    # tripling the row's height. Quoted and escaped like every attribute built from data.
    return (
        f'<tr><th scope="row" class="name" title="{_esc(repo.get("key") or "")}">{_esc(_name(repo))}{note}</th>'
        f"<td>{_badge('status', repo.get('status'), STATUS_CLASSES)}</td>"
        f'<td class="num">{_whole(repo.get("score"))}</td>'
        f"<td>{_badge('verdict', repo.get('verdict'), VERDICT_CLASSES) if repo.get('verdict') else MISSING}</td>"
        f"{findings}</tr>"
    )


def _count_cell(value: object) -> str:
    count = _count(value)
    return f'<td class="num {"hit" if count else "zero"}">{count}</td>'
