"""The engine's inputs and outputs: immutable records of plain values.

``Respondent`` (the input) and ``Result`` are frozen dataclasses; the records a result
is made of (findings, evidence, RACI rows, ...) are NamedTuples: just as immutable,
with attribute access, and five times cheaper to build than frozen dataclasses, which
matters when one scoring builds a hundred of them.

``Result.to_dict()`` is the serialised shape the report and the web pages read; every
value in it is a str, int, float (rounded), bool, None, list or dict, so
``json.dumps(result.to_dict(), sort_keys=True)`` is byte-identical for the same input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from assessor.engine.score_records import NO_SCORES, RespondentScores, ScoreCap, ScoreRange


@dataclass(frozen=True, slots=True)
class Respondent:
    """One person's answers: ``role`` is one of ``RESPONDENT_ROLES`` (CIO, CISO, CIO_CISO,
    CTO, ..., CEO, OTHER); answers are coerced values."""

    name: str
    role: str
    answers: Mapping[str, Any]
    comments: Mapping[str, str] = field(default_factory=dict)


class QuestionnaireInfo(NamedTuple):
    id: str
    version: int
    hash: str
    title: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "hash": self.hash, "title": self.title}


class Method(NamedTuple):
    """How the scores were made (``docs/method.md``): the method's version, how several
    respondents' answers were combined, and the method in a paragraph."""

    combination: str
    description: str
    #: The scoring method's version (:data:`assessor.engine.method.METHOD_VERSION`).
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "combination": self.combination,
            "description": self.description,
        }


class Answer(NamedTuple):
    """One respondent's answer (or only a comment) to one question, as every page shows it."""

    question: str
    #: Whether the question was shown to this respondent (its ``show_if`` held).
    shown: bool
    #: The answer's value; None when there is only a comment.
    value: Any
    #: The answer as the results page, the report and the exports print it ("1,200");
    #: "" when there is only a comment.
    label: str
    comment: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "shown": self.shown,
            "value": _plain(self.value),
            "label": self.label,
            "comment": self.comment,
        }


class RespondentSummary(NamedTuple):
    name: str
    role: str
    #: Answered share of the required questions this respondent was shown, 0-100.
    completeness: int
    shown: int
    answered: int
    #: The questions this respondent was not shown, in questionnaire order.
    hidden: tuple[str, ...] = ()
    #: Every answer or comment this respondent gave, in questionnaire order.
    answers: tuple[Answer, ...] = ()
    #: This respondent's own scores, from their answers alone.
    scores: RespondentScores = NO_SCORES

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "completeness": self.completeness,
            "shown": self.shown,
            "answered": self.answered,
            "hidden": list(self.hidden),
            "answers": [a.to_dict() for a in self.answers],
            "scores": self.scores.to_dict(),
        }


class DomainScore(NamedTuple):
    id: str
    title: str
    #: Practice score 0-100 from the domain's known practice answers (0 when none).
    score: int
    #: Weighted mean of the domain's maturity answers, one decimal; None when none answered.
    maturity: float | None
    target: int
    #: ``max(0, target - maturity)``, one decimal; None when maturity is None.
    distance: float | None
    completeness: int
    #: Share of compared questions on which respondents differ; None with fewer than two.
    disagreement: float | None
    #: Ownership clarity 0-100: the share of the domain's responsibilities whose known
    #: owner fits (expected or acceptable); None when no owner is known.
    clarity: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "maturity": self.maturity,
            "target": self.target,
            "distance": self.distance,
            "completeness": self.completeness,
            "disagreement": self.disagreement,
            "clarity": self.clarity,
        }


class NamedOwner(NamedTuple):
    respondent: str
    role: str
    owner: str

    def to_dict(self) -> dict[str, Any]:
        return {"respondent": self.respondent, "role": self.role, "owner": self.owner}


class RaciRow(NamedTuple):
    responsibility: str
    domain: str | None
    title: str
    accountable: str
    consulted: tuple[str, ...]
    named: tuple[NamedOwner, ...]
    #: aligned, misplaced, orphaned, ambiguous or unanswered.
    status: str
    #: How the owner named fits this organisation (ownership clarity): expected,
    #: acceptable, misplaced, shared_without_lead, orphaned, disputed or unanswered.
    fit: str = "unanswered"

    def to_dict(self) -> dict[str, Any]:
        return {
            "responsibility": self.responsibility,
            "domain": self.domain,
            "title": self.title,
            "accountable": self.accountable,
            "consulted": list(self.consulted),
            "named": [n.to_dict() for n in self.named],
            "status": self.status,
            "fit": self.fit,
        }


class AnswerEvidence(NamedTuple):
    """One respondent's answer to one question, as evidence."""

    question: str
    text: str
    respondent: str
    role: str
    value: Any
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "respondent": self.respondent,
            "role": self.role,
            "value": _plain(self.value),
            "label": self.label,
        }


class Evidence(NamedTuple):
    #: ``generic:<kind>``, ``rule:<id>`` or ``perception``.
    check: str
    answers: tuple[AnswerEvidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "answers": [a.to_dict() for a in self.answers]}


class FindingPart(NamedTuple):
    """One check that found a gap, merged into a finding about the same root cause."""

    #: The gap's own id (``immature:DAT-7``, ``rule:no_breach_plan``, ``perception:<q>``).
    id: str
    #: ``generic:<kind>``, ``rule:<id>`` or ``perception``.
    check: str
    kind: str
    severity: str
    responsibility: str | None
    title: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "kind": self.kind,
            "severity": self.severity,
            "responsibility": self.responsibility,
            "title": self.title,
        }


class Finding(NamedTuple):
    """A gap found.  Its number (F1, F2, ...) is its place in ``Result.findings``, counted
    from 1: ``Result.to_dict()`` writes it, so every page numbers findings alike.

    One finding per root cause: ``parts`` are the checks merged into it (immaturity,
    ownership, rules and disagreements about one responsibility or structure rule), and
    ``key`` names the root cause (``SEC-1:practice``, ``dual-role:structure``),
    independent of wording, numbering and order."""

    id: str
    kind: str
    severity: str
    responsibility: str | None
    domain: str | None
    title: str
    recommendation: str
    act: str
    effort: str
    references: tuple[str, ...]
    weight: float
    evidence: Evidence
    key: str = ""
    #: The checks merged into this finding, the one it is written from first.
    parts: tuple[FindingPart, ...] = ()
    #: The organisation's exposure as it weighs on this finding (size, regulated data,
    #: sector; one more where an applicable regulation is at stake).
    exposure: int = 0
    #: Context questions the respondents disagree on that this finding depends on: it
    #: stays at medium or below until they are settled.
    depends_on: tuple[str, ...] = ()

    def to_dict(self, number: int = 0) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": number,
            "kind": self.kind,
            "severity": self.severity,
            "responsibility": self.responsibility,
            "domain": self.domain,
            "title": self.title,
            "recommendation": self.recommendation,
            "act": self.act,
            "effort": self.effort,
            "references": list(self.references),
            "weight": self.weight,
            "evidence": self.evidence.to_dict(),
            "key": self.key,
            "parts": [p.to_dict() for p in self.parts],
            "exposure": self.exposure,
            "depends_on": list(self.depends_on),
        }


class UnresolvedFact(NamedTuple):
    """A context question the respondents answer differently and nobody has settled."""

    question: str
    text: str
    #: Each respondent's answer.
    answers: tuple[AnswerEvidence, ...]
    #: Regulations (ids) that apply on some respondents' answers and not on others'.
    regulations: tuple[str, ...]
    #: What the disagreement is about, in words that complete "They disagree on ..."
    #: (the question's ``about``; None where the questionnaire gives none).
    about: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "about": self.about,
            "answers": [a.to_dict() for a in self.answers],
            "regulations": list(self.regulations),
        }


class PerceptionGap(NamedTuple):
    question: str
    text: str
    responsibility: str | None
    domain: str | None
    #: Each respondent's answer, the same records as the finding's evidence.
    answers: tuple[AnswerEvidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "responsibility": self.responsibility,
            "domain": self.domain,
            "answers": [
                {
                    "respondent": a.respondent,
                    "role": a.role,
                    "value": _plain(a.value),
                    "label": a.label,
                }
                for a in self.answers
            ],
        }


class DomainDisagreement(NamedTuple):
    id: str
    title: str
    disagreement: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "disagreement": self.disagreement}


class Perception(NamedTuple):
    domains: tuple[DomainDisagreement, ...]
    gaps: tuple[PerceptionGap, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "domains": [d.to_dict() for d in self.domains],
            "gaps": [g.to_dict() for g in self.gaps],
        }


class Roadmap(NamedTuple):
    """Finding ids, each group in priority order."""

    quick_wins: tuple[str, ...]
    next_90_days: tuple[str, ...]
    next_12_months: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "quick_wins": list(self.quick_wins),
            "next_90_days": list(self.next_90_days),
            "next_12_months": list(self.next_12_months),
        }


class PlannedInitiative(NamedTuple):
    """One initiative of the roadmap (:mod:`assessor.engine.roadmap`)."""

    id: str
    title: str
    #: What is in place once it is done.
    outcome: str
    #: The role that owns it (a role code: EXEC, CIO, CISO ...).
    owner: str
    #: ``30 days``, ``90 days`` or ``12 months``.
    horizon: str
    #: The ids of the findings it closes, most important first.
    findings: tuple[str, ...]
    #: The ids of the initiatives in the plan it depends on, in the plan's order.
    depends_on: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "outcome": self.outcome,
            "owner": self.owner,
            "horizon": self.horizon,
            "findings": list(self.findings),
            "depends_on": list(self.depends_on),
        }


class Plan(NamedTuple):
    """The roadmap: at most twelve initiatives grouping the findings, in order."""

    initiatives: tuple[PlannedInitiative, ...]

    def to_dict(self) -> list[dict[str, Any]]:
        return [i.to_dict() for i in self.initiatives]


class Ignored(NamedTuple):
    """An answer the engine did not use: ``hidden``, ``unknown`` question or ``invalid`` value."""

    respondent: str
    question: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"respondent": self.respondent, "question": self.question, "reason": self.reason}


class Inconsistency(NamedTuple):
    """One respondent's answers that contradict each other across questions (a
    questionnaire's consistency check): to be settled, never scored."""

    check: str
    respondent: str
    role: str
    #: The questions whose answers disagree, in the check's order, their texts, and this
    #: respondent's answers to them as every page prints them ("" where not answered).
    questions: tuple[str, ...]
    texts: tuple[str, ...]
    answers: tuple[str, ...]
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "respondent": self.respondent,
            "role": self.role,
            "questions": list(self.questions),
            "texts": list(self.texts),
            "answers": list(self.answers),
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Result:
    questionnaire: QuestionnaireInfo
    method: Method
    respondents: tuple[RespondentSummary, ...]
    #: The headline: practice maturity 0-100, capped (``cap``); for a provisional result,
    #: the known answers' score, within ``range``.
    overall: int
    #: Answered share of the required questions, 0-100 rounded down.
    completeness: int
    domains: tuple[DomainScore, ...]
    raci: tuple[RaciRow, ...]
    findings: tuple[Finding, ...]
    perception: Perception
    roadmap: Roadmap
    ignored: tuple[Ignored, ...]
    #: Contradictions across one respondent's answers, flagged for settling (never scored).
    inconsistencies: tuple[Inconsistency, ...] = ()
    #: The regulations and frameworks that apply on the settled facts, in file order.
    regulations: tuple[str, ...] = ()
    #: Disputed context facts, listed before every other disagreement.
    unresolved_facts: tuple[UnresolvedFact, ...] = ()
    #: Below 80% complete: the headline is ``range`` and has no band.
    provisional: bool = False
    #: A provisional headline: every unknown at its worst answer ... at its best.
    range: ScoreRange | None = None
    #: The practice score before the cap.
    practice: int = 0
    #: The cap structural and regulatory findings set, if any.
    cap: ScoreCap | None = None
    #: Ownership clarity overall, 0-100; None when no owner is known.
    clarity: int | None = None
    #: The organisation's context as scored, by question id: the settled facts, and the
    #: context answers respondents agree on (a disputed fact nobody settled is absent).
    context: Mapping[str, Any] = field(default_factory=dict)
    #: The roadmap's initiatives (:mod:`assessor.engine.roadmap`); None for a result
    #: made without one (``to_dict`` then leaves ``initiatives`` out, as results stored
    #: before it have none).
    plan: Plan | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-serialisable values (the shape the report reads)."""
        plain = {
            "questionnaire": self.questionnaire.to_dict(),
            "method": self.method.to_dict(),
            "respondents": [r.to_dict() for r in self.respondents],
            "overall": self.overall,
            "completeness": self.completeness,
            "domains": [d.to_dict() for d in self.domains],
            "raci": [r.to_dict() for r in self.raci],
            "findings": [f.to_dict(n) for n, f in enumerate(self.findings, start=1)],
            "perception": self.perception.to_dict(),
            "roadmap": self.roadmap.to_dict(),
            "ignored": [i.to_dict() for i in self.ignored],
            "inconsistencies": [i.to_dict() for i in self.inconsistencies],
            "regulations": list(self.regulations),
            "unresolved_facts": [u.to_dict() for u in self.unresolved_facts],
            "provisional": self.provisional,
            "range": self.range.to_dict() if self.range is not None else None,
            "practice": self.practice,
            "cap": self.cap.to_dict() if self.cap is not None else None,
            "clarity": self.clarity,
            "context": {qid: _plain(value) for qid, value in self.context.items()},
        }
        if self.plan is not None:
            plain["initiatives"] = self.plan.to_dict()
        return plain

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with this id or key, or that a gap with this id was merged into;
        None when there is none."""
        for item in self.findings:
            if item.id == finding_id or item.key == finding_id:
                return item
        for item in self.findings:
            if any(part.id == finding_id for part in item.parts):
                return item
        return None


def _plain(value: Any) -> Any:
    """An answer value as JSON: multi answers (tuples) become lists."""
    if isinstance(value, tuple):
        return list(value)
    return value
