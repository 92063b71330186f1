"""Perception gaps: where respondents describing the same organisation differ.

Compared questions are the owner, maturity, choice and yes/no questions that two or
more respondents were shown and answered.  They differ when:

* owner or choice: the respondents chose different answers;
* maturity: the highest and lowest levels given are two or more apart;
* yes/no: one said yes and another no ("don't know" differs from neither).

Numbers, multiple choice and free text are not compared.  Each differing question is a
``perception`` finding (medium; high for maturity three or more levels apart; a
question weight of 2 or more raises it a step), a quick win: one conversation settles
it.  A domain's disagreement is the share of its compared questions that differ, None
with fewer than two respondents or nothing compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assessor.engine import wording
from assessor.engine.findings import Ranked
from assessor.engine.index import QUICK_WIN, Index, QuestionInfo, sort_key
from assessor.engine.result import (
    DomainDisagreement,
    Evidence,
    Finding,
    GapAnswer,
    Perception,
    PerceptionGap,
)
from assessor.engine.scoring import Combined
from assessor.engine.visibility import View

#: Maturity levels this far apart are a perception gap.
MATURITY_GAP = 2
#: ... and this far apart a high-severity one.
MATURITY_WIDE_GAP = 3


@dataclass(slots=True, eq=False)
class PerceptionResult:
    perception: Perception
    findings: list[Ranked]
    #: Disagreement per domain id.
    disagreement: dict[str, float | None]


def differ(info: QuestionInfo, values: Sequence[Any]) -> bool:
    """Whether these answers to one question count as a perception gap."""
    kind = info.kind
    if kind == "maturity":
        return bool(max(values) - min(values) >= MATURITY_GAP)
    if kind == "yesno":
        return "yes" in values and "no" in values
    return len(set(values)) > 1


def perception(index: Index, views: Sequence[View], combined: Combined) -> PerceptionResult:
    """The gaps between respondents, their findings, and each domain's disagreement."""
    if len(views) < 2:
        return PerceptionResult(index.no_perception, [], {})
    compared = dict.fromkeys(index.domain_ids, 0)
    differing = dict.fromkeys(index.domain_ids, 0)
    gaps: list[PerceptionGap] = []
    findings: list[Ranked] = []
    if len(views) > 1:
        for info in index.ordered:
            if not info.compared:
                continue
            answers = combined.given(info.id)
            if len(answers) < 2:
                continue
            values = [value for _, value in answers]
            gap = differ(info, values)
            if info.domain is not None:
                compared[info.domain] += 1
                differing[info.domain] += gap
            if gap:
                gaps.append(_gap(info, answers))
                finding = _finding(info, answers, values)
                findings.append((sort_key(finding.severity, finding.weight, finding.id), finding))
    disagreement: dict[str, float | None] = {
        domain: round(differing[domain] / compared[domain], 2)
        if len(views) > 1 and compared[domain]
        else None
        for domain in compared
    }
    return PerceptionResult(
        perception=Perception(
            domains=tuple(
                DomainDisagreement(d.id, d.title, disagreement[d.id]) for d in index.domains
            ),
            gaps=tuple(gaps),
        ),
        findings=findings,
        disagreement=disagreement,
    )


def _gap(info: QuestionInfo, answers: list[tuple[View, Any]]) -> PerceptionGap:
    return PerceptionGap(
        question=info.id,
        text=info.text,
        responsibility=info.question.responsibility,
        domain=info.domain,
        answers=tuple(
            GapAnswer(view.name, view.role, value, info.label(value)) for view, value in answers
        ),
    )


def _finding(info: QuestionInfo, answers: list[tuple[View, Any]], values: list[Any]) -> Finding:
    severity = "medium"
    if info.kind == "maturity" and max(values) - min(values) >= MATURITY_WIDE_GAP:
        severity = "high"
    if info.weight >= 2:
        severity = wording.bump(severity)
    responsibility = info.responsibility
    said = "; ".join(
        f"{view.role} ({view.name}) says {wording.phrase(info.question, value, info.labels)}"
        for view, value in answers
    )
    title, advice = wording.perception_text(info.question)
    if info.kind == "owner" or responsibility is None:
        act = "EXEC"
    else:
        act = responsibility.accountable
    return Finding(
        id=f"perception:{info.id}",
        kind="perception",
        severity=severity,
        responsibility=info.question.responsibility,
        domain=info.domain,
        title=title,
        recommendation=f"{said}. {advice}",
        act=act,
        effort=QUICK_WIN,
        references=responsibility.references if responsibility else (),
        weight=info.weight,
        evidence=Evidence("perception", tuple(view.answer_evidence(info) for view, _ in answers)),
    )
