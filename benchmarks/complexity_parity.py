"""McCabe complexity per function: the scanner's own count against radon's, on a real tree.

    .venv/bin/python benchmarks/complexity_parity.py PATH

For every tracked ``*.py`` file of PATH: radon 6 (``cc_visit_ast``, one process) and
:func:`udef_audit.parsers.python_source.complexity_many` (the worker pool, cold). Prints
the time of each, how many functions radon reports, how many agree, and each function that
differs with the reason when it is a known one (``except*``). Not a test: it reads the
files as text and never runs them.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from radon.complexity import cc_visit_ast

from udef_audit.parsers.python_source import complexity_many


def _tracked(root: Path) -> list[str]:
    listing = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", "*.py"],
                             capture_output=True, check=True).stdout
    return [name for name in listing.decode().split("\0") if name]


def _radon(data: bytes) -> dict[tuple[int, int], tuple[str, int]] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            blocks: list[Any] = list(cc_visit_ast(ast.parse(data)))
    except (SyntaxError, ValueError, RecursionError):
        return None
    found: dict[tuple[int, int], tuple[str, int]] = {}
    while blocks:
        block = blocks.pop()
        if hasattr(block, "methods"):
            blocks.extend(block.methods)
            blocks.extend(block.inner_classes)
        else:
            found[(block.lineno, block.col_offset)] = (block.fullname, block.complexity)
            blocks.extend(block.closures)
    return found


def _reason(data: bytes, line: int) -> str:
    """A known reason for a difference at the function on ``line``, else "unknown"."""
    tree = ast.parse(data)
    functions = [node for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno == line]
    if any(type(inner).__name__ == "TryStar" for node in functions for inner in ast.walk(node)):
        return "except* (radon does not count it)"
    return "unknown"


def main() -> int:
    """Measure both and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    options = parser.parse_args()
    items = [(name, (options.path / name).read_bytes()) for name in _tracked(options.path)]
    started = time.perf_counter()
    theirs = {name: _radon(data) for name, data in items}
    radon_seconds = time.perf_counter() - started
    started = time.perf_counter()
    mine = complexity_many(items)
    our_seconds = time.perf_counter() - started
    print(f"{len(items)} files: radon (one process) {radon_seconds:.2f} s, "
          f"complexity_many (pool, cold) {our_seconds:.2f} s")
    data = dict(items)
    total = agree = extra = 0
    for name, functions in theirs.items():
        if functions is None:
            continue
        ours = {(f.line, f.column - 1): f.complexity for f in mine[name].functions}
        extra += len(set(ours) - set(functions))
        for key, (full, complexity) in sorted(functions.items()):
            total += 1
            if ours.get(key) == complexity:
                agree += 1
            else:
                print(f"  {name}:{key[0]} {full}: radon {complexity}, ours {ours.get(key)} "
                      f"({_reason(data[name], key[0])})")
    print(f"functions radon reports: {total}; same complexity: {agree} ({100 * agree / max(total, 1):.2f} %); "
          f"functions only we report (methods of classes inside functions): {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
