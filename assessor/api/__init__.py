"""The JSON API under ``/api/v1``: token-authenticated, described by OpenAPI 3.1.

``bp`` holds every endpoint (one module per resource group); :func:`register_api` adds
it to the app: exempt from CSRF (no cookie authenticates here), rate-limited per token,
ETags on reads, problem+json errors, and the document and its docs page.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint, APIFlask
from apiflask.exceptions import HTTPError

from assessor.api.problems import PROBLEM_SCHEMA, problem
from assessor.extensions import csrf, limiter
from assessor.operations.errors import OperationError

PREFIX = "/api/v1"
bp = APIBlueprint("api", __name__, url_prefix=PREFIX, tag="API")
_set_up = False


def _operation_error(exc: OperationError) -> Any:
    return problem(exc.status, exc.message, field=exc.field)


def _http_error(error: HTTPError) -> Any:
    """APIFlask's errors (validation, ``abort``) as problems."""
    errors = error.detail if error.status_code == 422 and error.detail else None
    detail = error.message
    if errors:
        where = "; ".join(
            f"{field}: {' '.join(messages)}"
            for fields in errors.values()
            for field, messages in fields.items()
        )
        detail = f"The request is not valid: {where}"
    return problem(
        error.status_code,
        detail,
        headers=dict(error.headers or {}),
        errors=errors,
        **dict(error.extra_data or {}),
    )


def _set_up_blueprint() -> None:
    """Once per process, before the blueprint is first registered."""
    from assessor.api import answers, assessments, organisations, results  # noqa: F401
    from assessor.api.auth import rate_key, rate_limit
    from assessor.api.conventions import etag_reads

    csrf.exempt(bp)
    limiter.limit(rate_limit, key_func=rate_key)(bp)
    bp.errorhandler(OperationError)(_operation_error)
    bp.after_request(etag_reads)


def register_api(app: APIFlask) -> None:
    from assessor.api import docs
    from assessor.api.spec import describe

    global _set_up
    if not _set_up:
        _set_up_blueprint()
        _set_up = True
    app.register_blueprint(bp)
    app.register_blueprint(docs.bp)
    # Not ``app.error_processor``: that also takes over every Werkzeug error, the pages'
    # too; web/errors.py answers those (problem+json under /api/, HTML elsewhere).
    app.error_callback = _http_error
    app.config.update(
        VALIDATION_ERROR_SCHEMA=PROBLEM_SCHEMA,
        HTTP_ERROR_SCHEMA=PROBLEM_SCHEMA,
        INFO={
            "description": "The assessment service's JSON API. Authenticate with a personal "
            "token from the workspace settings: `Authorization: Bearer asr_…`."
        },
    )
    app.spec_processor(describe)
