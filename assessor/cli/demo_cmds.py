"""``assessor demo seed``: the demo workspace for `make run`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from assessor.operations.demo import seed_demo


def register(app: Flask) -> None:
    @app.cli.group("demo")
    def demo() -> None:
        """The demo workspace."""

    @demo.command("seed")
    def seed() -> None:
        """Create the demo workspace (once) and print its login."""
        login = seed_demo(Path(current_app.instance_path))
        state = "created" if login.created else "already there"
        click.echo(f"Demo workspace {state}. Sign in as {login.email} / {login.password}")
