"""The interactive API docs (Swagger UI), served from the app itself: the page's scripts
come from the ``flask-swagger-ui`` package's copy of Swagger UI (no CDN; machines may be
offline, and the policy is ``script-src 'self'``: ``web/security.API_DOCS_POLICY``)."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, abort, render_template, send_from_directory
from flask.typing import ResponseReturnValue

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")

ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"
#: The files the page loads (nothing else of the package is served).
SERVED = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")


@bp.get("")
def index() -> ResponseReturnValue:
    return render_template("api/docs.html")  # its policy: web/security.API_DOCS_POLICY


@bp.get("/assets/<name>")
def asset(name: str) -> ResponseReturnValue:
    if name not in SERVED:
        abort(404)
    return send_from_directory(ASSETS, name, max_age=3600)
