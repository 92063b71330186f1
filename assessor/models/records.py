"""What happened: the audit trail, the mail log and when reminders were last checked for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from assessor.extensions import db
from assessor.models.base import UTCDateTime, enum_check, utcnow


class AuditEvent(db.Model):
    """Sign-ins, invitations, submissions, reopenings, report downloads, ..."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_workspace_at", "workspace_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: Who acted, as shown: a user's email, "respondent: <name>", or "system".
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    #: What it acted on, e.g. "assessment:12".
    target: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


MAIL_STATUSES = ("queued", "sent", "failed")


class MailLog(db.Model):
    """Every e-mail the service sent or failed to send, with the error: nothing is silent."""

    __tablename__ = "mail_log"
    __table_args__ = (
        enum_check("status", MAIL_STATUSES),
        Index("ix_mail_log_assessment_id", "assessment_id"),
        Index("ix_mail_log_workspace_id", "workspace_id"),
        Index("ix_mail_log_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE")
    )
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: The remediation action an owner's reminder was about.
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("remediation_action.id", ondelete="CASCADE"), index=True
    )
    #: What was sent: invitation, reminder, submitted, team-invitation, verify, reset, ...
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))
    #: The SMTP server's answer or the connection error, when the send failed.
    error: Mapped[str | None] = mapped_column(Text)
    #: The ``.eml`` file's name in the outbox folder (embedded default, no SMTP server).
    outbox_file: Mapped[str | None] = mapped_column(String(200))
    #: The whole message (RFC 5322) while it is queued; emptied once it is sent or has
    #: failed, so that the links it holds are not kept in the database.
    message: Mapped[str | None] = mapped_column(Text)
    #: Sends started (a sender claims the row first; see operations/mail_queue.py).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When a sender last claimed the queued row; an old claim is a sender that died.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReminderCheck(db.Model):
    """When the check for due reminders (``assessor reminders send`` from cron, or the
    queue's scheduled check) last ran: one row, so that the assessment page can say when
    scheduled reminders are not being sent."""

    __tablename__ = "reminder_check"

    #: Always 1: the one row.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime())
