"""The responsibility model's edition 2, compiled: typed records of the roles, the
acceptable alternatives, the structure rules and the regulations, their conditions
compiled once per questionnaire (kept in its :class:`~.questionnaire_index.Index`).

:mod:`.organisation_fit` reads them to judge an owner named for a responsibility, and to
tell which regulations apply; an edition 1 questionnaire compiles to empty records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessor.engine.conditions import Test, compile_condition
from assessor.engine.wording import topic_of
from assessor.questionnaire.references import parse_reference
from assessor.questionnaire.schema import Condition, Question, Questionnaire

Answers = Mapping[str, Any]


@dataclass(frozen=True, slots=True, eq=False)
class Fact:
    """A condition over the context answers, compiled; ``always`` when there is none."""

    questions: tuple[str, ...]
    #: ``(answers, role) -> bool``; the role is always None: these are facts.
    holds_for: Test

    def holds(self, answers: Answers) -> bool:
        return bool(self.holds_for(answers, None))


def _always(answers: Answers, role: str | None) -> bool:
    return True


ALWAYS = Fact((), _always)


def fact(condition: Condition | None, questions: Mapping[str, Question]) -> Fact:
    if condition is None:
        return ALWAYS
    compiled = compile_condition(condition, questions)
    return Fact(compiled.questions, compiled.test)


@dataclass(frozen=True, slots=True)
class AlternativeOwner:
    """A role that is an acceptable owner of a responsibility when its fact holds and,
    if it names one, its structure rule holds."""

    role: str
    when: Fact
    structure: str | None
    note: str


@dataclass(frozen=True, slots=True)
class ModelResponsibility:
    id: str
    title: str
    accountable: str
    consulted: tuple[str, ...]
    alternatives: tuple[AlternativeOwner, ...]
    #: Reference text -> its kind (``iso_clause``, ``gdpr_article`` ...).
    references: tuple[tuple[str, str], ...]
    #: The responsibility named inside a sentence: its topic ("fraud prevention"), else
    #: its title in quotes (:func:`topic_of`).
    topic: str = ""


@dataclass(frozen=True, slots=True)
class StructureFact:
    id: str
    title: str
    when: Fact
    #: While it holds, these roles are one person.
    same_person: frozenset[str]
    recommendation: str


@dataclass(frozen=True, slots=True)
class RegulationFact:
    id: str
    title: str
    when: Fact
    yields_to: tuple[str, ...]
    reference_kinds: frozenset[str]


@dataclass(frozen=True, slots=True)
class OrganisationModel:
    """Everything edition 2 of the model says about fitting an organisation."""

    roles: Mapping[str, str]  # code -> label
    responsibilities: Mapping[str, ModelResponsibility]
    structure: tuple[StructureFact, ...]
    regulations: tuple[RegulationFact, ...]
    #: Reference kinds some regulation claims; references of any other kind always show.
    claimed_kinds: frozenset[str]


def _kind(text: str) -> str:
    """The kind of a reference; ``text`` for a free-form edition 1 reference."""
    try:
        return parse_reference(text).kind
    except ValueError:
        return "text"


def compile_model(q: Questionnaire) -> OrganisationModel:
    """The typed, compiled records of ``q``'s model (empty lists for edition 1)."""
    questions = q.questions
    responsibilities = {
        r.id: ModelResponsibility(
            id=r.id,
            title=r.title,
            accountable=r.accountable,
            consulted=r.consulted,
            alternatives=tuple(
                AlternativeOwner(a.role, fact(a.when, questions), a.structure, a.note)
                for a in r.alternatives
            ),
            references=tuple((text, _kind(text)) for text in r.references),
            topic=topic_of(r),
        )
        for r in q.model
    }
    regulations = tuple(
        RegulationFact(
            g.id, g.title, fact(g.when, questions), g.yields_to, frozenset(g.reference_kinds)
        )
        for g in q.regulations
    )
    return OrganisationModel(
        roles=q.role_labels,
        responsibilities=responsibilities,
        structure=tuple(
            StructureFact(
                s.id, s.title, fact(s.when, questions), frozenset(s.same_person), s.recommendation
            )
            for s in q.structure
        ),
        regulations=regulations,
        claimed_kinds=frozenset(kind for g in regulations for kind in g.reference_kinds),
    )
