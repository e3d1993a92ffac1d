"""UDEF009's fix: the methodology's non-root user lines before the runtime stage's CMD."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree
from fixing import PYPROJECT, assert_idempotent, fixed

from udef_audit.testing import check

DOCKERFILE = """\
FROM python:3.12-slim AS base
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .

FROM base AS test
RUN pip install pytest
CMD ["pytest"]

FROM base AS runtime
EXPOSE 8000

# Run with uvicorn
CMD ["uvicorn", "app.main:app"]
"""


def test_user_lines_go_before_the_comment_over_cmd(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "Dockerfile": DOCKERFILE})
    assert check("UDEF009", tmp_path)[0].line == 10
    shown = run_inproc("fix", tmp_path, "--no-cache", "--diff", "--unsafe-fixes", "--select", "UDEF009")
    assert shown.code == 1
    assert shown.stdout == (
        "diff --git a/Dockerfile b/Dockerfile\n--- a/Dockerfile\n+++ b/Dockerfile\n@@ -10,5 +10,9 @@\n"
        " FROM base AS runtime\n EXPOSE 8000\n \n"
        "+# Create non-root user for security\n"
        "+RUN useradd -m -u 1000 appuser && chown -R appuser:appuser /app\n"
        "+USER appuser\n+\n"
        " # Run with uvicorn\n"
        ' CMD ["uvicorn", "app.main:app"]\n'
    )
    fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF009")
    assert check("UDEF009", tmp_path) == []
    assert_idempotent(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF009")


def test_unsafe_needs_the_option(tmp_path: Path, run_inproc) -> None:
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "Dockerfile": DOCKERFILE})
    done = fixed(run_inproc, tmp_path, "--select", "UDEF009")
    assert "Fixed 0 results (0 changes). 1 more fixable with --unsafe-fixes" in done.stdout
    assert (tmp_path / "Dockerfile").read_text() == DOCKERFILE


def test_one_stage_alpine_without_cmd_and_no_workdir(tmp_path: Path, run_inproc) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "Dockerfile": "FROM python:3.12-alpine\nCOPY . /src\n"},
    )
    fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF009")
    assert (tmp_path / "Dockerfile").read_text() == (
        "FROM python:3.12-alpine\nCOPY . /src\n# Create non-root user for security\n"
        "RUN adduser -D -u 1000 appuser\nUSER appuser\n"
    )
    assert check("UDEF009", tmp_path) == []


def test_distroless_is_refused(tmp_path: Path, run_inproc) -> None:
    text = 'FROM gcr.io/distroless/python3-debian12\nCOPY app /app\nCMD ["/app/main.py"]\n'
    write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "Dockerfile": text})
    done = fixed(run_inproc, tmp_path, "--unsafe-fixes", "--select", "UDEF009")
    assert "not fixed Dockerfile:1 UDEF009: gcr.io/distroless/python3-debian12:latest has no shell" in done.stdout
