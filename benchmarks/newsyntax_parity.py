"""Check the libcst fallback against a newer interpreter's own ``ast``.

    .venv/bin/python benchmarks/newsyntax_parity.py PATH --python /path/to/python3.13

Scans every tracked ``*.py`` file of PATH here (where ``ast`` rejects 3.12+ syntax, so
libcst locates it and the blanked text is read) and with the newer interpreter (where
``ast`` reads the file as it is), with the same scanner code (``src/`` on its path), and
prints where the facts differ. Files the newer interpreter rejects too are left out.
The scanned files are read as text, never imported or run. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from udef_audit.parsers.python_source import complexity_many, scan_many

SRC = Path(__file__).resolve().parents[1] / "src"
_SCAN = """
import json, sys
from udef_audit.parsers.python_source import complexity_many, scan_many
names = json.load(sys.stdin)
items = [(name, open(name, "rb").read()) for name in names]
facts = {name: found.to_dict() for name, found in scan_many(items).items()}
measured = {name: found.to_dict() for name, found in complexity_many(items).items()}
json.dump({"facts": facts, "complexity": measured}, sys.stdout)
"""


def _tracked(root: Path) -> list[str]:
    listing = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", "*.py"],
                             capture_output=True, check=True).stdout
    return [str(root / name) for name in listing.decode().split("\0") if name]


def _differences(facts: dict[str, Any], measured: dict[str, Any], their_facts: dict[str, Any],
                 their_measured: dict[str, Any]) -> list[str]:
    """What differs between the facts and complexity found here and there."""
    mine = {**facts, "parser": their_facts["parser"]}
    found = [f"{key}: here {mine[key]!r}, there {their_facts[key]!r}"
             for key in ("markers", "raises", "pip_calls", "fixtures", "error") if mine[key] != their_facts[key]]
    if measured != their_measured:
        here = {tuple(item) for item in measured["functions"]}
        there = {tuple(item) for item in their_measured["functions"]}
        found.append(f"complexity: only here {sorted(here - there)}; only there {sorted(there - here)}")
    return found


def main() -> int:
    """Compare and print the differences."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--python", required=True)
    options = parser.parse_args()
    names = _tracked(options.path)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    newer = json.loads(subprocess.run([options.python, "-c", _SCAN], input=json.dumps(names),
                                      capture_output=True, text=True, check=True, env=env).stdout)
    items = [(name, Path(name).read_bytes()) for name in names]
    facts = {name: found.to_dict() for name, found in scan_many(items).items()}
    measured = {name: found.to_dict() for name, found in complexity_many(items).items()}
    compared = same = 0
    for name in names:
        if newer["facts"][name]["error"] is not None:
            continue
        compared += 1
        differences = _differences(facts[name], measured[name], newer["facts"][name],
                                   newer["complexity"][name])
        same += not differences
        if differences:
            print(f"{name}: parser here {facts[name]['parser']}", *differences, sep="\n  ")
    parsers = {name: facts[name]["parser"] for name in names}
    print(f"{compared} files the newer interpreter parses; {same} with identical facts and "
          f"complexity; parsers here: { {p: list(parsers.values()).count(p) for p in set(parsers.values())} }")
    return 0


if __name__ == "__main__":
    sys.exit(main())
