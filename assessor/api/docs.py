"""The interactive API docs (Swagger UI), served from the app itself: the page's scripts
come from the ``flask-swagger-ui`` package's copy of Swagger UI (no CDN; machines may be
offline, and the policy is ``script-src 'self'``)."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, abort, render_template, send_from_directory
from flask.typing import ResponseReturnValue

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")

ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"
#: The files the page loads (nothing else of the package is served).
SERVED = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")
#: Swagger UI sets style attributes as it draws: the page's policy allows those, no script.
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'none'",
        "base-uri 'none'",
    )
)


@bp.get("")
def index() -> ResponseReturnValue:
    page = render_template("api/docs.html")
    return page, 200, {"Content-Security-Policy": POLICY}


@bp.get("/assets/<name>")
def asset(name: str) -> ResponseReturnValue:
    if name not in SERVED:
        abort(404)
    return send_from_directory(ASSETS, name, max_age=3600)
