"""What reaches a real SMTP server that asks for a sign-in (aiosmtpd with AUTH): settings
read from the environment as numbers still sign in; a password SMTP cannot send is a
failure the consultant reads, not a message stuck "being e-mailed"; a long subject stays
on its header line."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from assessor.mail import MailError, build, deliver


@dataclass
class SigningInServer:
    port: int
    accounts: set[tuple[str, str]] = field(
        default_factory=lambda: {("12345", "67890"), ("mailer", "secret")}
    )
    sign_ins: list[tuple[str, str]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)

    def config(self, user: Any, password: Any) -> dict[str, Any]:
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_TLS": "none",
            "MAIL_TIMEOUT": 2,  # a client that gives up mid-sign-in waits this long to quit
            "MAIL_USER": user,
            "MAIL_PASSWORD": password,
        }


class _Handler:
    def __init__(self, server: SigningInServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.server.raw.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture(params=["PLAIN", "LOGIN"])
def signing_in_server(request: pytest.FixtureRequest) -> Iterator[SigningInServer]:
    """A server offering one sign-in mechanism: PLAIN formats user and password as one
    text, LOGIN encodes each on its own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = SigningInServer(port)

    def authenticate(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        login, password = (
            data.login.decode(errors="replace"),
            data.password.decode(errors="replace"),
        )
        server.sign_ins.append((login, password))
        return AuthResult(success=(login, password) in server.accounts)

    controller = Controller(
        _Handler(server),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
        auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m != request.param],
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def _message(subject: str = "A note") -> Any:
    return build("Assessor <assessor@example.com>", "sam@client.example", subject, "Hello.")


def test_a_user_and_password_read_as_numbers_still_sign_in(
    signing_in_server: SigningInServer, tmp_path: Any
) -> None:
    # ASSESSOR_MAIL_USER=12345 is read from the environment as JSON: the number 12345.
    deliver(signing_in_server.config(12345, 67890), str(tmp_path), _message())
    assert signing_in_server.sign_ins == [("12345", "67890")]
    assert len(signing_in_server.raw) == 1


def test_a_password_smtp_cannot_send_is_a_failure_that_says_why(
    signing_in_server: SigningInServer, tmp_path: Any
) -> None:
    # Either the client refuses to encode it (PLAIN), or the server refuses what arrives:
    # a MailError the consultant reads, never another exception that leaves it unsent.
    with pytest.raises(MailError, match="ASCII|refused by the mail server"):
        deliver(signing_in_server.config("mailer", "mot-de-passe-été"), str(tmp_path), _message())
    assert signing_in_server.raw == []


def test_a_long_subject_stays_on_its_header_line(
    signing_in_server: SigningInServer, tmp_path: Any
) -> None:
    subject = "Olive Owner asks you to answer a governance assessment for Contoso Health"
    deliver(signing_in_server.config("mailer", "secret"), str(tmp_path), _message(subject))
    (raw,) = signing_in_server.raw
    assert f"Subject: {subject}\r\n".encode() in raw
