"""Results kept as delivered, and which benchmarks were shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from assessor.extensions import db
from assessor.models.base import UTCDateTime, enum_check, utcnow

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
        enum_check("reason", STORED_RESULT_REASONS),
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
