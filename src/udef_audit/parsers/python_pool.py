"""Spreading the scanner's work over worker processes.

Parsing is CPU-bound and the GIL keeps threads from helping, so batches of files go to a
process pool when there is enough work to pay for starting it; otherwise, and whenever a
pool cannot be had (a sandbox, a broken pool...), the work runs in this process.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

if TYPE_CHECKING:  # imported when a pool starts: a one-file run never needs one (8 ms)
    import multiprocessing.context
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["Batches", "Unread", "cpu_count", "run_batches", "worker_count"]


class Unread(NamedTuple):
    """An item the worker reads itself, with the reader its work was given: only the name
    and this size (to balance the batches) cross to it, and the parent reads nothing. (A
    named tuple: a frozen dataclass would cost every pre-commit run 0.6 ms to define.)"""

    size: int


T = TypeVar("T")
Payload = bytes | Unread
Items = Sequence[tuple[str, Payload]]
Work = Callable[[list[tuple[str, Payload]]], list[tuple[str, T]]]

# Parallel scanning pays for its process start-up only above this much work.
_PARALLEL_MIN_CHARS = 1_000_000
_BATCH_CHARS = 200_000


def cpu_count() -> int:
    """The CPUs this process may use."""
    counter = getattr(os, "process_cpu_count", None)
    if callable(counter):
        count = counter()
        return count if isinstance(count, int) and count > 0 else 1
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def weight(payload: Payload) -> int:
    """An item's size in bytes, read or not."""
    return payload.size if isinstance(payload, Unread) else len(payload)


def worker_count(workers: int | None, pending: Items, min_chars: int | None = None) -> int:
    """How many processes the work deserves (1: do it here). The threshold is read when
    called (not bound as a default), so a test can lower it."""
    if workers is not None and workers <= 1:
        return 1
    threshold = _PARALLEL_MIN_CHARS if min_chars is None else min_chars
    if sum(weight(data) for _, data in pending) < threshold or len(pending) < 2:
        return 1
    return min(workers or cpu_count(), len(pending), 61)  # 61: Windows' limit for a pool


def _batches(items: Items) -> Iterator[list[tuple[str, Payload]]]:
    """Biggest files first, grouped to about ``_BATCH_CHARS``: few round trips, even load."""
    batch: list[tuple[str, Payload]] = []
    size = 0
    for item in sorted(items, key=lambda pair: weight(pair[1]), reverse=True):
        batch.append(item)
        size += weight(item[1])
        if size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork where it is safe and cheapest (Linux, no other thread that could hold a lock
    across the fork); else a clean start, which costs an interpreter start-up per worker."""
    import multiprocessing  # noqa: PLC0415 - see the imports above

    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def run_batches(work: Work[T], items: Items, workers: int) -> dict[str, T]:
    """``work`` (picklable: a module-level function or a partial of one) over batches of
    ``items`` in ``workers`` processes; whatever they could not do is done here."""
    return Batches(work, items, workers).results()


# The items of the running pools, by token. Forked workers inherit this memory, so only the
# names of a batch cross the pipe, not megabytes of source to pickle and unpickle.
_INHERITED: dict[int, dict[str, Payload]] = {}


def _worker_start() -> None:
    """A worker parses files and drops their trees, which hold no reference cycle:
    reference counting frees them, and the cyclic collector would only rescan trees still
    being built (a tenth of the complexity count's time). It is off in the worker, which
    lives for one scan; what it inherited is frozen, never scanned."""
    gc.freeze()
    gc.disable()


def _inherited_batch(work: Work[T], token: int, names: list[str]) -> list[tuple[str, T]]:
    """A batch in a forked worker: its bytes from the parent's memory as it was at the fork."""
    items = _INHERITED[token]
    return work([(name, items[name]) for name in names])


class Batches(Generic[T]):
    """:func:`run_batches` started: the worker processes get every batch at once and this
    process goes on; :meth:`results` waits for them. With one worker, or when no pool can
    be had, the work waits for :meth:`results` and runs here."""

    def __init__(self, work: Work[T], items: Items, workers: int) -> None:
        self.work = work
        self.items = list(items)
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[tuple[str, T]]]] = []
        if workers > 1:
            with suppress(Exception):
                self._start(workers)

    def _start(self, workers: int) -> None:
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - see the imports above

        context = _pool_context()
        inherited = context.get_start_method() == "fork"
        if inherited:
            _INHERITED[id(self)] = dict(self.items)
        # With fork the workers start at the first submit, in this thread, before the pool's
        # own thread does: they see _INHERITED as it is now.
        self.pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start)
        try:
            for batch in _batches(self.items):
                if inherited:
                    self.futures.append(self.pool.submit(_inherited_batch, self.work, id(self), [n for n, _ in batch]))
                else:
                    self.futures.append(self.pool.submit(self.work, batch))
        except BaseException:
            # The workers started at the first submit; an interrupt (or a broken pool) before
            # this object is returned would leave them with no owner to stop them.
            self.cancel()
            raise

    def add(self, items: Items) -> None:
        """More items, for the workers already running (sent whole: they were forked before
        these existed), else for :meth:`results` to do here."""
        self.items.extend(items)
        if self.pool is not None:
            with suppress(Exception):  # a broken pool: results() does them here
                for batch in _batches(items):
                    self.futures.append(self.pool.submit(self.work, batch))

    def results(self) -> dict[str, T]:
        """Every item's result (waiting for the workers); call once."""
        try:
            results = self._collected()
        finally:
            _INHERITED.pop(id(self), None)
        left = [item for item in self.items if item[0] not in results]
        if left:
            results.update(self.work(left))
        return results

    def _collected(self) -> dict[str, T]:
        """What the workers did (nothing when there was no pool, or it broke)."""
        results: dict[str, T] = {}
        if self.pool is not None:
            pool, self.pool = self.pool, None
            with suppress(Exception):
                try:
                    for future in self.futures:
                        results.update(future.result())
                except BaseException:
                    _stop_pool(pool)  # an interrupt stops now, not after every queued batch
                    raise
                pool.shutdown(wait=True)
        return results

    def cancel(self) -> None:
        """Stop the workers (an audit that ends before anyone asks)."""
        _INHERITED.pop(id(self), None)
        if self.pool is not None:
            _stop_pool(self.pool)
            self.pool = None


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
