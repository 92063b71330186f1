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
* ``{respondent_role: CISO}`` is true only for one respondent's answers, of that role;
  for the combined answers of several respondents it is false.

Operands are normalised against the question at compile time (YAML's ``yes`` read as
``True`` becomes ``"yes"`` for a yes/no question; ``"2"`` becomes ``2`` for an option whose
value is the integer 2), so evaluation is plain comparisons.  Operators are looked up
in :data:`OPERATORS` by the names the schema allows; nothing is evaluated or dispatched
by name from the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessor.questionnaire.schema import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    NotOf,
    Question,
    RoleIs,
)

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
    #: A single comparison or role test (its witness is its question, when answered).
    flat: bool = False
    #: ``test`` as a Python expression in its writer's namespace (see :class:`_Writer`).
    expression: str = "False"


def compile_condition(condition: Condition, questions: Mapping[str, Question]) -> Compiled:
    """Compile ``condition`` against the questionnaire's questions (by id)."""
    return _compile(condition, questions, _Writer())


def compile_conditions(
    conditions: Sequence[Condition], questions: Mapping[str, Question]
) -> tuple[tuple[Compiled, ...], Callable[[Answers, str | None], list[int]]]:
    """Compile several conditions (a questionnaire's rules), and one function that tests
    them all at once and returns the positions of those that hold, in order."""
    writer = _Writer()
    compiled = tuple(_compile(condition, questions, writer) for condition in conditions)
    lines = ["def holding(answers, role):", "    held = []"]
    lines += [f"    if {part.expression}: held.append({n})" for n, part in enumerate(compiled)]
    lines.append("    return held")
    code = compile("\n".join(lines) + "\n", "<conditions>", "exec")
    exec(code, writer.namespace)  # noqa: S102 - generated, see _Writer
    holding: Callable[[Answers, str | None], list[int]] = writer.namespace["holding"]
    return compiled, holding


class _Writer:
    """The namespace a condition's generated test is evaluated in.

    A test is one Python expression over ``answers`` and ``role``, so evaluating a
    condition costs one call however many parts it has.  Nothing from the file is written
    into the source but question ids, as ``repr`` literals; operands, operators and
    nested tests are bound by generated names.
    """

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"__builtins__": {}, "_M": _MISSING}

    def const(self, value: Any) -> str:
        name = f"_c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def test(self, expression: str) -> Test:
        code = compile(f"lambda answers, role: {expression}", "<condition>", "eval")
        test: Test = eval(code, self.namespace)  # noqa: S307 - generated, see the class
        return test


#: Deeper conditions call their inner parts instead of inlining them, which keeps the
#: generated expressions within the parser's nesting limit.
_INLINE_DEPTH = 12


def _compile(
    condition: Condition, questions: Mapping[str, Question], writer: _Writer, depth: int = 0
) -> Compiled:
    if isinstance(condition, Compare):
        return _compile_compare(condition, questions.get(condition.q), writer)
    if isinstance(condition, RoleIs):
        return _compile_role(condition.respondent_role, writer)
    if depth >= _INLINE_DEPTH:
        inner = _compile(condition, questions, _Writer(), 0)
        call = f"{writer.const(inner.test)}(answers, role)"
        return Compiled(inner.test, inner.witness, inner.questions, inner.uses_role, False, call)
    if isinstance(condition, AllOf):
        parts = tuple(_compile(c, questions, writer, depth + 1) for c in condition.all)
        return _compile_all(parts, writer)
    if isinstance(condition, AnyOf):
        parts = tuple(_compile(c, questions, writer, depth + 1) for c in condition.any)
        return _compile_any(parts, writer)
    if isinstance(condition, NotOf):
        return _compile_not(_compile(condition.not_, questions, writer, depth + 1), writer)
    raise TypeError(f"not a condition: {type(condition).__name__}")


def _compile_compare(condition: Compare, question: Question | None, writer: _Writer) -> Compiled:
    op_name = condition.op
    operand = _normalise_operand(op_name, condition.operand, question)
    qid = condition.q
    kind = question.kind if question is not None else None
    fields = {"q": repr(qid), "c": writer.const(operand)}
    if kind in _NUMERIC_KINDS or (kind in _SCALAR_KINDS and op_name not in _ORDERING):
        expression = _SCALAR_EXPRESSIONS[op_name].format(**fields)
    elif kind == "multi" and op_name in _MULTI_EXPRESSIONS:
        expression = _MULTI_EXPRESSIONS[op_name].format(**fields)
    else:
        # Through the operator table: any answer, including multi answers.
        unanswered = op_name == "ne" or (op_name == "answered" and operand is False)
        expression = _GENERIC_EXPRESSION.format(
            u=unanswered, op=writer.const(OPERATORS[op_name]), **fields
        )

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        return (qid,) if qid in answers else ()

    return Compiled(writer.test(expression), witness, (qid,), False, True, expression)


# Comparisons on questions whose answer is one canonical scalar (never a list, never a
# bool) need no type checks, so they compile to plain comparisons.  They agree with
# OPERATORS on every such answer and on an unanswered question (tested).  ``_v`` holds
# the answer between its test for presence and its comparison.

_SCALAR_KINDS = frozenset({"owner", "maturity", "choice", "yesno", "number", "text"})
#: Kinds whose answers are always numbers, so ordering comparisons are plain.
_NUMERIC_KINDS = frozenset({"maturity", "number"})
_ORDERING = frozenset({"gt", "gte", "lt", "lte"})
_PRESENT = "((_v := answers.get({q}, _M)) is not _M and _v "
_SCALAR_EXPRESSIONS = {
    "eq": "answers.get({q}, _M) == {c}",
    "ne": "answers.get({q}, _M) != {c}",
    "in": "answers.get({q}, _M) in {c}",
    "not_in": _PRESENT + "not in {c})",
    "gt": _PRESENT + "> {c})",
    "gte": _PRESENT + ">= {c})",
    "lt": _PRESENT + "< {c})",
    "lte": _PRESENT + "<= {c})",
    "answered": "(({q} in answers) is {c})",
}
# A multi answer is a tuple of option values (possibly empty); ordering comparisons on
# it go through OPERATORS.
_MULTI_EXPRESSIONS = {
    "eq": "({c} in answers.get({q}, ()))",
    "ne": "({c} not in answers.get({q}, ()))",
    "in": "(not {c}.isdisjoint(answers.get({q}, ())))",
    "not_in": "((_v := answers.get({q})) is not None and {c}.isdisjoint(_v))",
    "answered": "(({q} in answers) is {c})",
}
_GENERIC_EXPRESSION = "({u} if (_v := answers.get({q}, _M)) is _M else {op}(_v, {c}))"


def _compile_role(wanted: str, writer: _Writer) -> Compiled:
    expression = f"(role == {writer.const(wanted)})"

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        return ()

    return Compiled(writer.test(expression), witness, (), True, True, expression)


def _compile_all(parts: tuple[Compiled, ...], writer: _Writer) -> Compiled:
    expression = "(" + " and ".join(p.expression for p in parts) + ")" if parts else "True"
    questions = _merge(parts)
    witness: Witness
    if all(p.flat for p in parts):
        # Comparisons and roles only: each part's witness is its question, when answered.
        witness = lambda answers, role: tuple([q for q in questions if q in answers])  # noqa: E731
    else:

        def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
            return _unique(q for p in parts for q in p.witness(answers, role))

    uses_role = any(p.uses_role for p in parts)
    return Compiled(writer.test(expression), witness, questions, uses_role, False, expression)


def _compile_any(parts: tuple[Compiled, ...], writer: _Writer) -> Compiled:
    expression = "(" + " or ".join(p.expression for p in parts) + ")" if parts else "False"

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        return _unique(q for p in parts if p.test(answers, role) for q in p.witness(answers, role))

    uses_role = any(p.uses_role for p in parts)
    return Compiled(writer.test(expression), witness, _merge(parts), uses_role, False, expression)


def _compile_not(part: Compiled, writer: _Writer) -> Compiled:
    questions = part.questions
    expression = f"(not {part.expression})"

    def witness(answers: Answers, role: str | None) -> tuple[str, ...]:
        # The inner condition was false: every answer it read contributed to that.
        return tuple(q for q in questions if q in answers)

    return Compiled(writer.test(expression), witness, questions, part.uses_role, False, expression)


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
    if question.kind == "yesno" and isinstance(value, bool):
        return "yes" if value else "no"
    if question.kind in ("maturity", "number"):
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return value
            return int(number) if number.is_integer() else number
        return value
    options = {str(option.value): option.value for option in question.all_options}
    key = str(value).lower() if isinstance(value, bool) else str(value)
    return options.get(key, value)
