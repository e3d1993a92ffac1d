"""A file over the parse bound is a UDEF000 note, found at once, not a gigabyte of tree."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from conftest import Run, write_tree

from udef_audit.parsers.python_source import parse_weight, scan_python


def test_a_setup_py_over_the_parse_bound_is_a_note(tmp_path: Path, run_inproc: Callable[..., Run]) -> None:
    body = "from setuptools import setup\n" + "x = 1\n" * 62_600 + "setup()\n"
    assert parse_weight(body) > 125_000
    repo = write_tree(tmp_path / "repo", {"setup.py": body})
    started = time.perf_counter()
    result = run_inproc(repo, "--format", "json", "--no-cache", "--select", "UDEF000,UDEF002")
    assert time.perf_counter() - started < 30
    notes = [(f["path"], f["message"]) for f in result.json()["findings"] if f["ruleId"] == "UDEF000"]
    assert notes == [
        ("setup.py", f"setup.py could not be read or parsed: too large to parse ({parse_weight(body)} brackets, "
         "operators, commas and lines, over 125000); results that needed it are missing.")
    ]


def test_a_dense_statement_holding_a_hit_is_refused_not_parsed() -> None:
    facts = scan_python(('x = ["TODO", ' + "1," * 130_000 + "]\n").encode())
    assert facts.error is not None and facts.error.startswith("too large to parse (130")
