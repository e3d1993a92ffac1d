"""Benchmark: what fifty custom policies add to a cold audit.

Usage: python benchmarks/policies.py PATH [--repeat N] [--count 50]

Writes `--count` policies made from the cookbook (docs/policies: five variants of each of
the ten, the text policies with five different patterns, the data and Dockerfile ones
reading the same files as each other, as an org's policies would), then runs a cold
`udef-audit PATH` (empty cache, separate process) without and with `--policies DIR`,
alternating the two so that machine load hits both alike, best of N. Prints a Markdown
table for docs/reports/benchmark.md. Not a test: the numbers depend on the machine.
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

from audit import BIN, SRC

COOKBOOK = Path(__file__).resolve().parents[1] / "docs" / "policies"
PRINT_VARIANTS = (r"\bprint\(", r"\bpprint\(", r"\bbreakpoint\(\)", r"\bpdb\.set_trace\(", r"\bos\.system\(")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, the process and its children: what machine
    load disturbs least) and peak RSS (MB) of one run."""
    before = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - before, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def write_policies(folder: Path, count: int) -> int:
    """`count` policies from the cookbook, IDs BENCH001..., examples left out."""
    sources = sorted(COOKBOOK.glob("*.yaml"))
    written = 0
    while written < count:
        for source in sources:
            if written == count:
                break
            text = source.read_text(encoding="utf-8").split("\nexamples:", 1)[0] + "\n"
            original = next(line for line in text.splitlines() if line.startswith("id: "))[4:]
            text = text.replace(f"id: {original}", f"id: BENCH{written + 1:03d}")
            text = text.replace("slug: ", f"slug: v{written + 1}-", 1)
            if r"\bprint\(" in text:
                # Over every Python file (sympy has no src/): the costly case, each variant
                # reads and searches all of them (and lexes those with a match).
                text = text.replace(r"\bprint\(", PRINT_VARIANTS[written // len(sources) % len(PRINT_VARIANTS)])
                text = text.replace('["src/**/*.py", "!src/**/cli.py"]', '"**/*.py"')
            (folder / f"bench{written + 1:03d}.yaml").write_text(text, encoding="utf-8")
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="udef-bench-policies-"))
    policies, cache = work / "policies", work / "cache"
    policies.mkdir()
    write_policies(policies, args.count)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"UDEF_AUDIT_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC)], check=False)
    base = [str(BIN / "udef-audit"), str(args.path.resolve()), "--format", "json", "--output", os.devnull]
    ids = ",".join(f"BENCH{n + 1:03d}" for n in range(args.count))
    commands = {
        "without policies": base,
        f"with {args.count} policies": [*base, "--policies", str(policies)],
        # What the policies cost alone (the inventory and every parse they need, none shared
        # with a built-in rule), against the inventory alone: an upper bound of their share.
        "inventory only (--select UDEF000)": [*base, "--select", "UDEF000"],
        f"only the {args.count} policies (--select them)": [*base, "--policies", str(policies), "--select", ids],
    }
    check = subprocess.run(commands[f"with {args.count} policies"], env=env, capture_output=True, text=True,
                           check=False)
    if check.returncode not in (0, 1):
        sys.exit(f"the audit with policies failed ({check.returncode}): {check.stderr}")
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, argv in commands.items():
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir()
            runs[name].append(timed(argv, env))
    shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"{args.path.name}, best of {args.repeat}, cold cache, {os.cpu_count()} CPUs, load {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}\n")
    print("| cold audit | wall best s | wall median s | CPU median s | peak RSS (MB) |\n|---|---|---|---|---|")
    medians = {}
    for name, measured in runs.items():
        wall = sorted(m[0] for m in measured)
        cpu = sorted(m[1] for m in measured)
        medians[name] = (wall[0], cpu[len(cpu) // 2])
        print(f"| {name} | {wall[0]:.2f} | {wall[len(wall) // 2]:.2f} | {cpu[len(cpu) // 2]:.2f} | "
              f"{max(m[2] for m in measured):.0f} |")
    (wall_without, cpu_without), (wall_with, cpu_with) = list(medians.values())[:2]
    print(f"\nadded, wall (best): {wall_with - wall_without:+.2f} s ({(wall_with / wall_without - 1) * 100:+.1f} %); "
          f"CPU (median): {cpu_with - cpu_without:+.2f} s ({(cpu_with / cpu_without - 1) * 100:+.1f} %)")


if __name__ == "__main__":
    main()
