"""Benchmark: CPU time (user + system, children included) of two versions of udef-audit.

Usage: python benchmarks/cpu_compare.py PATH FILE --before OTHER_SRC

Runs this checkout's tool and the one whose `src/` folder is OTHER_SRC (a worktree of main,
say: `git worktree add /tmp/main-wt main`, then `--before /tmp/main-wt/src`), one after the
other on the same tree: cold, warm (JSON and text to a file) and `--files FILE` from inside
PATH. On a shared machine wall times follow the load; CPU time much less, so a before/after
comparison made in the same minute holds. Not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

Sample = tuple[float, float, float]


def run(argv: list[str], env: dict[str, str], cwd: Path) -> Sample:
    """CPU seconds (children included), wall seconds and peak RSS (MB) of one run."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, _status, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - started, usage.ru_maxrss / 1024


def best(argv: list[str], env: dict[str, str], cwd: Path, repeat: int, cache: Path | None = None) -> Sample:
    """Least CPU and wall of `repeat` runs, largest RSS (an empty cache before each when given)."""
    samples = []
    for _ in range(repeat):
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir()
        samples.append(run(argv, env, cwd))
    return min(s[0] for s in samples), min(s[1] for s in samples), max(s[2] for s in samples)


def measure(label: str, path: Path, name: str, extra_env: dict[str, str]) -> None:
    """One version's figures, printed as a Markdown row."""
    cache = Path(tempfile.mkdtemp(prefix="udef-cpu-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"UDEF_AUDIT_CACHE_DIR": str(cache), "NO_COLOR": "1", **extra_env}
    tool = [sys.executable, "-m", "udef_audit"]
    outside = Path(tempfile.gettempdir())
    audit = [*tool, str(path), "--format", "json", "-o", os.devnull]
    cold = best(audit, env, outside, 2, cache)
    run(audit, env, outside)
    warm = best(audit, env, outside, 3)
    text = best([*tool, str(path), "-o", str(cache / "report.txt")], env, outside, 3)
    one = [*tool, "--files", name]
    run(one, env, path)
    files = best(one, env, path, 5)
    shutil.rmtree(cache, ignore_errors=True)
    print(
        f"| {label} | {os.getloadavg()[0]:.1f} | {cold[0]:.2f} / {cold[1]:.2f} | {warm[0]:.2f} / {warm[1]:.2f} | "
        f"{text[0]:.2f} / {text[1]:.2f} | {files[0]:.3f} / {files[1]:.3f} | {cold[2]:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("file", help="the file for --files, relative to PATH")
    parser.add_argument("--before", type=Path, required=True, help="the src/ folder of the other version")
    args = parser.parse_args()
    print("| version | load | cold CPU / wall | warm JSON | warm text to a file | --files | peak MB |")
    print("|---|---|---|---|---|---|---|")
    measure(f"before ({args.before})", args.path.resolve(), args.file, {"PYTHONPATH": str(args.before.resolve())})
    measure("this checkout", args.path.resolve(), args.file, {})


if __name__ == "__main__":
    main()
