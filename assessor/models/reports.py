"""Rendered reports and their render jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from assessor.extensions import db
from assessor.models.base import REPORT_FORMATS, UTCDateTime, enum_check, utcnow


class StoredReport(db.Model):
    """A rendered report, keyed by a hash of everything that goes into it."""

    __tablename__ = "stored_report"
    __table_args__ = (
        UniqueConstraint("assessment_id", "content_hash", "format"),
        enum_check("format", REPORT_FORMATS),
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
        enum_check("lane", RENDER_LANES),
        enum_check("state", RENDER_STATES),
        enum_check("reason", RENDER_REASONS),
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
