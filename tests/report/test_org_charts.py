"""The org report's chart geometry, computed in Python before any template draws it."""

from __future__ import annotations

import pytest

from udef_audit.report.org_charts import (
    HISTOGRAM,
    PALETTE,
    RULE_BAR_WIDTH,
    TREND,
    histogram,
    rules_chart,
    trend_chart,
)


def test_a_rule_bar_is_as_long_as_its_pass_rate() -> None:
    chart = rules_chart(
        [
            {"id": "UDEF001", "slug": "src-layout", "passing": 9, "failing": 1},
            {"id": "UDEF002", "slug": "single-dependency-source-with-a-long-slug", "passing": 3, "failing": 3},
            {"id": "UDEF003", "passing": 0, "failing": 4},
            {"id": "UDEF004", "pass_rate": 75},  # no counts: the rate, read as a percentage
        ]
    )
    assert chart is not None
    assert [row.filled / RULE_BAR_WIDTH for row in chart.rows] == [0.9, 0.5, 0.0, 0.75]
    assert [row.colour for row in chart.rows] == [PALETTE.good, PALETTE.poor, PALETTE.poor, PALETTE.fair]
    assert [row.caption for row in chart.rows] == ["90% · 9/10", "50% · 3/6", "0% · 0/4", "75% · 0/0"]
    assert chart.rows[1].label == "UDEF002 · single-dependency-sourc…"  # cut to 34 characters
    assert [row.bar_y for row in chart.rows] == [11, 43, 75, 107]
    assert chart.height == 4 * 32 + 12
    assert rules_chart([]) is None


def test_histogram_bars_share_the_axis_and_the_tallest_reaches_the_top() -> None:
    chart = histogram({"histogram": [[0, 49, 2], [50, 100, 4], ["bad row"]]})
    assert chart is not None
    low, high = chart.bars
    assert (high.y, high.y + high.height) == (HISTOGRAM.top, HISTOGRAM.base)
    assert low.height == pytest.approx(high.height / 2)
    assert (low.label, high.label) == ("0\N{EN DASH}49", "50\N{EN DASH}100")
    assert high.tooltip == "4 repositories scored 50\N{EN DASH}100"
    assert [line.label for line in chart.frame.grid] == ["0", "2", "4"]
    assert chart.description == "scores 0\N{EN DASH}49: 2; scores 50\N{EN DASH}100: 4"
    assert histogram({"histogram": "not rows"}) is None


def test_trend_points_follow_score_and_resets() -> None:
    chart = trend_chart(
        [
            {"run_id": 1, "date": "2024-04-15T07:00:00+00:00", "mean_score": 50.0, "reset": 0},
            {"run_id": 2, "date": "2024-04-29T07:00:00+00:00", "mean_score": 100.0, "reset": 4},
        ]
    )
    assert chart is not None
    score, resets = chart.series
    assert [(m.x, m.y) for m in score.markers] == [
        (TREND.left, TREND.y(50, 100)),
        (TREND.width - TREND.right, TREND.top),
    ]
    assert [m.y for m in resets.markers] == [TREND.base, TREND.top]
    assert (score.dashed, resets.dashed) == (False, True)
    assert [(line.label, line.right_label) for line in chart.frame.grid] == [("0", "0"), ("50", "2"), ("100", "4")]
    assert [(label.run, label.date) for label in chart.labels] == [("run 1", "2024-04-15"), ("run 2", "2024-04-29")]
    [alone] = trend_chart([{"run_id": 3}]).series[0].markers  # type: ignore[union-attr]
    assert alone.x == TREND.left + (TREND.width - TREND.left - TREND.right) / 2
