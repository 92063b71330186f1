"""Engine set-up: SQLite pragmas (foreign keys, WAL, busy timeout) and write transactions."""

from __future__ import annotations

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

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE takes the write lock up front, so a read-then-write transaction
        # waits for busy_timeout instead of failing with "database is locked" half way.
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
