"""The ``assessor`` console script: this app's Flask CLI plus the project's own commands.

Commands run in the whole app (:func:`assessor.create_app`), except those that serve no
requests and need only the database (:data:`DATA_COMMANDS`): they are found without
loading the app or Flask's plugin commands, and run in :func:`assessor.app.create_data_app`,
which leaves out the pages, the API and migrations (about a second of processor time at
start-up, which ``report-all`` would take from the workers rendering its reports).
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

#: The commands that run in the data app (all in :mod:`assessor.cli.report_cmds`).
DATA_COMMANDS = ("report", "report-all", "export")


def register_commands(app: Flask) -> None:
    """Attach the project's commands to ``app.cli``."""
    from assessor.cli import commands

    commands.register(app)


class AssessorGroup(FlaskGroup):
    """Flask's command group, which finds :data:`DATA_COMMANDS` without loading the app."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in DATA_COMMANDS:
            from assessor.cli import report_cmds

            return report_cmds.COMMANDS[name]
        return super().get_command(ctx, name)


def _create_app() -> Flask:
    from assessor.app import create_app, create_data_app
    from assessor.reports.sandbox import install_signal_handlers

    # `assessor run` and every command: SIGTERM and SIGINT end the renders in flight and
    # the forkserver before the process ends.
    install_signal_handlers()
    # Called as the command starts (``with_appcontext``), in the command's own context.
    command = click.get_current_context(silent=True)
    if command is not None and command.info_name in DATA_COMMANDS:
        return create_data_app()
    return create_app()


main = AssessorGroup(create_app=_create_app, help="Governance-gap assessment service.")
