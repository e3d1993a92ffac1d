"""Files the scanner's workers read themselves (`Unread`), and work added to a running scan:
the same facts and complexity as from bytes handed over, whichever process does the work.

The sources are string literals, never comments of this file, so that the project's own
audit does not read them as placeholders.
"""

from __future__ import annotations

from functools import partial
from unittest import mock

import pytest

from udef_audit.parsers import python_pool, python_source
from udef_audit.parsers.python_pool import Batches, Unread
from udef_audit.parsers.python_source import (
    measure_complexity,
    scan_python,
    start_scan_and_measure,
)

TODO = "TO" + "DO"
FILES = {
    "a.py": f"def f(x):\n    if x:\n        return 1  # {TODO}\n    return 2\n".encode(),
    "b.py": b"def g():\n    raise NotImplementedError\n",
    "c.py": b"x = 1  # udef: ignore[UDEF006]\n",
    "d.py": b"def h(a, b):\n    return a and b or a\n",
}


def from_disk(files: dict[str, bytes], path: str) -> bytes | None:
    """A reader as the context gives one (module level: it crosses to the workers)."""
    return files.get(path)


def by_name(names: list[str]) -> list[tuple[str, bytes | Unread]]:
    return [(name, Unread(len(FILES[name]))) for name in names]


@pytest.fixture(params=[1, 2], ids=["here", "workers"])
def workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    count = int(request.param)
    # As many processes as asked, even for these few bytes.
    monkeypatch.setattr(python_source, "worker_count", lambda workers, items, min_chars=None: count)
    return count


def test_files_given_by_name_give_the_facts_and_complexity_of_their_bytes(workers: int) -> None:
    pending = start_scan_and_measure(
        by_name(list(FILES)), by_name(["a.py", "d.py"]), workers=workers,
        read=partial(from_disk, FILES), flag=b"udef:",
    )
    assert (pending.batches.pool is not None) == (workers > 1)
    done = pending.result()
    assert done.facts == {name: scan_python(data) for name, data in FILES.items()}
    assert done.complexity == {name: measure_complexity(FILES[name]) for name in ("a.py", "d.py")}
    assert done.flagged == {"c.py"}


def test_only_files_read_by_name_are_flagged(workers: int) -> None:
    # Bytes handed over are the caller's to look at: it has them.
    items = [("c.py", FILES["c.py"]), *by_name(["a.py"])]
    done = start_scan_and_measure(items, (), workers=workers, read=partial(from_disk, FILES), flag=b"udef:").result()
    assert sorted(done.facts) == ["a.py", "c.py"]
    assert done.flagged == frozenset()


def test_a_file_that_cannot_be_read_has_no_result(workers: int) -> None:
    files = {name: data for name, data in FILES.items() if name != "b.py"}
    done = start_scan_and_measure(
        by_name(list(FILES)), by_name(["b.py"]), workers=workers, read=partial(from_disk, files)
    ).result()
    assert sorted(done.facts) == ["a.py", "c.py", "d.py"]
    assert done.complexity == {}


def test_complexity_named_later_is_measured_by_the_running_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_pool, "_PARALLEL_MIN_CHARS", 0)
    pending = start_scan_and_measure(by_name(list(FILES)), (), workers=2, read=partial(from_disk, FILES))
    pool = pending.batches.pool
    assert pool is not None
    submitted = len(pending.batches.futures)
    pending.measure([("a.py", FILES["a.py"]), *by_name(["d.py"])])
    pending.measure(by_name(["a.py"]))  # named twice: measured once
    assert pending.batches.pool is pool and len(pending.batches.futures) > submitted
    done = pending.result()
    assert done.complexity == {name: measure_complexity(FILES[name]) for name in ("a.py", "d.py")}
    assert done.facts == {name: scan_python(data) for name, data in FILES.items()}


def test_work_added_without_a_pool_is_done_when_asked() -> None:
    batches: Batches[int] = Batches(sized, [("x", b"12")], 1)
    batches.add([("y", b"345"), ("z", Unread(7))])
    assert batches.pool is None
    assert batches.results() == {"x": 2, "y": 3, "z": 7}


def test_work_added_to_a_broken_pool_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_pool, "_PARALLEL_MIN_CHARS", 0)
    batches: Batches[int] = Batches(sized, [("x", b"12"), ("w", b"0")], 2)
    assert batches.pool is not None
    with mock.patch.object(batches.pool, "submit", side_effect=RuntimeError("shut down")):
        batches.add([("y", b"345")])
    assert batches.results() == {"x": 2, "w": 1, "y": 3}


def sized(batch: list[tuple[str, bytes | Unread]]) -> list[tuple[str, int]]:
    """Work for the pool tests: each item's size."""
    return [(name, python_pool.weight(payload)) for name, payload in batch]
