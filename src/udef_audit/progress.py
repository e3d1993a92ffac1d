"""A progress indicator on stderr for audits that take more than about a second.

Shown only when stderr is a terminal and `CI` is not set: rich's progress redraws into CI
logs when `FORCE_COLOR` is set and prints once at the end when piped (docs: the library
notes), so this is a small spinner of its own that never writes anywhere else. It starts
after `delay` seconds (a warm audit finishes first and prints nothing), redraws one line
in place with the seconds so far, and erases that line when the audit ends, however it
ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TextIO

from udef_audit.safe_text import escape_text

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TICK = 0.1  # seconds between redraws
ERASE = "\r\x1b[2K"


def progress_wanted(stream: TextIO | None, env: Mapping[str, str]) -> bool:
    """Whether a progress indicator may be drawn on `stream`."""
    if stream is None or env.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


class Progress:
    """`with Progress("auditing flask"):` — a spinner on stderr while the block runs."""

    def __init__(
        self,
        label: str,
        *,
        stream: TextIO | None = None,
        env: Mapping[str, str] | None = None,
        delay: float = 1.0,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.label = escape_text(label)
        self.delay = delay
        self.enabled = progress_wanted(self.stream, os.environ if env is None else env)
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.drawn = False

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="udef-audit-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        if self._done.wait(self.delay):
            return
        import shutil  # noqa: PLC0415 - only a run slow enough to draw (it brings the compressors)

        width = max(20, shutil.get_terminal_size().columns - 1)
        started, frame = time.monotonic() - self.delay, 0
        while not self._done.is_set():
            elapsed = time.monotonic() - started
            line = f"{FRAMES[frame % len(FRAMES)]} udef-audit: {self.label} … {elapsed:.0f} s"
            self._write(f"\r{line[:width]}")
            self.drawn = True
            frame += 1
            if self._done.wait(TICK):
                break
        self._write(ERASE)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: stop drawing
            self._done.set()
