"""The consultant's voice: finding statuses, settled facts, the edited summary, sign-offs,
what-if scenarios and remediation actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessor.extensions import db
from assessor.models.base import UTCDateTime, enum_check, utcnow

if TYPE_CHECKING:
    from assessor.models.assessments import Assessment, Organization


ACTION_STATUSES = ("open", "in_progress", "done")


class RemediationAction(db.Model):
    """A finding the client works on: a named person of the client (not an account), a due
    date, a status and a note of the evidence.  Kept per organisation under the finding's
    key (``rescoring.finding_key``), so it follows the finding into the next round."""

    __tablename__ = "remediation_action"
    __table_args__ = (
        UniqueConstraint("organization_id", "finding_key"),
        enum_check("status", ACTION_STATUSES),
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


FINDING_STATUSES = ("open", "in_progress", "risk_accepted", "not_applicable")


class FindingStatus(db.Model):
    """The consultant's judgment of one finding of an assessment, under the finding's key:
    its status (risk accepted: with the reason and who accepted it; not applicable: with
    the reason), the management response and a note.  Never changes a stored answer."""

    __tablename__ = "finding_status"
    __table_args__ = (
        UniqueConstraint("assessment_id", "finding_key"),
        enum_check("status", FINDING_STATUSES),
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
