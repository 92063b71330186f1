"""Deleting and erasing (GDPR Art. 17): an assessment, one respondent, a whole client
organisation.

Rows go with their owners through the database's ``ON DELETE CASCADE`` (answers, their
history and comments, stored reports, kept results, whatever table a later change hangs
off an assessment or respondent), so nothing needs listing here; erasing one respondent
also deletes the assessment's kept results, which print their name and answers.  The audit log is kept, but
the erased people leave no trace in it: their names and e-mail addresses in the actor
and the details of every audit row of the workspace are replaced by :data:`MARKER`.  One
audit entry, without personal data, says what was erased, when and by whom.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, select

from assessor.config import outbox_for
from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import (
    Assessment,
    AuditEvent,
    MailLog,
    Membership,
    Organization,
    RemediationAction,
    ReportReview,
    Respondent,
    StoredReport,
    StoredResult,
    User,
)
from assessor.operations import audit, kept_results
from assessor.operations.row_locks import lock_assessment, lock_respondent

#: What an erased name or e-mail address reads in the audit log.
MARKER = "[erased]"


def _redact(value: Any, needles: set[str]) -> Any:
    """``value`` with every string equal to one of ``needles`` replaced by the marker."""
    if isinstance(value, str):
        return MARKER if value.strip().lower() in needles else value
    if isinstance(value, list):
        return [_redact(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, needles) for k, v in value.items()}
    return value


def _redact_actor(actor: str, needles: set[str]) -> str:
    """An actor that names an erased person ("Carla CIO", "Carla CIO (personal link)")
    names the marker instead; the rest of it (how they acted) stays."""
    lowered = actor.lower()
    for needle in needles:
        if lowered == needle:
            return MARKER
        if lowered.startswith(f"{needle} ("):
            return MARKER + actor[len(needle) :]
    return actor


def _scrub_audit(workspace_id: int, people: Iterable[Respondent], *extra: str) -> None:
    """Replace the people's names and e-mail addresses (and ``extra`` strings, such as an
    organisation's name) in the workspace's audit rows by the marker.  An address that is
    also a member's account stays: it names the member, who is not being erased."""
    members = set(
        db.session.scalars(
            select(User.email).join(Membership).where(Membership.workspace_id == workspace_id)
        )
    )
    needles = {text.strip().lower() for text in extra if text and text.strip()}
    for person in people:
        needles.add(person.name.strip().lower())
        if person.email and person.email not in members:
            needles.add(person.email.strip().lower())
    needles.discard("")
    if not needles:
        return
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.workspace_id == workspace_id))
    for row in rows:
        actor = _redact_actor(row.actor, needles)
        detail = _redact(row.detail or {}, needles)
        if actor != row.actor:
            row.actor = actor
        if detail != row.detail:
            row.detail = detail


def _forget_mail(which: ColumnElement[bool]) -> list[str]:
    """Delete the mail log rows ``which`` selects; the names of their ``.eml`` files in
    the outbox, to delete once the transaction commits."""
    files = [name for name in db.session.scalars(select(MailLog.outbox_file).where(which)) if name]
    db.session.execute(delete(MailLog).where(which))
    return files


def _delete_outbox_files(names: list[str]) -> None:
    """The outbox's copies of erased e-mails (the embedded default writes every e-mail)."""
    folder = outbox_for(Path(current_app.instance_path), current_app.config["MAIL_OUTBOX"])
    for name in names:
        (folder / Path(name).name).unlink(missing_ok=True)


def delete_assessment(assessment: Assessment, by: User) -> None:
    """Delete an assessment with its respondents, answers, history and stored reports;
    the respondents' names leave the audit log."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    workspace_id = assessment.organization.workspace_id
    _scrub_audit(workspace_id, assessment.all_respondents)
    audit.record(
        "assessment-deleted",
        workspace_id=workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        respondents=len(assessment.all_respondents),
    )
    files = _forget_mail(MailLog.assessment_id == assessment.id)
    db.session.delete(assessment)
    db.session.commit()
    _delete_outbox_files(files)


def erase_respondent(respondent: Respondent, by: User) -> None:
    """Erase a respondent (the data subject): their row, answers, history and comments,
    the assessment's stored reports (which print their name and answers), and their
    name and address in the audit log."""
    respondent_id, assessment_id = respondent.id, respondent.assessment_id
    begin_write()  # SQLite: take the write lock before reading what is changed
    # PostgreSQL: the respondent's row, then the assessment's, in a submission's order (as
    # removing does): a save or submission at the same moment waits, then finds no one.
    connection = db.session.connection()
    lock_respondent(connection, respondent_id)
    lock_assessment(connection, assessment_id)
    assessment = respondent.assessment
    workspace_id = assessment.organization.workspace_id
    _scrub_audit(workspace_id, [respondent])
    db.session.execute(delete(StoredReport).where(StoredReport.assessment_id == assessment.id))
    # Every kept result prints their name and answers: they all go.
    db.session.execute(delete(StoredResult).where(StoredResult.assessment_id == assessment.id))
    # So does every review's frozen report (its result and PDF): the review is gone.
    db.session.execute(delete(ReportReview).where(ReportReview.assessment_id == assessment.id))
    # Their e-mails, and the assessment's submission notes (each lists who is still waiting).
    files = _forget_mail(
        (MailLog.respondent_id == respondent_id)
        | ((MailLog.assessment_id == assessment_id) & (MailLog.kind == "submitted"))
    )
    db.session.delete(respondent)
    db.session.flush()
    db.session.expire(assessment, ["respondents", "all_respondents"])
    left = assessment.respondents
    if assessment.status != "closed" and left and all(r.submitted_at for r in left):
        assessment.status = "submitted"
    # A closed assessment delivers a result: the one of the people who are left, stored
    # now by today's method (said in this audit entry), never re-scored on a later read.
    detail = {}
    if assessment.status == "closed":
        stored = kept_results.store_scored(assessment, reason="erasure", by=by.email)
        detail = {"result_stored_again": stored.number, "method": stored.method_version}
    audit.record(
        "respondent-erased",
        workspace_id=workspace_id,
        actor=by.email,
        user=by,
        target=f"respondent:{respondent_id}",
        **detail,
    )
    db.session.commit()
    _delete_outbox_files(files)


def erase_organization(organization: Organization, by: User) -> int:
    """Delete a client organisation and erase its data: every assessment with its
    respondents, answers, history and stored reports; the people's names, the
    organisation's name and its assessments' titles leave the audit log.  Keeps one
    audit entry with counts only.  Returns how many respondents were erased."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    workspace_id = organization.workspace_id
    people = [p for a in organization.assessments for p in a.all_respondents]
    titles = [a.title for a in organization.assessments]
    _scrub_audit(workspace_id, people, organization.name, *titles)
    audit.record(
        "organization-erased",
        workspace_id=workspace_id,
        actor=by.email,
        user=by,
        target=f"organization:{organization.id}",
        assessments=len(titles),
        respondents=len(people),
    )
    assessment_ids = [a.id for a in organization.assessments]
    action_ids = select(RemediationAction.id).where(
        RemediationAction.organization_id == organization.id
    )
    # Its e-mails: to its respondents, and reminders to the owners of its actions.
    files = _forget_mail(
        MailLog.assessment_id.in_(assessment_ids) | MailLog.action_id.in_(action_ids)
    )
    db.session.delete(organization)
    db.session.commit()
    _delete_outbox_files(files)
    return len(people)
