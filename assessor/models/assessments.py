"""Client organisations, their assessments, the respondents and their answers (with
history), and the questionnaires they were asked."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessor.extensions import db
from assessor.models.base import (
    ASSESSMENT_STATUSES,
    ORG_SIZES,
    Timestamp,
    UTCDateTime,
    enum_check,
    utcnow,
)
from assessor.questionnaire.schema_base import RESPONDENT_ROLES

if TYPE_CHECKING:
    from assessor.models.accounts import Workspace


class Organization(Timestamp, db.Model):
    """A client organisation (or the workspace's own organisation when self-assessing)."""

    __tablename__ = "organization"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        enum_check("size", ORG_SIZES),
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
        enum_check("status", ASSESSMENT_STATUSES),
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
    #: When someone was last erased from it (NULL: never): a report's render of content
    #: scored before then stores nothing (``render_jobs.version_of``).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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
    __table_args__ = (enum_check("role", RESPONDENT_ROLES),)

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
    #: The random salt the personal link's token is derived from (with ``SECRET_KEY``:
    #: operations/respondent_links.py), so that the same link can be copied and sent
    #: again; NULL for a link made before links were derived (only its hash is known).
    link_salt: Mapped[str | None] = mapped_column(String(64))
    #: When the respondent was last given their link: made for them, e-mailed, or
    #: reminded.  Scheduled reminders count their days from it.
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


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
