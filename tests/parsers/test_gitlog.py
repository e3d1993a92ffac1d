"""read_history against throwaway repositories with fixed commit dates in the past.

Every date is in 2023, so a window measured from the wall clock would see nothing: the
tests pass only if the window is measured back from HEAD's committer date.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import HangingGit

from udef_audit import git_history
from udef_audit.git_history import REASON_EMPTY, REASON_NO_GIT, REASON_NOT_A_REPOSITORY, read_history, start_history
from udef_audit.parsers import gitlog
from udef_audit.parsers.gitlog import Commit, History, window_start
from udef_audit.scoring.history import classify

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs a git binary"),
]

IDENTITY = (
    "-c", "user.name=t",
    "-c", "user.email=t@example.com",
    "-c", "commit.gpgsign=false",
    "-c", "init.defaultBranch=main",
    "-c", "protocol.file.allow=always",
)  # fmt: skip


def at(day: str, time: str = "12:00:00", offset: str = "+00:00") -> str:
    """A git date string: ISO 8601 with an explicit offset."""
    return f"{day}T{time}{offset}"


def utc(day: str, time: str = "12:00:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}+00:00")


class Repo:
    """A throwaway repository; git runs with no user or system configuration."""

    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env

    def git(self, *args: str, date: str | None = None, stdin: bytes = b"") -> str:
        env = dict(self.env)
        if date is not None:
            env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        result = subprocess.run(
            ["git", *IDENTITY, *args],
            cwd=self.path,
            env=env,
            input=stdin,
            capture_output=True,
            check=True,
        )
        return result.stdout.decode("utf-8", "surrogateescape").strip()

    def commit(self, subject: str, date: str, files: Mapping[str, str | bytes] | None = None) -> str:
        """Write ``files``, commit everything with ``subject`` at ``date``; return the sha."""
        for name, content in (files or {}).items():
            path = self.path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "--cleanup=verbatim", "-m", subject, date=date)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(HOME=str(home), GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return env


MakeRepo = Callable[..., Repo]


@pytest.fixture
def make_repo(tmp_path: Path, git_env: dict[str, str]) -> MakeRepo:
    """make_repo(name="repo"): a new empty repository under tmp_path."""

    def make(name: str = "repo") -> Repo:
        path = tmp_path / name
        path.mkdir()
        repo = Repo(path, git_env)
        repo.git("init", "-q")
        return repo

    return make


@pytest.fixture
def repo(make_repo: MakeRepo) -> Repo:
    return make_repo()


def subjects(history: History) -> list[str]:
    return [commit.subject for commit in history.commits]


# -- reading ---------------------------------------------------------------------------


def test_reads_subjects_dates_parents_and_files_newest_first(repo: Repo) -> None:
    first = repo.commit("Add parser", at("2023-03-01"), {"a.py": "one\ntwo\n"})
    second = repo.commit("fix: parser", at("2023-03-02"), {"a.py": "one\n2\nthree\n"})
    third = repo.commit("docs", at("2023-03-03"), {"docs/x.md": "x\n", "b.py": "b\n"})

    history = read_history(repo.path)

    assert history.available
    assert history.reason is None
    assert history.head_sha == third
    assert history.head_date == utc("2023-03-03")
    assert not history.detached
    assert not history.shallow
    assert not history.truncated
    assert history.window_days == 90
    assert subjects(history) == ["docs", "fix: parser", "Add parser"]
    newest, middle, oldest = history.commits
    assert (oldest.sha, oldest.parents, oldest.date) == (first, (), utc("2023-03-01"))
    assert oldest.files == ("a.py",)
    assert (middle.sha, middle.parents) == (second, (first,))
    assert middle.files == ("a.py",)
    assert sorted(newest.files) == ["b.py", "docs/x.md"]
    assert not any(commit.is_merge for commit in history.commits)


def test_without_files_only_the_paths_are_missing(repo: Repo) -> None:
    repo.commit("one", at("2023-03-01"), {"a.py": "a\n"})
    repo.commit("two", at("2023-03-02"), {"b.py": "b\n"})

    full = read_history(repo.path)
    light = read_history(repo.path, files=False)

    assert [(c.sha, c.date, c.subject, c.parents) for c in light.commits] == [
        (c.sha, c.date, c.subject, c.parents) for c in full.commits
    ]
    assert [c.files for c in light.commits] == [(), ()]
    assert [c.files for c in full.commits] == [("b.py",), ("a.py",)]


def test_dates_keep_the_committer_offset(repo: Repo) -> None:
    repo.commit("one", at("2023-03-01", "12:00:00", "+05:30"))

    (commit,) = read_history(repo.path).commits

    assert commit.date.utcoffset() == timedelta(hours=5, minutes=30)
    assert commit.date == datetime(2023, 3, 1, 6, 30, tzinfo=timezone.utc)


def test_window_is_measured_from_head_not_the_wall_clock(repo: Repo) -> None:
    repo.commit("ancient", at("2022-01-01"))
    repo.commit("just outside", at("2023-01-30", "11:59:59"))
    repo.commit("exactly 30 days before head", at("2023-01-30", "12:00:00"))
    repo.commit("inside", at("2023-02-20"))
    repo.commit("head", at("2023-03-01"))

    history = read_history(repo.path, window_days=30)

    assert subjects(history) == ["head", "inside", "exactly 30 days before head"]
    assert window_start(history) == utc("2023-01-30")
    assert len(read_history(repo.path).commits) == 4  # 90 days: all but "ancient"
    assert subjects(read_history(repo.path, window_days=0)) == ["head"]


def test_only_the_newest_commits_list_their_files(repo: Repo) -> None:
    for day in range(1, 6):
        repo.commit(f"c{day}", at(f"2023-03-0{day}"), {f"f{day}.py": "x\n"})

    history = read_history(repo.path, file_lists=2)

    assert subjects(history) == ["c5", "c4", "c3", "c2", "c1"]
    assert [c.files for c in history.commits] == [("f5.py",), ("f4.py",), (), (), ()]
    assert history == read_history(repo.path, file_lists=2)
    assert [c.files for c in read_history(repo.path, file_lists=5).commits] == [
        (f"f{day}.py",) for day in range(5, 0, -1)
    ]


def test_max_commits_counts_the_commits_without_files_too(repo: Repo) -> None:
    for day in range(1, 6):
        repo.commit(f"c{day}", at(f"2023-03-0{day}"), {f"f{day}.py": "x\n"})

    history = read_history(repo.path, max_commits=3, file_lists=2)

    assert subjects(history) == ["c5", "c4", "c3"]
    assert [c.files for c in history.commits] == [("f5.py",), ("f4.py",), ()]
    assert history.truncated
    assert not read_history(repo.path, max_commits=5, file_lists=2).truncated


def test_window_start_is_none_without_head(tmp_path: Path) -> None:
    assert window_start(read_history(tmp_path)) is None


def test_max_commits_keeps_the_newest_and_says_truncated(repo: Repo) -> None:
    for day in range(1, 5):
        repo.commit(f"c{day}", at(f"2023-03-0{day}"))

    history = read_history(repo.path, max_commits=2)

    assert subjects(history) == ["c4", "c3"]
    assert history.truncated
    assert not read_history(repo.path, max_commits=4).truncated


def test_bad_arguments_raise(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="window_days"):
        read_history(tmp_path, window_days=-1)
    with pytest.raises(ValueError, match="max_commits"):
        read_history(tmp_path, max_commits=0)
    with pytest.raises(ValueError, match="file_lists"):
        read_history(tmp_path, file_lists=0)


def test_same_repository_read_twice_is_identical(repo: Repo) -> None:
    repo.commit("one", at("2023-03-01"), {"a": "a\n"})
    repo.commit("two", at("2023-03-02"), {"b": "b\n"})

    assert read_history(repo.path) == read_history(repo.path)


def test_commits_are_newest_first_even_with_clock_skew(repo: Repo) -> None:
    repo.commit("parent, later clock", at("2023-03-02"))
    repo.commit("child, earlier clock", at("2023-03-01"))
    repo.commit("head", at("2023-03-03"))

    history = read_history(repo.path)

    assert subjects(history) == ["head", "parent, later clock", "child, earlier clock"]


# -- merges, reverts, hotfix branches ----------------------------------------------------


def test_merges_and_hotfix_branch_merges(repo: Repo) -> None:
    repo.commit("base", at("2023-03-01"), {"a.py": "a\n"})
    repo.git("checkout", "-q", "-b", "hotfix/login")
    fix = repo.commit("Guard against empty password", at("2023-03-02"), {"login.py": "x\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("feat: dashboard", at("2023-03-03"), {"dash.py": "d\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'hotfix/login'", "hotfix/login",
             date=at("2023-03-04"))  # fmt: skip

    history = read_history(repo.path)

    merge = history.commits[0]
    assert merge.is_merge
    assert merge.parents[1] == fix
    assert merge.files == ()  # git log shows no diff for a merge
    assert classify(merge).hotfix_merge
    assert classify(merge).emergency
    assert [classify(commit).hotfix_merge for commit in history.commits] == [
        True, False, False, False,
    ]  # fmt: skip


def test_revert_subject(repo: Repo) -> None:
    repo.commit("Add cache", at("2023-03-01"), {"cache.py": "c\n"})
    repo.git("revert", "--no-edit", "HEAD", date=at("2023-03-02"))

    reverting = read_history(repo.path).commits[0]

    assert reverting.subject == 'Revert "Add cache"'
    assert reverting.files == ("cache.py",)
    assert classify(reverting).revert
    assert classify(reverting).emergency


# -- odd subjects and paths ---------------------------------------------------------------


def test_subjects_with_unicode_tabs_and_separator_characters(repo: Repo) -> None:
    odd = "ünïcødé ☃\ttab \x1e record \x1f unit 'single' \"double\" %H %x00 \\ back"
    repo.commit(odd, at("2023-03-01"), {"a": "a\n"})
    repo.commit("ok", at("2023-03-02"), {"b": "b\n"})

    history = read_history(repo.path)

    assert subjects(history) == ["ok", odd]
    assert history.commits[1].files == ("a",)
    assert history.commits[1].date == utc("2023-03-01")


def test_subject_is_the_first_paragraph(repo: Repo) -> None:
    repo.commit("first line\n\nbody with\nlines", at("2023-03-01"))

    assert subjects(read_history(repo.path)) == ["first line"]


def test_file_names_with_spaces_non_ascii_and_control_characters(repo: Repo) -> None:
    names = ["with space.txt", "ünï côdé/文件.py", "tab\there.txt", "new\nline.txt",
             'quo"te.txt', "back\\slash.txt", "-dash.txt", "1\t2\t3.txt"]  # fmt: skip
    repo.commit("odd names", at("2023-03-01"), dict.fromkeys(names, "x\ny\n"))

    (commit,) = read_history(repo.path).commits

    assert sorted(commit.files) == sorted(names)


def test_files_named_like_revisions_or_options_change_nothing(repo: Repo) -> None:
    tricky = {"HEAD": "h\n", "--all": "a\n", "main": "m\n", "@": "x\n"}
    repo.commit("tricky names", at("2023-03-01"), tricky)

    (commit,) = read_history(repo.path).commits

    assert sorted(commit.files) == sorted(tricky)


def test_binary_files_are_listed(repo: Repo) -> None:
    repo.commit("data", at("2023-03-01"), {"blob.bin": b"\x00\x01\x02", "t.txt": "t\n"})

    (commit,) = read_history(repo.path).commits

    assert sorted(commit.files) == ["blob.bin", "t.txt"]


# -- degrading honestly -------------------------------------------------------------------


def test_not_a_git_repository(tmp_path: Path) -> None:
    history = read_history(tmp_path)

    assert history == History(
        available=False,
        reason=REASON_NOT_A_REPOSITORY,
        head_sha=None,
        head_date=None,
        detached=False,
        shallow=False,
        window_days=90,
        commits=(),
        truncated=False,
    )
    assert read_history(tmp_path / "missing").reason == REASON_NOT_A_REPOSITORY
    (tmp_path / "file").write_text("x")
    assert read_history(tmp_path / "file").reason == REASON_NOT_A_REPOSITORY


def test_a_directory_inside_a_repository_is_not_that_repository(repo: Repo) -> None:
    repo.commit("one", at("2023-03-01"), {"sub/a.py": "a\n"})

    assert read_history(repo.path / "sub").reason == REASON_NOT_A_REPOSITORY


def test_empty_repository(repo: Repo) -> None:
    history = read_history(repo.path)

    assert not history.available
    assert history.reason == REASON_EMPTY
    assert history.commits == ()


def test_git_not_installed(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("one", at("2023-03-01"))
    monkeypatch.setenv("PATH", str(repo.path / "no-bin"))

    history = read_history(repo.path)

    assert not history.available
    assert history.reason == REASON_NO_GIT


def test_git_gone_before_the_second_log_stops_the_first(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("one", at("2023-03-01"), {"a.py": "1"})
    repo.commit("two", at("2023-03-02"), {"b.py": "2"})
    started: list[subprocess.Popen[bytes]] = []
    start = git_history._Git.start

    def start_once(self: git_history._Git, *args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        if started:
            raise git_history._GitError(REASON_NO_GIT)
        started.append(start(self, *args, **kwargs))  # type: ignore[arg-type]
        return started[0]

    monkeypatch.setattr(git_history._Git, "start", start_once)

    history = read_history(repo.path, file_lists=1)

    assert (history.available, history.reason) == (False, REASON_NO_GIT)
    assert started[0].poll() is not None  # the first log was stopped, not left running


def test_broken_repository_reports_gits_complaint(repo: Repo) -> None:
    repo.commit("one", at("2023-03-01"))
    head_object = repo.git("rev-parse", "HEAD")
    (repo.path / ".git/objects" / head_object[:2] / head_object[2:]).unlink()

    history = read_history(repo.path)

    assert not history.available
    assert history.reason is not None
    assert history.reason.startswith("git failed:")


@pytest.fixture
def upstream(make_repo: MakeRepo) -> Repo:
    source = make_repo("upstream")
    for day in range(1, 6):
        source.commit(f"c{day}", at(f"2023-03-0{day}"), {f"f{day}.py": "x\n" * day})
    return source


def clone(upstream: Repo, name: str, *options: str) -> Repo:
    target = Repo(upstream.path.parent / name, upstream.env)
    upstream.git("clone", "-q", *options, f"file://{upstream.path}", str(target.path))
    return target


def test_shallow_clone_of_depth_one_has_no_usable_history(upstream: Repo) -> None:
    shallow = clone(upstream, "depth1", "--depth", "1")
    boundary = shallow.git("rev-parse", "HEAD")

    history = read_history(shallow.path)

    assert history.shallow
    assert not history.available
    assert history.reason == f"shallow clone: history before {boundary[:12]} not available"
    assert history.commits == ()
    assert history.head_sha == boundary


def test_shallow_clone_excludes_its_boundary_commit(upstream: Repo) -> None:
    shallow = clone(upstream, "depth3", "--depth", "3")
    boundary = shallow.git("rev-parse", "HEAD~2")

    history = read_history(shallow.path)

    assert history.available
    assert history.shallow
    assert subjects(history) == ["c5", "c4"]  # c3, the boundary, would look like a root
    assert history.reason == f"shallow clone: history before {boundary[:12]} not available"


def test_shallow_clone_whose_boundary_is_outside_the_window_is_complete(upstream: Repo) -> None:
    shallow = clone(upstream, "depth3", "--depth", "3")

    history = read_history(shallow.path, window_days=1)

    assert history.available
    assert history.shallow
    assert history.reason is None
    assert subjects(history) == ["c5", "c4"]


def test_bare_clone_is_read(upstream: Repo) -> None:
    bare = clone(upstream, "bare.git", "--bare")

    assert subjects(read_history(bare.path)) == ["c5", "c4", "c3", "c2", "c1"]


def test_detached_head(upstream: Repo) -> None:
    upstream.git("checkout", "-q", "--detach", "HEAD~1")

    history = read_history(upstream.path)

    assert history.available
    assert history.detached
    assert history.head_date == utc("2023-03-04")
    assert subjects(history) == ["c4", "c3", "c2", "c1"]


# -- hostile repositories -----------------------------------------------------------------


def _tripwire(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A script that leaves a marker file if anything ever runs it."""
    marker = tmp_path / f"{name}.ran"
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\ncat >/dev/null\nexit 0\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, marker


def test_repository_config_cannot_make_git_run_programs(repo: Repo, tmp_path: Path) -> None:
    repo.commit("one", at("2023-03-01"), {".gitattributes": "* diff=evil\n", "a.txt": "a\n"})
    repo.commit("two", at("2023-03-02"), {"a.txt": "a\nb\n"})
    # Configured after committing, so only read_history's git calls could trip them.
    scripts = {name: _tripwire(tmp_path, name) for name in ("ext", "textconv", "fsmon", "gpg")}
    repo.git("config", "diff.external", str(scripts["ext"][0]))
    repo.git("config", "diff.evil.textconv", str(scripts["textconv"][0]))
    repo.git("config", "diff.evil.command", str(scripts["ext"][0]))
    repo.git("config", "core.fsmonitor", str(scripts["fsmon"][0]))
    repo.git("config", "log.showSignature", "true")
    repo.git("config", "gpg.program", str(scripts["gpg"][0]))
    repo.git("config", "diff.algorithm", "patience")
    # A commit with a (bogus) signature: log.showSignature would hand it to gpg.program.
    signed = (
        f"tree {repo.git('rev-parse', 'HEAD^{tree}')}\n"
        f"parent {repo.git('rev-parse', 'HEAD')}\n"
        "author t <t@example.com> 1677844800 +0000\n"
        "committer t <t@example.com> 1677844800 +0000\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n"
        "\nsigned\n"
    )
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", stdin=signed.encode())
    repo.git("update-ref", "HEAD", sha)

    history = read_history(repo.path)

    assert subjects(history) == ["signed", "two", "one"]
    assert history.commits[1].files
    assert [marker for _, marker in scripts.values() if marker.exists()] == []


def test_callers_git_environment_is_ignored(repo: Repo, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("mine", at("2023-03-01"))
    other = make_repo("other")
    other.commit("someone else's", at("2023-03-01"))
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'diff.external'='/bin/false'")

    assert subjects(read_history(repo.path)) == ["mine"]


def test_commit_is_immutable() -> None:
    commit = Commit("a" * 40, utc("2023-03-01"), "s", (), ())

    with pytest.raises(AttributeError):
        commit.subject = "changed"  # type: ignore[misc]


def test_log_that_fails_midway_reports_gits_complaint(repo: Repo) -> None:
    repo.commit("one", at("2023-03-01"), {"a.txt": "old\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    repo.commit("two", at("2023-03-02"), {"a.txt": "new\n"})
    (repo.path / ".git/objects" / tree[:2] / tree[2:]).unlink()  # the paths of "two" need it

    history = read_history(repo.path)

    assert not history.available
    assert history.reason is not None
    assert history.reason.startswith("git failed:")


SHA = "a" * 40
GOOD = {"shallow": "false\n.git/shallow\n", "branch": "refs/heads/main\n", "verify": f"{SHA}\n",
        "show": f"{SHA}\x1f1672531200\x1f2023-01-01T00:00:00+00:00\n"}
PROBES = {"shallow": "*--is-shallow-repository*", "branch": "*symbolic-ref*", "verify": "*--verify*",
          "show": "*show\\ -s*"}


@pytest.mark.parametrize(("answers", "reason"), [
    ({"shallow": "maybe\n.git/shallow\n"}, "git failed: unexpected rev-parse output"),
    ({"show": "not a sha\n"}, "git failed: unexpected output for HEAD"),
    ({"show": f"{SHA}\x1fsoon\x1fyesterday\n"}, "HEAD has an unreadable committer date"),
    ({"branch": None, "verify": None}, "HEAD does not name a commit"),
    ({"verify": None}, REASON_EMPTY),
])
def test_odd_answers_from_git_become_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: dict[str, str | None], reason: str) -> None:
    # The probes run at the same time and are read in order: the first odd answer says why.
    cases = []
    for name, text in {**GOOD, **answers}.items():
        if text is None:
            cases.append(f"  {PROBES[name]}) exit 1;;")
        else:
            (tmp_path / name).write_text(text)
            cases.append(f"  {PROBES[name]}) cat {tmp_path / name}; exit 0;;")
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "git").write_text('#!/bin/sh\ncase "$*" in\n' + "\n".join(cases) + "\nesac\nexit 1\n")
    (fake_bin / "git").chmod(0o755)
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ['PATH']}")

    history = read_history(tmp_path / "repo")

    assert not history.available
    assert history.reason == reason


def test_a_git_that_hangs_is_given_up_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hanging_git: HangingGit) -> None:
    monkeypatch.setattr(git_history, "_PROBE_TIMEOUT_SECONDS", 0.2)

    history = read_history(tmp_path)

    assert not history.available
    assert history.reason is not None
    assert history.reason.startswith("git could not run:")
    # The probes run at the same time: none of them is left running once one hangs.
    assert len(hanging_git.pids()) >= 4  # the four probes (and any git call before them)
    assert hanging_git.none_left_running()


# -- the stream parser on crafted (hostile) output --------------------------------------------


def _parse(stream: bytes, chunk: int = 7) -> list[Commit]:
    parser = gitlog._LogParser()
    for token in gitlog._tokens(io.BufferedReader(io.BytesIO(stream), buffer_size=chunk)):
        parser.feed(token)
    parser.finish()
    return parser.commits


def _header(sha: str, parents: str, timestamp: str, iso: str, subject: str) -> bytes:
    return b"\x1e" + "\x1f".join([sha, parents, timestamp, iso, subject]).encode() + b"\0"


def test_parser_reads_records_split_across_chunks() -> None:
    stream = (
        _header("a" * 40, "b" * 40, "1677672000", "2023-03-01T12:00:00+00:00", "one")
        + b"\nx y.py\0bin\0"
        + _header("b" * 40, "", "1677585600", "2023-02-28T12:00:00+00:00", "two")
        + b"\nlast"  # no final NUL
    )

    one, two = _parse(stream)

    assert (one.subject, one.parents, one.files) == ("one", ("b" * 40,), ("x y.py", "bin"))
    assert (two.subject, two.parents, two.files) == ("two", (), ("last",))


def test_parser_skips_what_is_not_a_record() -> None:
    stream = (
        b"\nbefore any header\0"
        + _header("a" * 40, "", "1677672000", "2023-03-01T12:00:00+99:00", "bad offset")
        + b"a hostile subject's tail after a NUL\0\0"
        + b"\x1e"
        + b"too\x1ffew\0"
        + _header("c" * 40, "", "never", "2023-03-01T12:00:00+00:00", "no timestamp")
        + _header("d" * 40, "", str(10**20), "garbage", "out of range")
        + _header("e" * 40, "", "1677672000", "2023-03-01T12:00:00+00:00", "sub\x1fject\x1e")
    )

    commits = _parse(stream)

    assert [commit.subject for commit in commits] == ["bad offset", "sub\x1fject\x1e"]
    assert commits[0].date == datetime(2023, 3, 1, 12, 0, tzinfo=timezone.utc)  # offset rejected: UTC
    assert commits[0].files == ()


def test_non_utf8_paths_round_trip_like_os_fsdecode() -> None:
    stream = _header("a" * 40, "", "1677672000", "2023-03-01T12:00:00+00:00", "s") + b"\nlatin-\xe9.txt\0"

    (commit,) = _parse(stream)

    assert commit.files == (os.fsdecode(b"latin-\xe9.txt"),)


def test_a_history_started_in_the_background_is_the_one_read_directly(repo: Repo) -> None:
    repo.commit("one", at("2026-05-01"), {"a.py": "1", "b.py": "1"})
    repo.commit("two", at("2026-05-02"), {"b.py": "2", "c.txt": "x"})
    pending = start_history(repo.path)
    history = pending.result()
    assert history == read_history(repo.path)
    assert [commit.files for commit in history.commits] == [("b.py", "c.txt"), ("a.py", "b.py")]
    assert pending.result() is history  # git is waited for once


def test_a_history_no_one_asks_for_stops_git(repo: Repo, tmp_path: Path) -> None:
    repo.commit("one", at("2026-05-01"), {"a.py": "1"})
    pending = start_history(repo.path)
    pending.cancel()
    pending.cancel()  # twice: nothing left to stop
    both = start_history(repo.path, file_lists=1)  # two logs: the newest commit's paths, the rest
    both.cancel()
    assert not both.result().available  # cancelled: nothing was read
    assert not start_history(tmp_path / "nothing").result().available
