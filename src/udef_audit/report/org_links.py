"""The org report's links: to repositories, to their SARIF files and to rule docs.

Every href is built here from data, and only in three shapes, so that data never becomes an
active link: an http(s) URL with a host (a repository key; `javascript:`, `data:`, `file:`
and every other scheme give no link), a relative path whose every segment is
percent-encoded (a SARIF file; a `:` in a name cannot start a scheme, a `?`, `#` or `/`
cannot change the path), or the fixed documentation URL the policy gives a known rule.
The templates escape each href for its attribute like any other value.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path, PurePath
from urllib.parse import quote, urlsplit

from udef_audit.policy import load_policy
from udef_audit.report.rules_listing import help_uri

WEB_SCHEMES = ("http", "https")
# Whitespace and controls have no place in a link a browser should follow as written.
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def repository_url(key: object) -> str | None:
    """The repository's key when it is an http(s) URL with a host; None otherwise."""
    if not isinstance(key, str) or _NOT_IN_URL.search(key):
        return None
    try:
        parts = urlsplit(key)
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname or "@" in parts.netloc:
        return None
    return key


def sarif_href(sarif_file: object, base: Path | None) -> str | None:
    """The SARIF file relative to the folder of the page (`base`), percent-encoded; None
    without an absolute file path or a base, or where no relative path exists (another
    drive)."""
    if not isinstance(sarif_file, str) or base is None or _NOT_IN_URL.search(sarif_file):
        return None
    if not Path(sarif_file).is_absolute():  # the batch records absolute paths; anything else is not ours
        return None
    try:
        relative = os.path.relpath(sarif_file, base)
    except ValueError:
        return None
    return "/".join(quote(part, safe="") for part in PurePath(relative).parts)


@lru_cache(maxsize=1)
def rule_docs() -> dict[str, str]:
    """Rule id -> its documentation page, for the built-in policy's rules."""
    return {rule_id: help_uri(meta) for rule_id, meta in load_policy().rules.items()}


@lru_cache(maxsize=1)
def rule_titles() -> dict[str, str]:
    """Rule id -> its title, for the built-in policy's rules (a rule that never ran has none
    in the summary)."""
    return {rule_id: meta.title for rule_id, meta in load_policy().rules.items()}
