#!/usr/bin/env bash
# Installs everything tonearm needs on a fresh Debian machine, and nothing twice:
# Debian packages (ffmpeg, fpcalc; with --dev also what the tests and benchmarks use),
# a virtualenv in .venv and the Python packages. Safe to run on every start.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v fpcalc >/dev/null || need+=(libchromaprint-tools)
if (( dev )); then
  command -v nginx >/dev/null || need+=(nginx-light)
  command -v wrk >/dev/null || need+=(wrk)
  # The browser tests drive Debian's Chromium (never Playwright's own download); DejaVu
  # gives headless pages a font to lay out and screenshot with.
  [[ -x /usr/bin/chromium ]] || need+=(chromium)
  [[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need+=(fonts-dejavu-core)
fi
if (( ${#need[@]} )); then
  echo "installing Debian packages: ${need[*]}" >&2
  sudo_=""; [[ $(id -u) -ne 0 ]] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
extras=""; (( dev )) && extras="[dev]"
stamp=".venv/.installed${extras}"
if [[ ! -f "$stamp" || pyproject.toml -nt "$stamp" ]]; then
  .venv/bin/pip install -q -e ".${extras}"
  touch "$stamp"
fi

# The web player's tools (vite, vitest, svelte-check, axe-core), for the tests and for
# rebuilding src/tonearm/web/. Serving needs none of this: the built page ships in the package.
if (( dev )); then
  if command -v npm >/dev/null; then
    if [[ ! -f web/node_modules/.package-lock.json || web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
      echo "installing the web player's npm packages (npm ci in web/)" >&2
      npm ci --prefix web --no-audit --no-fund --loglevel=error
    fi
  else
    echo "npm not found: the front-end unit tests will be skipped" >&2
  fi
fi
