"""Benchmark: scan_many over every tracked .py file of a repository, cold (no facts cache).

Target: well under 2.5 s for all of sympy (1,603 files, 28 MB) on 2 cores, so that the
whole audit stays under 3.5 s. Prints the file counts by stage, the time and the peak
memory of this process and of its children (the worker processes).

    .venv/bin/python benchmarks/python_scan.py PATH [--workers N] [--repeat R]
"""

from __future__ import annotations

import argparse
import collections
import resource
import subprocess
import sys
import time
from pathlib import Path

from udef_audit.parsers.python_source import PythonFacts, scan_many


def _tracked_python_files(root: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--", "*.py"],
        capture_output=True, check=True,
    ).stdout
    return [name for name in listing.decode("utf-8", "surrogateescape").split("\0") if name]


def _peak_mib(who: int) -> float:
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _cpu_seconds() -> tuple[float, float]:
    """CPU time of this process and of its finished children: a measure that, unlike the
    wall clock, does not depend on what else the machine is doing."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _summary(results: dict[str, PythonFacts]) -> str:
    parsers = collections.Counter(facts.parser for facts in results.values())
    hit = len(results) - parsers["prefilter"]
    parsed = parsers["ast"] + parsers["blanked"] + parsers["libcst"]
    markers = sum(len(facts.markers) for facts in results.values())
    raises = sum(len(facts.raises) for facts in results.values())
    errors = sum(1 for facts in results.values() if facts.error)
    return (f"files {len(results)}, hit files {hit}, parsed files {parsed} "
            f"(by parser: {dict(sorted(parsers.items()))}), markers {markers}, "
            f"raises {raises}, errors {errors}")


def main() -> int:
    """Time the scan and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()

    started = time.perf_counter()
    items = [(name, (options.path / name).read_bytes()) for name in _tracked_python_files(options.path)]
    read_seconds = time.perf_counter() - started
    size = sum(len(data) for _, data in items)
    print(f"read {len(items)} files ({size / 1e6:.1f} MB) in {read_seconds:.3f} s")

    for run in range(options.repeat):
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        results = scan_many(items, workers=options.workers)
        seconds = time.perf_counter() - started
        own, children = (now - then for now, then in zip(_cpu_seconds(), cpu_before, strict=True))
        print(f"run {run + 1}: scan_many {seconds:.3f} s (CPU: this process {own:.3f} s, "
              f"children {children:.3f} s); {_summary(results)}")
    print(f"peak RSS: this process {_peak_mib(resource.RUSAGE_SELF):.0f} MiB, "
          f"largest child {_peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
