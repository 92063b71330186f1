"""Error pages: HTML for people, JSON for the autosave, problem+json under ``/api/``."""

from __future__ import annotations

import time

from flask import Flask, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from assessor.api.problems import is_api_request, problem
from assessor.extensions import limiter
from assessor.operations.catalog import QuestionnaireUnavailable

MESSAGES = {
    400: "The request was not understood.",
    404: "There is nothing here, or you don't have access to it.",
    405: "That action is not available here.",
    410: "This assessment's questionnaire version is not available.",
    413: "That upload or form is too large.",
    429: "Too many attempts. Wait a minute and try again.",
}


class LinkNotWorking(NotFound):
    """A respondent's link that does not open: unknown, expired, revoked, replaced by a
    newer one, or its assessment closed.  Said the same way whichever it is (a link's
    token is a secret: nothing tells a guessed one from a dead one), with what to do."""

    description = (
        "This link does not work: a link ends when it expires, is revoked or is replaced by"
        " a newer one, and when the assessment is closed. Ask whoever sent it to you for a"
        " new one; anything you saved with it is kept."
    )


def _wants_json() -> bool:
    return request.is_json or request.path.endswith("/autosave")


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        message = "The form expired or was sent from elsewhere. Reload the page and try again."
        if _wants_json():
            return jsonify(error=message), 400
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(QuestionnaireUnavailable)
    def questionnaire_unavailable(exc: QuestionnaireUnavailable) -> ResponseReturnValue:
        # Any page, download or save of an assessment whose questionnaire can't be loaded.
        message = str(exc)
        if is_api_request():
            return problem(410, message)
        if _wants_json():
            return jsonify(error=message), 410
        return render_template("error.html", code=410, message=message), 410

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        message = (
            exc.description
            if isinstance(exc, LinkNotWorking)
            else MESSAGES.get(code, exc.description or "Something went wrong.")
        )
        if code == 400 and exc.description and exc.description != HTTPException.description:
            message = exc.description
        if is_api_request():
            if isinstance(exc, BadRequest) and exc.description == BadRequest.description:
                message = "The request body is not valid JSON."  # what get_json refused
            response = problem(code, message if code != 500 else None)
        elif _wants_json():
            response = make_response(jsonify(error=message), code)
        else:
            response = make_response(
                render_template("error.html", code=code, message=message), code
            )
        if code == 429:
            response.headers["Retry-After"] = str(_retry_after())
        allowed = dict(exc.get_headers()).get("Allow")
        if allowed:  # a 405 names the methods the URL takes
            response.headers["Allow"] = allowed
        return response


def _retry_after() -> int:
    """Seconds until the limit that refused this request lets the next one through."""
    limit = limiter.current_limit
    try:
        reset_at = limit.reset_at if limit is not None else 0
    except Exception:  # the storage went away meanwhile: say a minute
        reset_at = 0
    return max(1, int(reset_at - time.time())) if reset_at else 60
