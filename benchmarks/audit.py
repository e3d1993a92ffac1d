"""Benchmark: a full udef-audit run against the tools a user would otherwise run.

Usage: python benchmarks/audit.py PATH [--repeat N] [--skip-radon]

Measured side by side in one run on the same tree: `ruff check --no-cache --select FIX`,
`radon cc`, `grep -rn` for the placeholder words, a cold `udef-audit` (empty cache) and a
warm one (same cache, unchanged tree), each as a separate process, best of N; peak RSS of
the process tree from the OS. Prints a Markdown table for docs/reports/benchmark.md.
Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parents[1] / "src"


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of `argv` and its children."""
    before = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - before, usage.ru_maxrss / 1024


def best(
    argv: list[str], repeat: int, env: dict[str, str] | None = None, before: Callable[[], object] | None = None
) -> tuple[float, float]:
    """The fastest of `repeat` runs, and the largest peak memory seen."""
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(timed(argv, env))
    return min(r[0] for r in runs), max(r[1] for r in runs)


def tree_size(path: Path) -> tuple[int, int]:
    """Tracked Python files and their lines."""
    listed = subprocess.run(["git", "-C", str(path), "ls-files", "*.py"], capture_output=True, text=True, check=False)
    files = [path / f for f in listed.stdout.split()]
    return len(files), sum(len(f.read_bytes().splitlines()) for f in files if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-radon", action="store_true")
    args = parser.parse_args()
    path = args.path.resolve()
    cache = Path(tempfile.mkdtemp(prefix="udef-bench-"))
    # As installed by pip: bytecode is cached (some CI images set PYTHONDONTWRITEBYTECODE,
    # which would make every run recompile every module).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"UDEF_AUDIT_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC)], check=False)
    audit = [str(BIN / "udef-audit"), str(path), "--format", "json", "--output", os.devnull]

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()

    ruff = [str(BIN / "ruff"), "check", "--no-cache", "--select", "FIX", "--exit-zero", "-q", str(path)]
    grep = ["grep", "-rnE", r"\b(TODO|FIXME|XXX)\b", "--include=*.py", str(path)]
    rows = [
        ("ruff check --no-cache --select FIX", *best(ruff, args.repeat)),
        ("grep -rn TODO|FIXME|XXX", *best(grep, args.repeat)),
    ]
    if not args.skip_radon:
        rows.append(("radon cc -s", *best([str(BIN / "radon"), "cc", "-s", str(path)], 1)))
    rows.append(("udef-audit, cold (empty cache)", *best(audit, args.repeat, env, before=clear)))
    timed(audit, env)  # fill the cache, then measure runs on the unchanged tree
    rows.append(("udef-audit, warm (unchanged tree)", *best(audit, args.repeat, env)))
    shutil.rmtree(cache, ignore_errors=True)

    files, lines = tree_size(path)
    print(
        f"Tree: {path.name}, {files} Python files, {lines} lines; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs; best of {args.repeat}\n"
    )
    print("| command | seconds | vs ruff | peak RSS (MB) |\n|---|---|---|---|")
    for name, seconds, rss in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / rows[0][1]:.1f}x | {rss:.0f} |")


if __name__ == "__main__":
    main()
