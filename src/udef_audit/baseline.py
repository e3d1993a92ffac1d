"""Adoption without a flag day: baselines, waivers and the org policy.

- A baseline records today's findings by fingerprint (rule + path + semantic key + ordinal,
  never line numbers), so moving code does not resurrect them and a new finding of the same
  rule in another file is never hidden. It only shrinks: entries no longer found are
  reported as fixed, and `--prune-baseline` drops them.
- A waiver (`[[tool.udef-audit.waivers]]`) suppresses a rule on a path glob with a reason,
  an owner and an expiry date; an expired waiver stops suppressing and says so.
- The org policy (`--policy FILE`) names rules the repository cannot switch off: its
  ignores, waivers and inline suppressions of those rules are refused and reported.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from udef_audit.config import ConfigError
from udef_audit.findings import Finding, Level, Notification, Suppression
from udef_audit.globs import path_matcher
from udef_audit.parsers.toml_file import TomlError, load_toml
from udef_audit.safe_text import json_safe

BASELINE_VERSION = 1
WAIVER_KEYS = frozenset({"rule", "path", "reason", "owner", "expires"})


# -- baselines ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BaselineEntry:
    """One accepted finding."""

    fingerprint: str
    rule_id: str
    path: str
    message: str


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    """Record the unsuppressed findings; returns how many."""
    entries = sorted(
        (
            {"fingerprint": f.fingerprint, "ruleId": f.rule_id, "path": f.path, "message": f.message}
            for f in findings
            if not f.suppressed
        ),
        key=lambda e: (e["path"], e["ruleId"], e["fingerprint"]),
    )
    _dump(path, entries)
    return len(entries)


def _dump(path: Path, entries: Sequence[Mapping[str, str]]) -> None:
    document = {"version": BASELINE_VERSION, "tool": "udef-audit", "findings": list(entries)}
    text = json.dumps(json_safe(document), indent=2, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


def read_baseline(path: Path) -> dict[str, BaselineEntry]:
    """fingerprint -> entry; a missing or malformed file is a ConfigError (exit 2)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = document["findings"]
        if document.get("version") != BASELINE_VERSION or not isinstance(entries, list):
            raise ValueError(f"not a version {BASELINE_VERSION} udef-audit baseline")
        return {
            e["fingerprint"]: BaselineEntry(e["fingerprint"], e["ruleId"], e["path"], e.get("message", ""))
            for e in entries
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}") from None


@dataclass(frozen=True)
class BaselineOutcome:
    """Findings after the baseline, and the entries no longer found (the baseline can shrink)."""

    findings: list[Finding]
    matched: int
    fixed: list[BaselineEntry]


def apply_baseline(findings: Sequence[Finding], baseline: Mapping[str, BaselineEntry], name: str) -> BaselineOutcome:
    """Suppress (kind external) every finding whose fingerprint is in the baseline."""
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.fingerprint in baseline and not finding.suppressed:
            seen.add(finding.fingerprint)
            known = Suppression("external", f"in baseline {name}", origin="baseline")
            out.append(finding.with_changes(suppressions=(known,)))
        else:
            out.append(finding)
    fixed = [entry for key, entry in sorted(baseline.items()) if key not in seen]
    return BaselineOutcome(out, len(seen), fixed)


def prune_baseline(path: Path, baseline: Mapping[str, BaselineEntry], fixed: Sequence[BaselineEntry]) -> int:
    """Rewrite the baseline without its fixed entries (never adding any); returns how many went."""
    gone = {entry.fingerprint for entry in fixed}
    kept = [
        {"fingerprint": e.fingerprint, "ruleId": e.rule_id, "path": e.path, "message": e.message}
        for key, e in sorted(baseline.items())
        if key not in gone
    ]
    _dump(path, sorted(kept, key=lambda e: (e["path"], e["ruleId"], e["fingerprint"])))
    return len(gone)


# -- waivers -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Waiver:
    """A time-boxed, owned exception for one rule on some paths."""

    rule: str
    path: str
    reason: str
    owner: str
    expires: dt.date

    def covers(self, finding: Finding) -> bool:
        """Whether the waiver names this finding's rule and path."""
        return finding.rule_id == self.rule and path_matcher([self.path])(finding.path)


def parse_waivers(raw: Any, source: str) -> list[Waiver]:
    """Validate `[[tool.udef-audit.waivers]]` (every field is required)."""
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: 'waivers' must be an array of tables")
    return [_waiver(item, f"{source}: 'waivers[{i}]'") for i, item in enumerate(raw)]


def _waiver(item: Any, where: str) -> Waiver:
    if not isinstance(item, dict) or set(item) != WAIVER_KEYS:
        raise ConfigError(f"{where} needs exactly the keys {', '.join(sorted(WAIVER_KEYS))}")
    fields = {k: item[k] for k in ("rule", "path", "reason", "owner")}
    if not all(isinstance(v, str) and v.strip() for v in fields.values()):
        raise ConfigError(f"{where}: rule, path, reason and owner must be non-empty strings")
    return Waiver(expires=_expiry(item["expires"], where), **{k: v.strip() for k, v in fields.items()})


def _expiry(value: Any, where: str) -> dt.date:
    """A TOML date (or an ISO date string); a datetime is refused: waivers end on a day."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{where}.expires must be a date like 2027-01-31") from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ConfigError(f"{where}.expires must be a date like 2027-01-31")
    return value


def apply_waivers(
    findings: Sequence[Finding], waivers: Sequence[Waiver], today: dt.date, enforced: frozenset[str]
) -> tuple[list[Finding], list[Notification]]:
    """Suppress findings under a live waiver; report expired waivers and refused ones."""
    notes = [_expired_note(w) for w in waivers if w.expires < today]
    notes += [_refused_note(w) for w in waivers if w.rule in enforced]
    live = [w for w in waivers if w.expires >= today and w.rule not in enforced]
    return [_waived(finding, live) for finding in findings], notes


def _waived(finding: Finding, live: Sequence[Waiver]) -> Finding:
    waiver = next((w for w in live if w.covers(finding)), None)
    if waiver is None or finding.suppressed:
        return finding
    justification = f"waived until {waiver.expires} by {waiver.owner}: {waiver.reason}"
    return finding.with_changes(suppressions=(Suppression("external", justification, origin="waiver"),))


def _expired_note(waiver: Waiver) -> Notification:
    return Notification(
        message=f"waiver for {waiver.rule} on {waiver.path} (owner {waiver.owner}) expired on {waiver.expires}; "
        "its findings count again",
        rule_id=waiver.rule,
        level=Level.WARNING,
    )


def _refused_note(waiver: Waiver) -> Notification:
    return Notification(
        message=f"waiver for {waiver.rule} on {waiver.path} refused: the org policy enforces {waiver.rule}",
        rule_id=waiver.rule,
        level=Level.WARNING,
    )


# -- org policy --------------------------------------------------------------------------
ORG_KEYS = frozenset({"enforce", "policies"})


@dataclass(frozen=True)
class OrgPolicy:
    """Rules every repository is held to, whatever its own config says, and the folders of
    the org's own policies (docs/design/policies.md), found beside the org policy file."""

    enforce: frozenset[str]
    source: str = ""
    policy_paths: tuple[Path, ...] = ()


def read_org_policy(path: Path) -> OrgPolicy:
    """Read `--policy FILE` (TOML: `enforce = ["UDEF001", "ACME001"]`, `policies =
    ["policies/"]`, relative to the file's folder); the enforced IDs are checked once every
    policy is loaded (`check_enforced`)."""
    try:
        data = load_toml(path.read_bytes())
    except (OSError, TomlError) as exc:
        raise ConfigError(f"cannot read policy {path}: {exc}") from None
    unknown = set(data) - ORG_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key '{sorted(unknown)[0]}' (an org policy has 'enforce' and 'policies')")
    enforce = _strings(data, "enforce", f"{path}: 'enforce' must be a list of rule IDs")
    folders = _strings(data, "policies", f"{path}: 'policies' must be a list of folders (relative to {path.name})")
    paths = tuple(path.parent / folder.strip() for folder in folders)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ConfigError(f"{path}: 'policies' names {missing[0]}, which does not exist")
    return OrgPolicy(frozenset(enforce), str(path), paths)


def _strings(data: Mapping[str, Any], key: str, problem: str) -> list[str]:
    """A list of non-empty strings under `key` (none when absent); ConfigError otherwise."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ConfigError(problem)
    return value


def check_enforced(org: OrgPolicy, known_rules: Iterable[str]) -> None:
    """Every enforced ID names a rule (built-in, plugin or custom policy)."""
    missing = sorted(org.enforce - set(known_rules))
    if missing:
        raise ConfigError(f"{org.source}: 'enforce' names unknown rule {missing[0]}")


def load_org_policy(path: Path, known_rules: Iterable[str]) -> OrgPolicy:
    """`read_org_policy`, its enforced IDs checked against `known_rules`."""
    org = read_org_policy(path)
    check_enforced(org, known_rules)
    return org


def refuse_inline(findings: Sequence[Finding], enforced: frozenset[str]) -> tuple[list[Finding], list[Notification]]:
    """Undo inline suppressions of enforced rules, reporting each attempt."""
    out, notes = [], []
    for finding in findings:
        inline = [s for s in finding.suppressions if s.kind == "inSource"]
        if finding.rule_id in enforced and inline:
            notes.append(
                Notification(
                    message=f"inline suppression of {finding.rule_id} at {finding.path}:{finding.line} refused: "
                    "the org policy enforces it",
                    rule_id=finding.rule_id,
                    level=Level.WARNING,
                )
            )
            kept = tuple(s for s in finding.suppressions if s.kind != "inSource")
            out.append(finding.with_changes(suppressions=kept))
        else:
            out.append(finding)
    return out, notes
