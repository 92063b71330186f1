"""Deleting and erasing (GDPR Art. 17): an assessment, one respondent (in their round, or
in every round of their organisation), a whole client organisation.

Rows go with their owners through the database's ``ON DELETE CASCADE`` (answers, their
history and comments, stored reports, kept results, whatever table a later change hangs
off an assessment or respondent), so nothing needs listing here.  Erasing a respondent
also deletes, in each round they leave, the kept results and the sign-offs (each prints
their name and answers) and the e-mails to them; where the consultant's texts name them
(who accepted a risk, a reason, the summary as edited), the name reads :data:`MARKER`.
Erasing them from every round of the organisation also blanks the actions they own (and
deletes the reminders to them) and deletes open invitations to their address.

Every one of these first deletes the render jobs of the assessments it changes, and
after its commit their RQ jobs leave Redis (:func:`render_queue.forget`): no render made
before it stores their report again.

The audit log is kept, but the erased people leave no trace in it (:mod:`redaction`):
every name they were known by and their address read :data:`MARKER` in every entry of
the workspace, or, for someone the workspace still holds elsewhere (the same person in
another round or organisation), only in the entries about what was erased.  One audit
entry, without personal data, says what was erased, when and by whom.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, select

from assessor.config import outbox_for
from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import (
    Assessment,
    FindingStatus,
    MailLog,
    Organization,
    RemediationAction,
    RenderJob,
    ReportReview,
    Respondent,
    SettledFact,
    StoredReport,
    StoredResult,
    SummaryEdit,
    User,
    WhatIfScenario,
    utcnow,
)
from assessor.operations import audit, idempotency, kept_results, person_places, render_queue
from assessor.operations.person_places import Person
from assessor.operations.redaction import MARKER, Needles, fold, members_of, names_held, scrub_audit
from assessor.operations.row_locks import lock_assessment, lock_respondent

__all__ = ["MARKER", "Erased", "delete_assessment", "erase_organization", "erase_respondent"]


@dataclass(frozen=True)
class _Gone:
    """Someone who leaves the workspace's data: respondent rows or an action's owner."""

    names: frozenset[str]
    email: str | None


def _gone(rows: Iterable[Respondent]) -> list[_Gone]:
    """Each respondent's names (every one they were known by) and address."""
    return [_Gone(frozenset({r.name} | names_held([r.id])), r.email or None) for r in rows]


def _still_held(workspace_id: int) -> tuple[set[str], set[str]]:
    """The names and addresses of the respondents and action owners the workspace still
    holds (after what is being erased was deleted and flushed), folded."""
    people = db.session.execute(
        select(Respondent.name, Respondent.email)
        .join(Assessment)
        .join(Organization)
        .where(Organization.workspace_id == workspace_id)
    ).all()
    owners = db.session.execute(
        select(RemediationAction.owner_name, RemediationAction.owner_email)
        .join(Organization)
        .where(Organization.workspace_id == workspace_id)
    ).all()
    rows = [*people, *owners]
    return {fold(name) for name, _ in rows}, {fold(email) for _, email in rows if email}


def _scrub(
    workspace_id: int,
    gone: Iterable[_Gone],
    targets: Iterable[str],
    *,
    everywhere: Iterable[str] = (),
    about: Iterable[str] = (),
) -> None:
    """Take the people who are gone out of the workspace's audit log: from every entry,
    or only from the entries about ``targets`` when the workspace still holds them
    elsewhere (a name or address of theirs is another respondent's or owner's).
    ``everywhere`` and ``about``: more texts (an organisation's name, its titles)."""
    names, emails = _still_held(workspace_id)
    wide, scoped = list(everywhere), list(about)
    for person in gone:
        texts = [*person.names, *([person.email] if person.email else [])]
        held = any(fold(n) in names for n in person.names) or (
            person.email is not None and fold(person.email) in emails
        )
        (scoped if held else wide).extend(texts)
    keep = members_of(workspace_id)
    scrub_audit(workspace_id, Needles.of(wide, keep), Needles.of(scoped, keep), targets)


def _drop_render_jobs(assessment_ids: Iterable[int]) -> list[int]:
    """Delete the assessments' render jobs (the ids, for :func:`render_queue.forget`).
    The first write of every erasure: on PostgreSQL a render storing its PDF holds its
    job's row, then the assessment's (``render_jobs.run``), and an erasure takes them in
    the same order; a render that started before sees its row gone and stores nothing."""
    ids = list(assessment_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            delete(RenderJob).where(RenderJob.assessment_id.in_(ids)).returning(RenderJob.id)
        )
    )


def _forget_mail(which: ColumnElement[bool]) -> tuple[list[int], list[str]]:
    """Delete the mail log rows ``which`` selects: their ids, and the names of their
    ``.eml`` files in the outbox, to delete once the transaction commits."""
    rows = db.session.execute(select(MailLog.id, MailLog.outbox_file).where(which)).all()
    db.session.execute(delete(MailLog).where(which))
    return [log_id for log_id, _ in rows], [name for _, name in rows if name]


def _delete_outbox_files(names: list[str]) -> None:
    """The outbox's copies of erased e-mails (the embedded default writes every e-mail)."""
    folder = outbox_for(Path(current_app.instance_path), current_app.config["MAIL_OUTBOX"])
    for name in names:
        (folder / Path(name).name).unlink(missing_ok=True)


def _scenario_targets(assessment_ids: Iterable[int]) -> list[str]:
    ids = select(WhatIfScenario.id).where(WhatIfScenario.assessment_id.in_(list(assessment_ids)))
    return [f"what-if:{i}" for i in db.session.scalars(ids)]


def _after_commit(files: list[str], jobs: list[int]) -> None:
    _delete_outbox_files(files)
    render_queue.forget(jobs)


def delete_assessment(assessment: Assessment, by: User) -> None:
    """Delete an assessment with its respondents, answers, history and stored reports;
    the respondents' names leave its audit entries (and every entry, for those the
    workspace no longer holds anywhere)."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    workspace_id = assessment.organization.workspace_id
    jobs = _drop_render_jobs([assessment.id])
    people = list(assessment.all_respondents)
    gone = _gone(people)
    mails, files = _forget_mail(MailLog.assessment_id == assessment.id)
    targets = [
        f"assessment:{assessment.id}",
        *(f"respondent:{p.id}" for p in people),
        *(f"mail:{i}" for i in mails),
        *_scenario_targets([assessment.id]),
    ]
    idempotency.forget_requests([f"/assessments/{assessment.id}"])
    audit.record(
        "assessment-deleted",
        workspace_id=workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        respondents=len(people),
    )
    db.session.delete(assessment)
    db.session.flush()
    _scrub(workspace_id, gone, targets)
    db.session.commit()
    _after_commit(files, jobs)


@dataclass(frozen=True)
class Erased:
    """What erasing a person took: respondent rows, rounds, actions' owners."""

    respondents: int
    rounds: int
    actions: int


def _redact_texts(needles: Needles, assessment_ids: list[int]) -> set[int]:
    """Replace the person in the consultant's texts of these assessments; the ids of the
    assessments where a text named them."""
    changed: set[int] = set()
    if not needles or not assessment_ids:
        return changed
    columns: dict[Any, tuple[str, ...]] = {
        FindingStatus: ("accepted_by", "reason", "response", "note"),
        SettledFact: ("reason", "label"),
        SummaryEdit: ("text",),
        WhatIfScenario: ("name",),
    }
    for model, names in columns.items():
        rows: Iterable[Any] = db.session.scalars(
            select(model).where(model.assessment_id.in_(assessment_ids))
        )
        for row in rows:
            for name in names:
                value = getattr(row, name)
                if needles.found_in(value):
                    text = needles.text(value)
                    if isinstance(row, WhatIfScenario):
                        text = _unique_name(row, text)
                    setattr(row, name, text)
                    changed.add(row.assessment_id)
    return changed


def _unique_name(scenario: WhatIfScenario, name: str) -> str:
    """A what-if's name after redaction, unique in its assessment as names must be."""
    taken = set(
        db.session.scalars(
            select(WhatIfScenario.name).where(
                WhatIfScenario.assessment_id == scenario.assessment_id,
                WhatIfScenario.id != scenario.id,
            )
        )
    )
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name} ({number})"
    return candidate


def _blank_owners(who: Person, organization_id: int) -> list[int]:
    """The person's actions name no owner any more (:data:`MARKER`, no address) and their
    evidence notes lose the person; the ids of the actions changed."""
    changed = []
    for action in person_places.owned_actions(who, organization_id):
        if who.is_(action.owner_name, action.owner_email):
            action.owner_name, action.owner_email = MARKER, ""
        action.evidence = who.needles.text(action.evidence)
        changed.append(action.id)
    return changed


def _mail_to_address(who: Person, workspace_id: int) -> list[int]:
    """The workspace's e-mails to the person's address (a team invitation, say)."""
    if who.email is None or not who.needles.found_in(who.email):  # a member's address
        return []
    rows = db.session.execute(
        select(MailLog.id, MailLog.recipient).where(MailLog.workspace_id == workspace_id)
    )
    return [log_id for log_id, recipient in rows if fold(recipient) == who.email]


def erase_respondent(respondent: Respondent, by: User, *, everywhere: bool = False) -> Erased:
    """Erase a respondent (the data subject): their row, answers, history and comments;
    the assessment's stored reports, kept results and sign-offs (which print their name
    and answers); the e-mails to them; their names and address in the audit log and in
    the assessment's texts.  ``everywhere``: the same in every round of the organisation
    the person is in, and the actions they own name no owner (their reminders deleted),
    open invitations to their address go.  A closed round's result is stored again from
    the people left, by today's method (said in the audit entry)."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    assessment = respondent.assessment
    organization = assessment.organization
    workspace_id = organization.workspace_id
    who = person_places.person([respondent], workspace_id)
    rows, scope = [respondent], [assessment.id]
    if everywhere:
        rows = person_places.same_person(who, organization.id) or [respondent]
        who = person_places.person(rows, workspace_id)
        rows = person_places.same_person(who, organization.id) or [respondent]
        scope = [a.id for a in person_places.rounds(organization.id)]
    jobs = _drop_render_jobs(scope)
    # PostgreSQL: the respondents' rows, then the assessments', in a submission's order (as
    # removing does): a save or submission at the same moment waits, then finds no one.
    connection = db.session.connection()
    for row in sorted(rows, key=lambda r: r.id):
        lock_respondent(connection, row.id)
    left_by = sorted({r.assessment_id for r in rows})
    for assessment_id in sorted({*left_by, *scope}):
        lock_assessment(connection, assessment_id)
    gone = _gone(rows)
    named = _redact_texts(who.needles, scope)
    reports = list({*left_by, *named})
    db.session.execute(delete(StoredReport).where(StoredReport.assessment_id.in_(reports)))
    # So does every review's frozen report (its result and PDF): the review is gone.
    db.session.execute(delete(ReportReview).where(ReportReview.assessment_id.in_(reports)))
    # Every kept result prints their name and answers: they all go.
    db.session.execute(delete(StoredResult).where(StoredResult.assessment_id.in_(left_by)))
    # Their e-mails, and the assessments' submission notes (each lists who is still waiting).
    mail = (MailLog.respondent_id.in_([r.id for r in rows])) | (
        MailLog.assessment_id.in_(left_by) & (MailLog.kind == "submitted")
    )
    actions: list[int] = []
    invitations: list[str] = []
    if everywhere:
        actions = _blank_owners(who, organization.id)
        mail = (
            mail
            | MailLog.action_id.in_(actions or [-1])
            | MailLog.id.in_(_mail_to_address(who, workspace_id) or [-1])
        )
        for invitation in person_places.open_invitations(who, workspace_id):
            invitations.append(f"invitation:{invitation.email}")
            db.session.delete(invitation)
    mails, files = _forget_mail(mail)
    idempotency.forget_requests(f"/assessments/{r.assessment_id}/respondents/{r.id}" for r in rows)
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    stored_again = {}
    for round_ in db.session.scalars(select(Assessment).where(Assessment.id.in_(scope))):
        round_.erased_at = utcnow()  # a render scored before this stores nothing
        if round_.id not in left_by:
            continue
        db.session.expire(round_, ["respondents", "all_respondents"])
        left = round_.respondents
        if round_.status != "closed" and left and all(r.submitted_at for r in left):
            round_.status = "submitted"
        # A closed assessment delivers a result: the one of the people who are left,
        # stored now by today's method (said in the audit entry), never re-scored later.
        if round_.status == "closed":
            stored = kept_results.store_scored(round_, reason="erasure", by=by.email)
            stored_again[round_.id] = {
                "result_stored_again": stored.number,
                "method": stored.method_version,
            }
    targets = [
        *(f"respondent:{r.id}" for r in rows),
        *(f"assessment:{i}" for i in scope),
        *(f"mail:{i}" for i in mails),
        *(f"action:{i}" for i in actions),
        *invitations,
        *_scenario_targets(scope),
    ]
    _scrub(workspace_id, gone, targets)
    for row in rows:
        audit.record(
            "respondent-erased",
            workspace_id=workspace_id,
            actor=by.email,
            user=by,
            target=f"respondent:{row.id}",
            **stored_again.get(row.assessment_id, {}),
            **({"everywhere": True, "actions": len(actions)} if everywhere else {}),
        )
    db.session.commit()
    _after_commit(files, jobs)
    return Erased(len(rows), len(left_by), len(actions))


def erase_organization(organization: Organization, by: User) -> int:
    """Delete a client organisation and erase its data: every assessment with its
    respondents, answers, history and stored reports, its actions and the e-mails to
    their owners; the people's names and addresses, the organisation's name and its
    assessments' titles leave the audit log.  Keeps one audit entry with counts only.
    Returns how many respondents were erased."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    workspace_id = organization.workspace_id
    assessment_ids = [a.id for a in organization.assessments]
    jobs = _drop_render_jobs(assessment_ids)
    people = [p for a in organization.assessments for p in a.all_respondents]
    titles = [a.title for a in organization.assessments]
    actions = list(
        db.session.scalars(
            select(RemediationAction).where(RemediationAction.organization_id == organization.id)
        )
    )
    gone = _gone(people) + [
        _Gone(frozenset({a.owner_name}), a.owner_email or None) for a in actions
    ]
    # Its e-mails: to its respondents, and reminders to the owners of its actions.
    mails, files = _forget_mail(
        MailLog.assessment_id.in_(assessment_ids)
        | MailLog.action_id.in_([a.id for a in actions] or [-1])
    )
    targets = [
        f"organization:{organization.id}",
        *(f"assessment:{i}" for i in assessment_ids),
        *(f"respondent:{p.id}" for p in people),
        *(f"action:{a.id}" for a in actions),
        *(f"mail:{i}" for i in mails),
        *_scenario_targets(assessment_ids),
    ]
    name = organization.name
    idempotency.forget_requests(
        [f"/organisations/{organization.id}", *(f"/assessments/{i}" for i in assessment_ids)]
    )
    audit.record(
        "organization-erased",
        workspace_id=workspace_id,
        actor=by.email,
        user=by,
        target=f"organization:{organization.id}",
        assessments=len(titles),
        respondents=len(people),
    )
    db.session.delete(organization)
    db.session.flush()
    _scrub(workspace_id, gone, targets, everywhere=[name], about=titles)
    db.session.commit()
    _after_commit(files, jobs)
    return len(people)
