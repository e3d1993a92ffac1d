"""Benchmark: a full udef-audit run against the tools a user would otherwise run.

Usage: python benchmarks/audit.py PATH [--repeat N]

Measures, side by side in one run on the same tree: `ruff check --no-cache --select FIX`,
`radon cc` (skippable with --skip-radon, it takes ~15 s on sympy), `grep -rn` for the
placeholder words, a cold `udef-audit` (empty cache directory) and a warm one (same
cache, unchanged tree), each as a separate process; peak RSS from the OS. Prints a
Markdown table for docs/reports/benchmark.md. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB of the child, exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def best(argv: list[str], repeat: int, env: dict[str, str] | None = None, before=None) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        if before:
            before()
        seconds, rss, _code = timed(argv, env)
        runs.append((seconds, rss))
    return min(r[0] for r in runs), max(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-radon", action="store_true")
    args = parser.parse_args()
    path = args.path.resolve()
    py_files = subprocess.run(["git", "-C", str(path), "ls-files", "*.py"], capture_output=True, text=True).stdout.split()
    lines = sum(len((path / f).read_bytes().splitlines()) for f in py_files if (path / f).is_file())
    cache = Path(tempfile.mkdtemp(prefix="udef-bench-"))
    # As installed by pip: bytecode is cached (some CI images set PYTHONDONTWRITEBYTECODE,
    # which would make every run recompile every module).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"UDEF_AUDIT_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    audit = [str(BIN / "udef-audit"), str(path), "--format", "json", "--output", os.devnull]
    clear = lambda: (shutil.rmtree(cache, ignore_errors=True), cache.mkdir())  # noqa: E731

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] / "src")], check=False)
    rows = []
    rows.append(("ruff check --no-cache --select FIX", *best([str(BIN / "ruff"), "check", "--no-cache", "--select", "FIX", "--exit-zero", "-q", str(path)], args.repeat)))
    rows.append(("grep -rn TODO|FIXME|XXX", *best(["grep", "-rnE", r"\b(TODO|FIXME|XXX)\b", "--include=*.py", str(path)], args.repeat)))
    if not args.skip_radon:
        rows.append(("radon cc", *best([str(BIN / "radon"), "cc", "-s", str(path)], 1)))
    rows.append(("udef-audit, cold (empty cache)", *best(audit, args.repeat, env, before=clear)))
    timed(audit, env)  # fill the cache once more, then measure unchanged-tree runs
    rows.append(("udef-audit, warm (unchanged tree)", *best(audit, args.repeat, env)))

    ruff = rows[0][1]
    print(f"Tree: {path.name}, {len(py_files)} Python files, {lines} lines; "
          f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs; best of {args.repeat}\n")
    print("| command | seconds | × ruff | peak RSS (MB) |\n|---|---|---|---|")
    for name, seconds, rss in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / ruff:.1f} | {rss:.0f} |")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
