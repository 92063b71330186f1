"""Who may prove an address, and what a proof takes over.

* A team invitation's link as the owner sees it proves nothing: only the e-mailed link
  (with its proof) makes a verified account.  Joining through the owner's copy answers
  "check your e-mail" whether or not the address has an account.
* An account whose address is unconfirmed may be a stranger's who signed up first with
  it: it gets no API token and no second factor; the link in the verification e-mail
  confirms only for someone signed in as the account; and a password reset (which proves
  the address) takes the account over, leaving nothing of what was set up before.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import (
    ApiToken,
    AuditEvent,
    Membership,
    Organization,
    RecoveryCode,
    User,
    Workspace,
    utcnow,
)
from assessor.operations import api_tokens, mail_queue
from assessor.operations.errors import Forbidden
from tests.mail_support import body, last_to, link
from tests.web_support import PASSWORD, Page, in_app, link_token, sign_in, sign_up

NEW_PASSWORD = "plum orchard lantern 58"
MALLORYS = "mallory's own phrase 11"
T0 = datetime.fromtimestamp((int(time.time()) // 30 + 120) * 30, UTC)


def _user(app: Flask, email: str) -> dict[str, Any] | None:
    with in_app(app):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            return None
        return {
            "verified": user.email_verified_at is not None,
            "name": user.name,
            "workspaces": sorted(m.workspace.name for m in user.memberships),
            "second_factor": user.totp_secret is not None or user.totp_enabled_at is not None,
        }


def _owners_copy(owner: FlaskClient, email: str) -> str:
    """The owner invites ``email``: the path of the link the page shows them."""
    page = Page(owner.post("/workspace/invitations", data={"email": email, "role": "viewer"}))
    assert page.response.status_code == 200
    return f"/join/{link_token(page)}"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- gap 1: the owner's copy of an invitation link ----------------------------------------


def test_the_owners_copy_of_an_invitation_link_makes_no_verified_account(
    app: Flask, client: FlaskClient
) -> None:
    """An owner (anyone can be one) invites an address they do not read and joins with
    their copy of the link: the account is unverified, in no workspace, and confirming it
    takes the mailbox (the link there) and the password, together."""
    sign_up(client, "mallory@evil.example", name="Mal Lory", workspace="Mal Co")
    copy = _owners_copy(client, "ceo@victim.example")
    emailed = link(last_to(app, "ceo@victim.example"), "/join/")
    assert emailed is not None and emailed.startswith(copy + "?proof=")

    intruder = app.test_client()
    assert "you join once it is confirmed" in Page(intruder.get(copy)).text
    forged = intruder.post(f"{copy}?proof=guessed", data={"name": "Ceo", "password": MALLORYS})
    page = Page(forged)
    assert forged.status_code == 200
    assert page.one("h1").etree_element.text == "Check your e-mail"
    assert _user(app, "ceo@victim.example") == {
        "verified": False,
        "name": "Ceo",
        "workspaces": [],
        "second_factor": False,
    }
    # The message in the victim's mailbox: a link that confirms only when signed in.
    message = last_to(app, "ceo@victim.example")
    assert message["Subject"] == "Confirm your e-mail address"
    assert "finish joining Mal Co" in body(message)
    assert "If you did not sign up, ignore this message" in body(message)
    verify = link(message, "/verify/")
    assert verify is not None

    # The intruder, signed in with the password they chose, sees only "confirm first" ...
    assert sign_in(intruder, "ceo@victim.example", MALLORYS).status_code == 302
    waiting = intruder.get("/")
    assert waiting.status_code == 403
    assert "you then join Mal Co" in Page(waiting).text
    assert intruder.get(f"{copy}").status_code == 403  # the invitation: confirm first
    # ... and the victim, clicking the link without the password, confirms nothing.
    victim = app.test_client()
    shown = Page(victim.get(verify))
    assert "Did not sign up with this address? Someone else may have." in shown.text
    assert victim.post(verify).status_code == 403
    assert _user(app, "ceo@victim.example")["verified"] is False  # type: ignore[index]
    with in_app(app):
        members = db.session.scalars(
            select(User.email).join(Membership).join(Workspace).where(Workspace.name == "Mal Co")
        ).all()
        assert members == ["mallory@evil.example"]


def test_an_invitee_joins_through_the_owners_copy_once_the_address_is_confirmed(
    app: Flask, client: FlaskClient
) -> None:
    """The owner passed the link on by chat: the invitee chooses a password, opens the
    link we e-mail them, signs in, confirms, and is in."""
    sign_up(client, "olive@example.com")
    copy = _owners_copy(client, "cora@example.com")
    cora = app.test_client()
    assert cora.post(copy, data={"name": "Cora", "password": NEW_PASSWORD}).status_code == 200
    verify = link(last_to(app, "cora@example.com"), "/verify/")
    assert verify is not None

    page = Page(cora.get(verify))
    (sign_in_link,) = [
        a for a in page.all("main a") if "Sign in" in "".join(a.etree_element.itertext())
    ]
    signed_in = cora.post(
        sign_in_link.etree_element.get("href"),
        data={"email": "cora@example.com", "password": NEW_PASSWORD},
    )
    assert signed_in.headers["Location"] == verify  # back to the link
    confirmed = cora.post(verify, follow_redirects=True)
    assert "cora@example.com is confirmed, and you joined Acme Advisory." in Page(confirmed).text
    assert Page(confirmed).one("h1").etree_element.text == "Acme Advisory"
    assert _user(app, "cora@example.com") == {
        "verified": True,
        "name": "Cora",
        "workspaces": ["Acme Advisory"],
        "second_factor": False,
    }
    assert cora.get(copy).status_code == 404  # the invitation is used


def test_the_join_form_does_not_tell_whether_an_address_has_an_account(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "olive@example.com", workspace="Olive's")
    client.post("/signout")
    mallory = app.test_client()
    sign_up(mallory, "mallory@evil.example", name="Mal Lory", workspace="Mal Co")

    def audit_log() -> list[str]:
        mail_queue.wait_idle(app)  # the invitation's e-mail is sent (and audited) after
        with in_app(app):
            return list(
                db.session.scalars(
                    select(AuditEvent.action)
                    .join(Workspace)
                    .where(Workspace.name == "Mal Co")
                    .order_by(AuditEvent.id)
                )
            )

    answers = {}
    for address in ("olive@example.com", "nobody@example.com"):
        copy = _owners_copy(mallory, address)
        before = audit_log()
        probe = app.test_client()
        response = probe.post(copy, data={"name": "X Person", "password": NEW_PASSWORD})
        page = response.get_data(as_text=True).replace(address, "ADDRESS")
        page = re.sub(r'name="csrf-token" content="[^"]*"', "", page)
        cookies = sorted(h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie"))
        answers[address] = (response.status_code, page, cookies, audit_log()[len(before) :])
        weak = probe.post(copy, data={"name": "X Person", "password": "short"})
        assert weak.status_code == 422 and Page(weak).errors_beside("password")
    assert answers["olive@example.com"] == answers["nobody@example.com"]
    assert answers["olive@example.com"][0] == 200

    # What differs goes by e-mail to the address's owner only.
    told = last_to(app, "olive@example.com")
    assert told["Subject"] == "You already have an account"
    assert "asked to join Mal Co with this address" in body(told)
    assert link(told, "/verify/") is None
    back = link(told, "/signin")
    assert back is not None and "next=/join/" in back
    assert link(last_to(app, "nobody@example.com"), "/verify/")
    # Olive's account is unchanged, and she joins as the e-mail says.
    assert sign_in(app.test_client(), "olive@example.com", NEW_PASSWORD).status_code == 401
    olive = app.test_client()
    returned = olive.post(back, data={"email": "olive@example.com", "password": PASSWORD})
    assert returned.headers["Location"].startswith("/join/")
    assert olive.post(returned.headers["Location"]).status_code == 302
    assert _user(app, "olive@example.com")["workspaces"] == ["Mal Co", "Olive's"]  # type: ignore[index]


# --- gap 2: what an unconfirmed account may set up, and what a reset takes over ----------


def test_an_unverified_account_gets_no_api_token_and_no_second_factor(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "ian@example.com", verify=False, kind="own", workspace="Ian's Company")
    sign_in(client, "ian@example.com")

    refused = client.post("/workspace/tokens", data={"name": "x", "scope": "read-write"})
    assert refused.status_code == 403
    assert "API tokens" in Page(refused).text and "asr_" not in refused.get_data(as_text=True)
    enrol = client.post(
        "/account/two-factor/enrol", data={"password": PASSWORD}, follow_redirects=True
    )
    assert "Confirm your e-mail address first" in Page(enrol).text
    confirm = client.post("/account/two-factor/confirm", data={"code": "123456"})
    assert confirm.status_code == 422
    with in_app(app):
        user = db.session.scalars(select(User)).one()
        assert user.totp_secret is None and user.totp_enabled_at is None
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
        with pytest.raises(Forbidden):
            api_tokens.create_token(
                user.memberships[0].workspace, user, name="below the web", scope="read"
            )


def _squat(app: Flask, mallory: FlaskClient) -> str:
    """Mallory signs up with Cora's address and sets up "Cora's Company"; the token and
    authenticator she adds are made as this service allowed before (the address counted
    as confirmed meanwhile).  Her token."""
    sign_up(
        mallory,
        "cora@example.com",
        password=MALLORYS,
        verify=False,
        workspace="Cora's Company",
        kind="own",
    )
    sign_in(mallory, "cora@example.com", MALLORYS)
    started = mallory.post("/welcome", data={"organization": "Cora's Company", "role": "CIO"})
    assert started.status_code == 302
    with in_app(app):
        user = db.session.scalars(select(User).where(User.email == "cora@example.com")).one()
        user.email_verified_at = utcnow()
        token, _ = api_tokens.create_token(
            user.memberships[0].workspace, user, name="mine", scope="read-write"
        )
        user = db.session.scalars(select(User).where(User.email == "cora@example.com")).one()
        user.email_verified_at = None
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = utcnow()
        db.session.add(RecoveryCode(user_id=user.id, code_hash="0" * 64))
        db.session.commit()
    return token


def _reset(app: Flask, client: FlaskClient, email: str, **fields: str) -> Any:
    client.post("/reset", data={"email": email})
    path = link(last_to(app, email), "/reset/")
    assert path is not None
    return path, client.post(path, data=fields) if fields else None


def test_a_reset_takes_a_never_verified_account_over_and_leaves_nothing_of_it(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "olive@example.com")
    mallory = app.test_client()
    token = _squat(app, mallory)
    assert app.test_client().get("/api/v1/organisations", headers=_bearer(token)).status_code == 200

    cora = app.test_client()
    path, done = _reset(app, cora, "cora@example.com", name="Cora Real", password=NEW_PASSWORD)
    assert done.status_code == 302
    assert "your API tokens are revoked" in Page(cora.get("/signin")).text

    # Mallory: signed out, her token and her authenticator gone with her workspace.
    assert mallory.get("/organizations").status_code == 302
    assert app.test_client().get("/api/v1/organisations", headers=_bearer(token)).status_code == 401
    signed_in = sign_in(cora, "cora@example.com", NEW_PASSWORD)
    assert signed_in.headers["Location"] != "/signin/code"  # no stranger's second factor
    assert cora.get("/").headers["Location"] == "/workspace/new"  # not Mallory's workspace
    assert _user(app, "cora@example.com") == {
        "verified": True,
        "name": "Cora Real",
        "workspaces": [],
        "second_factor": False,
    }
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
        assert db.session.scalars(select(Organization.name)).all() == []
        taken = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "unproved-account-taken-over")
        ).one()
        assert taken.detail == {
            "second_factor_removed": True,
            "workspaces_deleted": 1,
            "workspaces_kept": False,
        }
    # Cora sets up her own workspace; nothing of Mallory's is in it.
    made = cora.post("/workspace/new", data={"name": "Cora Real Org", "kind": "own"})
    assert made.status_code == 302
    assert Page(cora.get("/")).one("h1").etree_element.text == "Cora Real Org"


def test_a_reset_keeps_the_workspace_when_its_owner_says_they_set_it_up(
    app: Flask, client: FlaskClient
) -> None:
    """An IT leader answered before confirming the address, then forgot the password."""
    sign_up(client, "ivy@example.com", verify=False, kind="own", workspace="Northwind")
    sign_in(client, "ivy@example.com")
    client.post("/welcome", data={"organization": "Northwind", "role": "CIO"})
    client.post("/signout")

    path, _ = _reset(app, client, "ivy@example.com")
    form = Page(client.get(path))
    assert "Northwind (1 organisation, 1 assessment)" in form.text
    assert form.one("#keep").etree_element.get("checked") is None  # deleted unless ticked
    missing = Page(client.post(path, data={"name": "", "password": NEW_PASSWORD, "keep": "y"}))
    assert missing.response.status_code == 422 and missing.errors_beside("name")
    done = client.post(path, data={"name": "Ivy", "password": NEW_PASSWORD, "keep": "y"})
    assert done.status_code == 302
    sign_in(client, "ivy@example.com", NEW_PASSWORD)
    assert Page(client.get("/")).one("h1").etree_element.text == "Northwind"
    assert _user(app, "ivy@example.com") == {
        "verified": True,
        "name": "Ivy",
        "workspaces": ["Northwind"],
        "second_factor": False,
    }


def test_a_verified_accounts_reset_asks_only_the_password(app: Flask, client: FlaskClient) -> None:
    sign_up(client, "olive@example.com")
    path, _ = _reset(app, app.test_client(), "olive@example.com")
    form = Page(app.test_client().get(path))
    assert form.all("#name") == [] and form.all("#keep") == []
    assert "your API tokens stop working" in form.text


def test_the_verification_link_confirms_only_signed_in_as_its_account(
    app: Flask, client: FlaskClient
) -> None:
    """Mallory signed up with Cora's address: Cora clicking the e-mailed link does not
    confirm Mallory's account; Mallory, signed in, has no link."""
    mallory = app.test_client()
    sign_up(mallory, "cora@example.com", password=MALLORYS, verify=False, kind="own")
    sign_in(mallory, "cora@example.com", MALLORYS)
    verify = link(last_to(app, "cora@example.com"), "/verify/")
    assert verify is not None
    text = body(last_to(app, "cora@example.com"))
    assert "If you did not sign up, ignore this message" in text
    assert link(last_to(app, "cora@example.com"), "/reset") is not None

    cora = app.test_client()
    assert cora.post(verify).status_code == 403
    sign_up(client, "olive@example.com")  # signed in as someone else
    other = client.post(verify)
    assert other.status_code == 403
    assert "another account" in Page(other).text
    assert _user(app, "cora@example.com")["verified"] is False  # type: ignore[index]
    # The link still works for its own account, signed in.
    assert mallory.post(verify).status_code == 302
    assert _user(app, "cora@example.com")["verified"] is True  # type: ignore[index]
