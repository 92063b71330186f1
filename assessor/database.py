"""Engine set-up: SQLite pragmas (foreign keys, WAL, busy timeout) and write transactions."""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from assessor.extensions import db


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
    queue = _WriterQueue(f"{path}-writers.lock") if path not in (None, "", ":memory:") else None

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


class _WriterQueue:
    """Writers to one SQLite file take turns through an exclusive ``flock`` first.

    SQLite's own busy handler makes a writer that finds the database locked sleep (1, 2,
    5, 10 ... 100 ms) and try again, so under many concurrent writers the write lock often
    sits free while they sleep.  Waiting on a kernel file lock instead wakes the next
    writer as soon as the last one is done.  Each write transaction locks through a file
    descriptor of its own (a flock is held per open file, so threads and processes
    exclude each other alike).  A thread already in the queue through another connection
    does not queue again (it would wait for itself); it and any writer outside the queue
    are still held by busy_timeout.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.held: dict[int, int] = {}
        self.lock = threading.Lock()
        self.local = threading.local()

    def enter(self, dbapi_connection: Any) -> None:
        key = id(dbapi_connection)
        if key in self.held or getattr(self.local, "holding", False):
            return
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except BaseException:
            os.close(descriptor)
            raise
        with self.lock:
            self.held[key] = descriptor
        self.local.holding = True

    def leave(self, dbapi_connection: Any) -> None:
        with self.lock:
            descriptor = self.held.pop(id(dbapi_connection), None)
        if descriptor is not None:
            self.local.holding = False
            os.close(descriptor)  # closing the file releases its lock


def begin_write(*, expire: bool = True) -> None:
    """Start the session's transaction as a write transaction (SQLite: BEGIN IMMEDIATE).

    Ends the read transaction the request may have open (nothing is pending by then), so
    that what the operation reads next is read under the write lock.  ``expire=False``
    keeps loaded objects as they were read (no reload on the next attribute access), for
    an operation that reads again, under the lock, everything it relies on.
    """
    session = db.session()
    if session.in_transaction() and session.get_bind().dialect.name != "sqlite":
        # PostgreSQL (read committed): every statement already reads what is committed,
        # and a transaction that has read may write; ending it would only cost a COMMIT
        # and a BEGIN.  Objects are expired as a commit would have.
        if expire:
            session.expire_all()
        return
    if session.in_transaction():
        kept = session.expire_on_commit
        session.expire_on_commit = expire
        try:
            session.commit()
        finally:
            session.expire_on_commit = kept
    session.connection(execution_options={"immediate": True})
