"""The score model: the policy's defaults with `[tool.udef-audit.reset-vs-repair]` applied.

Every override is checked against the model's own keys and types, so a typo in a weight's
name is an error (exit 2) rather than a silently different score.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from udef_audit.config import ConfigError

NUMERIC_TOP = ("window-days", "verdict-threshold")
GROUPS = ("criteria", "repair-signals")


def effective_model(base: Mapping[str, Any], overrides: Mapping[str, Any], source: str) -> dict[str, Any]:
    """A deep copy of the policy's model with the user's numbers applied."""
    model = copy.deepcopy(dict(base))
    where = f"{source}: 'reset-vs-repair"
    for key, value in overrides.items():
        if key in NUMERIC_TOP:
            model[key] = _number(value, f"{where}.{key}'")
        elif key in GROUPS and isinstance(value, dict):
            _apply_group(model[key], value, f"{where}.{key}")
        else:
            raise ConfigError(f"{where}.{key}' is not a score setting (known: {', '.join((*NUMERIC_TOP, *GROUPS))})")
    if model["window-days"] < 1:
        raise ConfigError(f"{where}.window-days' must be at least 1")
    return model


def _apply_group(group: dict[str, Any], overrides: Mapping[str, Any], where: str) -> None:
    for name, settings in overrides.items():
        if name not in group or not isinstance(settings, dict):
            raise ConfigError(f"{where}.{name}' names no criterion (known: {', '.join(group)})")
        for key, value in settings.items():
            if key in ("title", "quote") or key not in group[name]:
                raise ConfigError(f"{where}.{name}.{key}' is not a setting (known: weight, threshold)")
            group[name][key] = _number(value, f"{where}.{name}.{key}'")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{where} must be a non-negative number")
    return value
