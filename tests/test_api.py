"""The JSON API as a client uses it: versions and conflicts, the report's 202 then its PDF,
idempotent creates, ETags, problem details, rate limits, tokens and their lifecycle."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import ApiToken, AuditEvent, Membership, Organization
from assessor.operations import members
from tests.api_support import bearer, make_token, make_tokens
from tests.security_world import World, build_world, sign_in
from tests.web_support import (
    complete_answers,
    in_app,
    questionnaire,
    save_and_submit,
    stage_with_queue_off,
)

API = "/api/v1"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
#: A Redis database of these tests' own (RQ has no key prefix; 12 is the bench's, 13 the render
#: queue tests').
REDIS_URL = "redis://127.0.0.1:6379/11"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def _answers_url(w: World) -> str:
    return f"{API}/assessments/{w.assessment_a}/respondents/{w.respondent_a}/answers"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    return dict(body)


def _patch(client: FlaskClient, w: World, value: str, version: int) -> Any:
    change = {"question_id": "str_strategy_owner", "value": value, "version": version}
    return client.patch(
        _answers_url(w), json={"answers": [change]}, headers=bearer(w.owner_api_token)
    )


def test_a_write_with_a_stale_version_is_409_and_stores_nothing(
    client: FlaskClient, world: World
) -> None:
    first = _patch(client, world, "CIO", 0)
    assert first.status_code == 200
    [answer] = first.get_json()["answers"]
    assert (answer["value"], answer["version"]) == ("CIO", 1)
    assert _patch(client, world, "CISO", 1).status_code == 200  # the version read: saved
    stale = _problem(_patch(client, world, "SHARED", 1), 409)
    assert stale["field"] == "str_strategy_owner" and "reload" in stale["detail"]
    read = client.get(_answers_url(world), headers=bearer(world.owner_api_token)).get_json()
    assert [(a["value"], a["version"]) for a in read["answers"]] == [("CISO", 2)]


def test_an_invalid_answer_is_422_naming_the_question(client: FlaskClient, world: World) -> None:
    refused = _problem(_patch(client, world, "not an option", 0), 422)
    assert refused["field"] == "str_strategy_owner"


def test_problem_details_on_400_401_403_404_422(client: FlaskClient, world: World) -> None:
    owner = bearer(world.owner_api_token)
    bad = client.post(
        f"{API}/organisations",
        data="{not json",
        headers={**owner, "Content-Type": "application/json"},
    )
    assert "JSON" in _problem(bad, 400)["detail"]
    assert _problem(client.get(f"{API}/organisations"), 401)
    assert client.get(f"{API}/organisations").headers["WWW-Authenticate"].startswith("Bearer")
    read_only = make_token(client.application, world.owner.user_id, world.workspace_a, "read")
    forbidden = client.post(
        f"{API}/organisations", json={"name": "Nope"}, headers=bearer(read_only)
    )
    assert "read" in _problem(forbidden, 403)["detail"]
    assert _problem(client.get(f"{API}/organisations/{world.organization_b}", headers=owner), 404)
    invalid = _problem(client.post(f"{API}/organisations", json={"nam": "x"}, headers=owner), 422)
    assert set(invalid["errors"]["json"]) == {"name", "nam"}
    with in_app(client.application):
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Organization)
                .where(Organization.name.in_(("Nope", "x")))
            )
            == 0
        )


def test_a_nul_character_is_422_not_a_server_error(client: FlaskClient, world: World) -> None:
    sent = client.post(
        f"{API}/organisations", json={"name": "A\x00B"}, headers=bearer(world.owner_api_token)
    )
    assert _problem(sent, 422)["errors"]["json"]["name"]


def test_the_same_idempotency_key_creates_once(client: FlaskClient, world: World) -> None:
    headers = {**bearer(world.owner_api_token), "Idempotency-Key": "crm-42"}
    body = {"name": "Idempotent Ltd", "sector": "retail"}
    first = client.post(f"{API}/organisations", json=body, headers=headers)
    again = client.post(f"{API}/organisations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Location"] == again.headers["Location"]
    with in_app(client.application):
        count = db.session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.name == "Idempotent Ltd")
        )
        assert count == 1
    other = client.post(f"{API}/organisations", json={"name": "Else"}, headers=headers)
    assert "another request" in _problem(other, 422)["detail"]
    # Without a key, the same body is a second create (here refused: the name is taken).
    assert (
        client.post(
            f"{API}/organisations", json=body, headers=bearer(world.owner_api_token)
        ).status_code
        == 422
    )


def test_a_failed_create_frees_its_key(client: FlaskClient, world: World) -> None:
    headers = {**bearer(world.owner_api_token), "Idempotency-Key": "k-1"}
    taken = {"organisation_id": world.organization_b}
    assert client.post(f"{API}/assessments", json=taken, headers=headers).status_code == 404
    mine = {"organisation_id": world.organization_a}
    # Same key, another body: the failed request left nothing behind to compare with.
    assert client.post(f"{API}/assessments", json=mine, headers=headers).status_code == 201


def test_reads_carry_an_etag_and_answer_304(client: FlaskClient, world: World) -> None:
    owner = bearer(world.owner_api_token)
    url = f"{API}/assessments/{world.assessment_a}"
    first = client.get(url, headers=owner)
    etag = first.headers["ETag"]
    unchanged = client.get(url, headers={**owner, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    client.post(f"{url}/close", headers=owner)
    changed = client.get(url, headers={**owner, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["status"] == "closed"


def test_lists_are_paged(client: FlaskClient, world: World) -> None:
    owner = bearer(world.owner_api_token)
    for n in range(3):
        client.post(f"{API}/organisations", json={"name": f"Paged {n}"}, headers=owner)
    page = client.get(f"{API}/organisations?per_page=2", headers=owner).get_json()
    assert (page["total"], len(page["items"]), page["page"]) == (5, 2, 1)
    names = [o["name"] for o in page["items"]]
    while page["next"]:
        page = client.get(page["next"], headers=owner).get_json()
        names += [o["name"] for o in page["items"]]
    assert len(names) == len(set(names)) == 5
    assert _problem(client.get(f"{API}/organisations?per_page=1000", headers=owner), 422)


def test_a_respondent_created_with_a_link_can_answer_by_it(
    client: FlaskClient, world: World
) -> None:
    created = client.post(
        f"{API}/assessments/{world.assessment_a}/respondents",
        json={"name": "Cleo Ciso", "role": "CISO", "email": "cleo@client.example"},
        headers=bearer(world.owner_api_token),
    )
    assert created.status_code == 201
    link = created.get_json()["link"]
    assert link and client.get(link.replace("http://localhost", "")).status_code in (200, 302)
    listed = client.get(
        f"{API}/assessments/{world.assessment_a}/respondents",
        headers=bearer(world.owner_api_token),
    ).get_json()
    assert all(r["link"] is None for r in listed["items"])  # shown once, in the create
    revoked = client.post(
        created.headers["Location"] + "/revoke", headers=bearer(world.owner_api_token)
    )
    assert revoked.get_json()["link_revoked"] is True
    assert client.get(link.replace("http://localhost", "")).status_code == 404


def test_writes_are_audited_as_the_token_owner(client: FlaskClient, world: World) -> None:
    client.post(
        f"{API}/organisations", json={"name": "Audited"}, headers=bearer(world.owner_api_token)
    )
    with in_app(client.application):
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.workspace_id == world.workspace_a)
        ).all()
    assert "api-token-created" in actions and "organization-created" in actions
    exported = client.get(
        f"{API}/assessments/{world.assessment_a}/exports/csv", headers=bearer(world.owner_api_token)
    )
    assert exported.status_code == 200
    with in_app(client.application):
        download = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report-downloaded")
        ).one()
    assert download.actor == f"{world.owner.email} (API token {world.owner_token_id})"
    assert download.detail == {"format": "csv"}


def test_a_token_of_someone_who_leaves_stops_working(client: FlaskClient, world: World) -> None:
    app = client.application
    token = make_token(app, world.consultant.user_id, world.workspace_a)
    assert client.get(f"{API}/organisations", headers=bearer(token)).status_code == 200
    with in_app(app):
        membership = db.session.get_one(Membership, world.consultant_membership_a)
        members.leave(membership)
        row = db.session.scalar(
            select(ApiToken).where(ApiToken.user_id == world.consultant.user_id)
        )
        assert row is not None and row.revoked_at is not None
    assert _problem(client.get(f"{API}/organisations", headers=bearer(token)), 401)


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_API": "3 per minute"}

    def test_past_its_limit_a_token_gets_429_and_another_token_does_not(
        self, client: FlaskClient, world: World
    ) -> None:
        owner = bearer(world.owner_api_token)
        for _ in range(3):
            assert client.get(f"{API}/organisations", headers=owner).status_code == 200
        limited = client.get(f"{API}/organisations", headers=owner)
        assert _problem(limited, 429) and int(limited.headers["Retry-After"]) >= 1
        other = make_token(client.application, world.consultant.user_id, world.workspace_a)
        assert client.get(f"{API}/organisations", headers=bearer(other)).status_code == 200


# --- the settings page ---------------------------------------------------------------------


def test_a_token_is_shown_once_stored_hashed_and_revocable(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.owner)
    page = client.get("/workspace/tokens").get_data(as_text=True)
    assert "bypasses two-factor sign-in" in page
    created = client.post("/workspace/tokens", data={"name": "GRC export", "scope": "read"})
    assert created.status_code == 200
    text = created.get_data(as_text=True)
    token = text.split('id="link" class="copy" type="text" readonly value="')[1].split('"')[0]
    assert token.startswith("asr_")
    assert token not in client.get("/workspace/tokens").get_data(as_text=True)
    with in_app(client.application):
        row = db.session.scalar(select(ApiToken).where(ApiToken.name == "GRC export"))
        assert row is not None and row.scope == "read" and token not in row.token_hash
        token_id = row.id
    api = client.application.test_client()  # no session cookie: the token alone
    assert api.get(f"{API}/organisations", headers=bearer(token)).status_code == 200
    assert client.post(f"/workspace/tokens/{token_id}/revoke").status_code == 302
    assert api.get(f"{API}/organisations", headers=bearer(token)).status_code == 401


def test_the_tokens_page_refuses_a_bad_form_beside_the_field(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.owner)
    refused = client.post("/workspace/tokens", data={"name": "", "scope": "admin"})
    assert refused.status_code == 422


# --- the report: 202 while its render is pending, then the PDF ---------------------------------


@pytest.fixture
def redis_db() -> Iterator[str]:
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("these tests need Redis on 127.0.0.1:6379")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


class TestReport:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any], redis_db: str) -> dict[str, Any]:
        return {**app_config, "PRERENDER": True, "QUEUE_URL": redis_db}

    def test_202_with_the_job_then_the_pdf_then_304(self, app: Flask) -> None:
        client = app.test_client()
        staged = stage_with_queue_off(app, client, email="olive@example.com")
        save_and_submit(app, staged.respondent_id, complete_answers(questionnaire(app)))
        token = make_token(app, staged.user_id, staged.workspace_id, "read")
        api = app.test_client()
        url = f"{API}/assessments/{staged.assessment_id}/report"
        pending = api.get(url, headers=bearer(token))
        assert pending.status_code == 202
        job = pending.get_json()
        assert job["state"] == "queued" and pending.headers["Location"].endswith(f"/{job['id']}")
        polled = api.get(pending.headers["Location"], headers=bearer(token)).get_json()
        assert polled["state"] == "queued"
        worker = subprocess.run(
            [str(Path(sys.executable).parent / "assessor"), "worker", "--burst"],
            cwd=ROOT,
            env={
                **os.environ,
                "ASSESSOR_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "ASSESSOR_SECRET_KEY": app.config["SECRET_KEY"],
                "ASSESSOR_QUEUE_URL": app.config["QUEUE_URL"],
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert worker.returncode == 0, worker.stderr
        done = api.get(pending.headers["Location"], headers=bearer(token)).get_json()
        assert done["state"] == "done"
        pdf = api.get(url, headers=bearer(token))
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        assert pdf.mimetype == "application/pdf"
        again = api.get(url, headers={**bearer(token), "If-None-Match": pdf.headers["ETag"]})
        assert again.status_code == 304


def test_tokens_of_another_workspace_and_unused_fixtures(app: Flask) -> None:
    """B's token lists only B's organisations (A's never show)."""
    w = build_world(app)
    tokens = make_tokens(app, w)
    client = app.test_client()
    listed = client.get(f"{API}/organisations", headers=bearer(tokens.outsider_rw)).get_json()
    assert [o["id"] for o in listed["items"]] == [w.organization_b]
