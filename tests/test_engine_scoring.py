"""Visibility, scores (method 2), completeness and the combination, on a small
questionnaire."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assessor.engine import METHOD, Respondent, score
from assessor.engine.question_kinds import owner_scores
from assessor.engine.questionnaire_index import build_index, index_for
from assessor.questionnaire.schema import OWNER_CODES, ROLE_CODES, Questionnaire

MINI = Questionnaire.model_validate(
    json.loads((Path(__file__).parent / "answers" / "mini-questionnaire.json").read_text())
)

BEST: dict[str, Any] = {
    "employees": 300,
    "regulated_data": ("eu_personal",),
    "has_ciso": "yes",
    "ciso_reports_to": "ceo",
    "notes": "fine",
    "sec_program_owner": "CISO",
    "sec_program": 4,
    "sec_training_owner": "CISO",
    "sec_training": 4,
    "sec_phishing": "yes",
    "dat_breach_owner": "CISO",
    "dat_breach": 4,
    "inf_security_owner": "SHARED",
    "dat_review": "quarterly",
    "gov_line_owner": "EXEC",
}


def answers(**changes: Any) -> dict[str, Any]:
    result = dict(BEST)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def domain(result: Any, domain_id: str) -> Any:
    return next(d for d in result.domains if d.id == domain_id)


def test_best_answers_score_100_everywhere() -> None:
    result = score(MINI, [Respondent("Ann", "CISO", answers())])
    assert result.overall == 100
    assert [(d.id, d.score, d.maturity, d.distance) for d in result.domains] == [
        ("security", 100, 4.0, 0.0),
        ("data", 100, 4.0, 0.0),
        ("governance", 0, None, None),  # owner questions only: no practice to score
    ]
    # INF-2 is named SHARED, and the file cannot name a lead: not one clear owner.
    assert [d.clarity for d in result.domains] == [100, 50, 100]
    assert (result.clarity, result.provisional, result.range, result.cap) == (80, False, None, None)
    assert result.findings == ()
    assert result.completeness == 100
    assert result.method == METHOD


def test_the_context_section_is_not_a_domain() -> None:
    result = score(MINI, [Respondent("Ann", "CISO", answers())])
    assert "context" not in [d.id for d in result.domains]


def test_owner_alignment_scores() -> None:
    model = MINI.responsibilities
    # Edition 2's other roles (CTO, CRO, DPO ...) score as "anyone else" until the
    # scoring method knows acceptable alternatives (issue 14, part B).
    others = {code: 0.25 for code in ROLE_CODES if code not in OWNER_CODES}
    assert owner_scores(model["SEC-1"]) == {
        "CISO": 1.0,
        "CIO": 0.5,  # consulted
        "SHARED": 0.5,  # shared where one owner is wanted
        "EXEC": 0.25,
        "NONE": 0.0,
        **others,
    }
    assert owner_scores(model["INF-2"]) == {
        "SHARED": 1.0,
        "CIO": 0.5,
        "CISO": 0.5,
        "EXEC": 0.25,
        "NONE": 0.0,
        **others,
    }


def test_domain_score_is_the_weighted_mean_of_practice_answers_never_owners() -> None:
    # security: maturity (w2) 2/4, maturity (w1) 1/4; phishing hidden (training < 2); the
    # owners named (the CIO, nobody) score nothing: they are ownership clarity, 0 of 2.
    given = answers(
        sec_program_owner="CIO", sec_program=2, sec_training_owner="NONE", sec_training=1
    )
    result = score(MINI, [Respondent("Ann", "CISO", given)])
    security = domain(result, "security")
    expected = (2 * 0.5 + 0.25) / 3
    assert security.score == int(100 * expected)  # rounded down: 41
    assert security.clarity == 0
    named_well = score(MINI, [Respondent("Ann", "CISO", answers(sec_program=2, sec_training=1))])
    assert domain(named_well, "security").score == security.score
    assert domain(named_well, "security").clarity == 100
    assert security.maturity == round((2 * 2 + 1 * 1) / 3, 1)
    assert security.distance == round(3 - security.maturity, 1)
    assert result.ignored[0].question == "sec_phishing"
    assert result.ignored[0].reason == "hidden"


def test_overall_pools_the_domains_questions() -> None:
    given = answers(dat_breach_owner="NONE", dat_breach=0, dat_review="never")
    result = score(MINI, [Respondent("Ann", "CISO", given)])
    # practice only: security 2 + 1 + 1 (phishing) weight at 1.0; data 2 questions at 0.
    assert domain(result, "data").score == 0
    assert result.practice == int(100 * 4 / (4 + 2))
    # EU personal data without a breach plan: a critical regulatory finding caps it at 59.
    assert result.cap is not None and (result.cap.severity, result.cap.applied) == (
        "critical",
        True,
    )
    assert result.overall == 59


def test_unanswered_questions_lower_completeness_not_the_score() -> None:
    result = score(MINI, [Respondent("Ann", "CISO", answers(sec_training=None, dat_review=None))])
    assert domain(result, "security").score == 100
    assert domain(result, "data").score == 100
    # security: 4 required shown (phishing hidden once training is unanswered), 3 answered.
    assert domain(result, "security").completeness == 75
    assert domain(result, "data").completeness == 75
    summary = result.respondents[0]
    assert summary.answered == len(BEST) - 3  # two unanswered, phishing hidden
    assert summary.shown == len(MINI.questions) - 2  # phishing and board_line hidden
    assert 0 < summary.completeness < 100
    assert result.completeness == summary.completeness


def test_a_domain_with_no_answers_scores_zero_with_zero_completeness() -> None:
    result = score(MINI, [Respondent("Ann", "CISO", answers(gov_line_owner=None))])
    governance = domain(result, "governance")
    assert (governance.score, governance.completeness, governance.maturity) == (0, 0, None)


def test_targets_change_the_distance_and_the_findings() -> None:
    given = answers(dat_breach=3)
    assert score(MINI, [Respondent("Ann", "CISO", given)]).findings == ()
    result = score(MINI, [Respondent("Ann", "CISO", given)], {"data": 4})
    data = domain(result, "data")
    assert (data.target, data.maturity, data.distance) == (4, 3.0, 1.0)
    assert [f.id for f in result.findings] == ["immature:DAT-7"]


@pytest.mark.parametrize("targets", [{"nope": 3}, {"data": 5}, {"data": -1}, {"data": True}])
def test_bad_targets_raise_value_error(targets: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        score(MINI, [Respondent("Ann", "CISO", answers())], targets)


def test_hidden_questions_cascade_and_are_listed_as_ignored() -> None:
    given = answers(has_ciso="no", ciso_reports_to="cio", board_line="no")
    result = score(MINI, [Respondent("Ann", "CIO", given)])
    assert [(i.question, i.reason) for i in result.ignored] == [
        ("ciso_reports_to", "hidden"),
        ("board_line", "hidden"),
    ]
    assert "rule:ciso_under_cio" not in [f.id for f in result.findings]


def test_unknown_questions_and_invalid_values_are_ignored_not_raised() -> None:
    given = answers(sec_program="high", dat_breach=True, sec_training_owner=["CISO"])
    given["zz_unknown"] = 1
    result = score(MINI, [Respondent("Ann", "CISO", given)])
    assert [(i.question, i.reason) for i in result.ignored] == [
        ("sec_program", "invalid"),
        ("sec_training_owner", "invalid"),
        ("dat_breach", "invalid"),
        ("zz_unknown", "unknown"),
    ]


def test_two_respondents_combine_on_the_lower_answer() -> None:
    ann = Respondent("Ann", "CIO", answers(sec_program=4, dat_breach=1))
    bo = Respondent("Bo", "CISO", answers(sec_program=1, dat_breach=4))
    result = score(MINI, [ann, bo])
    assert domain(result, "security").maturity == round((2 * 1 + 4) / 3, 1)
    assert domain(result, "data").maturity == 1.0
    assert result.method.combination == "median_low"
    assert "lower of two" in result.method.description


def test_three_respondents_combine_on_the_median_low_so_one_outlier_cannot_move_it() -> None:
    ann = Respondent("Ann", "CIO", answers(sec_program=4, dat_breach=3))
    bo = Respondent("Bo", "CISO", answers(sec_program=3, dat_breach=3))
    cy = Respondent("Cy", "CEO", answers(sec_program=0, dat_breach=4))
    result = score(MINI, [ann, bo, cy])
    assert domain(result, "security").maturity == round((2 * 3 + 4) / 3, 1)
    assert domain(result, "data").maturity == 3.0
    # Each respondent's own scores, beside the combined ones.
    own = [r.scores.domains[1].score for r in result.respondents]
    assert own == [int(100 * (0.75 + 1) / 2), int(100 * (0.75 + 1) / 2), 100]


def test_dont_know_is_no_answer_in_the_combination_and_the_scores() -> None:
    ann = Respondent("Ann", "CIO", answers(sec_phishing="yes"))
    bo = Respondent("Bo", "CISO", answers(sec_phishing="unknown"))
    both = score(MINI, [ann, bo])
    assert domain(both, "security").score == 100
    alone = score(MINI, [Respondent("Bo", "CISO", answers(sec_phishing="unknown"))])
    blank = score(MINI, [Respondent("Bo", "CISO", answers(sec_phishing=None))])
    assert alone.domains == blank.domains
    assert (alone.overall, alone.completeness) == (blank.overall, blank.completeness) == (100, 92)


def test_unscored_multi_answers_are_combined_as_a_union() -> None:
    ann = Respondent("Ann", "CIO", answers(regulated_data=("none",), dat_breach=1))
    bo = Respondent("Bo", "CISO", answers(regulated_data=("eu_personal",), dat_breach=4))
    result = score(MINI, [ann, bo])
    finding = result.finding("DAT-7:practice")
    assert finding is not None
    # Neither respondent alone satisfies the rule: Ann has no EU data, Bo a level-4 plan.
    # The evidence shows the answers the union was made of, with the breach plan's levels
    # (the lowest counts for the practice, which leads the finding).
    assert [(a.respondent, a.question) for a in finding.evidence.answers] == [
        ("Ann", "dat_breach"),
        ("Bo", "dat_breach"),
        ("Ann", "regulated_data"),
        ("Bo", "regulated_data"),
    ]
    # Only the combined answers fire the rule, and only on Ann's side of the disputed
    # level: it says so and stays at medium until settled.
    rule = {part.id: part.severity for part in finding.parts}
    assert rule["rule:eu_breach_plan"] == "medium"


def test_no_respondents_gives_an_empty_result() -> None:
    result = score(MINI, [])
    assert (result.overall, result.completeness, result.findings) == (0, 0, ())
    assert result.provisional


def test_the_index_is_built_once_per_questionnaire() -> None:
    assert index_for(MINI) is index_for(MINI)
    copy = Questionnaire.model_validate(MINI.model_dump(by_alias=True))
    assert index_for(copy) is not index_for(MINI)
    hashed = MINI.model_copy(update={"hash": "abc"})
    assert index_for(hashed) is index_for(hashed.model_copy())
    assert build_index(MINI).position["employees"] == 0


def test_answer_key_order_does_not_change_the_json() -> None:
    given = answers(sec_program_owner="CIO", dat_breach=1)
    backwards = dict(reversed(list(given.items())))
    one = score(MINI, [Respondent("Ann", "CIO", given)]).to_dict()
    two = score(MINI, [Respondent("Ann", "CIO", backwards)]).to_dict()
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)


def test_the_result_says_what_each_respondent_was_shown_and_labels_each_answer_once() -> None:
    given = answers(has_ciso="no", ciso_reports_to="cio", employees=1200)
    result = score(MINI, [Respondent("Ann", "CIO", given, {"employees": "Roughly."})])
    ann = result.to_dict()["respondents"][0]
    assert "ciso_reports_to" in ann["hidden"]
    by_question = {a["question"]: a for a in ann["answers"]}
    assert by_question["employees"] == {
        "question": "employees",
        "shown": True,
        "value": 1200,
        "label": "1,200",
        "comment": "Roughly.",
    }
    assert by_question["ciso_reports_to"]["shown"] is False
    assert by_question["ciso_reports_to"]["label"] == "The CIO"
    numbers = [f["number"] for f in result.to_dict()["findings"]]
    assert numbers == list(range(1, len(result.findings) + 1))
