"""Running git inside a hostile repository: one set of options, one environment.

Git reads the repository's own config, and a checkout can name an fsmonitor hook, an
external diff program, fetch protocols or filter drivers there. Command-line `-c`
settings (and `GIT_CONFIG_KEY_n` in the environment) outrank it, and the environment drops
every `GIT_*` variable the caller had (GIT_DIR, GIT_CONFIG_PARAMETERS...). The user's own
global config stays: it is theirs, and it holds `safe.directory` (the Docker image relies
on it) and their global excludes. Cloning remote repositories (batch/clone.py) needs
network protocols and has its own.

Filters (`filter.<driver>.clean/.smudge/.process`, chosen per file by `.gitattributes`)
run whenever git hashes a work-tree file, which read commands do when a file's stat data no
longer matches the index (`git ls-files -m`, `git status`, `git diff-files` on a racily
clean entry). Two defences, chosen after measuring (ADR 0010):

1. **No command we run hashes the work tree.** Which tracked files are unchanged is decided
   from `git ls-files --debug` (the index's stat data, printed, never refreshed) against our
   own `lstat`, as git itself would, minus the hashing: an entry that does not match, or
   is racily clean, is simply read and hashed by us, with no filter. This is the defence
   that does not depend on knowing the driver names.
2. **Every filter and diff driver the repository's config names is switched off** for
   every git command run in it (`safe_env(repository=root)`): the names come from
   `git config --list --name-only` (reading config runs nothing), and each gets empty
   `clean`, `smudge`, `process`, `command` and `textconv` and `required = false` through
   `GIT_CONFIG_COUNT` (which, unlike `-c name=value`, takes any driver name, even one with
   `=` or a newline). Measured cost: one `git config` call, about 7 ms, per repository.

A `.git` that is a symlink, a `.git` file naming a git directory outside the root (other
than the admin folder of a linked worktree that points back at it), a `commondir` or an
object `alternates` file pointing outside: git would then read another repository's
config, refs and objects. `repository_problem` refuses those before any git runs, and the
audit then treats the folder as plain files.
"""

from __future__ import annotations

import functools
import os
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path

SAFE_OPTIONS: tuple[str, ...] = (
    "--no-pager",
    "-c", "core.quotepath=off",
    "-c", "core.fsmonitor=false",
    "-c", "core.untrackedCache=false",
    "-c", "diff.external=",
    "-c", "log.showSignature=false",  # no gpg run on signed commits
    "-c", "protocol.allow=never",  # a partial clone must not fetch missing objects
)  # fmt: skip

# Driver sections whose entries name a program, and the keys emptied for each driver.
_DRIVER_KEYS = {"filter": ("clean", "smudge", "process"), "diff": ("command", "textconv")}
_MAX_GITDIR_FILE = 4096
# What git opens in nearly every command: a symlink would be read through, a FIFO would
# block git until our timeout.
_GIT_FILES = ("HEAD", "config", "config.worktree", "index", "shallow", "packed-refs", "commondir")


def safe_env(ceiling: Path | None = None, repository: Path | None = None) -> dict[str, str]:
    """The caller's environment minus what lets git run or fetch what a repository names.

    `ceiling` stops repository discovery above that folder (GIT_CEILING_DIRECTORIES).
    `repository`: the work tree git will run in; every filter and diff driver its config
    names is switched off.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_ATTR_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",  # a read must not rewrite the index
        GIT_NO_REPLACE_OBJECTS="1",  # the commits as stored, not as replace refs say
        GIT_NO_LAZY_FETCH="1",  # git >= 2.44; protocol.allow=never covers older ones
        GIT_ALLOW_PROTOCOL="",  # overrides any protocol.<name>.allow the repository sets
        LC_ALL="C",  # English error messages, which callers match
    )
    env.pop("LANGUAGE", None)
    if ceiling is not None:
        env["GIT_CEILING_DIRECTORIES"] = str(ceiling)
    if repository is not None:
        env.update(_driver_overrides(str(repository), _config_stamp(repository)))
    return env


def git_argv(*args: str) -> list[str]:
    """`git` with the safe options, then `args`."""
    return ["git", *SAFE_OPTIONS, *args]


_OUTPUT_TIMEOUT_SECONDS = 120


def git_output(root: Path, *args: str) -> bytes | None:
    """The stdout of a hardened `git -C root args...` (the repository's config drivers
    neutralised, no stdin, two minutes at most); None when git fails or cannot run."""
    return git_outputs(root, args)[0]


def git_outputs(root: Path, *commands: Sequence[str]) -> list[bytes | None]:
    """`git_output` of each command, the commands run at the same time (a short git call
    is mostly a process start): the outputs in the order given."""
    argvs = [git_argv("-C", str(root), *args) for args in commands]
    try:
        done = run_together(argvs, env=safe_env(repository=root), timeout=_OUTPUT_TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError):
        return [None for _ in commands]
    return [process.stdout if process.returncode == 0 else None for process in done]


def run_together(
    argvs: Sequence[list[str]], *, env: dict[str, str], timeout: float, cwd: Path | None = None
) -> list[subprocess.CompletedProcess[bytes]]:
    """Short commands started at once, no stdin, each waited for at most `timeout` seconds:
    their completed processes, in the order given. Raises OSError when one cannot start and
    TimeoutExpired when one hangs; then none of them is left running."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        for argv in argvs:
            started.append(subprocess.Popen(
                argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            ))
        return [_completed(process, timeout) for process in started]
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.communicate()


def _completed(process: subprocess.Popen[bytes], timeout: float) -> subprocess.CompletedProcess[bytes]:
    out, err = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _config_stamp(root: Path) -> tuple[int, int]:
    """Changes when the repository's config file does (the overrides are cached on it)."""
    try:
        info = os.lstat(root / ".git" / "config")
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _driver_overrides(root: str, _stamp: tuple[int, int]) -> dict[str, str]:
    """GIT_CONFIG_COUNT/KEY/VALUE entries that empty every driver program the config names."""
    drivers = sorted(_configured_drivers(root))
    pairs: list[tuple[str, str]] = []
    for section, name in drivers:
        pairs += [(f"{section}.{name}.{key}", "") for key in _DRIVER_KEYS[section]]
        if section == "filter":
            pairs.append((f"filter.{name}.required", "false"))
    env = {"GIT_CONFIG_COUNT": str(len(pairs))}
    for index, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env if pairs else {}


def _configured_drivers(root: str) -> set[tuple[str, str]]:
    """(section, driver name) for every `filter.<name>.*` and `diff.<name>.*` git sees in `root`."""
    try:
        done = subprocess.run(
            git_argv("-C", root, "config", "--list", "-z", "--name-only", "--includes"),
            capture_output=True,
            env=safe_env(),
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    found = set()
    for name in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        section, _, rest = name.partition(".")
        driver, _, _key = rest.rpartition(".")
        if section.lower() in _DRIVER_KEYS and driver:
            found.add((section.lower(), driver))
    return found


def repository_problem(root: Path) -> str | None:
    """Why git must not be run in `root` (its `.git` leads outside it), or None.

    Nothing here runs git: the files are read as plain bytes, within bounds.
    """
    dotgit = root / ".git"
    try:
        if dotgit.is_symlink():
            return "its .git is a symlink"
        if dotgit.is_file():
            return _gitdir_file_problem(root, dotgit)
        if dotgit.is_dir():
            return _gitdir_problem(root, dotgit)
    except OSError as exc:
        return f"its .git cannot be read ({exc.strerror or exc})"
    return None


def source_problem(path: Path) -> str | None:
    """Why a repository on this machine must not be cloned by its path (git would copy what
    its git directory points at outside it), or None: a work tree's `.git` as
    `repository_problem` says, a bare repository's own files likewise."""
    if (path / ".git").exists() or (path / ".git").is_symlink():
        return repository_problem(path)
    try:
        return _gitdir_problem(path, path)
    except OSError as exc:
        return f"its git directory cannot be read ({exc.strerror or exc})"


def _gitdir_file_problem(root: Path, dotgit: Path) -> str | None:
    """A `.git` file (`gitdir: PATH`): fine inside the root, or as a linked worktree."""
    text = _small_text(dotgit)
    if not text.startswith("gitdir:"):
        return "its .git file names no git directory"
    target = Path(os.path.realpath(root / text.removeprefix("gitdir:").strip()))
    if _inside(target, root):
        return _gitdir_problem(root, target)
    # `git worktree add` writes the admin folder's `gitdir` file, pointing back at this
    # .git: a repository cannot forge that outside its own tree.
    back = target / "gitdir"
    if back.is_file() and not back.is_symlink() and Path(os.path.realpath(_small_text(back).strip())) == dotgit:
        return None
    return f"its .git file points outside the audited folder ({target})"


def _gitdir_problem(root: Path, gitdir: Path) -> str | None:
    """A git directory inside the root whose `commondir` or object alternates lead out, or
    whose files git reads first are not regular files (a FIFO there blocks git itself)."""
    for name in _GIT_FILES:
        try:
            mode = os.lstat(gitdir / name).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            return f"its git directory's {name} is not a regular file"
    common = gitdir
    commondir = gitdir / "commondir"
    if commondir.is_file():
        common = Path(os.path.realpath(gitdir / _small_text(commondir).strip()))
        if not _inside(common, root):
            return f"its git directory's commondir points outside the audited folder ({common})"
    return _alternates_problem(root, common / "objects")


def _alternates_problem(root: Path, objects: Path) -> str | None:
    """Object stores the repository borrows (objects/info/alternates) must be inside the root."""
    alternates = objects / "info" / "alternates"
    if not (alternates.is_file() or alternates.is_symlink()):
        return None
    for line in _small_text(alternates).splitlines():
        place = line.strip()
        where = Path(os.path.realpath(objects / place))
        if place and not place.startswith("#") and not _inside(where, root):
            return f"its object alternates point outside the audited folder ({where})"
    return None


def _small_text(path: Path) -> str:
    """The first few kB of a git metadata file, as text."""
    return read_git_file(path, _MAX_GITDIR_FILE).decode("utf-8", "surrogateescape")


def read_git_file(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of a file of the git directory (`shallow`, `commondir`...): a
    regular file, never through a symlink, and a FIFO put there cannot block the open.
    OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return handle.read(limit)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
