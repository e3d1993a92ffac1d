"""Audit one repository in a process that can be killed: the unit of work of a batch.

`audit_repository(task)` is what every executor runs, locally or on a Dask worker. It never
raises and returns within about `task.timeout_seconds`, even when the audit hangs: the
clone or fetch and the audit run in a child process, which is killed at the deadline
together with everything it started (git, the parser's helper).

Why one child per repository rather than a pool: a pool cannot kill one task that hangs
without losing the pool (ProcessPoolExecutor has no per-task kill), and a repository is
hostile input that may well hang a parser. Why forkserver: the children fork from a server
that has already imported the engine, so a child costs a fork (milliseconds) rather than an
interpreter start-up plus 0.2 s of imports, and forking from that single-threaded server is
safe while the parent runs threads. Where a process may not have children (a daemonic
process, as a Dask worker is by default), the task runs as `python -m
udef_audit.batch.worker` instead: slower to start, just as killable.

Belt and braces: the child leads its own process group (the kill reaches git too) and arms
SIGALRM with its default action at the deadline plus a grace period, so it dies on time
even when the parent was killed first and cannot kill it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from udef_audit import __version__
from udef_audit.batch.clone import (
    CloneError,
    SourceError,
    audited_in_place,
    parse_source,
    prepare_checkout,
    read_head,
    redact,
)
from udef_audit.batch.model import RepoOutcome, RepoTask
from udef_audit.batch.names import short_name
from udef_audit.config import ConfigError
from udef_audit.plugins import harden_import_path
from udef_audit.report.json_report import json_report
from udef_audit.report.sarif import render_sarif
from udef_audit.request import AuditRequest
from udef_audit.result import AuditResult
from udef_audit.rules import builtin_rules
from udef_audit.safe_text import escape_text
from udef_audit.service import audit, exit_code

# The child's own alarm fires this long after the parent's deadline, so the parent, which
# can also kill git and say "timeout", normally acts first.
GRACE_SECONDS = 5.0
# How often a waiting parent looks at its cancel flag.
POLL_SECONDS = 0.2
MAX_REASON_CHARS = 300
NO_POLICY = "none"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
EXIT_ORPHANED = 70


def audit_repository(task: RepoTask) -> RepoOutcome:
    """Clone or open, audit and score one repository in a killable child; never raises."""
    return run_isolated(task)


def run_isolated(task: RepoTask, cancel: threading.Event | None = None) -> RepoOutcome:
    """`audit_repository`, which also gives up (and kills the child) when `cancel` is set."""
    started = time.monotonic()
    try:
        if multiprocessing.current_process().daemon:
            return _run_in_subprocess(task)
        return _run_in_child(task, cancel or threading.Event())
    except Exception as exc:  # the batch must go on: whatever went wrong is this repository's result
        return failed(task, f"could not run the audit: {type(exc).__name__}: {exc}", time.monotonic() - started)


def audit_in_place(task: RepoTask) -> RepoOutcome:
    """Clone or fetch if needed, audit and score, in this process; never raises, no timeout."""
    started = time.perf_counter()
    try:
        head = _checkout(task)
        result = audit(AuditRequest(path=Path(task.checkout), policy_file=_policy_path(task), workers=1))
        sarif_file = _write_sarif(task, result)
        return _outcome(task, result, head, sarif_file, time.perf_counter() - started)
    except (ConfigError, CloneError, SourceError) as exc:
        return failed(task, str(exc), time.perf_counter() - started)
    except Exception as exc:  # a bug or a hostile repository: recorded, not raised
        return failed(task, f"internal error: {type(exc).__name__}: {exc}", time.perf_counter() - started)


def failed(task: RepoTask, reason: str, seconds: float, status: str = "failed") -> RepoOutcome:
    """An outcome without a result, with a one-line, credential-free reason."""
    return RepoOutcome(
        key=task.key,
        status=status,
        reason=one_line(redact(reason, _secrets(task))),
        policy_hash=policy_digest(task.policy_file),
        tool_version=__version__,
        seconds=round(seconds, 3),
    )


def one_line(text: str) -> str:
    """Whitespace collapsed, controls and undecodable bytes escaped (a reason is printed and
    stored: it may quote a hostile file name), cut to MAX_REASON_CHARS."""
    flat = escape_text(re.sub(r"\s+", " ", text).strip())
    return flat if len(flat) <= MAX_REASON_CHARS else flat[: MAX_REASON_CHARS - 1] + "…"


def policy_digest(policy_file: str | None) -> str:
    """A short hash of the org policy's bytes ("none" without one): part of "unchanged"."""
    if not policy_file:
        return NO_POLICY
    try:
        return hashlib.sha256(Path(policy_file).read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def sarif_name(key: str) -> str:
    """`<name>-<hash of key>.sarif` (`psf+requests-….sarif` for `…/psf+requests/repo`):
    readable, and unique even when two repositories share a name."""
    name = re.sub(r"[^A-Za-z0-9._+-]+", "_", short_name(key)).strip("._") or "repository"
    return f"{name}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}.sarif"


def _secrets(task: RepoTask) -> tuple[str, ...]:
    try:
        return parse_source(task.source, Path(task.checkout)).secrets
    except SourceError:
        return ()


def _policy_path(task: RepoTask) -> Path | None:
    return Path(task.policy_file) if task.policy_file else None


def _checkout(task: RepoTask) -> str | None:
    """HEAD of what will be audited, cloning or fetching a remote first."""
    source = parse_source(task.source, Path(task.checkout))
    checkout = Path(task.checkout)
    head = read_head(checkout) if audited_in_place(source) else prepare_checkout(source, checkout)
    if head is None and (checkout / ".git").exists():
        raise CloneError("empty repository: no commit to audit")
    return head


def _write_sarif(task: RepoTask, result: AuditResult) -> str | None:
    if not task.sarif_dir:
        return None
    target = Path(task.sarif_dir) / sarif_name(task.key)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_text(render_sarif(result), encoding="utf-8")
    partial.replace(target)  # a reader (or an upload) never sees half a file
    return str(target)


def _outcome(task: RepoTask, result: AuditResult, head: str | None, sarif: str | None, seconds: float) -> RepoOutcome:
    report = json_report(result)
    score: dict[str, Any] = report["properties"].get("udef/resetVsRepair") or {}
    rules_run = [rule["id"] for rule in report["rules"]]
    counts = Counter(dict.fromkeys(rules_run, 0))
    counts.update(f["ruleId"] for f in report["findings"] if not f["suppressed"])
    tool_errors = [n["message"] for n in report["notifications"] if n["level"] == "error"]
    return RepoOutcome(
        key=task.key,
        status="ok",
        reason=one_line(f"{len(tool_errors)} tool error(s): {tool_errors[0]}") if tool_errors else None,
        head=head,
        policy_hash=policy_digest(task.policy_file),
        tool_version=__version__,
        score=score.get("score"),
        verdict=score.get("verdict"),
        exit_code=exit_code(result),
        counts=dict(sorted(counts.items())),
        findings=report["findings"],
        criteria=score.get("criteria", []),
        rules_run=rules_run,
        seconds=round(seconds, 3),
        sarif_file=sarif,
        gates=compact_gates(report.get("gates")),
    )


def compact_gates(gates: dict[str, Any] | None) -> dict[str, Any]:
    """What the org report needs of a repository's gates: the phase reached, the next gate
    and the items blocking it (failing or not checked)."""
    if not gates:
        return {}
    following: dict[str, Any] | None = next((p for p in gates["phases"] if not p["passed"]), None)
    if following is None:
        return {"reached": gates["reached"], "profile": gates["profile"], "next": None, "blocking": []}
    blocking = [
        {"phase": following["phase"], "item": i["item"], "status": i["status"], "rules": i["rules"]}
        for i in following["items"]
        if i["status"] in ("fail", "not checked")
    ]
    nxt = {k: following[k] for k in ("phase", "checklist", "gate")}
    return {"reached": gates["reached"], "profile": gates["profile"], "next": nxt, "blocking": blocking}


# --- the child process ------------------------------------------------------------------


# Imported once by the fork server so that each child starts warm: the engine imports these
# lazily, and they cost more than the audit of a small repository (0.15 s of 0.2 s).
WARM_MODULES = (
    "udef_audit.batch.worker",
    "udef_audit.scoring.facts",
    "udef_audit.scoring.history_cache",
    "udef_audit.scoring.model",
    "udef_audit.scoring.reset_repair",
)


@functools.lru_cache(maxsize=1)
def _child_context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([*WARM_MODULES, *_builtin_rule_modules()])
        return context
    return multiprocessing.get_context("spawn")  # Windows: a fresh interpreter per repository


def _builtin_rule_modules() -> list[str]:
    """Our own rule modules only: third-party plugins load in each child, as in a single audit."""
    return [rule.module for rule in builtin_rules()]


def _run_in_child(task: RepoTask, cancel: threading.Event) -> RepoOutcome:
    started = time.monotonic()
    context = _child_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(task, sender, os.getpid()), name="udef-audit-batch-worker")
    process.start()
    sender.close()  # only the child writes: the parent must see EOF when the child dies
    answered = False
    try:
        outcome, answered = _await_child(task, process, receiver, cancel, started)
        return outcome
    finally:
        receiver.close()
        process.join(0.5 if answered else 0)  # a child that answered is exiting by itself
        if process.is_alive():
            kill_process_tree(process.pid)
        process.join()


def _await_child(
    task: RepoTask, process: BaseProcess, receiver: Connection, cancel: threading.Event, started: float
) -> tuple[RepoOutcome, bool]:
    """The child's outcome and True, or a timeout/cancel/crash outcome and False."""
    deadline = started + task.timeout_seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _timed_out(task, time.monotonic() - started), False
        if cancel.is_set():
            return failed(task, "cancelled", time.monotonic() - started), False
        ready = wait([receiver, process.sentinel], timeout=min(remaining, POLL_SECONDS))
        if receiver in ready or (ready and receiver.poll(0)):
            try:
                return RepoOutcome.from_dict(receiver.recv()), True
            except EOFError:
                return _crashed(task, process, time.monotonic() - started), False
        if ready:
            return _crashed(task, process, time.monotonic() - started), False


def _timed_out(task: RepoTask, seconds: float) -> RepoOutcome:
    return failed(task, f"no result within {task.timeout_seconds:g} s: killed", seconds, status="timeout")


def _crashed(task: RepoTask, process: BaseProcess, seconds: float) -> RepoOutcome:
    process.join(1)
    code = process.exitcode
    if code is not None and -code == getattr(signal, "SIGALRM", None):
        return _timed_out(task, seconds)
    return failed(task, f"the audit process died ({_exit_description(code)})", seconds)


def _exit_description(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _child_main(task: RepoTask, sender: Connection, batch_pid: int) -> None:
    """Runs in the child: lead a process group, die with the batch, arm the alarm, audit,
    send the outcome."""
    _release_fork_server()
    _isolate(task.timeout_seconds + GRACE_SECONDS, batch_pid)
    outcome = audit_in_place(task)
    with contextlib.suppress(OSError):  # the parent is gone: nobody to tell
        sender.send(outcome.to_dict())
    sender.close()


def _isolate(alarm_seconds: float, batch_pid: int) -> None:
    harden_import_path()
    if hasattr(os, "setsid"):
        with contextlib.suppress(OSError):
            os.setsid()
    die_with_parent(batch_pid)
    if hasattr(signal, "setitimer"):
        # The default action of SIGALRM ends the process in the kernel: nothing in Python has
        # to run for it, so even a parser stuck in C code dies on time.
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, alarm_seconds)


def _release_fork_server() -> None:
    """Let go of the fork server's "alive" pipe, which it hands to every child.

    The server exits when no process holds that pipe's write end any more: with each child
    holding one, a child stuck on a repository kept the server, its parent, alive after
    the batch was killed, and so escaped PR_SET_PDEATHSIG. This child starts no process
    through the fork server, so it does not need it.
    """
    try:
        from multiprocessing import forkserver  # noqa: PLC0415 - only where children fork
    except ImportError:  # pragma: no cover - no fork server on this platform
        return
    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        with contextlib.suppress(OSError):
            os.close(alive)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


def die_with_parent(batch_pid: int) -> None:
    """Linux: ask the kernel to SIGKILL this process when its parent ends (PR_SET_PDEATHSIG).

    A batch killed with SIGKILL runs no cleanup: without this, a child stuck on a repository
    went on under PID 1. Its parent is the fork server, which exits as soon as the batch is
    gone (it reads EOF from the batch), so the child follows it at once, long before its own
    alarm. If the batch was already gone before the request took effect, the child leaves
    now. Elsewhere the alarm and the process-group kill remain.
    """
    if not sys.platform.startswith("linux"):  # pragma: no cover - Linux runs the tests
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return
    if armed and not _alive(batch_pid):
        os._exit(EXIT_ORPHANED)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - alive, another user's
        return True
    return True


def kill_process_tree(pid: int | None) -> None:
    """SIGKILL the process group led by `pid` (the child and what it started), else `pid`."""
    if pid is None:
        return
    with contextlib.suppress(OSError):
        if hasattr(os, "killpg"):
            os.killpg(pid, signal.SIGKILL)
            return
    with contextlib.suppress(OSError):
        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))


# --- the subprocess fallback (daemonic processes) -----------------------------------------


def _run_in_subprocess(task: RepoTask) -> RepoOutcome:
    started = time.monotonic()
    command = [sys.executable, "-m", "udef_audit.batch.worker", str(os.getpid())]
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as process:
        try:
            out, _ = process.communicate(json.dumps(asdict(task)).encode("utf-8"), timeout=task.timeout_seconds)
        except subprocess.TimeoutExpired:
            kill_process_tree(process.pid)
            process.communicate()
            return _timed_out(task, time.monotonic() - started)
    try:
        return RepoOutcome.from_dict(json.loads(out))
    except (ValueError, TypeError):
        return failed(task, f"the audit process died (exit code {process.returncode})", time.monotonic() - started)


def _subprocess_main() -> None:
    """`python -m udef_audit.batch.worker`: a task as JSON on stdin, its outcome on stdout."""
    task = RepoTask(**json.loads(sys.stdin.read()))
    _isolate(task.timeout_seconds + GRACE_SECONDS, int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
    sys.stdout.write(json.dumps(audit_in_place(task).to_dict()))


if __name__ == "__main__":
    _subprocess_main()
