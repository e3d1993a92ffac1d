"""Differences between the Python versions we support (3.10 and newer)."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - 3.10 only
    from importlib.abc import Traversable

__all__ = ["Traversable"]
