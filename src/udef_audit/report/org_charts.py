"""The org report's three charts as plain data: every coordinate, label and colour.

The templates in report/templates draw these with SVG elements and do no arithmetic, so
the geometry is tested here in Python and the markup stays a picture of the data. The
summary is data from disk and may hold anything, so every value is read defensively
(`number`, `count`) and a missing one shows as `MISSING`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MISSING = "—"


@dataclass(frozen=True)
class Palette:
    """The page's colours; they meet WCAG AA on white: text 4.5:1 or better, chart marks 3:1."""

    ink: str = "#1b1f24"
    muted: str = "#57606a"
    grid: str = "#d0d7de"
    good: str = "#1a7f37"
    fair: str = "#9a6700"
    poor: str = "#b42318"
    histogram_bar: str = "#0b5cad"
    score_line: str = "#0b5cad"
    reset_line: str = "#b42318"


PALETTE = Palette()


# --- reading the summary's values ------------------------------------------------------


def number(value: object) -> float | None:
    """A finite number, or None: the summary is data from disk and may hold anything."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def count(value: object) -> int:
    """A count of repositories or findings: a whole number, never negative."""
    parsed = number(value)
    return max(0, round(parsed)) if parsed is not None else 0


def whole(value: object) -> str:
    """A number rounded to a whole, or MISSING."""
    parsed = number(value)
    return MISSING if parsed is None else str(round(parsed))


def one_decimal(value: object) -> str:
    """A number with one decimal, or MISSING."""
    parsed = number(value)
    return MISSING if parsed is None else f"{parsed:.1f}"


def fraction(value: object) -> float | None:
    """A rate as 0..1; a value above 1 is read as a percentage."""
    parsed = number(value)
    if parsed is None:
        return None
    return max(0.0, min(1.0, parsed / 100 if parsed > 1 else parsed))


def percent(rate: float | None) -> str:
    """A 0..1 rate as a whole percentage, or MISSING."""
    return MISSING if rate is None else f"{rate * 100:.0f}%"


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the last one an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rows_of(value: object) -> list[Sequence[Any]]:
    """The sequences (not strings) in a sequence: the histogram's [lower, upper, count] rows."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [row for row in value if isinstance(row, Sequence) and not isinstance(row, str)]


# --- geometry shared by the charts ----------------------------------------------------


@dataclass(frozen=True)
class Plot:
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

    @property
    def base(self) -> float:
        """The y coordinate of the horizontal axis."""
        return self.top + self.inner_height

    def y(self, value: float, maximum: float) -> float:
        """The y coordinate of `value` on an axis from 0 to `maximum`."""
        return self.top + self.inner_height * (1 - value / maximum if maximum else 1.0)


@dataclass(frozen=True)
class GridLine:
    """A horizontal grid line across the plot, with its axis labels (left, and right if any)."""

    y: float
    label_y: float
    label: str
    right_label: str = ""


@dataclass(frozen=True)
class Frame:
    """Where a chart's grid lines run and its axis labels sit."""

    width: float
    height: float
    left: float
    right: float
    left_label_x: float
    right_label_x: float
    grid: tuple[GridLine, ...]


def _frame(plot: Plot, grid: tuple[GridLine, ...]) -> Frame:
    right = plot.width - plot.right
    return Frame(plot.width, plot.height, plot.left, right, plot.left - 8, right + 8, grid)


# --- rule pass rates -------------------------------------------------------------------

RULE_LABEL_WIDTH, RULE_BAR_WIDTH, RULE_ROW_HEIGHT = 270, 600, 32
RULE_LABEL_LIMIT = 34


@dataclass(frozen=True)
class RuleBar:
    """One rule's row: its label, a full-width track and a bar as long as its pass rate."""

    label: str
    tooltip: str
    caption: str
    colour: str
    bar_y: float
    text_y: float
    filled: float


@dataclass(frozen=True)
class RulesChart:
    """The pass-rate chart: one horizontal bar per rule."""

    width: float
    height: float
    description: str
    label_x: float
    bar_x: float
    bar_width: float
    bar_height: float
    caption_x: float
    rows: tuple[RuleBar, ...]


def rules_chart(rules: Sequence[Mapping[str, Any]]) -> RulesChart | None:
    """The chart of the summary's rules, or None when no rule ran."""
    if not rules:
        return None
    rows, captions = [], []
    for index, rule in enumerate(rules):
        passing, failing = count(rule.get("passing")), count(rule.get("failing"))
        # The counts are the source of truth; pass_rate is only used when they are absent.
        rate = passing / (passing + failing) if passing + failing else fraction(rule.get("pass_rate"))
        label = " · ".join(str(part) for part in (rule.get("id"), rule.get("slug")) if part) or MISSING
        caption = f"{percent(rate)} · {passing}/{passing + failing}"
        captions.append(f"{label}: {caption}")
        top = 6 + index * RULE_ROW_HEIGHT
        rows.append(
            RuleBar(
                label=clip(label, RULE_LABEL_LIMIT),
                tooltip=f"{label}: {passing} passing, {failing} failing ({percent(rate)})",
                caption=caption,
                colour=_pass_colour(rate),
                bar_y=top + 5,
                text_y=top + RULE_ROW_HEIGHT / 2 + 4,
                filled=RULE_BAR_WIDTH * (rate or 0.0),
            )
        )
    return RulesChart(
        width=RULE_LABEL_WIDTH + RULE_BAR_WIDTH + 130,
        height=len(rows) * RULE_ROW_HEIGHT + 12,
        description="; ".join(captions),
        label_x=RULE_LABEL_WIDTH - 12,
        bar_x=RULE_LABEL_WIDTH,
        bar_width=RULE_BAR_WIDTH,
        bar_height=RULE_ROW_HEIGHT - 10,
        caption_x=RULE_LABEL_WIDTH + RULE_BAR_WIDTH + 10,
        rows=tuple(rows),
    )


def _pass_colour(rate: float | None) -> str:
    if rate is None or rate >= 0.9:
        return PALETTE.good
    return PALETTE.fair if rate >= 0.6 else PALETTE.poor


# --- score distribution ----------------------------------------------------------------

HISTOGRAM = Plot(width=900, height=300, left=56, right=16, top=20, bottom=46)


@dataclass(frozen=True)
class HistogramBar:
    """One score range: its bar, its count above it and its range below the axis."""

    x: float
    y: float
    width: float
    height: float
    centre: float
    count: int
    count_y: float
    label: str
    label_y: float
    tooltip: str


@dataclass(frozen=True)
class Histogram:
    """Repositories per score range, with a count axis on the left."""

    frame: Frame
    description: str
    bars: tuple[HistogramBar, ...]
    axis_x: float
    axis_y: float
    colour: str


def histogram(scores: Mapping[str, Any]) -> Histogram | None:
    """The score histogram, or None when the summary has no [lower, upper, count] rows."""
    bins = [row for row in rows_of(scores.get("histogram")) if len(row) >= 3]
    if not bins:
        return None
    counts = [count(row[2]) for row in bins]
    tallest = max(*counts, 1)
    slot = HISTOGRAM.inner_width / len(bins)
    bars = tuple(
        _histogram_bar(index, _bin_label(row), n, slot, tallest)
        for index, (row, n) in enumerate(zip(bins, counts, strict=True))
    )
    return Histogram(
        frame=_frame(HISTOGRAM, _count_grid(HISTOGRAM, tallest)),
        description="; ".join(f"scores {bar.label}: {bar.count}" for bar in bars),
        bars=bars,
        axis_x=HISTOGRAM.left + HISTOGRAM.inner_width / 2,
        axis_y=HISTOGRAM.height - 4,
        colour=PALETTE.histogram_bar,
    )


def _bin_label(row: Sequence[Any]) -> str:
    return f"{whole(row[0])}\N{EN DASH}{whole(row[1])}"


def _histogram_bar(index: int, label: str, repositories: int, slot: float, tallest: int) -> HistogramBar:
    x = HISTOGRAM.left + index * slot + 3
    y = HISTOGRAM.y(repositories, tallest)
    return HistogramBar(
        x=x,
        y=y,
        width=slot - 6,
        height=HISTOGRAM.base - y,
        centre=x + (slot - 6) / 2,
        count=repositories,
        count_y=y - 5,
        label=label,
        label_y=HISTOGRAM.base + 18,
        tooltip=f"{repositories} repositories scored {label}",
    )


def _count_grid(plot: Plot, maximum: int) -> tuple[GridLine, ...]:
    """Grid lines for a count axis on the left, at whole numbers."""
    ticks = sorted({0, maximum // 2, maximum})
    return tuple(GridLine(plot.y(tick, maximum), plot.y(tick, maximum) + 4, str(tick)) for tick in ticks)


# --- trend -----------------------------------------------------------------------------

TREND = Plot(width=900, height=300, left=56, right=56, top=20, bottom=52)


@dataclass(frozen=True)
class Marker:
    """One run's point on a line, with its value as a tooltip."""

    x: float
    y: float
    tooltip: str


@dataclass(frozen=True)
class Series:
    """A line through one marker per run."""

    name: str
    colour: str
    dashed: bool
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class RunLabel:
    """A run's id and date under the horizontal axis."""

    x: float
    run: str
    run_y: float
    date: str
    date_y: float


@dataclass(frozen=True)
class TrendChart:
    """Mean score (left axis, 0-100) and reset verdicts (right axis) per run."""

    frame: Frame
    description: str
    series: tuple[Series, ...]
    labels: tuple[RunLabel, ...]
    reset_colour: str


def run_id(point: Mapping[str, Any]) -> str:
    """A trend point's run id as text."""
    return str(point.get("run_id", MISSING))


def trend_chart(trend: Sequence[Mapping[str, Any]]) -> TrendChart | None:
    """The trend chart, or None when no run is recorded."""
    if not trend:
        return None
    means = [number(point.get("mean_score")) or 0.0 for point in trend]
    resets = [count(point.get("reset")) for point in trend]
    most_resets = max(*resets, 1)
    xs = _spread(len(trend))
    score_markers = (Marker(x, TREND.y(mean, 100), f"mean score {mean:.1f}") for x, mean in zip(xs, means, strict=True))
    reset_markers = (Marker(x, TREND.y(n, most_resets), f"{n} resets") for x, n in zip(xs, resets, strict=True))
    score = Series("score-line", PALETTE.score_line, dashed=False, markers=tuple(score_markers))
    reset = Series("reset-line", PALETTE.reset_line, dashed=True, markers=tuple(reset_markers))
    return TrendChart(
        frame=_frame(TREND, _trend_grid(most_resets)),
        description=_trend_text(trend),
        series=(score, reset),
        labels=tuple(_run_label(x, point) for x, point in zip(xs, trend, strict=True)),
        reset_colour=PALETTE.reset_line,
    )


def _trend_text(trend: Sequence[Mapping[str, Any]]) -> str:
    """The chart's data in words, for screen readers."""
    return "; ".join(
        f"run {run_id(point)}: mean score {one_decimal(point.get('mean_score'))}, {whole(point.get('reset'))} resets"
        for point in trend
    )


def _spread(points: int) -> list[float]:
    """Evenly spaced x positions; a single run sits in the middle."""
    if points == 1:
        return [TREND.left + TREND.inner_width / 2]
    step = TREND.inner_width / (points - 1)
    return [TREND.left + index * step for index in range(points)]


def _run_label(x: float, point: Mapping[str, Any]) -> RunLabel:
    date = str(point.get("date") or "")[:10]
    return RunLabel(x, f"run {run_id(point)}", TREND.base + 18, date, TREND.base + 34)


def _trend_grid(most_resets: int) -> tuple[GridLine, ...]:
    """Score 0-100 on the left, reset counts on the right, one shared set of grid lines."""
    lines = []
    for share in (0.0, 0.5, 1.0):
        y = TREND.y(share, 1.0)
        resets = most_resets * share
        # Resets are whole repositories: no "0.5" tick on their axis.
        reset_label = f"{resets:.0f}" if resets.is_integer() else ""
        lines.append(GridLine(y, y + 4, f"{share * 100:.0f}", reset_label))
    return tuple(lines)
