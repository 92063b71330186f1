"""Browser-facing protections: response headers, secure cookies behind a proxy, ProxyFix.

* A Content-Security-Policy without inline script or style (the templates load
  ``app.css`` and ``questionnaire.js`` only); the report preview, a standalone document
  with its CSS inlined, gets a policy of its own that allows that inline CSS and no
  script at all.
* ``Referrer-Policy: no-referrer``: respondent tokens are in URLs, and must not leave
  the page in a Referer header.  (Flask-WTF's Referer check on https is therefore off
  in the config: the CSRF token and SameSite cookies do that job.)
* ``Cache-Control``: ``no-store`` on pages, ``private, no-cache`` on downloads.
* The session cookie is ``Secure`` when the config says so or the request came over
  https (``ASSESSOR_PROXY_FIX=N`` trusts N proxies' ``X-Forwarded-*`` headers).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

#: The policy of every page.
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    )
)

#: The report preview: one document with its stylesheet inlined; nothing runs, nothing posts.
REPORT_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'none'",
        "base-uri 'none'",
    )
)

#: The API's docs page: Swagger UI, the app's own copy (scripts from 'self' only); it sets
#: style attributes as it draws, so inline style is allowed there and nowhere else.
API_DOCS_POLICY = "; ".join(
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

#: Endpoints whose documents need a policy other than :data:`POLICY`.
POLICIES = {"results.report_preview": REPORT_POLICY, "api_docs.index": API_DOCS_POLICY}
#: Files that keep their own Cache-Control (the app's static files, the docs page's scripts).
STATIC_ENDPOINTS = ("static", "api_docs.asset")

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, ``Secure`` whenever the request itself is https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def proxy_count(value: Any) -> int:
    """How many proxies ``PROXY_FIX`` says to trust: a number, or true for one."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return max(value, 0)
    text = str(value or "").strip().lower()
    if text.isdigit():
        return int(text)
    return 1 if text in ("true", "yes", "on") else 0


def add_headers(response: Response) -> Response:
    """Set the security headers; a view that set one of them (its own policy) keeps it."""
    headers = response.headers
    present = {key.lower() for key, _ in headers.items()}
    for name, value in HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", POLICIES.get(request.endpoint or "", POLICY))
    return response


def cache_policy(response: Response) -> Response:
    """Keep what people see out of shared and back-button caches.

    Pages, redirects and JSON (signed-in and respondent pages carry private answers):
    ``no-store``.  Downloads (PDF, exports, the logo) carry an ETag: ``private,
    no-cache``, kept by the browser alone and checked with the server on every use (a 304
    when unchanged).  Static files keep their own header.
    """
    if request.endpoint in STATIC_ENDPOINTS:
        return response
    etag, _ = response.get_etag()
    response.headers["Cache-Control"] = "private, no-cache" if etag else "no-store"
    return response


def register(app: Flask) -> None:
    """Install the headers, the session interface and, when configured, ProxyFix."""
    proxies = proxy_count(app.config.get("PROXY_FIX"))
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.session_interface = SessionInterface()
    app.after_request(add_headers)
    app.after_request(cache_policy)
