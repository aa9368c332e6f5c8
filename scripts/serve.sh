#!/usr/bin/env bash
# One command from a fresh machine to a running tonearm: installs what is missing,
# then serves on the embedded default (SQLite, files and job store under ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/tonearm serve --data-dir "${TONEARM_DATA_DIR:-data}" "$@"
