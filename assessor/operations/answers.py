"""Saving answers: validated against the questionnaire, optimistic locking, full history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.engine import visible_questions
from assessor.engine.answers import AnswerError, coerce_answer
from assessor.extensions import db
from assessor.models import Answer, AnswerHistory, Respondent, utcnow
from assessor.operations import audit
from assessor.operations.errors import Conflict, InvalidInput, Locked
from assessor.questionnaire import Questionnaire, Section

MAX_COMMENT = 4000


@dataclass(frozen=True)
class Change:
    """One answer as posted: the value (None clears it), the comment, the version read."""

    question_id: str
    value: Any
    comment: str | None
    #: The answer's version when the page was loaded; 0 when there was no answer yet.
    version: int | None


def stored_answers(respondent: Respondent) -> dict[str, Answer]:
    return {a.question_id: a for a in respondent.answers}


def answer_values(respondent: Respondent) -> dict[str, Any]:
    return {a.question_id: a.value for a in respondent.answers if a.value is not None}


def visible_ids(
    questionnaire: Questionnaire, respondent: Respondent, values: dict[str, Any] | None = None
) -> frozenset[str]:
    """The questions this respondent is shown, given their answers."""
    return frozenset(
        visible_questions(
            questionnaire,
            values if values is not None else answer_values(respondent),
            respondent.role,
        )
    )


class _Hidden(Exception):
    """The question is not shown for the answers given (skipped when saving a whole page)."""


def _clean(
    questionnaire: Questionnaire, change: Change, values: dict[str, Any], role: str
) -> tuple[Any, str | None]:
    question = questionnaire.questions.get(change.question_id)
    if question is None:
        raise InvalidInput(f"Unknown question {change.question_id!r}.", field=change.question_id)
    comment = (change.comment or "").strip() or None
    if comment is not None:
        if len(comment) > MAX_COMMENT:
            raise InvalidInput(
                f"A comment is at most {MAX_COMMENT} characters.", field=change.question_id
            )
        if "\x00" in comment:
            raise InvalidInput("The comment contains a NUL character.", field=change.question_id)
    value = change.value
    if value in (None, "", []):
        return None, comment
    if change.question_id not in visible_questions(questionnaire, values, role):
        raise _Hidden(change.question_id)
    try:
        return coerce_answer(question, value), comment
    except AnswerError as exc:
        raise InvalidInput(str(exc), field=change.question_id) from None


def save_answers(
    questionnaire: Questionnaire,
    respondent: Respondent,
    changes: list[Change],
    actor: str,
    *,
    skip_hidden: bool = False,
    section_id: str | None = None,
) -> dict[str, Answer]:
    """Validate every change, then store them all or none.

    A value for a question that the answers do not show is an error, or, with
    ``skip_hidden`` (a whole page saved at once), left out.  ``section_id`` notes where
    the respondent is, in the same transaction (see :func:`remember_section`).

    The answers returned, and the respondent's, are left as stored (not expired), so that
    the caller can reply with them without reading them back.

    :raise Locked: the respondent has submitted.
    :raise InvalidInput: a value that the question does not accept (nothing is stored).
    :raise Conflict: someone saved one of these answers since it was read (nothing is stored).
    """
    begin_write()
    db.session.refresh(respondent)
    if respondent.submitted_at is not None:
        db.session.rollback()
        raise Locked("These answers were submitted; ask the consultant to reopen them.")
    current = stored_answers(respondent)
    values = {qid: a.value for qid, a in current.items() if a.value is not None}
    cleaned: list[tuple[Change, Any, str | None]] = []
    try:
        for change in changes:
            try:
                value, comment = _clean(questionnaire, change, values, respondent.role)
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
    saved: dict[str, Answer] = {}
    now = utcnow()
    for change, value, comment in cleaned:
        answer = current.get(change.question_id)
        if answer is None and value is None and comment is None:
            continue
        if answer is None:
            if change.version not in (None, 0):
                db.session.rollback()
                raise Conflict(
                    "This answer was cleared by someone else — reload.", field=change.question_id
                )
            answer = Answer(respondent=respondent, question_id=change.question_id, version=1)
            db.session.add(answer)
        else:
            # Nothing to overwrite, so no conflict, whatever version the page had read: the
            # same person's autosave and "Save and continue" often cross in flight.
            if answer.value == value and answer.comment == comment:
                saved[change.question_id] = answer
                continue
            if change.version is not None and change.version != answer.version:
                conflict = _conflict_message(answer)
                db.session.rollback()
                raise Conflict(conflict, field=change.question_id)
            answer.version += 1
        answer.value, answer.comment = value, comment
        answer.updated_at, answer.updated_by = now, actor
        db.session.add(
            AnswerHistory(
                respondent_id=respondent.id,
                question_id=change.question_id,
                value=value,
                comment=comment,
                version=answer.version,
                changed_at=now,
                changed_by=actor,
            )
        )
        saved[change.question_id] = answer
    assessment = respondent.assessment
    if assessment.status == "draft":
        assessment.status = "in_progress"
    if section_id is not None and respondent.last_section != section_id:
        respondent.last_section = section_id
    try:
        _commit_keeping_state()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Someone else saved this answer at the same moment — reload.") from None
    return saved


def _commit_keeping_state() -> None:
    """Commit, leaving loaded objects as written: one write transaction, no reads after it."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _conflict_message(answer: Answer) -> str:
    return f"Changed by {answer.updated_by} at {answer.updated_at:%Y-%m-%d %H:%M} UTC — reload to see it."


def remember_section(respondent: Respondent, section_id: str) -> None:
    """Note where the respondent is, so that coming back resumes there."""
    if respondent.last_section != section_id:
        respondent_id = respondent.id
        # A write after the request's reads: on SQLite, upgrading that read transaction fails
        # at once ("database is locked") when another writer committed meanwhile.
        begin_write()
        db.session.execute(
            update(Respondent)
            .where(Respondent.id == respondent_id)
            .values(last_section=section_id)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


@dataclass(frozen=True)
class SectionProgress:
    id: str
    title: str
    shown: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.shown) if self.shown else 100


def progress(
    questionnaire: Questionnaire,
    respondent: Respondent,
    values: dict[str, Any] | None = None,
    shown: frozenset[str] | None = None,
) -> list[SectionProgress]:
    """Per section: how many questions are shown and how many answered.

    ``values`` and ``shown``, when the caller has them, are the respondent's answer values
    and :func:`visible_ids` of them.
    """
    if values is None:
        values = answer_values(respondent)
    if shown is None:
        shown = visible_ids(questionnaire, respondent, values)
    return [_section_progress(section, shown, values) for section in questionnaire.sections]


def _section_progress(
    section: Section, shown: frozenset[str], values: dict[str, Any]
) -> SectionProgress:
    ids = [q.id for q in section.questions if q.id in shown]
    return SectionProgress(section.id, section.title, len(ids), sum(1 for i in ids if i in values))


def overall_percent(sections: list[SectionProgress]) -> int:
    shown = sum(s.shown for s in sections)
    return round(100 * sum(s.answered for s in sections) / shown) if shown else 0


def missing_required(questionnaire: Questionnaire, respondent: Respondent) -> list[str]:
    """Ids of required questions shown to the respondent and not answered."""
    values = answer_values(respondent)
    shown = visible_ids(questionnaire, respondent, values)
    return [
        q.id
        for q in questionnaire.questions.values()
        if q.required and q.id in shown and q.id not in values
    ]


def submit(questionnaire: Questionnaire, respondent: Respondent, actor: str) -> None:
    """Lock the respondent's answers.

    :raise InvalidInput: required questions are unanswered (``field`` is the first one).
    """
    begin_write()  # no save slips in between the check and the lock
    db.session.refresh(respondent)
    missing = missing_required(questionnaire, respondent)
    if missing:
        db.session.rollback()
        raise InvalidInput(
            f"{len(missing)} required question(s) still need an answer.", field=missing[0]
        )
    respondent.submitted_at = utcnow()
    assessment = respondent.assessment
    if all(r.submitted_at is not None for r in assessment.respondents):
        assessment.status = "submitted"
    audit.record(
        "answers-submitted",
        workspace_id=assessment.organization.workspace_id,
        actor=actor,
        target=f"respondent:{respondent.id}",
    )
    db.session.commit()


def reopen(respondent: Respondent, actor: str, user_id: int | None = None) -> None:
    """Unlock a respondent's submitted answers."""
    begin_write()
    respondent.submitted_at = None
    assessment = respondent.assessment
    if assessment.status in ("submitted", "closed"):
        assessment.status = "in_progress"
        assessment.closed_at = None
    audit.record(
        "answers-reopened",
        workspace_id=assessment.organization.workspace_id,
        actor=actor,
        target=f"respondent:{respondent.id}",
    )
    db.session.commit()


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
