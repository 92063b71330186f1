"""Rate limits of the buttons that send e-mail (Flask-Limiter's storage): per signed-in
user across all of them, and per respondent or address whoever clicks.  A refused click
says whose limit and when to try again, and stores nothing: no new link (the last one
e-mailed still works), no mail log row, no invitation, no reminder time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import Assessment, Invitation, MailLog, User
from assessor.operations import assessments
from tests.conftest import base_config
from tests.mail_support import last_to, link, received
from tests.test_erasure_queue import redis_db as redis_db  # noqa: F401  (fixture)
from tests.web_support import Page, Stage, in_app, sign_up, stage

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_AUTH": "100 per minute",
    "RATELIMIT_MAIL_USER": "4 per hour",
    "RATELIMIT_MAIL_RECIPIENT": "2 per hour",
}


@pytest.fixture
def app_config(tmp_path: Path, database: str) -> dict[str, Any]:
    return {**base_config(tmp_path, database), **LIMITS}


@pytest.fixture(autouse=True)
def _fresh_counts(app: Flask) -> None:
    """The memory storage lives as long as the process: each test starts from zero."""
    from assessor.extensions import limiter

    with app.app_context():
        limiter.reset()


def _add(app: Flask, staged: Stage, name: str, email: str) -> int:
    with in_app(app):
        assessment = db.session.get_one(Assessment, staged.assessment_id)
        user = db.session.get_one(User, staged.user_id)
        return assessments.add_respondent(assessment, user, name=name, role="CISO", email=email).id


def _mail_count(app: Flask) -> int:
    with in_app(app):
        return int(db.session.scalar(select(func.count()).select_from(MailLog)) or 0)


def test_send_link_by_email_is_limited_per_respondent(app: Flask, client: FlaskClient) -> None:
    staged = stage(app, client)
    rid = _add(app, staged, "Sam Ciso", "sam@client.example")
    url = f"{staged.detail}/respondents/{rid}/email"
    assert [client.post(url).status_code for _ in range(2)] == [302, 302]
    latest = link(last_to(app, "sam@client.example"), "/r/")
    before = _mail_count(app)

    refused = client.post(url)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    page = Page(refused)
    assert "Sam Ciso has been e-mailed several times lately: nothing was sent." in page.text
    assert "Try again in" in page.text
    assert page.all(f"a[href='{staged.detail}#people']")
    # Nothing half-stored: no new mail, and the link e-mailed last still opens.
    assert _mail_count(app) == before
    assert app.test_client().get(str(latest)).status_code == 302
    # Another respondent can still be e-mailed.
    other = _add(app, staged, "Cleo Cio", "cleo@client.example")
    assert client.post(f"{staged.detail}/respondents/{other}/email").status_code == 302


def test_email_buttons_are_limited_per_user(app: Flask, client: FlaskClient) -> None:
    staged = stage(app, client)
    people = [_add(app, staged, f"Person {n}", f"p{n}@client.example") for n in range(5)]
    statuses = [client.post(f"{staged.detail}/respondents/{r}/email").status_code for r in people]
    assert statuses == [302, 302, 302, 302, 429]
    refused = Page(client.post(f"{staged.detail}/reminders/send"))
    assert refused.response.status_code == 429
    assert "You have sent a lot of e-mail in a short time: nothing was sent." in refused.text
    assert received(app, "p4@client.example") == []
    # Another member of the workspace has limits of their own.
    colleague = app.test_client()
    with in_app(app):
        from assessor.operations import accounts

        owner = db.session.get_one(User, staged.user_id)
        issued = accounts.invite_member(
            owner.memberships[0].workspace, "kim@example.com", "consultant", owner
        )
        accounts.join_with_new_account(
            issued.invitation, "Kim Colleague", "a sturdy passphrase 42", issued.proof
        )
    assert (
        colleague.post(
            "/signin", data={"email": "kim@example.com", "password": "a sturdy passphrase 42"}
        ).status_code
        == 302
    )
    assert colleague.post(f"{staged.detail}/respondents/{people[4]}/email").status_code == 302


def test_remind_now_is_refused_whole_when_one_respondent_is_at_the_limit(
    app: Flask, client: FlaskClient
) -> None:
    staged = stage(app, client)
    busy = _add(app, staged, "Bea Busy", "bea@client.example")
    quiet = _add(app, staged, "Quinn Quiet", "quinn@client.example")
    for rid in (busy, busy, quiet):
        assert client.post(f"{staged.detail}/respondents/{rid}/email").status_code == 302
    before = _mail_count(app)

    refused = client.post(f"{staged.detail}/reminders/send")
    assert refused.status_code == 429
    assert "Bea Busy has been e-mailed several times lately" in Page(refused).text
    assert _mail_count(app) == before  # Quinn was not reminded either
    with in_app(app):
        assert db.session.get_one(Assessment, staged.assessment_id).reminded_at is None


def test_account_emails_are_limited_per_address_the_same_for_known_and_new(
    app: Flask, client: FlaskClient
) -> None:
    assert sign_up(client, "known@example.com", verify=False).status_code == 200
    # A refused password sends nothing, and costs nothing.
    weak = client.post(
        "/signup",
        data={
            "name": "N",
            "email": "new@example.com",
            "password": "password",
            "workspace": "W",
            "kind": "firm",
        },
    )
    assert weak.status_code == 422
    answers = {}
    for address in ("known@example.com", "new@example.com"):
        statuses = [
            client.post("/reset", data={"email": address}).status_code
            for _ in range(3 if address == "new@example.com" else 2)
        ]
        page = Page(client.post("/reset", data={"email": address}))
        answers[address] = (statuses[-1], page.response.status_code, page.errors_beside("email"))
    # known: one sign-up + one reset + one more reset = the third is refused; new: two
    # resets, then refused (the weak sign-up did not count).
    assert answers["known@example.com"][1] == answers["new@example.com"][1] == 429
    assert answers["known@example.com"][2] == [
        e.replace("new@", "known@") for e in answers["new@example.com"][2]
    ]
    assert "nothing was sent" in answers["new@example.com"][2][0]
    assert len(received(app, "new@example.com")) == 2
    signed_up = client.post(
        "/signup",
        data={
            "name": "N",
            "email": "new@example.com",
            "password": "a sturdy passphrase 42",
            "workspace": "W",
            "kind": "firm",
        },
    )
    assert signed_up.status_code == 429
    with in_app(app):
        assert db.session.scalar(select(User).where(User.email == "new@example.com")) is None


def test_team_invitations_are_limited_per_address(app: Flask, client: FlaskClient) -> None:
    stage(app, client)
    invite = {"email": "kim@example.com", "role": "consultant"}
    assert [client.post("/workspace/invitations", data=invite).status_code for _ in range(2)] == [
        200,
        200,
    ]
    refused = client.post("/workspace/invitations", data=invite)
    assert refused.status_code == 429
    assert "kim@example.com has been e-mailed several times lately" in Page(refused).text
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2


class TestCountsInRedis:
    """With Redis as the limiter's storage (shared by every process), the counts are kept
    under a hash of the address: Redis never holds an address, which no erasure reaches."""

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any], redis_db: str) -> dict[str, Any]:
        return {**app_config, "RATELIMIT_STORAGE_URI": redis_db}

    def test_the_counts_keep_no_address(self, app: Flask, client: FlaskClient) -> None:
        import hashlib

        from tests.test_erasure_queue import in_redis

        staged = stage(app, client)
        invite = {"email": "kim.k7@example.com", "role": "consultant"}
        codes = [client.post("/workspace/invitations", data=invite).status_code for _ in range(3)]
        assert codes == [200, 200, 429]  # counted per address all the same
        rid = _add(app, staged, "Sam Ciso", "sam.k7@client.example")
        assert client.post(f"{staged.detail}/respondents/{rid}/email").status_code == 302
        assert in_redis("k7@") == []
        hashed = hashlib.sha256(b"address:kim.k7@example.com").hexdigest()
        assert in_redis(hashed) != []
