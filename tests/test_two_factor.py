"""Two-factor sign-in: enrolling (secret, otpauth URI, QR code, recovery codes shown once),
the second step of signing in (the session starts only after it), recovery codes used
once, replayed codes refused, attempts limited, turning it off, and an owner requiring it
of every member."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, RecoveryCode, User, Workspace
from tests.conftest import base_config
from tests.two_factor_support import CODE_ERROR, T0, code_at, enrol, signed_in
from tests.web_support import PASSWORD, Page, Stage, in_app, invite, sign_in, sign_up


@pytest.fixture
def enrolled(app: Flask, client: FlaskClient, setup: Stage) -> tuple[str, list[str]]:
    return enrol(client)


def test_enrolling_needs_a_right_code_and_stores_codes_hashed(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    assert client.post("/account/two-factor/enrol", data={"password": PASSWORD}).status_code == 302
    page = Page(client.get("/account/two-factor"))
    secret = page.texts("#totp-secret")[0]
    wrong_code = f"{(int(pyotp.TOTP(secret).now()) + 1) % 10**6:06d}"
    wrong = Page(client.post("/account/two-factor/confirm", data={"code": wrong_code}))
    assert wrong.response.status_code == 422
    assert "not the one your authenticator shows" in wrong.errors_beside("code")[0]
    empty = Page(client.post("/account/two-factor/confirm", data={"code": ""}))
    assert empty.response.status_code == 422 and empty.errors_beside("code")
    with in_app(app):
        user = db.session.get(User, setup.user_id)
        assert user is not None and user.totp_enabled_at is None
    shown = client.post("/account/two-factor/confirm", data={"code": pyotp.TOTP(secret).now()})
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
        assert not signed_in(browser)  # the password alone opens nothing
        wrong = browser.post("/signin/code", data={"code": "000000"})
        assert wrong.status_code == 422
        assert CODE_ERROR in Page(wrong).errors_beside("code")[0]
        assert not signed_in(browser)
        right = browser.post(
            "/signin/code", data={"code": code_at(secret, T0 + timedelta(seconds=30))}
        )
        assert right.status_code == 302 and right.headers["Location"] == "/"
        assert signed_in(browser)


def test_a_code_is_accepted_once(app: Flask, enrolled: tuple[str, list[str]]) -> None:
    secret, _ = enrolled
    later = T0 + timedelta(seconds=60)
    with time_machine.travel(later, tick=False):
        first, second = app.test_client(), app.test_client()
        sign_in(first, "olive@example.com")
        assert first.post("/signin/code", data={"code": code_at(secret, later)}).status_code == 302
        sign_in(second, "olive@example.com")
        replayed = second.post("/signin/code", data={"code": code_at(secret, later)})
        assert replayed.status_code == 422 and not signed_in(second)


def test_a_recovery_code_signs_in_once(app: Flask, enrolled: tuple[str, list[str]]) -> None:
    _, codes = enrolled
    browser = app.test_client()
    sign_in(browser, "olive@example.com")
    used = browser.post("/signin/code", data={"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 302 and signed_in(browser)
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
        response = browser.post("/signin/code", data={"code": code_at(secret, late)})
        assert response.headers["Location"] == "/signin" and not signed_in(browser)


def test_turning_it_off_asks_for_the_password_and_a_code(
    app: Flask, client: FlaskClient, enrolled: tuple[str, list[str]]
) -> None:
    secret, _ = enrolled
    later = T0 + timedelta(seconds=30)
    with time_machine.travel(later, tick=False):
        # A session alone (a copied cookie) is not enough: the password comes first.
        no_password = Page(
            client.post(
                "/account/two-factor/disable",
                data={"off-password": "not the password 123", "off-code": code_at(secret, later)},
            )
        )
        assert no_password.response.status_code == 422
        assert no_password.errors_beside("off-password") == ["This is not your current password."]
        wrong = Page(
            client.post(
                "/account/two-factor/disable",
                data={"off-password": PASSWORD, "off-code": "000000"},
            )
        )
        assert wrong.response.status_code == 422
        assert CODE_ERROR in wrong.errors_beside("off-code")[0]
        with in_app(app):
            assert db.session.scalars(select(User.totp_enabled_at)).one() is not None
        off = client.post(
            "/account/two-factor/disable",
            data={"off-password": PASSWORD, "off-code": code_at(secret, later)},
        )
        assert off.status_code == 302
    with in_app(app):
        assert db.session.scalars(select(User.totp_enabled_at)).one() is None
        assert db.session.scalars(select(RecoveryCode)).all() == []
        assert "two-factor-disabled" in db.session.scalars(select(AuditEvent.action)).all()
    browser = app.test_client()
    assert sign_in(browser, "olive@example.com").headers["Location"] == "/"


def test_a_member_of_a_requiring_workspace_can_switch_away_or_leave(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    """The requirement applies inside that workspace: a member without a second factor
    may still go to another workspace of theirs, or leave, and the page offers both."""
    connie = app.test_client()
    assert sign_up(connie, "connie@example.com", workspace="Connie Co").status_code == 302
    token = invite(app, "olive@example.com", "connie@example.com", "consultant")
    assert connie.post(f"/join/{token}").status_code == 302  # working in Acme Advisory now
    enrol(client)
    assert client.post("/workspace/two-factor", data={"require_two_factor": "y"}).status_code == 302
    with in_app(app):
        own = db.session.scalars(select(Workspace.id).where(Workspace.name == "Connie Co")).one()

    sent = connie.get("/organizations")
    assert sent.status_code == 302 and sent.headers["Location"] == "/account/two-factor"
    page = Page(connie.get("/account/two-factor"))
    assert "Switch to Connie Co" in page.texts("#elsewhere")[0]
    assert page.all('#elsewhere a[href="/workspace/leave"]')
    # Switching away works, and the other workspace opens without a second factor.
    switched = connie.post(f"/workspace/switch/{own}")
    assert switched.status_code == 302 and switched.headers["Location"] == "/"
    assert connie.get("/organizations").status_code == 200
    assert "Connie Co" in Page(connie.get("/workspace")).text
    # Nothing else of the requiring workspace opens: back there, its pages still send
    # the member to enrol.
    acme = setup.workspace_id
    assert connie.post(f"/workspace/switch/{acme}").status_code == 302
    assert connie.get("/organizations").headers["Location"] == "/account/two-factor"

    # Leaving works too (its page, then the button).
    assert connie.get("/workspace/leave").status_code == 200
    left = connie.post("/workspace/leave", data={"confirm": "y"})
    assert left.status_code == 302 and left.headers["Location"] == "/"
    with in_app(app):
        user = db.session.scalars(select(User).where(User.email == "connie@example.com")).one()
        assert [m.workspace.name for m in user.memberships] == ["Connie Co"]
    assert connie.get("/organizations").status_code == 200


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
    assert joined.status_code == 302 and signed_in(colleague)

    enrol(client)
    assert client.post("/workspace/two-factor", data={"require_two_factor": "y"}).status_code == 302

    # The member without a second factor is sent to enrol, on every workspace page.
    for url in ("/", "/organizations", setup.detail, "/workspace"):
        sent = colleague.get(url)
        assert sent.status_code == 302 and sent.headers["Location"] == "/account/two-factor", url
    page = Page(colleague.get("/account/two-factor"))
    assert "Acme Advisory requires two-factor sign-in of every member" in page.text
    enrol(colleague)
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
                    data={"code": "000000" if n < 3 else code_at(secret, at)},
                    environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
                )
                statuses.append(response.status_code)
            assert statuses == [422, 422, 422, 429]
            assert not signed_in(browser)
