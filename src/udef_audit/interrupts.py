"""SIGINT stops an audit: always, and soon.

Two ways an interrupt was lost. A non-interactive shell starts a background job with SIGINT
ignored, and Python keeps it ignored: `kill -INT` did nothing, and an audit that cannot be
interrupted looks hung. And Python raises KeyboardInterrupt wherever the main thread
happens to be, which can be inside a callback whose exceptions are printed and dropped
(the at-fork hooks run while the scanner starts its worker processes): the audit then went
on to the end. So, while an audit runs, SIGINT raises KeyboardInterrupt and also starts a
watchdog thread that raises it again every second until the command has stopped; and the
command, once interrupted, leaves at once (`exit_now`) instead of waiting at interpreter
exit for the worker threads of a process pool whose workers were just terminated.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

REPEAT_SECONDS = 1.0


class _Stopper:
    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.watchdog: threading.Thread | None = None

    def on_sigint(self, _signum: int, _frame: FrameType | None) -> None:
        if self.watchdog is None:
            self.watchdog = threading.Thread(target=self.repeat, name="udef-audit-interrupt", daemon=True)
            self.watchdog.start()
        raise KeyboardInterrupt

    def repeat(self) -> None:
        while not self.stopped.wait(REPEAT_SECONDS):
            _thread.interrupt_main(signal.SIGINT)


@contextmanager
def stoppable() -> Iterator[None]:
    """Within this block (in the main thread), SIGINT stops the command: see the module."""
    previous = signal.getsignal(signal.SIGINT)
    ours = threading.current_thread() is threading.main_thread() and previous in (
        signal.SIG_IGN,
        signal.SIG_DFL,
        signal.default_int_handler,
    )
    stopper = _Stopper()
    if ours:
        signal.signal(signal.SIGINT, stopper.on_sigint)
    try:
        yield
    finally:
        stopper.stopped.set()
        if ours:
            signal.signal(signal.SIGINT, previous)


def exit_now(code: int) -> None:
    """Flush what was printed and end the process with `code`, running no exit handlers
    (only for the command itself: a caller in the same process must get its return)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(code)
