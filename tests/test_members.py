"""The people of a workspace: removing a member ends their access at once, roles change,
members leave, and a workspace never loses its last owner."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, Membership, UserSession
from tests.web_support import PASSWORD, Page, Stage, in_app, invite, sign_in, sign_up, user_id

CONFIRMED = {"confirm": "y"}


def _join(app: Flask, setup: Stage, email: str, role: str = "consultant") -> FlaskClient:
    """A colleague invited by the owner, joined and signed in on a client of their own."""
    token = invite(app, "olive@example.com", email, role)
    client = app.test_client()
    joined = client.post(f"/join/{token}", data={"name": "Connie Colleague", "password": PASSWORD})
    assert joined.status_code == 302
    return client


def _membership(app: Flask, email: str, workspace_id: int) -> int:
    with in_app(app):
        return db.session.scalars(
            select(Membership.id).where(
                Membership.user_id == user_id(app, email),
                Membership.workspace_id == workspace_id,
            )
        ).one()


def test_a_removed_member_loses_access_at_once(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    colleague = _join(app, setup, "connie@example.com")
    assert colleague.get(setup.detail).status_code == 200
    member = _membership(app, "connie@example.com", setup.workspace_id)

    asked = Page(client.get(f"/workspace/members/{member}/remove"))
    assert "Remove Connie Colleague from Acme Advisory?" in asked.text
    unticked = client.post(f"/workspace/members/{member}/remove", data={})
    assert unticked.status_code == 422
    assert colleague.get(setup.detail).status_code == 200  # nothing happened yet

    assert client.post(f"/workspace/members/{member}/remove", data=CONFIRMED).status_code == 302
    # Their very next request: no workspace, and (a member of none) no session either.
    assert colleague.get(setup.detail).status_code == 302
    assert colleague.get("/organizations").headers["Location"].startswith("/signin")
    with in_app(app):
        uid = user_id(app, "connie@example.com")
        assert db.session.scalars(select(UserSession).where(UserSession.user_id == uid)).all() == []
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "member-removed")
        ).one()
        assert event.target == f"user:{uid}" and event.detail["sessions_ended"] == 1


def test_a_removed_member_of_another_workspace_keeps_it_but_not_this_one(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    colleague = app.test_client()
    assert sign_up(colleague, "connie@example.com", workspace="Connie's own").status_code == 302
    token = invite(app, "olive@example.com", "connie@example.com", "consultant")
    assert colleague.post(f"/join/{token}", data={}).status_code == 302
    assert colleague.get(setup.detail).status_code == 200

    member = _membership(app, "connie@example.com", setup.workspace_id)
    assert client.post(f"/workspace/members/{member}/remove", data=CONFIRMED).status_code == 302
    assert colleague.get(setup.detail).status_code == 404
    page = Page(colleague.get("/workspace"))
    assert page.response.status_code == 200 and "Connie's own" in page.text


def test_the_last_owner_can_neither_leave_nor_be_removed_nor_demoted(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    own = _membership(app, "olive@example.com", setup.workspace_id)
    message = "Olive Owner is the last owner of this workspace"

    left = client.post("/workspace/leave", data=CONFIRMED, follow_redirects=True)
    assert message in Page(left).text
    removed = client.post(f"/workspace/members/{own}/remove", data=CONFIRMED, follow_redirects=True)
    assert message in Page(removed).text
    demoted = client.post(
        f"/workspace/members/{own}/role", data={"role": "viewer"}, follow_redirects=True
    )
    assert message in Page(demoted).text
    with in_app(app):
        assert db.session.get(Membership, own).role == "owner"  # type: ignore[union-attr]

    # With a second owner, the first may go.
    _join(app, setup, "connie@example.com")
    other = _membership(app, "connie@example.com", setup.workspace_id)
    assert (
        client.post(f"/workspace/members/{other}/role", data={"role": "owner"}).status_code == 302
    )
    assert client.post("/workspace/leave", data=CONFIRMED).status_code == 302
    with in_app(app):
        assert db.session.get(Membership, own) is None
    assert client.get(setup.detail).status_code == 302  # gone from the workspace


def test_changing_a_role_takes_effect_on_the_next_request(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    colleague = _join(app, setup, "connie@example.com")
    assert colleague.get(f"/organizations/{setup.organization_id}/edit").status_code == 200
    member = _membership(app, "connie@example.com", setup.workspace_id)
    assert (
        client.post(f"/workspace/members/{member}/role", data={"role": "viewer"}).status_code == 302
    )
    assert colleague.get(f"/organizations/{setup.organization_id}/edit").status_code == 404
    assert colleague.get(setup.detail).status_code == 200
    refused = client.post(f"/workspace/members/{member}/role", data={"role": "emperor"})
    assert refused.status_code == 302
    with in_app(app):
        assert db.session.get(Membership, member).role == "viewer"  # type: ignore[union-attr]


def test_a_member_leaves(app: Flask, client: FlaskClient, setup: Stage) -> None:
    colleague = _join(app, setup, "connie@example.com", role="viewer")
    asked = Page(colleague.get("/workspace/leave"))
    assert "Leave Acme Advisory?" in asked.text
    assert colleague.post("/workspace/leave", data=CONFIRMED).status_code == 302
    assert colleague.get(setup.detail).status_code == 302
    with in_app(app):
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "member-left" in actions


def test_removing_a_member_of_another_workspace_is_404(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    other = app.test_client()
    assert sign_up(other, "bob@example.com", workspace="Beta").status_code == 302
    with in_app(app):
        beta = db.session.scalars(
            select(Membership.id).where(Membership.user_id == user_id(app, "bob@example.com"))
        ).one()
    assert client.post(f"/workspace/members/{beta}/remove", data=CONFIRMED).status_code == 404
    assert (
        client.post(f"/workspace/members/{beta}/role", data={"role": "viewer"}).status_code == 404
    )
    assert other.get("/workspace").status_code == 200
    assert sign_in(other, "bob@example.com").status_code == 302
