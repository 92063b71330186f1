"""Findings written in advance: every generic and perception finding a questionnaire
can produce, complete but for its evidence (and, for perception, who said what).

:mod:`assessor.engine.questionnaire_index` builds them once per questionnaire, as
:class:`Finding` records whose evidence holds the check that fires them and no answers
yet; a scoring adds the answers with :func:`with_answers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assessor.engine import wording
from assessor.engine.question_kinds import MAX_LEVEL
from assessor.engine.result import AnswerEvidence, Evidence, Finding
from assessor.questionnaire.schema import ROLE_CODES, Responsibility

if TYPE_CHECKING:
    from assessor.engine.questionnaire_index import QuestionInfo

QUICK_WIN = "quick win"
#: A question weight from which generic and perception findings are one step worse.
HEAVY = 2.0
#: Who settles what respondents disagree on: the CEO or the executive team.
SETTLES_DISAGREEMENT = "EXEC"
#: Immature severity by distance below target (3 or more: critical).
IMMATURE_SEVERITY = {1: "medium", 2: "high"}


def with_answers(
    prepared: Finding, answers: Sequence[AnswerEvidence], recommendation: str | None = None
) -> Finding:
    """The finding written in advance, with the answers that fired it as its evidence
    (and its recommendation, when given)."""
    # Positional arguments in field order: a scoring builds a hundred of these, and
    # keywords cost a NamedTuple half as much again.
    return Finding(
        prepared.id,
        prepared.kind,
        prepared.severity,
        prepared.responsibility,
        prepared.domain,
        prepared.title,
        prepared.recommendation if recommendation is None else recommendation,
        prepared.act,
        prepared.effort,
        prepared.references,
        prepared.weight,
        Evidence(prepared.evidence.check, tuple(answers)),
    )


@dataclass(frozen=True, slots=True)
class OwnerFindings:
    """The generic ownership finding for each answer to one owner question."""

    #: When every respondent named this code; None when that is aligned with the model.
    agreed: dict[str, Finding | None]
    #: When respondents name different owners: without and with a NONE among them.
    disputed: Finding
    disputed_none: Finding


@dataclass(frozen=True, slots=True)
class PerceptionFindings:
    """What the perception check needs of one compared question, written in advance."""

    info: QuestionInfo
    #: How each answer reads after "says": "the CISO", "level 1 (Ad hoc)".
    phrases: dict[Any, str]
    #: When the answers differ; when maturity levels are far apart.
    differ: Finding
    differ_widely: Finding


def prepare(
    info: QuestionInfo,
    responsibility: Responsibility | None,
    kind: str,
    base: str,
    act: str,
    effort: str,
    text: wording.FindingText,
    check: str,
) -> Finding:
    """A finding about ``info`` with no answers yet; heavy questions raise its severity."""
    return Finding(
        id=f"{kind}:{info.finding_key}",
        kind=kind,
        severity=wording.bump(base) if info.weight >= HEAVY else base,
        responsibility=info.question.responsibility,
        domain=info.domain,
        title=text.title,
        recommendation=text.recommendation,
        act=act,
        effort=effort,
        references=responsibility.references if responsibility else (),
        weight=info.weight,
        evidence=Evidence(check, ()),
    )


def owner_findings(info: QuestionInfo, r: Responsibility) -> OwnerFindings:
    def generic(kind: str, base: str, act: str, text: wording.FindingText) -> Finding:
        return prepare(info, r, kind, base, act, QUICK_WIN, text, f"generic:{kind}")

    agreed: dict[str, Finding | None] = {}
    for code in ROLE_CODES:
        if code == r.accountable:
            agreed[code] = None
        elif code == "NONE":
            agreed[code] = generic("orphaned", "high", "EXEC", wording.orphaned_text(r))
        elif code == "SHARED":
            agreed[code] = generic("ambiguous", "medium", "EXEC", wording.shared_text(r))
        else:
            text = wording.misplaced_text(r, code)
            agreed[code] = generic("misplaced", "medium", r.accountable, text)
    disputed = wording.disputed_text(r)
    return OwnerFindings(
        agreed=agreed,
        disputed=generic("ambiguous", "medium", "EXEC", disputed),
        disputed_none=generic("ambiguous", "high", "EXEC", disputed),
    )


def immature_findings(
    info: QuestionInfo, r: Responsibility
) -> tuple[tuple[Finding | None, ...], ...]:
    """``findings[target][level]``: the immature finding, None when the level meets the target."""
    by_target: list[tuple[Finding | None, ...]] = []
    for target in range(MAX_LEVEL + 1):
        by_level: list[Finding | None] = []
        for level in range(MAX_LEVEL + 1):
            distance = target - level
            if distance <= 0:
                by_level.append(None)
                continue
            by_level.append(
                prepare(
                    info,
                    r,
                    "immature",
                    IMMATURE_SEVERITY.get(distance, "critical"),
                    r.accountable,
                    "project" if distance <= 2 else "programme",
                    wording.immature_text(r, info.question, level, target),
                    "generic:immature",
                )
            )
        by_target.append(tuple(by_level))
    return tuple(by_target)


def perception_findings(info: QuestionInfo) -> PerceptionFindings:
    """The perception finding of one compared question, written in advance; its
    recommendation is completed by who said what."""
    question = info.question
    responsibility = info.responsibility
    title, advice = wording.perception_text(question, responsibility)
    # Settling a disagreement is for someone above the parties to it, not one of them.
    act = SETTLES_DISAGREEMENT
    text = wording.FindingText(title, ". " + advice)

    def perception(base: str) -> Finding:
        prepared = prepare(info, responsibility, "perception", base, act, QUICK_WIN, text, "")
        return prepared._replace(id=f"perception:{info.id}", evidence=Evidence("perception", ()))

    return PerceptionFindings(
        info=info,
        phrases={
            value: info.handling.phrase(question, value, info.labels) for value in info.labels
        },
        differ=perception("medium"),
        differ_widely=perception("high"),
    )
