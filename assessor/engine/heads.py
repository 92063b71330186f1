"""Findings written in advance: every generic and perception finding a questionnaire
can produce, complete but for its evidence (and, for perception, who said what).

A "head" is a finding's fields up to its evidence; "prepared" is the head with the key
it sorts by and the check that fires it.  :mod:`assessor.engine.index` builds them once
per questionnaire; a scoring adds the evidence.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assessor.engine import wording
from assessor.engine.kinds import MAX_LEVEL
from assessor.questionnaire.schema import OWNER_CODES, Responsibility

if TYPE_CHECKING:
    from assessor.engine.index import QuestionInfo

QUICK_WIN = "quick win"
#: A question weight from which generic and perception findings are one step worse.
HEAVY = 2.0
#: Immature severity by distance below target (3 or more: critical).
IMMATURE_SEVERITY = {1: "medium", 2: "high"}

#: A finding without its evidence: (id, kind, severity, responsibility, domain, title,
#: recommendation, act, effort, references, weight).
Head = tuple[str, str, str, str | None, str | None, str, str, str, str, tuple[str, ...], float]
#: How findings sort: severity rank, then weight (heaviest first), then id, packed into
#: bytes whose plain order is that order (see :func:`sort_key`).
SortKey = bytes
#: A finding written in advance: its sort key, its head and its evidence check.
Prepared = tuple[SortKey, Head, str]
#: (info, id, slot, kind, gap prefix (question, text, responsibility, domain), phrase by
#: value, label by value, finding when the answers differ, when maturity differs widely).
PerceptionStep = tuple[
    "QuestionInfo",
    str,
    int,
    str,
    tuple[str, str, str | None, str | None],
    dict[Any, str],
    dict[Any, str],
    Prepared,
    Prepared,
]


@dataclass(frozen=True, slots=True)
class OwnerHeads:
    """The generic ownership finding for each answer, written in advance."""

    #: When every respondent named this code; None when that is aligned with the model.
    agreed: dict[str, Prepared | None]
    #: When respondents name different owners: without and with a NONE among them.
    disputed: Prepared
    disputed_none: Prepared


def sort_key(severity: str, weight: float, finding_id: str) -> SortKey:
    """Priority order: severity, then weight (heaviest first), then id.

    Bytes, because a scoring sorts every finding by it and bytes compare several times
    faster than tuples: one byte of severity rank; the weight as a big-endian IEEE 754
    double (whose bytes order like the numbers, for the non-negative weights the index
    keeps), each byte inverted so heavier sorts first; then the id in UTF-8, whose
    byte order is code point order.
    """
    if not weight >= 0.0:  # negative zero, or anything the index let through
        weight = 0.0
    inverted = bytes(255 - b for b in struct.pack(">d", weight + 0.0))
    return (
        bytes([wording.SEVERITY_RANK[severity]])
        + inverted
        + finding_id.encode("utf-8", "surrogatepass")
    )


def prepare(
    info: QuestionInfo,
    responsibility: Responsibility,
    kind: str,
    base: str,
    act: str,
    effort: str,
    text: tuple[str, str],
) -> Prepared:
    severity = wording.bump(base) if info.weight >= HEAVY else base
    finding_id = f"{kind}:{info.finding_key}"
    head: Head = (
        finding_id,
        kind,
        severity,
        responsibility.id,
        info.domain,
        text[0],
        text[1],
        act,
        effort,
        responsibility.references,
        info.weight,
    )
    return sort_key(severity, info.weight, finding_id), head, f"generic:{kind}"


def owner_heads(info: QuestionInfo, r: Responsibility) -> OwnerHeads:
    agreed: dict[str, Prepared | None] = {}
    for code in OWNER_CODES:
        if code == r.accountable:
            agreed[code] = None
        elif code == "NONE":
            text = wording.orphaned_text(r)
            agreed[code] = prepare(info, r, "orphaned", "high", "EXEC", QUICK_WIN, text)
        elif code == "SHARED":
            text = wording.shared_text(r)
            agreed[code] = prepare(info, r, "ambiguous", "medium", "EXEC", QUICK_WIN, text)
        else:
            text = wording.misplaced_text(r, code)
            agreed[code] = prepare(info, r, "misplaced", "medium", r.accountable, QUICK_WIN, text)
    disputed = wording.disputed_text(r)
    return OwnerHeads(
        agreed=agreed,
        disputed=prepare(info, r, "ambiguous", "medium", "EXEC", QUICK_WIN, disputed),
        disputed_none=prepare(info, r, "ambiguous", "high", "EXEC", QUICK_WIN, disputed),
    )


def immature_heads(
    info: QuestionInfo, r: Responsibility
) -> tuple[tuple[Prepared | None, ...], ...]:
    """``heads[target][level]``: the immature finding, None when the level meets the target."""
    by_target: list[tuple[Prepared | None, ...]] = []
    for target in range(MAX_LEVEL + 1):
        heads: list[Prepared | None] = []
        for level in range(MAX_LEVEL + 1):
            distance = target - level
            if distance <= 0:
                heads.append(None)
                continue
            heads.append(
                prepare(
                    info,
                    r,
                    "immature",
                    IMMATURE_SEVERITY.get(distance, "critical"),
                    r.accountable,
                    "project" if distance <= 2 else "programme",
                    wording.immature_text(r, info.question, level, target),
                )
            )
        by_target.append(tuple(heads))
    return tuple(by_target)


def perception_step(info: QuestionInfo) -> PerceptionStep:
    """What :func:`perception` needs of one compared question, written in advance."""
    question = info.question
    responsibility = info.responsibility
    title, advice = wording.perception_text(question)
    act = "EXEC" if info.kind == "owner" or responsibility is None else responsibility.accountable
    finding_id = f"perception:{info.id}"

    def prepared(base: str) -> Prepared:
        severity = wording.bump(base) if info.weight >= HEAVY else base
        head: Head = (
            finding_id,
            "perception",
            severity,
            question.responsibility,
            info.domain,
            title,
            ". " + advice,
            act,
            QUICK_WIN,
            responsibility.references if responsibility else (),
            info.weight,
        )
        return sort_key(severity, info.weight, finding_id), head, "perception"

    return (
        info,
        info.id,
        info.slot,
        info.kind,
        (info.id, info.text, question.responsibility, info.domain),
        {value: wording.phrase(question, value, info.labels) for value in info.labels},
        info.labels,
        prepared("medium"),
        prepared("high"),
    )
