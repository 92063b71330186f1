"""engine/visibility.py: what one respondent was shown, which answers count, and every
answer or comment they gave as the Result carries it."""

from __future__ import annotations

import json
from pathlib import Path

from assessor.engine import Respondent, visible_questions
from assessor.engine.questionnaire_index import index_for
from assessor.engine.visibility import answers_given, view_of
from assessor.questionnaire.schema import Questionnaire

MINI = Questionnaire.model_validate(
    json.loads((Path(__file__).parent / "answers" / "mini-questionnaire.json").read_text())
)


def test_a_question_is_hidden_by_its_show_if_and_its_answer_ignored() -> None:
    ann = Respondent("Ann", "CIO", {"has_ciso": "no", "ciso_reports_to": "cio"})
    view = view_of(index_for(MINI), ann, 0)
    assert {"ciso_reports_to", "board_line"} <= view.hidden
    assert "ciso_reports_to" not in view.answers
    assert [(i.question, i.reason) for i in view.ignored] == [("ciso_reports_to", "hidden")]
    assert visible_questions(MINI, ann.answers, "CIO") == frozenset(MINI.questions) - view.hidden


def test_hiding_cascades_whatever_order_the_answers_come_in() -> None:
    # board_line reads ciso_reports_to, which reads has_ciso: hidden too, as has_ciso is no.
    answers = {"board_line": "no", "ciso_reports_to": "cio", "has_ciso": "no"}
    view = view_of(index_for(MINI), Respondent("Ann", "CIO", answers), 0)
    assert "board_line" in view.hidden


def test_invalid_values_are_ignored_and_do_not_count_as_answered() -> None:
    index = index_for(MINI)
    view = view_of(index, Respondent("Ann", "CIO", {"sec_program": 9, "employees": True}), 0)
    assert view.answers == {}
    assert {(i.question, i.reason) for i in view.ignored} == {
        ("sec_program", "invalid"),
        ("employees", "invalid"),
    }
    assert view.required_answered == 0


def test_answers_given_keeps_hidden_and_invalid_answers_and_comments_in_order() -> None:
    index = index_for(MINI)
    ann = Respondent(
        "Ann",
        "CIO",
        {"sec_program": 9, "has_ciso": "no", "ciso_reports_to": "cio", "employees": 1200},
        {"notes": "Only a comment.", "employees": "About."},
    )
    given = answers_given(index, ann, view_of(index, ann, 0))
    order = list(MINI.questions)
    assert [a.question for a in given] == sorted(
        ("sec_program", "has_ciso", "ciso_reports_to", "employees", "notes"), key=order.index
    )
    by_id = {a.question: a for a in given}
    assert by_id["employees"][1:] == (True, 1200, "1,200", "About.")
    assert by_id["ciso_reports_to"][1:] == (False, "cio", "The CIO", "")
    assert by_id["sec_program"][1:] == (True, 9, "9", "")
    assert by_id["notes"][1:] == (True, None, "", "Only a comment.")
