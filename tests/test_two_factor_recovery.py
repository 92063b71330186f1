"""A lost authenticator is not a dead end: a recovery code signs in, then (with the
password) turns two-factor sign-in off so it can be set up on a new phone; new recovery
codes can be made; the operator can reset it for someone who lost both
(``assessor users reset-two-factor``); and the pages say exactly that."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, RecoveryCode, User
from assessor.operations import two_factor
from tests.mail_support import SmtpServer, body, last_to
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.two_factor_support import CODE_ERROR, T0, code_at, enrol, signed_in
from tests.web_support import PASSWORD, Page, Stage, in_app, sign_in


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _actions(app: Flask) -> list[str]:
    with in_app(app):
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _enabled(app: Flask) -> bool:
    with in_app(app):
        user = db.session.scalars(select(User).where(User.email == "olive@example.com")).one()
        return user.totp_enabled_at is not None


def test_a_lost_phone_with_recovery_codes_moves_to_a_new_phone(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    _, codes = enrol(client)
    browser = app.test_client()  # the laptop, the phone gone
    sign_in(browser, "olive@example.com")
    assert browser.post("/signin/code", data={"code": codes[0]}).status_code == 302
    page = Page(browser.get("/account/two-factor"))
    assert "Lost your phone? Turn it off with your password and one of your recovery codes" in (
        page.text
    )
    off = browser.post(
        "/account/two-factor/disable", data={"off-password": PASSWORD, "off-code": codes[1]}
    )
    assert off.status_code == 302
    assert not _enabled(app)
    # Set up again on the new phone: a new key, new recovery codes; the old ones are gone.
    new_secret, new_codes = enrol(browser)
    assert _enabled(app) and not set(new_codes) & set(codes)
    other = app.test_client()
    sign_in(other, "olive@example.com")
    assert other.post("/signin/code", data={"code": codes[2]}).status_code == 422
    with time_machine.travel(T0, tick=False):
        sign_in(other, "olive@example.com")
        assert other.post("/signin/code", data={"code": code_at(new_secret, T0)}).status_code == 302
    assert {"recovery-code-used", "two-factor-disabled", "two-factor-enabled"} <= set(_actions(app))


@pytest.mark.parametrize("with_", ["authenticator", "recovery"])
def test_new_recovery_codes_replace_the_old_ones(
    app: Flask, client: FlaskClient, setup: Stage, with_: str
) -> None:
    secret, codes = enrol(client)
    with time_machine.travel(T0, tick=False):
        code = code_at(secret, T0) if with_ == "authenticator" else codes[0]
        wrong_password = Page(
            client.post(
                "/account/two-factor/recovery-codes",
                data={"new-password": "not the password 123", "new-code": code},
            )
        )
        assert wrong_password.response.status_code == 422
        assert wrong_password.errors_beside("new-password") == [
            "This is not your current password."
        ]
        wrong_code = Page(
            client.post(
                "/account/two-factor/recovery-codes",
                data={"new-password": PASSWORD, "new-code": "aaaa-bbbb-cccc-dddd"},
            )
        )
        assert wrong_code.response.status_code == 422
        assert CODE_ERROR in wrong_code.errors_beside("new-code")[0]
        made = Page(
            client.post(
                "/account/two-factor/recovery-codes",
                data={"new-password": PASSWORD, "new-code": code},
            )
        )
        assert made.response.status_code == 200
        assert "New recovery codes" in made.text
        fresh = made.texts(".recovery-codes code")
        assert len(fresh) == 10 and not set(fresh) & set(codes)
    with in_app(app):
        assert len(db.session.scalars(select(RecoveryCode)).all()) == 10
    assert "recovery-codes-replaced" in _actions(app)
    browser = app.test_client()
    sign_in(browser, "olive@example.com")
    assert browser.post("/signin/code", data={"code": codes[5]}).status_code == 422
    assert browser.post("/signin/code", data={"code": fresh[5]}).status_code == 302


def test_few_codes_left_points_to_where_new_ones_are_made(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    _, codes = enrol(client)
    with in_app(app):
        user = db.session.get_one(User, setup.user_id)
        for code in codes[:6]:
            two_factor.verify(user, code)
    browser = app.test_client()
    sign_in(browser, "olive@example.com")
    signed = browser.post("/signin/code", data={"code": codes[6]}, follow_redirects=True)
    assert "3 recovery codes left: make new ones on the two-factor page" in Page(signed).text
    page = Page(browser.get("/account/two-factor"))
    assert page.all('form[action="/account/two-factor/recovery-codes"] #new-code')
    assert "3 recovery codes left" in page.text


def test_the_code_page_says_what_to_do_when_the_phone_is_lost(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    enrol(client)
    browser = app.test_client()
    sign_in(browser, "olive@example.com")
    text = Page(browser.get("/signin/code")).text
    assert "Lost your phone? Sign in with a recovery code, then turn two-factor sign-in off" in text
    assert "Ask the administrator of this service to reset your two-factor sign-in" in text
    assert "owner" not in text  # owners have no such tool


def test_the_operator_resets_two_factor_for_someone_who_lost_everything(
    app: Flask, client: FlaskClient, setup: Stage, smtp_server: SmtpServer
) -> None:
    enrol(client)
    assert signed_in(client)
    runner = app.test_cli_runner()

    unknown = runner.invoke(args=["users", "reset-two-factor", "nobody@example.com"])
    assert unknown.exit_code == 2
    assert unknown.stderr == "error: No account has the address nobody@example.com.\n"
    assert _enabled(app)

    done = runner.invoke(args=["users", "reset-two-factor", " Olive@Example.com "])
    assert done.exit_code == 0, done.output
    assert "Two-factor sign-in is off for olive@example.com" in done.stdout
    assert not _enabled(app)
    with in_app(app):
        assert db.session.scalars(select(RecoveryCode)).all() == []
        reset = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "two-factor-reset")
        ).one()
        assert reset.actor == "operator"
    assert "signed-out-by-two-factor-reset" in _actions(app)
    assert not signed_in(client)  # every session of theirs ended
    told = last_to(app, "olive@example.com")
    assert told["Subject"] == "Two-factor sign-in is off"
    assert "administrator of this service turned two-factor sign-in off" in " ".join(
        body(told).split()
    )
    # The password alone signs in now, and two-factor sign-in can be set up again.
    browser = app.test_client()
    assert sign_in(browser, "olive@example.com").headers["Location"] == "/"
    enrol(browser)
    assert _enabled(app)
