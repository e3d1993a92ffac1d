"""Make a corpus of Python files in 3.12 and 3.14 syntax, for timing the scanner's fallback.

    .venv/bin/python benchmarks/new_syntax_corpus.py SOURCE_TREE OUT_DIR [--limit N]

Every ``*.py`` file of SOURCE_TREE (sympy, say) that mentions a placeholder word or
``NotImplementedError`` is rewritten into OUT_DIR so that the running interpreter's ``ast``
(3.11) rejects it the way real modern code is rejected: each ``def name(`` and
``class Name(`` gets PEP 695 type parameters (``def name[T](``), each
``except (A, B):`` loses its parentheses (3.14, PEP 758), and a ``type`` alias statement
(PEP 695) and a t-string (3.14, PEP 750) open the module. Line numbers of the original are
kept (the added statements share line 1 with a ``;``) so results stay comparable.
The text is rewritten with regular expressions, never imported or run. Not a test.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

_DEF = re.compile(r"^(\s*(?:async\s+)?def\s+\w+)\(", re.MULTILINE)
_CLASS = re.compile(r"^(\s*class\s+\w+)(?=[(:])", re.MULTILINE)
_EXCEPT_TUPLE = re.compile(r"^(\s*except\*?)\s*\(([^()\n]*,[^()\n]*)\)\s*:", re.MULTILINE)
_CANDIDATE = re.compile(rb"TODO|FIXME|XXX|NotImplementedError")
_HEADER = 'type _Alias[T] = list[T]; _TEMPLATE = t"corpus {__name__}"; '


def rewrite(text: str) -> str:
    """The same module in 3.12/3.14 syntax (see the module docstring)."""
    text = _DEF.sub(r"\1[T](", text)
    text = _CLASS.sub(r"\1[T]", text)
    text = _EXCEPT_TUPLE.sub(r"\1 \2:", text)
    first, newline, rest = text.partition("\n")
    if first.startswith(("#!", "# -*-", "#-*-", "# coding", "from __future__")) or first.endswith("\\"):
        return text  # a cookie, a shebang or a __future__ import must stay first
    return _HEADER + first + newline + rest


def main() -> int:
    """Write the corpus and say how many files it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--limit", type=int, default=0)
    options = parser.parse_args()
    written = 0
    for path in sorted(options.source.rglob("*.py")):
        data = path.read_bytes()
        if not _CANDIDATE.search(data):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        target = options.out / path.relative_to(options.source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rewrite(text), encoding="utf-8")
        written += 1
        if options.limit and written >= options.limit:
            break
    print(f"wrote {written} files to {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
