"""The history criteria of the reset-vs-repair score, read from commit subjects.

The methodology says reset when there are "Multiple (3+) emergency fixes in one week",
when "Technical debt exceeds feature velocity", or when the "Team has lost confidence in
codebase". This module classifies commits and measures those signals over a
:class:`~udef_audit.parsers.gitlog.History`; everything is a pure function of the commits,
so the same HEAD always gives the same answer.

Classification (all matching is case-insensitive; a "word" is bounded by anything that is
not a letter or digit, so ``hotfix_login`` and ``hotfix/login`` both contain "hotfix"):

emergency
    the contract's three words, with their spellings and inflections, anywhere in the
    subject (in a merge subject, only in the merged branches' names): **hotfix**
    (``hotfix``, ``hot-fix``, ``hot fix``, ``hot_fix``; ``-es``, ``-ed``, ``-ing``),
    **emergency** (``emergencies``), **revert** (``reverts``,
    ``reverted``, ``reverting``); a ``hotfix:`` conventional type; a ``Revert "..."``
    subject; or a merge from a ``hotfix/`` branch. Nothing else: "urgent", "critical" or
    "asap" also describe ordinary work ("critical path", "urgent queue"), and the contract
    does not name them.
revert
    ``Revert "..."`` (what ``git revert`` writes) or a ``revert:`` conventional type.
hotfix_merge
    a merge subject whose *source* branch has a ``hotfix/`` (or ``hot-fix/``,
    ``hotfixes/``) path segment, as written by git (``Merge branch 'hotfix/x'``,
    ``Merge remote-tracking branch 'origin/hotfix/x'``, ``Merge branches 'a' and
    'hotfix/x'``), GitHub (``Merge pull request #12 from org/hotfix/x``), GitLab
    (``Merge branch 'hotfix/x' into 'main'``) or Bitbucket (``Merged in hotfix/x``). The
    branch a merge goes *into* does not count.
wip
    a subject that says the work is unfinished or is another attempt at the same thing:
    the word ``wip`` anywhere (``WIP:``, ``[WIP]``, ``(wip)``) or a leading ``work in
    progress``; autosquash markers ``fixup!``, ``squash!``, ``amend!``; attempts at the
    start: ``try again``, ``trying again``, ``another try`` or ``attempt``, ``one more
    try`` or ``attempt``, ``2nd try`` (any ordinal, ``second``, ``third``); a bare
    ``retry``/``retrying``/``re-try`` (optionally ``again``, ``ci``, ``build``, a number:
    "Retry failed uploads" names a feature); a subject beginning with ``oops``; a
    throwaway subject on its own: ``tmp``, ``temp``, ``test``, ``testing``, ``asdf``,
    ``foo``, ``x``, ``.``, ``...``; and a build nudge as the whole
    subject: ``fix``, ``trigger``, ``retrigger``, ``rerun``/``re-run``, ``kick`` followed
    by ``ci``, ``build`` or ``pipeline`` (optionally ``the``, ``again``, a number).
    ``Fix build on Windows`` names a change and is not wip.
feature
    a ``feat``/``feature`` conventional type, or (without a known conventional type) a
    subject or description starting with Add, Implement, Introduce or Support (and their
    -s/-ed/-ing forms). Never a merge (its work is in the merged commits) and never an
    emergency commit ("Add hotfix for ..." is repair, not velocity).
fix
    a ``fix``/``bugfix`` conventional type, or (without a known conventional type) a
    subject or description starting with Fix/Fixes/Fixed/Fixing, Bugfix or Bug fix. Never
    a merge.
conventional_type
    ``type(scope)!: description`` parsed; the type lower-cased. Unknown types (kernel
    style ``net: fix ...``) are returned too, and their description is read free-form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from udef_audit.parsers.gitlog import Commit, History

EMERGENCY_THRESHOLD = 3  # "Multiple (3+) emergency fixes in one week"
WEEK = timedelta(days=7)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# A word boundary that treats "_", "/", "-" and any other non-alphanumeric as a separator.
_START = r"(?<![a-z0-9])"
_END = r"(?![a-z0-9])"

_EMERGENCY_WORDS = re.compile(
    _START + r"(?:hot[-_ ]?fix(?:es|ed|ing)?|emergenc(?:y|ies)|revert(?:s|ed|ing)?)" + _END,
    re.IGNORECASE,
)
# Every match of _EMERGENCY_WORDS holds one of these (lower-cased, ASCII).
_EMERGENCY_STEMS = ("fix", "emergenc", "revert")
_CONVENTIONAL = re.compile(
    r"(?P<type>[a-z][a-z0-9_-]{0,19})(?:\([^()\n]*\))?!?:\s+(?P<description>\S.*)",
    re.IGNORECASE | re.DOTALL,
)
_KNOWN_TYPES = frozenset(
    {
        "feat", "feature", "fix", "bugfix", "hotfix", "revert", "docs", "doc", "style",
        "refactor", "perf", "test", "tests", "build", "ci", "chore", "release", "deps", "wip",
    }
)  # fmt: skip
_FEATURE_TYPES = frozenset({"feat", "feature"})
_FIX_TYPES = frozenset({"fix", "bugfix"})
_FEATURE_VERBS = re.compile(r"(?:add|implement|introduce|support)(?:s|es|ed|d|ing)?" + _END, re.IGNORECASE)
_FIX_VERBS = re.compile(r"(?:fix(?:es|ed|ing)?|bug[- ]?fix(?:es)?)" + _END, re.IGNORECASE)

# Merge subjects: git, GitHub, GitLab, Bitbucket. Group "sources" holds what was merged.
_MERGE_SUBJECT = re.compile(
    r"Merge (?:remote-tracking )?branch(?:es)? (?P<sources>.*?)(?: into .*)?$"
    r"|Merge pull request #\d+ from (?P<pull>\S+)"
    r"|Merged in (?P<bitbucket>\S+)",
    re.IGNORECASE | re.DOTALL,
)
_QUOTED = re.compile(r"'([^']*)'")
_HOTFIX_BRANCH = re.compile(r"(?:^|/)hot-?fix(?:es)?/", re.IGNORECASE)

# Anchored at the start of the subject (used with .match); the word "wip" may be anywhere.
_WIP_START_PATTERNS = (
    r"work in progress" + _END,
    r"(?:fixup|squash|amend)!",
    r"(?:try(?:ing)? again|(?:another|one more) (?:try|attempt))" + _END,
    r"(?:\d+(?:st|nd|rd|th)|second|third) (?:try|attempt)" + _END,
    # "Retry failed uploads" names a feature; only a bare retry is another attempt.
    r"re-?try(?:ing)?(?: (?:again|ci|build))?[\s.!#()\d]*$",
    r"oops" + _END,
    r"(?:tmp|temp|test|testing|asdf|foo|x|\.+)[\s.!]*$",
    r"(?:fix|trigger|retrigger|rerun|re-run|kick) (?:the )?(?:ci|build|pipeline)(?: again)?[\s.!#()\d]*$",
)
_WIP_START = re.compile("|".join(f"(?:{pattern})" for pattern in _WIP_START_PATTERNS), re.IGNORECASE)
_WIP_WORD = re.compile(_START + "wip" + _END, re.IGNORECASE)


@dataclass(frozen=True)
class CommitClass:
    """What a commit's subject says about it; see the module docstring for the rules."""

    emergency: bool
    revert: bool
    hotfix_merge: bool
    wip: bool
    feature: bool
    fix: bool
    conventional_type: str | None


@dataclass(frozen=True)
class WindowEvidence:
    """The emergency commits in the window ``[start, end)``, newest first."""

    count: int
    start: datetime
    end: datetime
    commits: tuple[Commit, ...]


@dataclass(frozen=True)
class HistorySignals:
    """The history criteria's raw signals; None means unknown (``reason`` says why)."""

    available: bool
    reason: str | None
    emergency_week: WindowEvidence | None
    emergency_met: bool | None
    wip_share: float | None
    wip_commits: tuple[Commit, ...]
    features: int | None
    fixes: int | None


def _conventional(subject: str) -> tuple[str | None, str]:
    """The conventional-commit type (lower-cased) and the description after it."""
    match = _CONVENTIONAL.match(subject) if ":" in subject else None
    if match is None:
        return None, subject
    return match["type"].lower(), match["description"]


def _merge_sources(subject: str, folded: str | None) -> list[str]:
    """The branches a merge subject says were merged (not the branch merged into)."""
    if folded is not None and not folded.startswith("merge"):
        return []
    match = _MERGE_SUBJECT.match(subject)
    if match is None:
        return []
    if match["sources"] is not None:
        return _QUOTED.findall(match["sources"])
    return [match["pull"] or match["bitbucket"]]


def classify(commit: Commit) -> CommitClass:
    """Classify one commit by its subject and whether it is a merge."""
    subject = commit.subject.strip()
    # An ASCII subject, lower-cased once, lets plain substring tests stand in front of the
    # case-insensitive patterns (a cold audit classifies up to 100,000 commits). Only for
    # ASCII: `re.IGNORECASE` also matches U+0131 (dotless i) to "i", U+017F (long s) to "s"
    # and U+212A (Kelvin sign) to "k".
    folded = subject.lower() if subject.isascii() else None
    conventional_type, description = _conventional(subject)
    sources = _merge_sources(subject, folded)
    revert = conventional_type == "revert" or subject.startswith('Revert "')
    hotfix_merge = _merges_a_hotfix_branch(sources)
    emergency = revert or hotfix_merge or _has_emergency_words(subject, folded, conventional_type, sources)
    merge = commit.is_merge or bool(sources)
    feature, fix = _feature_and_fix(conventional_type, description)
    return _shared_class(
        (
            emergency,
            revert,
            hotfix_merge,
            _is_wip(subject, folded),
            feature and not (merge or emergency),
            fix and not merge,
            conventional_type,
        )
    )


def _merges_a_hotfix_branch(sources: list[str]) -> bool:
    return bool(sources) and any(_HOTFIX_BRANCH.search(branch) for branch in sources)


def _has_emergency_words(subject: str, folded: str | None, conventional_type: str | None,
                         sources: list[str]) -> bool:
    if conventional_type == "hotfix":
        return True
    if not sources and folded is not None and not any(word in folded for word in _EMERGENCY_STEMS):
        return False
    # A merge subject is generated: only the merged branches' names say anything, not the
    # branch merged into ("Merge branch 'main' into 'hotfix/x'" is no fix).
    worded = " ".join(sources) if sources else subject
    return _EMERGENCY_WORDS.search(worded) is not None


def _feature_and_fix(conventional_type: str | None, description: str) -> tuple[bool, bool]:
    """Feature and fix by conventional type, or by the leading verb when the type says nothing."""
    if conventional_type in _KNOWN_TYPES:
        return conventional_type in _FEATURE_TYPES, conventional_type in _FIX_TYPES
    return _FEATURE_VERBS.match(description) is not None, _FIX_VERBS.match(description) is not None


def _is_wip(subject: str, folded: str | None) -> bool:
    if _WIP_START.match(subject) is not None:
        return True
    # The unanchored search is the slow one; most subjects do not contain the letters.
    return "wip" in (subject.lower() if folded is None else folded) and _WIP_WORD.search(subject) is not None


# Few distinct classes exist, so one frozen instance per combination is shared: building a
# dataclass per commit was a third of classify's time on a 60,000-commit history.
@functools.lru_cache(maxsize=1024)
def _shared_class(fields: tuple[bool, bool, bool, bool, bool, bool, str | None]) -> CommitClass:
    return CommitClass(*fields)


_Classified = Sequence[tuple[Commit, CommitClass]]


def _classify_all(commits: Iterable[Commit]) -> list[tuple[Commit, CommitClass]]:
    return [(commit, classify(commit)) for commit in commits]


def _incidents(classified: _Classified) -> tuple[Commit, ...]:
    emergency = sorted(
        (commit for commit, cls in classified if cls.emergency), key=lambda commit: (commit.date, commit.sha)
    )
    counted_shas = {commit.sha for commit in emergency}
    merged_tips: set[str] = set()
    incidents: list[Commit] = []
    for commit in emergency:
        tips = commit.parents[1:]
        already_counted = any(tip in counted_shas or tip in merged_tips for tip in tips)
        merged_tips.update(tips)
        if not already_counted:
            incidents.append(commit)
    return tuple(incidents)


def emergency_commits(commits: Sequence[Commit]) -> tuple[Commit, ...]:
    """The emergency commits, each incident counted once, oldest first.

    One hotfix often leaves two or three emergency commits: the fix ("hotfix: ...") and
    the merge of its ``hotfix/`` branch, or git-flow's two merges of the same branch (into
    main and into develop). So an emergency merge is left out when a commit it merges is
    itself counted, or was already merged by an earlier counted merge.
    """
    return _incidents(_classify_all(commits))


def _worst_week(events: tuple[Commit, ...], commits: Sequence[Commit]) -> WindowEvidence:
    if not events:
        end = max((commit.date for commit in commits), default=_EPOCH)
        return WindowEvidence(count=0, start=end - WEEK, end=end, commits=())
    best_first, best_stop = 0, 0
    stop = 0
    for first, commit in enumerate(events):
        window_end = commit.date + WEEK
        stop = max(stop, first)
        while stop < len(events) and events[stop].date < window_end:
            stop += 1
        if stop - first >= best_stop - best_first:
            best_first, best_stop = first, stop
    start = events[best_first].date
    in_window = events[best_first:best_stop]
    return WindowEvidence(count=len(in_window), start=start, end=start + WEEK, commits=tuple(reversed(in_window)))


def worst_emergency_week(commits: Sequence[Commit]) -> WindowEvidence:
    """The 7-day window ``[t, t + 7 days)`` holding the most emergency commits.

    Emergency commits are counted once per incident (:func:`emergency_commits`). Windows
    start at an emergency commit (a best window can always be slid to start at one), so
    one sort and one two-pointer sweep find it: O(n log n). Ties go to the most recent
    window. With no emergency commits the count is 0 and the window is the week ending at
    the newest commit (the Unix epoch without commits).
    """
    return _worst_week(emergency_commits(commits), commits)


def _wip(classified: _Classified) -> tuple[float, tuple[Commit, ...]]:
    non_merges = [(commit, cls) for commit, cls in classified if not commit.is_merge]
    wip = tuple(commit for commit, cls in non_merges if cls.wip)
    return (len(wip) / len(non_merges) if non_merges else 0.0), wip


def wip_share(commits: Sequence[Commit]) -> tuple[float, tuple[Commit, ...]]:
    """The share of non-merge commits that are wip/retry commits, and those commits.

    0.0 when there are no non-merge commits. The evidence keeps the input order.
    """
    return _wip(_classify_all(commits))


def _feature_fix(classified: _Classified, incidents: tuple[Commit, ...]) -> tuple[int, int]:
    features = sum(1 for _, cls in classified if cls.feature)
    repairs = {commit.sha for commit, cls in classified if cls.fix and not cls.emergency}
    repairs.update(commit.sha for commit in incidents)
    return features, len(repairs)


def feature_vs_fix(commits: Sequence[Commit]) -> tuple[int, int]:
    """Feature commits, and fix-or-emergency commits (each commit counted once).

    Emergency commits are counted once per incident, as in :func:`emergency_commits`.
    """
    classified = _classify_all(commits)
    return _feature_fix(classified, _incidents(classified))


def history_signals(history: History) -> HistorySignals:
    """The three history criteria's signals, or "unknown" (None) with the reason.

    ``emergency_met`` applies the methodology's threshold (3 or more in one week); the
    wip share and the feature/fix counts are inputs to "lost confidence" and "debt vs
    velocity", which also weigh facts outside the history. Each commit is classified once.
    """
    if not history.available:
        return HistorySignals(
            available=False,
            reason=history.reason,
            emergency_week=None,
            emergency_met=None,
            wip_share=None,
            wip_commits=(),
            features=None,
            fixes=None,
        )
    classified = _classify_all(history.commits)
    incidents = _incidents(classified)
    week = _worst_week(incidents, history.commits)
    share, wip = _wip(classified)
    features, fixes = _feature_fix(classified, incidents)
    return HistorySignals(
        available=True,
        reason=history.reason,
        emergency_week=week,
        emergency_met=week.count >= EMERGENCY_THRESHOLD,
        wip_share=share,
        wip_commits=wip,
        features=features,
        fixes=fixes,
    )
