"""Where a relative link of a Markdown file points, as GitHub resolves it (UDEF026).

A pure function of the linking file's path and the link's target: nothing here reads a
file, so a target that climbs out of the repository can never make anything read outside
it. The choices, each what github.com does with a file in a repository:

- *Not relative*: a target with a URL scheme (`https:`, `mailto:`, `C:` too), a
  protocol-relative `//host/...` target, and an empty target are not checked.
- *Query*: `?raw=true` and the like are dropped; `?plain=1` makes GitHub show the source
  instead of the rendered page, so its fragment (a line anchor) is not a heading.
- *Percent-encoding*: the path and the fragment are percent-decoded (UTF-8), as GitHub and
  the browser do (`my%20file.md` is `my file.md`; markdown-it already encodes a `<my
  file.md>` target that way).
- *Backslashes* are slashes (browsers turn `\\` into `/` in http URLs).
- *Root*: a leading `/` is the repository root, as on GitHub; otherwise the target is
  relative to the linking file's folder. `.` and `..` segments are resolved; a target
  that climbs above the root is `outside` and must not be checked (GitHub resolves it to
  its own pages, such as `../../issues` or a workflow badge).
- *Trailing slash*: kept as a flag; `README.md/` still names the file `README.md`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class LinkTarget:
    """A relative link resolved against the repository root.

    `path` is posix and relative to the root ("" is the root itself, and also the linking
    file's own path for a `#fragment`-only link is given in full); `fragment` is the
    decoded text after `#` (None without one); `outside` says the target climbs above the
    root (then `path` is "" and nothing about it may be checked)."""

    path: str
    fragment: str | None = None
    trailing_slash: bool = False
    plain_view: bool = False
    outside: bool = False


def resolve_link(source: str, target: str) -> LinkTarget | None:
    """Resolve `target` (as written in the file at posix path `source`, relative to the
    root) to a repository path; None when the target is not a relative link."""
    target = target.strip()
    if not target or target.startswith("//") or _SCHEME_RE.match(target):
        return None
    rest, hash_mark, fragment = target.partition("#")
    path, _, query = rest.partition("?")
    decoded_fragment = unquote(fragment, errors="replace") if hash_mark else None
    plain = "plain=1" in query.split("&")
    path = unquote(path, errors="replace").replace("\\", "/")
    if not path:
        return LinkTarget(source, decoded_fragment, plain_view=plain)
    base = [] if path.startswith("/") else source.split("/")[:-1]
    resolved = _normalise(base, path.split("/"))
    if resolved is None:
        return LinkTarget("", decoded_fragment, outside=True)
    return LinkTarget(resolved, decoded_fragment, trailing_slash=path.endswith("/"), plain_view=plain)


def _normalise(base: list[str], segments: list[str]) -> str | None:
    """`base` + `segments` with `.` and `..` resolved; None when it climbs above the root."""
    stack = list(base)
    for segment in segments:
        if segment in ("", "."):
            continue
        if segment == "..":
            if not stack:
                return None
            stack.pop()
        else:
            stack.append(segment)
    return "/".join(stack)
