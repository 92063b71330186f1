"""E-mail in tests: the messages the app wrote to its outbox (the embedded default), and a
real SMTP server on localhost (aiosmtpd) that keeps what it receives and refuses, as a
mail server does, recipients at ``bounce.example``."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import MailLog
from assessor.operations import mail_queue

REFUSED_DOMAIN = "bounce.example"


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def settle(app: Flask) -> None:
    """Wait until the app's background sender has sent what requests handed it (a request
    returns before its e-mail goes)."""
    assert mail_queue.wait_idle(app, 60), "the mail sender did not finish in a minute"


def outbox(app: Flask, to: str | None = None) -> list[EmailMessage]:
    """The messages written to the outbox, oldest first (in the mail log's order)."""
    settle(app)
    folder = Path(app.config["MAIL_OUTBOX"])
    with app.app_context():
        names = db.session.scalars(
            select(MailLog.outbox_file).where(MailLog.outbox_file.is_not(None)).order_by(MailLog.id)
        ).all()
        db.session.remove()
    # Only this app's outbox: on a shared PostgreSQL database a row may name another
    # test's file.
    messages = [
        parse((folder / name).read_bytes()) for name in names if name and (folder / name).exists()
    ]
    return [m for m in messages if to is None or m["To"] == to]


def received(app: Flask, to: str | None = None) -> list[EmailMessage]:
    """What the app sent, oldest first: to the SMTP server it is set to use (a running
    :func:`smtp_server`), else to its outbox."""
    settle(app)
    port = app.config.get("MAIL_PORT") if app.config.get("MAIL_SERVER") else None
    server = next((s for s in _RUNNING if s.port == port), None)
    if server is None:
        return outbox(app, to)
    return [m for m in server.messages if to is None or m["To"] == to]


def last_to(app: Flask, to: str) -> EmailMessage:
    found = received(app, to)
    assert found, f"no e-mail to {to}"
    return found[-1]


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link(message: EmailMessage, path: str) -> str | None:
    """The path of the first link in the message starting with ``path`` (e.g. "/verify/")."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]*)", body(message))
    return found.group(1) if found else None


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1; ``messages`` holds what it accepted."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)

    def config(self) -> dict[str, Any]:
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_TLS": "none",
            "MAIL_SENDER": "Assessor <assessor@example.com>",
        }

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.server.envelopes.append(envelope)
        self.server.messages.append(parse(envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_RUNNING: list[SmtpServer] = []


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(_free_port())
    controller = Controller(_Handler(server), hostname="127.0.0.1", port=server.port)
    controller.start()
    _RUNNING.append(server)
    try:
        yield server
    finally:
        _RUNNING.remove(server)
        controller.stop()


class BlackHole:
    """A mail server that accepts connections and never answers (not even the greeting)
    until :meth:`release`, which hangs up on every client and stops listening."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        #: Set once a client is connected and waiting for the server.
        self.connected = threading.Event()
        self.held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # released
                return
            self.held.append(connection)
            self.connected.set()

    def config(self) -> dict[str, Any]:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TLS": "none"}

    def release(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()
        self._thread.join(5)


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    try:
        yield hole
    finally:
        hole.release()
