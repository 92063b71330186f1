"""Session cookies: HttpOnly, SameSite=Lax, Secure over https (also behind a trusted proxy);
a fresh session on sign-in; sessions kept on the server: sign-out ends its own, wherever its
cookie was copied, "sign out everywhere" all of the user's, and each ends at an absolute
expiry however much it is used."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import UserSession
from assessor.operations.tokens import token_hash
from tests.conftest import base_config
from tests.security_world import build_world, own_app, sign_in


def _session_cookie(response: Any) -> dict[str, str | bool]:
    """The attributes of the ``session`` Set-Cookie header (lower-cased names)."""
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if "session" in cookie:
            morsel = cookie["session"]
            found: dict[str, str | bool] = {"value": morsel.value}
            found.update({k: v for k, v in morsel.items() if v})
            # SimpleCookie drops flags it knows without a value; read them from the text.
            lowered = header.lower()
            found["secure"] = "; secure" in lowered
            found["httponly"] = "; httponly" in lowered
            return found
    raise AssertionError("no session cookie set")


def _app(tmp_path: Path, **config: Any) -> AbstractContextManager[Flask]:
    return own_app({**base_config(tmp_path, f"sqlite:///{tmp_path / 's.db'}"), **config})


def test_cookie_is_httponly_lax_and_not_secure_over_http(client: FlaskClient) -> None:
    cookie = _session_cookie(client.get("/signin"))
    assert cookie["httponly"] is True
    assert str(cookie["samesite"]).lower() == "lax"
    assert cookie["secure"] is False


def test_cookie_is_secure_over_https(client: FlaskClient) -> None:
    cookie = _session_cookie(client.get("/signin", base_url="https://assessor.example"))
    assert cookie["secure"] is True and cookie["httponly"] is True


def test_cookie_is_secure_when_configured(tmp_path: Path) -> None:
    with _app(tmp_path, SESSION_COOKIE_SECURE=True) as app:
        assert _session_cookie(app.test_client().get("/signin"))["secure"] is True


@pytest.mark.parametrize(("proxies", "secure"), [(1, True), (0, False)])
def test_forwarded_https_counts_only_behind_a_trusted_proxy(
    tmp_path: Path, proxies: int, secure: bool
) -> None:
    """``X-Forwarded-Proto: https`` makes cookies Secure with PROXY_FIX, and means nothing
    without it (anyone can send the header)."""
    with _app(tmp_path, PROXY_FIX=proxies) as app:
        response = app.test_client().get("/signin", headers={"X-Forwarded-Proto": "https"})
        assert _session_cookie(response)["secure"] is secure


def test_proxy_fix_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESSOR_PROXY_FIX", "1")
    with _app(tmp_path) as app:
        response = app.test_client().get(
            "/signin", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        )
        assert _session_cookie(response)["secure"] is True


def test_sign_in_starts_a_new_session(app: Flask) -> None:
    """Nothing set before signing in survives it (no session fixation, no stale state)."""
    world = build_world(app)
    client = app.test_client()
    client.get("/signin")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["workspace_id"] = world.workspace_b
        before = dict(session)
    response = client.post(
        "/signin", data={"email": world.owner.email, "password": world.owner.password}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        after = dict(session)
    assert "planted" not in after and "workspace_id" not in after
    assert after.get("csrf_token") != before.get("csrf_token")
    assert after["_user_id"].split(":")[0] == str(world.owner.user_id)
    # Signed in to the owner's own workspace, not the one planted before.
    page = client.get("/workspace")
    assert page.status_code == 200 and "Alpha" in page.get_data(as_text=True)


def test_sign_out_ends_the_session(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.owner)
    assert client.get("/workspace").status_code == 200
    assert client.post("/signout").status_code == 302
    assert client.get("/workspace").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


def _copy_of_session(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie, as it is now."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
    return copy


def _refused(response: Any) -> bool:
    """Sent to the sign-in page, as someone signed out is."""
    return response.status_code == 302 and urlsplit(response.location).path == "/signin"


def _sessions_of(app: Flask, user_id: int) -> list[UserSession]:
    with app.app_context():
        rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user_id))
        found = list(rows)
        db.session.remove()
    return found


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app: Flask) -> None:
    """Sign-out ends the session on the server: a copy of its cookie (a shared computer, a
    stolen cookie) opens nothing afterwards, nor does the signed-out browser replaying it."""
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.owner)
    copy = _copy_of_session(app, client)
    assert copy.get("/workspace").status_code == 200  # the copy works while signed in
    replay = _copy_of_session(app, client)

    assert client.post("/signout").status_code == 302

    assert _refused(copy.get("/workspace"))
    assert _refused(replay.get("/organizations"))
    assert _sessions_of(app, world.owner.user_id) == []


def test_sign_out_ends_only_its_own_session_and_everywhere_ends_the_others(
    app: Flask,
) -> None:
    world = build_world(app)
    laptop, phone, tablet = app.test_client(), app.test_client(), app.test_client()
    for device in (laptop, phone, tablet):
        sign_in(device, world.owner)
    assert len(_sessions_of(app, world.owner.user_id)) == 3

    tablet.post("/signout")
    assert laptop.get("/workspace").status_code == 200
    assert phone.get("/workspace").status_code == 200

    assert laptop.post("/signout/everywhere").status_code == 302
    assert _refused(phone.get("/workspace"))
    assert _refused(laptop.get("/workspace"))
    assert _sessions_of(app, world.owner.user_id) == []


def test_signing_in_again_ends_the_session_the_browser_held(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.consultant)
    before = _copy_of_session(app, client)
    sign_in(client, world.owner)  # another account on the same browser
    assert _refused(before.get("/workspace"))
    assert _sessions_of(app, world.consultant.user_id) == []
    assert client.get("/workspace").status_code == 200


def test_the_cookie_holds_a_token_and_the_database_only_its_hash(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.owner)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    token = serializer.loads(cookie.value)["sid"]
    (row,) = _sessions_of(app, world.owner.user_id)
    assert row.token_hash == token_hash(token) != token
    assert len(token) >= 43  # 32 random bytes


def test_a_session_ends_at_its_absolute_expiry_however_much_it_is_used(app: Flask) -> None:
    """Twelve hours after sign-in the session ends, though it was used every hour and its
    cookie was signed again an hour before (by a change of workspace)."""
    world = build_world(app)
    client = app.test_client()
    lifetime = app.permanent_session_lifetime
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        sign_in(client, world.owner)
        assert client.get("/workspace").status_code == 200  # keeps its new CSRF token
        for _ in range(11):
            clock.shift(timedelta(hours=1))
            response = client.get("/workspace")
            assert response.status_code == 200
            # Using the session does not send its cookie again with a later expiry.
            assert response.headers.getlist("Set-Cookie") == []
        switched = client.post(f"/workspace/switch/{world.workspace_a}")
        assert switched.status_code == 302 and switched.headers.getlist("Set-Cookie")
        copy = _copy_of_session(app, client)  # signed just now: the cookie itself is valid
        assert copy.get("/workspace").status_code == 200

        clock.shift(lifetime - timedelta(hours=11) + timedelta(minutes=1))
        assert _refused(copy.get("/workspace"))
        assert _refused(client.get("/workspace"))


def test_expired_sessions_are_deleted(app: Flask) -> None:
    """A sign-in deletes the sessions that expired (anyone's); so does `assessor sessions
    prune`, for a service nobody signs in to for a while."""
    world = build_world(app)
    laptop, phone = app.test_client(), app.test_client()
    lifetime = app.permanent_session_lifetime
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        sign_in(laptop, world.owner)
        sign_in(phone, world.viewer)
        clock.shift(lifetime / 2)
        sign_in(phone, world.owner)
        assert len(_sessions_of(app, world.owner.user_id)) == 2

        clock.shift(lifetime / 2 + timedelta(seconds=1))
        sign_in(app.test_client(), world.consultant)
        assert len(_sessions_of(app, world.owner.user_id)) == 1  # the laptop's is gone
        assert _sessions_of(app, world.viewer.user_id) == []

        clock.shift(lifetime)
        result = app.test_cli_runner().invoke(args=["sessions", "prune"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "2 expired sessions deleted."
        assert _sessions_of(app, world.owner.user_id) == []
        assert _sessions_of(app, world.consultant.user_id) == []


def test_failed_sign_in_keeps_nobody_signed_in(client: FlaskClient, app: Flask) -> None:
    world = build_world(app)
    response = client.post("/signin", data={"email": world.owner.email, "password": "wrong" * 3})
    assert response.status_code == 401
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_respondent_page_view_sends_no_cookie(app: Flask) -> None:
    """An anonymous session (a respondent's, holding a CSRF token) is not rewritten on every
    page: Flask-Login's strong protection used to wipe it, sending a new session cookie and
    a remember-cookie deletion with every response."""
    world = build_world(app)
    client = app.test_client()
    first = client.get(f"/r/{world.token_a}", follow_redirects=True)
    assert first.status_code == 200
    assert _session_cookie(first)["value"]  # the CSRF token's session, once
    with client.session_transaction() as session:
        before = dict(session)
    for section in ("context", "strategy", "context"):
        response = client.get(f"/r/{world.token_a}/s/{section}")
        assert response.status_code == 200
        assert response.headers.getlist("Set-Cookie") == []
    with client.session_transaction() as session:
        assert dict(session) == before


@pytest.mark.parametrize("change", ["User-Agent", "REMOTE_ADDR"])
def test_a_signed_in_session_is_still_checked_against_its_browser_and_address(
    app: Flask, change: str
) -> None:
    """Session protection still runs for a session with a user in it.  (Sign-in makes the
    session permanent, and Flask-Login's "strong" mode then marks a moved session as not
    fresh rather than ending it: as before the anonymous case was changed.)"""
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.owner)
    assert client.get("/workspace").status_code == 200
    with client.session_transaction() as session:
        assert session["_fresh"] is True
    if change == "User-Agent":
        moved = client.get("/workspace", headers={"User-Agent": "another browser"})
    else:
        moved = client.get("/workspace", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert moved.status_code == 200
    with client.session_transaction() as session:
        assert session["_fresh"] is False
