"""From an audit's plain result to staged fixes: each fixable result to its fixer, in
report order, on one tree (so fixes of one file compose), or each alone (what a report
shows: "N fixable", SARIF's `fixes[]`)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field

from udef_audit.findings import Finding
from udef_audit.fix.model import SAFE, FileEdits, FindingFix, TextEdit
from udef_audit.fix.registry import Fixer, fixer_for
from udef_audit.fix.safe_fs import UnsafePath
from udef_audit.fix.text import NotText, decode
from udef_audit.fix.tree import FileChange, FixRefused, FixTree, Reads
from udef_audit.result import AuditResult

FIXED, REFUSED, NEEDS_UNSAFE = "fixed", "refused", "needs --unsafe-fixes"


@dataclass(frozen=True)
class Attempt:
    """One result and what its fixer did (or why it did nothing)."""

    finding: Finding
    safety: str
    status: str
    description: str
    notes: tuple[str, ...] = ()


@dataclass
class FixPlan:
    """The staged changes of every fix, and the attempts that staged them."""

    tree: FixTree
    attempts: list[Attempt] = field(default_factory=list)

    def by_status(self, status: str) -> list[Attempt]:
        """The attempts with one outcome."""
        return [a for a in self.attempts if a.status == status]

    def changes(self) -> list[FileChange]:
        """The staged file changes."""
        return self.tree.changes()

    def folder_moves(self) -> list[tuple[str, str, int]]:
        """The staged folder moves, with how many files in scope each carries."""
        moves = self.tree.folder_moves
        listed = self.tree.files
        return [(s, t, sum(1 for f in listed if f.startswith(t + "/"))) for s, t in moves]

    @property
    def has_changes(self) -> bool:
        """Whether anything would be written."""
        return bool(self.tree.folder_moves or self.changes())


def fixable(result: AuditResult) -> Iterator[tuple[Finding, str, Fixer]]:
    """The unsuppressed results whose rule declares a fix and has a fixer for their kind."""
    # Right to left within a line: removing a word must not move the next one's column.
    for finding in sorted(result.active, key=lambda f: (f.path, f.line, -(f.column or 0), f.rule_id)):
        meta = result.policy.rules.get(finding.rule_id)
        if meta is None or meta.fix_safety is None:
            continue
        fixer = fixer_for(finding)
        if fixer is not None:
            yield finding, meta.fix_safety, fixer


def plan(result: AuditResult, *, unsafe: bool = False, tree: FixTree | None = None) -> FixPlan:
    """Stage every fix of the result (unsafe ones only with `unsafe`) on one tree."""
    fixes = FixPlan(tree or FixTree(result.root))
    for finding, safety, fixer in fixable(result):
        if safety != SAFE and not unsafe:
            fixes.attempts.append(Attempt(finding, safety, NEEDS_UNSAFE, ""))
            continue
        fixes.attempts.append(_attempt(result, finding, safety, fixer, fixes.tree))
    return fixes


def _attempt(result: AuditResult, finding: Finding, safety: str, fixer: Fixer, tree: FixTree) -> Attempt:
    """Run one fixer; a refusal (or a fixer's failure) drops what it staged."""
    mark = tree.checkpoint()
    settings = result.rule_settings.get(finding.rule_id)
    params = settings.params if settings is not None else result.policy.rules[finding.rule_id].defaults()
    try:
        done = fixer(finding, tree, params)
    except (FixRefused, UnsafePath, NotText) as exc:
        tree.rollback(mark)
        return Attempt(finding, safety, REFUSED, str(exc))
    except Exception as exc:  # a fixer's bug on hostile input must not cost the audit
        tree.rollback(mark)
        return Attempt(finding, safety, REFUSED, f"the fixer failed: {type(exc).__name__}: {exc}")
    return Attempt(finding, safety, FIXED, done.description, done.notes)


def available_fixes(result: AuditResult, scope: tuple[str, ...] | None = None) -> dict[str, FindingFix]:
    """Each fixable result's fix computed alone against the repository as it is, by
    fingerprint (the reports' "N fixable" and SARIF's `fixes[]`). `scope`: the audit's
    listing of the repository, when it excluded nothing."""
    reads = Reads(result.root, scope)
    fixes: dict[str, FindingFix] = {}
    for finding, safety, fixer in fixable(result):
        tree = FixTree(result.root, reads)
        attempt = _attempt(result, finding, safety, fixer, tree)
        if attempt.status != FIXED or not (tree.folder_moves or tree.changes()):
            continue
        fixes[finding.fingerprint] = FindingFix(
            finding.fingerprint, finding.rule_id, safety, attempt.description, _text_edits(tree)
        )
    return fixes


def _text_edits(tree: FixTree) -> tuple[FileEdits, ...] | None:
    """The staged changes as edits of existing text files; None when a file is created,
    moved or removed (SARIF's replacements cannot say that)."""
    if tree.folder_moves:
        return None
    files = []
    for change in tree.changes():
        if change.before is None or change.after is None or change.source is not None:
            return None
        files.append(FileEdits(change.path, tuple(text_edits(change.before, change.after, change.path))))
    return tuple(files)


def text_edits(before: bytes, after: bytes, path: str) -> Iterator[TextEdit]:
    """The line-level edits that turn `before` into `after` (positions in `before`)."""
    old, _ = decode(before, path)
    new, _ = decode(after, path)
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = _position(old_lines, i1), _position(old_lines, i2)
        yield TextEdit(start[0], start[1], end[0], end[1], "".join(new_lines[j1:j2]))


def _position(lines: list[str], index: int) -> tuple[int, int]:
    """(line, column) where line `index` (0-based) starts; past the end: after the last
    character."""
    if index < len(lines) or not lines:
        return index + 1, 1
    last = lines[-1]
    if last.endswith("\n"):
        return len(lines) + 1, 1
    return len(lines), len(last) + 1
