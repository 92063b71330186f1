"""Properties of the engine over random valid answer sets for the shipped questionnaire."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.engine import Respondent, Result, score
from assessor.engine.wording import SEVERITY_RANK
from assessor.questionnaire import load_paths
from assessor.questionnaire.schema import RESPONDENT_ROLES, Question

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE = load_paths([str(ROOT / "questionnaires")])[0].get("cio-ciso-governance")
QUESTIONS = list(QUESTIONNAIRE.questions.values())
MATURITY = [q.id for q in QUESTIONS if q.kind == "maturity"]
NAMES = ["Ann Lee", "Bo Chen", "Cy Diaz"]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_of(question: Question) -> st.SearchStrategy[Any]:
    """Any valid (coerced) answer to ``question``."""
    kind = question.kind
    if kind == "maturity":
        return st.integers(0, 4)
    values = [option.value for option in question.all_options]
    if kind in ("owner", "choice", "yesno"):
        return st.sampled_from(values)
    if kind == "multi":
        # An exclusive option ("None of these") is ticked alone.
        exclusive = [o.value for o in question.all_options if o.exclusive]
        others = [value for value in values if value not in exclusive]
        alone = [st.just([value]) for value in exclusive]
        return st.one_of(st.lists(st.sampled_from(others), unique=True), *alone)
    if kind == "number":
        low = int(question.min if question.min is not None else 0)
        high = int(question.max if question.max is not None else 10**6)
        return st.integers(low, high)
    return st.text(st.characters(exclude_characters="\x00"), max_size=20)


#: Any set of valid answers: each question answered or not.
ANSWER_SETS = st.fixed_dictionaries({}, optional={q.id: value_of(q) for q in QUESTIONS})


@st.composite
def respondent_sets(draw: st.DrawFn, most: int = 3) -> list[Respondent]:
    count = draw(st.integers(1, most))
    return [
        Respondent(NAMES[n], draw(st.sampled_from(RESPONDENT_ROLES)), draw(ANSWER_SETS))
        for n in range(count)
    ]


def as_json(result: Result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True)


@SETTINGS
@given(respondent_sets())
def test_scoring_is_deterministic_in_range_and_explained(respondents: list[Respondent]) -> None:
    result = score(QUESTIONNAIRE, respondents)
    assert as_json(result) == as_json(score(QUESTIONNAIRE, list(respondents)))
    assert 0 <= result.overall <= 100
    assert 0 <= result.completeness <= 100
    for domain in result.domains:
        assert 0 <= domain.score <= 100
        assert 0 <= domain.completeness <= 100
        assert domain.maturity is None or 0 <= domain.maturity <= 4
        if len(respondents) < 2:
            assert domain.disagreement is None
        else:
            assert domain.disagreement is None or 0 <= domain.disagreement <= 1
    for summary in result.respondents:
        assert 0 <= summary.completeness <= 100
        assert summary.answered <= summary.shown
    keys = [(SEVERITY_RANK[f.severity], -f.weight, -f.exposure) for f in result.findings]
    assert keys == sorted(keys)
    assert len({f.id for f in result.findings}) == len(keys)
    assert len({f.key for f in result.findings}) == len(keys)
    grouped = result.roadmap.quick_wins + result.roadmap.next_90_days
    assert sorted(grouped + result.roadmap.next_12_months) == sorted(f.id for f in result.findings)

    # Each finding's evidence names only questions its respondents were shown and answered.
    hidden = {(i.respondent, i.question) for i in result.ignored}
    by_name = {r.name: r for r in respondents}
    for finding in result.findings:
        for answer in finding.evidence.answers:
            assert (answer.respondent, answer.question) not in hidden
            given_answer = by_name[answer.respondent].answers[answer.question]
            if isinstance(given_answer, list):
                assert sorted(answer.value) == sorted(given_answer)
            else:
                assert answer.value == given_answer
            assert answer.role == by_name[answer.respondent].role


@SETTINGS
@given(respondent_sets(), st.data())
def test_raising_a_maturity_answer_never_lowers_a_score(
    respondents: list[Respondent], data: st.DataObject
) -> None:
    who = data.draw(st.integers(0, len(respondents) - 1))
    qid = data.draw(st.sampled_from(MATURITY))
    low = data.draw(st.integers(0, 3))
    high = data.draw(st.integers(low + 1, 4))

    def with_level(level: int) -> Result:
        people = list(respondents)
        person = people[who]
        people[who] = Respondent(person.name, person.role, {**person.answers, qid: level})
        return score(QUESTIONNAIRE, people)

    before, after = with_level(low), with_level(high)
    domain = QUESTIONNAIRE.section_of[qid].id
    assert after.overall >= before.overall
    score_before = next(d.score for d in before.domains if d.id == domain)
    score_after = next(d.score for d in after.domains if d.id == domain)
    assert score_after >= score_before


@SETTINGS
@given(ANSWER_SETS, st.sampled_from(RESPONDENT_ROLES))
def test_two_identical_respondents_score_like_one(answers: dict[str, Any], role: str) -> None:
    """One respondent scores as two who gave the same answers (the combination of equal
    answers changes nothing)."""
    one = score(QUESTIONNAIRE, [Respondent("Ann Lee", role, answers)])
    two = score(
        QUESTIONNAIRE,
        [Respondent("Ann Lee", role, answers), Respondent("Bo Chen", role, dict(answers))],
    )
    assert one.overall == two.overall
    assert [(d.score, d.maturity, d.completeness) for d in one.domains] == [
        (d.score, d.maturity, d.completeness) for d in two.domains
    ]
    assert [(f.id, f.severity, f.title) for f in one.findings] == [
        (f.id, f.severity, f.title) for f in two.findings
    ]
    assert [r.status for r in one.raci] == [r.status for r in two.raci]
    assert two.perception.gaps == ()
    assert {d.disagreement for d in two.domains} <= {0.0, None}


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from(["CIO", "yes", "eu_personal", "3"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=5,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([q.id for q in QUESTIONS]) | st.text(max_size=8), JUNK, max_size=30
    ),
    st.text(max_size=10),
)
def test_stray_values_never_raise(answers: dict[str, Any], role: str) -> None:
    result = score(QUESTIONNAIRE, [Respondent("X", role, answers)])
    used = {a.question for f in result.findings for a in f.evidence.answers}
    ignored = {i.question for i in result.ignored}
    assert not used & {q for q in ignored if q not in QUESTIONNAIRE.questions}
    for finding in result.findings:
        for answer in finding.evidence.answers:
            value = answer.value
            assert not (isinstance(value, float) and math.isnan(value))
    json.dumps(result.to_dict(), sort_keys=True)
