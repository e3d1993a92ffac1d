"""Run a batch's repository audits on a Dask distributed cluster (`udef-audit batch --dask`).

The executor only moves work and results: each RepoTask goes to a worker, which runs the
same per-repository function as the local executor (clone into the worker's own cache,
audit, return a RepoOutcome), and each outcome comes back to the client, where
`on_outcome` hands it to the caller. The SQLite store lives in the client process and is
written there, once per repository; workers never touch it.

Nothing that goes wrong with one repository stops the batch: an exception in the task, a
worker that dies under it, a cancelled future or a timeout all become a RepoOutcome with
status "failed" or "timeout" and the reason.

Timeouts come in two layers, because a Dask task cannot be stopped once it runs (it is a
thread in the worker process):

1. The task function keeps its own deadline. `audit_repository` audits in a child process
   that it kills at `timeout_seconds` and returns a "timeout" outcome; that is the normal
   path, and the worker stays healthy.
2. The client keeps a backstop for a task function that does not come back. The task
   announces on a per-batch event topic the moment a worker starts it, and the client's
   deadline is `timeout_seconds + timeout_grace_seconds` after that announcement (time
   queued on the scheduler does not count). When it passes, the client reports "timeout",
   cancels the future so a late result is discarded, and, unless
   `restart_stuck_workers=False`, restarts that one worker through its nanny: the only way
   to kill what is stuck in it and get the worker's thread back. Other tasks running on that
   worker are rescheduled by Dask and start again elsewhere.

`distributed` is imported lazily, through importlib, so this module imports (and type
checks) without the `dask` extra installed; the objects it returns are typed Any here.
"""

from __future__ import annotations

import importlib
import queue
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any

from udef_audit.batch.model import RepoOutcome, RepoTask
from udef_audit.batch.worker import audit_repository, failed

TaskFunction = Callable[[RepoTask], RepoOutcome]
OutcomeHandler = Callable[[RepoOutcome], None]

INSTALL_HINT = "Dask distributed mode needs the 'dask' extra: install udef-audit[dask]"
START_TOPIC = "udef-audit-started"
# Look at the deadlines at least this often, even when no message arrives.
IDLE_WAKEUP_SECONDS = 5.0
# The task function's own timeout gets this long to fire before the client steps in.
DEFAULT_TIMEOUT_GRACE_SECONDS = 15.0
# A finished task's result is fetched from the worker that holds it; bounded so a worker
# vanishing at that moment costs one repository, not the batch.
RESULT_FETCH_SECONDS = 120.0


class DaskExecutorError(RuntimeError):
    """The Dask executor cannot run at all (not installed, scheduler unreachable)."""


class DaskUnavailableError(DaskExecutorError):
    """`distributed` is not installed."""


def load_distributed() -> ModuleType:
    """The `distributed` package, or a DaskUnavailableError saying which extra to install."""
    try:
        return importlib.import_module("distributed")
    except ImportError as error:
        raise DaskUnavailableError(f"{INSTALL_HINT} ({error})") from error


def run_and_announce(task_function: TaskFunction, task: RepoTask, topic: str, index: int) -> RepoOutcome:
    """Runs on the worker: tell the client this task has started, then run it.

    The announcement starts the task's timeout clock in the client (see the module docstring).
    """
    worker = load_distributed().get_worker()
    worker.log_event(topic, {"index": index, "worker": worker.address})
    return task_function(task)


class DaskExecutor:
    """Runs RepoTasks on a Dask cluster and reports each RepoOutcome in the calling process.

    `scheduler` is the scheduler's address (`tcp://host:8786`); None starts a local cluster
    on this machine for the batch and shuts it down afterwards. `task_function` is a
    top-level, picklable function; it defaults to udef_audit.batch.worker.audit_repository.
    Workers need udef-audit installed (the same version) to unpickle and run it.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        task_function: TaskFunction | None = None,
        *,
        restart_stuck_workers: bool = True,
        timeout_grace_seconds: float = DEFAULT_TIMEOUT_GRACE_SECONDS,
        connect_timeout: float = 30.0,
    ) -> None:
        # Fail here, before any cloning or database work, when the extra is missing.
        self._distributed = load_distributed()
        self.scheduler = scheduler
        self.task_function = task_function or audit_repository
        self.restart_stuck_workers = restart_stuck_workers
        self.timeout_grace_seconds = timeout_grace_seconds
        self.connect_timeout = connect_timeout

    def run(self, tasks: Sequence[RepoTask], on_outcome: OutcomeHandler) -> None:
        """Run every task; call `on_outcome` here, in the client, once per task as it ends."""
        if not tasks:
            return
        client = self._connect()
        try:
            _Batch(client, self.task_function, on_outcome, self).run(tasks)
        finally:
            client.close()

    def _connect(self) -> Any:
        client_class = self._distributed.Client
        if self.scheduler is None:
            # A Client without an address starts a LocalCluster and closes it with the client.
            return client_class(processes=True)
        try:
            return client_class(self.scheduler, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as error:
            raise DaskExecutorError(f"cannot reach the Dask scheduler at {self.scheduler}: {error}") from error


@dataclass
class _Submitted:
    """One task in flight: its future and, once a worker has started it, where and when."""

    task: RepoTask
    future: Any
    grace: float
    started: float | None = None  # time.monotonic() in the client when the start was announced
    worker: str | None = None

    @property
    def deadline(self) -> float | None:
        return None if self.started is None else self.started + self.task.timeout_seconds + self.grace

    @property
    def elapsed(self) -> float:
        return 0.0 if self.started is None else round(time.monotonic() - self.started, 3)


# Messages from Dask's threads to the client's main thread: (kind, task index, worker).
_Message = tuple[str, int, str | None]


class _Batch:
    """One run of the executor: submits the tasks, then turns messages into outcomes.

    Dask calls back from its own threads (event handlers, done callbacks); those only put
    messages in a queue. All state lives in the calling thread, which is also the thread
    `on_outcome` runs in, so the caller's store needs no locking.
    """

    def __init__(
        self, client: Any, task_function: TaskFunction, on_outcome: OutcomeHandler, settings: DaskExecutor
    ) -> None:
        self._client = client
        self._task_function = task_function
        self._on_outcome = on_outcome
        self._restart = settings.restart_stuck_workers
        self._grace = settings.timeout_grace_seconds
        self._inbox: queue.Queue[_Message] = queue.Queue()
        self._waiting: dict[int, _Submitted] = {}  # every task without an outcome yet
        self._running: dict[int, _Submitted] = {}  # those a worker has announced: they have deadlines

    def run(self, tasks: Sequence[RepoTask]) -> None:
        # A topic per batch: two batches on one cluster never read each other's announcements.
        topic = f"{START_TOPIC}-{uuid.uuid4().hex}"
        self._client.subscribe_topic(topic, self._announced)
        try:
            self._submit(tasks, topic)
            while self._waiting:
                self._handle(self._next_message())
                self._expire_overdue()
        finally:
            self._client.unsubscribe_topic(topic)
            # Only non-empty when on_outcome raised: do not leave work behind on the cluster.
            self._client.cancel([entry.future for entry in self._waiting.values()])

    def _submit(self, tasks: Sequence[RepoTask], topic: str) -> None:
        batch_id = uuid.uuid4().hex
        for index, task in enumerate(tasks):
            future = self._client.submit(
                run_and_announce,
                self._task_function,
                task,
                topic,
                index,
                key=f"udef-audit-{index}-{batch_id}",  # named so the dashboard groups them
                pure=False,
            )
            self._waiting[index] = _Submitted(task, future, self._grace)
            future.add_done_callback(partial(self._finished, index))

    # Called from Dask's threads.

    def _announced(self, event: tuple[float, Any]) -> None:
        _, message = event
        self._inbox.put(("started", int(message["index"]), str(message["worker"])))

    def _finished(self, index: int, _future: Any) -> None:
        self._inbox.put(("finished", index, None))

    # Called in the client's thread.

    def _next_message(self) -> _Message | None:
        try:
            return self._inbox.get(timeout=self._seconds_to_next_deadline())
        except queue.Empty:
            return None

    def _seconds_to_next_deadline(self) -> float:
        deadlines = [entry.deadline for entry in self._running.values() if entry.deadline is not None]
        if not deadlines:
            return IDLE_WAKEUP_SECONDS
        return max(0.0, min(IDLE_WAKEUP_SECONDS, min(deadlines) - time.monotonic()))

    def _handle(self, message: _Message | None) -> None:
        if message is None:
            return
        kind, index, worker = message
        entry = self._waiting.get(index)
        if entry is None:
            return  # already reported, e.g. timed out: a late start or result is ignored
        if kind == "started":
            # A rescheduled task (its worker died) announces again and gets a fresh deadline.
            entry.started, entry.worker = time.monotonic(), worker
            self._running[index] = entry
        else:
            self._report(index, _outcome_of(entry))

    def _expire_overdue(self) -> None:
        now = time.monotonic()
        overdue = [
            index for index, entry in self._running.items() if entry.deadline is not None and now >= entry.deadline
        ]
        for index in overdue:
            # A restart for an earlier overdue task may already have taken this one off the clock.
            if index in self._running:
                self._time_out(index, self._running[index])

    def _time_out(self, index: int, entry: _Submitted) -> None:
        if entry.future.done():
            # It finished as the deadline passed and its message is still queued: use the result.
            self._report(index, _outcome_of(entry))
            return
        entry.future.cancel()
        stuck_worker = entry.worker if self._restart else None
        self._report(index, _timed_out(entry, restarting=stuck_worker is not None))
        if stuck_worker is not None:
            self._restart_worker(stuck_worker)

    def _restart_worker(self, worker: str) -> None:
        """Kill the stuck audit by restarting its worker (needs a nanny; without one, leave it)."""
        try:
            statuses = self._client.restart_workers([worker], raise_for_error=False)
        except (ValueError, OSError, TimeoutError):
            return  # no nanny, or the worker is already gone: nothing more to do
        if statuses.get(worker) == "OK":
            # Its other tasks were lost with it and will announce again wherever they rerun.
            for index in [i for i, entry in self._running.items() if entry.worker == worker]:
                del self._running[index]

    def _report(self, index: int, outcome: RepoOutcome) -> None:
        self._waiting.pop(index, None)
        self._running.pop(index, None)
        self._on_outcome(outcome)


def _outcome_of(entry: _Submitted) -> RepoOutcome:
    """The finished future's RepoOutcome, or a failed one with the reason."""
    future = entry.future
    if future.status == "finished":
        try:
            outcome: RepoOutcome = future.result(timeout=RESULT_FETCH_SECONDS)
        except Exception as error:  # any failure to fetch it is this repository's failure, not the batch's
            return _failed(entry, f"the result could not be fetched from the worker: {_describe(error)}")
        return outcome
    if future.status == "error":
        return _failed(entry, _describe(future.exception()))
    return _failed(entry, f"the Dask task was {future.status} (the scheduler or the client's connection was lost)")


def _failed(entry: _Submitted, reason: str) -> RepoOutcome:
    # worker.failed: the same one-line, credential-free reason, tool version and policy hash
    # as the local executor's failures.
    where = f" (on worker {entry.worker})" if entry.worker else ""
    return failed(entry.task, reason + where, entry.elapsed)


def _timed_out(entry: _Submitted, *, restarting: bool) -> RepoOutcome:
    aftermath = (
        "its worker is restarted to stop it"
        if restarting
        else "Dask cannot stop a running task: it goes on in the background and its result is discarded"
    )
    reason = f"no result within {entry.task.timeout_seconds:g} s on worker {entry.worker}; {aftermath}"
    return failed(entry.task, reason, entry.elapsed, status="timeout")


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "the task failed without an exception"
    if type(error).__name__ == "KilledWorker":
        # Dask's own wording; the name alone would not tell an operator what happened.
        return f"lost worker: the Dask workers running it died ({error})"
    return f"{type(error).__name__}: {error}"
