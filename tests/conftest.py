"""Fixtures: an app per test from the factory, on SQLite and (when configured) PostgreSQL.

``ASSESSOR_TEST_DATABASE_URL`` names a PostgreSQL database that the suite may fill and
empty; with it, every test that uses the ``app`` fixture runs on both databases.
In CI (``CI=true``) it is required: a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_request_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event, text

from assessor import create_app
from assessor.extensions import db
from assessor.operations import mail_queue
from tests.web_support import Stage, issue_link, stage

PG_URL = os.environ.get("ASSESSOR_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
DATABASES = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
_tested: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true but ASSESSOR_TEST_DATABASE_URL is not set")


def pytest_report_header(config: pytest.Config) -> str:
    return f"databases: {', '.join(DATABASES)}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _tested:
        terminalreporter.write_line(f"databases tested: {', '.join(sorted(_tested))}")


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """Create the schema once in the PostgreSQL test database; drop it at the end."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": PG_URL})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield PG_URL
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def base_config(tmp_path: Path, url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "REPORT_CACHE_DIR": str(tmp_path / "reports"),
        # No SMTP server: e-mails are written here (tests/mail_support.py reads them).
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        # Submissions render their PDF ahead of time only where a test asks for it.
        "PRERENDER": False,
    }


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database URL a test runs on."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.fail("PostgreSQL requested without ASSESSOR_TEST_DATABASE_URL")
        return str(request.getfixturevalue("pg_schema"))
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app_config(tmp_path: Path, database: str) -> dict[str, Any]:
    """Config for the ``app`` fixture; a test may override it to change settings."""
    return base_config(tmp_path, database)


@pytest.fixture
def app(app_config: dict[str, Any], database: str) -> Iterator[Flask]:
    app = create_app(app_config)
    dialect = "postgresql" if database.startswith("postgresql") else "sqlite"
    _tested.add(dialect)
    deferred: list[str] = []
    with app.app_context():
        if dialect == "sqlite":
            db.create_all()
            event.listen(db.engine, "before_cursor_execute", _deferred_writes(deferred))
    yield app
    mail_queue.wait_idle(app, 60)  # a request's e-mail is sent after it returned
    # SQLite: a request that writes inside a plain (deferred) transaction fails with
    # "database is locked" when another writer commits between its reads and its write;
    # every request's writes must run under begin_write (BEGIN IMMEDIATE).
    assert not deferred, f"requests wrote outside a write transaction: {deferred[:3]}"
    with app.app_context():
        db.session.remove()
        if dialect == "postgresql":
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def _deferred_writes(found: list[str]) -> Any:
    """A listener noting each write a request sends outside BEGIN IMMEDIATE."""

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if (
            verb in ("INSERT", "UPDATE", "DELETE")
            and has_request_context()
            and not conn.get_execution_options().get("immediate", False)
        ):
            found.append(" ".join(statement.split())[:90])

    return note


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def setup(app: Flask, client: FlaskClient) -> Stage:
    """The owner (signed in on ``client``) with an assessment and one respondent, the CIO."""
    return stage(app, client)


@pytest.fixture
def token(app: Flask, setup: Stage) -> str:
    """A personal link of the ``setup``'s respondent."""
    return issue_link(app, setup.respondent_id)
