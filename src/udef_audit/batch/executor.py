"""Running many repository tasks: the executor interface, the local executor, progress.

An executor takes the tasks and calls `on_outcome` in the calling (parent) process, in the
calling thread, once per task as each one finishes; the caller records each outcome as it
arrives. Executors are built with keyword arguments: `LocalExecutor(jobs=N)`, and
`udef_audit.batch.dask_executor.DaskExecutor(scheduler=ADDRESS | None)`, which runs
`worker.audit_repository` on a Dask cluster (imported only for `--executor dask`; the
cluster's workers, not --jobs, set how many audits run at once).

The local executor runs `jobs` tasks at a time (one per core by default). Each task is
isolated in its own killable child process (see worker.py), so a clone failure, a timeout
or a crash is that repository's outcome and the batch goes on. The threads here only wait
on their child; the work is in the children.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from types import TracebackType
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from udef_audit.batch.clone import redact
from udef_audit.batch.model import STATUS_WORDS, RepoOutcome, RepoTask
from udef_audit.batch.worker import run_isolated
from udef_audit.safe_text import escape_text

OutcomeCallback = Callable[[RepoOutcome], None]


class Executor(Protocol):
    """Runs tasks and reports each outcome in the parent as it finishes."""

    def run(self, tasks: Sequence[RepoTask], on_outcome: OutcomeCallback) -> None:
        """Run every task; call `on_outcome` once per task, in this thread, as each finishes."""


class ExecutorUnavailable(Exception):
    """The executor asked for cannot be used here (a usage error)."""


class LocalExecutor:
    """`jobs` tasks at a time on this machine, each in its own child process."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)

    def run(self, tasks: Sequence[RepoTask], on_outcome: OutcomeCallback) -> None:
        """Run the tasks; on an interrupt, kill the running children and re-raise."""
        cancel = threading.Event()
        pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="udef-audit-batch")
        futures: list[Future[RepoOutcome]] = [pool.submit(run_isolated, task, cancel) for task in tasks]
        try:
            for future in as_completed(futures):
                on_outcome(future.result())
        except BaseException:
            cancel.set()  # running tasks kill their child within POLL_SECONDS
            for future in futures:
                future.cancel()
            raise
        finally:
            pool.shutdown(wait=True)


def make_executor(kind: str, jobs: int | None, scheduler: str | None) -> Executor:
    """The executor for `--executor KIND`; ExecutorUnavailable when it cannot be built."""
    if kind == "local":
        if scheduler:
            raise ExecutorUnavailable("--scheduler needs --executor dask")
        return LocalExecutor(jobs)
    # Imported here: only `--executor dask` needs it (it imports `distributed` itself, lazily).
    from udef_audit.batch.dask_executor import DaskExecutor, DaskUnavailableError  # noqa: PLC0415

    try:
        # The cluster, not --jobs, decides how many audits run at once.
        return DaskExecutor(scheduler=scheduler)
    except DaskUnavailableError as exc:
        raise ExecutorUnavailable(str(exc)) from None


def use_plain_output(stream: TextIO) -> bool:
    """Plain lines (no bar, no table art) when not on a terminal or when CI is set."""
    return bool(os.environ.get("CI")) or not stream.isatty()


class BatchProgress:
    """A rich progress bar (counts and ETA) on a terminal, plain log lines otherwise; stderr."""

    def __init__(self, total: int, *, secrets: Sequence[str] = (), stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.by_status: Counter[str] = Counter()
        self.secrets = tuple(secrets)
        self.stream = stream or sys.stderr
        self.bar: Progress | None = None
        self.bar_task: TaskID | None = None
        if not use_plain_output(self.stream):
            self.bar = Progress(
                TextColumn("[bold]udef-audit batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
            )

    def __enter__(self) -> BatchProgress:
        if self.bar is not None:
            self.bar.start()
            self.bar_task = self.bar.add_task("audit", total=self.total, counts="")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def advance(self, outcome: RepoOutcome) -> None:
        """One more repository finished."""
        self.done += 1
        self.by_status[outcome.status] += 1
        if self.bar is not None and self.bar_task is not None:
            self.bar.update(self.bar_task, advance=1, counts=self.counts_text())
            if outcome.status in ("failed", "timeout"):
                self.bar.console.print(self._line(outcome), markup=False, highlight=False)
            return
        print(self._line(outcome), file=self.stream, flush=True)

    def counts_text(self) -> str:
        """`audited 12 · skipped (unchanged) 3 · failed 1` (the words of model.STATUS_WORDS)."""
        return " · ".join(
            f"{word} {self.by_status[status]}" for status, word in STATUS_WORDS.items() if self.by_status[status]
        )

    def _line(self, outcome: RepoOutcome) -> str:
        width = len(str(self.total))
        detail = _detail(outcome)
        line = f"[{self.done:>{width}}/{self.total}] {outcome.status:<8} {outcome.key}  {detail}"
        return escape_text(redact(line.rstrip(), self.secrets))


def _detail(outcome: RepoOutcome) -> str:
    if outcome.status == "ok":
        return f"score {outcome.score} {outcome.verdict} ({outcome.seconds:.1f} s)"
    return outcome.reason or ""


def executor_options(executor: Any) -> dict[str, Any]:
    """What to record about the executor in the run's options."""
    return {"executor": type(executor).__name__, "jobs": getattr(executor, "jobs", None)}
