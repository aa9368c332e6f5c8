"""Interactive API documentation (Swagger UI) served from the package, not a CDN.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN, so it is blank on a
server without internet access, and its inline start-up script would need
``'unsafe-inline'`` in our Content-Security-Policy. Here the page, its start-up
script and Swagger UI's files (shipped by the ``fastapi-offline`` package, Swagger
UI 5, which reads OpenAPI 3.1; ``swagger-ui-bundle`` ships 4.x, which cannot) all
come from this server.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
# Swagger UI's validator badge fetches an image from a third-party site: off.
_START = """\
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
});
"""


def swagger_ui_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI) -> None:
    """Serve the documentation page at ``/docs``; FastAPI's own must be turned off
    (``docs_url=None``, ``redoc_url=None``)."""
    openapi_url = html.escape(app.openapi_url or "/openapi.json")
    title = html.escape(app.title)
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="icon" href="{ASSETS_PATH}/favicon.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/start.js"></script>
</body>
</html>
"""
    app.mount(ASSETS_PATH, StaticFiles(directory=swagger_ui_dir()), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"cache-control": "no-cache"})

    @app.get(f"{DOCS_PATH}/start.js", include_in_schema=False)
    async def docs_start() -> Response:
        return Response(_START, media_type="text/javascript", headers={"cache-control": "no-cache"})
