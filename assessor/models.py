"""The data model for the whole product (SQLAlchemy 2, typed).

Constraints live in the database: unique keys, foreign keys with their ON DELETE,
and check constraints for every enumeration.  The schema only changes through
``migrations/``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessor.extensions import db
from assessor.questionnaire.schema_base import RESPONDENT_ROLES

MEMBER_ROLES = ("owner", "consultant", "viewer")
ASSESSMENT_STATUSES = ("draft", "in_progress", "submitted", "closed")
REPORT_FORMATS = ("pdf", "html", "csv", "xlsx", "json")
ORG_SIZES = ("1-49", "50-249", "250-999", "1000-4999", "5000+")
#: A consulting firm assessing clients, or an organisation assessing itself.
WORKSPACE_KINDS = ("firm", "own")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use assessor.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _enum_check(column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"{column}_valid")


class Timestamp:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Workspace(Timestamp, db.Model):
    """A consultant firm, or an organisation assessing itself."""

    __tablename__ = "workspace"
    __table_args__ = (
        CheckConstraint("accent_color IS NULL OR length(accent_color) = 7", name="accent_len"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The firm name printed as "prepared by" on reports.
    firm_name: Mapped[str | None] = mapped_column(String(200))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: ``image/png`` or ``image/svg+xml`` (sanitised on upload).
    logo_mimetype: Mapped[str | None] = mapped_column(String(40))
    #: ``#rrggbb``; validated on input.
    accent_color: Mapped[str | None] = mapped_column(String(7))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan", passive_deletes=True
    )
    organizations: Mapped[list[Organization]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan", passive_deletes=True
    )
    #: ``firm`` (assesses client organisations) or ``own`` (assesses itself): the wording.
    kind: Mapped[str] = mapped_column(
        String(10),
        CheckConstraint("kind IN ('firm', 'own')", name="kind_valid"),
        default="firm",
        server_default="firm",
    )
    #: Every member must sign in with a second factor (members without one enrol first).
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=false())


class User(UserMixin, Timestamp, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique across the service.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the user proved the address (a verification link, a password reset, or joining
    #: by an e-mailed invitation); until then they may not invite, join or export.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    #: The TOTP secret (base32): set when enrolment starts, in use once confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: When the user confirmed their authenticator; NULL: no second factor.
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)


class Membership(Timestamp, db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        _enum_check("role", MEMBER_ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))

    workspace: Mapped[Workspace] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Invitation(Timestamp, db.Model):
    """A link that lets someone join a workspace as consultant or viewer."""

    __tablename__ = "invitation"
    __table_args__ = (_enum_check("role", MEMBER_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    #: sha256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(default=False)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    workspace: Mapped[Workspace] = relationship()


class Organization(Timestamp, db.Model):
    """A client organisation (or the workspace's own organisation when self-assessing)."""

    __tablename__ = "organization"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        _enum_check("size", ORG_SIZES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(20))
    #: When the firm recorded the client's consent to count in its benchmarks; NULL: the
    #: client has not opted in (it neither counts nor is benchmarked).
    benchmark_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    workspace: Mapped[Workspace] = relationship(back_populates="organizations")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Assessment.created_at",
    )


class Assessment(Timestamp, db.Model):
    __tablename__ = "assessment"
    __table_args__ = (
        _enum_check("status", ASSESSMENT_STATUSES),
        CheckConstraint("reminder_days IS NULL OR reminder_days >= 1", name="reminder_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    #: The content hash of the questionnaire the assessment started with.
    questionnaire_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: Target maturity per domain id (0-4); a domain not listed has the default, 3.
    targets: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    #: The assessment this one repeats (a re-assessment a year later).
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Remind respondents who have not submitted every this many days; NULL: never.
    reminder_days: Mapped[int | None] = mapped_column(Integer)
    #: When reminders were last sent (by a click or by ``assessor reminders send``).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The scoring method (``assessor.engine.METHOD_VERSION``) the results are scored with;
    #: it changes only by an explicit re-score (``operations/kept_results.py``).
    method_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: Whether its report ends with the appendix of every answer and comment (the
    #: consultant may leave it out of a client's report).
    report_appendix: Mapped[bool] = mapped_column(default=True, server_default=true())

    organization: Mapped[Organization] = relationship(back_populates="assessments")
    #: Every respondent, removed ones too (they own answer history); for deleting.
    all_respondents: Mapped[list[Respondent]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Respondent.id",
    )
    #: The respondents who have not been removed: everything the service shows and counts.
    respondents: Mapped[list[Respondent]] = relationship(
        primaryjoin="and_(Assessment.id == Respondent.assessment_id, "
        "Respondent.removed_at.is_(None))",
        viewonly=True,
        order_by="Respondent.id",
    )


class Respondent(Timestamp, db.Model):
    """Someone who answers an assessment, by personal link or through a consultant."""

    __tablename__ = "respondent"
    __table_args__ = (_enum_check("role", RESPONDENT_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(254))
    #: The user who answers as this respondent (self-assessment), if any.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: sha256 of the personal link's token; NULL until a link is issued.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(default=False)
    #: The section the respondent last saved, to resume there.
    last_section: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assessment: Mapped[Assessment] = relationship(back_populates="all_respondents")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan", passive_deletes=True
    )
    #: Counted in the results before submitting: the consultant included them explicitly.
    included: Mapped[bool] = mapped_column(default=False)
    #: When the respondent was removed: gone from lists and results, their link revoked;
    #: their answers and history stay.  NULL for a respondent still taking part.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def counted(self) -> bool:
        """Whether the results count this respondent: submitted, or included explicitly."""
        return self.removed_at is None and (self.submitted_at is not None or self.included)

    #: Who issued the respondent's current personal link (named on the welcome page).
    link_issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class Answer(db.Model):
    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("respondent_id", "question_id"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    #: The validated answer: a string, number or list; NULL when cleared.
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text)
    #: Optimistic locking: a save names the version it read; a mismatch is a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Who saved last, as shown to people: a user's name or "respondent link".
    updated_by: Mapped[str] = mapped_column(String(200))

    respondent: Mapped[Respondent] = relationship(back_populates="answers")


class AnswerHistory(db.Model):
    """Every change of every answer, with who and when; never deleted.  One author's
    changes of an answer within ``HISTORY_COALESCE_SECONDS`` of their last are one row,
    brought up to date (the latest value, version and time)."""

    __tablename__ = "answer_history"
    __table_args__ = (
        Index("ix_answer_history_respondent_question", "respondent_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(200))


class StoredReport(db.Model):
    """A rendered report, keyed by a hash of everything that goes into it."""

    __tablename__ = "stored_report"
    __table_args__ = (
        UniqueConstraint("assessment_id", "content_hash", "format"),
        _enum_check("format", REPORT_FORMATS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of (result JSON, assessment context, template version, paper size).
    content_hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(10))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


STORED_RESULT_REASONS = ("closed", "submitted", "rescored", "upgrade", "first-read", "erasure")


class StoredResult(db.Model):
    """A result as it was delivered: the engine's ``Result.to_dict()`` in canonical JSON,
    with the questionnaire and the method it was scored by.  Rows are never changed: the
    assessment's current result is its highest ``number``; the earlier ones are history."""

    __tablename__ = "stored_result"
    __table_args__ = (
        UniqueConstraint("assessment_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("method_version >= 1", name="method_version_positive"),
        _enum_check("reason", STORED_RESULT_REASONS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, ... per assessment; two writers of the same next number: one fails.
    number: Mapped[int] = mapped_column(Integer)
    #: ``json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=True)``.
    result_json: Mapped[str] = mapped_column(Text)
    #: sha256 of ``result_json``'s bytes: the stored result, checked on every read.
    result_sha256: Mapped[str] = mapped_column(String(64))
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    questionnaire_hash: Mapped[str] = mapped_column(String(64))
    method_version: Mapped[int] = mapped_column(Integer)
    #: Why it was stored: closed, submitted (a snapshot of an open assessment), rescored,
    #: upgrade (migration 0008), first-read, erasure (a respondent erased).
    reason: Mapped[str] = mapped_column(String(20))
    #: Who stored it: a user's e-mail address or "system".
    stored_by: Mapped[str] = mapped_column(String(254))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BenchmarkShown(db.Model):
    """The benchmark a stored result's report showed when its first report was made: later
    reports of the same result show it again, whoever joins or leaves the group since."""

    __tablename__ = "benchmark_shown"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_result_id: Mapped[int] = mapped_column(
        ForeignKey("stored_result.id", ondelete="CASCADE"), unique=True
    )
    #: ``engine.benchmark.benchmark()``'s plain values: bands and group sizes only.
    shown: Mapped[dict[str, Any]] = mapped_column(JSON)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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


class StoredQuestionnaire(db.Model):
    """A questionnaire's YAML files as an assessment first used them, kept by content hash:
    every assessment loads its questionnaire from here, whatever the files on disk hold."""

    __tablename__ = "stored_questionnaire"
    __table_args__ = (Index("ix_stored_questionnaire_id_version", "questionnaire_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    #: The content hash the files load to (``Assessment.questionnaire_hash``).
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Path relative to the questionnaire's folder (or the file's name) -> YAML text.
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UserSession(db.Model):
    """One signed-in session (a browser): sign-out deletes it, and so does its expiry."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the token the session cookie carries; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Absolute: using the session never moves it.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


RENDER_LANES = ("interactive", "bulk")
RENDER_STATES = ("queued", "running", "done", "failed")
#: Why a job failed: out of time or memory, or its process died ("limit hit"); the render
#: raised ("error"); nobody waited for it any more ("abandoned"); no turn came ("busy").
RENDER_REASONS = ("limit hit", "error", "abandoned", "busy")


class RenderJob(db.Model):
    """One PDF render: queued, running (claimed under the write lock), done or failed.

    The table is the one truth about renders across processes (web workers, the CLI, later
    queue workers): a job starts only while its lane and its workspace have room.
    """

    __tablename__ = "render_job"
    __table_args__ = (
        _enum_check("lane", RENDER_LANES),
        _enum_check("state", RENDER_STATES),
        _enum_check("reason", RENDER_REASONS),
        Index("ix_render_job_state_workspace", "state", "workspace_id"),
        Index("ix_render_job_assessment_hash", "assessment_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    #: "interactive" (a download) or "bulk" (report-all).
    lane: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    reason: Mapped[str | None] = mapped_column(String(20))
    #: What happened, for people: "time limit (limits: 60 seconds and 1200 MB)", an error.
    detail: Mapped[str | None] = mapped_column(String(500))
    #: Times the render was started; never more than 1 (no retry after a limit).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The report's content hash (as in StoredReport) and its paper size.
    content_hash: Mapped[str] = mapped_column(String(64))
    paper: Mapped[str] = mapped_column(String(10))
    #: ``host:pid`` of the process that renders it, once running.
    worker: Mapped[str | None] = mapped_column(String(100))
    #: Peak address space of the render's process (what RLIMIT_AS bounds), in MB.
    peak_mb: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Last sign of life of whoever waits for a queued job (stale ones are abandoned).
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


MAIL_STATUSES = ("queued", "sent", "failed")
ACCOUNT_LINK_PURPOSES = ("verify", "reset")


class MailLog(db.Model):
    """Every e-mail the service sent or failed to send, with the error: nothing is silent."""

    __tablename__ = "mail_log"
    __table_args__ = (
        _enum_check("status", MAIL_STATUSES),
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


class AccountLink(db.Model):
    """A single-use link e-mailed to a user: verify the address, or reset the password."""

    __tablename__ = "account_link"
    __table_args__ = (_enum_check("purpose", ACCOUNT_LINK_PURPOSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(10))
    #: sha256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set when the link is used: it opens nothing after.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator (shown once, kept hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the code; the code itself is never stored.
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


ACTION_STATUSES = ("open", "in_progress", "done")


class RemediationAction(db.Model):
    """A finding the client works on: a named person of the client (not an account), a due
    date, a status and a note of the evidence.  Kept per organisation under the finding's
    key (``rescoring.finding_key``), so it follows the finding into the next round."""

    __tablename__ = "remediation_action"
    __table_args__ = (
        UniqueConstraint("organization_id", "finding_key"),
        _enum_check("status", ACTION_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    finding_key: Mapped[str] = mapped_column(String(200))
    #: The finding's title and severity as last seen in a round (the workspace lists read
    #: these, not every round's result).
    title: Mapped[str] = mapped_column(String(500))
    severity: Mapped[str] = mapped_column(String(20))
    owner_name: Mapped[str] = mapped_column(String(200))
    owner_email: Mapped[str] = mapped_column(String(254))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    evidence: Mapped[str] = mapped_column(Text, default="")
    #: When it was last marked done (NULL while open or in progress): a round started after
    #: it that still raises the finding marks the action "regressed".
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When its owner was last reminded by e-mail (a click, or the schedule while overdue).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()


class WhatIfScenario(db.Model):
    """A what-if kept under a name: answers to structural questions and domain targets that
    the engine takes as an overlay (``operations/what_if.py``), never as answers.  With
    ``in_report`` it is printed in the PDF as the annex "Target structure"."""

    __tablename__ = "what_if_scenario"
    __table_args__ = (UniqueConstraint("assessment_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    #: Question id to the value the scenario gives it.
    overlay: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Domain id to the target maturity the scenario sets (the others keep the assessment's).
    targets: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    in_report: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    assessment: Mapped[Assessment] = relationship()


API_TOKEN_SCOPES = ("read", "read-write")


class ApiToken(db.Model):
    """A personal API token of a user in one workspace (shown once, kept hashed).

    It acts as its owner with the owner's role in the workspace, narrowed to its scope; it
    is revoked when the owner leaves or is removed from the workspace.
    """

    __tablename__ = "api_token"
    __table_args__ = (_enum_check("scope", API_TOKEN_SCOPES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: What the owner called it ("CRM sync").
    name: Mapped[str] = mapped_column(String(100))
    #: ``read`` or ``read-write``.
    scope: Mapped[str] = mapped_column(String(20))
    #: sha256 of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, to tell tokens apart in the list (not secret).
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When it was revoked (by its owner, or by their leaving); NULL while it works.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    workspace: Mapped[Workspace] = relationship()


class ApiIdempotencyKey(db.Model):
    """A create sent with an ``Idempotency-Key``: the same key again gets the same answer.

    Only what identifies the request and where its result lives is kept (no response body:
    a respondent's link is shown once, and erasure has nothing to find here).
    """

    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    #: sha256 of the method, path and body: the same key with another request is a 422.
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    #: The created resource's URL under /api/v1.
    location: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


# --- the consultant's voice (issue 15) ------------------------------------------------------

FINDING_STATUSES = ("open", "in_progress", "risk_accepted", "not_applicable")


class FindingStatus(db.Model):
    """The consultant's judgment of one finding of an assessment, under the finding's key:
    its status (risk accepted: with the reason and who accepted it; not applicable: with
    the reason), the management response and a note.  Never changes a stored answer."""

    __tablename__ = "finding_status"
    __table_args__ = (
        UniqueConstraint("assessment_id", "finding_key"),
        _enum_check("status", FINDING_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    finding_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    #: Why the risk is accepted, or why the finding does not apply ("" otherwise).
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Who accepted the risk (a person of the client; "" unless risk accepted).
    accepted_by: Mapped[str] = mapped_column(String(200), default="")
    response: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SettledFact(db.Model):
    """A context fact the respondents answer differently, settled by the consultant: the
    value chosen and why.  An overlay the engine scores with, never written as answers."""

    __tablename__ = "settled_fact"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    #: The value as the result labels it (the respondent's answer it was chosen from).
    label: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    settled_by: Mapped[str] = mapped_column(String(254))
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SummaryEdit(db.Model):
    """The executive summary's text as the consultant edited it (one per assessment; no
    row: the generated summary)."""

    __tablename__ = "summary_edit"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str] = mapped_column(String(254))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportReview(db.Model):
    """A sign-off: "reviewed by NAME on DATE", with the report as it was reviewed (the
    result, the consultant's edits and the PDF) and the fingerprint of what it was made
    of; a later change to that fingerprint makes the review stale.  Rows are never changed."""

    __tablename__ = "report_review"
    __table_args__ = (
        UniqueConstraint("assessment_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(String(200))
    reviewed_on: Mapped[date] = mapped_column(Date)
    #: sha256 of the result and the edits reviewed (canonical JSON).
    fingerprint: Mapped[str] = mapped_column(String(64))
    result_json: Mapped[str] = mapped_column(Text)
    edits_json: Mapped[str] = mapped_column(Text)
    paper: Mapped[str] = mapped_column(String(10))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    signed_by: Mapped[str] = mapped_column(String(254))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
