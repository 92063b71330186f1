"""``assessor users reset-two-factor EMAIL``: turn two-factor sign-in off for someone who
lost both their authenticator and their recovery codes, or whose second step is locked
after too many wrong codes.  Check that it is them (another channel than e-mail alone)
before running it."""

from __future__ import annotations

import click
from flask import Flask

from assessor.operations import two_factor
from assessor.operations.errors import InvalidInput


def register(app: Flask) -> None:
    @app.cli.group("users")
    def users() -> None:
        """People's accounts."""

    @users.command("reset-two-factor")
    @click.argument("email")
    def reset_two_factor(email: str) -> None:
        """Turn two-factor sign-in off for the account with EMAIL: its authenticator key,
        recovery codes and count of wrong codes go, every session of it ends, the owner
        of the account is told by e-mail and it is audited.  They sign in with their
        password and can set it up again.  Exit status 2 for an unknown address."""
        try:
            user = two_factor.reset_by_operator(email)
        except InvalidInput as exc:
            click.echo(f"error: {exc.message}", err=True)
            raise SystemExit(2) from None
        click.echo(
            f"Two-factor sign-in is off for {user.email}; every session of theirs is ended "
            "and they are told by e-mail."
        )
