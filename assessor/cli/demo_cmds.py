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
    @click.option(
        "--url", default=None, help="Where the app will serve (`make run` prints it last)."
    )
    def seed(url: str | None) -> None:
        """Create the demo workspace (once) and print its login."""
        # No PDF ahead of time: this command ends at once, and a render it started would be
        # cut short (a forkserver traceback after the login); the server renders on download.
        current_app.config["PRERENDER"] = False
        login = seed_demo(Path(current_app.instance_path))
        state = "created" if login.created else "ready"
        where = f": open {url} and sign in as" if url else ". Sign in as"
        click.echo(
            f"\nDemo workspace {state}{where}\n"
            f"    email     {login.email}\n"
            f"    password  {login.password}\n"
            f"(kept in {Path(current_app.instance_path) / 'demo-password'})\n"
        )
