"""Kept results: the result an assessment delivered, stored and served as it was.

* **Closing** an assessment stores its result (``reason`` closed): the engine's
  ``Result.to_dict()`` in canonical JSON, with the questionnaire (id, version, hash) and
  the method version it was scored by.  From then on its results page, PDF and exports
  read that row, never a fresh scoring; a newer engine changes nothing until someone
  re-scores it explicitly (:mod:`assessor.operations.rescoring`), which stores a new row
  and keeps the old one.
* **Open** assessments are scored live with the method they record
  (``Assessment.method_version``).  Each submission keeps a snapshot (``submitted``), so
  that once the engine's method is newer than theirs, the page shows the last result their
  own method gave (and says so) until the explicit re-score moves them to the new method.
* A closed assessment with no stored row (one whose questionnaire could not be loaded at
  the upgrade, migration 0008) has its result stored on its first read (``first-read``).

The current row of an assessment is its highest ``number``; rows are never updated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from assessor import engine
from assessor.database import begin_write
from assessor.engine import Respondent as EngineRespondent
from assessor.extensions import db
from assessor.models import Assessment, StoredResult
from assessor.operations.catalog import questionnaire_for
from assessor.operations.overlay import Overlay, overlay_of
from assessor.operations.scoring import ScoredAssessment, score_assessment
from assessor.questionnaire import Questionnaire


def current_method() -> int:
    """The engine's method version now (read at each call: one place to follow it)."""
    return engine.METHOD_VERSION


def canonical(result: dict[str, Any]) -> str:
    """A result dict as its one canonical JSON text (ASCII: the same bytes on every
    database; sorted keys; no spaces)."""
    return json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class StoredResultDamaged(Exception):
    """A stored result's text no longer matches the digest stored with it."""


@dataclass(frozen=True)
class Kept:
    """A stored result row, read and checked."""

    number: int
    result: dict[str, Any]
    method_version: int
    reason: str
    stored_at: datetime
    stored_by: str


def _kept(row: StoredResult) -> Kept:
    if digest(row.result_json) != row.result_sha256:
        raise StoredResultDamaged(
            f"stored result {row.number} of assessment {row.assessment_id} does not match "
            "its digest"
        )
    return Kept(
        row.number,
        json.loads(row.result_json),
        row.method_version,
        row.reason,
        row.stored_at,
        row.stored_by,
    )


def current(assessment_id: int) -> Kept | None:
    """The assessment's current stored result (its highest number), or None."""
    row = db.session.scalar(
        select(StoredResult)
        .where(StoredResult.assessment_id == assessment_id)
        .order_by(StoredResult.number.desc())
        .limit(1)
    )
    return _kept(row) if row is not None else None


def history(assessment_id: int) -> list[Kept]:
    """Every stored result of the assessment, oldest first."""
    rows = db.session.scalars(
        select(StoredResult)
        .where(StoredResult.assessment_id == assessment_id)
        .order_by(StoredResult.number)
    )
    return [_kept(row) for row in rows]


def store(
    assessment: Assessment,
    result: dict[str, Any],
    *,
    method_version: int,
    reason: str,
    by: str,
) -> StoredResult:
    """Add ``result`` as the assessment's new current row, in the caller's transaction
    (the caller holds the write lock and commits)."""
    text = canonical(result)
    last = db.session.scalar(
        select(func.max(StoredResult.number)).where(StoredResult.assessment_id == assessment.id)
    )
    questionnaire = result["questionnaire"]
    row = StoredResult(
        assessment_id=assessment.id,
        number=(last or 0) + 1,
        result_json=text,
        result_sha256=digest(text),
        questionnaire_id=questionnaire["id"],
        questionnaire_version=questionnaire["version"],
        questionnaire_hash=questionnaire["hash"],
        method_version=method_version,
        reason=reason,
        stored_by=by,
    )
    db.session.add(row)
    db.session.flush()
    return row


def store_scored(assessment: Assessment, *, reason: str, by: str) -> StoredResult:
    """Score the assessment with today's engine and store that result (the caller's
    transaction); the assessment now records today's method."""
    result = score_assessment(assessment).result.to_dict()
    assessment.method_version = current_method()
    return store(assessment, result, method_version=current_method(), reason=reason, by=by)


def snapshot(assessment: Assessment, *, by: str) -> ScoredAssessment | None:
    """Keep the open assessment's result as its own method gives it now (after a
    submission), unless it equals the current row; the caller's transaction.  Nothing is
    kept for an assessment whose method is behind the engine's: its result waits for the
    explicit re-score.  Returns the live scoring it made (None when it made none), for
    :func:`delivered` to take instead of scoring the same answers again."""
    if assessment.method_version != current_method():
        return None
    scored = score_assessment(assessment)
    result = scored.result.to_dict()
    kept = current(assessment.id)
    if kept is None or canonical(kept.result) != canonical(result):
        store(assessment, result, method_version=current_method(), reason="submitted", by=by)
    return scored


@dataclass(frozen=True)
class Delivered:
    """An assessment's result as every page shows it, with what it was made of."""

    questionnaire: Questionnaire
    #: The counted respondents' answers, in the order of the result's respondents.
    respondents: list[EngineRespondent]
    result: dict[str, Any]
    #: Per counted respondent (same order): True for one included while still answering.
    in_progress: tuple[bool, ...]
    #: (name, role) of the respondents still answering who are not counted.
    waiting: tuple[tuple[str, str], ...]
    #: The stored row served, or None for a live scoring.
    kept: Kept | None
    #: The engine's method is newer than the one this assessment (or the result served)
    #: is scored with: the page offers the explicit re-score.
    outdated: bool
    #: The consultant's overlay (settled facts, not-applicable findings) is in the result;
    #: False when there is none, or the result served is scored with an older method (the
    #: overlay applies once it is re-scored).
    overlaid: bool = False


def delivered(
    assessment: Assessment, overlay: Overlay | None = None, live: ScoredAssessment | None = None
) -> Delivered:
    """The result to show: the stored one of a closed assessment (stored now, on its first
    read, when there is none), the last snapshot of an open one whose method is behind the
    engine's (when it has one), else a live scoring; each through the consultant's
    overlay (:mod:`assessor.operations.overlay`) where its method is today's (``overlay``:
    another overlay than the stored one, e.g. to see a fact as disputed again).  ``live``:
    the live scoring of these same answers just made without an overlay (by
    :func:`snapshot`), taken for the live scoring when there is no overlay."""
    kept = current(assessment.id)
    if assessment.status == "closed" and kept is None:
        kept = _store_on_first_read(assessment)
    behind = assessment.method_version < current_method()
    overlay = overlay_of(assessment.id) if overlay is None else overlay
    if kept is not None and (assessment.status == "closed" or behind):
        return _overlaid(assessment, _from_kept(assessment, kept, behind), overlay)
    scored = live if live is not None and not overlay else score_assessment(assessment, overlay)
    return Delivered(
        scored.questionnaire,
        scored.respondents,
        scored.result.to_dict(),
        scored.in_progress,
        scored.waiting,
        None,
        behind,
        bool(overlay),
    )


def _overlaid(assessment: Assessment, shown: Delivered, overlay: Overlay) -> Delivered:
    """A kept result re-scored from the answers it holds through the overlay (the same
    engine and method it was stored with, so nothing else moves); as it is without one,
    or when it was scored with an older method."""
    if not overlay or shown.kept is None or shown.kept.method_version != current_method():
        return shown
    result = engine.score(
        shown.questionnaire,
        shown.respondents,
        targets=assessment.targets or None,
        organization=assessment.organization.name,
        settled_facts=overlay.settled or None,
        not_applicable=overlay.not_applicable,
    )
    return replace(shown, result=result.to_dict(), overlaid=True)


def _from_kept(assessment: Assessment, kept: Kept, behind: bool) -> Delivered:
    """A kept result with the answers it holds: its respondents are the ones it counted
    (their answers and comments as it took them), whoever has been counted since."""
    people = kept.result["respondents"]
    counted = {(p["name"], p["role"]) for p in people}
    stored = {(r.name, r.role): r for r in assessment.respondents}
    info = kept.result["questionnaire"]
    return Delivered(
        questionnaire_for(info["id"], info["version"], info["hash"]),
        [_answer_set(person) for person in people],
        kept.result,
        tuple(
            (found := stored.get((p["name"], p["role"]))) is not None and found.submitted_at is None
            for p in people
        ),
        # Closed: who counts cannot change any more (a rename does not make a stranger).
        # Open, behind the method: whoever the snapshot does not count is still waiting.
        tuple(
            (r.name, r.role)
            for r in assessment.respondents
            if not r.counted or (assessment.status != "closed" and (r.name, r.role) not in counted)
        ),
        kept,
        behind or kept.method_version < current_method(),
    )


def _answer_set(person: dict[str, Any]) -> EngineRespondent:
    """A kept result's respondent as the report takes one: the answers and comments the
    result holds."""
    answers = person["answers"]
    return EngineRespondent(
        name=person["name"],
        role=person["role"],
        answers={a["question"]: a["value"] for a in answers if a["value"] is not None},
        comments={a["question"]: a["comment"] for a in answers if a["comment"]},
    )


def _store_on_first_read(assessment: Assessment) -> Kept:
    begin_write()  # SQLite: take the write lock before reading what is changed
    try:
        if current(assessment.id) is None:  # another reader may have stored it meanwhile
            store_scored(assessment, reason="first-read", by="system")
        db.session.commit()
    except IntegrityError:  # PostgreSQL: another reader stored number 1 first
        db.session.rollback()
    kept = current(assessment.id)
    if kept is None:
        raise RuntimeError(f"no stored result for closed assessment {assessment.id}")
    return kept
