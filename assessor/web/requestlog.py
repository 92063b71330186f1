"""One JSON line per request on the ``assessor.requests`` logger.

A line holds the method, the route *rule* (``/r/<token>/autosave``, never the path:
respondent and invitation tokens are in paths), the endpoint, the status, the duration
in milliseconds, the user id or ``"anonymous"`` and a request id (also sent back as
``X-Request-ID``).  Nothing else: no query strings, bodies, cookies, tokens or answers.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, g, request, session

log = logging.getLogger("assessor.requests")

#: An incoming X-Request-ID (from a proxy) is kept only if it looks like an id.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_START = "assessor.request_start"
_ID = "assessor.request_id"


class _Stamp:
    """WSGI middleware: note when a request arrived and give it an id, before anything runs."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ[_START] = time.perf_counter()
        offered = environ.get("HTTP_X_REQUEST_ID", "")
        environ[_ID] = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        return self.app(environ, start_response)


def _user() -> str | int:
    """The user's id, or "anonymous"; never the session id, its nonce, or a database read.

    The user the request loaded, else the id in the (signed) session cookie: loading a user
    only to log it would cost a query on every static file and touch the session.
    """
    loaded = g.get("_login_user")
    if loaded is not None:
        return int(loaded.id) if loaded.is_authenticated else "anonymous"
    claimed = str(session.get("_user_id", "")).partition(":")[0]
    return int(claimed) if claimed.isdigit() else "anonymous"


def _log_request(response: Response) -> Response:
    started = request.environ.get(_START)
    request_id = request.environ.get(_ID) or uuid.uuid4().hex
    rule = request.url_rule.rule if request.url_rule is not None else None
    line = {
        "method": request.method,
        "route": rule,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        "user": _user(),
        "request_id": request_id,
    }
    log.info(json.dumps(line, separators=(",", ":")))
    response.headers["X-Request-ID"] = request_id
    return response


def register(app: Flask) -> None:
    """Log every request; send the lines to stderr unless logging is configured elsewhere."""
    if not app.config.get("REQUEST_LOG", True):
        return
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.propagate = False
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    app.wsgi_app = _Stamp(app.wsgi_app)  # type: ignore[method-assign]
    app.after_request(_log_request)
