"""Whether an address has an account shows neither in the answer (tests/test_web_accounts.py)
nor in the work done for it, which is what timing would reveal: measured here by what the
request sends the database (every statement, every commit), how many password hashes it
computes and how many e-mails it queues, never by a clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from assessor.extensions import db
from assessor.models import AccountLink, AuditEvent, MailLog
from assessor.operations import passwords
from tests.mail_support import settle
from tests.web_support import PASSWORD, in_app, sign_up


@dataclass
class Work:
    """What one request asked of the database and of the password hasher."""

    statements: list[str] = field(default_factory=list)
    commits: int = 0
    hashes: int = 0
    mails: int = 0


def _mails(app: Flask) -> int:
    with in_app(app):
        return int(db.session.scalar(select(func.count()).select_from(MailLog)) or 0)


@contextmanager
def recording(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    """Record the work of the requests this thread makes meanwhile (the e-mail sender's
    thread, which sends after the request returned, is left out)."""
    work = Work()
    thread = threading.get_ident()
    with app.app_context():
        engine = db.engine
    hash_password = passwords.generate_password_hash

    def counted_hash(*args: Any, **kwargs: Any) -> str:
        work.hashes += 1
        return hash_password(*args, **kwargs)

    def statement(conn: Any, cursor: Any, text: str, *args: Any) -> None:
        if threading.get_ident() == thread:
            work.statements.append(" ".join(text.split()))

    def commit(conn: Any) -> None:
        if threading.get_ident() == thread:
            work.commits += 1

    settle(app)
    mails = _mails(app)
    monkeypatch.setattr(passwords, "generate_password_hash", counted_hash)
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield work
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
        monkeypatch.setattr(passwords, "generate_password_hash", hash_password)
    settle(app)
    work.mails = _mails(app) - mails


def _rows(app: Flask, model: Any) -> int:
    with in_app(app):
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_reset_request_does_the_same_work_for_a_known_and_an_unknown_address(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_up(client, "olive@example.com")
    stranger = app.test_client()
    stranger.post("/reset", data={"email": "warm-up@example.com"})
    links, audits = _rows(app, AccountLink), _rows(app, AuditEvent)

    with recording(app, monkeypatch) as known:
        assert stranger.post("/reset", data={"email": "Olive@example.com"}).status_code == 200
    assert (_rows(app, AccountLink), _rows(app, AuditEvent)) == (links + 1, audits + 1)
    with recording(app, monkeypatch) as unknown:
        assert stranger.post("/reset", data={"email": "nobody@example.com"}).status_code == 200
    assert (_rows(app, AccountLink), _rows(app, AuditEvent)) == (links + 1, audits + 1)

    # The same statements, in the same order, the same commits, one e-mail each.
    assert known.statements == unknown.statements
    assert any(s.startswith("INSERT INTO account_link") for s in known.statements)
    assert known.commits == unknown.commits
    assert known.mails == unknown.mails == 1


def test_a_sign_up_does_the_same_work_for_a_known_and_a_new_address(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_up(client, "olive@example.com")
    stranger = app.test_client()
    form = {"name": "Olive Owner", "password": PASSWORD, "workspace": "Acme", "kind": "firm"}
    stranger.post("/signup", data={**form, "email": "warm-up@example.com"})

    with recording(app, monkeypatch) as known:
        answer = stranger.post("/signup", data={**form, "email": "olive@example.com"})
        assert answer.status_code == 200
    with recording(app, monkeypatch) as new:
        answer = stranger.post("/signup", data={**form, "email": "newcomer@example.com"})
        assert answer.status_code == 200

    # The slow part, the password hash (scrypt), once either way; the same commits; one
    # e-mail each.  (The rows differ: an account and its workspace, or one audit entry.)
    assert known.hashes == new.hashes == 1
    assert known.commits == new.commits
    assert known.mails == new.mails == 1
