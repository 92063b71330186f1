"""Helpers for the two-factor tests: a moment to travel to, the authenticator's code, and
enrolling as a person does (the password, the QR page, a code)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pyotp
from flask.testing import FlaskClient

from tests.web_support import PASSWORD, Page

#: A moment an hour ahead, at the start of a 30-second step: the tests travel forward to
#: it (never back: a signed session cookie from "the future" is refused as invalid, so a
#: session that must last past the journey starts at the real time, as :func:`enrol`'s).
T0 = datetime.fromtimestamp((int(time.time()) // 30 + 120) * 30, UTC)
CODE_ERROR = "That code is not right"


def code_at(secret: str, at: datetime) -> str:
    """The code the authenticator shows at ``at``."""
    return pyotp.TOTP(secret).at(at)


def enrol(client: FlaskClient, password: str = PASSWORD) -> tuple[str, list[str]]:
    """Turn two-factor sign-in on for the client's user, now (it ends the user's other
    sessions and starts a fresh one for this client); the secret and recovery codes."""
    started = client.post("/account/two-factor/enrol", data={"password": password})
    assert started.status_code == 302, started.status_code
    page = Page(client.get("/account/two-factor"))
    secret = page.texts("#totp-secret")[0]
    assert f"secret={secret}" in page.html and "otpauth://totp/" in page.html
    qr = page.one("img.qr").etree_element.get("src")
    assert qr.startswith("data:image/svg+xml;base64,")
    shown = client.post("/account/two-factor/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert shown.status_code == 200
    codes = Page(shown).texts(".recovery-codes code")
    assert len(codes) == 10
    return secret, codes


def signed_in(client: FlaskClient) -> bool:
    return client.get("/organizations").status_code == 200
