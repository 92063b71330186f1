"""Passwords, through the pages: a published example passphrase is refused; so is one
built from any piece of the person's address or name (split on . _ - +, reversed, in
any case or accents); passwords are compared in one Unicode form (NFKC), while a hash
made before that still opens its account; and someone whose password is shorter than
today's 15 characters is asked, at sign-in, to change it."""

from __future__ import annotations

import unicodedata

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import User
from tests.two_factor_support import enrol
from tests.web_support import PASSWORD, Page, in_app, sign_in, sign_up

OWN_WORDS = "Don't build your password from your e-mail address or name."


def _users(app: Flask) -> int:
    with in_app(app):
        return int(db.session.scalar(select(func.count()).select_from(User)) or 0)


def _refusal(client: FlaskClient, email: str, name: str, password: str) -> Page:
    return Page(
        client.post(
            "/signup",
            data={"name": name, "email": email, "password": password, "workspace": "Acme"},
        )
    )


@pytest.mark.parametrize(
    ("email", "name", "password", "message"),
    [
        # The passphrase every cracking list learned from xkcd 936, however typed.
        ("ada@example.com", "Ada Lovelace", "correct horse battery staple", "published example"),
        ("ada@example.com", "Ada Lovelace", "Correct-Horse-Battery-Staple!", "published example"),
        ("ada@example.com", "Ada Lovelace", "Tr0ub4dor&3Tr0ub4dor&3", "published example"),
        # The name reversed; pieces of the local part and of a hyphenated domain.
        ("jsmith.finance@acme-corp.co.uk", "John Smith", "htims nhoj 12345678", OWN_WORDS),
        ("jsmith.finance@acme-corp.co.uk", "John Smith", "finance team password 2026", OWN_WORDS),
        ("jsmith.finance@acme-corp.co.uk", "John Smith", "acmecorp-london-2026", OWN_WORDS),
        ("j_smith+audit@example.com", "John Smith", "auditors love quiet harbours", OWN_WORDS),
        # Case and accents do not hide them.
        ("zoe@example.com", "Zoë Château", "CHATEAU picnic orchard 77", OWN_WORDS),
        ("zoe@example.com", "Zoe Chateau", "château picnic orchard 77", OWN_WORDS),
    ],
)
def test_passwords_from_examples_or_ones_own_pieces_are_refused(
    app: Flask, client: FlaskClient, email: str, name: str, password: str, message: str
) -> None:
    page = _refusal(client, email, name, password)
    assert page.response.status_code == 422
    (error,) = page.errors_beside("password")
    assert message in error
    assert _users(app) == 0


def test_a_password_is_the_same_however_the_keyboard_encodes_it(
    app: Flask, client: FlaskClient
) -> None:
    """NFKC: accents typed as one character or as letter plus accent (macOS and Windows
    differ), and full-width letters, are the same password."""
    composed = "crème brûlée tandem 94"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert sign_up(client, "olive@example.com", password=decomposed).status_code == 302
    assert sign_in(app.test_client(), "olive@example.com", composed).status_code == 302
    assert sign_in(app.test_client(), "olive@example.com", decomposed).status_code == 302
    assert sign_in(
        app.test_client(), "olive@example.com", "creme brulee tandem 94"
    ).status_code == (401)
    wide = "ｐｌｕｍ ｏｒｃｈａｒｄ ｌａｎｔｅｒｎ 58"
    changed = client.post("/account/password", data={"current": composed, "password": wide})
    assert changed.status_code == 302
    assert sign_in(
        app.test_client(), "olive@example.com", "plum orchard lantern 58"
    ).status_code == (302)


def test_a_hash_made_before_normalising_still_opens_its_account(
    app: Flask, client: FlaskClient
) -> None:
    """Accounts whose hash was made from the password as typed (before NFKC) are not
    locked out: that form is tried too, at sign-in and when changing the password."""
    sign_up(client, "olive@example.com")
    typed = unicodedata.normalize("NFD", "crème brûlée tandem 94")
    with in_app(app):
        user = db.session.scalars(select(User)).one()
        user.password_hash = generate_password_hash(typed, method="scrypt")
        db.session.commit()
    laptop = app.test_client()
    assert sign_in(laptop, "olive@example.com", typed).status_code == 302
    changed = laptop.post(
        "/account/password", data={"current": typed, "password": "plum orchard lantern 58"}
    )
    assert changed.status_code == 302
    assert sign_in(
        app.test_client(), "olive@example.com", "plum orchard lantern 58"
    ).status_code == (302)


SHORT_NOTICE = "Your password is shorter than the 15 characters this service now asks of everyone"


def _short_password(app: Flask) -> str:
    """Give the account a password set before the floor rose to 15 (then 10 sufficed)."""
    short = "tandem94plum"
    with in_app(app):
        begin_write()  # SQLite: the write lock first (the mail sender may be writing too)
        user = db.session.scalars(select(User)).one()
        user.password_hash = generate_password_hash(short, method="scrypt")
        db.session.commit()
    return short


def test_a_password_shorter_than_today_s_floor_is_asked_to_change_at_sign_in(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "olive@example.com")
    short = _short_password(app)
    browser = app.test_client()
    signed = browser.post(
        "/signin", data={"email": "olive@example.com", "password": short}, follow_redirects=True
    )
    assert SHORT_NOTICE in Page(signed).text
    assert browser.get("/organizations").status_code == 200  # asked, not blocked
    # Once changed to a long enough one, the notice stops.
    fine = app.test_client()
    sign_in(fine, "olive@example.com", short)
    changed = fine.post("/account/password", data={"current": short, "password": PASSWORD})
    assert changed.status_code == 302
    relaxed = app.test_client().post(
        "/signin", data={"email": "olive@example.com", "password": PASSWORD}, follow_redirects=True
    )
    assert SHORT_NOTICE not in Page(relaxed).text


def test_the_short_password_notice_follows_the_second_step(app: Flask, client: FlaskClient) -> None:
    sign_up(client, "olive@example.com")
    _, codes = enrol(client)
    short = _short_password(app)
    browser = app.test_client()
    sign_in(browser, "olive@example.com", short)
    signed = browser.post("/signin/code", data={"code": codes[0]}, follow_redirects=True)
    assert SHORT_NOTICE in Page(signed).text
    assert browser.get("/organizations").status_code == 200
