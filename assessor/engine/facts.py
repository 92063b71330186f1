"""The organisation's facts in one scoring: its context answers, those the respondents
still dispute, the structure rules and regulations that hold, and its exposure.

* A context question answered differently by two respondents is an **unresolved fact**
  unless the consultant settled it (``settled_facts``).  The facts are the combined
  context answers with the settled values in their place; the **consensus** keeps of a
  disputed fact only what every respondent says (the options all of them ticked; nothing
  for a single answer), so a finding that holds only on one side's account can be told
  from one that holds on both.
* Any other question (an escalation path, whether security hears of decisions in time)
  that a finding rests on because the respondents answer it differently is an unresolved
  fact too (:func:`rested_on`): the finding says "settle it first", and the consultant can.
* The regulations that apply are those holding on the consensus; a regulation holding on
  one respondent's account and not on another's is **unsettled**: its findings say so and
  stay at medium or below until the fact is settled.
* Exposure (0-5) grows with size (50, 250 and 1,000 staff), health or card data, a sector
  whose failures reach the public (finance, healthcare, public sector) and NIS2 status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assessor.engine.findings import answer_records
from assessor.engine.organisation_model import OrganisationModel
from assessor.engine.question_kinds import INVALID
from assessor.engine.questionnaire_index import Index
from assessor.engine.result import UnresolvedFact
from assessor.engine.scoring import Combined
from assessor.engine.visibility import View
from assessor.questionnaire.schema_base import holds_role

#: Regulated data that raises exposure; sectors whose failures reach the public.
EXPOSED_DATA = frozenset({"health", "payment_card"})
EXPOSED_SECTORS = frozenset({"finance", "healthcare", "public"})
NIS2_ENTITIES = frozenset({"essential", "important"})
#: The CRO's role code, and the reporting-line answer that names one.
CRO = "CRO"
CISO_REPORTS_TO = "ciso_reports_to"
CRO_LINE = "cro"
#: Below this many staff an organisation is small (the EU's bound for a small enterprise).
SMALL = 50
#: Exposure up to which a critical severity is read as high: a small organisation holding
#: no health or card data, in no exposed sector, is not held to a bank's standard.
LOW_EXPOSURE = 0


@dataclass(frozen=True, slots=True, eq=False)
class Facts:
    """What the scoring knows about the organisation."""

    #: Context answers, settled values in place of the respondents'.
    values: Mapping[str, Any]
    #: The values the respondents all agree on (see the module docstring).
    consensus: Mapping[str, Any]
    #: The consultant's settled values, applied to every respondent's answers for rules.
    settled: Mapping[str, Any]
    unresolved: tuple[UnresolvedFact, ...]
    disputed: frozenset[str]
    #: Ids of the structure rules that hold.
    held: frozenset[str]
    #: Regulations and frameworks that apply on the consensus, in file order.
    regulations: tuple[str, ...]
    #: Regulations that apply on some respondents' accounts only.
    unsettled: frozenset[str]
    #: Reference kinds of the regulations that apply.
    reference_kinds: frozenset[str]
    exposure: int
    #: A small organisation (fewer than 50 staff, as answered) with no exposure besides:
    #: its immaturity reads one step less severe.
    modest: bool
    #: The CIO's work is done by the CTO: a CTO answered and nobody answered as the CIO
    #: (the context question counts a CTO who leads IT as "a CIO"), or there is no CIO.
    cto_for_cio: bool = False
    #: Nothing says the organisation has a CRO or risk function (no respondent answers as
    #: one, the CISO does not report to one, nobody names one as an owner): the
    #: executives act for it, as the model's alternatives say ("CRO → EXEC").
    no_cro: bool = False


def check_settled(index: Index, settled: Mapping[str, Any]) -> dict[str, Any]:
    """The settled facts as canonical values: context questions, or any other a finding
    rests on (:func:`rested_on`).

    :raise ValueError: a question the questionnaire does not have, or a value it cannot take.
    """
    return _canonical(index, settled, "a settled fact")


def check_overlay(index: Index, overlay: Mapping[str, Any]) -> dict[str, Any]:
    """An answer overlay (any question) as canonical values.

    :raise ValueError: an unknown question, or a value it cannot take.
    """
    return _canonical(index, overlay, "an overlay")


def _canonical(index: Index, given: Mapping[str, Any], what: str) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for qid, raw in given.items():
        info = index.questions.get(qid)
        if info is None:
            raise ValueError(f"{what} must answer a question of the questionnaire: {qid!r}")
        value = info.normalise(raw)
        if value is INVALID:
            raise ValueError(f"{qid}: {raw!r} is not an answer to this question")
        checked[qid] = value
    return checked


def facts_of(
    index: Index, views: Sequence[View], combined: Combined, settled: Mapping[str, Any]
) -> Facts:
    """The organisation's facts from the respondents' context answers and the settled ones."""
    values: dict[str, Any] = {}
    consensus: dict[str, Any] = {}
    unresolved: list[tuple[Any, list[View]]] = []
    deciding = fact_questions(index)
    for info in index.context:
        qid = info.id
        if qid in settled:
            values[qid] = consensus[qid] = settled[qid]
            continue
        if qid not in combined.values:
            continue
        values[qid] = combined.values[qid]
        answering = combined.answering(qid)
        given = [view.answers[qid] for view in answering]
        if qid not in deciding or all(value == given[0] for value in given):
            consensus[qid] = values[qid]
            continue
        unresolved.append((info, answering))
        if info.kind == "multi":
            common = set(given[0]).intersection(*given[1:])
            consensus[qid] = tuple(v for v in given[0] if v in common)
    model = index.organisation
    regulations = regulations_holding(model, consensus)
    unsettled: set[str] = set()
    per_fact: list[tuple[str, ...]] = []
    for info, answering in unresolved:
        depends: set[str] = set()
        for view in answering:
            own = {**consensus, info.id: view.answers[info.id]}
            depends |= set(regulations_holding(model, own)) - set(regulations)
        unsettled |= depends
        per_fact.append(tuple(g.id for g in model.regulations if g.id in depends))
    shown = set(regulations)
    return Facts(
        values=values,
        consensus=consensus,
        settled=settled,
        unresolved=tuple(
            UnresolvedFact(
                info.id, info.text, answer_records(info, answering), regs, info.question.about
            )
            for (info, answering), regs in zip(unresolved, per_fact, strict=True)
        ),
        disputed=frozenset(info.id for info, _ in unresolved),
        held=frozenset(s.id for s in model.structure if s.when.holds(values)),
        regulations=regulations,
        unsettled=frozenset(unsettled),
        reference_kinds=frozenset(
            kind for g in model.regulations if g.id in shown for kind in g.reference_kinds
        ),
        exposure=exposure_of(values),
        modest=exposure_of(values) == 0 and isinstance(values.get("employees"), int | float),
        cto_for_cio=cto_for_cio(views),
        no_cro=no_cro(index, views),
    )


def rested_on(
    index: Index, combined: Combined, facts: Facts, dependent: Mapping[str, Sequence[str]]
) -> tuple[UnresolvedFact, ...]:
    """The questions outside the facts (an escalation path, whether security hears of
    decisions in time) that a finding rests on because the respondents answer them
    differently (``dependent``: the findings' ids to the questions they rest on, each
    saying "settle it first"), as unresolved
    facts in questionnaire order: the finding says "settle it first", so the consultant
    can settle them like any fact."""
    resting = {q for reads in dependent.values() for q in reads}
    known = facts.disputed | set(facts.settled)
    return tuple(
        UnresolvedFact(
            info.id,
            info.text,
            answer_records(info, combined.answering(info.id)),
            (),
            info.question.about,
        )
        for info in index.ordered
        if info.id in resting and info.id not in known
    )


def cto_for_cio(views: Sequence[View]) -> bool:
    """Whether a CTO answered and nobody answered as the CIO (a dual CIO/CISO is the CIO):
    the CIO's work is then the CTO's, and the findings name the CTO."""
    roles = [view.role for view in views]
    return any(holds_role(r, "CTO") for r in roles) and not any(holds_role(r, "CIO") for r in roles)


def no_cro(index: Index, views: Sequence[View]) -> bool:
    """Whether nothing the respondents say shows a CRO or risk function: nobody answers as
    the CRO, nobody says the CISO reports to one, nobody names one as an owner."""
    for view in views:
        if holds_role(view.role, CRO):
            return False
        answers = view.answers
        if answers.get(CISO_REPORTS_TO) == CRO_LINE:
            return False
        if any(answers.get(check.info.id) == CRO for check in index.owner_checks):
            return False
    return True


@lru_cache(maxsize=32)
def fact_questions(index: Index) -> frozenset[str]:
    """The context questions that are facts: those deciding which regulations apply, who
    may own what (alternatives' conditions) and which roles exist or are one person (the
    structure rules alternatives name, and those merging roles).  Other context questions
    (an escalation path, suppliers' access) describe how the organisation works: a
    disagreement on them is a perception gap, not an unresolved fact, unless a finding
    rests on it (:func:`rested_on`)."""
    model = index.organisation
    named = {a.structure for r in model.responsibilities.values() for a in r.alternatives}
    read: set[str] = set()
    for g in model.regulations:
        read.update(g.when.questions)
    for r in model.responsibilities.values():
        for a in r.alternatives:
            read.update(a.when.questions)
    for rule in model.structure:
        if rule.id in named or rule.same_person:
            read.update(rule.when.questions)
    return frozenset(read)


def regulations_holding(model: OrganisationModel, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The regulations whose condition holds (or that have none), less those yielding to
    another that holds, in file order."""
    holding = {g.id for g in model.regulations if g.when.holds(answers)}
    return tuple(
        g.id
        for g in model.regulations
        if g.id in holding and not any(other in holding for other in g.yields_to)
    )


def exposure_of(values: Mapping[str, Any]) -> int:
    """0-5: size, health or card data, an exposed sector, NIS2 status (module docstring)."""
    exposure = 0
    employees = values.get("employees")
    if isinstance(employees, int | float):
        exposure += (employees >= SMALL) + (employees > 250) + (employees >= 1000)
    data = values.get("regulated_data")
    if isinstance(data, tuple) and EXPOSED_DATA.intersection(data):
        exposure += 1
    if values.get("sector") in EXPOSED_SECTORS or values.get("nis2_entity") in NIS2_ENTITIES:
        exposure += 1
    return exposure
