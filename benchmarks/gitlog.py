"""Benchmark: the score's history part over a 60,000-commit window (target: under one second).

Builds a synthetic repository once with ``git fast-import`` (a few seconds) and caches it
under /tmp; later runs reuse it. Then times :func:`read_history` with a window holding
every commit, and, if present, a real repository's default 90-day window.

    .venv/bin/python benchmarks/gitlog.py [--commits N] [--repeat R] [--real PATH] [--check]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from udef_audit.git_history import read_history
from udef_audit.parsers.gitlog import History
from udef_audit.scoring.history import history_signals

CACHE_ROOT = Path(tempfile.gettempdir()) / "udef-audit-bench"
TARGET_SECONDS = 1.0
START_TIMESTAMP = 1_672_531_200  # 2023-01-01T00:00:00Z: far from the wall clock on purpose
SPAN_DAYS = 80  # every commit fits the 3650-day window read below
FILE_COUNT = 400
HOTFIX_EVERY = 97  # a hotfix branch merged with --no-ff every so many commits
SUBJECTS = (
    "feat(parser): support {n}",
    "fix: handle edge case {n}",
    "Add option {n}",
    "refactor: tidy module {n}",
    "docs: explain {n}",
    "wip {n}",
    "hotfix: crash {n}",
    'Revert "feat(parser): support {n}"',
    "Fix typo in file {n} \u00e9\u00e8 \u2603",
)


def _isolated_git_env() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return env


def _data(text: str) -> bytes:
    payload = text.encode()
    return b"data %d\n%s\n" % (len(payload), payload)


def _commit(mark: int, ref: str, timestamp: int, subject: str, body: bytes) -> bytes:
    who = b"Bench <bench@example.com> %d +0000\n" % timestamp
    return b"commit %s\nmark :%d\nauthor %scommitter %s" % (ref.encode(), mark, who, who) + _data(subject) + body


def _file_edits(rng: random.Random, versions: list[int]) -> bytes:
    edits = []
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(FILE_COUNT)
        versions[index] += 1
        path = f"pkg{index % 20}/module {index}.py"  # a space, to exercise path handling
        lines = "".join(f"value_{line} = {line}\n" for line in range(versions[index] % 40 + 1))
        edits.append(b'M 100644 inline "%s"\n' % path.encode() + _data(lines))
    return b"".join(edits)


def fast_import_stream(commits: int, seed: int = 20230101) -> Iterator[bytes]:
    """A deterministic fast-import stream: ``commits`` commits on main, some hotfix merges."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    versions = [0] * FILE_COUNT
    step = SPAN_DAYS * 86_400 // commits
    mark = 0
    for number in range(commits):
        timestamp = START_TIMESTAMP + number * step
        mark += 1
        if number and number % HOTFIX_EVERY == 0:
            branch = f"refs/heads/hotfix/{number}"
            yield _commit(mark, branch, timestamp, f"hotfix: urgent fix {number}", b"")
            yield b"from :%d\n" % (mark - 1) + _file_edits(rng, versions) + b"\n"
            mark += 1
            subject = f"Merge branch 'hotfix/{number}'"
            yield _commit(mark, "refs/heads/main", timestamp, subject, b"")
            yield b"from :%d\nmerge :%d\n\n" % (mark - 2, mark - 1)
            continue
        subject = rng.choice(SUBJECTS).format(n=number)
        parent = b"from :%d\n" % (mark - 1) if mark > 1 else b""
        yield _commit(mark, "refs/heads/main", timestamp, subject, b"")
        yield parent + _file_edits(rng, versions) + b"\n"


def build_repository(commits: int) -> Path:
    """The cached benchmark repository, built with git fast-import if absent."""
    target = CACHE_ROOT / f"gitlog-{commits}"
    if (target / "complete").is_file():
        return target
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=CACHE_ROOT))
    env = _isolated_git_env()
    subprocess.run(["git", "init", "-q", "-b", "main", str(building)], check=True, env=env)
    started = time.perf_counter()
    with subprocess.Popen(["git", "fast-import", "--quiet"], cwd=building, env=env, stdin=subprocess.PIPE) as importer:
        assert importer.stdin is not None
        for piece in fast_import_stream(commits):
            importer.stdin.write(piece)
        importer.stdin.close()
        if importer.wait() != 0:
            raise SystemExit("git fast-import failed")
    (building / "complete").write_text(f"{commits}\n")
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    print(f"built {target} in {time.perf_counter() - started:.1f} s")
    return target


@dataclass(frozen=True)
class Timing:
    """One read: wall-clock seconds, and CPU seconds spent in Python and in git."""

    wall: float
    python_cpu: float
    git_cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_read(root: Path, window_days: int, repeat: int, *, files: bool = True) -> tuple[list[Timing], History]:
    """Timings of each read_history run, and the history read.

    CPU times are reported too: on a loaded machine the wall clock measures the neighbours.
    """
    timings = []
    for _ in range(repeat):
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        history = read_history(root, window_days=window_days, files=files)
        timings.append(
            Timing(
                wall=time.perf_counter() - wall,
                python_cpu=time.process_time() - cpu,
                git_cpu=_children_cpu() - children,
            )
        )
        if not history.available:
            raise SystemExit(f"{root}: history unavailable: {history.reason}")
    return timings, history


def time_git_alone(root: Path) -> Timing:
    """The same git log, output discarded: the floor no parser can go under."""
    wall, children = time.perf_counter(), _children_cpu()
    subprocess.run(
        ["git", "log", "-z", "--name-only", "--no-renames", "--format=%x1e%H%x1f%P%x1f%ct%x1f%cI%x1f%s"],
        cwd=root,
        env=_isolated_git_env(),
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return Timing(wall=time.perf_counter() - wall, python_cpu=0.0, git_cpu=_children_cpu() - children)


def time_scoring(history: History) -> float:
    """Seconds to turn the history into the reset-vs-repair history signals."""
    started = time.perf_counter()
    history_signals(history)
    return time.perf_counter() - started


def _report(label: str, timings: list[Timing], count: int) -> None:
    best = min(timings, key=lambda timing: timing.wall)
    median = statistics.median(timing.wall for timing in timings)
    print(
        f"{label}: {count} commits; wall best {best.wall:.3f} s, median {median:.3f} s over {len(timings)} runs;"
        f" CPU of the best run: python {best.python_cpu:.3f} s, git {best.git_cpu:.3f} s"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; with --check, exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--real", type=Path, default=Path(tempfile.gettempdir()) / "sympy")
    parser.add_argument("--check", action="store_true", help="exit 1 if over the target")
    options = parser.parse_args(argv)

    repository = build_repository(options.commits)
    timings, history = time_read(repository, window_days=3650, repeat=options.repeat)
    _report(f"read_history, synthetic ({repository})", timings, len(history.commits))
    if len(history.commits) < options.commits:
        raise SystemExit(f"expected at least {options.commits} commits in the window")
    light_timings, _ = time_read(repository, window_days=3650, repeat=options.repeat, files=False)
    _report("read_history(files=False), same repository", light_timings, len(history.commits))
    alone = time_git_alone(repository)
    print(f"git log --name-only alone (paths of every commit), same repository: wall {alone.wall:.3f} s,"
          f" CPU {alone.git_cpu:.3f} s")
    signals = time_scoring(history)
    print(f"history_signals on those commits: {signals:.3f} s")
    if (options.real / ".git").exists():
        real_timings, real_history = time_read(options.real, window_days=90, repeat=options.repeat)
        _report(f"read_history, {options.real}, 90-day window", real_timings, len(real_history.commits))
        print(f"history_signals on those commits: {time_scoring(real_history):.3f} s")
    # The score's history part: reading the window, then the signals computed from it.
    part = min(timing.wall for timing in timings) + signals
    met = part < TARGET_SECONDS
    print(f"target: the score's history part < {TARGET_SECONDS:.0f} s on the synthetic window:"
          f" {part:.2f} s (read {part - signals:.2f} + signals {signals:.2f}), {'met' if met else 'MISSED'}")
    return 0 if met or not options.check else 1


if __name__ == "__main__":
    sys.exit(main())
