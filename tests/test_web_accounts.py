"""Accounts by e-mail, through a real SMTP server on localhost: sign-up that does not tell
whether an address has an account, verification, password rules, reset, change, and
joining only with a proved address."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import AccountLink, AuditEvent, User, Workspace, utcnow
from tests.mail_support import SmtpServer, body, last_to, link, received
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.web_support import PASSWORD, Page, in_app, invite, sign_in, sign_up

NEW_PASSWORD = "plum orchard lantern 58"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _users(app: Flask) -> int:
    with in_app(app):
        return int(db.session.scalar(select(func.count()).select_from(User)) or 0)


def _page(response: Any, address: str) -> str:
    """The page with the address typed replaced, and the session's CSRF token (signed
    afresh on every page, whatever the address) left out."""
    text = response.get_data(as_text=True).replace(address, "ADDRESS")
    return re.sub(r'name="csrf-token" content="[^"]*"', "", text)


def _form(email: str, password: str = PASSWORD, name: str = "Olive Owner") -> dict[str, str]:
    return {"name": name, "email": email, "password": password, "workspace": "Acme"}


def test_sign_up_answers_the_same_for_a_known_and_a_new_address(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    assert sign_up(client, "olive@example.com").status_code == 302
    client.post("/signout")
    stranger = app.test_client()

    known = stranger.post("/signup", data=_form("olive@example.com", "mallory's own phrase 11"))
    new = stranger.post("/signup", data=_form("newcomer@example.com"))

    assert known.status_code == new.status_code == 200
    assert _page(known, "olive@example.com") == _page(new, "newcomer@example.com")
    # What differs goes to the address's owner only, by e-mail.
    told = last_to(app, "olive@example.com")
    assert told["Subject"] == "You already have an account"
    assert link(told, "/signin") and link(told, "/reset")
    assert link(told, "/verify/") is None
    assert link(last_to(app, "newcomer@example.com"), "/verify/")
    # The known address's account is unchanged: its password is still the owner's.
    assert sign_in(stranger, "olive@example.com", "mallory's own phrase 11").status_code == 401
    assert sign_in(client, "olive@example.com").status_code == 302
    assert _users(app) == 2


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("fourteen chars", "Use at least 15 characters"),
        ("aaaaaaaaaaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
        ("password12345678", "This is similar to a commonly used password."),
        ("marguerite.fontaine@exa", "Don't build your password from your e-mail address or name."),
        ("Marguerite Fontaine 2026", "Don't build your password from your e-mail address or name."),
        ("qwertyuiopasdfgh", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_beside_the_field(
    app: Flask, client: FlaskClient, password: str, message: str
) -> None:
    page = Page(
        client.post(
            "/signup",
            data=_form("marguerite.fontaine@example.com", password, name="Marguerite Fontaine"),
        )
    )
    assert page.response.status_code == 422
    (error,) = page.errors_beside("password")
    assert message in error
    assert page.errors_beside("email") == []
    assert _users(app) == 0


def test_a_strong_password_unrelated_to_the_person_is_accepted(
    app: Flask, client: FlaskClient
) -> None:
    page = Page(
        client.post(
            "/signup",
            data=_form("marguerite.fontaine@example.com", NEW_PASSWORD, name="Marguerite Fontaine"),
        )
    )
    assert page.response.status_code == 200
    assert _users(app) == 1


def test_verification_link_confirms_the_address_once(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    assert sign_up(client, "ian@example.com", verify=False, kind="own").status_code == 200
    assert sign_in(client, "ian@example.com").status_code == 302
    # Before verifying: the own workspace and self-assessment work ...
    started = client.post("/welcome", data={"organization": "Ian's Company", "role": "CIO"})
    assert started.status_code == 302
    # ... inviting and exports wait, with a page that says why.
    refused = client.post(
        "/workspace/invitations", data={"email": "c@example.com", "role": "viewer"}
    )
    assert refused.status_code == 403
    assert "Confirm your e-mail address first" in refused.get_data(as_text=True)
    assert received(app, "c@example.com") == []

    path = link(last_to(app, "ian@example.com"), "/verify/")
    assert path is not None
    assert client.get(path).status_code == 200  # opening the link (a mail scanner) uses nothing
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert client.post(path).status_code == 404  # single use
    with in_app(app):
        user = db.session.scalars(select(User)).one()
        assert user.email_verified_at is not None
        stored = db.session.scalars(select(AccountLink.token_hash)).one()
        assert path.rsplit("/", 1)[1] not in stored  # only the hash is kept
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "email-verified" in actions
    invited = client.post(
        "/workspace/invitations", data={"email": "c@example.com", "role": "viewer"}
    )
    assert invited.status_code == 200
    assert link(last_to(app, "c@example.com"), "/join/")


def test_verification_link_expires_and_can_be_sent_again(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    sign_up(client, "ian@example.com", verify=False)
    first = link(last_to(app, "ian@example.com"), "/verify/")
    assert first is not None
    with time_machine.travel(utcnow() + timedelta(hours=49)):
        assert client.get(first).status_code == 404
        assert sign_in(client, "ian@example.com").status_code == 302
        assert client.post("/verify/resend").status_code == 302
    second = link(last_to(app, "ian@example.com"), "/verify/")
    assert second is not None and second != first
    assert sign_in(client, "ian@example.com").status_code == 302  # the link asks for it
    assert client.post(second).status_code == 302


def test_password_reset_by_email(app: Flask, client: FlaskClient, smtp_server: SmtpServer) -> None:
    sign_up(client, "olive@example.com")
    laptop = app.test_client()
    assert sign_in(laptop, "olive@example.com").status_code == 302

    stranger = app.test_client()
    asked = stranger.post("/reset", data={"email": "OLIVE@example.com"})
    unknown = stranger.post("/reset", data={"email": "nobody@example.com"})
    assert asked.status_code == unknown.status_code == 200
    assert _page(asked, "OLIVE@example.com") == _page(unknown, "nobody@example.com")
    assert "no account" in body(last_to(app, "nobody@example.com"))

    path = link(last_to(app, "olive@example.com"), "/reset/")
    assert path is not None
    weak = Page(stranger.post(path, data={"password": "olive owner password"}))
    assert weak.response.status_code == 422 and weak.errors_beside("password")
    done = stranger.post(path, data={"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert stranger.post(path, data={"password": "another plum lantern 77"}).status_code == 404
    # Every session ended; the old password no longer works, the new one does.
    assert client.get("/organizations").status_code == 302
    assert laptop.get("/organizations").status_code == 302
    assert sign_in(stranger, "olive@example.com", PASSWORD).status_code == 401
    assert sign_in(stranger, "olive@example.com", NEW_PASSWORD).status_code == 302
    with in_app(app):
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"password-reset-requested", "password-reset"} <= set(actions)


def test_password_reset_link_lasts_one_hour(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    sign_up(client, "olive@example.com")
    client.post("/reset", data={"email": "olive@example.com"})
    path = link(last_to(app, "olive@example.com"), "/reset/")
    assert path is not None
    with time_machine.travel(utcnow() + timedelta(minutes=59)):
        assert client.get(path).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 404


def test_change_password_asks_the_current_one_and_signs_out_other_devices(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "olive@example.com")
    laptop = app.test_client()
    sign_in(laptop, "olive@example.com")

    wrong = Page(
        client.post(
            "/account/password", data={"current": "not it at all 123", "password": NEW_PASSWORD}
        )
    )
    assert wrong.response.status_code == 422
    assert wrong.errors_beside("current") == ["This is not your current password."]
    weak = Page(
        client.post("/account/password", data={"current": PASSWORD, "password": "aaaaaaaaaaaaaaaa"})
    )
    assert weak.response.status_code == 422 and weak.errors_beside("password")

    changed = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get("/organizations").status_code == 200  # this browser stays signed in
    assert laptop.get("/organizations").status_code == 302  # the other is signed out
    assert sign_in(laptop, "olive@example.com", NEW_PASSWORD).status_code == 302


def test_changing_the_password_ends_a_reset_link_sent_before(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """Someone reading the mailbox asked for a reset; the owner changes their password:
    the link in the mailbox must not set another one afterwards."""
    sign_up(client, "olive@example.com")
    app.test_client().post("/reset", data={"email": "olive@example.com"})
    path = link(last_to(app, "olive@example.com"), "/reset/")
    assert path is not None
    changed = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD})
    assert changed.status_code == 302

    intruder = app.test_client()
    assert intruder.get(path).status_code == 404
    assert intruder.post(path, data={"password": "another plum lantern 77"}).status_code == 404
    assert sign_in(intruder, "olive@example.com", NEW_PASSWORD).status_code == 302


def test_an_unverified_account_cannot_take_an_invitation_for_its_address(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """Someone signs up first with the invitee's address and sets up a workspace: the
    invitation stays closed to them; the real owner of the address proves it by a reset,
    which takes the account over: the squatter is signed out and their workspace is
    deleted, so the owner joins the invitation and works only there."""
    sign_up(client, "olive@example.com")
    token = invite(app, "olive@example.com", "cora@example.com", "consultant")
    mallory = app.test_client()
    sign_up(
        mallory,
        "cora@example.com",
        password="mallory's own phrase 11",
        verify=False,
        workspace="Cora's Company",
        kind="own",
    )
    sign_in(mallory, "cora@example.com", "mallory's own phrase 11")
    mallory.post("/welcome", data={"organization": "Cora's Company", "role": "CIO"})

    refused = mallory.post(f"/join/{token}")
    assert refused.status_code == 403
    assert "Confirm your e-mail address first" in refused.get_data(as_text=True)

    cora = app.test_client()
    cora.post("/reset", data={"email": "cora@example.com"})
    path = link(last_to(app, "cora@example.com"), "/reset/")
    assert path is not None
    form = Page(cora.get(path))
    assert "The address of this account was never confirmed" in form.text
    assert "Cora's Company (1 organisation, 1 assessment)" in form.text
    assert cora.post(path, data={"name": "Cora Real", "password": NEW_PASSWORD}).status_code == 302
    assert mallory.get("/organizations").status_code == 302  # signed out by the reset
    assert sign_in(mallory, "cora@example.com", "mallory's own phrase 11").status_code == 401
    # Cora's account is in no workspace: the squatter's is gone, with what it held.
    assert sign_in(cora, "cora@example.com", NEW_PASSWORD).status_code == 302
    assert cora.get("/").headers["Location"] == "/workspace/new"
    assert cora.post(f"/join/{token}").status_code == 302
    cora.post("/signout")
    sign_in(cora, "cora@example.com", NEW_PASSWORD)
    assert Page(cora.get("/")).one("h1").etree_element.text == "Acme Advisory"
    with in_app(app):
        user = db.session.scalars(select(User).where(User.email == "cora@example.com")).one()
        assert user.name == "Cora Real"
        assert [(m.workspace.name, m.role) for m in user.memberships] == [
            ("Acme Advisory", "consultant")
        ]
        assert db.session.scalars(select(Workspace.name).order_by(Workspace.id)).all() == [
            "Acme Advisory"
        ]


def test_joining_by_an_emailed_invitation_proves_the_address(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    sign_up(client, "olive@example.com")
    client.post("/workspace/invitations", data={"email": "cora@example.com", "role": "viewer"})
    path = link(last_to(app, "cora@example.com"), "/join/")
    assert path is not None
    cora = app.test_client()
    assert cora.post(path, data={"name": "Cora", "password": NEW_PASSWORD}).status_code == 302
    with in_app(app):
        user = db.session.scalars(select(User).where(User.email == "cora@example.com")).one()
        assert user.email_verified_at is not None


def test_emailed_links_start_with_the_configured_address_whatever_the_host_header(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    """A reset asked for with a forged Host header must not e-mail the victim a link to the
    attacker's site (the token would arrive there when they click it)."""
    sign_up(client, "olive@example.com")
    app.config["BASE_URL"] = "https://assessor.example"
    attacker = app.test_client()
    forged = attacker.post(
        "/reset", data={"email": "olive@example.com"}, base_url="http://evil.example"
    )
    assert forged.status_code == 200
    text = body(last_to(app, "olive@example.com"))
    assert "evil.example" not in text
    assert re.search(r"https://assessor\.example/reset/\S+", text)
