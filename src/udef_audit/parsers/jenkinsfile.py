"""A Jenkinsfile by text: its `sh` steps and the Docker images its agents run in.

Groovy is not parsed: `sh 'cmd'`, `sh "cmd"`, the triple-quoted forms of both, and
`sh(script: '...')` are found by pattern, comments (`//`, `/* */`) left out. A step's
script is the string as written (no Groovy interpolation), with its offset in the text.
Images come from `docker 'image'`, `docker { image 'image' }` and `docker.image('image')`.
The work is linear: each string is read once, an unterminated one ends at the text's end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STEP = re.compile(r"\bsh\s*\(?\s*(?:script\s*:\s*)?('''|\"\"\"|'|\")")
_IMAGE = re.compile(r"\bdocker\s*(?:\{\s*image\s+|\.image\s*\(\s*|\(?\s*)(['\"])([^'\"\n]+)\1")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class ShellStep:
    """An `sh` step: its script and the offset of the script's first character."""

    offset: int
    script: str


def shell_steps(text: str) -> list[ShellStep]:
    """The `sh` steps of a Jenkinsfile, in text order."""
    visible = _without_comments(text)
    found: list[ShellStep] = []
    at = 0
    while (step := _STEP.search(visible, at)) is not None:
        quote = step.group(1)
        start = step.end()
        end = _closing(visible, start, quote)
        found.append(ShellStep(start, text[start:end]))
        at = end + len(quote)
    return found


def docker_images(text: str) -> list[tuple[int, str]]:
    """(offset, image) of each Docker image the pipeline names for an agent."""
    visible = _without_comments(text)
    return [(match.start(2), match.group(2)) for match in _IMAGE.finditer(visible)]


def _without_comments(text: str) -> str:
    """The text with comments blanked (same length, so offsets hold); a `//` inside a
    string such as a URL is blanked too, which only loses what follows it on that line."""
    return _COMMENT.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)


def _closing(text: str, start: int, quote: str) -> int:
    """The offset of the quote closing a string whose body starts at `start`."""
    at = start
    while at < len(text):
        if text.startswith(quote, at):
            return at
        if text[at] == "\\":
            at += 2
            continue
        if len(quote) == 1 and text[at] == "\n":
            return at  # a one-line string never spans lines
        at += 1
    return len(text)
