"""The OpenAPI document, completed with what the edge adds to every operation.

Routers describe their own successes and parameters. Errors are the edge's: every
one of them is an RFC 9457 problem (``problems.py``), so the document says so once
here, for every operation, instead of each router repeating it: a shared
``Problem`` schema on each declared 4xx/5xx and on the ``4XX``/``5XX`` ranges, a
``ValidationProblem`` in place of FastAPI's own 422 shape, and the ``Allow`` header
a 405 carries.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_JSON = "application/problem+json"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_VALIDATION_REF = {"$ref": "#/components/schemas/ValidationProblem"}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; more members may follow.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "description": "about:blank, or urn:tonearm:problem:<code> (a stable slug)",
        },
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "instance": {"type": "string", "description": "The request path."},
    },
    "additionalProperties": True,
}
VALIDATION_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ValidationProblem",
    "allOf": [
        _PROBLEM_REF,
        {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["where", "message"],
                        "properties": {
                            "where": {"type": "string", "description": "e.g. query.limit"},
                            "message": {"type": "string"},
                        },
                    },
                }
            },
        },
    ],
}
METHOD_NOT_ALLOWED: dict[str, Any] = {
    "description": "Method Not Allowed: sent for any method a path does not list.",
    "headers": {
        "Allow": {
            "description": "The methods this path answers, comma-separated.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
}
DESCRIPTION_SUFFIX = (
    "\n\nEvery error is an RFC 9457 problem (`application/problem+json`, schema "
    "`Problem`). A method a path does not list gets 405 with an `Allow` header "
    "(`components.responses.MethodNotAllowed`). Every GET also answers HEAD."
)


def install(app: FastAPI) -> None:
    """Serve the completed document at ``app.openapi_url``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=(app.description or "") + DESCRIPTION_SUFFIX,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
                license_info=app.license_info,
            )
            describe_problems(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe_problems(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ValidationProblem"] = VALIDATION_PROBLEM_SCHEMA
    components.setdefault("responses", {})["MethodNotAllowed"] = METHOD_NOT_ALLOWED
    for item in schema.get("paths", {}).values():
        for method in _METHODS:
            if method in item:
                _describe_errors(item[method].setdefault("responses", {}))
    # FastAPI's own validation shapes are never sent: the 422 above replaced them.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _describe_errors(responses: dict[str, Any]) -> None:
    for code, response in responses.items():
        if code[0] in "45":
            ref = _VALIDATION_REF if code == "422" else _PROBLEM_REF
            response["content"] = {PROBLEM_JSON: {"schema": ref}}
            if code == "422":
                response["description"] = "The request is not valid (which field, and why)"
    responses.setdefault(
        "4XX",
        {
            "description": "The request cannot be served (see the problem's detail)",
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
        },
    )
    responses.setdefault(
        "5XX",
        {
            "description": "A server-side failure or a dependency that is unavailable",
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
        },
    )
