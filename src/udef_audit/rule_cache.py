"""A rule's results, remembered by the content of the files read before they were produced.

A warm audit of an unchanged tree should cost little more than listing the files: a rule
whose inputs did not change yields what it yielded last time without running.

What a rule reads is not declared by hand (a declaration that drifts from the code would
silently serve stale results); the context logs every path whose content anything asks
for (`RepoContext.read_log`: bytes, size or content key), in first-asked order. A rule's
results are valid while every path logged *up to the end of that rule* holds the same
content: that prefix includes what earlier rules read, so an artefact one rule parsed and
another reused from the context's memo is covered too. A rule that reads nothing new adds
nothing to the log and costs one lookup.

The whole entry is keyed by the scope: the tool's code (file sizes and times of the
installed package), the listing of the repository (files in scope, tracked, left out,
symlinks) and the context's settings. A rule takes part when it has a `cache_version`
(the built-in rules have the tool's version); a rule that fails is never cached, and
findings whose properties do not survive JSON unchanged are not either. The file lives in
the user's cache directory next to the per-file facts; any problem reading it is a cold run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from udef_audit.cache import FactsCache
from udef_audit.findings import Finding, Level

if TYPE_CHECKING:
    from udef_audit.context import RepoContext

KIND = "rule-results-v1"


def code_fingerprint() -> str:
    """Sizes and modification times of the tool's own files: a rule changed in a checkout
    (same version number) must not serve results of its old code."""
    digest = hashlib.blake2b(digest_size=16)
    folders = [os.fspath(Path(__file__).resolve().parent)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    folders.append(entry.path)
                elif entry.name.endswith((".py", ".yaml", ".yml", ".json")):
                    stat = entry.stat()
                    digest.update(f"{entry.path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def scope_digest(ctx: RepoContext, plan: list[tuple[str, Mapping[str, Any]]]) -> str:
    """Everything a rule may see besides file contents: the listing and the settings."""
    inventory = ctx.inventory
    parts: list[Any] = [
        code_fingerprint(),
        [(rule_id, json.dumps(params, sort_keys=True, default=repr)) for rule_id, params in plan],
        inventory.files,
        inventory.tracked,
        inventory.left_out,
        inventory.skipped_symlinks,
        inventory.is_git,
        ctx.max_file_size,
        ctx.project_roots,
        ctx.declared_profile,
        ctx.phase,
        ctx.config_source,
    ]
    return hashlib.blake2b(json.dumps(parts).encode(), digest_size=16).hexdigest()


class RuleCache:
    """Lookups and records of rule results for one audit of one repository."""

    def __init__(
        self, ctx: RepoContext, plan: list[tuple[str, Mapping[str, Any]]], *, enabled: bool, mode: str
    ) -> None:
        """`plan` is the rules this audit runs, in order, with their parameters: part of
        the scope, because which UDEF000 notes a rule reports first depends on the rules
        before it. An audit of a few files (`--files`) keeps its own entry."""
        self.ctx = ctx
        self.enabled = enabled
        self.store = FactsCache(ctx.root, KIND, mode, enabled=enabled)
        self.scope = scope_digest(ctx, plan) if enabled else ""
        same_scope = self.store.get("scope") == self.scope
        old_log = self.store.get("log") if same_scope else None
        old_rules = self.store.get("rules") if same_scope else None
        self.old_log: list[list[str]] = old_log if isinstance(old_log, list) else []
        self.old_rules: dict[str, Any] = old_rules if isinstance(old_rules, dict) else {}
        self.rules: dict[str, Any] = {}
        self._valid_upto = 0  # the old log's prefix known to hold the same contents

    def lookup(
        self, rule: object, rule_id: str, params: Mapping[str, Any]
    ) -> tuple[list[Finding], list[Finding]] | None:
        """The rule's findings and UDEF000 notes from last time, when nothing it could have
        read changed; None when it must run."""
        if not self.will_replay(rule, rule_id, params):
            return None
        key = self._key(rule, rule_id, params)
        entry = self.old_rules[str(key)]
        try:
            findings = [_finding(f) for f in entry["f"]]
            notes = [_finding(f) for f in entry["d"]]
        except (KeyError, TypeError, ValueError):
            return None
        for path, _ in self.old_log[: entry["upto"]]:
            self.ctx.read_log.setdefault(path, None)
        self.rules[str(key)] = {**entry, "upto": len(self.ctx.read_log)}
        return findings, notes

    def will_replay(self, rule: object, rule_id: str, params: Mapping[str, Any]) -> bool:
        """Whether `lookup` has the rule's results (nothing it could have read changed)."""
        key = self._key(rule, rule_id, params)
        entry = self.old_rules.get(key) if key is not None else None
        return isinstance(entry, dict) and self._still_valid(entry.get("upto"), key)

    def record(
        self, rule: object, rule_id: str, params: Mapping[str, Any], produced: list[Finding], notes: list[Finding]
    ) -> None:
        """Remember what a rule produced (unless a result would not come back unchanged)."""
        key = self._key(rule, rule_id, params)
        if key is None:
            return
        encoded = [_plain(f) for f in produced]
        encoded_notes = [_plain(f) for f in notes]
        try:
            decoded = [_finding(e) for e in encoded]
        except (TypeError, ValueError):  # properties that are not JSON
            return
        if any(d != f or d.properties != f.properties for d, f in zip(decoded, produced, strict=True)):
            return
        self.rules[key] = {"upto": len(self.ctx.read_log), "f": encoded, "d": encoded_notes}

    def save(self) -> None:
        """Write this audit's entries with its read log (skipped when nothing changed)."""
        if not self.enabled:
            return
        keys = {path: self.ctx.current_content_key(path) for path in self._log_paths_needed()}
        log = [[path, keys[path]] for path in keys]
        for name, value in (("scope", self.scope), ("log", log), ("rules", self.rules)):
            self.store.put(name, value)
        self.store.save({"scope", "log", "rules"})

    def _log_paths_needed(self) -> list[str]:
        """The read log up to the last recorded rule: later reads decide nothing."""
        upto = max((entry["upto"] for entry in self.rules.values()), default=0)
        return list(self.ctx.read_log)[:upto]

    def _key(self, rule: object, rule_id: str, params: Mapping[str, Any]) -> str | None:
        version = getattr(rule, "cache_version", None)
        if not self.enabled or not isinstance(version, str):
            return None
        return f"{rule_id}|{version}|{json.dumps(params, sort_keys=True, default=repr)}"

    def _still_valid(self, upto: object, key: str | None) -> bool:
        """Whether the first `upto` paths of the old log hold what they held."""
        if key is None or not isinstance(upto, int) or upto > len(self.old_log):
            return False
        while self._valid_upto < upto:
            entry = self.old_log[self._valid_upto]
            if not (isinstance(entry, list) and len(entry) == 2 and self.ctx.current_content_key(entry[0]) == entry[1]):
                self.old_log = self.old_log[: self._valid_upto]  # nothing beyond a change is valid
                return False
            self._valid_upto += 1
        return True


def _plain(finding: Finding) -> dict[str, Any]:
    """A raw finding (before levels and fingerprints are stamped) as JSON-able data."""
    return {
        "r": finding.rule_id,
        "m": finding.message,
        "p": finding.path,
        "l": finding.line,
        "c": finding.column,
        "k": finding.key,
        "t": finding.kind,
        "v": finding.level.value if finding.level is not None else None,
        "x": finding.properties,
    }


def _finding(data: dict[str, Any]) -> Finding:
    level = data["v"]
    return Finding(
        rule_id=data["r"],
        message=data["m"],
        path=data["p"],
        line=data["l"],
        column=data["c"],
        key=data["k"],
        kind=data["t"],
        level=Level(level) if level is not None else None,
        properties=json.loads(json.dumps(data["x"])),
    )
