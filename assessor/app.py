"""The application factories: config, extensions, blueprints, CLI.

:func:`create_app` builds the whole app (pages, the API, every command).
:func:`create_data_app` builds what a command that serves no requests needs (``assessor
report-all``, ``report``, ``export``): the configuration and the database, without the
pages, the API or migrations, whose imports cost a command about a second of processor
time at start-up (in ``report-all``, time the RQ workers wait for their first job).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from assessor import config as defaults
from assessor import models  # noqa: F401  (registers the tables on the metadata)
from assessor.database import configure_database
from assessor.extensions import db

__all__ = ["create_app", "create_data_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``ASSESSOR_*`` environment variables, then ``config``."""
    from apiflask import APIFlask
    from flask_migrate import Migrate

    from assessor.extensions import csrf, limiter, login_manager
    from assessor.operations.catalog import init_catalog

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
    _configure(app, config)
    Migrate(app, db, directory=str(defaults.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "strong"
    limiter.init_app(app)
    init_catalog(app)

    from assessor.web import register_web

    register_web(app)
    from assessor.api import register_api

    register_api(app)
    from assessor.cli import register_commands

    register_commands(app)
    return app


def create_data_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app of a command that serves no requests: the same configuration and database
    as :func:`create_app`, no routes; the questionnaires are loaded when first asked for
    (:func:`assessor.operations.catalog.catalog`)."""
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, config)
    return app


def _configure(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Defaults, then ``ASSESSOR_*`` environment variables, then ``config``; the database."""
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
    with app.app_context():
        configure_database(app)
