"""The request log: one JSON line per request, by route rule, with nothing secret in it.

A sign-in and a respondent's autosave and page save are made with CSRF on; then every log
record of the run (every logger, INFO and up) is searched for the password, the email, the
respondent token, the session cookies, the CSRF tokens and the answer and comment text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import base_config
from tests.security_world import build_world, page_token

ANSWER = "SECRET-ANSWER-quokka-41"
COMMENT = "SECRET-COMMENT-wombat-97"
FIELDS = {"method", "route", "endpoint", "status", "duration_ms", "user", "request_id"}


@pytest.fixture
def app_config(tmp_path: Path, database: str) -> dict[str, Any]:
    return {**base_config(tmp_path, database), "WTF_CSRF_ENABLED": True}


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record logged during the test, whichever logger and handler set-up is in place."""
    caplog.set_level(logging.INFO)
    request_log = logging.getLogger("assessor.requests")
    assert not request_log.disabled, "the request log was switched off (logging.config?)"
    attached = caplog.handler not in request_log.handlers and not request_log.propagate
    if attached:
        request_log.addHandler(caplog.handler)
    yield caplog
    if attached:
        request_log.removeHandler(caplog.handler)


def test_sign_in_and_autosave_leave_no_secret_in_the_logs(
    app: Flask, captured: pytest.LogCaptureFixture
) -> None:
    world = build_world(app)
    captured.clear()  # only what the requests log

    owner = app.test_client()
    sign_in_token = page_token(owner)
    signed = owner.post(
        "/signin",
        data={
            "email": world.owner.email,
            "password": world.owner.password,
            "csrf_token": sign_in_token,
        },
    )
    assert signed.status_code == 302
    owner_token = page_token(owner, f"/assessments/{world.assessment_a}")

    respondent = app.test_client()
    link_token = page_token(respondent, f"/r/{world.token_a}")
    saved = respondent.post(
        f"/r/{world.token_a}/autosave",
        json={"question": "gov_comments", "value": ANSWER, "comment": COMMENT, "version": 0},
        headers={"X-CSRFToken": link_token},
    )
    assert saved.status_code == 200, saved.get_json()
    page = respondent.post(
        f"/r/{world.token_a}/s/strategy",
        data={
            "csrf_token": link_token,
            "str_strategy_owner": "CISO",
            "c_str_strategy_owner": f"{COMMENT}-page",
            "go": "stay",
        },
    )
    assert page.status_code == 302
    made = 7  # sign-in page and post, the detail page, the link and its page, two saves

    secrets = {
        "password": world.owner.password,
        "email": world.owner.email,
        "respondent token": world.token_a,
        "owner's session cookie": owner.get_cookie("session").value,
        "respondent's session cookie": respondent.get_cookie("session").value,
        "sign-in CSRF token": sign_in_token,
        "owner's CSRF token": owner_token,
        "respondent's CSRF token": link_token,
        "answer": ANSWER,
        "comment": COMMENT,
    }
    logged = [
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {json.dumps(r.__dict__, default=str)}"
        for r in captured.records
    ]
    leaks = [
        f"{name} in {line[:120]}" for line in logged for name, v in secrets.items() if v in line
    ]
    assert leaks == []

    lines = {}
    for record in captured.records:
        if record.name == "assessor.requests":
            line = json.loads(record.getMessage())
            lines[line["request_id"]] = line
    assert len(lines) == made
    for line in lines.values():
        assert set(line) == FIELDS
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    routes = {(line["method"], line["route"]): line for line in lines.values()}
    autosave = routes[("POST", "/r/<token>/autosave")]
    assert autosave["status"] == 200 and autosave["user"] == "anonymous"
    assert autosave["endpoint"] == "answering.link_autosave"
    assert routes[("POST", "/signin")]["status"] == 302
    detail = routes[("GET", "/assessments/<id:assessment_id>")]
    assert detail["user"] == world.owner.user_id


def test_unmatched_paths_are_logged_without_the_path(
    app: Flask, captured: pytest.LogCaptureFixture
) -> None:
    client = app.test_client()
    client.get("/no/such/place/with-a-secret-token-in-it")
    records = captured.records
    lines = [json.loads(r.getMessage()) for r in records if r.name == "assessor.requests"]
    assert lines[-1]["route"] is None and lines[-1]["status"] == 404
    assert not any("secret-token" in r.getMessage() for r in records)
