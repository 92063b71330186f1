"""Changes to how an account signs in ask for the password and are told to its owner by
e-mail, through a real SMTP server on localhost: setting up two-factor sign-in asks for
the password and, once on, signs out every other device; turning it on or off and
changing or resetting the password each send a notice."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, User
from tests.mail_support import SmtpServer, body, last_to, link, received
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.two_factor_support import enrol, signed_in
from tests.web_support import PASSWORD, Page, Stage, in_app, sign_in

NEW_PASSWORD = "plum orchard lantern 58"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _subjects(app: Flask) -> list[str]:
    """What the owner received, oldest first (once the sender has sent it all)."""
    return [str(m["Subject"]) for m in received(app, "olive@example.com")]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_setting_up_two_factor_asks_for_the_password(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    refused = Page(client.post("/account/two-factor/enrol", data={"password": "not it at all 1"}))
    assert refused.response.status_code == 422
    assert refused.errors_beside("password") == ["This is not your current password."]
    with in_app(app):
        assert db.session.get_one(User, setup.user_id).totp_secret is None
    assert "totp-secret" not in refused.html


def test_turning_two_factor_on_signs_out_other_devices_and_tells_the_owner(
    app: Flask, client: FlaskClient, setup: Stage, smtp_server: SmtpServer
) -> None:
    laptop = app.test_client()  # perhaps someone else's, with the stolen password
    assert sign_in(laptop, "olive@example.com").status_code == 302 and signed_in(laptop)
    enrol(client)
    assert not signed_in(laptop)
    assert signed_in(client)  # this browser goes on, in a fresh session
    with in_app(app):
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "signed-out-by-two-factor-on" in actions
    told = last_to(app, "olive@example.com")
    assert told["Subject"] == "Two-factor sign-in is on"
    text = _flat(body(told))
    assert "Every other device signed in to your account was signed out" in text
    assert link(told, "/reset")


def test_turning_two_factor_off_tells_the_owner(
    app: Flask, client: FlaskClient, setup: Stage, smtp_server: SmtpServer
) -> None:
    _, codes = enrol(client)
    off = client.post(
        "/account/two-factor/disable", data={"off-password": PASSWORD, "off-code": codes[0]}
    )
    assert off.status_code == 302
    told = last_to(app, "olive@example.com")
    assert told["Subject"] == "Two-factor sign-in is off"
    text = _flat(body(told))
    assert "turned off for your account" in text and "someone else has your password" in text
    assert link(told, "/reset")


def test_changing_the_password_tells_the_owner(
    app: Flask, client: FlaskClient, setup: Stage, smtp_server: SmtpServer
) -> None:
    changed = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD})
    assert changed.status_code == 302
    told = last_to(app, "olive@example.com")
    assert told["Subject"] == "Your password was changed"
    assert "If it was not, someone else has your password" in _flat(body(told))
    assert link(told, "/reset")
    # Nothing of the new password in the message.
    assert NEW_PASSWORD not in body(told)


def test_resetting_the_password_tells_the_owner(
    app: Flask, client: FlaskClient, setup: Stage, smtp_server: SmtpServer
) -> None:
    client.post("/reset", data={"email": "olive@example.com"})
    path = link(last_to(app, "olive@example.com"), "/reset/")
    assert path is not None
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 302
    assert _subjects(app)[-2:] == ["Set a new password", "Your password was changed"]
