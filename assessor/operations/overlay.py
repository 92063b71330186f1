"""The consultant's overlay on an assessment's answers: the facts they settled and the
findings they marked not applicable, as the engine takes them (``settled_facts=``,
``not_applicable=``).  Read here, never written as answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from assessor.extensions import db
from assessor.models import FindingStatus, SettledFact


@dataclass(frozen=True)
class Overlay:
    settled: dict[str, Any] = field(default_factory=dict)
    not_applicable: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.settled or self.not_applicable)


def overlay_of(assessment_id: int) -> Overlay:
    """The settled facts and the not-applicable finding keys of the assessment."""
    settled = {
        row.question_id: row.value
        for row in db.session.scalars(
            select(SettledFact).where(SettledFact.assessment_id == assessment_id)
        )
    }
    waived = db.session.scalars(
        select(FindingStatus.finding_key).where(
            FindingStatus.assessment_id == assessment_id,
            FindingStatus.status == "not_applicable",
        )
    )
    return Overlay(settled, frozenset(waived))
