"""Text as a fixer edits it, and back to the bytes it came from: UTF-8 with or without a
BOM, `\\n` or `\\r\\n` line endings, kept as they were."""

from __future__ import annotations

from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"


class NotText(Exception):
    """A file a fixer cannot edit as text (not UTF-8, mixed line endings)."""


@dataclass(frozen=True)
class TextForm:
    """How a file's text is written: a BOM or not, and its line ending."""

    bom: bool = False
    newline: str = "\n"


def decode(data: bytes, path: str) -> tuple[str, TextForm]:
    """The text with `\\n` line endings, and the form to write it back in."""
    bom = data.startswith(BOM)
    try:
        text = data[len(BOM) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise NotText(f"{path} is not UTF-8") from None
    crlf = text.count("\r\n")
    if crlf and crlf != text.count("\n"):
        raise NotText(f"{path} mixes line endings")
    return text.replace("\r\n", "\n"), TextForm(bom, "\r\n" if crlf else "\n")


def encode(text: str, form: TextForm) -> bytes:
    """The bytes of `text` (with `\\n` endings) in the file's form."""
    body = text.replace("\n", form.newline).encode("utf-8")
    return BOM + body if form.bom else body
