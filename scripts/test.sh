#!/usr/bin/env bash
# The whole test suite from a fresh machine: installs what is missing, starts the
# local PostgreSQL and Redis if they are down, runs the linters, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --dev
scripts/services.sh
.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/lint-imports
# One pytest worker per core (loadscope keeps a module's tests, and its module-scoped
# fixtures such as the search catalogue, on one worker).
exec .venv/bin/pytest --numprocesses "${TONEARM_TEST_WORKERS:-auto}" --dist loadscope "$@"
