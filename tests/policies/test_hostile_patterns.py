"""Policy patterns on hostile files: RE2 keeps every search linear, a pattern whose program
makes a big file too costly is not run on it (a UDEF000 note), and a pattern that matches
everywhere stops at its bound (a note too)."""

from __future__ import annotations

import time
from pathlib import Path

from udef_audit.policies.text_search import MAX_PER_FILE
from udef_audit.policy_examples import result_line
from udef_audit.testing import audit_tree

MEGABYTE = "a" * 1_000_000 + "!\n"
POLICY = """\
id: ACME100
slug: house-rule
title: A house rule
level: warning
why: Because.
fix: Do it.
message: 'found {match}'
check:
  not:
    text: {files: '*.txt', pattern: '%s'}
"""


def _lines(tmp_path: Path, pattern: str, tree: dict[str, str]) -> tuple[list[str], float]:
    policy = tmp_path / "acme100.yaml"
    policy.write_text(POLICY % pattern, encoding="utf-8")
    started = time.perf_counter()
    result = audit_tree(tree, tmp_path / "repo", select=("ACME100", "UDEF000"), policy_paths=(policy,))
    elapsed = time.perf_counter() - started
    return [result_line(f) for f in result.findings], elapsed


def test_a_costly_pattern_on_a_crafted_megabyte_is_a_note(tmp_path: Path) -> None:
    lines, elapsed = _lines(tmp_path, "(.*a){30}!", {"big.txt": MEGABYTE, "small.txt": "a" * 35 + "!\n"})
    assert lines == [
        "big.txt:1 UDEF000 big.txt could not be read or parsed: not searched for the policy pattern '(.*a){30}!': "
        "its RE2 program (335 instructions) times the file's 1000002 bytes exceeds 250,000,000 (a simpler pattern, "
        "or a narrower files glob); results that needed it are missing.",
        "small.txt:1:1 ACME100 found " + "a" * 35 + "!",
    ]
    assert elapsed < 5


def test_a_backtracking_classic_is_linear_on_re2(tmp_path: Path) -> None:
    lines, elapsed = _lines(tmp_path, "(?m)^(a+)+$", {"big.txt": "a" * 1_000_000 + "!\n" + "aaaa\n"})
    assert lines == ["big.txt:2:1 ACME100 found aaaa"]
    assert elapsed < 5


def test_a_pattern_matching_everywhere_stops_at_its_bound(tmp_path: Path) -> None:
    lines, elapsed = _lines(tmp_path, "a", {"big.txt": MEGABYTE})
    assert len(lines) == MAX_PER_FILE + 1
    assert lines[0] == (
        "big.txt:1 UDEF000 big.txt could not be read or parsed: a policy pattern ('a') matched more than 200 times "
        "in this file; the matches after those are not reported; results that needed it are missing."
    )
    assert lines[1:3] == ["big.txt:1:1 ACME100 found a", "big.txt:1:2 ACME100 found a"]
    assert elapsed < 5
