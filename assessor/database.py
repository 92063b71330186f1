"""Engine set-up: SQLite pragmas (foreign keys, WAL, busy timeout) and write transactions."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from assessor.extensions import db

try:
    import fcntl
except ImportError:  # not on POSIX (Windows): SQLite's busy_timeout alone
    fcntl = None  # type: ignore[assignment]


def configure_database(app: Flask) -> None:
    """Turn on foreign keys, WAL and a busy timeout for SQLite connections."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    _sqlite_pragmas(engine, busy_ms)


def _sqlite_pragmas(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _on_begin) instead of pysqlite's own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    path = engine.url.database
    queue = None
    if fcntl is not None and path not in (None, "", ":memory:"):
        queue = _queue_for(path, busy_ms)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE takes the write lock up front, so a read-then-write transaction
        # waits for busy_timeout instead of failing with "database is locked" half way.
        immediate = connection.get_execution_options().get("immediate", False)
        if immediate and queue is not None:
            queue.enter(connection.connection.dbapi_connection)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if queue is not None:
        # The connection goes back to the pool after its COMMIT or ROLLBACK (and when its
        # process dies, the kernel drops the lock): the next writer goes on at once.
        event.listen(engine, "checkin", lambda dbapi_connection, _: queue.leave(dbapi_connection))
        event.listen(
            engine, "invalidate", lambda dbapi_connection, *_: queue.leave(dbapi_connection)
        )


_queues: dict[str, _WriterQueue] = {}
_queues_lock = threading.Lock()


def _queue_for(database: str, busy_ms: int) -> _WriterQueue:
    """The process's one queue for this database file, whichever engine asks."""
    path = os.path.realpath(f"{database}-writers.lock")
    with _queues_lock:
        queue = _queues.get(path)
        if queue is None:
            queue = _queues[path] = _WriterQueue(path, busy_ms)
        return queue


class _WriterQueue:
    """Writers to one SQLite file take turns through an exclusive ``flock`` first.

    SQLite's own busy handler makes a writer that finds the database locked sleep (1, 2,
    5, 10 ... 100 ms) and try again, so under many concurrent writers the write lock often
    sits free while they sleep.  Here a waiting writer tries the file lock again after a
    fraction of a millisecond, so the next one starts almost as soon as the last is done.
    Each write transaction locks through a file descriptor of its own (a flock is held per
    open file, so threads and processes exclude each other alike).  A writer waits at most
    ``busy_ms``, then goes on without the queue and SQLite's busy_timeout decides, as it
    does for a thread already in the queue through another connection (which would
    otherwise wait for itself).  The lock file is opened read-only: a flock needs no
    write access, so a file made by another user does not stop anyone.
    """

    #: Seconds between tries: short at first, then steady.
    PAUSES = (0.0001, 0.0002, 0.0004, 0.0005)

    def __init__(self, path: str, busy_ms: int) -> None:
        self.path = path
        self.wait = busy_ms / 1000
        self.held: dict[int, int] = {}
        self.lock = threading.Lock()
        self.local = threading.local()

    def enter(self, dbapi_connection: Any) -> None:
        key = id(dbapi_connection)
        if key in self.held or getattr(self.local, "holding", False):
            return
        try:
            descriptor = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            return  # no lock file here: SQLite's busy_timeout alone
        if not self._acquire(descriptor):
            os.close(descriptor)
            return
        with self.lock:
            self.held[key] = descriptor
        self.local.holding = True

    def _acquire(self, descriptor: int) -> bool:
        deadline = time.monotonic() + self.wait
        tries = 0
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
            time.sleep(self.PAUSES[min(tries, len(self.PAUSES) - 1)])
            tries += 1

    def leave(self, dbapi_connection: Any) -> None:
        with self.lock:
            descriptor = self.held.pop(id(dbapi_connection), None)
        if descriptor is not None:
            self.local.holding = False
            os.close(descriptor)  # closing the file releases its lock


def read_only() -> None:
    """The request only reads: on PostgreSQL its statements run without a transaction (no
    BEGIN or ROLLBACK round trips; under read committed each statement sees what was
    committed before it either way).  SQLite's read transaction costs no round trip and
    stays.  Call before the request's first query; :func:`begin_write` still gives a
    real transaction to anything that writes after it."""
    session = db.session()
    if not session.in_transaction() and session.get_bind().dialect.name != "sqlite":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _autocommit(session: Any) -> bool:
    return bool(session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT")


def _writing(session: Any) -> bool:
    return bool(session.connection().get_execution_options().get("immediate", False))


def begin_write(*, expire: bool = True) -> None:
    """Start the session's transaction as a write transaction (SQLite: BEGIN IMMEDIATE).

    Ends the read transaction the request may have open (nothing is pending by then), so
    that what the operation reads next is read under the write lock.  A write transaction
    already begun is kept, and so, on PostgreSQL, is any transaction (read committed: each
    statement reads what is committed); a connection left in AUTOCOMMIT by
    :func:`read_only` is ended, and a real transaction begun.  ``expire=False`` keeps
    loaded objects as they were read (no reload on the next attribute access), for an
    operation that reads again, under the lock, everything it relies on.
    """
    session = db.session()
    if session.in_transaction() and _writing(session):
        # Already a write transaction (the request began as one): everything read in it
        # was read under the write lock.
        if expire:
            session.expire_all()
        return
    if (
        session.in_transaction()
        and session.get_bind().dialect.name != "sqlite"
        and not _autocommit(session)
    ):
        # PostgreSQL (read committed): every statement already reads what is committed,
        # and a transaction that has read may write; ending it would only cost a COMMIT
        # and a BEGIN.  Objects are expired as a commit would have.
        if expire:
            session.expire_all()
        return
    if session.in_transaction():
        commit(expire=expire)
    session.connection(execution_options={"immediate": True})


def commit(*, expire: bool = True) -> None:
    """Commit the session; ``expire=False`` leaves loaded objects as they were read or
    written (no reload on the next attribute access)."""
    session = db.session()
    kept = session.expire_on_commit
    session.expire_on_commit = expire
    try:
        session.commit()
    finally:
        session.expire_on_commit = kept
