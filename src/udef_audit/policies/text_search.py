"""Text conditions: an RE2 pattern over the files of some globs, one place per match.

The pattern runs over each file's bytes (read once by the context), so a file without a
match costs one linear search and is never decoded; a file with matches must be UTF-8
text (else the context's UDEF000 note says why it was skipped). In a Python file, `in:
code | comments | strings` keeps the matches that start there, as the context's lexer
splits the file (`ctx.python_regions`); other files are read whole.

Bounds, for hostile files: RE2 is linear, but the constant is the pattern's program size
when its DFA gives up (`(.*a){20}` on a megabyte of `a`s takes a second where `print`
takes a millisecond), so a file whose size times the program size exceeds WORK_LIMIT is
not searched, with a UDEF000 note naming both (the worst search allowed is about a second).
At most MAX_PER_FILE matches per file and MAX_MATCHES per
condition are kept (a note says so), and a condition that has spent TIME_BUDGET seconds
stops reading further files, with a UDEF000 note on the first file it skipped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from udef_audit.parsers.python_lexer import COMMENT, Regions
from udef_audit.policies.language import Evidence, Outcome, TextCheck

if TYPE_CHECKING:
    from udef_audit.context import RepoContext
    from udef_audit.policies.scope import Scope

MAX_PER_FILE = 200
MAX_MATCHES = 2000
MAX_QUOTED = 200
TIME_BUDGET = 20.0
WORK_LIMIT = 250_000_000  # RE2 program instructions x bytes searched, per file
_BOM = b"\xef\xbb\xbf"


def evaluate_text(check: TextCheck, scope: Scope) -> Outcome:
    """The matches; the condition holds when there is one (with `per-file`, one in each file)."""
    ctx = scope.ctx
    matches: list[Evidence] = []
    without: list[Evidence] = []
    started = time.monotonic()
    for path in scope.files(check.files):
        if time.monotonic() - started > TIME_BUDGET:
            ctx.unparseable(path, f"a policy pattern ({check.pattern.text!r}) ran out of its {TIME_BUDGET:g} s "
                            "budget before this file; this file and those after it were not searched")
            break
        found = list(_file_matches(check, ctx, path, MAX_MATCHES - len(matches)))
        matches.extend(found)
        if not found:
            without.append(Evidence(path, 1, None, f"{path} lacks {check.pattern.text}",
                                    {"expected": check.pattern.text}))
        if len(matches) >= MAX_MATCHES:
            ctx.unparseable(path, f"a policy pattern ({check.pattern.text!r}) matched more than {MAX_MATCHES} "
                            "times; the matches after this file's first ones are not reported")
            break
    if check.per_file:
        return Outcome(not without, tuple(without or matches))
    if matches:
        return Outcome(True, tuple(matches))
    return Outcome(False, (Evidence(None, subject=f"no {check.pattern.text}",
                                    captures={"expected": check.pattern.text}),))


def _file_matches(check: TextCheck, ctx: RepoContext, path: str, room: int) -> Iterator[Evidence]:
    data = ctx.read_bytes(path)
    if not data:
        return
    data = data.removeprefix(_BOM)
    if check.pattern.program * len(data) > WORK_LIMIT:
        ctx.unparseable(path, f"not searched for the policy pattern {check.pattern.text!r}: its RE2 program "
                        f"({check.pattern.program} instructions) times the file's {len(data)} bytes exceeds "
                        f"{WORK_LIMIT:,} (a simpler pattern, or a narrower files glob)")
        return
    hits = _hits(check, ctx, path, data, min(room, MAX_PER_FILE))
    if not hits or ctx.text(path) is None:  # not UTF-8 text: the context has said so
        return
    regions = _regions(check, ctx, path)
    positions = _Positions(data)
    for match in hits:
        offset, line, column = positions.at(match.start())
        if regions is not None and not _in_region(regions, offset, check.where):
            continue
        yield _evidence(path, line, column, match)


def _hits(check: TextCheck, ctx: RepoContext, path: str, data: bytes, limit: int) -> list[Any]:
    hits: list[Any] = []
    for match in check.pattern.finditer(data):
        if len(hits) >= limit:
            if limit == MAX_PER_FILE:
                ctx.unparseable(path, f"a policy pattern ({check.pattern.text!r}) matched more than {MAX_PER_FILE} "
                                "times in this file; the matches after those are not reported")
            break
        hits.append(match)
    return hits


def _regions(check: TextCheck, ctx: RepoContext, path: str) -> Regions | None:
    if check.where == "any" or not path.endswith((".py", ".pyi")):
        return None
    return ctx.python_regions(path)


def _in_region(regions: Regions, offset: int, where: str) -> bool:
    index = regions.index_at(offset)
    if where == "code":
        return index < 0
    if index < 0:
        return False
    return (regions.kinds[index] == COMMENT) == (where == "comments")


def _evidence(path: str, line: int, column: int, match: Any) -> Evidence:
    text = _quoted(match.group())
    captures = {"match": text}
    captures.update({name: _quoted(value or b"") for name, value in match.groupdict().items()})
    return Evidence(path, line, column, text, captures)


def _quoted(value: bytes) -> str:
    text = " ".join(value.decode("utf-8", "replace").split())
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 3] + "..."


class _Positions:
    """Byte offsets of increasing matches to (character offset, line, column), counting
    newlines and decoding only the stretch since the previous match (C-speed `count` and
    `rfind`; a megabyte-long line with many matches stays linear)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.byte = 0  # the byte offset whose line and character offset are known
        self.char = 0
        self.line = 1
        self.line_start_char = 0

    def at(self, offset: int) -> tuple[int, int, int]:
        data = self.data
        newlines = data.count(b"\n", self.byte, offset)
        if newlines:
            start = data.rfind(b"\n", self.byte, offset) + 1
            self.char += _chars(data, self.byte, start)
            self.line += newlines
            self.byte, self.line_start_char = start, self.char
        self.char += _chars(data, self.byte, offset)
        self.byte = offset
        return self.char, self.line, self.char - self.line_start_char + 1


def _chars(data: bytes, start: int, end: int) -> int:
    """How many characters the UTF-8 bytes data[start:end] hold."""
    piece = data[start:end]
    return len(piece) if piece.isascii() else len(piece.decode("utf-8", "replace"))
