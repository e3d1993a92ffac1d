"""Benchmark: `udef-audit batch` throughput in repositories per minute (aim: >= 600/min on 2 cores).

Builds N small git repositories (default 300; a few commits each at fixed dates, six kinds
from compliant to broken) once and caches them under /tmp; later runs reuse them. Then runs
the installed `udef-audit batch` on them, as a user would:

1. cold: `--force`, empty clone cache and per-file cache: every repository audited;
2. warm: the same list again without `--force`: nothing changed, everything skipped.

It prints repositories per minute, and the split between the audits themselves (the
`seconds` the database records per repository) and everything around them (process start,
scheduling, storage), to show which one dominates.

    .venv/bin/python benchmarks/batch.py [--repos N] [--jobs 2] [--executor local|dask] [--rebuild]

With `--executor dask` (needs dask and distributed) a local Dask cluster of `--jobs`
single-threaded workers is started and passed as `--scheduler`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

CACHE_ROOT = Path(tempfile.gettempdir()) / "udef-audit-bench"
CLI = Path(sys.executable).parent / "udef-audit"
TARGET_PER_MINUTE = 600  # issue 18 (issue 6 asked for 300)
DATES = ("2024-03-01T10:00:00+00:00", "2024-03-05T10:00:00+00:00", "2024-03-09T10:00:00+00:00")
PYPROJECT = '[project]\nname = "demo{n}"\nversion = "1.0"\ndependencies = ["requests>=2"]\n'

# Six kinds of repository, from compliant to broken, so every rule has work to do.
KINDS: dict[str, dict[str, str]] = {
    "clean": {
        "pyproject.toml": PYPROJECT,
        "uv.lock": "version = 1\n",
        "src/demo{n}/__init__.py": '"""Demo {n}."""\n',
        "src/demo{n}/core.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
        "tests/test_core.py": "def test_add() -> None:\n    assert 1 + 1 == 2\n",
        "docs/design/demo-requirements.md": "FR-01: The demo SHALL add.\n",
        "docs/reports/status-report.md": "# Status\n",
    },
    "flat": {
        "pyproject.toml": PYPROJECT,
        "demo{n}/__init__.py": "VALUE = {n}\n",
        "demo{n}/util.py": "def twice(x):\n    return 2 * x\n",
    },
    "requirements": {
        "requirements.txt": "requests==2.31.0\nflask\n",
        "setup.py": "from setuptools import setup\nsetup(name='demo{n}', version='1')\n",
        "app.py": "import requests\n\n\ndef main():\n    return requests.get\n",
    },
    "todos": {
        "pyproject.toml": PYPROJECT,
        "uv.lock": "version = 1\n",
        "src/demo{n}/__init__.py": "# TODO: write the real thing\ndef stub():\n    raise NotImplementedError\n",
        "src/demo{n}/more.py": "x = 1  # FIXME later\n",
    },
    "docker": {
        "pyproject.toml": PYPROJECT,
        "uv.lock": "version = 1\n",
        "src/demo{n}/__init__.py": '"""Demo."""\n',
        "Dockerfile": "FROM python:3.12 AS test\nRUN pip install --no-deps .\nFROM python:3.11-slim AS runtime\n",
    },
    "scripts": {
        "pyproject.toml": PYPROJECT,
        "src/demo{n}/__init__.py": '"""Demo."""\n',
        "scripts/install.sh": "#!/bin/sh\npip install --no-deps -r requirements.txt\n",
        "noxfile.py": "import nox\n\n\n@nox.session\ndef tests(session):\n    session.install('--no-deps', '.')\n",
    },
}


def _git_env() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
    )
    return env


def build_repository(path: Path, kind: str, number: int, env: dict[str, str]) -> None:
    """A repository of `kind` with three commits at fixed dates."""
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, env=env, check=True)
    files = list(KINDS[kind].items())
    for index, date in enumerate(DATES):
        for name, text in files[index::3]:
            target = path / name.format(n=number)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text.format(n=number) if "{n}" in text else text, encoding="utf-8")
        subprocess.run(["git", "add", "-A"], cwd=path, env=env, check=True)
        dated = {**env, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        message = f"{kind}: step {index + 1}"
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd=path, env=dated, check=True)


def repositories(count: int, rebuild: bool) -> Path:
    """The cached directory of `count` repositories (built on first use)."""
    root = CACHE_ROOT / f"batch-{count}"
    if rebuild:
        shutil.rmtree(root, ignore_errors=True)
    if (root / ".complete").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    env = _git_env()
    started = time.perf_counter()
    kinds = sorted(KINDS)
    for number in range(count):
        kind = kinds[number % len(kinds)]
        build_repository(root / f"{kind}-{number:04d}", kind, number, env)
    (root / ".complete").write_text("ok\n")
    print(f"built {count} repositories in {time.perf_counter() - started:.1f} s under {root}")
    return root


@contextlib.contextmanager
def dask_scheduler(jobs: int, *, daemon_workers: bool) -> Iterator[str]:
    """A local Dask cluster of `jobs` single-threaded workers; its address.

    Dask workers are daemonic processes by default, which may not start children: each
    repository then runs in a fresh interpreter (`python -m udef_audit.batch.worker`).
    `distributed.worker.daemon: False` lets them use the fork server like the local executor.
    """
    import dask  # noqa: PLC0415 - optional
    from distributed import LocalCluster  # noqa: PLC0415 - optional

    with (
        dask.config.set({"distributed.worker.daemon": daemon_workers}),
        LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
    ):
        yield str(cluster.scheduler_address)


def run_batch(root: Path, work: Path, jobs: int, extra: list[str], *, force: bool) -> float:
    """One `udef-audit batch` run; its wall-clock seconds."""
    env = {**os.environ, "UDEF_AUDIT_CACHE_DIR": str(work / "cache"), "NO_COLOR": "1"}
    command = [str(CLI), "batch", str(root), "--db", str(work / "batch.sqlite"), "--jobs", str(jobs)]
    command += ["--cache", str(work / "clones"), *extra, *(["--force"] if force else [])]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"udef-audit batch failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def audit_seconds(database: Path) -> tuple[int, float, dict[str, int]]:
    """Repositories audited in the last run, the sum of their audit seconds, and statuses."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        run = db.execute("SELECT MAX(id) FROM runs").fetchone()[0]
        rows = db.execute("SELECT status, seconds FROM results WHERE run_id = ?", (run,)).fetchall()
    statuses: dict[str, int] = {}
    for status, _ in rows:
        statuses[status] = statuses.get(status, 0) + 1
    audited = [seconds for status, seconds in rows if status in ("ok", "failed", "timeout")]
    return len(audited), sum(audited), statuses


def report(label: str, count: int, elapsed: float, jobs: int, database: Path) -> float:
    """Print one run's figures; its repositories per minute."""
    per_minute = count / elapsed * 60
    audited, busy, statuses = audit_seconds(database)
    print(f"{label}: {count} repositories in {elapsed:.1f} s = {per_minute:.0f} repositories/min  {statuses}")
    if audited:
        mean_audit = busy / audited
        per_slot = elapsed * jobs / audited
        print(
            f"  per repository: {per_slot * 1000:.0f} ms of a core, of which the audit itself "
            f"{mean_audit * 1000:.0f} ms and everything around it (process, probe, store) "
            f"{(per_slot - mean_audit) * 1000:.0f} ms"
        )
    return per_minute


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--executor", choices=("local", "dask"), default="local")
    parser.add_argument("--rebuild", action="store_true", help="build the repositories again")
    parser.add_argument(
        "--daemon-workers", action="store_true", help="dask: keep Dask's default daemonic workers (slow path)"
    )
    args = parser.parse_args()
    root = repositories(args.repos, args.rebuild)
    with tempfile.TemporaryDirectory(prefix="udef-audit-bench-batch-") as tmp:
        work = Path(tmp)
        with contextlib.ExitStack() as stack:
            extra = ["--executor", args.executor]
            if args.executor == "dask":
                scheduler = dask_scheduler(args.jobs, daemon_workers=args.daemon_workers)
                extra += ["--scheduler", stack.enter_context(scheduler)]
            cold = run_batch(root, work, args.jobs, extra, force=True)
            cold_rate = report(
                f"cold ({args.executor}, {args.jobs} jobs)", args.repos, cold, args.jobs, work / "batch.sqlite"
            )
            warm = run_batch(root, work, args.jobs, extra, force=False)
            report("warm (nothing changed)", args.repos, warm, args.jobs, work / "batch.sqlite")
    verdict = "meets" if cold_rate >= TARGET_PER_MINUTE else "misses"
    print(f"{verdict} the target of {TARGET_PER_MINUTE} repositories/min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
