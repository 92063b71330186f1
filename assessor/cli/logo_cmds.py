"""``assessor logos check``: every stored logo checked again with today's rules."""

from __future__ import annotations

import click
from flask import Flask

from assessor.operations.logos import recheck_logos


def register(app: Flask) -> None:
    @app.cli.group("logos")
    def logos() -> None:
        """The workspaces' stored logos."""

    @logos.command("check")
    def check() -> None:
        """Remove each stored logo that today's checks refuse (audited, one line each)."""
        removed = recheck_logos()
        for workspace_id, why in removed:
            click.echo(f"workspace {workspace_id}: logo removed: {why}")
        click.echo(f"{len(removed)} logo{'s' if len(removed) != 1 else ''} removed")
