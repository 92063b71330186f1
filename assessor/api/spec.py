"""Finishing touches on the generated OpenAPI document: what APIFlask cannot say itself."""

from __future__ import annotations

from typing import Any

from assessor.api.problems import PROBLEM_MIMETYPE, PROBLEM_SCHEMA
from assessor.web.ids import MAX_ID

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Send the same key to retry a create safely: the first answer is given "
    "again (the resource as it is now), nothing is created twice.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"},
}
#: Errors any authenticated operation may answer.
#: Why a valid token is refused whatever it asks (``api_tokens.caller_for``).
REFUSED = (
    "the workspace requires two-factor sign-in, which the token's owner has not turned "
    "on; or the owner's e-mail address is not confirmed yet"
)
COMMON_ERRORS = {
    "401": "No valid API token",
    "403": f"Refused: {REFUSED}",
    "404": "Not found in the token's workspace",
    "429": "Too many requests for this token (see Retry-After)",
}
WRITE_ERRORS = {
    "403": f"The token may only read; or {REFUSED}",
    "422": "Invalid input",
    "423": "Locked",
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def describe(spec: dict[str, Any]) -> dict[str, Any]:
    """Integer ids, problem+json errors, the Idempotency-Key of creates."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"].endswith("_id"):
                    parameter["schema"] = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
                elif parameter.get("in") == "path" and parameter["name"] == "fmt":
                    parameter["schema"] = {"type": "string", "enum": ["csv", "xlsx", "json"]}
            responses = operation.setdefault("responses", {})
            for code, response in list(responses.items()):
                if str(code)[0] in "45":
                    responses[code] = _problem(response.get("description", "Error"))
            extra = dict(COMMON_ERRORS)
            if method in ("post", "patch", "put", "delete"):
                extra.update(WRITE_ERRORS)
                extra["409"] = "Conflict"
            if method == "post" and operation.get("operationId", "").startswith("create_"):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
            for code, description in extra.items():
                responses.setdefault(code, _problem(description))
            responses.setdefault("400", _problem("The request is malformed"))
    return spec
