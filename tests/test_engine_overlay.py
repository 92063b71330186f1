"""The answer overlay (issue 15 and 17, Decisions): settled facts and the what-if are one
mechanism, values given to the engine in place of the respondents' answers, never
written as answers.  The engine stays pure: the overlay is an argument of ``score``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assessor.engine import Result, score
from tests.scenarios import load_scenarios, parse


def _scenario(slug: str) -> Any:
    [found] = [s for s in load_scenarios() if s.slug == slug]
    return parse(found)


def _keys(result: Result) -> set[str]:
    return {f.key for f in result.findings}


def _bytes(result: Result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True, default=str)


def test_separating_the_roles_closes_the_dual_role_finding() -> None:
    questionnaire, respondents, _ = _scenario("dual-role-cio-ciso")
    before = score(questionnaire, respondents)
    after = score(questionnaire, respondents, overlay={"dual_role": "no"})
    assert "dual-role:structure" in _keys(before)
    assert "dual-role:structure" not in _keys(after)
    # the critical cap the dual role put on the headline is gone with it (what is left is
    # the high one of "no written breach plan", a structural finding of its own)
    assert before.cap is not None and before.cap.severity == "critical"
    assert after.cap is None or after.cap.severity == "high"


def test_a_ciso_reporting_to_the_board_closes_the_reporting_line_finding() -> None:
    questionnaire, respondents, _ = _scenario("hospital-ciso-under-cio")
    before = score(questionnaire, respondents)
    for line in ("board", "ceo"):
        after = score(questionnaire, respondents, overlay={"ciso_reports_to": line})
        assert _keys(before) - _keys(after) == {"reporting-line:structure"}
        assert _keys(after) <= _keys(before)


def test_the_overlay_leaves_what_people_said_as_they_said_it() -> None:
    """Each respondent's answers, scores and completeness, and the disagreements, stay;
    the answers given to the engine are not changed either."""
    questionnaire, respondents, _ = _scenario("retailer-cio-ciso-disagree")
    given = [dict(r.answers) for r in respondents]
    before = score(questionnaire, respondents)
    after = score(
        questionnaire,
        respondents,
        overlay={"ciso_reports_to": "board", "dat_dpo_designated": "designated"},
    )
    assert after.respondents == before.respondents
    assert after.perception == before.perception
    assert after.completeness == before.completeness
    assert [dict(r.answers) for r in respondents] == given


def test_an_overlaid_maturity_counts_in_the_score() -> None:
    questionnaire, respondents, _ = _scenario("startup-no-ciso")
    before = score(questionnaire, respondents)
    after = score(questionnaire, respondents, overlay={"sec_training_maturity": 4})
    assert after.practice > before.practice


def test_settled_facts_are_an_overlay_of_context_questions() -> None:
    questionnaire, respondents, _ = _scenario("retailer-cio-ciso-disagree")
    fact = {"regulated_data": ["eu_personal", "payment_card"]}
    settled = score(questionnaire, respondents, settled_facts=fact)
    overlaid = score(questionnaire, respondents, overlay=fact)
    assert _bytes(settled) == _bytes(overlaid)
    # and the overlay wins where both name a question
    both = score(
        questionnaire,
        respondents,
        settled_facts={"ciso_reports_to": "cio"},
        overlay={"ciso_reports_to": "board"},
    )
    assert _bytes(both) == _bytes(
        score(questionnaire, respondents, overlay={"ciso_reports_to": "board"})
    )


def test_a_question_nobody_was_shown_stays_out() -> None:
    """The start-up has no CISO: whom the CISO reports to was asked of nobody."""
    questionnaire, respondents, _ = _scenario("startup-no-ciso")
    before = score(questionnaire, respondents)
    after = score(questionnaire, respondents, overlay={"ciso_reports_to": "board"})
    assert _bytes(after) == _bytes(before)


def test_an_empty_overlay_changes_nothing() -> None:
    questionnaire, respondents, _ = _scenario("eu-bank-ciso-under-cro")
    assert _bytes(score(questionnaire, respondents, overlay={})) == _bytes(
        score(questionnaire, respondents)
    )


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        ({"no_such_question": "yes"}, "an overlay must answer a question of the questionnaire"),
        ({"dual_role": "perhaps"}, "dual_role: 'perhaps' is not an answer to this question"),
        (
            {"sec_training_maturity": 9},
            "sec_training_maturity: 9 is not an answer to this question",
        ),
    ],
)
def test_a_bad_overlay_is_refused(overlay: dict[str, Any], message: str) -> None:
    questionnaire, respondents, _ = _scenario("dual-role-cio-ciso")
    with pytest.raises(ValueError, match=message):
        score(questionnaire, respondents, overlay=overlay)
