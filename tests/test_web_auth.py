"""The auth blueprint: sign up, sign in, sign out, joining a workspace by invitation."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import AuditEvent, Membership, User, Workspace
from assessor.operations import accounts
from assessor.operations.errors import InvalidInput
from tests.mail_support import last_to, link
from tests.web_support import PASSWORD, Page, in_app, invite, sign_in, sign_up


def test_sign_up_page_labels_every_field(client: FlaskClient) -> None:
    page = Page(client.get("/signup"))
    assert page.response.status_code == 200
    assert page.accessibility_problems() == []
    assert "At least 15 characters; a few unrelated words make a good one." in page.text


def test_sign_up_creates_a_workspace_owned_by_the_new_user(app: Flask, client: FlaskClient) -> None:
    response = sign_up(client, "Olive@Example.com", workspace="Acme Advisory", verify=False)

    assert response.status_code == 200
    assert Page(response).one("h1").etree_element.text == "Check your e-mail"
    assert sign_in(client, "olive@example.com").status_code == 302
    with in_app(app):
        user = db.session.scalars(select(User)).one()
        assert user.email == "olive@example.com"
        assert user.password_hash != PASSWORD
        (membership,) = user.memberships
        assert membership.role == "owner"
        assert membership.workspace.name == "Acme Advisory"
    # A firm's workspace opens once the address is confirmed (tests/test_web_accounts.py).
    assert Page(client.get("/")).one("h1").etree_element.text == "Confirm your e-mail address"
    client.post(link(last_to(app, "olive@example.com"), "/verify/") or "")
    dashboard = Page(client.get("/"))
    assert dashboard.one("h1").etree_element.text == "Acme Advisory"


def test_sign_up_refuses_a_short_password_beside_the_field(app: Flask, client: FlaskClient) -> None:
    page = Page(sign_up(client, password="short9"))

    assert page.response.status_code == 422
    assert page.errors_beside("password") == [
        "Use at least 15 characters: a few unrelated words make a good one."
    ]
    assert page.errors_beside("email") == []
    assert page.one("#password").etree_element.get("aria-invalid") == "true"
    assert page.one("#email").etree_element.get("aria-invalid") is None
    assert page.accessibility_problems() == []
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert db.session.scalar(select(func.count()).select_from(Workspace)) == 0


def test_sign_up_with_a_taken_email_changes_nothing(app: Flask, client: FlaskClient) -> None:
    """The page does not say the address is taken (tests/test_web_accounts.py compares
    it with a new address's); the e-mail to the address does."""
    assert sign_up(client, "olive@example.com").status_code == 302
    client.post("/signout")

    page = Page(sign_up(client, "OLIVE@Example.com", workspace="Another firm", verify=False))

    assert page.response.status_code == 200
    assert page.one("h1").etree_element.text == "Check your e-mail"
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalars(select(Workspace.name)).all() == ["Acme Advisory"]


def test_sign_up_requires_a_name_that_is_not_just_spaces(app: Flask, client: FlaskClient) -> None:
    page = Page(sign_up(client, name="   ", workspace="   "))

    assert page.response.status_code == 422
    assert page.errors_beside("name") == ["This field is required."]
    assert page.errors_beside("workspace") == ["This field is required."]
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_sign_in_failures_do_not_tell_whether_the_email_exists(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "olive@example.com")
    client.post("/signout", follow_redirects=True)

    wrong_password = sign_in(client, "olive@example.com", "not the password at all")
    unknown_email = sign_in(client, "nobody@example.com", "not the password at all")

    assert wrong_password.status_code == unknown_email.status_code == 401
    first, second = Page(wrong_password), Page(unknown_email)
    assert first.texts(".flash.error") == ["The email or password is not right."]
    assert first.text.replace("olive@example.com", "EMAIL") == second.text.replace(
        "nobody@example.com", "EMAIL"
    )
    assert first.errors_beside("email") == second.errors_beside("email") == []
    assert Page(client.get("/")).all("section.hero")  # still signed out


def test_sign_in_then_sign_out(app: Flask, client: FlaskClient) -> None:
    sign_up(client, "olive@example.com")
    client.post("/signout")

    response = sign_in(client, "OLIVE@example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert Page(client.get("/")).one("h1").etree_element.text == "Acme Advisory"

    assert client.get("/signout").status_code == 405  # a link cannot sign anyone out
    response = client.post("/signout", follow_redirects=True)
    page = Page(response)
    assert response.request.path == "/signin"
    assert "You are signed out." in page.texts(".flash")
    assert Page(client.get("/")).all("section.hero")
    assert client.get("/organizations").status_code == 302  # to the sign-in page


def test_join_by_invitation_creates_the_account(app: Flask, client: FlaskClient) -> None:
    sign_up(client, "olive@example.com")
    token = invite(app, "olive@example.com", "Cora@Example.com", "consultant")
    client.post("/signout")

    page = Page(client.get(f"/join/{token}"))
    assert page.response.status_code == 200
    assert "You were invited as consultant (cora@example.com)." in page.text
    assert page.accessibility_problems() == []

    response = client.post(f"/join/{token}", data={"name": "Cora", "password": PASSWORD})
    assert response.status_code == 302
    assert Page(client.get("/")).one("h1").etree_element.text == "Acme Advisory"
    with in_app(app):
        user = db.session.scalars(select(User).where(User.email == "cora@example.com")).one()
        assert [(m.workspace.name, m.role) for m in user.memberships] == [
            ("Acme Advisory", "consultant")
        ]

    client.post("/signout")
    assert client.get(f"/join/{token}").status_code == 404  # a link is used once
    assert sign_in(client, "cora@example.com").status_code == 302


def test_join_refuses_a_short_password_beside_the_field(app: Flask, client: FlaskClient) -> None:
    sign_up(client, "olive@example.com")
    token = invite(app, "olive@example.com", "cora@example.com", "viewer")
    client.post("/signout")

    page = Page(client.post(f"/join/{token}", data={"name": "Cora", "password": "short"}))

    assert page.errors_beside("password") == [
        "Use at least 15 characters: a few unrelated words make a good one."
    ]
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 1
    assert client.get(f"/join/{token}").status_code == 200  # still usable


def test_join_for_an_existing_account_asks_to_sign_in_first(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "olive@example.com")
    client.post("/signout")
    sign_up(client, "cora@example.com", name="Cora", workspace="Cora's own")
    client.post("/signout")
    token = invite(app, "olive@example.com", "cora@example.com", "viewer")

    page = Page(client.post(f"/join/{token}", data={"name": "Cora", "password": PASSWORD}))
    assert page.errors_beside("name") == [
        "An account with this email exists: sign in first, then open the link again."
    ]

    sign_in(client, "cora@example.com")
    page = Page(client.get(f"/join/{token}"))
    assert "Join as cora@example.com" in page.text
    assert client.post(f"/join/{token}").status_code == 302
    with in_app(app):
        roles = db.session.execute(
            select(Workspace.name, Membership.role)
            .join(Membership)
            .join(User)
            .where(User.email == "cora@example.com")
            .order_by(Workspace.name)
        ).all()
    assert [tuple(r) for r in roles] == [("Acme Advisory", "viewer"), ("Cora's own", "owner")]


def test_unknown_invitation_link_is_404(client: FlaskClient) -> None:
    assert client.get("/join/not-a-real-token").status_code == 404


def test_sign_in_returns_to_the_page_that_asked_for_it(client: FlaskClient) -> None:
    sign_up(client, "olive@example.com")
    client.post("/signout")

    asked = client.get("/organizations")
    assert asked.status_code == 302
    assert asked.headers["Location"].startswith("/signin?next=")
    # The form posts back to the same address, query string and all.
    page = Page(client.get(asked.headers["Location"]))
    assert page.one("form").etree_element.get("action") == ""
    response = client.post(
        "/signin?next=%2Forganizations",
        data={"email": "olive@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/organizations"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%0a//evil.example",
        "/\t/evil.example",
    ],
)
def test_sign_in_never_sends_anyone_to_another_site(client: FlaskClient, target: str) -> None:
    sign_up(client, "olive@example.com")
    client.post("/signout")

    response = client.post(
        "/signin",
        query_string={"next": target},
        data={"email": "olive@example.com", "password": PASSWORD},
    )

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" or (location == target and target.startswith("/%0a"))


def test_an_invitation_cannot_be_accepted_by_another_account(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "olive@example.com")
    token = invite(app, "olive@example.com", "cora@example.com", "consultant")
    client.post("/signout")
    sign_up(client, "mallory@example.com", name="Mallory", workspace="Mallory's")

    page = Page(client.get(f"/join/{token}"))
    assert page.response.status_code == 403
    assert "This invitation is for cora@example.com" in page.text
    assert "Join as" not in page.text
    assert client.post(f"/join/{token}").status_code == 403

    with in_app(app):
        members = db.session.scalars(
            select(User.email)
            .join(Membership)
            .join(Workspace)
            .where(Workspace.name == "Acme Advisory")
        ).all()
    assert members == ["olive@example.com"]
    client.post("/signout")
    assert client.get(f"/join/{token}").status_code == 200  # still usable by Cora


def test_the_invitation_guard_holds_below_the_web_too(app: Flask, client: FlaskClient) -> None:
    sign_up(client, "olive@example.com")
    token = invite(app, "olive@example.com", "cora@example.com", "viewer", emailed=False)
    with in_app(app):
        invitation = accounts.invitation_by_token(token)
        owner = db.session.scalars(select(User)).one()
        assert invitation is not None
        with pytest.raises(InvalidInput, match="This invitation is for cora@example.com"):
            accounts.accept_invitation(invitation, owner)
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_join_errors_are_422_and_offer_sign_in_that_comes_back(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "olive@example.com")
    token = invite(app, "olive@example.com", "cora@example.com", "viewer")
    client.post("/signout")

    page = Page(client.post(f"/join/{token}", data={"name": "", "password": "short"}))

    assert page.response.status_code == 422
    (link,) = [a for a in page.all("section.narrow a") if a.etree_element.text == "Sign in"]
    sign_in_page = link.etree_element.get("href")
    response = client.post(sign_in_page, data={"email": "olive@example.com", "password": PASSWORD})
    assert response.headers["Location"] == f"/join/{token}"


def test_sign_out_everywhere_ends_every_session_of_the_user(app: Flask) -> None:
    laptop, phone = app.test_client(), app.test_client()
    sign_up(laptop, "olive@example.com")
    assert sign_in(phone, "olive@example.com").status_code == 302
    assert phone.get("/organizations").status_code == 200

    page = Page(laptop.get("/workspace"))
    assert "Sign out everywhere" in page.text
    response = laptop.post("/signout/everywhere")

    assert response.status_code == 302 and response.headers["Location"] == "/signin"
    for client in (laptop, phone):
        assert client.get("/organizations").status_code == 302  # to the sign-in page
    assert sign_in(phone, "olive@example.com").status_code == 302  # a new sign-in works
    assert phone.get("/organizations").status_code == 200
    with in_app(app):
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "signed-out-everywhere" in actions
