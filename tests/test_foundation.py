"""The app factory, configuration precedence, the health check and the console script."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assessor import create_app


def test_config_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSESSOR_INVITE_DAYS", "7")
    monkeypatch.setenv("ASSESSOR_RATELIMIT_AUTH", "5 per minute")
    app = create_app({"RATELIMIT_AUTH": "1 per minute", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["INVITE_DAYS"] == 7  # environment over defaults, parsed as JSON
    assert app.config["RATELIMIT_AUTH"] == "1 per minute"  # mapping over environment
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024  # default kept


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("ASSESSOR_DATABASE_URL", url)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url


def test_default_database_is_sqlite_in_instance_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESSOR_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{Path(app.instance_path) / 'assessor.db'}"
    )


def test_secret_key_generated_once_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ASSESSOR_SECRET_KEY", raising=False)
    from assessor import config

    key = config.secret_key_for(tmp_path / "instance")
    again = config.secret_key_for(tmp_path / "instance")
    assert key == again and len(key) == 64
    mode = (tmp_path / "instance" / "secret_key").stat().st_mode
    assert not mode & (stat.S_IRGRP | stat.S_IROTH)


def test_secret_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESSOR_SECRET_KEY", "from-the-environment")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_healthz_reports_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] in ("sqlite", "postgresql")


def test_healthz_fails_when_database_is_unreachable(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_sqlite_pragmas(app) -> None:
    from assessor.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas only")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_console_script_lists_project_commands() -> None:
    script = Path(sys.executable).with_name("assessor")
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    assert "db" in out


def test_engine_and_questionnaire_import_without_flask_or_sqlalchemy() -> None:
    code = (
        "import sys, assessor.engine, assessor.questionnaire;"
        "bad = [m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
