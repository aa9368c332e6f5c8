"""The front end's own checks, run from pytest so scripts/test.sh covers them.

- vitest: the unit tests of the logic (upload queue and resume, player state, loudness,
  waveform, formatting, step labels against the server's source) in web/src/lib/*.test.ts,
  and of the page's stores (library, uploads, player, preferences) in web/src/stores/;
- svelte-check: TypeScript types across the components and modules;
- the committed bundle in src/tonearm/web/ was built from the source as it is now, and
  what the first page load fetches stays small (pages past the first load on demand).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
BUILT = ROOT / "src" / "tonearm" / "web"
# The same inputs, in the same way, as web/scripts/stamp.mjs.
INPUTS = [
    "index.html",
    "package-lock.json",
    "svelte.config.js",
    "tsconfig.json",
    "vite.config.ts",
    "src",
]

# gzip -9 of the JS and CSS that index.html names (bench/player.py measures the same).
FIRST_LOAD_BUDGET = 60 * 1024

needs_node = pytest.mark.skipif(
    shutil.which("npm") is None or not (WEB / "node_modules").is_dir(),
    reason="needs npm and web/node_modules (scripts/bootstrap.sh --dev runs npm ci)",
)


def npm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["npm", "--prefix", str(WEB), *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"},
    )


@needs_node
def test_vitest_unit_tests_pass() -> None:
    result = npm("test")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    passed = re.search(r"Tests\s+(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) >= 40, result.stdout[-3000:]


@needs_node
def test_types_check() -> None:
    result = npm("run", "check")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def source_hash() -> str:
    files: list[str] = []
    for name in INPUTS:
        path = WEB / name
        found = sorted(path.rglob("*")) if path.is_dir() else [path]
        files += [
            f.relative_to(WEB).as_posix()
            for f in found
            if f.is_file() and not f.name.endswith(".test.ts")
        ]
    digest = hashlib.sha256()
    for rel in sorted(files):
        digest.update(f"{rel}\0{hashlib.sha256((WEB / rel).read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def test_committed_build_matches_the_source() -> None:
    stamp = BUILT / "SOURCE_SHA256"
    assert stamp.is_file(), "no build in src/tonearm/web/: run `npm run build --prefix web`"
    assert stamp.read_text().strip() == source_hash(), (
        "src/tonearm/web/ was built from other sources than web/ holds now: "
        "run `npm run build --prefix web` and commit src/tonearm/web/"
    )


def test_built_page_references_only_shipped_assets() -> None:
    index = (BUILT / "index.html").read_text()
    referenced = re.findall(r'(?:src|href)="/assets/([^"]+)"', index)
    assert referenced, index
    for name in referenced:
        assert (BUILT / "assets" / name).is_file(), name
    assert "hls" not in " ".join(referenced), "hls.js must load lazily, not with the page"


def test_first_load_stays_within_its_budget() -> None:
    index = (BUILT / "index.html").read_text()
    referenced = re.findall(r'(?:src|href)="/assets/([^"]+)"', index)
    sizes = {
        name: len(gzip.compress((BUILT / "assets" / name).read_bytes(), 9, mtime=0))
        for name in referenced
    }
    assert sum(sizes.values()) < FIRST_LOAD_BUDGET, sizes
    # The settings and admin pages come later, when first opened.
    assert not [name for name in referenced if name.startswith(("Settings", "Admin"))]
