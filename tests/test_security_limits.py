"""Oversized requests: a body over MAX_CONTENT_LENGTH, a form field over MAX_FORM_MEMORY_SIZE
or more parts than MAX_FORM_PARTS get 413 with a message (JSON from the autosave endpoint),
and nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import base_config
from tests.security_world import build_world, sign_in, workspace_snapshot

MESSAGE = "too large"


@pytest.fixture(params=[False, True], ids=["csrf-off", "csrf-on"])
def app_config(request: pytest.FixtureRequest, tmp_path: Path, database: str) -> dict[str, Any]:
    """With CSRF on, the token check reads the form first: the limit must hold there too."""
    return {**base_config(tmp_path, database), "WTF_CSRF_ENABLED": request.param}


def multipart(fields: dict[str, str]) -> dict[str, Any]:
    """A multipart body built here, in memory (the test client would spool a big one to a
    temporary file that it never closes)."""
    boundary = "----assessor-test-boundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += f"--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _html_413(response: Any) -> None:
    assert response.status_code == 413
    assert MESSAGE in response.get_data(as_text=True)


def test_body_over_the_limit(app: Flask, client: FlaskClient) -> None:
    world = build_world(app)
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    _html_413(client.post("/signin", data={"email": big, "password": "p"}))
    response = client.post(
        f"/r/{world.token_a}/autosave",
        data=json.dumps({"question": "gov_comments", "value": big}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert MESSAGE in response.get_json()["error"]


def test_form_field_over_the_memory_limit(app: Flask, client: FlaskClient) -> None:
    world = build_world(app)
    sign_in_client = app.test_client()
    sign_in(sign_in_client, world.owner)
    with app.app_context():
        before = workspace_snapshot(world.workspace_a)
    field = "y" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    assert len(field) < app.config["MAX_CONTENT_LENGTH"]
    _html_413(sign_in_client.post("/organizations/new", **multipart({"name": field})))
    _html_413(
        client.post(
            f"/r/{world.token_a}/s/governance", **multipart({"gov_comments": field, "go": "stay"})
        )
    )
    # URL-encoded forms have only the body limit; the field's own length check refuses it.
    refused = sign_in_client.post("/organizations/new", data={"name": field})
    assert refused.status_code == (400 if app.config["WTF_CSRF_ENABLED"] else 422)
    with app.app_context():
        assert workspace_snapshot(world.workspace_a) == before


def test_too_many_form_parts(app: Flask, client: FlaskClient) -> None:
    world = build_world(app)
    parts = {f"f{n}": "1" for n in range(app.config["MAX_FORM_PARTS"] + 5)}
    response = client.post(
        f"/r/{world.token_a}/s/strategy", data=parts, content_type="multipart/form-data"
    )
    _html_413(response)


def test_autosave_json_of_the_right_size_is_fine(app: Flask, client: FlaskClient) -> None:
    """Just under the limits, a long comment is refused by the rules, not the size guard."""
    world = build_world(app)
    response = client.post(
        f"/r/{world.token_a}/autosave",
        json={
            "question": "gov_comments",
            "value": "fine",
            "comment": "z" * 100_000,
            "version": 0,
        },
        headers={"X-CSRFToken": "missing"} if app.config["WTF_CSRF_ENABLED"] else {},
    )
    if app.config["WTF_CSRF_ENABLED"]:
        assert response.status_code == 400
    else:
        assert response.status_code == 422
        assert "at most" in response.get_json()["error"]
