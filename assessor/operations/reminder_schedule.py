"""Who a scheduled reminder is for and when, and whether the checks that send them run.

A respondent who has not submitted is reminded ``Assessment.reminder_days`` days after
they were last given their link (made for them, e-mailed, or reminded:
``Respondent.contacted_at``), not days after the assessment started: a schedule saved
just after the invitations went waits its days before the first reminder.

The reminders go when a check runs (``assessor reminders send`` from cron, or the
queue's scheduled check in ``assessor worker``).  Each check notes when it ran, so that
the assessment page can say plainly when scheduled reminders are not being sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, ReminderCheck, Respondent, utcnow

#: Reminders are sent for assessments in these states (not once submitted or closed).
OPEN = ("draft", "in_progress")


def _linked(respondent: Respondent) -> bool:
    """Has an address and a link, and has not submitted: a reminder is for them."""
    return bool(respondent.email and respondent.submitted_at is None and respondent.token_hash)


def waiting(assessment: Assessment) -> list[Respondent]:
    """Respondents a reminder goes to: with an address and a link, not submitted, their
    link not revoked (an expired link is replaced by the reminder)."""
    return [r for r in assessment.respondents if _linked(r) and not r.revoked]


def revoked(assessment: Assessment) -> list[Respondent]:
    """Respondents a reminder would go to but for their revoked link: not reminded."""
    return [r for r in assessment.respondents if _linked(r) and r.revoked]


def last_contact(respondent: Respondent) -> datetime:
    """When the respondent was last given their link.  For a link given before that was
    noted: when it was made (every link was made ``INVITE_DAYS`` before it expires, and
    each reminder made one) or the assessment's last reminder, whichever is later."""
    if respondent.contacted_at is not None:
        return respondent.contacted_at
    assessment = respondent.assessment
    known = [assessment.reminded_at]
    if respondent.token_expires_at is not None:
        days = int(current_app.config["INVITE_DAYS"])
        known.append(respondent.token_expires_at - timedelta(days=days))
    found = [when for when in known if when is not None]
    return max(found) if found else assessment.created_at


def due_at(respondent: Respondent, days: int) -> datetime:
    """When a schedule of every ``days`` days reminds the respondent next."""
    return last_contact(respondent) + timedelta(days=days)


def is_scheduled(assessment: Assessment) -> bool:
    return assessment.reminder_days is not None and assessment.status in OPEN


def due(assessment: Assessment, now: datetime) -> list[Respondent]:
    """The respondents the assessment's schedule reminds at ``now``."""
    days = assessment.reminder_days
    if days is None or assessment.status not in OPEN:
        return []
    return [r for r in waiting(assessment) if due_at(r, days) <= now]


def next_reminder(assessment: Assessment) -> datetime | None:
    """When the schedule reminds someone next (it may be past: at the next check); None
    without a schedule, or with nobody to remind."""
    days = assessment.reminder_days
    if days is None or assessment.status not in OPEN:
        return None
    return min((due_at(r, days) for r in waiting(assessment)), default=None)


# --- the checks ------------------------------------------------------------------------

_ROW = 1


def record_check(now: datetime) -> None:
    """Note that a check for due reminders runs at ``now`` (its own transaction)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    begin_write()
    statement = insert(ReminderCheck).values(id=_ROW, ran_at=now)
    db.session.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"ran_at": now}))
    db.session.commit()


def last_check() -> datetime | None:
    """When a check for due reminders last ran on this database; None: never."""
    return db.session.scalar(select(ReminderCheck.ran_at).where(ReminderCheck.id == _ROW))


def check_interval() -> timedelta:
    """How often the checks are meant to run: every ``REMINDERS_EVERY_MINUTES`` (the
    queue's check; the README's crontab runs hourly, the default)."""
    return timedelta(minutes=max(1, int(current_app.config["REMINDERS_EVERY_MINUTES"])))


@dataclass(frozen=True)
class Outlook:
    """What the assessment page says of its reminder schedule."""

    #: When the schedule reminds someone next; None: nobody to remind.
    next_at: datetime | None
    #: When a check last ran; None: never, on this database.
    last_check: datetime | None
    #: A reminder fell due more than two check intervals ago and no check ran since:
    #: scheduled reminders are not being sent.
    stalled: bool


def outlook(assessment: Assessment, now: datetime | None = None) -> Outlook | None:
    """The assessment's reminder schedule as its page shows it; None without one."""
    if not is_scheduled(assessment):
        return None
    now = now or utcnow()
    next_at = next_reminder(assessment)
    checked = last_check()
    stalled = (
        next_at is not None
        and now - next_at > 2 * check_interval()
        and (checked is None or checked < next_at)
    )
    return Outlook(next_at, checked, stalled)
