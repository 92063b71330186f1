"""The interactive API docs (Swagger UI), served from the app itself: the page's scripts
come from the ``flask-swagger-ui`` package's copy of Swagger UI (no CDN; machines may be
offline, and the policy is ``script-src 'self'``: ``web/security.API_DOCS_POLICY``)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")

ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"
#: The files the page loads (nothing else of the package is served).
SERVED = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
}


@bp.get("")
def index() -> ResponseReturnValue:
    return render_template("api/docs.html")  # its policy: web/security.API_DOCS_POLICY


@bp.get("/assets/<name>")
def asset(name: str) -> ResponseReturnValue:
    if name not in SERVED:
        abort(404)
    data, etag = _read(name)
    response = Response(data, mimetype=SERVED[name])
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response.make_conditional(request)


@cache
def _read(name: str) -> tuple[bytes, str]:
    """A file of the package, read once per process, and its ETag."""
    data = (ASSETS / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()
