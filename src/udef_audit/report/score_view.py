"""The reset-vs-repair score explained: points per criterion, the repair signals subtracted,
the threshold (the text report, Markdown, `udef-audit explain score`), and the model itself
(weights and thresholds, with the repository's overrides).

Lines come as (text, style) pairs for the terminal; the caller escapes and wraps them.
Evidence quotes the repository (file names, commit subjects): the text report escapes it,
Markdown puts it through `markdown_text`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from udef_audit.report.markdown_escape import markdown_text
from udef_audit.safe_text import escape_text, inert_json, json_safe
from udef_audit.scoring.score import Criterion, ScoreResult
from udef_audit.wording import plural

MAX_EVIDENCE = 3
FORMULA = (
    "score = clamp(0, 100, round(100 * Σ points of the known criteria / Σ their weights"
    " - Σ repair signals present))"
)
GRADING = (
    "A criterion at or over its threshold earns its whole weight, one below it a share "
    "(weight * value / threshold); lost confidence is all or nothing. A criterion that needs "
    "history is left out of both sums without it."
)


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def verdict_line(score: ScoreResult) -> str:
    """`REPAIR, score 30 of 100 (a reset takes 50 or more)`."""
    return f"{score.verdict.upper()}, score {score.score} of 100 (a reset takes {_num(score.threshold)} or more)"


def _met(criterion: Criterion) -> str:
    return {True: "met", False: "not met", None: "unknown, left out"}[criterion.met]


def text_lines(score: ScoreResult) -> list[tuple[str, str]]:
    """The arithmetic, one line per criterion and repair signal, then the sum."""
    lines = [(f"Reset vs repair, the arithmetic: {verdict_line(score)}", "bold")]
    lines.append(('  Reset criteria (the methodology\'s "When to Reset vs Repair"), points of weight:', ""))
    for criterion in score.criteria:
        points = "    ?" if criterion.met is None else f"{criterion.points:5.1f}"
        style = "red" if criterion.met else ("dim" if criterion.met is None else "")
        head = f"  + {points} of {criterion.weight:<3g} {criterion.title}"
        lines.append((f"{head} ({_met(criterion)}): {criterion.value}", style))
        if criterion.met:
            lines += [(f"             {item.text}", "dim") for item in criterion.evidence[:MAX_EVIDENCE]]
    lines += _signal_lines(score)
    if score.arithmetic is not None:
        lines.append((f"  = {score.arithmetic.formula(score.score, score.threshold, score.verdict)}", "bold"))
    return lines


def _signal_lines(score: ScoreResult) -> list[tuple[str, str]]:
    lines = [("  Repair signals, subtracted when present:", "")]
    for signal in score.repair_signals:
        present = {True: "present", False: "absent", None: "unknown"}[signal.met]
        lines.append((f"  - {signal.points:5.1f} of {signal.weight:<3g} {signal.title} ({present}): {signal.value}",
                      "green" if signal.met else ""))
    return lines


def markdown_lines(score: ScoreResult) -> list[str]:
    """The criteria and the repair signals as tables, and the sum."""
    lines = [
        f"### Reset vs repair: **{score.verdict}** (score {score.score}/100, reset at {_num(score.threshold)} or more)",
        "",
        "| criterion | value | threshold | met | points | evidence |",
        "|---|---|---|---|---|---|",
    ]
    for c in score.criteria:
        evidence = "; ".join(e.text for e in c.evidence[:MAX_EVIDENCE])
        points = "left out" if c.met is None else f"{_num(c.points)} of {_num(c.weight)}"
        met = {True: "yes", False: "no", None: "unknown"}[c.met]
        lines.append(
            f"| {_cell(c.title)} | {_cell(c.value)} | {_num(c.threshold)} | {met} | {points} | {_cell(evidence)} |"
        )
    lines += ["", "| repair signal | value | present | subtracted |", "|---|---|---|---|"]
    for s in score.repair_signals:
        present = {True: "yes", False: "no", None: "unknown"}[s.met]
        lines.append(f"| {_cell(s.title)} | {_cell(s.value)} | {present} | {_num(s.points)} of {_num(s.weight)} |")
    if score.arithmetic is not None:
        lines += ["", f"`{score.arithmetic.formula(score.score, score.threshold, score.verdict)}`"]
    return [*lines, ""]


def _cell(value: str) -> str:
    return markdown_text(value)


# -- the model (`udef-audit explain score`) ----------------------------------------------------
def model_data(model: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The numbers of the model, without its prose: what `explain score --format json` prints."""
    def numbers(group: Mapping[str, Any]) -> dict[str, Any]:
        return {
            name: {k: v for k, v in spec.items() if k not in ("quote",)}
            for name, spec in group.items()
        }

    return {
        "source": source,
        "formula": FORMULA,
        "windowDays": model["window-days"],
        "verdictThreshold": model["verdict-threshold"],
        "criteria": numbers(model["criteria"]),
        "repairSignals": numbers(model["repair-signals"]),
    }


def model_text(model: Mapping[str, Any], source: str) -> list[str]:
    """The model for a person: the formula, the threshold, each weight and threshold."""
    lines = [
        f"The reset-vs-repair score (rules/reset-vs-repair.yaml; settings: {source})",
        f"  {FORMULA}",
        f"  verdict: reset at {_num(model['verdict-threshold'])} or more, else repair; history window "
        f"{plural(int(model['window-days']), 'day')}",
        "  " + GRADING,
        "Reset criteria:",
    ]
    for name, spec in model["criteria"].items():
        others = {k: v for k, v in spec.items() if k not in ("title", "quote", "weight", "threshold")}
        extra = "".join(f", {k} {_num(v)}" for k, v in others.items())
        lines.append(
            f"  {name:<20} weight {_num(spec['weight']):>3}, threshold {_num(spec.get('threshold')):>4}{extra}"
            f"  {spec['title']}: \"{spec['quote']}\""
        )
    lines.append("Repair signals (subtracted when present):")
    for name, spec in model["repair-signals"].items():
        threshold = f", threshold {_num(spec['threshold'])}" if "threshold" in spec else ""
        lines.append(f"  {name:<20} weight {_num(spec['weight']):>3}{threshold}  {spec['title']}: \"{spec['quote']}\"")
    return lines


def model_markdown(model: Mapping[str, Any], source: str) -> list[str]:
    """The model as Markdown tables."""
    lines = [
        "## The reset-vs-repair score",
        "",
        f"Settings: {markdown_text(source)}. `{FORMULA}`; reset at {_num(model['verdict-threshold'])} or more. "
        + GRADING,
        "",
        "| criterion | weight | threshold | the methodology says |",
        "|---|---|---|---|",
    ]
    for name, spec in model["criteria"].items():
        lines.append(f"| `{name}` {spec['title']} | {_num(spec['weight'])} | {_num(spec.get('threshold'))} | "
                     f"\"{spec['quote']}\" |")
    lines += ["", "| repair signal | weight | threshold | the methodology says |", "|---|---|---|---|"]
    for name, spec in model["repair-signals"].items():
        lines.append(f"| `{name}` {spec['title']} | {_num(spec['weight'])} | {_num(spec.get('threshold'))} | "
                     f"\"{spec['quote']}\" |")
    return [*lines, ""]


def explain_score(model: Mapping[str, Any], source: str, score: ScoreResult | None, fmt: str) -> str:
    """`udef-audit explain score [PATH]`: the model, and with a path that repository's sum."""
    if fmt == "json":
        data = {"model": model_data(model, source), "score": score.to_dict() if score else None}
        return inert_json(json.dumps(json_safe(data), ensure_ascii=False, indent=2))
    if fmt == "markdown":
        return "\n".join([*model_markdown(model, source), *(markdown_lines(score) if score else [])]).rstrip()
    lines = model_text(model, source)
    if score is not None:
        lines += ["", *(escape_text(line) for line, _style in text_lines(score))]
    return "\n".join(lines)

