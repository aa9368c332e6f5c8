"""Write the server's OpenAPI document to web/openapi.json, where the web player's API
types are generated from (`npm run gen:api --prefix web`).

The app is built in process on a throwaway data directory, exactly as `tonearm serve`
builds it, and asked for /openapi.json: no server, database or worker needs to run. One
ambiguity of FastAPI's is settled on the way (see `canonical`).

    .venv/bin/python scripts/openapi.py && npm run gen:api --prefix web

tests/browser/test_api_types.py fails while the committed file differs from this.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tonearm import container
from tonearm.http.app import create_app
from tonearm.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "web" / "openapi.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def server_document() -> dict[str, Any]:
    """The OpenAPI document the current source serves at /openapi.json."""
    with tempfile.TemporaryDirectory(prefix="tonearm-openapi-") as tmp:
        c = container.build(
            Settings.model_validate({"data_dir": Path(tmp), "queue": {"url": "memory://"}})
        )
        try:
            # 127.0.0.1: a name the app answers for by default (its Host allow-list).
            response = TestClient(create_app(c), base_url="http://127.0.0.1").get("/openapi.json")
            response.raise_for_status()
            document: dict[str, Any] = response.json()
        finally:
            c.close()
    return canonical(document)


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    """The document with one ambiguity of FastAPI's removed, so it is the same every run.

    A route that answers several methods (our file routes answer GET and HEAD) gets one
    operationId for all of them, ending in whichever method a set yields first; so the id
    and the order of the methods change with PYTHONHASHSEED, and two operations share an
    id (which OpenAPI forbids and openapi-typescript turns into a duplicate type). Here
    each such operation gets its own id, ending in its own method, and every path lists its
    methods in one fixed order. An id no other operation shares is left as it is.
    """
    suffix = re.compile(rf"_(?:{'|'.join(METHODS)})$")
    for path, item in document.get("paths", {}).items():
        shared = Counter(op.get("operationId") for method, op in item.items() if method in METHODS)
        for method in METHODS:
            operation = item.get(method)
            if operation is None or shared[operation.get("operationId")] < 2:
                continue
            operation["operationId"] = f"{suffix.sub('', operation['operationId'])}_{method}"
        rank = {method: i for i, method in enumerate(METHODS)}
        document["paths"][path] = dict(sorted(item.items(), key=lambda kv: rank.get(kv[0], -1)))
    return document


def render(document: dict[str, Any]) -> str:
    """The committed form: stable key order (FastAPI's), two-space indent, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    TARGET.write_text(render(server_document()))
    sys.stdout.write(f"wrote {TARGET.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
