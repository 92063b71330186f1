"""Perception gaps: where respondents describing the same organisation differ.

Compared questions are the owner, maturity, choice and yes/no questions that two or
more respondents were shown and answered.  They differ when:

* owner or choice: the respondents chose different answers;
* maturity: the highest and lowest levels given are two or more apart;
* yes/no: one said yes and another no.

"Don't know" is an unknown, not a view: a question is compared on the known answers
only (two or more), so a view against "don't know" is no gap and counts in no figure.

Numbers, multiple choice and free text are not compared.  Each differing question is a
``perception`` finding (medium; high for maturity three or more levels apart; a
question weight of 2 or more raises it a step), a quick win: one conversation settles
it; but an owner question (whose "no agreed owner" finding says who named whom) and a
context fact (an unresolved fact, listed first) raise no finding.  A domain's
disagreement is the share of its compared questions that differ, None with fewer than
two respondents or nothing compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assessor.engine.facts import fact_questions
from assessor.engine.findings import answer_records
from assessor.engine.prepared_findings import with_answers
from assessor.engine.questionnaire_index import Index
from assessor.engine.result import (
    DomainDisagreement,
    Finding,
    Perception,
    PerceptionGap,
)
from assessor.engine.scoring import Combined
from assessor.engine.visibility import View
from assessor.questionnaire.schema_base import RESPONDENT_ROLE_LABELS

#: Maturity levels this far apart are a high-severity perception gap.
MATURITY_WIDE_GAP = 3


@dataclass(slots=True, eq=False)
class PerceptionResult:
    perception: Perception
    findings: list[Finding]
    #: Disagreement per domain id.
    disagreement: dict[str, float | None]


def perception(index: Index, views: Sequence[View], combined: Combined) -> PerceptionResult:
    """The gaps between respondents, their findings, and each domain's disagreement."""
    if len(views) < 2:
        return PerceptionResult(index.no_perception, [], {})
    slots = len(index.domains)
    compared = [0] * (slots + 1)
    differing = [0] * (slots + 1)
    gaps: list[PerceptionGap] = []
    findings: list[Finding] = []
    says = {
        view.position: f"{RESPONDENT_ROLE_LABELS.get(view.role, view.role)} ({view.name}) says "
        for view in views
    }
    facts = fact_questions(index)
    for check in index.perception_checks:
        info = check.info
        qid = info.id
        answering = combined.by_question.get(qid)
        if answering is None or len(answering) < 2:
            continue
        # "Don't know" is an unknown, not a view: it is neither compared nor counted.
        values = [view.answers[qid] for view in answering]
        known = [value for value in values if not info.is_unknown(value)]
        if len(known) < 2:
            continue
        compared[info.slot] += 1
        if not info.handling.differ(known):
            continue
        differing[info.slot] += 1
        evidence = answer_records(info, answering)
        # question, text, responsibility, domain, each respondent's answer
        gaps.append(
            PerceptionGap(qid, info.text, info.question.responsibility, info.domain, evidence)
        )
        if info.kind == "owner":
            continue  # the ownership check's "no agreed owner" finding names who said what
        if qid in facts:
            continue  # a disputed fact: listed among the unresolved facts, not a finding
        wide = info.kind == "maturity" and _wide(known)
        prepared = check.differ_widely if wide else check.differ
        phrases = check.phrases
        said = "; ".join(
            [says[v.position] + phrases[value] for v, value in zip(answering, values, strict=True)]
        )
        findings.append(with_answers(prepared, evidence, said + prepared.recommendation))
    disagreement: list[float | None] = [
        round(differing[slot] / compared[slot], 2) if compared[slot] else None
        for slot in range(slots)
    ]
    return PerceptionResult(
        perception=Perception(
            domains=tuple(
                DomainDisagreement(d.id, d.title, disagreement[slot])
                for slot, d in enumerate(index.domains)
            ),
            gaps=tuple(gaps),
        ),
        findings=findings,
        disagreement={d.id: disagreement[slot] for slot, d in enumerate(index.domains)},
    )


def _wide(levels: list[Any]) -> bool:
    return bool(max(levels) - min(levels) >= MATURITY_WIDE_GAP)
