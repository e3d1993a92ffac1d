"""The `udef-audit` console script: the command line, started and ended for a process that lives
a fraction of a second (a pre-commit hook's budget is about 120 ms, 12 of which are Python's own).

- The collector is off while the modules import: importing creates tens of thousands of
  objects that all live until the end, and collecting among them finds nothing (about 6 ms).
  Then they are frozen (`gc.freeze`: never scanned again) and the collector is back on,
  collecting the young generation after 20,000 new objects instead of 700 (the audit's
  objects mostly live until it ends; rescanning them 200 times cost 40-60 ms of a cold
  sympy audit, 30 ms of its wall time).
- The plain audit ends with `os._exit` once its output is flushed: the interpreter's own
  teardown frees every object one by one (8-20 ms) for a process that is ending anyway, as
  mypy does. Only the audit command: subcommands such as `org batch` start workers whose
  clean-up runs at interpreter exit.
"""

import gc
import os
import sys

gc.disable()

from udef_audit.cli import SUBCOMMANDS  # noqa: E402 - after the collector is off, on purpose
from udef_audit.cli import main as cli_main  # noqa: E402

_YOUNG_OBJECTS = 20_000  # new container objects between two young collections (see above)


def main() -> int:
    """Run the command line; the plain audit leaves without the interpreter's teardown."""
    gc.freeze()
    gc.set_threshold(_YOUNG_OBJECTS, *gc.get_threshold()[1:])
    gc.enable()
    code = cli_main()
    if sys.argv[1:2] and sys.argv[1] in SUBCOMMANDS:
        return code
    _flush()
    os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            pass
