"""Benchmark: a full udef-audit run against the tools a user would otherwise run (issue 18).

Usage: python benchmarks/audit.py PATH [--repeat N] [--skip-radon] [--skip-scaling]
       [--file RELATIVE_PATH]

Measured side by side in one run on the same tree, each command a separate process, best
of N, peak RSS of the process tree from the OS:

- `ruff check --no-cache --select FIX`, `radon cc`, `grep -rn` for the placeholder words;
- `udef-audit` cold (empty cache) and warm (same cache, unchanged tree);
- `udef-audit --files ONE_FILE` from inside the repository, as a pre-commit hook runs it: on
  the file just edited (a comment line appended before each run, the file restored after;
  the rule cache cannot answer), and, for comparison, unchanged since the last run; against
  `python -c pass` + ruff on that file;
- the scaling table: the tree cut to a quarter, a half and whole (every 4th / 2nd tracked
  file, committed into a fresh repository under /tmp), and a synthetic 5,000-file one;
- each figure against its target (met / not met), with the load average when measured (the
  machine is shared: wall times under load are not the tool's).

Prints Markdown for docs/reports/benchmark.md. Not a test: the numbers depend on the machine.
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
Row = tuple[str, float, float]

COLD_X_RUFF = 3.0
WARM_X_RUFF = 0.5
FILES_MS = 120
FILES_X_BASELINE = 3.0
PEAK_MB = 250
SYNTHETIC_FILES = 5000


def timed(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of `argv` and its children."""
    before = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, _status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - before, usage.ru_maxrss / 1024


def best(
    argv: list[str],
    repeat: int,
    env: dict[str, str] | None = None,
    before: Callable[[], object] | None = None,
    cwd: Path | None = None,
) -> tuple[float, float]:
    """The fastest of `repeat` runs, and the largest peak memory seen."""
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(timed(argv, env, cwd))
    return min(r[0] for r in runs), max(r[1] for r in runs)


def load() -> str:
    """The 1-minute load average, said next to every figure."""
    return f"{os.getloadavg()[0]:.1f}"


def git(*args: str, cwd: Path) -> str:
    """Run git quietly in `cwd` with a fixed identity; its output."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.com"}
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=True)
    return done.stdout


def tracked(path: Path) -> list[str]:
    """The tree's tracked files."""
    return [f for f in git("-c", "core.quotepath=off", "ls-files", cwd=path).splitlines() if (path / f).is_file()]


def median_file(path: Path) -> str:
    """The tracked Python file of median size: what a commit typically touches."""
    python = sorted((f for f in tracked(path) if f.endswith(".py")), key=lambda f: (path / f).stat().st_size)
    return python[len(python) // 2]


def tree_size(path: Path) -> tuple[int, int]:
    """Tracked Python files and their lines."""
    files = [path / f for f in tracked(path) if f.endswith(".py")]
    return len(files), sum(len(f.read_bytes().splitlines()) for f in files)


def cut(path: Path, every: int, into: Path) -> Path:
    """Every `every`-th tracked file of `path`, committed into a new repository `into`."""
    for name in tracked(path)[::every]:
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path / name, target)
    return commit(into)


def synthetic(into: Path, files: int) -> Path:
    """A repository of `files` small Python modules in packages of 50, with a manifest."""
    (into / "pyproject.toml").parent.mkdir(parents=True, exist_ok=True)
    (into / "pyproject.toml").write_text('[project]\nname = "synthetic"\nversion = "1"\n', encoding="utf-8")
    for number in range(files):
        module = into / "src" / "synthetic" / f"pkg{number // 50:03d}" / f"mod{number:05d}.py"
        module.parent.mkdir(parents=True, exist_ok=True)
        body = f'"""Module {number}."""\n\n\ndef f{number}(x: int) -> int:\n    return x + {number}\n'
        if number % 97 == 0:
            body += "\n\ndef later() -> None:  # TODO: finish\n    raise NotImplementedError\n"
        module.write_text(body, encoding="utf-8")
    return commit(into)


def commit(into: Path) -> Path:
    """Commit everything under `into` in a fresh repository."""
    git("init", "-q", cwd=into)
    git("add", "-A", cwd=into)
    git("commit", "-q", "-m", "snapshot", cwd=into)
    return into


class Bench:
    """The environment of the udef-audit runs: a private cache and bytecode caching."""

    def __init__(self, repeat: int) -> None:
        self.repeat = repeat
        self.cache = Path(tempfile.mkdtemp(prefix="udef-bench-"))
        # As installed by pip: bytecode is cached (some CI images set PYTHONDONTWRITEBYTECODE,
        # which would make every run recompile every module).
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env |= {"UDEF_AUDIT_CACHE_DIR": str(self.cache), "NO_COLOR": "1"}

    def clear(self) -> None:
        """An empty cache: the next run is cold."""
        shutil.rmtree(self.cache, ignore_errors=True)
        self.cache.mkdir()

    def audit(self, path: Path) -> list[str]:
        """The command line of a full audit (JSON, as a CI job would write it)."""
        return [str(BIN / "udef-audit"), str(path), "--format", "json", "--output", os.devnull]

    def cold(self, path: Path) -> tuple[float, float]:
        """Best cold run."""
        return best(self.audit(path), self.repeat, self.env, before=self.clear)

    def warm(self, path: Path) -> tuple[float, float]:
        """Best warm run (the cache filled by one run first): the stored report, replayed."""
        timed(self.audit(path), self.env)
        return best(self.audit(path), self.repeat, self.env)

    def rebuilt(self, path: Path) -> tuple[float, float]:
        """Best warm run whose report is built again: a variable set anew for each run is
        part of the replay key (ADR 0015) but not of the rule cache's, so every rule is
        replayed and the score, gates, fixes and report are computed as before ADR 0015."""
        timed(self.audit(path), self.env)
        runs = [timed(self.audit(path), {**self.env, "UDEF_BENCH_RUN": str(n)}) for n in range(self.repeat)]
        return min(r[0] for r in runs), max(r[1] for r in runs)


def verdict(ok: bool) -> str:
    """How a target reads in the table."""
    return "met" if ok else "not met"


def side_by_side(bench: Bench, path: Path, skip_radon: bool) -> list[Row]:
    """Rows of the main table; the first is ruff's."""
    ruff = [str(BIN / "ruff"), "check", "--no-cache", "--select", "FIX", "--exit-zero", "-q", str(path)]
    grep = ["grep", "-rnE", r"\b(TODO|FIXME|XXX)\b", "--include=*.py", str(path)]
    rows: list[Row] = [
        (f"ruff check --no-cache --select FIX (load {load()})", *best(ruff, bench.repeat)),
        (f"grep -rn TODO|FIXME|XXX (load {load()})", *best(grep, bench.repeat)),
    ]
    if not skip_radon:
        rows.append((f"radon cc -s (load {load()})", *best([str(BIN / "radon"), "cc", "-s", str(path)], 1)))
    rows.append((f"udef-audit, cold (empty cache) (load {load()})", *bench.cold(path)))
    rows.append((f"udef-audit, warm (unchanged tree) (load {load()})", *bench.warm(path)))
    rows.append((f"udef-audit, warm, report rebuilt (rules from the cache) (load {load()})", *bench.rebuilt(path)))
    return rows


def one_file(bench: Bench, path: Path, name: str) -> tuple[float, float, float, float]:
    """`--files NAME` from inside the repository, on the file just edited (what a pre-commit
    hook sees: the rule cache cannot answer) and unchanged since the last run (it can);
    `python -c pass`; ruff on the file."""
    audit = [str(BIN / "udef-audit"), "--files", name]
    timed(audit, bench.env, path)
    unchanged, _ = best(audit, max(bench.repeat, 5), bench.env, cwd=path)
    edited = edited_runs(bench, path, name, max(bench.repeat, 5))
    python, _ = best([sys.executable, "-c", "pass"], 5)
    ruff, _ = best([str(BIN / "ruff"), "check", "--no-cache", "-q", "--exit-zero", name], 5, cwd=path)
    return edited, unchanged, python, ruff


def edited_runs(bench: Bench, path: Path, name: str, repeat: int) -> float:
    """Best `--files NAME` run right after an edit of the file (a new comment line each time);
    the file gets its bytes back afterwards."""
    target = path / name
    original = target.read_bytes()
    audit = [str(BIN / "udef-audit"), "--files", name]
    runs = []
    try:
        for n in range(repeat):
            target.write_bytes(original + f"\n# udef-audit benchmark edit {n} {time.time_ns()}\n".encode())
            runs.append(timed(audit, bench.env, path)[0])
    finally:
        target.write_bytes(original)
    return min(runs)


def scaling(bench: Bench, path: Path) -> list[tuple[str, int, float, float]]:
    """(tree, files, cold seconds, peak MB) for the cuts and the synthetic repository."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="udef-bench-scale-") as tmp:
        trees = [(f"{path.name} 1/4", cut(path, 4, Path(tmp) / "quarter")),
                 (f"{path.name} 1/2", cut(path, 2, Path(tmp) / "half")),
                 (f"{path.name} whole", path),
                 (f"synthetic, {SYNTHETIC_FILES} modules", synthetic(Path(tmp) / "synthetic", SYNTHETIC_FILES))]
        for label, tree in trees:
            seconds, peak = bench.cold(tree)
            rows.append((f"{label} (load {load()})", len(tracked(tree)), seconds, peak))
    return rows


def print_main(rows: list[Row]) -> None:
    """The side-by-side table."""
    print("| command | seconds | vs ruff | peak RSS (MB) |\n|---|---|---|---|")
    for name, seconds, rss in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / rows[0][1]:.1f}x | {rss:.0f} |")


def print_targets(rows: list[Row], files: tuple[float, float, float, float], name: str) -> None:
    """Each figure of issue 18 against its target (one file: as a pre-commit hook runs it)."""
    ruff = rows[0][1]
    cold, warm = rows[-3], rows[-2]
    one, unchanged, python, ruff_one = files
    baseline = python + ruff_one
    peak = max(r[2] for r in rows[-3:])
    print("\n| target (issue 18) | measured | |\n|---|---|---|")
    print(f"| cold ≤ {COLD_X_RUFF:g}x ruff | {cold[1]:.2f} s = {cold[1] / ruff:.1f}x | "
          f"{verdict(cold[1] <= COLD_X_RUFF * ruff)} |")
    print(f"| warm ≤ {WARM_X_RUFF:g}x ruff | {warm[1]:.2f} s = {warm[1] / ruff:.2f}x | "
          f"{verdict(warm[1] <= WARM_X_RUFF * ruff)} |")
    print(f"| `--files {name}`, just edited, ≤ {FILES_MS} ms (load {load()}) | {one * 1000:.0f} ms "
          f"(unchanged since the last run: {unchanged * 1000:.0f} ms) | {verdict(one * 1000 <= FILES_MS)} |")
    print(f"| `--files` ≤ {FILES_X_BASELINE:g}x (`python -c pass` {python * 1000:.0f} ms + ruff on the file "
          f"{ruff_one * 1000:.0f} ms) | {one / baseline:.1f}x | {verdict(one <= FILES_X_BASELINE * baseline)} |")
    print(f"| peak memory ≤ {PEAK_MB} MB | {peak:.0f} MB | {verdict(peak <= PEAK_MB)} |")


def print_scaling(rows: list[tuple[str, int, float, float]]) -> None:
    """The scaling table, with the cost per thousand files."""
    print("\n| tree, cold | files | seconds | ms per file | peak RSS (MB) |\n|---|---|---|---|---|")
    for label, files, seconds, peak in rows:
        print(f"| {label} | {files} | {seconds:.2f} | {seconds * 1000 / files:.2f} | {peak:.0f} |")
    quarter, whole = rows[0], rows[2]
    growth = (whole[2] / quarter[2]) / (whole[1] / quarter[1])
    print(f"\nwhole vs 1/4: {whole[1] / quarter[1]:.1f}x the files, {whole[2] / quarter[2]:.1f}x the time "
          f"(time per file x{growth:.2f}: {verdict(growth <= 1.25)} for 'grows linearly', tolerance 1.25)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-radon", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--file", default=None, help="the file for --files (default: the median-sized tracked .py)")
    args = parser.parse_args()
    path = args.path.resolve()
    bench = Bench(args.repeat)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC)], check=False)
    name = args.file or median_file(path)
    rows = side_by_side(bench, path, args.skip_radon)
    files = one_file(bench, path, name)
    files_count, lines = tree_size(path)
    print(
        f"Tree: {path.name}, {files_count} Python files, {lines} lines; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs; best of {args.repeat}\n"
    )
    print_main(rows)
    print_targets(rows, files, name)
    if not args.skip_scaling:
        print_scaling(scaling(bench, path))
    shutil.rmtree(bench.cache, ignore_errors=True)


if __name__ == "__main__":
    main()
