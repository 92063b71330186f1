"""`assessor demo seed` and `make run`: the demo login is the last thing printed before the
server starts, with the address it serves on (which PORT and HOST change)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import MailLog

ROOT = Path(__file__).resolve().parent.parent


def test_seed_prints_where_to_open_and_the_login_that_works(app: Flask, tmp_path: Path) -> None:
    app.instance_path = str(tmp_path)  # the demo password file goes here, not the project's
    runner = app.test_cli_runner()

    result = runner.invoke(args=["demo", "seed", "--url", "http://127.0.0.1:8123"])

    assert result.exit_code == 0, result.output
    password = (tmp_path / "demo-password").read_text().strip()
    lines = [line.split() for line in result.output.strip().splitlines()]
    assert lines[:3] == [
        "Demo workspace created: open http://127.0.0.1:8123 and sign in as".split(),
        ["email", "demo@example.com"],
        ["password", password],
    ]
    client = app.test_client()
    response = client.post("/signin", data={"email": "demo@example.com", "password": password})
    assert response.status_code == 302
    again = runner.invoke(args=["demo", "seed"])
    assert again.output.strip().splitlines()[0] == "Demo workspace ready. Sign in as"
    # Seeding sends nothing: no "submitted" notes about the demo's own answers.
    with app.app_context():
        assert db.session.scalars(select(MailLog)).all() == []
    outbox = Path(app.config["MAIL_OUTBOX"])
    assert not outbox.exists() or list(outbox.iterdir()) == []


def test_the_seeded_demo_is_the_one_the_tests_and_benches_read(app: Flask) -> None:
    """One demo: what `make run` seeds is tests/answers/demo.json, on the latest
    questionnaire, so the report the tests and benches check is the one people see."""
    import json

    from assessor.operations.catalog import catalog
    from assessor.operations.demo import demo_document

    document = demo_document()
    assert document == json.loads((ROOT / "tests" / "answers" / "demo.json").read_text())
    with app.app_context():
        latest = catalog().get(str(document["questionnaire"]))
    assert document["version"] == latest.version


def _dry_run(*variables: str) -> list[str]:
    """The lines `make -n run` prints, as at a shell: the suite itself runs under `make
    test`, whose MAKEFLAGS and MAKELEVEL would make it print "Entering directory" lines."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", "run", *variables],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_prints_the_login_last_then_serves_where_told() -> None:
    """The commands `make run` would run (a dry run): the server's, with the PORT and HOST
    given, comes right after the demo seed that prints the login with that address."""
    commands = _dry_run("PORT=8123", "HOST=0.0.0.0")
    assert commands[-2:] == [
        ".venv/bin/assessor demo seed --url http://0.0.0.0:8123",
        ".venv/bin/assessor run --host 0.0.0.0 --port 8123",
    ]
    defaults = _dry_run()
    assert defaults[-1] == ".venv/bin/assessor run --host 127.0.0.1 --port 5000"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("variables", "environment", "expected"),
    [
        ((), {}, "http://127.0.0.1:5000"),
        (("PORT=8123",), {}, "http://127.0.0.1:8123"),
        (
            ("PORT=8123",),
            {"ASSESSOR_BASE_URL": "https://assess.example.com"},
            "https://assess.example.com",
        ),
    ],
)
def test_make_run_points_the_links_in_e_mails_where_the_server_listens(
    tmp_path: Path, variables: tuple[str, ...], environment: dict[str, str], expected: str
) -> None:
    """`make run PORT=8123` e-mails links to port 8123, not the default 5000 (a verification
    link to a port nothing listens on is dead); a public address set by the operator wins.
    Run for real, with a stand-in `assessor` that records what each step was given."""
    record = tmp_path / "steps"
    stand_in = tmp_path / "assessor"
    stand_in.write_text(f'#!/bin/sh\necho "$ASSESSOR_BASE_URL $*" >> {record}\n')
    stand_in.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env.pop("ASSESSOR_BASE_URL", None)
    subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "run", f"BIN={tmp_path}", *variables],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        check=True,
    )
    steps = record.read_text().splitlines()
    assert [step.split(" ", 1)[1].split(" ")[0] for step in steps] == ["db", "mail", "demo", "run"]
    assert {step.split(" ", 1)[0] for step in steps} == {expected}
