"""What the terminal can do, decided once: colour, width, hyperlinks (no rich import here:
the command line reads these before any report is drawn; wrapping is report/wrapping.py).

- Colour: `--color always|never` wins; with `auto` (the default), `NO_COLOR` (set and not
  empty, no-color.org) turns it off, `FORCE_COLOR` (set and not empty, force-color.org;
  `0` or `false` mean off, as Node reads them) turns it on, else colour when the output is
  a terminal.
- Width: on a terminal, `COLUMNS` when set, else the terminal's width; output that is not a
  terminal is not wrapped (one result per line, greppable), and the summary box keeps to
  80 columns.
- Hyperlinks (OSC 8) only with colour, on a terminal known to show them (`FORCE_HYPERLINK`
  decides when set); anywhere else the docs link is printed as a plain URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

COLOR_CHOICES = ("auto", "always", "never")
BOX_WIDTH = 80  # the summary box when the width is unknown
MIN_WIDTH = 40
# Terminals that show OSC 8 hyperlinks (as the supports-hyperlinks convention lists them).
_LINKING_PROGRAMS = frozenset({"iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby", "rio"})
_LINKING_TERMS = ("xterm-kitty", "alacritty", "foot", "xterm-ghostty", "wezterm")
_VTE_WITH_LINKS = 5000  # VTE 0.50: GNOME Terminal, Tilix, Terminator...


class TextOptions(NamedTuple):
    """How the text report is drawn (decided by the command line, read by the reporter)."""

    color: bool = False
    width: int | None = None  # None: no wrapping
    hyperlinks: bool = False
    show_suppressed: bool = False
    statistics: bool = False


def _set(env: Mapping[str, str], name: str) -> bool:
    return bool(env.get(name))


def use_color(choice: str, is_terminal: bool, env: Mapping[str, str]) -> bool:
    """Whether to write ANSI colour (see the module docstring for the order)."""
    if choice != "auto":
        return choice == "always"
    if _set(env, "NO_COLOR"):
        return False
    if _set(env, "FORCE_COLOR"):
        return env["FORCE_COLOR"].strip().lower() not in ("0", "false")
    return is_terminal


def terminal_width(is_terminal: bool, env: Mapping[str, str]) -> int | None:
    """The width to wrap to: `COLUMNS`, else the terminal's; None when not a terminal (a
    file or a pipe is never wrapped, whatever `COLUMNS` says: it stays greppable)."""
    if not is_terminal:
        return None
    columns = env.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    import shutil  # noqa: PLC0415 - only for a terminal: it brings the compressors (2 ms)

    return max(MIN_WIDTH, shutil.get_terminal_size().columns)


def supports_hyperlinks(is_terminal: bool, env: Mapping[str, str]) -> bool:
    """Whether the terminal shows OSC 8 hyperlinks (never in CI or when not a terminal)."""
    forced = env.get("FORCE_HYPERLINK")
    if forced is not None and forced != "":
        return forced.strip().lower() not in ("0", "false")
    if not is_terminal or _set(env, "CI"):
        return False
    return _known_linking_terminal(env)


def _known_linking_terminal(env: Mapping[str, str]) -> bool:
    if env.get("TERM_PROGRAM") in _LINKING_PROGRAMS or env.get("TERM", "").startswith(_LINKING_TERMS):
        return True
    if any(_set(env, name) for name in ("WT_SESSION", "KONSOLE_VERSION", "DOMTERM")):
        return True
    vte = env.get("VTE_VERSION", "")
    return vte.isdigit() and int(vte) >= _VTE_WITH_LINKS


def text_options(
    color_choice: str,
    *,
    is_terminal: bool,
    env: Mapping[str, str],
    show_suppressed: bool = False,
    statistics: bool = False,
) -> TextOptions:
    """Everything the text report needs to know about where it is written."""
    color = use_color(color_choice, is_terminal, env)
    return TextOptions(
        color=color,
        width=terminal_width(is_terminal, env),
        hyperlinks=color and supports_hyperlinks(is_terminal, env),
        show_suppressed=show_suppressed,
        statistics=statistics,
    )
