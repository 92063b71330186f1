"""CSRF protection, switched on: every state-changing request needs the session's token.

* Every POST route of the app (the access matrix's list) without a token: 400, and
  nothing changes in the database.
* The autosave endpoint takes the token in ``X-CSRFToken`` and answers in JSON.
* A questionnaire session lasts hours: a token issued three hours ago still saves.
* https posts work without a Referer (the pages send ``Referrer-Policy: no-referrer``).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner

from tests.conftest import base_config
from tests.security_world import World, build_world, own_app, workspace_snapshot
from tests.test_access_matrix import ROUTES

META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def app_config(tmp_path: Path, database: str) -> dict[str, Any]:
    return {**base_config(tmp_path, database), "WTF_CSRF_ENABLED": True}


def csrf_token(client: FlaskClient, url: str = "/signin", **kwargs: Any) -> str:
    """The token a page carries in its ``<meta name="csrf-token">``."""
    response = client.get(url, follow_redirects=True, **kwargs)
    found = META.search(response.get_data(as_text=True))
    assert found, f"no csrf meta on {url}"
    return found.group(1)


def sign_in_with_token(client: FlaskClient, email: str, password: str, **kwargs: Any) -> Any:
    token = csrf_token(client, **kwargs)
    return client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token}, **kwargs
    )


def _both(app: Flask, world: World) -> tuple[str, str]:
    with app.app_context():
        return workspace_snapshot(world.workspace_a), workspace_snapshot(world.workspace_b)


def test_every_post_route_refuses_a_request_without_token(app: Flask) -> None:
    world = build_world(app)
    owner = app.test_client()
    assert sign_in_with_token(owner, world.owner.email, world.owner.password).status_code == 302
    respondent = app.test_client()
    respondent.get(f"/r/{world.token_a}")
    anonymous = app.test_client()
    anonymous.get("/signin")
    failures = []
    before = _both(app, world)
    for endpoint, route in ROUTES.items():
        if route.post is None:
            continue
        actor = "link" if route.access == "link" else "owner"
        url = route.url(world, actor)
        data = route.data(world, actor) if route.data else {}
        for name, client in (
            ("signed in", owner if actor == "owner" else respondent),
            ("anonymous", anonymous),
        ):
            if route.as_json:
                response = client.post(url, json=data)
            else:
                response = client.post(url, data=data)
            if response.status_code != 400:
                failures.append(f"{name} POST {endpoint}: {response.status_code}")
            elif route.as_json and "error" not in (response.get_json(silent=True) or {}):
                failures.append(f"{name} POST {endpoint}: no JSON error")
    assert failures == []
    assert _both(app, world) == before


def test_a_token_from_another_session_is_refused(app: Flask) -> None:
    world = build_world(app)
    owner = app.test_client()
    sign_in_with_token(owner, world.owner.email, world.owner.password)
    foreign = csrf_token(app.test_client())
    response = owner.post("/organizations/new", data={"name": "Forged", "csrf_token": foreign})
    assert response.status_code == 400


def test_the_token_from_before_sign_in_stops_working(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    old = csrf_token(client)
    response = client.post(
        "/signin",
        data={"email": world.owner.email, "password": world.owner.password, "csrf_token": old},
    )
    assert response.status_code == 302
    stale = client.post("/organizations/new", data={"name": "Stale token", "csrf_token": old})
    assert stale.status_code == 400
    fresh = csrf_token(client, "/organizations/new")
    ok = client.post("/organizations/new", data={"name": "Fresh token", "csrf_token": fresh})
    assert ok.status_code == 302


def _autosave(client: FlaskClient, token: str, url: str, value: str, version: int) -> Any:
    return client.post(
        url,
        json={
            "question": "str_strategy_owner",
            "value": value,
            "comment": None,
            "version": version,
        },
        headers={"X-CSRFToken": token},
    )


def test_autosave_takes_the_token_in_a_header_and_answers_in_json(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    token = csrf_token(client, f"/r/{world.token_a}")
    url = f"/r/{world.token_a}/autosave"
    refused = client.post(url, json={"question": "str_strategy_owner", "value": "CIO"})
    assert refused.status_code == 400
    assert "Reload the page" in refused.get_json()["error"]
    saved = _autosave(client, token, url, "CIO", 0)
    assert saved.status_code == 200 and saved.get_json()["version"] == 1


def _issued_hours_ago(client: FlaskClient, url: str, hours: float, monkeypatch: Any) -> str:
    """A page's token as if the page had been loaded ``hours`` ago."""
    issued_at = int(time.time() - hours * 3600)
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: issued_at)
        return csrf_token(client, url)


def test_autosave_works_with_a_token_issued_three_hours_ago(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(app)
    client = app.test_client()
    token = _issued_hours_ago(client, f"/r/{world.token_a}", 3, monkeypatch)
    response = _autosave(client, token, f"/r/{world.token_a}/autosave", "CISO", 0)
    assert response.status_code == 200, response.get_json()
    # The whole-page save (the no-JavaScript path) too, naming the version the page shows.
    page = client.post(
        f"/r/{world.token_a}/s/strategy",
        data={
            "csrf_token": token,
            "str_strategy_owner": "CISO",
            "v_str_strategy_owner": "1",
            "str_strategy_maturity": "2",
            "go": "stay",
        },
    )
    assert page.status_code == 302


def test_with_a_time_limit_the_same_token_would_have_expired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: it can fail."""
    config = {
        **base_config(tmp_path, f"sqlite:///{tmp_path / 'limit.db'}"),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 3600,
    }
    with own_app(config) as app:
        world = build_world(app)
        client = app.test_client()
        token = _issued_hours_ago(client, f"/r/{world.token_a}", 3, monkeypatch)
        response = _autosave(client, token, f"/r/{world.token_a}/autosave", "CISO", 0)
        assert response.status_code == 400


def test_https_post_without_referer_is_accepted(app: Flask) -> None:
    """Browsers send no Referer under no-referrer; the token alone must be enough."""
    world = build_world(app)
    client = app.test_client()
    https = {"base_url": "https://assessor.example"}
    response = sign_in_with_token(client, world.owner.email, world.owner.password, **https)
    assert response.status_code == 302
    token = csrf_token(client, "/organizations/new", **https)
    created = client.post(
        "/organizations/new", data={"name": "Over https", "csrf_token": token}, **https
    )
    assert created.status_code == 302
