"""Random and hostile bodies posted to the autosave endpoint and to a section's page save.

Always a 2xx, or a 4xx with a message (JSON from autosave); never a 5xx; never half
stored: a refused save leaves the respondent's answers and history as they were, and an
accepted one stores exactly the value the engine's check makes of what was sent.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from assessor.engine.answers import AnswerError, coerce_answer
from assessor.extensions import db
from assessor.models import Answer, AnswerHistory
from assessor.operations.catalog import catalog
from tests.security_world import World, answer_everything, build_world

SHOWN = [
    "str_strategy_owner",
    "str_strategy_maturity",
    "employees",
    "regulated_data",
    "gov_comments",
]
#: Shown only once both roles are said to exist (no answers yet: hidden).
HIDDEN = ["dual_role", "ciso_reports_to", "gov_dual_role_review"]
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["CIO", "NONE", "3", " 4 ", "yes", "eu_personal", "\x00", "x" * 5000])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
QUESTIONS = st.sampled_from(SHOWN + HIDDEN) | st.text(max_size=20) | JSON_SCALARS
PAYLOADS = (
    st.fixed_dictionaries(
        {},
        optional={
            "question": QUESTIONS,
            "value": JSON_VALUES,
            "comment": st.none() | st.text(max_size=50) | JSON_SCALARS | st.just("c" * 2001),
            "version": st.none() | st.integers(min_value=-3, max_value=2**64) | JSON_SCALARS,
        },
    )
    | JSON_VALUES
)


def _state(app: Flask, respondent_id: int) -> tuple[list[Any], list[Any]]:
    with app.app_context():
        answers = db.session.execute(
            select(Answer.question_id, Answer.value, Answer.comment, Answer.version)
            .where(Answer.respondent_id == respondent_id)
            .order_by(Answer.question_id)
        ).all()
        history = db.session.execute(
            select(AnswerHistory.id).where(AnswerHistory.respondent_id == respondent_id)
        ).all()
        return [tuple(a) for a in answers], [tuple(h) for h in history]


def _world(app: Flask) -> tuple[World, FlaskClient]:
    if "hostile-autosave" not in app.extensions:
        world = build_world(app)
        app.extensions["hostile-autosave"] = (world, app.test_client())
    found: tuple[World, FlaskClient] = app.extensions["hostile-autosave"]
    return found


def _expected_value(app: Flask, question_id: str, raw: Any) -> Any:
    with app.app_context():
        question = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"]).questions[question_id]
    if raw in (None, "", []):
        return None
    try:
        return coerce_answer(question, raw)
    except AnswerError:
        raise AssertionError(f"{raw!r} was accepted for {question_id}") from None


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=PAYLOADS)
def test_any_autosave_body_is_saved_whole_or_refused_with_a_message(
    app: Flask, payload: Any
) -> None:
    world, client = _world(app)
    before = _state(app, world.respondent_a)
    response = client.post(f"/r/{world.token_a}/autosave", json=payload)
    status = response.status_code
    assert status < 500, payload
    body = response.get_json()
    assert isinstance(body, dict), response.get_data(as_text=True)[:200]
    if isinstance(payload, dict) and payload.get("version") is None:
        assert status != 200, payload  # a save that names no version overwrites nothing
    if status != 200:
        assert status in (400, 409, 413, 422, 423), (status, body)
        assert isinstance(body.get("error"), str) and body["error"], body
        assert _state(app, world.respondent_a) == before, payload
        return
    assert isinstance(payload, dict)
    question = payload["question"]
    expected = _expected_value(app, question, payload.get("value"))
    answers = {a[0]: a for a in _state(app, world.respondent_a)[0]}
    if question in answers:
        stored = answers[question]
        assert stored[1] == expected and stored[3] == body["version"]
    else:
        assert expected is None and not (payload.get("comment") or "").strip()
    assert client.get(f"/r/{world.token_a}/s/context").status_code == 200


def _post_raw(client: FlaskClient, world: World, data: bytes, content_type: str) -> Any:
    return client.post(f"/r/{world.token_a}/autosave", data=data, content_type=content_type)


def test_unreadable_bodies_are_refused_in_json(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    before = _state(app, world.respondent_a)
    bodies = [
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (
            b'{"question": "gov_comments", "value": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
            "application/json",
        ),
        (b"\xff\xfe\x00", "application/json"),
        (b"{not json", "application/json"),
        (b'{"question": "gov_comments", "value": "ok"}', "text/plain"),
        (b"question=gov_comments&value=ok", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
        (b"null", "application/json"),
        (b'"gov_comments"', "application/json"),
        (b'{"question": "gov_comments", "value": "\\ud800"}', "application/json"),
        (b'{"question": "gov_comments", "value": "a", "comment": "\\udfff"}', "application/json"),
        (b'{"question": "\\ud800"}', "application/json"),
        (b'{"question": "employees", "value": 1e400}', "application/json"),
        (b'{"question": "employees", "value": NaN}', "application/json"),
        (b'{"question": "employees", "value": ' + b"9" * 4000 + b"}", "application/json"),
    ]
    for data, content_type in bodies:
        response = _post_raw(client, world, data, content_type)
        assert 400 <= response.status_code < 500, (data[:60], response.status_code)
        assert response.get_json()["error"], data[:60]
    assert _state(app, world.respondent_a) == before
    assert client.get(f"/r/{world.token_a}/s/context").status_code == 200


def test_hidden_and_unknown_questions_are_refused(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    before = _state(app, world.respondent_a)
    for question, value in (("dual_role", "yes"), ("no_such_question", "x"), ("", "x")):
        response = client.post(
            f"/r/{world.token_a}/autosave", json={"question": question, "value": value}
        )
        assert response.status_code == 422, question
        assert response.get_json()["error"]
    assert _state(app, world.respondent_a) == before


def test_locked_answers_are_refused(app: Flask) -> None:
    world = build_world(app)
    answer_everything(app, world.respondent_a)
    client = app.test_client()
    assert client.post(f"/r/{world.token_a}/submit", data={}).status_code == 200
    before = _state(app, world.respondent_a)
    response = client.post(
        f"/r/{world.token_a}/autosave",
        json={"question": "gov_comments", "value": "late", "version": 1},
    )
    assert response.status_code in (404, 423)
    assert response.get_json()["error"]
    page = client.post(f"/r/{world.token_a}/s/governance", data={"gov_comments": "late"})
    assert page.status_code < 500
    assert _state(app, world.respondent_a) == before


def test_a_section_save_with_one_bad_value_stores_nothing(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    before = _state(app, world.respondent_a)
    response = client.post(
        f"/r/{world.token_a}/s/strategy",
        data={
            "str_strategy_owner": "CIO",
            "str_exec_decisions_owner": "CISO",
            "str_strategy_maturity": "7",  # the one bad value: levels are 0-4
            "c_str_strategy_owner": "a comment",
            "go": "next",
        },
    )
    assert response.status_code == 422
    assert "is not one of 0, 1, 2, 3, 4" in response.get_data(as_text=True)
    assert _state(app, world.respondent_a) == before
    # The same page without the bad value is stored whole.
    response = client.post(
        f"/r/{world.token_a}/s/strategy",
        data={"str_strategy_owner": "CIO", "str_exec_decisions_owner": "CISO", "go": "stay"},
    )
    assert response.status_code == 302
    stored = {a[0]: a[1] for a in _state(app, world.respondent_a)[0]}
    assert stored == {"str_strategy_owner": "CIO", "str_exec_decisions_owner": "CISO"}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.dictionaries(
        st.sampled_from(
            ["str_strategy_owner", "str_strategy_maturity", "str_exec_participation", "x"]
        ),
        st.sampled_from(["CIO", "NONE", "2", "4", "9", "always", "never", "sometimes", "", "\x00"]),
        min_size=1,
    )
)
def test_a_section_save_is_all_or_nothing(app: Flask, values: dict[str, str]) -> None:
    world, client = _world(app)
    before = _state(app, world.respondent_a)
    response = client.post(f"/r/{world.token_a}/s/strategy", data={**values, "go": "stay"})
    assert response.status_code in (302, 409, 422), values
    if response.status_code != 302:
        assert _state(app, world.respondent_a) == before, values
        return
    stored = {a[0]: a[1] for a in _state(app, world.respondent_a)[0]}
    for question, raw in values.items():
        if question == "x" or raw in ("", "\x00"):
            continue
        expected = _expected_value(app, question, raw)
        assert stored.get(question) == expected, (question, raw, stored)
    assert json.dumps(stored)
