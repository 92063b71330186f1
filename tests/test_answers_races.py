"""Saves and submissions of one respondent racing each other, on SQLite and PostgreSQL.

One request is held inside its write transaction (its history insert is slowed) while a
second arrives: the second must see what the first committed, not what was there when
it started waiting (PostgreSQL's read committed makes that a matter of statement order).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from assessor.extensions import db
from assessor.models import Answer, Assessment, Respondent
from assessor.operations import accounts, assessments, organizations
from assessor.operations.catalog import catalog
from assessor.operations.progress import missing_required
from tests.security_world import World, answer_everything, build_world

HELD = "held"
QUESTION = "str_strategy_maturity"


@contextmanager
def _held_at(app: Flask, marker: str) -> Iterator[None]:
    """Requests from a thread named ``held`` pause before a statement holding ``marker``."""
    with app.app_context():
        engine = db.engine

    def pause(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread().name == HELD and marker in statement:
            time.sleep(0.6)

    event.listen(engine, "before_cursor_execute", pause)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", pause)


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """A world whose held requests pause before their history row."""
    with _held_at(app, "INTO answer_history"):
        yield build_world(app)


def _in_turn(first: Any, second: Any) -> None:
    """Run ``first`` in the held thread and ``second`` while it is held."""
    held = threading.Thread(target=first, name=HELD)
    held.start()
    time.sleep(0.25)
    second()
    held.join(timeout=30)
    assert not held.is_alive()


def test_a_stale_save_that_waited_for_the_lock_is_a_conflict(app: Flask, world: World) -> None:
    url = f"/r/{world.token_a}/autosave"
    client = app.test_client()
    assert (
        client.post(url, json={"question": QUESTION, "value": 1, "version": 0}).status_code == 200
    )
    seen: dict[str, Any] = {}

    def change() -> None:
        seen["change"] = app.test_client().post(
            url, json={"question": QUESTION, "value": 3, "version": 1}
        )

    def stale() -> None:  # another tab still showing value 1 at version 1
        seen["stale"] = app.test_client().post(
            url, json={"question": QUESTION, "value": 1, "version": 1}
        )

    _in_turn(change, stale)

    assert seen["change"].status_code == 200
    assert seen["stale"].status_code == 409
    assert seen["stale"].get_json()["current"] == {"value": 3, "comment": None, "version": 2}
    with app.app_context():
        answer = db.session.scalars(
            select(Answer).where(
                Answer.respondent_id == world.respondent_a, Answer.question_id == QUESTION
            )
        ).one()
        assert (answer.value, answer.version) == (3, 2)


def test_a_submission_waits_for_a_save_that_clears_a_required_answer(
    app: Flask, world: World
) -> None:
    answer_everything(app, world.respondent_a)
    with app.app_context():
        version = db.session.scalar(
            select(Answer.version).where(
                Answer.respondent_id == world.respondent_a, Answer.question_id == "employees"
            )
        )
    seen: dict[str, Any] = {}

    def clear() -> None:
        seen["clear"] = app.test_client().post(
            f"/r/{world.token_a}/autosave",
            json={"question": "employees", "value": None, "version": version},
        )

    def submit() -> None:
        seen["submit"] = app.test_client().post(f"/r/{world.token_a}/submit", data={})

    _in_turn(clear, submit)

    assert seen["clear"].status_code == 200
    assert seen["submit"].status_code == 422
    with app.app_context():
        respondent = db.session.get(Respondent, world.respondent_a)
        assert respondent is not None and respondent.submitted_at is None
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        assert missing_required(questionnaire, respondent) == ["employees"]


def test_two_respondents_submitting_at_once_submit_the_assessment(app: Flask) -> None:
    with app.app_context():
        owner = accounts.sign_up("olive@example.com", "a long password 1", "Olive", "Acme")
        organization = organizations.create_organization(
            owner.memberships[0].workspace, owner, name="Contoso", sector=None, size=None
        )
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        assessment = assessments.start_assessment(organization, owner, questionnaire)
        people = [
            assessments.add_respondent(assessment, owner, name=name, role=role)
            for name, role in (("Cia", "CIO"), ("Sol", "CISO"))
        ]
        tokens = [assessments.issue_link(person, owner) for person in people]
        ids = [person.id for person in people]
        assessment_id = assessment.id
    for respondent_id in ids:
        answer_everything(app, respondent_id)
    seen: dict[str, int] = {}

    def submit(n: int) -> None:
        seen[f"submit {n}"] = app.test_client().post(f"/r/{tokens[n]}/submit").status_code

    with _held_at(app, "INTO audit_event"):
        _in_turn(lambda: submit(0), lambda: submit(1))

    assert seen == {"submit 0": 200, "submit 1": 200}
    with app.app_context():
        finished = db.session.get(Assessment, assessment_id)
        assert finished is not None
        assert all(person.submitted_at is not None for person in finished.respondents)
        assert finished.status == "submitted"
