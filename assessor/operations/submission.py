"""Submitting a respondent's answers (they lock) and reopening them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, Respondent, utcnow
from assessor.operations import audit, kept_results, notices, render_jobs, render_queue
from assessor.operations.errors import InvalidInput, Locked
from assessor.operations.progress import missing_required
from assessor.operations.respondents import RespondentView
from assessor.operations.row_locks import lock_assessment, lock_respondent
from assessor.questionnaire import Questionnaire

_respondent = Respondent.__table__
_assessment = Assessment.__table__


def submit(
    questionnaire: Questionnaire,
    who: Respondent | RespondentView,
    actor: str,
    *,
    notify: bool = True,
    by_user_id: int | None = None,
) -> datetime:
    """Lock the respondent's answers; the time they were submitted.  Submitting again (a
    second tab, a double click) changes nothing and gives the first submission's time.
    ``notify``: e-mail the workspace's editors that they submitted (not for answers the
    service itself submits, such as the demo's), but the member who submitted
    (``by_user_id``) and the respondent themselves.

    :raise InvalidInput: required questions are unanswered (``field`` is the first one).
    :raise Locked: the assessment is closed.
    """
    begin_write()  # no save slips in between the check and the lock
    lock_respondent(db.session.connection(), who.id)
    # Read (again) under the lock: the respondent as a save that came first left them.
    respondent = db.session.get_one(Respondent, who.id, populate_existing=True)
    if respondent.submitted_at is not None:
        submitted_at = respondent.submitted_at
        db.session.rollback()
        return submitted_at
    if respondent.assessment.status == "closed":
        db.session.rollback()
        raise Locked("This assessment is closed; its answers can no longer change.")
    missing = missing_required(questionnaire, respondent)
    if missing:
        db.session.rollback()
        raise InvalidInput(
            f"{len(missing)} required question(s) still need an answer.", field=missing[0]
        )
    submitted_at = respondent.submitted_at = utcnow()
    assessment = respondent.assessment
    # The assessment is submitted with its last respondent.  PostgreSQL: respondents who
    # submit at the same moment take turns on the assessment's row (after their own, the
    # order saves use), and each counts the others with a statement made after its turn
    # came, so the last one sees everyone else's submission.
    connection = db.session.connection()
    lock_assessment(connection, assessment.id)
    waiting = connection.execute(
        select(func.count())
        .select_from(_respondent)
        .where(
            _respondent.c.assessment_id == assessment.id,
            _respondent.c.id != respondent.id,
            _respondent.c.submitted_at.is_(None),
            _respondent.c.removed_at.is_(None),
        )
    ).scalar_one()
    if waiting == 0:
        assessment.status = "submitted"
    db.session.flush()
    scored = kept_results.snapshot(assessment, by="system")
    audit.record(
        "answers-submitted",
        workspace_id=assessment.organization.workspace_id,
        actor=actor,
        target=f"respondent:{respondent.id}",
    )
    version = render_jobs.version_of(assessment)  # as the snapshot saw it (row locked)
    db.session.commit()
    # After the commit (the answers are safe first), from the snapshot's scoring.
    render_queue.prerender(assessment.id, scored, version=version)
    if notify:
        notices.notify_submitted(who.id, by_user_id)
    return submitted_at


def reopen(respondent: Respondent, actor: str, user_id: int | None = None) -> None:
    """Unlock a respondent's submitted answers.

    :raise Locked: the assessment is closed (its answers are final).
    """
    begin_write()
    assessment = respondent.assessment
    if assessment.status == "closed":
        db.session.rollback()
        raise Locked("This assessment is closed; its answers are final and cannot be reopened.")
    respondent.submitted_at = None
    if assessment.status == "submitted":
        assessment.status = "in_progress"
    audit.record(
        "answers-reopened",
        workspace_id=assessment.organization.workspace_id,
        actor=actor,
        target=f"respondent:{respondent.id}",
    )
    db.session.commit()
