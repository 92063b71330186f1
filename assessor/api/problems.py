"""RFC 9457 problem details: every error under ``/api/`` is ``application/problem+json``.

``{"type", "title", "status", "detail", "instance"}``, plus ``errors`` (field -> messages)
on a request that failed validation and ``field`` when an operation named the field.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, json, request

PROBLEM_MIMETYPE = "application/problem+json"
#: Where each kind of problem is described (relative: the API's own documentation).
TYPES = {
    409: "/api/v1/docs#conflict",
    422: "/api/v1/docs#invalid",
    429: "/api/v1/docs#rate-limit",
}


def is_api_request() -> bool:
    """Whether the request is the JSON API's (its errors are problems, not pages)."""
    return request.path == "/api" or request.path.startswith("/api/")


def problem(
    status: int,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response for ``status``."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {
        "type": TYPES.get(status, "about:blank"),
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": request.path,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


#: The schema of a problem, for the OpenAPI document (every error response uses it).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}
