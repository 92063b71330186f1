"""API tokens are not second factors and outlive no recovery: a workspace that requires
two-factor sign-in refuses the tokens of members without it; a password reset revokes
every token of the user; "sign out everywhere" does when its box is ticked."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pyotp
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from tests.api_support import bearer
from tests.mail_support import last_to, link
from tests.web_support import PASSWORD, Page, Stage, invite, sign_in, sign_up

#: Ahead, at the start of a 30-second step (tests travel forward only: tests/test_two_factor.py).
T0 = datetime.fromtimestamp((int(time.time()) // 30 + 120) * 30, UTC)
NEW_PASSWORD = "plum orchard lantern 58"


def _token(client: FlaskClient) -> str:
    page = Page(client.post("/workspace/tokens", data={"name": "CRM", "scope": "read-write"}))
    assert page.response.status_code == 200
    value = page.value("#link")
    assert value is not None and value.startswith("asr_")
    return value


def _enrol(client: FlaskClient, at: datetime) -> str:
    assert client.post("/account/two-factor/enrol", data={"password": PASSWORD}).status_code == 302
    secret = Page(client.get("/account/two-factor")).texts("#totp-secret")[0]
    shown = client.post("/account/two-factor/confirm", data={"code": pyotp.TOTP(secret).at(at)})
    assert shown.status_code == 200
    return secret


def test_a_workspace_requiring_two_factor_refuses_tokens_of_members_without_it(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    colleague = app.test_client()
    token = invite(app, "olive@example.com", "connie@example.com", "consultant")
    joined = colleague.post(f"/join/{token}", data={"name": "Connie", "password": PASSWORD})
    assert joined.status_code == 302
    connies = _token(colleague)
    results = f"/api/v1/assessments/{setup.assessment_id}/results"
    api = app.test_client()
    assert api.get(results, headers=bearer(connies)).status_code == 200

    with time_machine.travel(T0, tick=False):
        _enrol(client, T0)
    with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
        required = client.post("/workspace/two-factor", data={"require_two_factor": "y"})
        assert required.status_code == 302
        owners = _token(client)  # the owner has a second factor: theirs works

        refused = api.get(results, headers=bearer(connies))
        assert refused.status_code == 403
        assert refused.mimetype == "application/problem+json"
        assert "requires two-factor sign-in" in refused.get_json()["detail"]
        assert api.get(results, headers=bearer(owners)).status_code == 200
        # The token page says so, before anyone is surprised.
        assert (
            "your tokens work here only while it is on"
            in Page(client.get("/workspace/tokens")).text
        )

    # Connie turns it on: her token works again; off again, refused again.
    with time_machine.travel(T0 + timedelta(seconds=120), tick=False):
        secret = _enrol(colleague, T0 + timedelta(seconds=120))
        assert api.get(results, headers=bearer(connies)).status_code == 200
    with time_machine.travel(T0 + timedelta(seconds=180), tick=False):
        code = pyotp.TOTP(secret).at(T0 + timedelta(seconds=180))
        off = colleague.post(
            "/account/two-factor/disable", data={"off-password": PASSWORD, "off-code": code}
        )
        assert off.status_code == 302
        assert api.get(results, headers=bearer(connies)).status_code == 403


def test_a_password_reset_revokes_every_api_token_of_the_user(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    """Someone who had the password made a token; the owner recovers the account by a
    reset: the token stops working, in every workspace."""
    first = _token(client)
    other = app.test_client()
    sign_up(other, "bea@example.com", name="Bea Owner", workspace="Bea Advisory")
    joined = client.post(f"/join/{invite(app, 'bea@example.com', 'olive@example.com', 'viewer')}")
    assert joined.status_code == 302  # Olive now works in Bea Advisory
    second = _token(client)
    api = app.test_client()
    for token in (first, second):
        assert api.get("/api/v1/organisations", headers=bearer(token)).status_code == 200

    stranger = app.test_client()
    stranger.post("/reset", data={"email": "olive@example.com"})
    path = link(last_to(app, "olive@example.com"), "/reset/")
    assert path is not None
    assert "your API tokens stop working" in Page(stranger.get(path)).text
    assert stranger.post(path, data={"password": NEW_PASSWORD}).status_code == 302

    for token in (first, second):
        assert api.get("/api/v1/organisations", headers=bearer(token)).status_code == 401
    sign_in(client, "olive@example.com", NEW_PASSWORD)
    assert "You have no tokens in this workspace." in Page(client.get("/workspace/tokens")).text


def test_sign_out_everywhere_revokes_tokens_only_when_asked(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    token = _token(client)
    api = app.test_client()
    page = Page(client.get("/workspace"))
    assert "Revoke my API tokens too, in every workspace" in page.text

    kept = client.post("/signout/everywhere", follow_redirects=True)
    assert "your API tokens still work" in Page(kept).text
    assert api.get("/api/v1/organisations", headers=bearer(token)).status_code == 200
    # Changing the password while signed in leaves them too (the README says so).
    sign_in(client, "olive@example.com")
    changed = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert api.get("/api/v1/organisations", headers=bearer(token)).status_code == 200

    ended = client.post("/signout/everywhere", data={"revoke_tokens": "y"}, follow_redirects=True)
    assert "your API tokens are revoked (1)" in Page(ended).text
    assert api.get("/api/v1/organisations", headers=bearer(token)).status_code == 401
