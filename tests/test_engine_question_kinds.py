"""The question kinds registry: one object per kind, for parsing, scores, labels, gaps."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from assessor.engine.question_kinds import INVALID, KINDS, AnswerError, coerce_answer
from assessor.questionnaire.schema import Question, Responsibility
from assessor.questionnaire.schema import QuestionKind as KindName

NUMBER = Question(id="staff", kind="number", text="Staff?", context=True, min=0)
MULTI = Question(
    id="data",
    kind="multi",
    text="Data?",
    context=True,
    options=[{"value": "eu", "label": "EU personal data"}, {"value": "health", "label": "Health"}],
)
OWNER = Question(id="plan_owner", kind="owner", text="Who?", responsibility="DAT-7")
PLAN = Responsibility(id="DAT-7", domain="data", title="Breach plan", accountable="CISO")


def test_every_kind_the_schema_allows_is_in_the_registry_under_its_name() -> None:
    assert set(KINDS) == set(get_args(KindName))
    assert all(kind.name == name for name, kind in KINDS.items())


def test_a_number_is_labelled_once_with_thousands_separators() -> None:
    label = KINDS["number"].labeller(NUMBER, {})
    assert label(1200) == "1,200"
    assert label(1200.0) == "1,200"
    assert label(12.5) == "12.5"


def test_a_multi_answer_is_labelled_by_its_options_in_order() -> None:
    label = KINDS["multi"].labeller(MULTI, {"eu": "EU personal data", "health": "Health"})
    assert label(("eu", "health")) == "EU personal data, Health"
    assert label(()) == "(none)"


@pytest.mark.parametrize(
    ("question", "raw", "value"),
    [
        (NUMBER, " 1200 ", 1200),
        (MULTI, ["health", "eu"], ["eu", "health"]),
        (OWNER, "ciso", "CISO"),
    ],
)
def test_parse_gives_the_canonical_value(question: Question, raw: Any, value: Any) -> None:
    assert coerce_answer(question, raw) == value


def test_parse_refuses_with_a_message_that_says_why() -> None:
    with pytest.raises(AnswerError, match="'-3' is less than the minimum, 0"):
        coerce_answer(NUMBER, "-3")
    with pytest.raises(AnswerError, match="'eu' is listed twice"):
        coerce_answer(MULTI, ["eu", "eu"])


def test_the_engine_guard_turns_stray_values_into_invalid() -> None:
    owner = KINDS["owner"]
    normalise = owner.normaliser(OWNER, owner.table(OWNER, owner.scorer(OWNER, PLAN), str))
    assert normalise("CISO") == "CISO"
    assert normalise(True) is INVALID
    assert normalise(["CISO"]) is INVALID


def test_owner_scores_follow_the_model() -> None:
    score = KINDS["owner"].scorer(OWNER, PLAN)
    assert (score("CISO"), score("SHARED"), score("CIO"), score("NONE")) == (1.0, 0.5, 0.25, 0.0)


def test_perception_gaps_are_decided_by_the_kind() -> None:
    assert not KINDS["maturity"].differ([1, 2])
    assert KINDS["maturity"].differ([1, 3])
    assert not KINDS["yesno"].differ(["yes", "unknown"])
    assert KINDS["yesno"].differ(["yes", "no"])
    assert KINDS["owner"].differ(["CIO", "CISO"])
