"""The terminal report as a person reads it: exact output at 80 and 120 columns and piped,
counted suppressions, --show-suppressed, --statistics, docs links (OSC 8 or plain), the
colour and width decisions, counted nouns, and the progress indicator."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from rich.text import Text

from udef_audit.findings import Level, Notification, Suppression
from udef_audit.progress import ERASE, Progress, progress_wanted
from udef_audit.report import render
from udef_audit.report.plain_text import render_plain
from udef_audit.report.terminal import TextOptions, supports_hyperlinks, terminal_width, use_color
from udef_audit.report.text import render_text
from udef_audit.report.wrapping import wrap
from udef_audit.result import AuditResult, AuditStats, BaselineReport, FixedEntry
from udef_audit.testing import audit_tree
from udef_audit.wording import plural

DOCS = "https://github.com/udef-audit/udef-audit/blob/main/docs/rules/"
TREE = {
    "pyproject.toml": "[project]\nname='a'\nversion='1'\n",
    "src/a/__init__.py": (
        "x = 1  # TODO: finish the parser before the release, then remove this line\n"
        "y = 2  # FIXME  # udef: ignore[UDEF006] -- later\n"
    ),
}
BOX = [
    "╭────────────────────────── udef-audit ───────────────────────────╮",
    "│ FAIL  1 error, 1 warning, 0 notes; 1 suppressed (fail-on error) │",
    "│ 2 files, 2 rules, 0.25 s                                        │",
    "╰─────────────────────────────────────────────────────────────────╯",
]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    audited = audit_tree(TREE, tmp_path_factory.mktemp("text"), select=("UDEF006", "UDEF007"))
    return replace(audited, stats=AuditStats(files=2, python_files=1, seconds=0.25), gates=None)


def text(result: AuditResult, **options: object) -> list[str]:
    return render(result, "text", text=TextOptions(**options)).splitlines()  # type: ignore[arg-type]


def test_80_columns(result: AuditResult) -> None:
    assert text(result, width=80) == [
        "pyproject.toml",
        "  pyproject.toml:1 UDEF007 [warning] docs/ is missing (or empty): create",
        "      docs/design/ for the specifications and docs/reports/ for the",
        "      implementation reports. (docs-design-separated)",
        f"      {DOCS}UDEF007-docs-design-separated.md",
        "",
        "src/a/__init__.py",
        "  src/a/__init__.py:1:10 UDEF006 [error] TODO in a comment: # TODO: finish the",
        "      parser before the release, then remove this line. (no-placeholders)",
        f"      {DOCS}UDEF006-no-placeholders.md",
        "",
        "1 suppressed — --show-suppressed to list them",
        *BOX,
    ]


def test_120_columns(result: AuditResult) -> None:
    lines = text(result, width=120)
    assert lines[:5] == [
        "pyproject.toml",
        "  pyproject.toml:1 UDEF007 [warning] docs/ is missing (or empty): create docs/design/ for the specifications"
        " and",
        "      docs/reports/ for the implementation reports. (docs-design-separated)",
        f"      {DOCS}UDEF007-docs-design-separated.md",
        "",
    ]
    assert lines[-4:] == BOX


def test_piped_output_is_one_result_per_line(result: AuditResult) -> None:
    lines = text(result)
    assert lines[1] == (
        "  pyproject.toml:1 UDEF007 [warning] docs/ is missing (or empty): create docs/design/ for the "
        "specifications and docs/reports/ for the implementation reports. (docs-design-separated) "
        f"{DOCS}UDEF007-docs-design-separated.md"
    )
    assert lines[-4:] == BOX  # the box keeps to 80 columns


@pytest.mark.parametrize("width", [80, 120])
def test_only_an_unbreakable_word_passes_the_width(tmp_path: Path, width: int) -> None:
    long_name = "src/" + "deeply/" * 8 + "nested_module_with_a_long_name.py"
    audited = audit_tree(
        {**TREE, long_name: "# TODO: " + "word " * 60 + "\n"}, tmp_path, select=("UDEF006", "UDEF007"), score=True
    )
    for line in render(audited, "text", text=TextOptions(width=width)).splitlines():
        assert len(line) <= width or len(line.split()) == 1, line  # a URL or a path: never broken


def test_show_suppressed_lists_them_with_the_reason(result: AuditResult) -> None:
    lines = text(result, width=120, show_suppressed=True)
    assert lines[9:11] == [
        "  src/a/__init__.py:2:10 UDEF006 [error] FIXME in a comment: # FIXME # udef: ignore[UDEF006] -- later."
        "  suppressed:",
        f"      later (no-placeholders) {DOCS}UDEF006-no-placeholders.md",
    ]
    assert not any("--show-suppressed" in line for line in lines)


def test_baselined_and_suppressed_are_counted_apart(result: AuditResult) -> None:
    baselined = Suppression("external", "in baseline b.json", origin="baseline")
    findings = tuple(
        f.with_changes(suppressions=(baselined,)) if f.rule_id == "UDEF007" else f for f in result.findings
    )
    lines = text(replace(result, findings=findings), width=80)
    assert "1 suppressed, 1 baselined — --show-suppressed to list them" in lines
    assert lines[-5:-1] == [
        "╭────────────────────────────── udef-audit ──────────────────────────────╮",
        "│ FAIL  1 error, 0 warnings, 0 notes; 1 suppressed, 1 baselined (fail-on │",
        "│   error)                                                               │",
        "│ 2 files, 2 rules, 0.25 s                                               │",
    ]


def test_statistics(result: AuditResult) -> None:
    assert text(result, width=80, statistics=True)[:3] == [
        "1  UDEF006  [error]    no-placeholders",
        "1  UDEF007  [warning]  docs-design-separated",
        "",
    ]
    many = replace(result, findings=result.findings * 1200)
    assert text(many, statistics=True, show_suppressed=True)[:2] == [
        "2,400  UDEF006  [error]    no-placeholders",
        "1,200  UDEF007  [warning]  docs-design-separated",
    ]


def test_osc8_links_where_the_terminal_shows_them(result: AuditResult) -> None:
    linked = render(result, "text", text=TextOptions(width=80, color=True, hyperlinks=True))
    assert "\x1b]8;id=" in linked and f";{DOCS}UDEF006-no-placeholders.md\x1b\\" in linked
    assert f" {DOCS}" not in linked  # no plain URL beside the link
    coloured = render(result, "text", text=TextOptions(width=80, color=True))
    assert "\x1b[" in coloured and "\x1b]8;" not in coloured and f"{DOCS}UDEF006-no-placeholders.md" in coloured


@pytest.mark.parametrize(
    ("choice", "tty", "env", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # set but empty: no-color.org says ignore it
        ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("auto", True, {"FORCE_COLOR": "0"}, False),
        ("auto", False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ("always", False, {"NO_COLOR": "1"}, True),
        ("never", True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_decision(choice: str, tty: bool, env: dict[str, str], expected: bool) -> None:
    assert use_color(choice, tty, env) is expected


def test_hyperlink_and_width_decisions() -> None:
    assert supports_hyperlinks(True, {"TERM_PROGRAM": "iTerm.app"})
    assert supports_hyperlinks(True, {"VTE_VERSION": "7000"})
    assert not supports_hyperlinks(True, {"VTE_VERSION": "4000"})
    assert not supports_hyperlinks(True, {"TERM": "tmux-256color"})
    assert not supports_hyperlinks(True, {"TERM_PROGRAM": "WezTerm", "CI": "true"})
    assert not supports_hyperlinks(False, {"TERM_PROGRAM": "WezTerm"})
    assert supports_hyperlinks(False, {"FORCE_HYPERLINK": "1"})
    assert not supports_hyperlinks(True, {"FORCE_HYPERLINK": "0", "TERM_PROGRAM": "vscode"})
    assert terminal_width(False, {"COLUMNS": "80"}) is None  # a pipe is never wrapped
    assert terminal_width(True, {"COLUMNS": "120"}) == 120
    assert terminal_width(True, {"COLUMNS": "12"}) == 40


def test_a_terminal_without_columns_is_asked_its_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((132, 50)))
    assert terminal_width(True, {}) == 132
    monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((10, 50)))
    assert terminal_width(True, {"COLUMNS": "wide"}) == 40


def test_wrap_breaks_between_words_only() -> None:
    lines = wrap(Text("  one two three " + "x" * 30 + " four"), 20, 6)
    assert [line.plain for line in lines] == ["  one two three", "      " + "x" * 30, "      four"]
    wide = wrap(Text("漢字漢字 漢字漢字 漢字"), 10, 2)  # two cells per character
    assert [line.plain for line in wide] == ["漢字漢字", "  漢字漢字", "  漢字"]
    assert [line.plain for line in wrap(Text("a b"), None, 4)] == ["a b"]


def test_counted_nouns() -> None:
    assert [plural(n, "error") for n in (0, 1, 2, 3009)] == ["0 errors", "1 error", "2 errors", "3,009 errors"]
    assert plural(1, "entry") == "1 entry" and plural(2, "entry") == "2 entries"
    assert plural(2, "emergency fix", "emergency fixes") == "2 emergency fixes"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_slow_audit_and_erased_after() -> None:
    stream = FakeTerminal()
    with Progress("auditing fl\x1bask", stream=stream, env={}, delay=0.05) as progress:
        time.sleep(0.4)
    out = stream.getvalue()
    assert progress.drawn and out.startswith("\r") and out.endswith(ERASE)
    assert "udef-audit: auditing fl\\x1bask … 0 s" in out  # the label is escaped


def test_no_progress_on_a_quick_audit_in_ci_or_when_piped() -> None:
    quick = FakeTerminal()
    with Progress("x", stream=quick, env={}, delay=0.5):
        pass
    assert quick.getvalue() == ""
    assert not progress_wanted(FakeTerminal(), {"CI": "true"})
    assert not progress_wanted(io.StringIO(), {})
    assert not progress_wanted(None, {})
    piped = io.StringIO()
    with Progress("x", stream=piped, env={"FORCE_COLOR": "1"}, delay=0.0):
        time.sleep(0.05)
    assert piped.getvalue() == ""


def test_color_option_on_the_command_line(tmp_path: Path, run_inproc) -> None:
    root = audit_tree(TREE, tmp_path / "r", select=("UDEF006",)).root
    assert "\x1b[" in run_inproc(root, "--select", "UDEF006", "--color", "always").stdout
    forced = run_inproc(root, "--select", "UDEF006", env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
    never = run_inproc(root, "--select", "UDEF006", "--color", "never", env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[" not in never.stdout
    assert run_inproc(root, "--color", "sometimes").code == 2


@pytest.mark.parametrize("show_suppressed", [False, True])
@pytest.mark.parametrize("baselined", [False, True])
def test_piped_report_without_rich_has_the_same_characters(
    result: AuditResult, show_suppressed: bool, baselined: bool
) -> None:
    marked = Suppression("external", "in baseline b.json", origin="baseline")
    findings = tuple(
        f.with_changes(suppressions=(marked,)) if baselined and f.rule_id == "UDEF007" else f for f in result.findings
    )
    shown = replace(result, findings=findings)
    options = TextOptions(show_suppressed=show_suppressed)
    plain = render_plain(shown, options)
    assert plain is not None
    assert plain == render_text(shown, options)


def test_a_piped_report_with_the_score_and_fixes_is_drawn_without_rich(tmp_path: Path) -> None:
    # What a whole audit shows by default: the fixable count and the verdict in the box,
    # the score's arithmetic below it. Piped, that is the same characters without rich.
    audited = audit_tree(TREE, tmp_path / "r", git=True, select=("UDEF006", "UDEF007"), score=True, fixes=True)
    shown = replace(audited, stats=AuditStats(files=2, python_files=1, seconds=0.25))
    assert shown.score is not None and shown.fixes
    plain = render_plain(shown, TextOptions())
    assert plain is not None
    assert plain == render_text(shown, TextOptions())
    box = plain[plain.index("╭"):plain.index("╯")]
    assert "fixable with `udef-audit fix`" in box
    assert f"Reset vs repair: {shown.score.verdict.upper()}, score {shown.score.score} of 100" in box
    assert "Reset vs repair, the arithmetic:" in plain.split("╯")[1]


def test_a_pre_commit_run_piped_does_not_import_rich(tmp_path: Path) -> None:
    for name, content in TREE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    script = (
        "import sys\nfrom udef_audit.cli import main\n"
        "code = main(['--no-cache', '--files', 'src/a/__init__.py'])\n"
        "print('rich' in sys.modules, code, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.stderr.strip().splitlines()[-1] == "False 1"
    assert "src/a/__init__.py:1:10 UDEF006 [error] TODO in a comment" in done.stdout


@pytest.mark.parametrize("pruned", [0, 1])
def test_piped_notices_and_baseline_lines_without_rich(result: AuditResult, pruned: int) -> None:
    baseline = BaselineReport(
        file="b.json", matched=2, pruned=pruned, fixed=(FixedEntry("f" * 16, "UDEF006", "src/a/__init__.py"),)
    )
    notes = (Notification(message="rule X failed"), Notification(message="policy says so", level=Level.WARNING))
    shown = replace(result, notifications=notes, baseline=baseline)
    plain = render_plain(shown, TextOptions())
    assert plain is not None
    assert plain == render_text(shown, TextOptions())
    assert "tool error: rule X failed" in plain.splitlines()
