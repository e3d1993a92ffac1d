"""Score settings from `[tool.udef-audit.reset-vs-repair]` are validated."""

from __future__ import annotations

import pytest

from udef_audit.config import ConfigError
from udef_audit.policy import load_policy
from udef_audit.scoring.model import effective_model


def test_overrides_apply() -> None:
    base = load_policy().score_model
    model = effective_model(base, {"window-days": 30, "criteria": {"emergency-fixes": {"weight": 40}}}, "x")
    assert model["window-days"] == 30 and model["criteria"]["emergency-fixes"]["weight"] == 40
    assert base["criteria"]["emergency-fixes"]["weight"] == 20  # the policy itself is untouched


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"windows": 3}, "reset-vs-repair.windows"),
        ({"window-days": 0}, "window-days"),
        ({"window-days": True}, "window-days"),
        ({"verdict-threshold": -1}, "verdict-threshold"),
        ({"criteria": {"vibes": {"weight": 1}}}, "criteria.vibes"),
        ({"criteria": {"lost-confidence": {"title": "x"}}}, "lost-confidence.title"),
        ({"repair-signals": {"tests-and-ci": {"weight": "ten"}}}, "tests-and-ci.weight"),
        ({"criteria": ["emergency-fixes"]}, "reset-vs-repair.criteria"),
    ],
)
def test_bad_overrides_name_the_key(overrides: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        effective_model(load_policy().score_model, overrides, "pyproject.toml")
