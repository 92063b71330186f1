"""The records of scoring method 2 (``docs/method.md``) a result carries beside its
scores: the findings' cap, a provisional range, each respondent's own scores."""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "NO_SCORES",
    "RespondentDomainScore",
    "RespondentScores",
    "ScoreCap",
    "ScoreRange",
]


class ScoreCap(NamedTuple):
    """The cap structural and regulatory findings put on the headline."""

    #: The highest headline allowed.
    limit: int
    #: The severity of the findings that set it (critical or high).
    severity: str
    #: How many structural or regulatory findings of that severity there are.
    findings: int
    #: Whether it lowered the headline (the practice score was above the limit).
    applied: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "severity": self.severity,
            "findings": self.findings,
            "applied": self.applied,
        }


class ScoreRange(NamedTuple):
    """A provisional headline: every unknown at its worst answer, then at its best."""

    low: int
    high: int

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}


class RespondentDomainScore(NamedTuple):
    id: str
    #: Practice score from this respondent's answers alone; None when none is known.
    score: int | None
    #: Ownership clarity from this respondent's answers alone; None when no owner named.
    clarity: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "clarity": self.clarity}


class RespondentScores(NamedTuple):
    """One respondent's own scores, shown beside the combined ones."""

    #: Practice score (before the organisation's cap); None when no practice answer is known.
    overall: int | None
    clarity: int | None
    domains: tuple[RespondentDomainScore, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "clarity": self.clarity,
            "domains": [d.to_dict() for d in self.domains],
        }


NO_SCORES = RespondentScores(None, None, ())
