"""Wrong second-step codes: each one audited; the fifth in a row e-mails the user
(someone has their password); after ten each further attempt waits, the right code
included; at a hundred the second step is locked until the operator resets it; a right
code sets the count back to 0.  Turning two-factor sign-in off and making new codes
count the same way, and are limited per account."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, User
from assessor.operations import two_factor
from tests.conftest import base_config
from tests.mail_support import SmtpServer, body, received
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.two_factor_support import CODE_ERROR, T0, code_at, enrol, signed_in
from tests.web_support import PASSWORD, Page, Stage, in_app, sign_in

WRONG = "000000"
FAILURES_SUBJECT = "Someone typed your password, then wrong codes"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _user(app: Flask) -> tuple[int, Any]:
    with in_app(app):
        user = db.session.scalars(select(User).where(User.email == "olive@example.com")).one()
        return user.two_factor_failures, user.two_factor_wait_until


def _failed_audits(app: Flask) -> list[dict[str, Any]]:
    with in_app(app):
        return [
            e.detail
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "two-factor-failed")
            )
        ]


def _subjects(app: Flask) -> list[str]:
    return [str(m["Subject"]) for m in received(app, "olive@example.com")]


def test_wrong_codes_are_counted_told_and_then_made_to_wait(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    secret, _ = enrol(client)
    browser = app.test_client()
    with time_machine.travel(T0, tick=False):
        sign_in(browser, "olive@example.com")
        for n in range(1, 11):
            wrong = Page(browser.post("/signin/code", data={"code": WRONG}))
            assert wrong.response.status_code == 422, n
            assert wrong.errors_beside("code")
            assert _user(app)[0] == n
            if n == 4:
                assert FAILURES_SUBJECT not in _subjects(app)
        assert [d["failures"] for d in _failed_audits(app)] == list(range(1, 11))
        assert {d["during"] for d in _failed_audits(app)} == {"sign-in"}
        # The fifth in a row told the user, once.
        assert _subjects(app).count(FAILURES_SUBJECT) == 1
        told = received(app, "olive@example.com")[-1]
        assert "someone knows your password" in " ".join(body(told).split())
        assert "wait 30 seconds" in wrong.errors_beside("code")[0]

        # The eleventh waits, even with the right code: nothing is checked or counted.
        right = Page(browser.post("/signin/code", data={"code": code_at(secret, T0)}))
        assert right.response.status_code == 429
        assert "Too many wrong codes in a row: wait 30 seconds" in right.errors_beside("code")[0]
        assert not signed_in(browser) and _user(app)[0] == 10

    later = T0 + timedelta(seconds=31)
    with time_machine.travel(later, tick=False):
        # Another wrong one doubles the wait.
        assert browser.post("/signin/code", data={"code": WRONG}).status_code == 422
        failures, wait_until = _user(app)
        assert failures == 11 and wait_until == later + timedelta(minutes=1)
    latest = later + timedelta(minutes=1, seconds=1)
    with time_machine.travel(latest, tick=False):
        sign_in(browser, "olive@example.com")
        assert browser.post("/signin/code", data={"code": code_at(secret, latest)}).status_code == (
            302
        )
        assert signed_in(browser)
        # A right code sets the count back to 0.
        assert _user(app) == (0, None)


def test_at_a_hundred_the_second_step_locks_until_the_operator_resets_it(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    secret, codes = enrol(client)
    at = T0
    with in_app(app):
        user = db.session.get_one(User, setup.user_id)
        for _ in range(two_factor.LOCK_AT - 1):
            with time_machine.travel(at, tick=False):
                with pytest.raises(two_factor.CodeRefused):
                    two_factor.verify(user, WRONG)
            at += two_factor.LONGEST_WAIT
    assert _user(app)[0] == 99
    browser = app.test_client()
    with time_machine.travel(at, tick=False):
        sign_in(browser, "olive@example.com")
        locked = Page(browser.post("/signin/code", data={"code": WRONG}))
        assert locked.response.status_code == 423
        assert "locked on this account after 100 wrong codes" in locked.errors_beside("code")[0]
        assert "Two-factor sign-in is locked on your account" in _subjects(app)
    later = at + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        # Neither the right code nor a recovery code opens it, however long one waits.
        sign_in(browser, "olive@example.com")
        for code in (code_at(secret, later), codes[0]):
            refused = browser.post("/signin/code", data={"code": code})
            assert refused.status_code == 423 and not signed_in(browser)
        assert _user(app)[0] == two_factor.LOCK_AT
    assert len(_failed_audits(app)) == two_factor.LOCK_AT

    result = app.test_cli_runner().invoke(args=["users", "reset-two-factor", "olive@example.com"])
    assert result.exit_code == 0
    assert _user(app) == (0, None)
    assert sign_in(app.test_client(), "olive@example.com").headers["Location"] == "/"


def test_turning_it_off_counts_wrong_codes_too(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    enrol(client)
    for _ in range(3):
        refused = Page(
            client.post(
                "/account/two-factor/disable", data={"off-password": PASSWORD, "off-code": WRONG}
            )
        )
        assert CODE_ERROR in refused.errors_beside("off-code")[0]
    assert _user(app)[0] == 3
    assert {d["during"] for d in _failed_audits(app)} == {"turn-off"}
    # A wrong password is refused before any code is looked at.
    client.post(
        "/account/two-factor/disable",
        data={"off-password": "not the password 123", "off-code": WRONG},
    )
    assert _user(app)[0] == 3


class TestPerAccountLimit:
    @pytest.fixture
    def app_config(self, tmp_path: Path, database: str) -> dict[str, Any]:
        return {
            **base_config(tmp_path, database),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_AUTH": "100 per minute",
            "RATELIMIT_TWO_FACTOR": "3 per minute",
        }

    @pytest.mark.parametrize(
        ("url", "prefix"),
        [("/account/two-factor/disable", "off"), ("/account/two-factor/recovery-codes", "new")],
    )
    def test_changes_that_ask_for_a_code_are_limited_per_account(
        self, app: Flask, client: FlaskClient, setup: Stage, url: str, prefix: str
    ) -> None:
        enrol(client)
        statuses = []
        for n in range(4):
            # From another address each time: the limit follows the account.
            response = client.post(
                url,
                data={f"{prefix}-password": PASSWORD, f"{prefix}-code": WRONG},
                environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
            )
            statuses.append(response.status_code)
        assert statuses == [422, 422, 422, 429]
