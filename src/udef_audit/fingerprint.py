"""Stable fingerprints: what a finding is, not where it happens to be today.

`rule id + path + the rule's semantic key`, hashed, with an ordinal for true duplicates
(in line order). Line numbers and message wording are left out, so moving code or
rewording a message does not turn an old alert into a new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from udef_audit.findings import Finding


def fingerprint_base(finding: Finding) -> str:
    """The hash of rule + path + semantic key (whitespace-normalised)."""
    key = " ".join(finding.key.split())
    material = "\0".join((finding.rule_id, finding.path, key))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: Iterable[Finding]) -> list[tuple[Finding, str]]:
    """Each finding (in report order) with its `<hash>:<ordinal>`, ordinals counted per hash.

    Returned beside the findings rather than set on them, so the engine can set the level
    and the fingerprint in one copy of each finding."""
    seen: dict[str, int] = {}
    out = []
    for finding in sorted(findings, key=Finding.sort_key):
        base = fingerprint_base(finding)
        seen[base] = seen.get(base, 0) + 1
        out.append((finding, f"{base}:{seen[base]}"))
    return out
