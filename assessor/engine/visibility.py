"""Visibility: which questions one respondent was shown, and which answers count.

``show_if`` is evaluated on the respondent's own answers, with the respondent's role.
Conditional questions are decided dependencies first, so an answer to a hidden
question never decides whether another question is shown.  Answers to hidden
questions, to unknown questions, and values a question cannot take are left out and
reported as ignored (``hidden``, ``unknown``, ``invalid``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessor.engine.question_kinds import INVALID
from assessor.engine.questionnaire_index import Index, QuestionInfo, index_for
from assessor.engine.result import Answer, AnswerEvidence, Ignored, NamedOwner, Respondent
from assessor.questionnaire.schema import Questionnaire


@dataclass(slots=True, eq=False)
class View:
    """One respondent as the engine sees them (internal to one scoring)."""

    position: int
    name: str
    role: str
    #: Canonical answers to shown questions only, in questionnaire order.
    answers: dict[str, Any]
    hidden: frozenset[str]
    ignored: tuple[Ignored, ...]
    shown: int
    #: Required questions shown, and how many of those were answered ("Don't know" is
    #: not an answer).
    required: int
    required_answered: int
    #: Per domain slot: required questions shown, and answered.
    slot_required: tuple[int, ...]
    slot_answered: tuple[int, ...]
    #: Evidence records built so far in this scoring, by question id (shared by findings).
    evidence: dict[str, AnswerEvidence]
    #: The RACI record of each owner code this respondent named.
    owners: dict[str, NamedOwner]

    @property
    def completeness(self) -> int:
        return percent(self.required_answered, self.required)

    def answer_evidence(self, info: QuestionInfo) -> AnswerEvidence:
        """This respondent's answer to ``info`` as evidence (the question must be answered)."""
        record = self.evidence.get(info.id)
        if record is None:
            value = self.answers[info.id]
            label = info.label_of(value)
            record = AnswerEvidence(info.id, info.text, self.name, self.role, value, label)
            self.evidence[info.id] = record
        return record

    def named_owner(self, code: str) -> NamedOwner:
        record = self.owners.get(code)
        if record is None:
            record = self.owners[code] = NamedOwner(self.name, self.role, code)
        return record


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percentage, rounded down (100 only when complete)."""
    return 100 if whole == 0 else (100 * part) // whole


def view_of(index: Index, respondent: Respondent, position: int) -> View:
    """What ``respondent`` was shown and which of their answers count.

    Questions are visited after the questions their ``show_if`` reads, so an answer to a
    hidden question never decides whether another question is shown.
    """
    given = respondent.answers
    name = respondent.name
    role = respondent.role
    answers: dict[str, Any] = {}
    hidden: list[str] = []
    ignored: list[Ignored] = []
    required = index.required_total
    required_answered = 0
    slot_required = list(index.required_by_slot)
    slot_answered = [0] * len(slot_required)
    for info in index.visit_order:
        qid = info.id
        raw = given.get(qid)
        show_if = info.show_if
        if show_if is not None and not show_if(answers, role):
            hidden.append(qid)
            if info.required:
                required -= 1
                if info.slot >= 0:
                    slot_required[info.slot] -= 1
            if raw is not None:
                ignored.append(Ignored(name, qid, "hidden"))
            continue
        if raw is None:
            continue
        value = info.normalise(raw)
        if value is INVALID:
            ignored.append(Ignored(name, qid, "invalid"))
            continue
        answers[qid] = value
        if info.required and value != info.dont_know:  # "Don't know" is no answer
            required_answered += 1
            if info.slot >= 0:
                slot_answered[info.slot] += 1
    # Every given key is a question id unless the questionnaire does not know some.
    matched = len(given) if index.question_ids.issuperset(given) else 0
    return View(
        position=position,
        name=name,
        role=role,
        answers=answers,
        hidden=frozenset(hidden),
        ignored=_ignored(index, given, matched, ignored, name),
        shown=len(index.ordered) - len(hidden),
        required=required,
        required_answered=required_answered,
        slot_required=tuple(slot_required),
        slot_answered=tuple(slot_answered),
        evidence={},
        owners={},
    )


def answers_given(index: Index, respondent: Respondent, view: View) -> tuple[Answer, ...]:
    """Every answer or comment ``respondent`` gave to a question of the questionnaire, in
    its order, each with whether it was shown and its label; a value the question cannot
    take is kept as given, its label its text."""
    given = respondent.answers
    comments = respondent.comments
    kept = view.answers
    hidden = view.hidden
    made = view.evidence
    records: list[Answer] = []
    for info in index.ordered:
        qid = info.id
        raw = given.get(qid)
        comment = comments.get(qid, "") if comments else ""
        if raw is None:
            if comment:
                records.append(Answer(qid, qid not in hidden, None, "", comment))
            continue
        value = kept.get(qid, INVALID)
        if value is not INVALID:
            evidence = made.get(qid)
            label = evidence.label if evidence is not None else info.label_of(value)
        else:  # hidden, or not a value the question can take
            value = info.normalise(raw)
            if value is INVALID:
                value, label = raw, str(raw)
            else:
                label = info.label_of(value)
        records.append(Answer(qid, qid not in hidden, value, label, comment or ""))
    return tuple(records)


def _ignored(
    index: Index, given: Mapping[str, Any], matched: int, ignored: list[Ignored], name: str
) -> tuple[Ignored, ...]:
    """The ignored answers in questionnaire order, unknown questions last (by name)."""
    if matched < len(given):
        known = index.questions
        unknown = sorted(str(key) for key in given if key not in known)
        ignored.extend(Ignored(name, key, "unknown") for key in unknown)
    if len(ignored) > 1 and not index.visits_in_order:
        # Otherwise they are in questionnaire order already, unknown ones last by name.
        order = index.position
        ignored.sort(key=lambda item: (order.get(item.question, len(order)), item.question))
    return tuple(ignored)


def visible_questions(
    questionnaire: Questionnaire, answers: Mapping[str, Any], role: str
) -> frozenset[str]:
    """Ids of the questions shown to a respondent of ``role`` who gave ``answers``."""
    view = view_of(index_for(questionnaire), Respondent("", role, dict(answers)), 0)
    return frozenset(questionnaire.questions).difference(view.hidden)
