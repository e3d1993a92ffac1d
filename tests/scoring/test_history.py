"""The history criteria: commit classification, the worst emergency week, wip share."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from udef_audit.git_history import read_history
from udef_audit.parsers.gitlog import Commit, History
from udef_audit.scoring import history
from udef_audit.scoring.history import (
    EMERGENCY_THRESHOLD,
    WEEK,
    classify,
    emergency_commits,
    feature_vs_fix,
    history_signals,
    wip_share,
    worst_emergency_week,
)

T0 = datetime(2023, 3, 1, 12, 0, tzinfo=timezone.utc)


def commit(
    subject: str,
    when: datetime | float = T0,
    *,
    sha: str | None = None,
    parents: tuple[str, ...] = ("p" * 40,),
) -> Commit:
    """A commit; ``when`` is a datetime or a number of days after T0."""
    date = when if isinstance(when, datetime) else T0 + timedelta(days=when)
    name = sha or hashlib.sha256(f"{subject}{date}{parents}".encode()).hexdigest()[:40]
    return Commit(name, date, subject, parents, ("f.py",))


def flags(subject: str, *, parents: tuple[str, ...] = ("p" * 40,)) -> set[str]:
    cls = classify(commit(subject, parents=parents))
    return {name for name, value in vars(cls).items() if value is True}


# -- classify ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "hotfix: login crash",
        "Hotfix login crash",
        "hot-fix for login",
        "Hot fix: login",
        "apply hot_fix to login",
        "Hotfixes for 1.2",
        "hotfixed the parser",
        "Emergency patch for the outage",
        "EMERGENCY: disable cache",
        "handle emergencies",
        "revert broken migration",
        "Reverts #123",
        "fix(api): reverted the timeout change",
        "[hotfix] null check",
        "Hotf\u0131x login crash",  # a dotless i: re.IGNORECASE matches it to "i"
        "\u017fecurity hotfix",  # a long s
    ],
)
def test_emergency_words(subject: str) -> None:
    assert "emergency" in flags(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "Add urgent queue",
        "critical path analysis",
        "fix: crash on empty input",
        "shotfixes",  # not the word
        "Prevert the thing",
        "Merge branch 'main' into 'hotfix/1.2'",  # merging INTO a hotfix branch
        "Merge branch 'main' into hotfix/1.2",
        "Merge pull request #7 from org/feature-login",
    ],
)
def test_not_emergency(subject: str) -> None:
    assert "emergency" not in flags(subject)


# The substring shortcuts in front of the patterns must never change an answer.
_SUBJECT_PARTS = st.sampled_from([
    "Merge ", "merge", "MERGED IN ", "Merged in ", "branch ", "branches ", "remote-tracking ", "pull request #7 from ",
    "'hotfix/x'", " into ", "fix", "FIX", "Hot-Fix", "hot_fix", "emergency", "EMERGENCIES", "revert", "Revert \"",
    "wip", "WIP", ":", ": ", " ", "feat", "(x)", "!", "x", "a/b", "try again", "oops",
    "\u0131", "\u017f", "\u212a", "\u0130",  # letters re.IGNORECASE matches to ASCII ones
])


@given(st.lists(_SUBJECT_PARTS, max_size=8).map("".join))
def test_the_ascii_shortcuts_agree_with_the_patterns(subject: str) -> None:
    folded = subject.lower() if subject.isascii() else None
    assert history._merge_sources(subject, folded) == history._merge_sources(subject, None)
    for sources in ([], history._merge_sources(subject, None)):
        with_shortcut = history._has_emergency_words(subject, folded, None, sources)
        assert with_shortcut == history._has_emergency_words(subject, None, None, sources)
    assert history._is_wip(subject, folded) == history._is_wip(subject, None)
    assert (":" in subject or history._CONVENTIONAL.match(subject) is None)
    assert subject.startswith('Revert "') == (re.match('Revert "', subject) is not None)


@pytest.mark.parametrize(
    "subject",
    ['Revert "Add cache"', 'Revert "Revert "Add cache""', "revert: drop cache", "revert(db)!: x"],
)
def test_reverts(subject: str) -> None:
    assert {"revert", "emergency"} <= flags(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "Merge branch 'hotfix/login'",
        "Merge branch 'hotfix/1.2.1' into develop",
        "Merge branch 'hotfix/login' into 'main'",
        "Merge remote-tracking branch 'origin/hotfix/x'",
        "Merge remote-tracking branch 'origin/hotfix/x' into main",
        "Merge branches 'feature/a' and 'hotfix/b'",
        "Merge pull request #12 from org/hotfix/x",
        "Merge pull request #12 from someone/Hotfix/Login",
        "Merged in hotfix/x (pull request #3)",
        "Merge branch 'release/hot-fix/x'",
        "Merge branch 'hotfixes/2023-03'",
    ],
)
def test_hotfix_branch_merges(subject: str) -> None:
    two_parents = ("p" * 40, "q" * 40)
    assert {"hotfix_merge", "emergency"} <= flags(subject, parents=two_parents)
    assert "feature" not in flags(subject, parents=two_parents)


@pytest.mark.parametrize(
    "subject",
    [
        "Merge branch 'feature/hotfixer'",  # no hotfix/ segment: not a hotfix branch merge
        "Merge branch 'main' into 'hotfix/x'",
        "Merge pull request #12 from org/feature",
        "hotfix/x was merged",  # not a merge subject
    ],
)
def test_not_hotfix_branch_merges(subject: str) -> None:
    assert "hotfix_merge" not in flags(subject, parents=("p" * 40, "q" * 40))


@pytest.mark.parametrize(
    "subject",
    [
        "wip",
        "WIP",
        "WIP: parser",
        "[WIP] parser",
        "parser refactor (wip)",
        "wip-2",
        "Work in progress on the parser",
        "fixup! Add parser",
        "squash! Add parser",
        "amend! Add parser",
        "retry",
        "Retrying",
        "re-try ci",
        "retry again",
        "try again",
        "Trying again with the old lockfile",
        "another try",
        "One more attempt",
        "2nd try",
        "third attempt at the cache",
        "oops",
        "Oops, forgot a file",
        "tmp",
        "temp",
        "test",
        "testing!",
        "asdf",
        "x",
        ".",
        "...",
        "fix ci",
        "Fix CI again",
        "fix the build",
        "fix build (2)",
        "trigger ci",
        "retrigger CI",
        "re-run pipeline",
        "kick ci",
    ],
)
def test_wip(subject: str) -> None:
    assert "wip" in flags(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "Fix build on Windows",
        "fix(ci): cache the wheel directory",
        "Add tests for the parser",
        "wipe the cache on logout",
        "swipe gestures",
        "Retry failed uploads with backoff",  # a feature, not another attempt
        "Temporary directory handling",
        "testing: cover the parser",
        "tmp_path fixture for the CLI",
    ],
)
def test_not_wip(subject: str) -> None:
    assert "wip" not in flags(subject)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("feat: dashboard", "feat"),
        ("feat(ui): dashboard", "feat"),
        ("feat(ui)!: drop IE", "feat"),
        ("Fix(Parser): x", "fix"),
        ("chore!: bump", "chore"),
        ("net: fix leak", "net"),
        ("feat:missing space", None),
        ("Add parser", None),
        ("Merge branch 'x'", None),
        ('Revert "feat: x"', None),
        ("feat(unclosed: x", None),
        (": nothing", None),
    ],
)
def test_conventional_type(subject: str, expected: str | None) -> None:
    assert classify(commit(subject)).conventional_type == expected


@pytest.mark.parametrize(
    "subject",
    [
        "feat: dashboard",
        "feature(ui): dashboard",
        "Add parser",
        "Adds parser",
        "Added parser",
        "Adding parser",
        "Implement caching",
        "Implemented caching",
        "Introduce plugin API",
        "Introduces plugin API",
        "Support Python 3.12",
        "Supports Python 3.12",
        "ui: add dark mode",  # kernel-style area prefix, free-form description
    ],
)
def test_feature(subject: str) -> None:
    assert flags(subject) & {"feature", "fix", "emergency"} == {"feature"}


@pytest.mark.parametrize(
    "subject",
    [
        "Address review comments",
        "Additional notes",
        "Update README",
        "docs: add a section",  # a known type that is not feat
        "chore: add dependency",
        "Add hotfix for login",  # emergency work is repair, not velocity
    ],
)
def test_not_feature(subject: str) -> None:
    assert "feature" not in flags(subject)


def test_merges_are_neither_feature_nor_fix() -> None:
    two_parents = ("p" * 40, "q" * 40)
    assert flags("Merge pull request #3 from org/add-parser", parents=two_parents) == set()
    assert "feature" not in flags("Add parser", parents=two_parents)
    assert "fix" not in flags("Fix parser", parents=two_parents)


@pytest.mark.parametrize(
    "subject",
    ["fix: crash", "fix(parser): crash", "bugfix: crash", "Fix crash", "Fixes #12", "Fixed it",
     "Fixing the crash", "Bugfix for the parser", "Bug fix for the parser", "net: fix leak"],
)  # fmt: skip
def test_fix(subject: str) -> None:
    assert flags(subject) & {"feature", "fix"} == {"fix"}


@pytest.mark.parametrize("subject", ["Fixture for the parser", "docs: fix typo", "Prefix ids"])
def test_not_fix(subject: str) -> None:
    assert "fix" not in flags(subject)


# -- emergency incidents and the worst week ------------------------------------------------


def test_burst_of_four_hotfixes_in_five_days() -> None:
    burst = [commit(f"hotfix: issue {n}", 10 + n * 1.25) for n in range(4)]
    noise = [commit("feat: x", day) for day in (0, 3, 11, 20, 40)]
    lone = commit("hotfix: earlier", 0.5)

    week = worst_emergency_week([*noise, *burst, lone])

    assert week.count == 4
    assert week.commits == tuple(reversed(burst))  # newest first
    assert week.start == burst[0].date
    assert week.end == burst[0].date + WEEK


def test_spread_out_hotfixes_count_one() -> None:
    spread = [commit(f"hotfix: issue {n}", n * 8) for n in range(5)]

    week = worst_emergency_week(spread)

    assert week.count == 1
    assert week.commits == (spread[-1],)  # ties go to the most recent window


def test_window_is_half_open_seven_days() -> None:
    exactly_a_week_apart = [commit("hotfix: a", 0), commit("hotfix: b", 7)]
    just_inside = [commit("hotfix: a", 0), commit("hotfix: b", 7 - 1 / 86_400)]

    assert worst_emergency_week(exactly_a_week_apart).count == 1
    assert worst_emergency_week(just_inside).count == 2


def test_windows_compare_instants_across_offsets() -> None:
    tokyo = timezone(timedelta(hours=9))
    first = commit("hotfix: a", datetime(2023, 3, 1, 12, 0, tzinfo=timezone.utc))
    # Mar 8 20:00 by the clock on the wall, but 11:00 UTC: 6 days 23 hours later.
    second = commit("hotfix: b", datetime(2023, 3, 8, 20, 0, tzinfo=tokyo))

    assert worst_emergency_week([second, first]).count == 2


def test_no_emergencies() -> None:
    commits = [commit("feat: a", 0), commit("feat: b", 3)]

    week = worst_emergency_week(commits)

    assert (week.count, week.commits) == (0, ())
    assert week.end == commits[1].date
    assert week.start == week.end - WEEK
    assert worst_emergency_week([]).count == 0


def test_a_hotfix_and_the_merge_of_its_branch_are_one_incident() -> None:
    base = commit("base", 0, sha="b" * 40)
    fix = commit("hotfix: null check", 1, sha="f" * 40, parents=(base.sha,))
    merge = commit("Merge branch 'hotfix/null'", 1.1, sha="m" * 40, parents=(base.sha, fix.sha))

    assert emergency_commits([merge, fix, base]) == (fix,)
    assert worst_emergency_week([merge, fix, base]).count == 1


def test_git_flow_double_merge_of_one_hotfix_branch_is_one_incident() -> None:
    tip = commit("Bump version to 1.2.1", 1, sha="t" * 40, parents=("b" * 40,))
    into_main = commit("Merge branch 'hotfix/1.2.1'", 1.1, sha="1" * 40, parents=("m" * 40, tip.sha))
    into_develop = commit("Merge branch 'hotfix/1.2.1' into develop", 1.2, sha="2" * 40, parents=("d" * 40, tip.sha))

    assert emergency_commits([into_develop, into_main, tip]) == (into_main,)


def test_github_revert_button_merge_is_one_incident() -> None:
    revert = commit('Revert "Add cache"', 1, sha="r" * 40)
    merge = commit("Merge pull request #13 from org/revert-12-add-cache", 1.1, sha="m" * 40,
                   parents=("b" * 40, revert.sha))  # fmt: skip

    assert emergency_commits([merge, revert]) == (revert,)


def _brute_force_worst_week(commits: Sequence[Commit]) -> int:
    events = emergency_commits(commits)
    return max(
        (sum(1 for other in events if start.date <= other.date < start.date + WEEK)
         for start in events),
        default=0,
    )  # fmt: skip


@given(
    st.lists(
        st.tuples(st.floats(min_value=0, max_value=60, allow_nan=False), st.booleans()),
        max_size=40,
    )
)
def test_worst_week_matches_brute_force(events: list[tuple[float, bool]]) -> None:
    commits = [
        commit("hotfix: x" if emergency else "feat: x", day, sha=f"{index:040x}")
        for index, (day, emergency) in enumerate(events)
    ]

    week = worst_emergency_week(commits)

    assert week.count == _brute_force_worst_week(commits)
    assert week.count == len(week.commits)
    assert all(week.start <= member.date < week.end for member in week.commits)


def test_worst_week_on_many_commits_is_fast() -> None:
    commits = [commit("hotfix: x" if n % 3 else "feat: y", n / 500, sha=f"{n:040x}")
               for n in range(60_000)]  # fmt: skip

    assert worst_emergency_week(commits).count == 2334


# -- wip share and feature vs fix ------------------------------------------------------------


def test_wip_share_ignores_merges() -> None:
    commits = [
        commit("wip"),
        commit("retry"),
        commit("feat: x"),
        commit("fix: y"),
        commit("Merge branch 'wip'", parents=("a" * 40, "b" * 40)),
    ]

    share, evidence = wip_share(commits)

    assert share == 0.5
    assert evidence == (commits[0], commits[1])
    assert wip_share([]) == (0.0, ())
    assert wip_share([commits[-1]]) == (0.0, ())


def test_feature_vs_fix_counts_each_commit_once() -> None:
    commits = [
        commit("feat: a", sha="1" * 40),
        commit("Add b", sha="2" * 40),
        commit("fix: c", sha="3" * 40),
        commit("hotfix: d", sha="4" * 40),
        commit("fix: emergency rollback", sha="5" * 40),  # fix and emergency: once
        commit("docs: e", sha="6" * 40),
    ]

    assert feature_vs_fix(commits) == (2, 3)


# -- the signals for the score --------------------------------------------------------------


def _history(commits: tuple[Commit, ...], *, available: bool = True) -> History:
    return History(
        available=available,
        reason=None if available else "not a git repository",
        head_sha=commits[0].sha if commits else None,
        head_date=commits[0].date if commits else None,
        detached=False,
        shallow=False,
        window_days=90,
        commits=commits,
        truncated=False,
    )


def test_signals_unknown_without_history() -> None:
    signals = history_signals(_history((), available=False))

    assert not signals.available
    assert signals.reason == "not a git repository"
    assert signals.emergency_met is None
    assert signals.emergency_week is None
    assert signals.wip_share is None
    assert (signals.features, signals.fixes) == (None, None)


def test_signals_meet_the_emergency_threshold_at_three() -> None:
    two = tuple(commit(f"hotfix: {n}", n, sha=f"{n:040x}") for n in range(2))
    three = (*two, commit("emergency: disable cache", 2.5, sha="9" * 40))

    assert history_signals(_history(two)).emergency_met is False
    met = history_signals(_history(three))
    assert met.emergency_met is True
    assert met.emergency_week is not None
    assert met.emergency_week.count == EMERGENCY_THRESHOLD
    assert (met.features, met.fixes, met.wip_share) == (0, 3, 0.0)


# -- end to end through git ------------------------------------------------------------------


GitRepo = tuple[Path, Callable[..., None]]


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    """An empty repository and git(*args, date=None) to run git in it."""
    if shutil.which("git") is None:
        pytest.skip("needs a git binary")
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(HOME=str(tmp_path), GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    path = tmp_path / "repo"
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com",
                "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]  # fmt: skip

    def git(*args: str, date: str | None = None) -> None:
        dates = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        subprocess.run(["git", *identity, *args], cwd=path, env={**env, **dates},
                       check=True, capture_output=True)  # fmt: skip

    path.mkdir()
    git("init", "-q")
    return path, git


@pytest.mark.slow
def test_burst_read_from_git(git_repo: GitRepo) -> None:
    path, git = git_repo
    days = ["2023-01-02", "2023-02-01", "2023-03-01", "2023-03-02", "2023-03-04", "2023-03-05",
            "2023-03-20"]  # fmt: skip
    subjects = ["feat: start", "hotfix: lone", "hotfix: a", "Emergency: b", 'Revert "c"',
                "hot-fix d", "feat: later"]  # fmt: skip
    for day, subject in zip(days, subjects, strict=True):
        git("commit", "-q", "--allow-empty", "-m", subject, date=f"{day}T12:00:00+00:00")

    history = read_history(path)
    week = worst_emergency_week(history.commits)

    assert week.count == 4
    assert [c.subject for c in week.commits] == ["hot-fix d", 'Revert "c"', "Emergency: b",
                                                 "hotfix: a"]  # fmt: skip
    assert history_signals(history).emergency_met is True


@pytest.mark.slow
def test_spread_read_from_git(git_repo: GitRepo) -> None:
    path, git = git_repo
    for month in range(1, 4):
        for day in ("01", "10", "20"):
            subject = "hotfix: x" if day == "10" else "feat: y"
            git("commit", "-q", "--allow-empty", "-m", subject,
                date=f"2023-0{month}-{day}T12:00:00+00:00")  # fmt: skip

    history = read_history(path)

    assert worst_emergency_week(history.commits).count == 1
    assert history_signals(history).emergency_met is False
