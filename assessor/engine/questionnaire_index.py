"""The per-questionnaire index: everything the engine needs that depends only on the
questionnaire, computed once and cached.

Conditions are compiled to closures; answer checks, scores and labels become one dict
lookup per answer; questions are grouped by domain; the model is joined to its
questions; and every generic finding the questionnaire can produce is written in
advance (its "head": all of a finding but the evidence).  :func:`index_for` keeps the
most recently used indexes, keyed on ``(id, version, hash)`` when the loader set a
hash, otherwise on the questionnaire object itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assessor.engine import prepared_findings as prepared
from assessor.engine import wording
from assessor.engine.conditions import Test, compile_condition, compile_conditions
from assessor.engine.organisation_model import OrganisationModel, compile_model
from assessor.engine.prepared_findings import OwnerFindings, PerceptionFindings
from assessor.engine.question_kinds import KINDS, QuestionKind, Table
from assessor.engine.result import DomainDisagreement, Finding, Perception, QuestionnaireInfo
from assessor.engine.rules import RuleInfo, rule_info
from assessor.questionnaire.schema import (
    ROLE_CODES,
    Question,
    Questionnaire,
    Responsibility,
    Section,
)

#: The section that describes the organisation rather than scoring it.
CONTEXT_SECTION = "context"
DEFAULT_TARGET = 3


@dataclass(frozen=True, slots=True, eq=False)
class QuestionInfo:
    id: str
    question: Question
    kind: str
    #: How answers of its kind are handled (the registry's object): parsing, scores, labels.
    handling: QuestionKind
    text: str
    section: str
    #: The section id when it is a domain; None for the context section.
    domain: str | None
    #: Position of the domain in ``Index.domains``; -1 for none.
    slot: int
    weight: float
    required: bool
    responsibility: Responsibility | None
    #: Counts towards a domain score.
    scored: bool
    #: Single-value kinds: each canonical value's entry (value, score, label).
    table: Table | None
    #: ``normalise(value)``: the canonical answer, or INVALID (every kind).
    normalise: Callable[[Any], Any]
    #: ``score(value)``: 0.0-1.0, or None when this answer is not scored.
    score: Callable[[Any], float | None]
    label: Callable[[Any], str]
    labels: dict[Any, str]
    show_if: Test | None
    #: Whether respondents' answers are compared for perception gaps.
    compared: bool
    #: Suffix that keeps generic finding ids unique, e.g. ``DAT-7`` or ``DAT-7:dat_plan``.
    finding_key: str
    #: The answer meaning "Don't know" (exactly as no answer), or INVALID for none.
    dont_know: Any
    #: The worst- and the best-scoring answer; None when answers do not score apart.
    worst: Any
    best: Any
    #: The worst answer's score, and best minus worst (0.0 when they do not differ).
    floor: float
    span: float
    #: A practice question: scored in a domain, not an owner question, answers scoring
    #: apart.  Only practice questions make the headline (method 2).
    practice: bool

    def is_unknown(self, value: Any) -> bool:
        """Whether an answer is "Don't know", which counts as no answer."""
        return bool(value == self.dont_know)

    def label_of(self, value: Any) -> str:
        """How a canonical answer to this question is shown everywhere."""
        table = self.table
        return table[value].label if table is not None else self.label(value)


@dataclass(frozen=True, slots=True)
class DomainInfo:
    id: str
    title: str
    questions: tuple[QuestionInfo, ...]


@dataclass(frozen=True, slots=True)
class RaciInfo:
    """One responsibility's row of the RACI matrix, before its answers."""

    responsibility: Responsibility
    #: The domain (section id) its questions are in, or None.
    domain: str | None
    #: The question that asks who owns it, if any.
    owner: QuestionInfo | None
    #: The status when every respondent named this owner code.
    status: dict[str, str]


@dataclass(frozen=True, slots=True)
class OwnerCheck:
    """An owner question of a domain, with the ownership findings it can raise."""

    info: QuestionInfo
    findings: OwnerFindings


@dataclass(frozen=True, slots=True)
class MaturityCheck:
    """A maturity question of a domain, with its immature findings by target, then level."""

    info: QuestionInfo
    findings: tuple[tuple[Finding | None, ...], ...]


@dataclass(frozen=True, slots=True, eq=False)
class Index:
    questionnaire: Questionnaire
    #: The ``questionnaire`` part of every result.
    summary: QuestionnaireInfo
    questions: dict[str, QuestionInfo]
    question_ids: frozenset[str]
    ordered: tuple[QuestionInfo, ...]
    #: Every question, each after the questions its ``show_if`` reads (otherwise in
    #: questionnaire order): the order in which answers are checked and scores summed.
    visit_order: tuple[QuestionInfo, ...]
    #: Whether the visit order is the questionnaire order.
    visits_in_order: bool
    domains: tuple[DomainInfo, ...]
    domain_ids: frozenset[str]
    rules: tuple[RuleInfo, ...]
    #: ``rules_holding(answers, role)``: positions of the rules whose condition holds.
    rules_holding: Callable[[Mapping[str, Any], str | None], list[int]]
    #: Position of each question in the questionnaire.
    position: dict[str, int]
    #: Required questions, in all and per domain slot.
    required_total: int
    required_by_slot: tuple[int, ...]
    #: Scored questions of a domain, in visit order.
    scored: tuple[QuestionInfo, ...]
    #: Practice questions (the headline's), in visit order.
    practice: tuple[QuestionInfo, ...]
    owner_checks: tuple[OwnerCheck, ...]
    maturity_checks: tuple[MaturityCheck, ...]
    #: One row per responsibility, in model order.
    raci: tuple[RaciInfo, ...]
    #: The perception part of a result with fewer than two respondents.
    no_perception: Perception
    #: Compared questions, in questionnaire order, with their perception findings.
    perception_checks: tuple[PerceptionFindings, ...]
    #: The model's edition 2 records: alternatives, structure rules, regulations.
    organisation: OrganisationModel
    #: The context questions, in questionnaire order.
    context: tuple[QuestionInfo, ...] = ()
    #: Each responsibility's first question's position: findings about it list in this order.
    responsibility_position: dict[str, int] | None = None


_CACHE_SIZE = 32
#: Indexes by (id, version, hash), or by the questionnaire object when it has no hash
#: (the index keeps its questionnaire alive, so an id() key is never reused meanwhile).
_cache: OrderedDict[object, Index] = OrderedDict()
_lock = threading.Lock()


def index_for(questionnaire: Questionnaire) -> Index:
    """The index of ``questionnaire``, built on first use and cached."""
    key: object = (
        (questionnaire.id, questionnaire.version, questionnaire.hash)
        if questionnaire.hash
        else ("object", id(questionnaire))
    )
    index = _cache.get(key)
    if index is not None and (questionnaire.hash or index.questionnaire is questionnaire):
        return index
    index = build_index(questionnaire)
    with _lock:
        _cache[key] = index
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return index


def build_index(questionnaire: Questionnaire) -> Index:
    """Compute the index of ``questionnaire`` (use :func:`index_for`, which caches)."""
    questions = questionnaire.questions
    model = questionnaire.responsibilities
    section_ids = {s.id for s in questionnaire.sections}
    domain_sections = [s for s in questionnaire.sections if _is_domain(s)]
    slots = {s.id: n for n, s in enumerate(domain_sections)}

    per_kind: dict[tuple[str | None, str], int] = {}
    for q in questions.values():
        per_kind[(q.responsibility, q.kind)] = per_kind.get((q.responsibility, q.kind), 0) + 1

    infos: dict[str, QuestionInfo] = {}
    for section in questionnaire.sections:
        domain = section.id if section.id in slots else None
        for q in section.questions:
            responsibility = model.get(q.responsibility) if q.responsibility else None
            key = q.responsibility or q.id
            if per_kind[(q.responsibility, q.kind)] > 1:
                key = f"{key}:{q.id}"
            kind = KINDS[q.kind]
            labels = wording.label_table(q)
            score = kind.scorer(q, responsibility)
            label = kind.labeller(q, labels)
            table = kind.table(q, score, label)
            extremes = kind.extremes(q, score)
            worst, best = extremes if extremes is not None else (None, None)
            floor = (score(worst) or 0.0) if extremes is not None else 0.0
            span = (score(best) or 0.0) - floor if extremes is not None else 0.0
            is_scored = q.scored and domain is not None
            infos[q.id] = QuestionInfo(
                id=q.id,
                question=q,
                kind=q.kind,
                handling=kind,
                text=q.text,
                section=section.id,
                domain=domain,
                slot=slots.get(section.id, -1),
                weight=max(0.0, float(q.weight)),
                required=q.required,
                responsibility=responsibility,
                scored=is_scored,
                table=table,
                normalise=kind.normaliser(q, table),
                score=score,
                label=label,
                labels=labels,
                show_if=compile_condition(q.show_if, questions).test if q.show_if else None,
                compared=kind.compared,
                finding_key=key,
                dont_know=kind.dont_know(q),
                worst=worst,
                best=best,
                floor=floor,
                span=span,
                practice=is_scored and q.kind != "owner" and span > 0,
            )
    ordered = tuple(infos.values())

    responsibility_domain: dict[str, str | None] = {}
    owner_of: dict[str, QuestionInfo] = {}
    for info in ordered:
        rid = info.question.responsibility
        if rid and rid not in responsibility_domain and info.domain is not None:
            responsibility_domain[rid] = info.domain
        if rid and info.kind == "owner" and rid not in owner_of:
            owner_of[rid] = info
    for responsibility in questionnaire.model:
        if responsibility.id not in responsibility_domain:
            domain_name = responsibility.domain
            responsibility_domain[responsibility.id] = (
                domain_name if domain_name in section_ids else None
            )

    generic = [
        (i, r) for i in ordered if (r := i.responsibility) is not None and i.domain is not None
    ]
    owners = [(i, r) for i, r in generic if i.kind == "owner"]
    maturities = [(i, r) for i, r in generic if i.kind == "maturity"]
    visit_order = _visit_order(ordered, questionnaire)
    conditions, rules_holding = compile_conditions(
        [rule.when for rule in questionnaire.rules], questions
    )
    rules = tuple(
        rule_info(rule, condition, questions, model, responsibility_domain)
        for rule, condition in zip(questionnaire.rules, conditions, strict=True)
    )
    raci = tuple(
        RaciInfo(
            responsibility=r,
            domain=responsibility_domain.get(r.id),
            owner=owner_of.get(r.id),
            status={code: agreed_status(r.accountable, code) for code in ROLE_CODES},
        )
        for r in questionnaire.model
    )

    return Index(
        questionnaire=questionnaire,
        summary=QuestionnaireInfo(
            questionnaire.id, questionnaire.version, questionnaire.hash, questionnaire.title
        ),
        questions=infos,
        question_ids=frozenset(infos),
        ordered=ordered,
        visit_order=visit_order,
        visits_in_order=visit_order == ordered,
        domains=tuple(
            DomainInfo(s.id, s.title, tuple(infos[q.id] for q in s.questions))
            for s in domain_sections
        ),
        domain_ids=frozenset(slots),
        rules=rules,
        rules_holding=rules_holding,
        position={info.id: n for n, info in enumerate(ordered)},
        required_total=sum(1 for info in ordered if info.required),
        required_by_slot=tuple(sum(1 for q in s.questions if q.required) for s in domain_sections),
        scored=tuple(i for i in visit_order if i.scored),
        practice=tuple(i for i in visit_order if i.practice),
        owner_checks=tuple(OwnerCheck(i, prepared.owner_findings(i, r)) for i, r in owners),
        maturity_checks=tuple(
            MaturityCheck(i, prepared.immature_findings(i, r)) for i, r in maturities
        ),
        raci=raci,
        perception_checks=tuple(prepared.perception_findings(i) for i in ordered if i.compared),
        no_perception=Perception(
            tuple(DomainDisagreement(s.id, s.title, None) for s in domain_sections), ()
        ),
        organisation=compile_model(questionnaire),
        context=tuple(i for i in ordered if i.question.context),
        responsibility_position={
            rid: min(n for n, i in enumerate(ordered) if i.question.responsibility == rid)
            for rid in {i.question.responsibility for i in ordered if i.question.responsibility}
        },
    )


def agreed_status(accountable: str, code: str) -> str:
    """The RACI status when every respondent named ``code`` as the owner."""
    if code == accountable:
        return "aligned"
    if code == "NONE":
        return "orphaned"
    if code == "SHARED":
        return "ambiguous"
    return "misplaced"


def _is_domain(section: Section) -> bool:
    """A section is a domain unless it is the context section or holds only context."""
    return section.id != CONTEXT_SECTION and not all(q.context for q in section.questions)


def _visit_order(
    ordered: tuple[QuestionInfo, ...], questionnaire: Questionnaire
) -> tuple[QuestionInfo, ...]:
    """Every question, after the questions its ``show_if`` reads; otherwise in order.

    Deciding a question's visibility then only ever reads answers already checked and
    kept, so one pass over this order decides visibility.  The validator rejects cycles;
    should one slip through, the edge that closes it is ignored.
    """
    reads: dict[str, tuple[str, ...]] = {}
    for info in ordered:
        show_if = info.question.show_if
        if show_if is not None:
            read = compile_condition(show_if, questionnaire.questions).questions
            reads[info.id] = tuple(q for q in read if q in questionnaire.questions)
    infos = {info.id: info for info in ordered}
    done: dict[str, None] = {}
    visiting: set[str] = set()

    def visit(qid: str) -> None:
        if qid in done or qid in visiting:
            return
        visiting.add(qid)
        for dependency in reads.get(qid, ()):
            visit(dependency)
        visiting.discard(qid)
        done[qid] = None

    for info in ordered:
        visit(info.id)
    return tuple(infos[qid] for qid in done)
