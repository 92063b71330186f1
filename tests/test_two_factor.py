"""Two-factor sign-in: enrolling (secret, otpauth URI, QR code, recovery codes shown once),
the second step of signing in (the session starts only after it), recovery codes used
once, replayed codes refused, attempts limited, turning it off, and an owner requiring it
of every member."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, RecoveryCode, User
from tests.conftest import base_config
from tests.web_support import PASSWORD, Page, Stage, in_app, invite, sign_in

#: A moment an hour ahead, at the start of a 30-second step: the tests travel forward to
#: it (never back: a signed session cookie from "the future" is refused as invalid).
T0 = datetime.fromtimestamp((int(time.time()) // 30 + 120) * 30, UTC)
CODE_ERROR = "That code is not right"


def _code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def enrol(client: FlaskClient, at: datetime = T0) -> tuple[str, list[str]]:
    """Turn two-factor sign-in on for the client's user; the secret and recovery codes."""
    assert client.post("/account/two-factor/enrol").status_code == 302
    page = Page(client.get("/account/two-factor"))
    secret = page.texts("#totp-secret")[0]
    assert f"secret={secret}" in page.html and "otpauth://totp/" in page.html
    qr = page.one("img.qr").etree_element.get("src")
    assert qr.startswith("data:image/svg+xml;base64,")
    shown = client.post("/account/two-factor/confirm", data={"code": _code(secret, at)})
    assert shown.status_code == 200
    codes = Page(shown).texts(".recovery-codes code")
    assert len(codes) == 10
    return secret, codes


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/organizations").status_code == 200


@pytest.fixture
def enrolled(app: Flask, client: FlaskClient, setup: Stage) -> tuple[str, list[str]]:
    with time_machine.travel(T0, tick=False):
        return enrol(client)


def test_enrolling_needs_a_right_code_and_stores_codes_hashed(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    with time_machine.travel(T0, tick=False):
        assert client.post("/account/two-factor/enrol").status_code == 302
        wrong = Page(client.post("/account/two-factor/confirm", data={"code": "123456"}))
        assert wrong.response.status_code == 422
        assert "not the one your authenticator shows" in wrong.errors_beside("code")[0]
        empty = Page(client.post("/account/two-factor/confirm", data={"code": ""}))
        assert empty.response.status_code == 422 and empty.errors_beside("code")
        page = Page(client.get("/account/two-factor"))
        with in_app(app):
            user = db.session.get(User, setup.user_id)
            assert user is not None and user.totp_enabled_at is None
        secret = page.texts("#totp-secret")[0]
        shown = client.post("/account/two-factor/confirm", data={"code": _code(secret, T0)})
        codes = Page(shown).texts(".recovery-codes code")
    with in_app(app):
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(hashes) == 10 and not set(codes) & set(hashes)
    # Shown once: the page does not show them again.
    again = Page(client.get("/account/two-factor")).html
    assert not any(code in again for code in codes) and secret not in again


def test_sign_in_asks_for_the_code_and_starts_the_session_only_after_it(
    app: Flask, enrolled: tuple[str, list[str]]
) -> None:
    secret, _ = enrolled
    browser = app.test_client()
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        first = sign_in(browser, "olive@example.com")
        assert first.status_code == 302 and first.headers["Location"] == "/signin/code"
        assert not _signed_in(browser)  # the password alone opens nothing
        wrong = browser.post("/signin/code", data={"code": "000000"})
        assert wrong.status_code == 422
        assert CODE_ERROR in Page(wrong).errors_beside("code")[0]
        assert not _signed_in(browser)
        right = browser.post(
            "/signin/code", data={"code": _code(secret, T0 + timedelta(seconds=30))}
        )
        assert right.status_code == 302 and right.headers["Location"] == "/"
        assert _signed_in(browser)


def test_a_code_is_accepted_once(app: Flask, enrolled: tuple[str, list[str]]) -> None:
    secret, _ = enrolled
    later = T0 + timedelta(seconds=60)
    with time_machine.travel(later, tick=False):
        first, second = app.test_client(), app.test_client()
        sign_in(first, "olive@example.com")
        assert first.post("/signin/code", data={"code": _code(secret, later)}).status_code == 302
        sign_in(second, "olive@example.com")
        replayed = second.post("/signin/code", data={"code": _code(secret, later)})
        assert replayed.status_code == 422 and not _signed_in(second)


def test_a_recovery_code_signs_in_once(app: Flask, enrolled: tuple[str, list[str]]) -> None:
    _, codes = enrolled
    browser = app.test_client()
    sign_in(browser, "olive@example.com")
    used = browser.post("/signin/code", data={"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 302 and _signed_in(browser)
    other = app.test_client()
    sign_in(other, "olive@example.com")
    assert other.post("/signin/code", data={"code": codes[3]}).status_code == 422
    with in_app(app):
        assert "recovery-code-used" in db.session.scalars(select(AuditEvent.action)).all()


def test_the_second_step_expires(app: Flask, enrolled: tuple[str, list[str]]) -> None:
    secret, _ = enrolled
    browser = app.test_client()
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        sign_in(browser, "olive@example.com")
    late = T0 + timedelta(minutes=6)
    with time_machine.travel(late, tick=False):
        response = browser.post("/signin/code", data={"code": _code(secret, late)})
        assert response.headers["Location"] == "/signin" and not _signed_in(browser)


def test_turning_it_off_asks_for_a_current_code(
    app: Flask, client: FlaskClient, enrolled: tuple[str, list[str]]
) -> None:
    secret, codes = enrolled
    later = T0 + timedelta(seconds=30)
    with time_machine.travel(later, tick=False):
        for code in (codes[0], "000000"):  # a recovery code is not a current code
            refused = Page(client.post("/account/two-factor/disable", data={"code": code}))
            assert refused.response.status_code == 422
            assert "Enter the code your authenticator shows now" in refused.errors_beside("code")[0]
        with in_app(app):
            assert db.session.scalars(select(User.totp_enabled_at)).one() is not None
        off = client.post("/account/two-factor/disable", data={"code": _code(secret, later)})
        assert off.status_code == 302
    with in_app(app):
        assert db.session.scalars(select(User.totp_enabled_at)).one() is None
        assert db.session.scalars(select(RecoveryCode)).all() == []
    browser = app.test_client()
    assert sign_in(browser, "olive@example.com").headers["Location"] == "/"


def test_an_owner_requires_it_of_every_member(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    refused = client.post(
        "/workspace/two-factor", data={"require_two_factor": "y"}, follow_redirects=True
    )
    assert "Turn on two-factor sign-in for yourself first" in Page(refused).text
    token = invite(app, "olive@example.com", "connie@example.com", "consultant")
    colleague = app.test_client()
    joined = colleague.post(f"/join/{token}", data={"name": "Connie", "password": PASSWORD})
    assert joined.status_code == 302 and _signed_in(colleague)

    with time_machine.travel(T0, tick=False):
        enrol(client)
    assert client.post("/workspace/two-factor", data={"require_two_factor": "y"}).status_code == 302

    # The member without a second factor is sent to enrol, on every workspace page.
    for url in ("/", "/organizations", setup.detail, "/workspace"):
        sent = colleague.get(url)
        assert sent.status_code == 302 and sent.headers["Location"] == "/account/two-factor", url
    page = Page(colleague.get("/account/two-factor"))
    assert "Acme Advisory requires two-factor sign-in of every member" in page.text
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        enrol(colleague, T0 + timedelta(minutes=5))
    assert colleague.get(setup.detail).status_code == 200

    assert client.post("/workspace/two-factor", data={}).status_code == 302
    with in_app(app):
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"two-factor-required", "two-factor-optional"} <= set(actions)


class TestThrottle:
    @pytest.fixture
    def app_config(self, tmp_path: Path, database: str) -> dict[str, Any]:
        return {
            **base_config(tmp_path, database),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_AUTH": "100 per minute",
            "RATELIMIT_TWO_FACTOR": "3 per minute",
        }

    def test_code_attempts_are_limited_per_account(
        self, app: Flask, enrolled: tuple[str, list[str]]
    ) -> None:
        secret, _ = enrolled
        at = T0 + timedelta(seconds=30)
        with time_machine.travel(at, tick=False):
            statuses = []
            for n in range(4):
                # From another address each time: the limit follows the account.
                browser = app.test_client()
                sign_in(browser, "olive@example.com")
                response = browser.post(
                    "/signin/code",
                    data={"code": "000000" if n < 3 else _code(secret, at)},
                    environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
                )
                statuses.append(response.status_code)
            assert statuses == [422, 422, 422, 429]
            assert not _signed_in(browser)
