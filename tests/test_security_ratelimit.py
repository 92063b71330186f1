"""Rate limits on sign-in, sign-up, invitation and respondent links (Flask-Limiter), switched
on; in memory by default, and in Redis (shared by every process) with its own key prefix."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import base_config
from tests.security_world import World, build_world, own_app, sign_in

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_AUTH": "3 per minute",
    "RATELIMIT_LINK": "5 per minute",
    "RATELIMIT_LINK_USE": "8 per minute",
    "RATELIMIT_USER_SAVES": "6 per minute",
}
REDIS_URL = "redis://127.0.0.1:6379"
TOO_MANY = "Too many attempts"


@pytest.fixture
def app_config(tmp_path: Path, database: str) -> dict[str, Any]:
    return {**base_config(tmp_path, database), **LIMITS}


def _address(n: int) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": f"198.51.100.{n}"}}


def _sign_in(client: Any, world: World, **kwargs: Any) -> Any:
    return client.post(
        "/signin", data={"email": world.owner.email, "password": "not the password"}, **kwargs
    )


def _autosaves(
    client: Any, url: str, count: int, sent_from: Callable[[int], dict[str, Any]]
) -> tuple[list[int], Any]:
    """``count`` changes of one answer, each naming the version the last returned; their
    statuses and the last response.  ``sent_from(n)``: the request options of the n-th."""
    statuses, version, response = [], 0, None
    for n in range(count):
        body = {"question": "str_strategy_maturity", "value": n % 5, "version": version}
        response = client.post(url, json=body, **sent_from(n))
        statuses.append(response.status_code)
        version = response.get_json().get("version", version)
    return statuses, response


def test_sign_in_is_limited_per_address(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    statuses = [_sign_in(client, world, **_address(1)).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    blocked = _sign_in(client, world, **_address(1))
    assert blocked.status_code == 429
    assert TOO_MANY in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    # Even the right password waits: the limit is on attempts, not on failures.
    right = client.post(
        "/signin",
        data={"email": world.owner.email, "password": world.owner.password},
        **_address(1),
    )
    assert right.status_code == 429
    # Another address is not affected; reading the page is not limited.
    assert _sign_in(client, world, **_address(2)).status_code == 401
    assert client.get("/signin", **_address(1)).status_code == 200


def test_sign_up_is_limited(app: Flask) -> None:
    client = app.test_client()
    statuses = []
    for n in range(4):
        response = client.post(
            "/signup",
            data={
                "name": "Someone",
                "email": f"someone{n}@example.com",
                "password": "long enough password",
                "workspace": "Somewhere",
            },
            **_address(3),
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]


def test_respondent_links_count_failed_lookups_and_all_use_apart(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    # A respondent reading pages by a live link is not counted at all (writing is: see the
    # autosave test below) ...
    live = [client.get(f"/r/{world.token_a}", **_address(4)).status_code for _ in range(12)]
    assert live == [302] * 12
    # ... while guessing is stopped after a few misses, and then the address is refused
    # everything, live links included.
    guesses = [client.get(f"/r/guess{n}", **_address(5)).status_code for n in range(6)]
    assert guesses == [404] * 5 + [429]
    assert client.get(f"/r/{world.token_a}", **_address(5)).status_code == 429
    revoked = [
        client.get(f"/r/{world.revoked_token_a}", **_address(8)).status_code for _ in range(6)
    ]
    assert revoked == [404] * 5 + [429]


def test_autosave_past_the_limit_answers_in_json(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    url = f"/r/{world.token_a}/autosave"
    statuses, response = _autosaves(client, url, 9, lambda n: _address(6))
    assert statuses == [200] * 8 + [429]
    assert TOO_MANY in response.get_json()["error"]
    assert 0 < int(response.headers["Retry-After"]) <= 60
    # Every way of writing by link shares the count; reading the answers still works.
    page = f"/r/{world.token_a}/s/strategy"
    assert client.post(page, data={"go": "stay"}, **_address(6)).status_code == 429
    assert client.post(f"/r/{world.token_a}/submit", **_address(6)).status_code == 429
    assert client.get(page, **_address(6)).status_code == 200


def test_a_signed_in_users_saves_are_limited_per_user(app: Flask) -> None:
    """A consultant's autosave had no limit (1,300 saves in 5.5 s): now RATELIMIT_USER_SAVES
    counts every save a user makes, whichever respondent and address; not other users'."""
    world = build_world(app)
    consultant = app.test_client()
    sign_in(consultant, world.consultant)
    answer = f"/assessments/{world.assessment_a}/respondents/{world.respondent_a}/answer"
    statuses, response = _autosaves(
        consultant, f"{answer}/autosave", 7, lambda n: _address(10 + n % 2)
    )
    assert statuses == [200] * 6 + [429]
    assert TOO_MANY in response.get_json()["error"]
    assert 0 < int(response.headers["Retry-After"]) <= 60
    # Every save of the user shares the count (a page, a submission); reading does not.
    page = f"{answer}/s/strategy"
    assert consultant.post(page, data={"go": "stay"}).status_code == 429
    assert consultant.post(f"{answer}/submit").status_code == 429
    assert consultant.get(page).status_code == 200
    # Another user from the same address, and the respondent's own link, save on.
    owner = app.test_client()
    sign_in(owner, world.owner)
    body = {"question": "str_strategy_owner", "value": "CIO", "version": 0}
    assert owner.post(f"{answer}/autosave", json=body, **_address(10)).status_code == 200
    body = {"question": "str_strategy_owner", "value": "CISO", "version": 1}
    link = app.test_client().post(f"/r/{world.token_a}/autosave", json=body, **_address(10))
    assert link.status_code == 200


def test_invitation_links_are_limited(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    statuses = [
        client.get(f"/join/{world.invitation_token_a}", **_address(7)).status_code for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]


def test_forwarded_address_is_the_key_behind_a_trusted_proxy(tmp_path: Path, database: str) -> None:
    """Behind ProxyFix the limit follows the client's address, not the proxy's."""
    with own_app({**base_config(tmp_path, database), **LIMITS, "PROXY_FIX": 1}) as app:
        client = app.test_client()
        forwarded = {"X-Forwarded-For": "203.0.113.1"}
        for n in range(3):
            client.get(f"/r/guess{n}", headers=forwarded)
            client.get(f"/r/guess{n}", headers=forwarded)
        assert client.get("/r/x", headers=forwarded).status_code == 429
        other = {"X-Forwarded-For": "203.0.113.2"}
        assert client.get("/r/x", headers=other).status_code == 404


# --- Redis: the storage several processes share ---------------------------------------------


@pytest.fixture
def redis_prefix() -> Iterator[tuple[Any, str]]:
    """A Redis connection and a key prefix of this test's own; its keys are deleted after."""
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"assessor-test-{uuid.uuid4().hex[:12]}"
    try:
        yield connection, prefix
    finally:
        keys = list(connection.scan_iter(match=f"*{prefix}*"))
        if keys:
            connection.delete(*keys)
        connection.close()


def test_limits_are_kept_in_redis_with_their_own_prefix(
    tmp_path: Path, redis_prefix: tuple[Any, str]
) -> None:
    connection, prefix = redis_prefix
    config = {
        **base_config(tmp_path, f"sqlite:///{tmp_path / 'redis.db'}"),
        **LIMITS,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    with own_app(config) as app:
        client = app.test_client()
        statuses = [client.get(f"/r/guess{n}", **_address(8)).status_code for n in range(6)]
        assert statuses == [404] * 5 + [429]
        keys = [k.decode() for k in connection.scan_iter(match=f"*{prefix}*")]
        assert keys, "no rate-limit keys in Redis"
        # The count lives in Redis, where every worker process reads it.
        counts = [int(connection.get(k) or 0) for k in keys if connection.type(k) == b"string"]
        assert max(counts) >= 5


def test_link_limits_count_across_the_link_routes(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    routes = ("/r/guess", "/r/guess/s/context", "/r/guess/submit")
    statuses = [client.get(routes[n % 3], **_address(9)).status_code for n in range(6)]
    assert statuses == [404] * 5 + [429]
    assert client.post("/r/guess/autosave", json={}, **_address(9)).status_code == 429
    assert client.get(f"/r/{world.token_a}/s/context", **_address(9)).status_code == 429


def test_reset_requests_resends_and_account_links_are_limited(app: Flask) -> None:
    """Password-reset requests and "send the link again" count like sign-up
    (RATELIMIT_AUTH); verification and reset links like invitation links (RATELIMIT_LINK)."""
    world = build_world(app)
    client = app.test_client()
    resets = [
        client.post("/reset", data={"email": f"r{n}@example.com"}, **_address(40)).status_code
        for n in range(4)
    ]
    assert resets == [200, 200, 200, 429]
    links = [client.get(f"/verify/{'x' * 43}", **_address(41)).status_code for _ in range(6)]
    assert links == [404] * 5 + [429]
    resets_by_link = [
        client.get(f"/reset/{'y' * 43}", **_address(42)).status_code for _ in range(6)
    ]
    assert resets_by_link == [404] * 5 + [429]
    signed_in = app.test_client()
    signed_in.post(
        "/signin",
        data={"email": world.owner.email, "password": world.owner.password},
        **_address(43),
    )
    resends = [signed_in.post("/verify/resend", **_address(43)).status_code for _ in range(4)]
    assert resends == [302, 302, 302, 429]
