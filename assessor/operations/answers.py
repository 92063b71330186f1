"""Saving answers: validated against the questionnaire, optimistic locking, full history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import BindParameter, Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from assessor.database import begin_write, commit
from assessor.engine import visible_questions
from assessor.engine.answers import AnswerError, coerce_answer
from assessor.engine.guidance import guidance_for
from assessor.extensions import db
from assessor.models import (
    Answer,
    AnswerHistory,
    Assessment,
    Organization,
    Respondent,
    Workspace,
    utcnow,
)
from assessor.operations import render_queue, respondents
from assessor.operations.errors import Conflict, InvalidInput, Locked
from assessor.operations.respondents import RespondentView
from assessor.operations.row_locks import lock_respondent
from assessor.questionnaire import Questionnaire


def max_comment_chars() -> int:
    """The longest comment on an answer (``MAX_COMMENT_CHARS``)."""
    return int(current_app.config["MAX_COMMENT_CHARS"])


def comment_problem(comment: str) -> str | None:
    """Why a comment cannot be stored, or None.  Its length is counted as a textarea's
    ``maxlength`` counts it, a line break as one character (a form posts it as two)."""
    limit = max_comment_chars()
    length = len(comment.strip().replace("\r\n", "\n"))
    if length > limit:
        return f"A comment is at most {limit:,} characters; this one has {length:,}."
    if "\x00" in comment:
        return "The comment contains a NUL character."
    return None


@dataclass(frozen=True)
class Change:
    """One answer as posted: the value (None clears it), the comment, the version read."""

    question_id: str
    value: Any
    comment: str | None
    #: The answer's version when the page was loaded; 0 when there was no answer yet.
    version: int | None


def answer_values(respondent: Respondent) -> dict[str, Any]:
    return {a.question_id: a.value for a in respondent.answers if a.value is not None}


def visible_ids(questionnaire: Questionnaire, role: str, values: dict[str, Any]) -> frozenset[str]:
    """The questions a respondent in ``role`` is shown, given their answer values."""
    return frozenset(visible_questions(questionnaire, values, role))


def section_guidance(
    questionnaire: Questionnaire, section_id: str, role: str, values: dict[str, Any]
) -> tuple[str, ...]:
    """The guidance notes of a section that apply to a respondent, given their answers."""
    return guidance_for(questionnaire, section_id, values, role)


class _Hidden(Exception):
    """The question is not shown for the answers given (skipped when saving a whole page)."""


def _clean(
    questionnaire: Questionnaire, change: Change, values: dict[str, Any], role: str
) -> tuple[Any, str | None]:
    question = questionnaire.questions.get(change.question_id)
    if question is None:
        raise InvalidInput(f"Unknown question {change.question_id!r}.", field=change.question_id)
    comment = (change.comment or "").strip() or None
    problem = comment and comment_problem(comment)
    if problem:
        raise InvalidInput(problem, field=change.question_id)
    value = change.value
    if value in (None, "", []):
        return None, comment
    if change.question_id not in visible_questions(questionnaire, values, role):
        raise _Hidden(change.question_id)
    try:
        return coerce_answer(question, value), comment
    except AnswerError as exc:
        raise InvalidInput(str(exc), field=change.question_id) from None


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as stored by :func:`save_answers`."""

    question_id: str
    value: Any
    comment: str | None
    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class Saved:
    """What :func:`save_answers` stored, and the respondent's answer values after it."""

    answers: dict[str, StoredAnswer]
    #: Every answer's value after the save (cleared ones left out), as :func:`answer_values`.
    values: dict[str, Any]

    def get(self, question_id: str) -> StoredAnswer | None:
        return self.answers.get(question_id)


_answer = Answer.__table__
_history = AnswerHistory.__table__
_respondent = Respondent.__table__
_assessment = Assessment.__table__
#: The answer columns a StoredAnswer is made of, in its order.
_STORED = (
    _answer.c.question_id,
    _answer.c.value,
    _answer.c.comment,
    _answer.c.version,
    _answer.c.updated_at,
    _answer.c.updated_by,
)

# Built once: building a statement costs more than sending it.
_RESPONDENT_ID: BindParameter[int] = bindparam("respondent_id")
#: The respondent and all their answers (one row per answer, or one with NULL answer
#: columns): what deciding the save needs, read under the write lock.  Only the answers
#: kept as they were need their time and author (:data:`_STORED_BY_ID`): parsing every
#: answer's time took longer than the rest of the read.
_SAVE_READ = (
    select(
        _respondent.c.submitted_at,
        _respondent.c.role,
        _respondent.c.last_section,
        _assessment.c.id,
        _assessment.c.status,
        _answer.c.id,
        _answer.c.question_id,
        _answer.c.value,
        _answer.c.comment,
        _answer.c.version,
    )
    .select_from(
        _respondent.join(_assessment, _assessment.c.id == _respondent.c.assessment_id).outerjoin(
            _answer, _answer.c.respondent_id == _respondent.c.id
        )
    )
    .where(_respondent.c.id == _RESPONDENT_ID)
)
#: Whether an assessment is in an organisation's own workspace (its words: no consultant).
_OWN_WORKSPACE = (
    select(Workspace.kind == "own")
    .join(Organization, Organization.workspace_id == Workspace.id)
    .join(Assessment, Assessment.organization_id == Organization.id)
    .where(Assessment.id == bindparam("assessment_id"))
)
_INSERT = insert(_answer)
#: Compare and swap: the answer is changed only if it still has the version read.
_SWAP = (
    update(_answer)
    .where(_answer.c.id == bindparam("answer_id"), _answer.c.version == bindparam("read"))
    .values(
        value=bindparam("value"),
        comment=bindparam("comment"),
        version=bindparam("new_version"),
        updated_at=bindparam("now"),
        updated_by=bindparam("actor"),
    )
)
_HISTORY = insert(_history)
#: Of the answers named, those whose latest history row is ``actor``'s from ``cutoff`` on:
#: (question id, row id).
_OWN_RECENT_HISTORY = select(_history.c.question_id, _history.c.id).where(
    _history.c.id.in_(
        select(func.max(_history.c.id))
        .where(
            _history.c.respondent_id == _RESPONDENT_ID,
            _history.c.question_id.in_(bindparam("question_ids", expanding=True)),
        )
        .group_by(_history.c.question_id)
    ),
    _history.c.changed_by == bindparam("actor"),
    _history.c.changed_at >= bindparam("cutoff", type_=_history.c.changed_at.type),
)
#: A history row brought up to date with its author's later change.
_HISTORY_COALESCE = (
    update(_history)
    .where(_history.c.id == bindparam("history_id"))
    .values(
        value=bindparam("value"),
        comment=bindparam("comment"),
        version=bindparam("version"),
        changed_at=bindparam("changed_at"),
    )
)
_STARTED = (
    update(_assessment)
    .where(_assessment.c.id == bindparam("assessment_id"), _assessment.c.status == "draft")
    .values(status="in_progress")
)
_MOVED = (
    update(_respondent)
    .where(_respondent.c.id == _RESPONDENT_ID)
    .values(last_section=bindparam("section_id"))
)
_ANSWERS_OF = select(*_STORED).where(_answer.c.respondent_id == _RESPONDENT_ID)
_STORED_BY_ID = select(*_STORED).where(_answer.c.id.in_(bindparam("ids", expanding=True)))
#: A page view by link: the respondent (as :data:`respondents.BY_TOKEN`) and their answers.
_BY_TOKEN_WITH_ANSWERS = respondents.BY_TOKEN.add_columns(*_STORED).outerjoin(
    _answer, _answer.c.respondent_id == _respondent.c.id
)


class _Current(NamedTuple):
    """An answer as the save read it."""

    id: int
    value: Any
    comment: str | None
    version: int


def save_answers(
    questionnaire: Questionnaire,
    respondent: Respondent | RespondentView,
    changes: list[Change],
    actor: str,
    *,
    skip_hidden: bool = False,
    section_id: str | None = None,
) -> Saved:
    """Validate every change, then store them all or none.

    A value for a question that the answers do not show is an error, or, with
    ``skip_hidden`` (a whole page saved at once), left out.  ``section_id`` notes where
    the respondent is (where they resume), in the same transaction.

    One write transaction: the respondent (locked on PostgreSQL) and their answers in one
    query, then an UPDATE naming the version read (compare and swap) or an INSERT per
    changed answer, its history row, and the respondent's section when it moved; the
    stored time and author of answers saved as they were (or of a conflicting one) are
    read by id.  No ORM objects are loaded; the session's copy of the respondent, if any,
    is not expired, and answers it had loaded are.

    :raise Locked: the respondent has submitted, or the assessment is closed.
    :raise InvalidInput: a value that the question does not accept (nothing is stored).
    :raise Conflict: someone saved one of these answers since it was read (nothing is stored).
    """
    # What is read below is all that the save relies on: the objects the request loaded
    # stay as they are (no reload of the respondent after the read transaction ends).
    begin_write(expire=False)
    connection = db.session.connection()
    lock_respondent(connection, respondent.id)
    rows: list[Any] = list(connection.execute(_SAVE_READ, {"respondent_id": respondent.id}))
    if not rows or rows[0][0] is not None:
        own = bool(rows) and bool(
            connection.execute(_OWN_WORKSPACE, {"assessment_id": rows[0][3]}).scalar()
        )
        db.session.rollback()
        raise Locked(
            "These answers were submitted; "
            + ("ask for them to be reopened." if own else "ask the consultant to reopen them.")
        )
    _, role, last_section, assessment_id, status = rows[0][:5]
    if status == "closed":  # closed since the request looked (read again under the lock)
        db.session.rollback()
        raise Locked("This assessment is closed; its answers can no longer change.")
    current = {row[6]: _Current(row[5], *row[7:]) for row in rows if row[5] is not None}
    values = {qid: a.value for qid, a in current.items() if a.value is not None}
    cleaned: list[tuple[Change, Any, str | None]] = []
    try:
        for change in changes:
            try:
                value, comment = _clean(questionnaire, change, values, role)
            except _Hidden:
                if skip_hidden:
                    continue
                raise InvalidInput(
                    "This question is not shown for the answers given so far.",
                    field=change.question_id,
                ) from None
            cleaned.append((change, value, comment))
            if value is None:
                values.pop(change.question_id, None)
            else:
                values[change.question_id] = value
    except InvalidInput:
        db.session.rollback()
        raise
    saved: dict[str, StoredAnswer] = {}
    kept: dict[str, int] = {}  # question id -> answer id of answers saved as they were
    history: list[dict[str, Any]] = []
    now = utcnow()
    for change, value, comment in cleaned:
        qid = change.question_id
        found = current.get(qid)
        if found is None and value is None and comment is None:
            continue
        if found is None:
            if change.version not in (None, 0):
                db.session.rollback()
                raise Conflict("This answer was cleared by someone else — reload.", field=qid)
            version = 1
            try:
                inserted: Any = connection.execute(
                    _INSERT,
                    {
                        "respondent_id": respondent.id,
                        "question_id": qid,
                        "value": value,
                        "comment": comment,
                        "version": version,
                        "updated_at": now,
                        "updated_by": actor,
                    },
                )
                answer_id = inserted.inserted_primary_key[0]
            except IntegrityError:
                db.session.rollback()
                raise Conflict(
                    "Someone else saved this answer at the same moment — reload.", field=qid
                ) from None
        else:
            answer = found
            answer_id = answer.id
            # Nothing to overwrite, so no conflict, whatever version the page had read: the
            # same person's autosave and "Save and continue" often cross in flight.
            if answer.value == value and answer.comment == comment:
                kept[qid] = answer_id
                continue
            if change.version is not None and change.version != answer.version:
                (stored,) = _stored_by_id(connection, [answer_id])
                db.session.rollback()
                raise Conflict(_conflict_message(stored), field=qid)
            version = answer.version + 1
            swapped = connection.execute(
                _SWAP,
                {
                    "answer_id": answer_id,
                    "read": answer.version,
                    "value": value,
                    "comment": comment,
                    "new_version": version,
                    "now": now,
                    "actor": actor,
                },
            ).rowcount
            if swapped != 1:  # not under this lock: someone else's save came first
                db.session.rollback()
                raise Conflict("Someone else saved this answer at the same moment — reload.")
        current[qid] = _Current(answer_id, value, comment, version)
        kept.pop(qid, None)
        saved[qid] = StoredAnswer(qid, value, comment, version, now, actor)
        history.append(
            {
                "respondent_id": respondent.id,
                "question_id": qid,
                "value": value,
                "comment": comment,
                "version": version,
                "changed_at": now,
                "changed_by": actor,
            }
        )
    if kept:
        saved.update((a.question_id, a) for a in _stored_by_id(connection, list(kept.values())))
    if history:
        _record(connection, respondent.id, history, actor, now)
    if status == "draft":
        connection.execute(_STARTED, {"assessment_id": assessment_id})
    moved = section_id is not None and last_section != section_id
    if moved:
        connection.execute(_MOVED, {"respondent_id": respondent.id, "section_id": section_id})
    commit(expire=False)
    _written(respondent.id, section_id if moved else None, history, status == "draft")
    if history and status in ("submitted", "closed"):
        render_queue.prerender(assessment_id)  # answers changed after submission
    return Saved(saved, values)


def _record(
    connection: Connection,
    respondent_id: int,
    history: list[dict[str, Any]],
    actor: str,
    now: datetime,
) -> None:
    """Write a save's history rows.  An answer whose latest row is the same author's, from
    less than ``HISTORY_COALESCE_SECONDS`` ago, has that row brought up to date instead of
    a new one: autosaves keep one row per author and sitting, not one per keystroke.  A
    different author, or a change after the window, adds a row.  Nothing is deleted."""
    window = int(current_app.config["HISTORY_COALESCE_SECONDS"])
    latest: dict[str, int] = {}
    if window > 0:
        params = {
            "respondent_id": respondent_id,
            "question_ids": [row["question_id"] for row in history],
            "actor": actor,
            "cutoff": now - timedelta(seconds=window),
        }
        latest = {qid: row_id for qid, row_id in connection.execute(_OWN_RECENT_HISTORY, params)}
    coalesced = [
        {**row, "history_id": latest[row["question_id"]]}
        for row in history
        if row["question_id"] in latest
    ]
    if coalesced:
        connection.execute(_HISTORY_COALESCE, coalesced)
    added = [row for row in history if row["question_id"] not in latest]
    if added:
        connection.execute(_HISTORY, added)


def _stored_by_id(connection: Connection, ids: list[int]) -> list[StoredAnswer]:
    return [StoredAnswer(*row) for row in connection.execute(_STORED_BY_ID, {"ids": ids})]


def _written(respondent_id: int, section_id: str | None, history: list[Any], started: bool) -> None:
    """Bring the respondent the session holds, if it holds them, and what it had loaded up
    to date with what was written."""
    respondent = db.session.identity_map.get(identity_key(Respondent, respondent_id))
    if respondent is None:
        return
    if section_id is not None:
        set_committed_value(respondent, "last_section", section_id)
    state = respondent.__dict__
    if history and "answers" in state:
        for answer in state["answers"]:
            db.session.expire(answer)
        db.session.expire(respondent, ["answers"])
    assessment = state.get("assessment")
    if started and assessment is not None:
        db.session.expire(assessment, ["status", "updated_at"])


def _conflict_message(answer: Answer | StoredAnswer) -> str:
    return f"Changed by {answer.updated_by} at {answer.updated_at:%Y-%m-%d %H:%M} UTC — reload to see it."


def write_nothing() -> None:
    """The request will write nothing more: end its transaction now, so that a write lock
    it took early (a POST by link: :func:`respondents.lookup`) is not held while it
    answers (SQLite: every other writer waits for that lock)."""
    db.session.rollback()


def by_token_with_answers(token: str) -> tuple[RespondentView, dict[str, StoredAnswer]] | None:
    """For a page view by link: the respondent (:func:`respondents.by_token`) and their
    answers (:func:`answers_of`) in one query (on PostgreSQL without a transaction:
    :func:`~assessor.database.read_only`)."""
    params = respondents.lookup(token, reading=True)
    if params is None:
        return None
    rows: list[Any] = list(db.session.connection().execute(_BY_TOKEN_WITH_ANSWERS, params))
    view = respondents.live_view(rows[0]) if rows else None
    if view is None:
        return None
    n = respondents.WIDTH
    return view, {row[n]: StoredAnswer(*row[n:]) for row in rows if row[n] is not None}


def answers_of(respondent_id: int) -> dict[str, StoredAnswer]:
    """A respondent's answers by question id, read without loading ORM objects."""
    rows = db.session.connection().execute(_ANSWERS_OF, {"respondent_id": respondent_id})
    return {row[0]: StoredAnswer(*row) for row in rows}


def answer_history(respondent_id: int, question_id: str) -> list[AnswerHistory]:
    return list(
        db.session.scalars(
            select(AnswerHistory)
            .where(
                AnswerHistory.respondent_id == respondent_id,
                AnswerHistory.question_id == question_id,
            )
            .order_by(AnswerHistory.id)
        )
    )
