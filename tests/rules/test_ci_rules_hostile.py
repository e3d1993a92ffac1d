"""The CI rules (UDEF020-023, UDEF025) on hostile CI files: bounded, a UDEF000 note, no
traceback, nothing executed."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udef_audit.testing import audit_tree

CI_RULES = ("UDEF020", "UDEF021", "UDEF022", "UDEF023", "UDEF025")
BASE = {
    "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
    "src/app/__init__.py": "",
    "Dockerfile": "FROM python:3.11-slim AS runtime\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n",
}


def _audit(tmp_path: Path, tree: dict[str, str | bytes]) -> tuple[list[tuple[str, str, int]], list[str]]:
    result = audit_tree({**BASE, **tree}, tmp_path, select=(*CI_RULES, "UDEF000"))
    assert [n.message for n in result.notifications if n.level.value == "error"] == []
    unparseable = [f.path for f in result.findings if f.rule_id == "UDEF000"]
    return [(f.rule_id, f.path, f.line) for f in result.findings], unparseable


def test_alias_bomb_and_python_tags(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    started = time.perf_counter()
    findings, unparseable = _audit(
        tmp_path / "repo",
        {
            ".github/workflows/bomb.yml": "on: push\njobs:\n  x:\n    steps:\n      - run: pytest\n" + bomb,
            ".gitlab-ci.yml": f"x: !!python/object/apply:os.system ['touch {marker}']\n",
        },
    )
    assert time.perf_counter() - started < 10
    assert unparseable == [".github/workflows/bomb.yml", ".gitlab-ci.yml"]
    # Neither file is read: no CI definition is left, and the rules say so.
    assert ("UDEF020", "pyproject.toml", 1) in findings
    assert not marker.exists()


def test_a_huge_workflow_is_a_note(tmp_path: Path) -> None:
    step = "      - run: pytest --cov\n"
    big = "on: push\njobs:\n  x:\n    steps:\n" + step * (12_000_000 // len(step))
    started = time.perf_counter()
    _, unparseable = _audit(tmp_path, {".github/workflows/big.yml": big})
    assert time.perf_counter() - started < 10
    assert unparseable == [".github/workflows/big.yml"]


def test_recursive_includes_and_a_makefile_target_including_itself(tmp_path: Path) -> None:
    findings, unparseable = _audit(
        tmp_path,
        {
            ".gitlab-ci.yml": "include: ci/a.yml\nt:\n  script: [make test]\n",
            "ci/a.yml": "include: .gitlab-ci.yml\n",
            "Makefile": "include Makefile\ntest: test\n\t$(MAKE) test\n",
        },
    )
    assert unparseable == ["Makefile", "ci/a.yml"]  # both cycles said, where they close
    assert ("UDEF020", ".gitlab-ci.yml", 1) in findings


CI_WORDS = st.sampled_from(
    ["jobs:", "steps:", "run:", "- run:", "script:", "include:", "uses:", "matrix:", "&a", "*a", "<<:", "[", "]",
     "python-version:", "container:", "image:", "actions/setup-python@v5", "docker build --target", "pytest --cov",
     "coverage report --fail-under", "xenon -b", "ruff check", "mypy --strict", "pip-audit", "${{ matrix.v }}",
     "3.11", "python:3.12", "\n", "\n  ", "\n    - ", ": ", "- "]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(CI_WORDS, max_size=40), st.sampled_from([".github/workflows/ci.yml", ".gitlab-ci.yml"]))
def test_any_ci_text_never_breaks_a_rule(tmp_path_factory: object, words: list[str], path: str) -> None:
    root = tmp_path_factory.mktemp("ci")  # type: ignore[attr-defined]
    _audit(root, {path: " ".join(words)})
