"""The web player's API types are generated from the server's OpenAPI document; these
fail when either step is stale, so a change on the server cannot drift past the page.

    server ──scripts/openapi.py──► web/openapi.json ──npm run gen:api──► src/lib/api-types.ts
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
REGENERATE = ".venv/bin/python scripts/openapi.py && npm run gen:api --prefix web"


def dump_script() -> ModuleType:
    """scripts/openapi.py, the one place that knows how to produce the document."""
    path = ROOT / "scripts" / "openapi.py"
    spec = importlib.util.spec_from_file_location("tonearm_openapi_dump", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def differences(committed: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Which operations and schemas differ, to point the developer at the change."""
    found: list[str] = []
    for section, a, b in [
        ("path", committed.get("paths", {}), current.get("paths", {})),
        (
            "schema",
            committed.get("components", {}).get("schemas", {}),
            current.get("components", {}).get("schemas", {}),
        ),
    ]:
        names = sorted(set(a) | set(b))
        found += [f"{section} {name}" for name in names if a.get(name) != b.get(name)]
    rest = {k for k in set(committed) | set(current) if k not in ("paths", "components")}
    found += [k for k in sorted(rest) if committed.get(k) != current.get(k)]
    return found


def test_committed_openapi_matches_the_server() -> None:
    script = dump_script()
    current = script.server_document()
    committed_path = WEB / "openapi.json"
    assert committed_path.is_file(), f"no web/openapi.json: run `{REGENERATE}`"
    committed_text = committed_path.read_text()
    committed = json.loads(committed_text)
    assert committed == current, (
        "web/openapi.json is not what the server serves now "
        f"({', '.join(differences(committed, current)) or 'order or formatting'}): "
        f"run `{REGENERATE}` and commit web/openapi.json and web/src/lib/api-types.ts"
    )
    assert committed_text == script.render(current), (
        f"web/openapi.json is not formatted as generated: run `{REGENERATE}`"
    )


@pytest.mark.skipif(
    shutil.which("npm") is None or not (WEB / "node_modules").is_dir(),
    reason="needs npm and web/node_modules (scripts/bootstrap.sh --dev runs npm ci)",
)
def test_api_types_match_the_committed_openapi() -> None:
    result = subprocess.run(
        ["npm", "--prefix", str(WEB), "run", "check:api"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, (
        f"web/src/lib/api-types.ts is not generated from web/openapi.json: run `{REGENERATE}`\n"
        + result.stdout[-2000:]
        + result.stderr[-2000:]
    )
