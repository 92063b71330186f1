"""E-mail reminders to the owners of remediation actions: a person of the client (a name
and an address, no account) is reminded of the finding they took on, by a click or, while
the action is overdue, every ``ACTION_REMINDER_DAYS`` days by the same runs that remind
respondents (``assessor reminders send``, or the queue's scheduled check).

The e-mail names the finding, its due date and status, and who to reply to; it carries no
link (the owner has no account).  Each reminder is logged like every e-mail (a failed send
shows beside the action) and tied to the action, so erasing the client erases it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.mail import Address, LongText
from assessor.models import MailLog, Organization, RemediationAction, User, utcnow
from assessor.operations import reminder_claims
from assessor.operations.actions import STATUS_LABELS
from assessor.operations.errors import InvalidInput
from assessor.operations.mailing import send
from assessor.reports.labels import SEVERITY_LABELS


def remind_owner(action: RemediationAction, by: User | None) -> MailLog:
    """E-mail the action's owner a reminder (``by`` None: the schedule), and note when.

    :raise InvalidInput: the action is done: there is nothing to remind of.
    """
    if action.status == "done":
        raise InvalidInput("This action is done: there is nothing to remind its owner of.")
    if not action.owner_email:
        raise InvalidInput("This action's owner was erased: name a new owner first.")
    organization = action.organization
    workspace = organization.workspace
    firm = workspace.firm_name or workspace.name
    log = send(
        "action-reminder",
        action.owner_email,
        "action_reminder",
        workspace_id=organization.workspace_id,
        action_id=action.id,
        actor=by.email if by is not None else "system",
        owner=action.owner_name,
        organization=organization.name,
        title=LongText(action.title),
        severity=SEVERITY_LABELS.get(action.severity, action.severity),
        due=action.due_date.strftime("%d %B %Y") if action.due_date else "",
        overdue=action.due_date is not None and action.due_date < utcnow().date(),
        status=STATUS_LABELS[action.status],
        sender=by.name if by is not None else firm,
        reply_to=Address(by.email) if by is not None else "",
        firm=firm,
    )
    begin_write()
    action.reminded_at = utcnow()
    db.session.commit()
    return log


def last_reminders(organization_id: int) -> dict[int, MailLog]:
    """The latest reminder e-mail of each action of the organisation, by action id."""
    rows = db.session.scalars(
        select(MailLog)
        .join(RemediationAction, RemediationAction.id == MailLog.action_id)
        .where(RemediationAction.organization_id == organization_id)
        .order_by(MailLog.created_at, MailLog.id)
    )
    return {row.action_id: row for row in rows if row.action_id is not None}


@dataclass
class ActionReminderRun:
    actions: int = 0
    sent: int = 0
    queued: int = 0
    failed: list[MailLog] = field(default_factory=list)


def due(now: datetime) -> list[RemediationAction]:
    """Overdue actions not done whose owner was not reminded in the last
    ``ACTION_REMINDER_DAYS`` days (none when it is 0)."""
    days = int(current_app.config["ACTION_REMINDER_DAYS"])
    if days <= 0:
        return []
    since = now - timedelta(days=days)
    return list(
        db.session.scalars(
            select(RemediationAction)
            .join(Organization)
            .where(
                RemediationAction.status != "done",
                RemediationAction.owner_email != "",  # its owner was erased
                RemediationAction.due_date < now.date(),
                (RemediationAction.reminded_at.is_(None))
                | (RemediationAction.reminded_at <= since),
            )
            .order_by(RemediationAction.id)
        )
    )


def send_due(now: datetime | None = None) -> ActionReminderRun:
    """Remind the owner of every :func:`due` action once; safe to run in several places
    at once (each reminder is taken by one run)."""
    now = now or utcnow()
    run = ActionReminderRun()
    for action in due(now):
        if not reminder_claims.claim(action, now):
            continue
        run.actions += 1
        log = remind_owner(action, None)
        if log.status == "sent":
            run.sent += 1
        elif log.status == "queued":
            run.queued += 1
        else:
            run.failed.append(log)
    return run
