"""``assessor sessions prune``: delete expired signed-in sessions (sign-ins also do it)."""

from __future__ import annotations

import click
from flask import Flask

from assessor.operations import sessions


def register(app: Flask) -> None:
    @app.cli.group("sessions")
    def sessions_group() -> None:
        """Signed-in sessions kept on the server."""

    @sessions_group.command("prune")
    def prune() -> None:
        """Delete the sessions whose absolute expiry has passed."""
        pruned = sessions.prune_expired()
        click.echo(f"{pruned} expired session{'' if pruned == 1 else 's'} deleted.")
