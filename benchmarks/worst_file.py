"""Benchmark: the dearest single Python file an audit can meet, time and peak memory.

Issue 16: one 4.8 MB file just under the size limit cost about 8 s and 900 MB. Each case is
one file in its own git repository (so the score's complexity pass sees it as changed),
audited cold by the installed `udef-audit` in a fresh process. Peak memory is the largest
`ru_maxrss` among the audit and the helpers it waited for (libcst runs in a child), read
by a small wrapper process around each run.

    .venv/bin/python benchmarks/worst_file.py [--bound-mb 250]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

LIMIT = 5_000_000  # the default max-file-size
CLI = Path(sys.executable).parent / "udef-audit"
WRAPPER = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _fill(unit: Callable[[int], str], size: int, head: str = "", tail: str = "") -> str:
    parts, total, index = [head], len(head) + len(tail), 0
    while True:
        piece = unit(index)
        if total + len(piece) > size:
            break
        parts.append(piece)
        total += len(piece)
        index += 1
    return "".join(parts) + tail


def cases() -> dict[str, tuple[str, str]]:
    """name -> (file name, text)."""
    just_under = LIMIT - 1_000
    return {
        "issue 16: a 4.8 MB dict literal": ("data.py", _fill(_dict_entry, 4_800_000, "D = {\n", "}  # TODO\n")),
        "4.99 MB list of 1s, a TODO string inside": (
            "dense.py", _fill(lambda _: "1,", just_under, 'x = ["TODO", ', "]\n")
        ),
        "4.99 MB of calls, TODOs and NotImplementedError": ("calls.py", _fill(_call_or_stub, just_under)),
        "setup.py just under the parse bound (125,000), parsed whole": (
            "setup.py", _fill(lambda _: "x = 1\n", 374_900, "from setuptools import setup\n", "setup()\n")
        ),
        "setup.py just over the parse bound": (
            "setup.py", _fill(lambda _: "x = 1\n", 375_100, "from setuptools import setup\n", "setup()\n")
        ),
        "syntax error under the libcst bound (40,000), libcst child": (
            "newer.py", _fill(lambda _: "x = 1\n", 119_000, "def f[T](x: T) -> T:  # TODO\n    return x\n")
        ),
    }


def _dict_entry(index: int) -> str:
    return f"    'k{index}': [1, 2, 3, {{'a': (4, 5)}}],\n"


def _call_or_stub(index: int) -> str:
    return "f(a, b, c.d)  # TODO\n" if index % 50 else "def g():\n    raise NotImplementedError\n"


def _repository(folder: Path, name: str, text: str) -> None:
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    env = ["-c", "user.name=b", "-c", "user.email=b@example.org"]
    for args in (["init", "-q"], ["add", "-A"], [*env, "commit", "-q", "-m", "x"]):
        subprocess.run(["git", "-C", str(folder), *args], check=True)


def measure(folder: Path) -> tuple[float, float, str]:
    """Seconds, peak MB, and the UDEF000 note about the file (if any), for one cold audit."""
    report = folder.parent / f"{folder.name}.json"
    audit = [str(CLI), str(folder), "--no-cache", "--format", "json", "-o", str(report)]
    command = [sys.executable, "-c", WRAPPER, *audit]
    started = time.perf_counter()
    code, peak_kb = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    seconds = time.perf_counter() - started
    if code not in ("0", "1"):
        raise SystemExit(f"audit of {folder} failed with exit {code}")
    notes = [f["message"] for f in json.loads(report.read_text())["findings"] if f["ruleId"] == "UDEF000"]
    return seconds, int(peak_kb) / 1024, notes[0].split(": ", 1)[1].rsplit("; results", 1)[0] if notes else ""


def main() -> int:
    """Build each case, audit it, print a Markdown table; exit 1 if a case is over the bound."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bound-mb", type=float, default=250.0)
    args = parser.parse_args()
    print("| case | size | seconds | peak RSS (MB) | UDEF000 note |")
    print("|---|---|---|---|---|")
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for number, (label, (name, text)) in enumerate(cases().items()):
            folder = Path(scratch) / f"case{number}"
            _repository(folder, name, text)
            seconds, peak, note = measure(folder)
            worst = max(worst, peak)
            print(f"| {label} | {len(text.encode()) / 1e6:.2f} MB | {seconds:.1f} | {peak:.0f} | {note or '-'} |")
    print(f"\nworst peak: {worst:.0f} MB (bound {args.bound_mb:.0f} MB)")
    return 0 if worst <= args.bound_mb else 1


if __name__ == "__main__":
    sys.exit(main())
