"""Read a repository's recent history with ``git log`` (parsed by parsers/gitlog.py), which
can run in the background, into a temporary file, while the audit goes on.

The paths each commit changed are listed for the newest `FILE_LIST_COMMITS` commits of the
window only: listing them makes git diff two trees per commit, most of its work on a long
window. The score reads them to find the Python files changed in the window (debt vs
velocity), and a window of more than 20,000 commits (220 a day over the default 90 days)
touches the files it is going to touch long before. Its older commits are read by a second
`git log`, without paths, at the same time: 60,000 commits take 0.54 s instead of 1.3 s
(benchmarks/gitlog.py), and their subjects, dates and parents all count as before.

The window is measured back from the HEAD commit's committer date, never from the wall
clock, so auditing the same commit always reads the same history.

The repository is hostile input. Git runs as a plain subprocess (no shell, no GitPython:
``import git`` needs a git binary at import time, and its per-commit stats were measured
~30x slower than one ``git log --numstat``, itself ten times ``--name-only``), with:

* an environment stripped of every ``GIT_*`` variable, no system or global config, and
  repository discovery stopped at ``root`` (so a parent directory's repository is not
  audited by mistake);
* command-line config and options that switch off everything a repository's own
  ``.git/config`` or ``.gitattributes`` could use to run a program during ``git log``:
  external diff and textconv drivers, fsmonitor, signature verification (gpg), and every
  transport (a partial clone would otherwise fetch missing blobs from a remote it names);
* no option, ref or path taken from the repository: the only revision passed is the
  HEAD sha that git itself reported, after checking that it is hex.

Nothing here raises for a broken or absent repository: :func:`read_history` returns a
:class:`History` with ``available=False`` and the reason.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO

from udef_audit.gitsafe import git_argv, read_git_file, repository_problem, run_together, safe_env
from udef_audit.parsers.gitlog import FIELD_SEPARATOR, LOG_FORMAT, Commit, History, parse_date, parse_log

REASON_NOT_A_REPOSITORY = "not a git repository"


REASON_EMPTY = "empty repository (no commits)"


REASON_NO_GIT = "git executable not found"


_SECONDS_PER_DAY = 86_400


_PROBE_TIMEOUT_SECONDS = 60


# Commits whose changed paths are listed (the newest of the window); see the module docstring.
FILE_LIST_COMMITS = 20_000


_MAX_SHALLOW_FILE_BYTES = 1 << 20


_HEX_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256 object names


# After gitsafe's options on every call. Command-line config outranks the repository's own:
# the same numbers whatever the repository configures, and no huge blob gets diffed.
_LOG_CONFIG: tuple[str, ...] = (
    "-c", "i18n.logOutputEncoding=UTF-8",
    "-c", "log.showRoot=true",
    "-c", "core.bigFileThreshold=32m",
)  # fmt: skip


_LOG_OPTIONS: tuple[str, ...] = (
    "log",
    "-z",
    "--no-renames",  # plain paths, and no rename detection cost
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--diff-algorithm=myers",
    "--encoding=UTF-8",
    f"--format={LOG_FORMAT}",
)


class _GitError(Exception):
    """A git call failed; the message is fit for :attr:`History.reason`."""


@dataclass(frozen=True)
class _Head:
    sha: str
    timestamp: int
    date: datetime
    detached: bool


class _Git:
    """Runs git in one directory with the hardened environment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Discovery stops at the audited folder: a folder inside another repository is not
        # scored with that repository's history.
        self.env = safe_env(ceiling=root.parent, repository=root)

    def argv(self, *args: str) -> list[str]:
        return git_argv(*_LOG_CONFIG, *args)

    def run_all(self, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess[bytes]]:
        """Short git commands run at the same time (each costs a process start, mostly
        waiting): their completed processes, in the order given."""
        argvs = [self.argv(*args) for args in commands]
        try:
            return run_together(argvs, env=self.env, timeout=_PROBE_TIMEOUT_SECONDS, cwd=self.root)
        except FileNotFoundError as error:
            raise _GitError(REASON_NO_GIT) from error
        except (OSError, subprocess.TimeoutExpired) as error:
            raise _GitError(f"git could not run: {error}") from error

    def start(self, args: tuple[str, ...], stdout: IO[bytes] | int, stderr: IO[bytes] | int) -> subprocess.Popen[bytes]:
        """Start a git command and return at once.

        The background log writes to files rather than pipes: the audit goes on while git
        runs (a pipe nobody reads would stop git once full), and the pools that fork later
        find no reader thread. The short probes write to pipes, read at once (`run_all`).
        """
        try:
            return subprocess.Popen(
                self.argv(*args),
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
            )
        except FileNotFoundError as error:
            raise _GitError(REASON_NO_GIT) from error
        except OSError as error:
            raise _GitError(f"git could not run: {error}") from error


def _failure_reason(process: subprocess.CompletedProcess[bytes]) -> str:
    message = process.stderr.decode("utf-8", "replace").strip()
    if "not a git repository" in message:
        return REASON_NOT_A_REPOSITORY
    first_line = message.splitlines()[0] if message else f"exit status {process.returncode}"
    return f"git failed: {first_line.removeprefix('fatal: ')}"


_SHALLOW_PROBE = ("rev-parse", "--is-shallow-repository", "--git-path", "shallow")
_BRANCH_PROBE = ("symbolic-ref", "-q", "HEAD")
_HEAD_PROBE = ("rev-parse", "-q", "--verify", "HEAD")
# "--": a file named HEAD in the work tree must not make the revision ambiguous.
_HEAD_DATE = ("show", "-s", "--no-show-signature", "--format=%H%x1f%ct%x1f%cI", "HEAD", "--")


def _probe(git: _Git) -> tuple[Path | None, _Head]:
    """The shallow file (None for a complete clone) and HEAD: four short git commands,
    run at the same time and read in this order (the first failure is the reason)."""
    shallow, branch, verified, shown = git.run_all(_SHALLOW_PROBE, _BRANCH_PROBE, _HEAD_PROBE, _HEAD_DATE)
    return _shallow_file(git, shallow), _head(branch, verified, shown)


def _shallow_file(git: _Git, process: subprocess.CompletedProcess[bytes]) -> Path | None:
    """The shallow file's path if this is a shallow clone, None if it is complete."""
    if process.returncode != 0:
        raise _GitError(_failure_reason(process))
    lines = process.stdout.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != 2 or lines[0] not in ("true", "false"):
        raise _GitError("git failed: unexpected rev-parse output")
    return git.root / lines[1] if lines[0] == "true" else None


def _head(
    branch: subprocess.CompletedProcess[bytes],
    verified: subprocess.CompletedProcess[bytes],
    shown: subprocess.CompletedProcess[bytes],
) -> _Head:
    """HEAD's sha and committer date; raises for an empty repository."""
    detached = branch.returncode != 0
    if verified.returncode != 0:
        raise _GitError(REASON_EMPTY if not detached else "HEAD does not name a commit")
    if shown.returncode != 0:
        raise _GitError(_failure_reason(shown))
    fields = shown.stdout.decode("utf-8", "replace").strip().split(FIELD_SEPARATOR)
    if len(fields) != 3 or not _HEX_SHA.fullmatch(fields[0]):
        raise _GitError("git failed: unexpected output for HEAD")
    parsed = parse_date(fields[1], fields[2])
    if parsed is None:
        raise _GitError("HEAD has an unreadable committer date")
    return _Head(sha=fields[0], timestamp=parsed[0], date=parsed[1], detached=detached)


def _read_shallow_boundaries(shallow_file: Path) -> frozenset[str]:
    """The commits whose parents a shallow clone does not have."""
    try:
        text = read_git_file(shallow_file, _MAX_SHALLOW_FILE_BYTES).decode("ascii", "replace")
    except OSError:
        return frozenset()
    return frozenset(line for line in text.split() if _HEX_SHA.fullmatch(line))


class _RunningLog:
    """One `git log` from HEAD back to ``since`` (inclusive), at most ``limit`` commits after
    the newest ``skip``, running in the background into a temporary file."""

    def __init__(self, git: _Git, head: _Head, since: int, limit: int, *, files: bool, skip: int = 0) -> None:
        args = (
            *_LOG_OPTIONS,
            *(("--name-only",) if files else ()),
            f"--since=@{since} +0000",
            f"--skip={skip}",
            f"--max-count={limit}",
            head.sha,
            "--",
        )
        # Open past this call on purpose (git writes into them meanwhile): close() ends them.
        self.stdout = tempfile.TemporaryFile()  # noqa: SIM115
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.process = git.start(args, self.stdout, self.stderr)
        except _GitError:
            self.close()
            raise

    def commits(self) -> list[Commit]:
        """Wait for git, then parse what it wrote (raises _GitError when it failed)."""
        try:
            status = self.process.wait()
            if status != 0:
                self.stderr.seek(0)
                failed = subprocess.CompletedProcess(self.process.args, status, b"", self.stderr.read(4096))
                raise _GitError(_failure_reason(failed))
            self.stdout.seek(0)
            return parse_log(self.stdout)
        finally:
            self.close()

    def close(self) -> None:
        if getattr(self, "process", None) is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stdout.close()
        self.stderr.close()


def _shallow_reason(boundaries: list[Commit]) -> str:
    shas = ", ".join(commit.sha[:12] for commit in boundaries)
    return f"shallow clone: history before {shas} not available"


def read_history(root: Path, *, window_days: int = 90, max_commits: int = 100_000, files: bool = True,
                 file_lists: int = FILE_LIST_COMMITS) -> History:
    """Read the commits in ``[HEAD date - window_days, HEAD date]`` with ``git log``.

    The newest ``file_lists`` commits list the paths they changed; older ones have no files.
    ``files=False`` skips the per-commit tree diff that lists them (most of git's work on a
    long window) for every commit. Use it when only subjects, dates and parents matter, as
    for the history criteria.

    Never raises for a missing, broken, empty or shallow repository: the History says
    ``available=False`` and why. A shallow clone's boundary commits look like roots that
    add the whole tree, so they are left out (and ``reason`` names them); if nothing else
    is left, the history is unavailable. Raises ValueError only for a negative window or
    a non-positive limit.
    """
    pending = start_history(root, window_days=window_days, max_commits=max_commits, files=files, file_lists=file_lists)
    return pending.result()


def start_history(
    root: Path, *, window_days: int = 90, max_commits: int = 100_000, files: bool = True,
    file_lists: int = FILE_LIST_COMMITS,
) -> PendingHistory:
    """:func:`read_history`, with its `git log` started in the background: the caller goes
    on (the rules run meanwhile) and asks :meth:`PendingHistory.result` when it needs it.
    The short probes (shallow? HEAD?) run here, first."""
    if window_days < 0 or max_commits < 1 or file_lists < 1:
        raise ValueError("window_days must be >= 0, max_commits and file_lists >= 1")
    unknown = History(
        available=False,
        reason=REASON_NOT_A_REPOSITORY,
        head_sha=None,
        head_date=None,
        detached=False,
        shallow=False,
        window_days=window_days,
        commits=(),
        truncated=False,
    )
    root = Path(root).resolve()
    if not root.is_dir():
        return PendingHistory(unknown)
    refused = repository_problem(root)
    if refused is not None:  # its .git leads outside the folder: no git is run at all
        return PendingHistory(replace(unknown, reason=f"git not used: {refused}"))
    git = _Git(root)
    try:
        shallow_file, head = _probe(git)
        since = head.timestamp - window_days * _SECONDS_PER_DAY
        logs = _start_logs(git, head, since, max_commits + 1, file_lists if files else 0)
    except _GitError as error:
        return PendingHistory(replace(unknown, reason=str(error)))
    return PendingHistory(unknown, _LogJob(logs, head, shallow_file, max_commits))


def _start_logs(git: _Git, head: _Head, since: int, limit: int, file_lists: int) -> list[_RunningLog]:
    """The newest `file_lists` commits with their paths, and the rest of the window (up to
    `limit` in all) without, both running at once."""
    if file_lists >= limit:
        return [_RunningLog(git, head, since, limit, files=True)]
    if file_lists == 0:
        return [_RunningLog(git, head, since, limit, files=False)]
    listed = _RunningLog(git, head, since, file_lists, files=True)
    try:
        return [listed, _RunningLog(git, head, since, limit - file_lists, files=False, skip=file_lists)]
    except _GitError:
        listed.close()
        raise


@dataclass
class _LogJob:
    logs: list[_RunningLog]  # newest commits first
    head: _Head
    shallow_file: Path | None
    max_commits: int

    def commits(self) -> list[Commit]:
        """Every log's commits, in order (raises _GitError for the first that failed)."""
        try:
            return [commit for log in self.logs for commit in log.commits()]
        finally:
            self.close()

    def close(self) -> None:
        for log in self.logs:
            log.close()


class PendingHistory:
    """A history being read: `result()` waits for git (once) and returns the History."""

    def __init__(self, unknown: History, job: _LogJob | None = None) -> None:
        self._history = unknown
        self._job = job

    def result(self) -> History:
        """The history (waiting for git the first time)."""
        job, self._job = self._job, None
        if job is None:
            return self._history
        try:
            commits = job.commits()
        except _GitError as error:
            self._history = replace(self._history, reason=str(error))
            return self._history
        boundaries = _read_shallow_boundaries(job.shallow_file) if job.shallow_file else frozenset()
        self._history = _assemble(
            job.head,
            shallow=job.shallow_file is not None,
            boundaries=boundaries,
            commits=commits,
            unknown=self._history,
            max_commits=job.max_commits,
        )
        return self._history

    def cancel(self) -> None:
        """Stop git if it still runs (an audit that ends before it needs the history)."""
        job, self._job = self._job, None
        if job is not None:
            job.close()


def _assemble(
    head: _Head,
    *,
    shallow: bool,
    boundaries: frozenset[str],
    commits: list[Commit],
    unknown: History,
    max_commits: int,
) -> History:
    within_limit = commits[:max_commits]
    kept = tuple(commit for commit in within_limit if commit.sha not in boundaries)
    excluded = [commit for commit in within_limit if commit.sha in boundaries]
    reason = _shallow_reason(excluded) if excluded else None
    if not kept and reason is None:  # pragma: no cover - HEAD itself is always in the window
        reason = "no commits in the window"
    return replace(
        unknown,
        available=bool(kept),
        reason=reason,
        head_sha=head.sha,
        head_date=head.date,
        detached=head.detached,
        shallow=shallow,
        commits=kept,
        truncated=len(commits) > max_commits,
    )
