"""Saves and submissions of one respondent racing each other, on SQLite and PostgreSQL.

One request is held inside its write transaction (its history insert is slowed) while a
second arrives: the second must see what the first committed, not what was there when
it started waiting (PostgreSQL's read committed makes that a matter of statement order).
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, got_request_exception, template_rendered
from sqlalchemy import event, select

from assessor import database
from assessor.extensions import db
from assessor.models import Answer, Assessment, AuditEvent, Respondent, User
from assessor.operations import accounts, assessments, organizations
from assessor.operations.catalog import catalog
from assessor.operations.progress import missing_required
from tests.security_world import World, answer_everything, build_world, confirm_address

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


OWNER_PASSWORD = "a long password 1"


def _two_respondents(app: Flask) -> tuple[int, list[int], list[str]]:
    """An assessment with Cia (CIO) and Sol (CISO), each with a link: the assessment's id,
    theirs and their tokens (the owner is olive@example.com)."""
    with app.app_context():
        owner = accounts.sign_up("olive@example.com", OWNER_PASSWORD, "Olive", "Acme")
        confirm_address(owner)  # a firm's workspace opens once the address is confirmed
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
        return assessment.id, [person.id for person in people], tokens


def test_two_respondents_submitting_at_once_submit_the_assessment(app: Flask) -> None:
    assessment_id, ids, tokens = _two_respondents(app)
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


def test_removing_the_last_one_waiting_while_another_submits_submits_the_assessment(
    app: Flask,
) -> None:
    """PostgreSQL: the removal takes the assessment's row after the submission, so one of
    them sees the other (both used to see someone still waiting, and neither marked the
    assessment submitted)."""
    assessment_id, (cia, sol), (token, _) = _two_respondents(app)
    answer_everything(app, cia)
    consultant = app.test_client()
    consultant.post("/signin", data={"email": "olive@example.com", "password": OWNER_PASSWORD})
    seen: dict[str, int] = {}

    def submit() -> None:
        seen["submit"] = app.test_client().post(f"/r/{token}/submit").status_code

    def remove() -> None:
        seen["remove"] = consultant.post(
            f"/assessments/{assessment_id}/respondents/{sol}/remove", data={"confirm": "y"}
        ).status_code

    with _held_at(app, "INTO audit_event"):
        _in_turn(submit, remove)

    assert seen == {"submit": 200, "remove": 302}
    with app.app_context():
        finished = db.session.get_one(Assessment, assessment_id)
        assert [person.name for person in finished.respondents] == ["Cia"]
        assert finished.status == "submitted"


def test_submitting_twice_at_once_submits_once(app: Flask, world: World) -> None:
    """A second tab or a double click: both see the submission, one is recorded."""
    answer_everything(app, world.respondent_a)
    url = f"/r/{world.token_a}/submit"
    seen: dict[str, Any] = {}

    def submit(name: str) -> None:
        seen[name] = app.test_client().post(url, data={})

    with _held_at(app, "INTO audit_event"):
        _in_turn(lambda: submit("first"), lambda: submit("second"))

    assert (seen["first"].status_code, seen["second"].status_code) == (200, 200)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "answers-submitted",
                AuditEvent.target == f"respondent:{world.respondent_a}",
            )
        ).all()
        assert len(events) == 1
        respondent = db.session.get(Respondent, world.respondent_a)
        assert respondent is not None and respondent.submitted_at is not None
        shown = f"{respondent.submitted_at:%Y-%m-%d at %H:%M}"
    assert shown in seen["second"].get_data(as_text=True)


def test_a_save_in_flight_when_the_assessment_closes_lands_before_it_or_not_at_all(
    app: Flask, world: World
) -> None:
    """The close is either after the save (SQLite: the save holds the write lock from its
    first query) or before it, and then the save is refused (PostgreSQL: it reads the
    assessment again under the respondent's lock)."""
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    seen: dict[str, Any] = {}

    def save() -> None:
        seen["save"] = app.test_client().post(
            f"/r/{world.token_a}/autosave", json={"question": QUESTION, "value": 2, "version": 0}
        )

    def close() -> None:
        with app.app_context():
            assessment = db.session.get(Assessment, world.assessment_a)
            owner = db.session.get(User, world.owner.user_id)
            assert assessment is not None and owner is not None
            assessments.close_assessment(assessment, owner)
            db.session.remove()

    marker = "FOR UPDATE" if postgresql else "FROM respondent JOIN assessment"
    with _held_at(app, marker):
        _in_turn(save, close)

    with app.app_context():
        stored = db.session.scalar(
            select(Answer.value).where(
                Answer.respondent_id == world.respondent_a, Answer.question_id == QUESTION
            )
        )
        status = db.session.scalar(
            select(Assessment.status).where(Assessment.id == world.assessment_a)
        )
    assert status == "closed"
    if postgresql:
        assert seen["save"].status_code == 423
        assert "closed" in seen["save"].get_json()["error"]
        assert stored is None
    else:
        assert seen["save"].status_code == 200 and stored == 2


#: How late the slow body arrives: a save that waited for it would take at least this long,
#: whatever the machine's load makes of the rest.
LATE = 3.0


class _SlowBody(io.BytesIO):
    """A request body that arrives three seconds late (a client on a slow line)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.late = True

    def _wait(self) -> None:
        if self.late:
            self.late = False
            time.sleep(LATE)

    def read(self, *args: Any) -> bytes:
        self._wait()
        return super().read(*args)

    def read1(self, *args: Any) -> bytes:
        self._wait()
        return super().read1(*args)

    def readinto(self, buffer: Any) -> int:
        self._wait()
        return super().readinto(buffer)


def test_a_slow_upload_by_link_holds_no_other_writer(app: Flask, world: World) -> None:
    """The body of a POST by link is read before its write transaction begins: another
    respondent's save does not wait for someone's slow line."""
    body = json.dumps({"question": QUESTION, "value": 1, "version": 0}).encode()
    seen: dict[str, Any] = {}

    def slow() -> None:
        seen["slow"] = app.test_client().post(
            f"/r/{world.token_a}/autosave",
            input_stream=_SlowBody(body),
            content_type="application/json",
            content_length=len(body),
        )

    def other() -> None:
        started = time.monotonic()
        seen["other"] = app.test_client().post(
            f"/r/{world.token_b}/autosave", json={"question": QUESTION, "value": 3, "version": 0}
        )
        seen["waited"] = time.monotonic() - started

    _in_turn(slow, other)

    assert seen["slow"].status_code == 200 and seen["other"].status_code == 200
    assert seen["waited"] < LATE / 2


@pytest.mark.parametrize("refused", ["unknown link", "bad JSON", "unknown question", "bad form"])
def test_a_refused_post_by_link_leaves_the_write_lock_free(
    app: Flask, world: World, refused: str
) -> None:
    """SQLite: a POST by link takes the write lock with its lookup; one that writes
    nothing gives it back before it answers (its error page is not drawn under it)."""
    client = app.test_client()
    free: list[bool] = []
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            queue = database._queue_for(str(db.engine.url.database), 1000)

        def note(*args: Any, **kwargs: Any) -> None:
            free.append(queue.held == {})

        for signal in (template_rendered, got_request_exception):
            signal.connect(note, app)
    if refused == "unknown link":
        response = client.post("/r/no-such-link/s/context", data={"go": "next"})
        expected = 404
    elif refused == "bad JSON":
        response = client.post(
            f"/r/{world.token_a}/autosave", data="{", content_type="application/json"
        )
        expected = 400
    elif refused == "unknown question":
        response = client.post(f"/r/{world.token_a}/autosave", json={"question": "nope"})
        expected = 422
    else:
        response = client.post(f"/r/{world.token_a}/s/context", data={"employees": "lots"})
        expected = 422
    assert response.status_code == expected
    assert all(free)
    started = time.monotonic()
    saved = app.test_client().post(
        f"/r/{world.token_a}/autosave", json={"question": QUESTION, "value": 4, "version": 0}
    )
    # A lock left held would make it wait SQLite's busy timeout (15 s) and then fail; a
    # loaded machine makes a free save slow, never that slow.
    assert saved.status_code == 200
    assert time.monotonic() - started < app.config["SQLITE_BUSY_TIMEOUT_MS"] / 3000
