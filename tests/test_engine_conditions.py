"""Conditions: the operator table, unanswered questions, multi answers, roles, witnesses."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from assessor.engine import conditions
from assessor.engine.conditions import OPERATORS, compile_condition, compile_conditions
from assessor.questionnaire.schema import COMPARE_OPS, Condition, Question

QUESTIONS = {
    q.id: q
    for q in (
        Question(id="size", kind="number", text="Size?", context=True),
        Question(
            id="data",
            kind="multi",
            text="Data?",
            context=True,
            options=[
                {"value": "eu", "label": "EU"},
                {"value": "health", "label": "Health"},
                {"value": "none", "label": "None"},
            ],
        ),
        Question(id="ciso", kind="yesno", text="CISO?", context=True),
        Question(
            id="tier",
            kind="choice",
            text="Tier?",
            context=True,
            options=[{"value": 1, "label": "One"}, {"value": 2, "label": "Two"}],
        ),
    )
}
CONDITION = TypeAdapter(Condition)


def check(condition: dict[str, Any], answers: dict[str, Any], role: str | None = None) -> bool:
    compiled = compile_condition(CONDITION.validate_python(condition), QUESTIONS)
    return compiled.test(answers, role)


def test_every_schema_operator_is_in_the_table() -> None:
    assert set(OPERATORS) == set(COMPARE_OPS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"q": "size", "eq": 5}, False),
        ({"q": "size", "ne": 5}, True),
        ({"q": "size", "in": [5, 6]}, False),
        ({"q": "size", "not_in": [5, 6]}, False),
        ({"q": "size", "gt": 1}, False),
        ({"q": "size", "gte": 1}, False),
        ({"q": "size", "lt": 1}, False),
        ({"q": "size", "lte": 1}, False),
        ({"q": "size", "answered": True}, False),
        ({"q": "size", "answered": False}, True),
    ],
)
def test_an_unanswered_question_makes_comparisons_false_except_ne_and_not_answered(
    condition: dict[str, Any], expected: bool
) -> None:
    assert check(condition, {}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"q": "size", "gt": 249}, True),
        ({"q": "size", "gte": 250}, True),
        ({"q": "size", "lt": 250}, False),
        ({"q": "size", "lte": 250}, True),
        ({"q": "size", "eq": 250}, True),
        ({"q": "size", "ne": 250}, False),
        ({"q": "size", "in": [100, 250]}, True),
        ({"q": "size", "not_in": [100, 250]}, False),
        ({"q": "size", "answered": True}, True),
        ({"q": "size", "answered": False}, False),
    ],
)
def test_numeric_comparisons(condition: dict[str, Any], expected: bool) -> None:
    assert check(condition, {"size": 250}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"q": "data", "eq": "eu"}, True),
        ({"q": "data", "eq": "none"}, False),
        ({"q": "data", "ne": "health"}, False),
        ({"q": "data", "in": ["health", "none"]}, True),
        ({"q": "data", "in": ["none"]}, False),
        ({"q": "data", "not_in": ["none"]}, True),
        ({"q": "data", "not_in": ["eu", "none"]}, False),
        ({"q": "data", "gt": 0}, False),
    ],
)
def test_multi_answers_test_membership_and_overlap(
    condition: dict[str, Any], expected: bool
) -> None:
    assert check(condition, {"data": ("eu", "health")}) is expected


def test_yaml_booleans_mean_yes_and_no_for_yesno_questions() -> None:
    assert check({"q": "ciso", "eq": True}, {"ciso": "yes"})
    assert check({"q": "ciso", "eq": False}, {"ciso": "no"})
    assert not check({"q": "ciso", "eq": True}, {"ciso": "unknown"})


def test_operands_are_matched_to_option_values() -> None:
    assert check({"q": "tier", "eq": "2"}, {"tier": 2})
    assert check({"q": "tier", "in": ["1"]}, {"tier": 1})


def test_text_answers_never_satisfy_numeric_comparisons() -> None:
    assert not check({"q": "ciso", "gt": 1}, {"ciso": "yes"})
    assert not check({"q": "ciso", "lte": 1}, {"ciso": "yes"})


OPERANDS: dict[str, Any] = {
    "eq": 2,
    "ne": 2,
    "in": [1, 2],
    "not_in": [1, 2],
    "gt": 1,
    "gte": 2,
    "lt": 2,
    "lte": 1,
    "answered": True,
}


@pytest.mark.parametrize("op", sorted(COMPARE_OPS))
@pytest.mark.parametrize("qid", ["size", "tier"])
@pytest.mark.parametrize("value", [None, 0, 1, 2, 3, 2.5])
def test_compiled_scalar_comparisons_agree_with_the_operator_table(
    op: str, qid: str, value: Any
) -> None:
    condition = {"q": qid, op: OPERANDS[op]}
    answers = {} if value is None else {qid: value}
    compiled = compile_condition(CONDITION.validate_python(condition), QUESTIONS)
    operand = OPERANDS[op]
    if op in ("in", "not_in"):
        operand = frozenset(operand)
    if value is None:
        expected = op == "ne"
    else:
        expected = OPERATORS[op](value, operand)
    assert compiled.test(answers, None) is expected


def test_combinators() -> None:
    answers = {"size": 300, "ciso": "no"}
    big = {"q": "size", "gte": 250}
    no_ciso = {"q": "ciso", "eq": "no"}
    assert check({"all": [big, no_ciso]}, answers)
    assert not check({"all": [big, {"not": no_ciso}]}, answers)
    assert check({"any": [{"q": "size", "lt": 10}, no_ciso]}, answers)
    assert not check({"any": [{"q": "size", "lt": 10}, {"q": "data", "answered": True}]}, answers)


def test_respondent_role_is_true_only_for_one_respondent_of_that_role() -> None:
    condition = {"all": [{"respondent_role": "CISO"}, {"q": "ciso", "eq": "yes"}]}
    assert check(condition, {"ciso": "yes"}, "CISO")
    assert not check(condition, {"ciso": "yes"}, "CIO")
    assert not check(condition, {"ciso": "yes"}, None)
    compiled = compile_condition(CONDITION.validate_python(condition), QUESTIONS)
    assert compiled.uses_role


def test_witness_names_the_answers_that_made_it_true() -> None:
    condition = CONDITION.validate_python(
        {
            "any": [
                {"q": "size", "lt": 10},
                {"all": [{"q": "ciso", "eq": "no"}, {"not": {"q": "data", "eq": "eu"}}]},
            ]
        }
    )
    compiled = compile_condition(condition, QUESTIONS)
    answers = {"size": 300, "ciso": "no", "data": ("health",)}
    assert compiled.test(answers, None)
    assert compiled.witness(answers, None) == ("ciso", "data")
    assert compiled.questions == ("size", "ciso", "data")
    assert not compiled.uses_role


def test_witness_leaves_out_unanswered_questions() -> None:
    compiled = compile_condition(CONDITION.validate_python({"q": "ciso", "ne": "yes"}), QUESTIONS)
    assert compiled.test({}, None)
    assert compiled.witness({}, None) == ()


@pytest.mark.parametrize("op", ["eq", "ne", "in", "not_in", "answered"])
@pytest.mark.parametrize("value", [None, (), ("eu",), ("health", "none")])
def test_compiled_multi_comparisons_agree_with_the_operator_table(op: str, value: Any) -> None:
    operands = {"eq": "eu", "ne": "eu", "in": ["eu", "none"], "not_in": ["eu", "none"]}
    operand: Any = operands.get(op, True)
    answers = {} if value is None else {"data": value}
    compiled = compile_condition(CONDITION.validate_python({"q": "data", op: operand}), QUESTIONS)
    if isinstance(operand, list):
        operand = frozenset(operand)
    expected = op == "ne" if value is None else OPERATORS[op](value, operand)
    assert compiled.test(answers, None) is expected


def test_deeply_nested_conditions_compile_and_agree_with_their_meaning() -> None:
    inner: dict[str, Any] = {"q": "size", "gte": 250}
    for depth in range(60):
        inner = {"not": inner} if depth % 3 == 0 else {"all": [inner, {"q": "size", "gt": 0}]}
    compiled = compile_condition(CONDITION.validate_python(inner), QUESTIONS)
    negations = sum(1 for depth in range(60) if depth % 3 == 0)
    for size, big in ((300, True), (100, False)):
        expected = big if negations % 2 == 0 else not big
        assert compiled.test({"size": size}, None) is expected


def test_an_operand_that_reads_like_python_is_only_ever_compared() -> None:
    hostile = "x') or __import__('os').system('true') or ('"
    condition = {"all": [{"q": "tier", "eq": hostile}, {"respondent_role": "CISO"}]}
    compiled = compile_condition(CONDITION.validate_python(condition), QUESTIONS)
    assert compiled.test({"tier": hostile}, "CISO") is True
    assert compiled.test({"tier": "1"}, "CISO") is False


def test_conditions_are_closures_not_generated_code() -> None:
    compiled = compile_condition(CONDITION.validate_python({"q": "size", "gte": 250}), QUESTIONS)
    # A closure over its operand; generated code would be compiled from a "<...>" file name.
    assert compiled.test.__code__.co_filename == conditions.__file__
    assert 250.0 in [cell.cell_contents for cell in compiled.test.__closure__ or ()]


def test_compile_conditions_tests_every_rule_in_order() -> None:
    parsed = [
        CONDITION.validate_python(c)
        for c in ({"q": "size", "gte": 250}, {"q": "ciso", "eq": "no"}, {"q": "size", "lt": 10})
    ]
    compiled, holding = compile_conditions(parsed, QUESTIONS)
    assert len(compiled) == 3
    assert holding({"size": 300, "ciso": "no"}, None) == [0, 1]
    assert holding({"size": 5}, None) == [2]
