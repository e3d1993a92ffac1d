"""Strings from the scanned repository, made safe where they are printed.

A file name, a commit subject or a line of a file can hold anything: ESC sequences (an OSC
title change, a clear-screen, a hyperlink), C1 controls, bidi overrides that reorder what
a reader sees, newlines that split a report line or a Markdown table row, and bytes that
are not UTF-8 (git and `os` hand those over as lone surrogates, `surrogateescape`).

- `escape_text`: for the terminal and for Markdown. Control and format characters (Unicode
  categories Cc, Cf, Zl, Zp) are written as visible escapes (`\\n`, `\\x1b`, `\\u202e`); an
  undecodable byte is written as git writes it, in octal (`\\377`). Printable text,
  whatever the script, is unchanged.
- `quote_path`: for JSON and SARIF, lossless. A path is written as git writes it with
  `core.quotePath=off`: unchanged unless it holds a control character, `"`, `\\` or a byte
  that is not UTF-8; then it is put in double quotes with C escapes (`\\t`, `\\n`, `\\"`,
  `\\\\`, octal `\\NNN` for any other such byte). `unquote_path` gives the exact name back
  (as a `surrogateescape` string), so `unquote_path(quote_path(p)) == p` for every name.
- `json_safe`: the data of a JSON document with every `path` value quoted and every other
  string's undecodable bytes written in octal, so that encoding it as UTF-8 cannot fail.
- `inert_json`: JSON text with every control, format and separator character that JSON
  leaves raw (DEL, C1, bidi controls, U+2028...) written as a `\\uXXXX` escape: the same
  data for a parser, nothing live for a terminal that shows the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NAMED = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
_UNNAMED = {value: key for key, value in _NAMED.items()}
_SURROGATE_BYTES = range(0xDC80, 0xDD00)  # surrogateescape's stand-ins for the bytes 0x80-0xFF
_NEEDS_QUOTES = re.compile(r'[\x00-\x1f\x7f"\\\ud800-\udfff]')
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_FROM_DEL = re.compile(r"[^\x00-\x7e]")
_QUOTED_ESCAPE = re.compile(r'\\(?:([0-3][0-7]{2})|(["\\abtnvfr]))')
PATH_KEYS = frozenset({"path", "file"})


def escape_text(text: str) -> str:
    """`text` with every control, format and line-separator character, and every undecodable
    byte, written as a visible escape: safe to print on a terminal or in Markdown."""
    if text.isprintable():  # the common case, checked in C: nothing to escape
        return text
    return "".join(_escape_char(char) for char in text)


def _escape_char(char: str) -> str:
    if unicodedata.category(char) not in _ESCAPED_CATEGORIES:
        return char
    code = ord(char)
    if code in _SURROGATE_BYTES:
        return f"\\{code - 0xDC00:03o}"
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def quote_path(path: str) -> str:
    """A file name as git quotes it (see the module docstring); lossless and UTF-8-safe."""
    if not _NEEDS_QUOTES.search(path):
        return path
    out = ['"']
    for char in path:
        if char in _NAMED:
            out.append(_NAMED[char])
        elif char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or char == "\x7f" or 0xD800 <= ord(char) <= 0xDFFF:
            out.extend(f"\\{byte:03o}" for byte in _raw_bytes(char))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _raw_bytes(char: str) -> bytes:
    try:
        return char.encode("utf-8", "surrogateescape")  # an undecodable byte: that byte
    except UnicodeEncodeError:  # a surrogate that no file name decodes to: its UTF-8 form
        return char.encode("utf-8", "surrogatepass")


def unquote_path(text: str) -> str:
    """The file name `quote_path` wrote (undecodable bytes as `surrogateescape` characters)."""
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return text
    raw = bytearray()
    position = 1
    for match in _QUOTED_ESCAPE.finditer(text, 1, len(text) - 1):
        raw += text[position : match.start()].encode("utf-8", "surrogateescape")
        octal, letter = match.groups()
        raw += bytes([int(octal, 8)]) if octal else _UNNAMED.get("\\" + letter, letter).encode("ascii")
        position = match.end()
    raw += text[position : len(text) - 1].encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "surrogateescape")


def undecodable_as_octal(text: str) -> str:
    """`text` with each undecodable byte (a lone surrogate) written as git's octal escape."""
    if text.isascii() or not _SURROGATES.search(text):
        return text
    return _SURROGATES.sub(lambda m: _escape_char(m.group()), text)


def json_safe(value: Any, *, quote_paths: bool = True) -> Any:
    """JSON data with no lone surrogate anywhere and, with `quote_paths`, every `path` value
    quoted (`quote_path`). Without it for data whose paths are already quoted (the batch's
    stored findings), so that nothing is quoted twice."""
    kind = type(value)  # the common types by identity first: an ABC check each is slow
    if kind is dict:
        return _safe_mapping(value, quote_paths)
    if kind is list or kind is tuple:
        return [json_safe(item, quote_paths=quote_paths) for item in value]
    if kind in _PLAIN and kind is not str:
        return value
    return _safe_other(value, quote_paths)


def _safe_other(value: Any, quote_paths: bool) -> Any:
    """A string, or a container known by its abstract type (a mapping proxy, a str subclass)."""
    if isinstance(value, str):
        return undecodable_as_octal(value)
    if isinstance(value, Mapping):
        return _safe_mapping(value, quote_paths)
    if isinstance(value, (list, tuple)):
        return [json_safe(item, quote_paths=quote_paths) for item in value]
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})
_NO_KEYS: frozenset[str] = frozenset()


def _safe_mapping(value: Mapping[Any, Any], quote_paths: bool) -> dict[str, Any]:
    """A mapping, made safe. Plain ASCII keys and values, and numbers, are settled here
    without a call each: a report of 2,000 findings has 40,000 of them (a call each cost
    half of the JSON report's time)."""
    paths = PATH_KEYS if quote_paths else _NO_KEYS
    safe: dict[str, Any] = {}
    for key, item in value.items():
        name = key if type(key) is str and key.isascii() else undecodable_as_octal(str(key))
        kind = type(item)
        if kind is str:
            safe[name] = item if item.isascii() and key not in paths else _safe_string(key, item, paths)
        elif kind in _PLAIN:
            safe[name] = item
        else:
            safe[name] = _safe_value(key, item, paths, quote_paths)
    return safe


def _safe_string(key: Any, item: str, paths: frozenset[str]) -> str:
    return quote_path(item) if key in paths else undecodable_as_octal(item)


def _safe_value(key: Any, item: Any, paths: frozenset[str], quote_paths: bool) -> Any:
    """A value that is neither a plain string nor a number: a str subclass is a string (a
    path all the same), the rest is `json_safe`'s."""
    if isinstance(item, str):
        return _safe_string(key, item, paths)
    return json_safe(item, quote_paths=quote_paths)


def inert_json(text: str) -> str:
    """JSON text whose raw control/format characters are `\\uXXXX` escapes (lossless: JSON
    decodes them to the same characters). Only string literals can hold such characters,
    and an escape is valid anywhere in one."""
    if text.isascii() and "\x7f" not in text:
        return text
    # Only the characters from DEL up can need it (below, json.dumps escapes them already):
    # the few distinct ones, found in C, not a set of every character of a long report.
    unsafe = (c for c in set(_FROM_DEL.findall(text)) if unicodedata.category(c) in _ESCAPED_CATEGORIES)
    table = {ord(c): _json_escape(c) for c in unsafe}
    return text.translate(table) if table else text


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
