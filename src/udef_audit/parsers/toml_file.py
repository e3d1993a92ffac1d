"""TOML through tomli on every Python: one verdict everywhere (see docs/adr/0003)."""

from __future__ import annotations

from typing import Any

import tomli


class TomlError(Exception):
    """The document is not valid TOML (the message names the line)."""


def load_toml(data: bytes) -> dict[str, Any]:
    """Parse TOML bytes; raise TomlError with a one-line reason (encoding included)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TomlError(f"not UTF-8 (byte {exc.start})") from exc
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise TomlError(str(exc).splitlines()[0]) from exc
    except RecursionError as exc:  # deeply nested arrays/tables in a hostile file
        raise TomlError("nesting too deep") from exc
