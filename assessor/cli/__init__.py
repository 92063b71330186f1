"""The ``assessor`` console script: this app's Flask CLI plus the project's own commands."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def register_commands(app: Flask) -> None:
    """Attach the project's commands to ``app.cli``."""
    from assessor.cli import commands

    commands.register(app)


def _create_app() -> Flask:
    from assessor import create_app
    from assessor.reports.sandbox import install_signal_handlers

    # `assessor run` and every command: SIGTERM and SIGINT end the renders in flight and
    # the forkserver before the process ends.
    install_signal_handlers()
    return create_app()


main = FlaskGroup(create_app=_create_app, help="Governance-gap assessment service.")
