"""E-mails about assessments and teams: respondents' invitations and reminders, the note to
the consultants (the editors of an organisation's own workspace) when a respondent submits,
and team invitations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, MailLog, Membership, Respondent, User, Workspace, utcnow
from assessor.operations import accounts, audit, members, reminder_claims, reminder_schedule
from assessor.operations import assessments as assessment_ops
from assessor.operations.errors import InvalidInput
from assessor.operations.mailing import external_url, send
from assessor.reports.labels import role_label


def _sender_name(by: User | None, workspace: Workspace) -> str:
    return by.name if by is not None else (workspace.firm_name or workspace.name)


def _email_link(respondent: Respondent, by: User | None, kind: str) -> MailLog:
    """E-mail the respondent their personal link (``kind``: invitation or reminder): the
    one they hold while it works, else a new one (:func:`assessments.link_to_send`).
    Whether the e-mail goes or fails, the link they hold keeps working."""
    if not respondent.email:
        raise InvalidInput(f"{respondent.name} has no e-mail address; copy their link instead.")
    assessment = respondent.assessment
    organization = assessment.organization
    token = assessment_ops.link_to_send(respondent, by)
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
    """E-mail the respondent their personal link: the one they hold while it works (a
    link revoked or expired is replaced by a new one).

    :raise InvalidInput: the respondent has no e-mail address.
    """
    return _email_link(respondent, by, "invitation")


def invite_respondent(
    assessment: Assessment, by: User, *, name: str, role: str, email: str
) -> tuple[Respondent, MailLog]:
    """Add a respondent with an address and e-mail them their invitation at once (an
    organisation inviting its CISO or CIO).

    :raise InvalidInput: as :func:`assessments.add_respondent`.
    """
    respondent = assessment_ops.add_respondent(assessment, by, name=name, role=role, email=email)
    return respondent, email_invitation(respondent, by)


def nobody_to_remind(assessment: Assessment) -> str:
    """Why nobody is :func:`reminder_schedule.waiting` for a reminder, as the page says it: everyone has
    submitted, or those who have not have no link yet, a revoked one, or no e-mail address."""
    unsubmitted = [r for r in assessment.respondents if r.submitted_at is None]
    if not unsubmitted:
        return "Nobody to remind: everyone has submitted."
    unlinked = [r.name for r in unsubmitted if r.email and not r.token_hash]
    revoked = [r.name for r in unsubmitted if r.email and r.token_hash and r.revoked]
    unaddressed = [r.name for r in unsubmitted if not r.email]
    reasons = []
    if unlinked:
        reasons.append(f"{_names(unlinked)} no link yet: send them one first")
    if revoked:
        reasons.append(f"{_names(revoked)} a revoked link: “Send link by e-mail” sends a new one")
    if unaddressed:
        reasons.append(f"{_names(unaddressed)} no e-mail address")
    return f"Nobody to remind: {'; '.join(reasons)}."


def _names(names: list[str]) -> str:
    """``Ann has``, ``Ann and Bo have``, ``Ann, Bo and Cy have``."""
    if len(names) == 1:
        return f"{names[0]} has"
    return f"{', '.join(names[:-1])} and {names[-1]} have"


@dataclass
class Reminded:
    """A round of reminders on a click: the messages (sent, queued or failed), and who
    was left out because their link is revoked."""

    logs: list[MailLog] = field(default_factory=list)
    revoked: list[Respondent] = field(default_factory=list)


def remind(assessment: Assessment, by: User | None) -> Reminded:
    """E-mail a reminder, with the link they hold (extended; a new one only when it
    expired or can't be sent again), to everyone :func:`reminder_schedule.waiting`;
    ``by`` None: the schedule."""
    logs = [_email_link(r, by, "reminder") for r in reminder_schedule.waiting(assessment)]
    begin_write()
    assessment.reminded_at = utcnow()
    db.session.commit()
    return Reminded(logs, reminder_schedule.revoked(assessment))


def set_reminder_schedule(assessment: Assessment, days: int | None, by: User) -> None:
    """Remind the respondents who have not submitted every ``days`` days (None: never),
    counted from when each was last given their link."""
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
    #: Assessments that sent at least one reminder in this run.
    assessments: int = 0
    sent: int = 0
    #: Handed to the queue's workers (``ASSESSOR_QUEUE_URL``): they send them.
    queued: int = 0
    failed: list[MailLog] = field(default_factory=list)
    #: Not reminded, their link being revoked (of the assessments that sent reminders).
    revoked: list[Respondent] = field(default_factory=list)


def send_due_reminders(now: datetime | None = None) -> ReminderRun:
    """Remind each respondent whose schedule is due (:func:`reminder_schedule.due`), and
    note that a check ran.  Safe to run in several places at once: each respondent's
    reminder is taken by one run (a compare-and-set of their ``contacted_at``)."""
    now = now or utcnow()
    reminder_schedule.record_check(now)
    run = ReminderRun()
    scheduled = db.session.scalars(
        select(Assessment)
        .where(Assessment.reminder_days.is_not(None), Assessment.status.in_(reminder_schedule.OPEN))
        .order_by(Assessment.id)
    ).all()
    for assessment in scheduled:
        due = reminder_schedule.due(assessment, now)
        taken = [r for r in due if reminder_claims.claim_contact(r, now)]
        if not taken:
            continue
        run.assessments += 1
        for log in [_email_link(r, None, "reminder") for r in taken]:
            if log.status == "sent":
                run.sent += 1
            elif log.status == "queued":
                run.queued += 1
            else:
                run.failed.append(log)
        run.revoked += reminder_schedule.revoked(assessment)
        begin_write()
        assessment.reminded_at = now
        db.session.commit()
    return run


def notify_submitted(respondent_id: int, by_user_id: int | None = None) -> list[MailLog]:
    """Tell the workspace's owners and consultants that a respondent submitted, less the
    person who did (``by_user_id``: the member who clicked submit, for themselves or for
    the respondent; and the respondent's own account): nobody is told their own news."""
    respondent = db.session.get_one(Respondent, respondent_id)
    assessment = respondent.assessment
    organization = assessment.organization
    submitters = {by_user_id, respondent.user_id} - {None}
    editors = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.workspace_id == organization.workspace_id,
            Membership.role.in_(("owner", "consultant")),
            User.id.not_in(submitters),
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
            role=role_label(respondent.role),
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
        role=members.role_label(role, workspace.kind),
        # Only the e-mailed link carries the proof: it proves the address of whoever
        # opens it (the owner's copy, shown on the page, does not).
        link=external_url("auth.join", token=issued.token, proof=issued.proof),
        expires_at=issued.invitation.expires_at,
    )
    return issued, log
