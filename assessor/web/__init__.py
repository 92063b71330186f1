"""The web layer: blueprints that parse requests, call one operation and render."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from assessor.web import health

    app.register_blueprint(health.bp)
