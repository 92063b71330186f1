"""The consultant's voice on an assessment: the executive summary's text as edited, a
status, management response and note per finding, and the facts they settled.

Stored with the assessment, audited, and never written as answers: the settled facts and
the not-applicable findings reach the engine as an overlay
(:mod:`assessor.operations.overlay`); the rest is shown beside the result.  The last
sign-off (:mod:`assessor.operations.reviews`) goes stale when any of it, or the result,
changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import (
    FINDING_STATUSES,
    Assessment,
    FindingStatus,
    ReportReview,
    SettledFact,
    SummaryEdit,
    User,
    utcnow,
)
from assessor.operations import audit, kept_results
from assessor.operations.finding_keys import finding_key
from assessor.operations.overlay import Overlay, overlay_of
from assessor.questionnaire import Questionnaire
from assessor.reports.summary import executive_summary

STATUS_LABELS = {
    "open": "Open",
    "in_progress": "In progress",
    "risk_accepted": "Risk accepted",
    "not_applicable": "Not applicable",
}
assert tuple(STATUS_LABELS) == FINDING_STATUSES  # noqa: S101


class NoSuchFinding(Exception):
    """The assessment's delivered result raises no finding with this key."""


class NoSuchFact(Exception):
    """The delivered result has no unresolved fact with this question (and it is not
    settled already)."""


class NotAChoice(ValueError):
    """The value chosen for a fact is none of the answers the respondents gave."""


# --- the summary ---------------------------------------------------------------------------


def generated_summary(assessment: Assessment, result: Mapping[str, Any]) -> str:
    """The executive summary's text as the report generates it: its paragraphs, a blank
    line apart (the headline, gaps and actions are listed apart and not edited here)."""
    titles = {d["id"]: d["title"] for d in result["domains"]}
    summary = executive_summary(result, assessment.organization.name, titles)
    return "\n\n".join(summary["paragraphs"])


def paragraphs(text: str) -> list[str]:
    """Text as paragraphs: blank lines part them, other line breaks are spaces."""
    return [
        " ".join(block.split())
        for block in text.replace("\r\n", "\n").split("\n\n")
        if block.strip()
    ]


def edit_summary(assessment: Assessment, text: str, by: User) -> None:
    """Store the summary's text as edited; audited."""
    begin_write()  # SQLite: take the write lock before reading what is changed
    row = db.session.get(SummaryEdit, assessment.id)
    if row is None:
        row = SummaryEdit(assessment_id=assessment.id)
    row.text = "\n\n".join(paragraphs(text))
    row.edited_by, row.edited_at = by.email, utcnow()
    db.session.add(row)
    _audit("summary-edited", assessment, by, characters=len(row.text))
    db.session.commit()


def reset_summary(assessment: Assessment, by: User) -> None:
    """Back to the generated summary; audited."""
    begin_write()
    row = db.session.get(SummaryEdit, assessment.id)
    if row is not None:
        db.session.delete(row)
        _audit("summary-reset", assessment, by)
    db.session.commit()


# --- findings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """What the consultant fills in for a finding."""

    status: str
    reason: str = ""
    accepted_by: str = ""
    response: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.status not in FINDING_STATUSES:
            raise ValueError(f"status must be one of {', '.join(FINDING_STATUSES)}")
        if self.status in ("risk_accepted", "not_applicable") and not self.reason.strip():
            raise ValueError("a risk accepted or a finding not applicable needs its reason")
        if self.status == "risk_accepted" and not self.accepted_by.strip():
            raise ValueError("a risk accepted names who accepted it")


def finding_of(assessment: Assessment, key: str) -> Mapping[str, Any]:
    """The finding with this key in the assessment's delivered result.

    :raise NoSuchFinding: there is none.
    """
    result = kept_results.delivered(assessment).result
    found: Mapping[str, Any] | None = next(
        (f for f in result["findings"] if finding_key(f) == key), None
    )
    if found is None:
        raise NoSuchFinding(f"no finding {key!r} in assessment {assessment.id}")
    return found


def status_row(assessment_id: int, key: str) -> FindingStatus | None:
    return db.session.scalar(
        select(FindingStatus).where(
            FindingStatus.assessment_id == assessment_id, FindingStatus.finding_key == key
        )
    )


def judge(assessment: Assessment, key: str, data: Judgement, by: User) -> FindingStatus:
    """Set a finding's status, response and note (the reason and who accepted it only
    where its status takes them); audited with what changed (not the texts: the person
    who accepted a risk stays out of the log, as an action's owner does)."""
    begin_write()
    row = status_row(assessment.id, key)
    if row is None:
        row = FindingStatus(assessment_id=assessment.id, finding_key=key)
    keeps = data.status in ("risk_accepted", "not_applicable")
    values = {
        "status": data.status,
        "reason": data.reason.strip() if keeps else "",
        "accepted_by": data.accepted_by.strip() if data.status == "risk_accepted" else "",
        "response": data.response.strip(),
        "note": data.note.strip(),
    }
    changed = [name for name, value in values.items() if getattr(row, name, None) != value]
    before = row.status
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by, row.updated_at = by.email, utcnow()
    db.session.add(row)
    db.session.flush()
    _audit(
        "finding-status",
        assessment,
        by,
        finding=key,
        status=data.status,
        before=before,
        changed=changed,
    )
    db.session.commit()
    return row


# --- facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactChoice:
    """A value the consultant may settle a fact on: one a respondent gave."""

    value: Any
    label: str
    given_by: tuple[str, ...]


def fact_choices(fact: Mapping[str, Any]) -> list[FactChoice]:
    """The distinct answers the respondents gave to a disputed fact, in their order."""
    found: dict[str, FactChoice] = {}
    for answer in fact["answers"]:
        token = json.dumps(answer["value"], sort_keys=True)
        who = f"{answer['respondent']} ({answer['role']})"
        if token in found:
            known = found[token]
            found[token] = FactChoice(known.value, known.label, (*known.given_by, who))
        else:
            found[token] = FactChoice(answer["value"], answer["label"], (who,))
    return list(found.values())


def unresolved_fact(assessment: Assessment, question: str) -> Mapping[str, Any]:
    """The unresolved fact about ``question`` as the result without its settlement has it
    (a settled fact can be settled again).

    :raise NoSuchFact: the respondents do not disagree on it.
    """
    stored = overlay_of(assessment.id)
    unsettled = Overlay(
        {q: v for q, v in stored.settled.items() if q != question}, stored.not_applicable
    )
    shown = kept_results.delivered(assessment, unsettled)
    facts: list[Mapping[str, Any]] = shown.result.get("unresolved_facts") or []
    for fact in facts:
        if fact["question"] == question:
            return fact
    raise NoSuchFact(f"no unresolved fact {question!r} in assessment {assessment.id}")


def settled_row(assessment_id: int, question: str) -> SettledFact | None:
    return db.session.scalar(
        select(SettledFact).where(
            SettledFact.assessment_id == assessment_id, SettledFact.question_id == question
        )
    )


def settle(
    assessment: Assessment, fact: Mapping[str, Any], choice: int, reason: str, by: User
) -> SettledFact:
    """Settle ``fact`` (an unresolved fact of the result) on the respondents' answer
    number ``choice`` (of :func:`fact_choices`), saying why; audited.  The result is
    scored through it from now on; no answer changes.

    :raise NotAChoice: ``choice`` is none of the answers given.
    """
    choices = fact_choices(fact)
    if not 0 <= choice < len(choices) or not reason.strip():
        raise NotAChoice("choose one of the answers given, and say why")
    chosen = choices[choice]
    begin_write()
    question = fact["question"]
    row = settled_row(assessment.id, question)
    if row is None:
        row = SettledFact(assessment_id=assessment.id, question_id=question)
    row.value, row.label, row.reason = chosen.value, chosen.label, reason.strip()
    row.settled_by, row.settled_at = by.email, utcnow()
    db.session.add(row)
    db.session.flush()
    _audit("fact-settled", assessment, by, question=question, value=chosen.value)
    db.session.commit()
    return row


def unsettle(assessment: Assessment, question: str, by: User) -> bool:
    """Take a settlement back (the fact is disputed again); audited.  False: not settled."""
    begin_write()
    row = settled_row(assessment.id, question)
    if row is None:
        db.session.rollback()
        return False
    db.session.delete(row)
    _audit("fact-unsettled", assessment, by, question=question)
    db.session.commit()
    return True


# --- what the pages show -------------------------------------------------------------------


@dataclass(frozen=True)
class StatusView:
    key: str
    status: str
    reason: str
    accepted_by: str
    response: str
    note: str
    updated_by: str
    updated_at: datetime

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class SettledView:
    question: str
    text: str
    label: str
    reason: str
    settled_by: str
    settled_at: datetime


@dataclass(frozen=True)
class ReviewState:
    number: int
    reviewer: str
    reviewed_on: date
    signed_by: str
    #: Something in the result or the edits changed since: review again.
    stale: bool


@dataclass(frozen=True)
class Voice:
    """The consultant's edits of one assessment, as every page shows them."""

    #: The summary's text as edited (None: the generated one).
    summary: str | None
    summary_by: str | None
    statuses: dict[str, StatusView]
    settled: list[SettledView]
    review: ReviewState | None

    @property
    def rescores(self) -> bool:
        """Whether any edit reaches the engine: a settled fact or a finding not applicable."""
        return bool(self.settled) or any(
            s.status == "not_applicable" for s in self.statuses.values()
        )

    def edits(self) -> dict[str, Any]:
        """The edits as plain values: what a review freezes and its fingerprint reads."""
        return {
            "summary": self.summary,
            "findings": {
                key: {
                    "status": s.status,
                    "reason": s.reason,
                    "accepted_by": s.accepted_by,
                    "response": s.response,
                    "note": s.note,
                }
                for key, s in sorted(self.statuses.items())
            },
            "settled": [
                {"question": s.question, "text": s.text, "label": s.label, "reason": s.reason}
                for s in self.settled
            ],
        }

    def for_report(self) -> dict[str, Any]:
        """The edits and the review line as the report and the exports print them."""
        plain = self.edits()
        for item in plain["findings"].values():
            item["status_label"] = STATUS_LABELS[item["status"]]
        plain["paragraphs"] = paragraphs(self.summary) if self.summary else None
        plain["review"] = (
            {
                "reviewer": self.review.reviewer,
                "date": self.review.reviewed_on.isoformat(),
                "stale": self.review.stale,
            }
            if self.review
            else None
        )
        return plain


def fingerprint(result: Mapping[str, Any], edits: Mapping[str, Any]) -> str:
    """What a review signs: the delivered result (its answers, scores and findings) and
    the consultant's edits, as one digest."""
    text = kept_results.canonical({"result": dict(result), "edits": dict(edits)})
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def latest_review(assessment_id: int) -> ReportReview | None:
    return db.session.scalar(
        select(ReportReview)
        .where(ReportReview.assessment_id == assessment_id)
        .order_by(ReportReview.number.desc())
        .limit(1)
    )


def voice_of(
    assessment: Assessment, result: Mapping[str, Any], questionnaire: Questionnaire
) -> Voice:
    """The assessment's edits, and its last review's state against ``result`` (the
    delivered result, scored with ``questionnaire``)."""
    summary = db.session.get(SummaryEdit, assessment.id)
    statuses = {
        row.finding_key: StatusView(
            row.finding_key,
            row.status,
            row.reason,
            row.accepted_by,
            row.response,
            row.note,
            row.updated_by,
            row.updated_at,
        )
        for row in db.session.scalars(
            select(FindingStatus).where(FindingStatus.assessment_id == assessment.id)
        )
    }
    questions = questionnaire.questions
    settled = [
        SettledView(
            row.question_id,
            questions[row.question_id].text if row.question_id in questions else row.question_id,
            row.label,
            row.reason,
            row.settled_by,
            row.settled_at,
        )
        for row in db.session.scalars(
            select(SettledFact)
            .where(SettledFact.assessment_id == assessment.id)
            .order_by(SettledFact.question_id)
        )
    ]
    voice = Voice(
        summary.text if summary else None,
        summary.edited_by if summary else None,
        statuses,
        settled,
        None,
    )
    review = latest_review(assessment.id)
    if review is None:
        return voice
    state = ReviewState(
        review.number,
        review.reviewer,
        review.reviewed_on,
        review.signed_by,
        stale=review.fingerprint != fingerprint(result, voice.edits()),
    )
    return Voice(voice.summary, voice.summary_by, statuses, settled, state)


def _audit(what: str, assessment: Assessment, by: User, **detail: Any) -> None:
    audit.record(
        what,
        workspace_id=assessment.organization.workspace_id,
        actor=by.email,
        user=by,
        target=f"assessment:{assessment.id}",
        **detail,
    )
