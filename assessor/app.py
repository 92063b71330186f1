"""The application factory: config, extensions, blueprints, CLI."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from apiflask import APIFlask
from flask import Flask

from assessor import config as defaults
from assessor import models  # noqa: F401  (registers the tables on the metadata)
from assessor.database import configure_database
from assessor.extensions import csrf, db, limiter, login_manager, migrate
from assessor.operations.catalog import init_catalog

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``ASSESSOR_*`` environment variables, then ``config``."""
    # APIFlask: a Flask app that also builds the API's OpenAPI document; its own JSON errors
    # are off (web/errors.py answers problem+json under /api/, pages elsewhere) and so is
    # its docs page (assessor/api/docs.py serves one whose scripts are the app's own).
    app = APIFlask(
        __name__,
        instance_relative_config=True,
        title="Governance gap assessment API",
        version="1",
        spec_path="/api/v1/openapi.json",
        docs_path=None,
        json_errors=False,
    )
    app.config.from_mapping(defaults.DEFAULTS)
    app.config.from_prefixed_env("ASSESSOR")
    if config:
        app.config.from_mapping(config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = defaults.secret_key_for(instance)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI",
        app.config.get("DATABASE_URL") or defaults.default_database_url(instance),
    )
    if isinstance(app.config["QUESTIONNAIRE_DIRS"], str):
        app.config["QUESTIONNAIRE_DIRS"] = app.config["QUESTIONNAIRE_DIRS"].split(":")
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("RATELIMIT_STORAGE"))

    db.init_app(app)
    migrate.init_app(app, db, directory=str(defaults.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "strong"
    limiter.init_app(app)
    with app.app_context():
        configure_database(app)
    init_catalog(app)

    from assessor.web import register_web

    register_web(app)
    from assessor.api import register_api

    register_api(app)
    from assessor.cli import register_commands

    register_commands(app)
    return app
