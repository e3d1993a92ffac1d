"""Repository strings in Markdown (PR comments, `$GITHUB_STEP_SUMMARY`), one line, inert.

A table row ends at a newline and a cell at an unescaped `|`, even inside a code span (GFM);
raw HTML (`</details>`, `<img>`) is live in GitHub's Markdown. So text is first made
printable (`safe_text.escape_text`: newlines and every control character become visible
escapes), then `|` is escaped and, outside code spans, `<` and `>` become entities. A code
span for a path uses a backtick fence longer than any run of backticks in it.
"""

from __future__ import annotations

import re

from udef_audit.safe_text import escape_text

_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_BACKTICKS = re.compile(r"`+")


def markdown_text(text: str) -> str:
    """One inert line for a table cell or a list item (the message's own code spans kept)."""
    line = escape_text(text).replace("|", "\\|")
    out: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(line):
        out.append(_entities(line[position : span.start()]))
        out.append(span.group())
        position = span.end()
    out.append(_entities(line[position:]))
    return "".join(out)


def code_span(text: str) -> str:
    """`text` as one code span, whatever backticks, pipes or controls it holds."""
    body = escape_text(text).replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if body.startswith("`") or body.endswith("`") or longest else ""
    return f"{fence}{padding}{body}{padding}{fence}"


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
