"""E-mails about assessments and teams: respondents' invitations and reminders, the note to
the consultants when a respondent submits, and team invitations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, MailLog, Membership, Respondent, User, Workspace, utcnow
from assessor.operations import accounts, audit, reminder_claims
from assessor.operations import assessments as assessment_ops
from assessor.operations.errors import InvalidInput
from assessor.operations.mailing import external_url, send

#: Reminders are sent for assessments in these states (not once submitted or closed).
_OPEN = ("draft", "in_progress")


def _sender_name(by: User | None, workspace: Workspace) -> str:
    return by.name if by is not None else (workspace.firm_name or workspace.name)


def _email_link(respondent: Respondent, by: User | None, kind: str) -> MailLog:
    """Issue the respondent a fresh personal link and e-mail it (``kind``: invitation or
    reminder); the earlier link stops working."""
    if not respondent.email:
        raise InvalidInput(f"{respondent.name} has no e-mail address; copy their link instead.")
    assessment = respondent.assessment
    organization = assessment.organization
    token = assessment_ops.issue_link(respondent, by)
    return send(
        kind,
        respondent.email,
        f"respondent_{kind}",
        workspace_id=organization.workspace_id,
        assessment_id=assessment.id,
        respondent_id=respondent.id,
        actor=by.email if by is not None else "system",
        respondent=respondent.name,
        organization=organization.name,
        sender=_sender_name(by, organization.workspace),
        link=external_url("answering.link_start", token=token),
        expires_at=respondent.token_expires_at,
    )


def email_invitation(respondent: Respondent, by: User) -> MailLog:
    """E-mail the respondent their personal link (a new one; the earlier stops working).

    :raise InvalidInput: the respondent has no e-mail address.
    """
    return _email_link(respondent, by, "invitation")


def waiting(assessment: Assessment) -> list[Respondent]:
    """Respondents a reminder goes to: invited by link, with an address, not submitted,
    link not revoked."""
    return [
        r
        for r in assessment.respondents
        if r.email and r.submitted_at is None and r.token_hash and not r.revoked
    ]


def remind(assessment: Assessment, by: User | None) -> list[MailLog]:
    """E-mail a reminder, with a fresh link, to everyone :func:`waiting`; ``by`` None: the
    schedule.  Returns the messages, sent or failed."""
    logs = [_email_link(r, by, "reminder") for r in waiting(assessment)]
    begin_write()
    assessment.reminded_at = utcnow()
    db.session.commit()
    return logs


def set_reminder_schedule(assessment: Assessment, days: int | None, by: User) -> None:
    """Remind the respondents who have not submitted every ``days`` days (None: never)."""
    if days is not None and not 1 <= days <= 365:
        raise InvalidInput("Remind every 1 to 365 days, or leave it empty.", field="days")
    begin_write()
    assessment.reminder_days = days
    audit.record(
        "reminders-scheduled",
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        days=days,
    )
    db.session.commit()


@dataclass
class ReminderRun:
    assessments: int = 0
    sent: int = 0
    #: Handed to the queue's workers (``ASSESSOR_QUEUE_URL``): they send them.
    queued: int = 0
    failed: list[MailLog] = field(default_factory=list)


def send_due_reminders(now: datetime | None = None) -> ReminderRun:
    """Remind for every open assessment whose schedule is due: ``reminder_days`` after its
    last reminder (or its start).  Safe to run in several places at once: each round of
    an assessment's reminders is taken by one run."""
    now = now or utcnow()
    run = ReminderRun()
    scheduled = db.session.scalars(
        select(Assessment)
        .where(Assessment.reminder_days.is_not(None), Assessment.status.in_(_OPEN))
        .order_by(Assessment.id)
    ).all()
    for assessment in scheduled:
        last = assessment.reminded_at or assessment.created_at
        if assessment.reminder_days is None or now < last + timedelta(
            days=assessment.reminder_days
        ):
            continue
        if not reminder_claims.claim(assessment, now):
            continue
        run.assessments += 1
        for log in [_email_link(r, None, "reminder") for r in waiting(assessment)]:
            if log.status == "sent":
                run.sent += 1
            elif log.status == "queued":
                run.queued += 1
            else:
                run.failed.append(log)
    return run


def notify_submitted(respondent_id: int) -> list[MailLog]:
    """Tell the workspace's owners and consultants that a respondent submitted."""
    respondent = db.session.get_one(Respondent, respondent_id)
    assessment = respondent.assessment
    organization = assessment.organization
    editors = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.workspace_id == organization.workspace_id,
            Membership.role.in_(("owner", "consultant")),
        )
        .order_by(User.id)
    ).all()
    link = external_url("assessments.detail", assessment_id=assessment.id)
    return [
        send(
            "submitted",
            user.email,
            "respondent_submitted",
            workspace_id=organization.workspace_id,
            assessment_id=assessment.id,
            respondent_id=respondent.id,
            respondent=respondent.name,
            role=respondent.role,
            assessment=assessment.title,
            organization=organization.name,
            waiting=[r.name for r in assessment.respondents if r.submitted_at is None],
            link=link,
        )
        for user in editors
    ]


def invite_member(
    workspace: Workspace, email: str, role: str, by: User
) -> tuple[accounts.IssuedInvitation, MailLog]:
    """Invite someone to the workspace and e-mail them the link; the owner is shown a copy
    without the proof the e-mailed one carries."""
    issued = accounts.invite_member(workspace, email, role, by)
    log = send(
        "team-invitation",
        issued.invitation.email,
        "team_invitation",
        workspace_id=workspace.id,
        actor=by.email,
        sender=by.name,
        workspace=workspace.firm_name or workspace.name,
        role=role,
        # Only the e-mailed link carries the proof: it proves the address of whoever
        # opens it (the owner's copy, shown on the page, does not).
        link=external_url("auth.join", token=issued.token, proof=issued.proof),
        expires_at=issued.invitation.expires_at,
    )
    return issued, log
