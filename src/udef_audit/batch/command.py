"""`udef-audit batch LIST`: audit every repository of an organisation into one summary.

The steps: read LIST; check the options; open the database and start a run; look at every
repository's HEAD (in threads: `git rev-parse` for a local path, `git ls-remote` for a URL,
no clone); record at once what needs no audit (a refused or missing entry, an empty
repository, and, unless --force, a repository unchanged since its last ok result, as
"skipped"); hand the rest to the executor and record each outcome the moment it arrives;
close the run; print the summary table and write the exports.

Exit codes (EXIT_CODES, shown by `udef-audit batch --help`): 0 every repository has a
result (audited, or skipped as unchanged), whatever its findings; 2 a usage error (a bad
list, a bad option); 3 the batch itself failed (its results so far stay in the database);
4 the batch ran but some repositories could not be audited (failed or timed out): their
reasons are in every export, and a scheduled job must not mistake a partial report for a
whole one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from udef_audit import __version__
from udef_audit.baseline import load_org_policy
from udef_audit.batch.clone import audited_in_place, cache_entry, redact
from udef_audit.batch.executor import (
    BatchProgress,
    Executor,
    ExecutorUnavailable,
    executor_options,
    make_executor,
)
from udef_audit.batch.exports import csv_text, html_text, json_text, print_summary_table, write_file
from udef_audit.batch.model import RepoOutcome, RepoTask, Tally
from udef_audit.batch.repos import ListEntry, ListError, Probe, probe, read_repository_list
from udef_audit.batch.store import Store, StoreError
from udef_audit.batch.worker import policy_digest, sarif_name
from udef_audit.cache import cache_dir
from udef_audit.config import ConfigError
from udef_audit.policy import load_policy

EXIT_OK, EXIT_USAGE, EXIT_BATCH_FAILED, EXIT_INCOMPLETE = 0, 2, 3, 4
EXIT_CODES = f"""exit codes:
  {EXIT_OK}  every repository has a result (audited, or skipped as unchanged), whatever its findings
  {EXIT_USAGE}  usage error: a bad list or option, nothing audited
  {EXIT_BATCH_FAILED}  the batch itself failed; the results recorded so far stay in the database
  {EXIT_INCOMPLETE}  some repositories could not be audited (failed or timed out); the others are
     recorded and reported, and every export gives each failure's reason
"""
PROBE_THREADS_PER_JOB = 4  # probes wait on git and the network, not on a core
MAX_PROBE_THREADS = 32


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2 (through ConfigError)."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(message)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


def batch_parser() -> argparse.ArgumentParser:
    """The options of `udef-audit batch`."""
    parser = _Parser(
        prog="udef-audit batch",
        description="Audit many repositories (an organisation) and summarise them in one report.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "list",
        metavar="LIST",
        help="file of git URLs or local paths (one per line), - for stdin, "
        "or a directory whose git checkouts are audited",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=Path("udef-audit.sqlite"),
        metavar="FILE",
        help="SQLite database of runs and results (default: udef-audit.sqlite)",
    )
    parser.add_argument("--cache", type=Path, metavar="DIR", help="clone cache (default: ~/.cache/udef-audit/clones)")
    parser.add_argument("--jobs", type=_positive_int, metavar="N", help="repositories at a time (default: CPU count)")
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=300.0,
        metavar="SECONDS",
        help="per repository, clone and audit together (default: 300)",
    )
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="the org policy (TOML) applied to every repository above its own configuration",
    )
    parser.add_argument("--sarif-dir", type=Path, metavar="DIR", help="write one SARIF file per repository here")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write the org summary as CSV")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the org summary as JSON")
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the org summary as an HTML report")
    parser.add_argument(
        "--executor", choices=("local", "dask"), default="local", help="where the audits run (default: local processes)"
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (with --executor dask)")
    parser.add_argument("--force", action="store_true", help="audit every repository, even an unchanged one")
    return parser


@dataclass(frozen=True)
class BatchSettings:
    """The checked options, paths made absolute (a worker may run elsewhere)."""

    db: Path
    cache: Path
    timeout: float
    policy_file: str | None
    policy_hash: str
    sarif_dir: str | None
    force: bool
    probe_threads: int


def main(argv: Sequence[str]) -> int:
    """`udef-audit batch ...`; returns the exit code."""
    try:
        args = batch_parser().parse_args(list(argv))
        entries = read_repository_list(args.list, sys.stdin)
        settings = _settings(args)
        executor = make_executor(args.executor, args.jobs, args.scheduler)
        store = Store(settings.db)
    except (ConfigError, ListError, ExecutorUnavailable, StoreError) as exc:
        print(f"udef-audit batch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with store:
            tally = run_batch(args, entries, settings, executor, store)
    except KeyboardInterrupt:
        print("udef-audit batch: interrupted; finished results are in the database", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("UDEF_AUDIT_DEBUG"):
            raise
        print(f"udef-audit batch: failed: {type(exc).__name__}: {redact(str(exc), secrets(entries))}", file=sys.stderr)
        return EXIT_BATCH_FAILED
    return EXIT_INCOMPLETE if tally.without_result else EXIT_OK


def secrets(entries: Sequence[ListEntry]) -> list[str]:
    """Every credential fragment in the list, so that no message can show one."""
    return [secret for entry in entries if entry.source for secret in entry.source.secrets]


def _settings(args: argparse.Namespace) -> BatchSettings:
    policy_file = None
    if args.policy is not None:
        load_org_policy(args.policy, load_policy().rules)  # a bad policy is a usage error, found once, up front
        policy_file = str(args.policy.resolve())
    jobs = args.jobs or os.cpu_count() or 1
    _check_folder_option(args.db.parent, "--db")
    _check_folder_option(args.cache, "--cache")
    _check_folder_option(args.sarif_dir, "--sarif-dir")
    return BatchSettings(
        db=args.db.expanduser().resolve(),
        cache=(args.cache.expanduser() if args.cache else cache_dir() / "clones").resolve(),
        timeout=args.timeout,
        policy_file=policy_file,
        policy_hash=policy_digest(policy_file),
        sarif_dir=str(args.sarif_dir.expanduser().resolve()) if args.sarif_dir else None,
        force=args.force,
        probe_threads=min(MAX_PROBE_THREADS, jobs * PROBE_THREADS_PER_JOB),
    )


def _check_folder_option(path: Path | None, option: str) -> None:
    """A folder option naming a file, or a folder under a file, is a usage error (exit 2), not
    one failure per repository."""
    if path is None:
        return
    for place in (path.expanduser(), *path.expanduser().parents):
        if place.exists():
            if not place.is_dir():
                raise ConfigError(f"{option}: {place} is a file, not a folder")
            return


def run_batch(
    args: argparse.Namespace, entries: Sequence[ListEntry], settings: BatchSettings, executor: Executor, store: Store
) -> Tally:
    """Plan, run and record one batch, then report it; the run's tally of statuses."""
    started = time.monotonic()
    options = {**executor_options(executor), "timeout": settings.timeout, "force": settings.force}
    run_id = store.begin_run(__version__, settings.policy_hash, len(entries), options)
    with BatchProgress(len(entries), secrets=secrets(entries)) as progress:
        recorder = Recorder(store, run_id, entries, progress)
        tasks = plan(entries, settings, store, recorder)
        executor.run(tasks, recorder.record)
    store.finish_run(run_id)
    summary = store.org_summary(run_id)
    print_summary_table(summary, sys.stdout)
    write_exports(args, summary)
    elapsed = time.monotonic() - started
    tally = Tally.of_summary(summary)
    print(f"udef-audit batch: run {run_id}: {tally.line()} in {elapsed:.1f} s; database {settings.db}", file=sys.stderr)
    return tally


class Recorder:
    """Commits each outcome as it arrives (parent process only) and advances the progress."""

    def __init__(self, store: Store, run_id: int, entries: Sequence[ListEntry], progress: BatchProgress) -> None:
        self.store = store
        self.run_id = run_id
        self.displays = {entry.key: entry.display for entry in entries}
        self.progress = progress

    def record(self, outcome: RepoOutcome, previous_result_id: int | None = None) -> None:
        """Store one outcome in its own transaction, then show it."""
        source = self.displays.get(outcome.key, outcome.key)
        self.store.record(self.run_id, outcome, source=source, previous_result_id=previous_result_id)
        self.progress.advance(outcome)


def plan(entries: Sequence[ListEntry], settings: BatchSettings, store: Store, recorder: Recorder) -> list[RepoTask]:
    """Record the entries that need no audit; the tasks for the others, in list order."""
    probes = probe_all(entries, settings)
    tasks = []
    for entry in entries:
        task = _decide(entry, probes[entry.key], settings, store, recorder)
        if task is not None:
            tasks.append(task)
    return tasks


def probe_all(entries: Sequence[ListEntry], settings: BatchSettings) -> dict[str, Probe]:
    """Every entry's HEAD, looked up in threads (remote ones not at all with --force)."""

    def look(entry: ListEntry) -> Probe:
        if settings.force and entry.source is not None and not entry.source.is_local:
            return Probe(None)  # the clone will tell; no need to ask the remote twice
        return probe(entry, settings.timeout)

    with ThreadPoolExecutor(max_workers=settings.probe_threads, thread_name_prefix="udef-audit-probe") as pool:
        futures = {pool.submit(look, entry): entry.key for entry in entries}
        return {futures[future]: future.result() for future in as_completed(futures)}


def _decide(
    entry: ListEntry, found: Probe, settings: BatchSettings, store: Store, recorder: Recorder
) -> RepoTask | None:
    if found.failure is not None or entry.source is None:
        status = "timeout" if found.timed_out else "failed"
        recorder.record(_outcome(entry, settings, status, reason=found.failure, seconds=found.seconds))
        return None
    if not settings.force and _skip(entry, found, settings, store, recorder):
        return None
    in_place = audited_in_place(entry.source)
    checkout = entry.source.location if in_place else str(cache_entry(settings.cache, entry.key))
    return RepoTask(
        key=entry.key,
        source=entry.source.location,
        checkout=checkout,
        policy_file=settings.policy_file,
        timeout_seconds=settings.timeout,
        sarif_dir=settings.sarif_dir,
    )


def _skip(entry: ListEntry, found: Probe, settings: BatchSettings, store: Store, recorder: Recorder) -> bool:
    """Record `entry` as skipped if its last ok result still holds; whether it was."""
    previous = store.unchanged_result(entry.key, found.head, settings.policy_hash, __version__)
    if previous is None:
        return False
    sarif_file = None
    if settings.sarif_dir:
        sarif_file = _carry_sarif(previous.sarif_path, Path(settings.sarif_dir) / sarif_name(entry.key))
        if sarif_file is None:
            return False  # its SARIF file is gone: audit again rather than leave a hole in --sarif-dir
    reason = f"unchanged since run {previous.run_id} (result {previous.result_id})"
    outcome = _outcome(entry, settings, "skipped", reason=reason, head=found.head, sarif_file=sarif_file)
    recorder.record(outcome, previous_result_id=previous.result_id)
    return True


def _carry_sarif(previous: str | None, target: Path) -> str | None:
    """The previous result's SARIF file, copied to `target` if it is elsewhere; None if gone."""
    if previous is None or not Path(previous).is_file():
        return None
    if Path(previous) != target:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(previous, target)
    return str(target)


def _outcome(entry: ListEntry, settings: BatchSettings, status: str, **fields: Any) -> RepoOutcome:
    fields["reason"] = redact(fields["reason"]) if fields.get("reason") else fields.get("reason")
    return RepoOutcome(
        key=entry.key, status=status, policy_hash=settings.policy_hash, tool_version=__version__, **fields
    )


def write_exports(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    """--csv, --json and --html, each written whole or not at all."""
    if args.csv:
        write_file(args.csv, csv_text(summary))
    if args.json:
        write_file(args.json, json_text(summary))
    if args.html:
        write_file(args.html, html_text(summary, args.html.expanduser().resolve().parent))
