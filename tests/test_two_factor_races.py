"""Two sign-ins with one second-step code at the same moment (a code seen over a
shoulder, typed while its owner types it): one gets in, on PostgreSQL (read committed:
nothing but the statements themselves keeps the two apart) as on SQLite.

Each racing request, at its first write, waits for the other to reach its own first
write (or, on SQLite, where the other waits for the write lock, a moment): so both have
read the user's last accepted step and unused codes before either writes, which is how
two gunicorn processes with one code interleave.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from assessor.extensions import db
from assessor.models import RecoveryCode, UserSession
from tests.two_factor_support import T0, code_at, enrol, signed_in
from tests.web_support import Stage, in_app, sign_in

RACERS = ("race-1", "race-2")
#: How long a racing request waits for the other at its first write (SQLite: the other
#: cannot get there while this one holds the write lock).
MEET_SECONDS = 2


class Meeting:
    """The racing requests' first writes, held until both are there."""

    def __init__(self) -> None:
        self.barrier = threading.Barrier(len(RACERS))
        self.waited: set[str] = set()
        self.met = False

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        name = threading.current_thread().name
        verb = statement.lstrip().split(None, 1)[0].upper()
        if name not in RACERS or name in self.waited or verb not in ("INSERT", "UPDATE", "DELETE"):
            return
        self.waited.add(name)
        try:
            self.barrier.wait(MEET_SECONDS)
            self.met = True
        except threading.BrokenBarrierError:
            pass  # the other waits for the write lock (SQLite): go first


@contextmanager
def meeting(app: Flask) -> Iterator[Meeting]:
    held = Meeting()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", held)
    try:
        yield held
    finally:
        event.remove(engine, "before_cursor_execute", held)


def _sessions(app: Flask) -> int:
    with in_app(app):
        return int(db.session.scalar(select(func.count()).select_from(UserSession)) or 0)


@pytest.mark.parametrize("kind", ["authenticator", "recovery"])
def test_one_code_twice_at_once_signs_in_once(
    app: Flask, client: FlaskClient, setup: Stage, database: str, kind: str
) -> None:
    secret, codes = enrol(client)
    browsers = [app.test_client() for _ in RACERS]
    statuses: dict[str, int] = {}
    with time_machine.travel(T0, tick=False):
        code = code_at(secret, T0) if kind == "authenticator" else codes[0]
        for browser in browsers:
            assert sign_in(browser, "olive@example.com").headers["Location"] == "/signin/code"
        before = _sessions(app)

        def attempt(browser: FlaskClient) -> None:
            response = browser.post("/signin/code", data={"code": code})
            statuses[threading.current_thread().name] = response.status_code

        with meeting(app) as held:
            threads = [
                threading.Thread(target=attempt, args=(b,), name=n)
                for b, n in zip(browsers, RACERS, strict=True)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert not any(t.is_alive() for t in threads)
        if database.startswith("postgresql"):
            assert held.met, "the two requests did not write at the same time"
        assert sorted(statuses.values()) == [302, 422]
        assert [signed_in(b) for b in browsers].count(True) == 1
        assert _sessions(app) == before + 1
    if kind == "recovery":
        with in_app(app):
            used = db.session.scalars(
                select(RecoveryCode.id).where(RecoveryCode.used_at.is_not(None))
            ).all()
            assert len(used) == 1
