"""Before the address is confirmed.  The Decision lets a self-assessing IT leader (a
workspace of kind ``own``) create their workspace's assessment and answer, but not invite,
join another workspace or export; a firm's workspace (kind ``firm``) stays closed, with a
"confirm your address" page, until the owner confirms.  The API holds the same line."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import Assessment, Organization, User, utcnow
from tests.api_support import bearer, make_token
from tests.mail_support import last_to, link, received
from tests.web_support import Page, in_app, sign_in, sign_up


def _counts(app: Flask) -> tuple[int, int]:
    with in_app(app):
        return (
            int(db.session.scalar(select(func.count()).select_from(Organization)) or 0),
            int(db.session.scalar(select(func.count()).select_from(Assessment)) or 0),
        )


def test_an_unverified_firm_sees_only_confirm_your_address(app: Flask, client: FlaskClient) -> None:
    signed_up = Page(sign_up(client, "fay@firm.example", workspace="Fay Advisory", verify=False))
    assert "Your workspace opens once the address is confirmed" in signed_up.text
    assert "start assessing your own organisation" not in signed_up.text
    assert sign_in(client, "fay@firm.example").status_code == 302

    for path in ("/", "/welcome", "/organizations", "/organizations/new", "/workspace"):
        page = Page(client.get(path))
        assert page.response.status_code == 403, path
        assert page.one("h1").etree_element.text == "Confirm your e-mail address", path
        assert "your workspace opens then" in page.text
    for path, data in (
        ("/organizations/new", {"name": "Client", "sector": "", "size": ""}),
        ("/welcome", {"organization": "Fay Advisory", "role": "CIO"}),
        ("/workspace/kind", {"kind": "own"}),  # it cannot open itself
        ("/workspace/tokens", {"name": "x", "scope": "read"}),
    ):
        assert client.post(path, data=data).status_code == 403, path
    assert _counts(app) == (0, 0)

    # What stays open: one's own account, the link sent again, signing out.
    assert client.get("/account/password").status_code == 200
    assert client.get("/account/two-factor").status_code == 200
    before = len(received(app, "fay@firm.example"))
    assert client.post("/verify/resend").status_code == 302
    assert len(received(app, "fay@firm.example")) == before + 1
    path = link(last_to(app, "fay@firm.example"), "/verify/")
    assert path is not None and client.post(path).status_code == 302
    assert Page(client.get("/")).one("h1").etree_element.text == "Fay Advisory"
    assert (
        client.post("/welcome", data={"organization": "Client", "role": "CIO"}).status_code == 302
    )


def test_an_unverified_it_leader_answers_but_does_not_invite_export_or_make_tokens(
    app: Flask, client: FlaskClient
) -> None:
    signed_up = Page(
        sign_up(client, "ivy@own.example", workspace="Northwind", kind="own", verify=False)
    )
    assert "start assessing your own organisation" in signed_up.text
    sign_in(client, "ivy@own.example")
    started = client.post("/welcome", data={"organization": "Northwind", "role": "CIO"})
    assert started.status_code == 302
    assert client.get(started.headers["Location"], follow_redirects=True).status_code == 200
    with in_app(app):
        assessment_id = db.session.scalars(select(Assessment.id)).one()
    assert client.get(f"/assessments/{assessment_id}/results").status_code == 200
    for path in (
        f"/assessments/{assessment_id}/report",  # the preview is the report, printable
        f"/assessments/{assessment_id}/report.pdf",
        f"/assessments/{assessment_id}/export.csv",
    ):
        refused = Page(client.get(path))
        assert refused.response.status_code == 403, path
        assert "Confirm your e-mail address first" in refused.text
    invited = client.post(
        "/workspace/invitations", data={"email": "c@own.example", "role": "viewer"}
    )
    assert invited.status_code == 403
    assert client.post("/workspace/tokens", data={"name": "x", "scope": "read"}).status_code == 403


def test_the_api_refuses_links_reports_and_exports_to_an_unverified_token_owner(
    app: Flask, client: FlaskClient
) -> None:
    """A token made before this service refused them to unconfirmed accounts (its owner's
    address counted as confirmed meanwhile): the API holds the web's line."""
    sign_up(client, "ivy@own.example", workspace="Northwind", kind="own", verify=False)
    sign_in(client, "ivy@own.example")
    client.post("/welcome", data={"organization": "Northwind", "role": "CIO"})
    with in_app(app):
        user = db.session.scalars(select(User)).one()
        user_id, workspace_id = user.id, user.memberships[0].workspace_id
        assessment_id = db.session.scalars(select(Assessment.id)).one()
        user.email_verified_at = utcnow()
        db.session.commit()
    token = make_token(app, user_id, workspace_id)
    with in_app(app):
        db.session.get_one(User, user_id).email_verified_at = None
        db.session.commit()
    api = app.test_client()
    base = f"/api/v1/assessments/{assessment_id}"

    linked = api.post(
        f"{base}/respondents", json={"name": "Cecil", "role": "CISO"}, headers=bearer(token)
    )
    assert linked.status_code == 403 and linked.mimetype == "application/problem+json"
    assert "Confirm the token owner's e-mail address first" in linked.get_json()["detail"]
    for path in ("/report", "/exports/json", "/exports/csv"):
        refused = api.get(base + path, headers=bearer(token))
        assert refused.status_code == 403, path
        assert refused.get_json()["detail"] == linked.get_json()["detail"]
    # What the web allows (answering, results, a respondent without a link) stays open.
    assert api.get(f"{base}/results", headers=bearer(token)).status_code == 200
    unlinked = api.post(
        f"{base}/respondents",
        json={"name": "Cecil", "role": "CISO", "link": False},
        headers=bearer(token),
    )
    assert unlinked.status_code == 201 and unlinked.get_json()["link"] is None
    # A firm's workspace: every call waits, as every page does.
    with in_app(app):
        db.session.get_one(User, user_id).memberships[0].workspace.kind = "firm"
        db.session.commit()
    closed = api.get("/api/v1/organisations", headers=bearer(token))
    assert closed.status_code == 403
    assert "has not confirmed their e-mail address" in closed.get_json()["detail"]
