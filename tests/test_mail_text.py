"""What people typed, in the e-mails the service sends: nothing of it in a message to an
address nobody has proved (sign-up verification, password reset of an unverified
account); a verified member's name and the names they chose (inviter, organisation)
bounded, on one line, without invisible characters and without anything a mail program
turns into a link."""

from __future__ import annotations

import re
import unicodedata

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st

from assessor.extensions import db
from assessor.mail import NAME_CHARS, person_text
from assessor.models import User
from tests.mail_support import body, last_to
from tests.web_support import in_app, sign_up, stage

#: Up to the name field's 200 characters of an attacker's choosing.
HOSTILE = (
    "Your account is locked \u202e moc.live \u202c call +1 555 0100 or open "
    "https://evil.example/unlock and sign in at login.evil.example " + "x" * 80
)[:200]
LINKISH = re.compile(r"://|\b(?:[\w-]+\.)+[a-z]{2,}\b", re.IGNORECASE)


def _whole(message: object) -> str:
    return f"{message['Subject']}\n{body(message)}"  # type: ignore[index]


def test_the_verification_email_repeats_nothing_the_sign_up_typed(
    app: Flask, client: FlaskClient
) -> None:
    response = sign_up(client, "victim@example.com", name=HOSTILE, verify=False)
    assert response.status_code == 200
    message = _whole(last_to(app, "victim@example.com"))
    assert "\nHello,\n" in message
    for piece in ("locked", "evil", "555", "moc.live", "xxxxxxxx"):
        assert piece not in message
    # Nor the reset of that unverified account, which anybody may ask for.
    assert client.post("/reset", data={"email": "victim@example.com"}).status_code == 200
    reset = _whole(last_to(app, "victim@example.com"))
    assert "reset your password" in reset
    for piece in ("locked", "evil", "555", "xxxxxxxx"):
        assert piece not in reset


def test_an_invitation_carries_the_inviter_s_name_bounded_and_without_links(
    app: Flask, client: FlaskClient
) -> None:
    staged = stage(app, client, organization="Contoso https://evil.example")
    with in_app(app):
        user = db.session.get_one(User, staged.user_id)
        user.name = HOSTILE  # a verified member's name, as long as the form allows
        db.session.commit()
    response = client.post(
        "/workspace/invitations", data={"email": "colleague@example.com", "role": "consultant"}
    )
    assert response.status_code == 200
    message = last_to(app, "colleague@example.com")
    text = _whole(message)
    name = person_text(HOSTILE)
    assert name in body(message) and len(name) <= NAME_CHARS and name.endswith("…")
    assert "\u202e" not in text and "evil.example" not in text and "https[:]//evil[.]" in text
    # The link the service made is whole; it is the only link in the message.
    assert re.findall(r"https?://\S+", text) == [
        u for u in re.findall(r"https?://\S+", body(message)) if "/join/" in u
    ]

    respondent = client.post(
        f"{staged.detail}/respondents",
        data={"name": "Sam Ciso", "role": "CISO", "email": "sam@client.example"},
    )
    assert respondent.status_code in (200, 302)
    with in_app(app):
        from assessor.models import Respondent

        rid = db.session.query(Respondent.id).filter_by(email="sam@client.example").scalar()
    client.post(f"{staged.detail}/respondents/{rid}/email")
    invitation = _whole(last_to(app, "sam@client.example"))
    assert "Contoso https[:]//evil[.]example" in invitation and "evil.example" not in invitation


@given(st.text(max_size=300))
@example("://")  # a scheme's separator alone still reads as the start of a link
def test_person_text_is_one_bounded_line_with_nothing_to_link(text: str) -> None:
    out = person_text(text)
    assert len(out) <= NAME_CHARS
    assert "\n" not in out and "\r" not in out
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in out)
    assert LINKISH.search(out) is None
