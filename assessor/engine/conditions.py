"""Conditions: a table of operators, and a compiler from condition data to closures.

A condition (``show_if`` or a rule's ``when``) is compiled once per questionnaire into
a :class:`Compiled` pair of closures over ``(answers, role)``: ``answers`` maps question
ids to coerced answers (unanswered questions are absent), ``role`` is the respondent's
role when the answers are one respondent's, or None for the combined answers.

Semantics, chosen so that missing information never raises a finding by accident:

* An **unanswered** question makes every comparison false, except ``answered: false``
  and ``ne`` (``ne`` is exactly ``not eq``), which are true.
* Against a ``multi`` answer (a list), ``eq``/``ne`` test membership and
  ``in``/``not_in`` test overlap: ``{q: regulated_data, in: [health, payment_card]}``
  is true when either was ticked.
* ``gt``/``gte``/``lt``/``lte`` are true only for numeric answers (number, maturity).
* ``{respondent_role: CISO}`` is true only for one respondent's answers, of that role
  (a dual CIO/CISO respondent, ``CIO_CISO``, is of both roles);
  for the combined answers of several respondents it is false.

Operands are normalised against the question at compile time (YAML's ``yes`` read as
``True`` becomes ``"yes"`` for a yes/no question; ``"2"`` becomes ``2`` for an option whose
value is the integer 2), so evaluation is plain comparisons.  Each comparison is a closure
over its question id, its operand and its operator, looked up in :data:`OPERATORS` by the
names the schema allows; ``all``/``any``/``not`` are closures over their parts.  Nothing
from the file is evaluated, generated as code or dispatched by name.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessor.engine.question_kinds import KINDS
from assessor.questionnaire.schema import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    NotOf,
    Question,
    RoleIs,
)
from assessor.questionnaire.schema_base import RESPONDENT_ROLES, holds_role

Answers = Mapping[str, Any]
Test = Callable[[Answers, str | None], bool]
Witness = Callable[[Answers, str | None], tuple[str, ...]]
#: ``op(answer, operand) -> bool`` for an answered question.
Operator = Callable[[Any, Any], bool]

_MISSING = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _eq(answer: Any, operand: Any) -> bool:
    if isinstance(answer, tuple | list):
        return operand in answer
    return bool(answer == operand)


def _ne(answer: Any, operand: Any) -> bool:
    return not _eq(answer, operand)


def _in(answer: Any, operand: frozenset[Any]) -> bool:
    if isinstance(answer, tuple | list):
        return not operand.isdisjoint(answer)
    return answer in operand


def _not_in(answer: Any, operand: frozenset[Any]) -> bool:
    return not _in(answer, operand)


def _gt(answer: Any, operand: float) -> bool:
    return _is_number(answer) and answer > operand


def _gte(answer: Any, operand: float) -> bool:
    return _is_number(answer) and answer >= operand


def _lt(answer: Any, operand: float) -> bool:
    return _is_number(answer) and answer < operand


def _lte(answer: Any, operand: float) -> bool:
    return _is_number(answer) and answer <= operand


def _answered(answer: Any, operand: bool) -> bool:
    return operand


#: The comparison operators, by the names the questionnaire schema allows.
OPERATORS: dict[str, Operator] = {
    "eq": _eq,
    "ne": _ne,
    "in": _in,
    "not_in": _not_in,
    "gt": _gt,
    "gte": _gte,
    "lt": _lt,
    "lte": _lte,
    "answered": _answered,
}


#: The same operators for questions whose answer is always one plain value (never a list,
#: never a bool): a single-value kind, and for ordering a numeric kind.  They agree with
#: :data:`OPERATORS` on every such answer (tested), without its type checks.
SCALAR_OPERATORS: dict[str, Operator] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "in": lambda answer, operand: answer in operand,
    "not_in": lambda answer, operand: answer not in operand,
}
NUMERIC_OPERATORS: dict[str, Operator] = {
    **SCALAR_OPERATORS,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_SCALAR_KINDS = frozenset({"owner", "choice", "yesno", "text"})
_NUMERIC_KINDS = frozenset({"maturity", "number"})


def operator_for(op_name: str, kind: str | None) -> Operator:
    """The operator ``op_name`` for answers of ``kind`` (None: an unknown question)."""
    if kind in _NUMERIC_KINDS and op_name in NUMERIC_OPERATORS:
        return NUMERIC_OPERATORS[op_name]
    if kind in _SCALAR_KINDS and op_name in SCALAR_OPERATORS:
        return SCALAR_OPERATORS[op_name]
    return OPERATORS[op_name]


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled condition: ``test`` decides; ``witness`` names the answered questions that
    made a true condition true (called only when ``test`` is true, to build evidence)."""

    test: Test
    witness: Witness
    #: Every question the condition reads, in first-use order.
    questions: tuple[str, ...]
    #: Whether the condition reads the respondent's role (then it is evaluated per respondent).
    uses_role: bool
    #: A single comparison or role test: its witness is its question, when answered.
    flat: bool = False


def compile_condition(condition: Condition, questions: Mapping[str, Question]) -> Compiled:
    """Compile ``condition`` against the questionnaire's questions (by id) into closures."""
    if isinstance(condition, Compare):
        return _compile_compare(condition, questions.get(condition.q))
    if isinstance(condition, RoleIs):
        return _compile_role(condition.respondent_role)
    if isinstance(condition, AllOf):
        return _compile_all(tuple(compile_condition(c, questions) for c in condition.all))
    if isinstance(condition, AnyOf):
        return _compile_any(tuple(compile_condition(c, questions) for c in condition.any))
    if isinstance(condition, NotOf):
        return _compile_not(compile_condition(condition.not_, questions))
    raise TypeError(f"not a condition: {type(condition).__name__}")


def compile_conditions(
    conditions: Sequence[Condition], questions: Mapping[str, Question]
) -> tuple[tuple[Compiled, ...], Callable[[Answers, str | None], list[int]]]:
    """Compile several conditions (a questionnaire's rules), and a function that tests
    them all and returns the positions of those that hold, in order."""
    compiled = tuple(compile_condition(condition, questions) for condition in conditions)
    tests = tuple(enumerate(part.test for part in compiled))

    def holding(answers: Answers, role: str | None) -> list[int]:
        return [position for position, test in tests if test(answers, role)]

    return compiled, holding


def _compile_compare(condition: Compare, question: Question | None) -> Compiled:
    op_name = condition.op
    compare = operator_for(op_name, question.kind if question is not None else None)
    operand = _normalise_operand(op_name, condition.operand, question)
    qid = condition.q
    #: What the comparison says about an unanswered (or hidden) question.
    unanswered = op_name == "ne" or (op_name == "answered" and operand is False)
    missing = _MISSING

    def test(answers: Answers, role: str | None) -> bool:
        value = answers.get(qid, missing)
        return unanswered if value is missing else compare(value, operand)

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        return (qid,) if qid in answers else ()

    return Compiled(test, witness, (qid,), False, flat=True)


def _compile_role(wanted: str) -> Compiled:
    held = {role for role in RESPONDENT_ROLES if holds_role(role, wanted)}

    def test(answers: Answers, role: str | None) -> bool:
        return role in held

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        return ()

    return Compiled(test, witness, (), True, flat=True)


def _compile_all(parts: tuple[Compiled, ...]) -> Compiled:
    tests = tuple(p.test for p in parts)

    def test(answers: Answers, role: str | None) -> bool:
        for part in tests:
            if not part(answers, role):
                return False
        return True

    questions = _merge(parts)
    flat = all(p.flat for p in parts)

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        if flat:  # every part was true: each answered question it reads is a witness
            return tuple([q for q in questions if q in answers])
        return _unique(q for p in parts for q in p.witness(answers, role))

    return Compiled(test, witness, questions, any(p.uses_role for p in parts))


def _compile_any(parts: tuple[Compiled, ...]) -> Compiled:
    tests = tuple(p.test for p in parts)

    def test(answers: Answers, role: str | None) -> bool:
        for part in tests:
            if part(answers, role):
                return True
        return False

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        # Only the branches that hold explain why the condition holds.
        return _unique(q for p in parts if p.test(answers, role) for q in p.witness(answers, role))

    return Compiled(test, witness, _merge(parts), any(p.uses_role for p in parts))


def _compile_not(part: Compiled) -> Compiled:
    inner = part.test
    questions = part.questions

    def test(answers: Answers, role: str | None) -> bool:
        return not inner(answers, role)

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        # The inner condition was false: every answer it read contributed to that.
        return tuple(q for q in questions if q in answers)

    return Compiled(test, witness, questions, part.uses_role)


def _merge(parts: tuple[Compiled, ...]) -> tuple[str, ...]:
    return _unique(q for p in parts for q in p.questions)


def _unique(items: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _normalise_operand(op_name: str, operand: Any, question: Question | None) -> Any:
    if op_name == "answered":
        return bool(operand)
    if op_name in ("gt", "gte", "lt", "lte"):
        return float(operand)
    if op_name in ("in", "not_in"):
        return frozenset(_normalise_value(v, question) for v in operand)
    return _normalise_value(operand, question)


def _normalise_value(value: Any, question: Question | None) -> Any:
    """The answer value ``value`` stands for, in the question's own terms."""
    if question is None:
        return value
    return KINDS[question.kind].operand(question, value)
