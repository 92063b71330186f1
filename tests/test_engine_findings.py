"""Findings on a small questionnaire: generic checks, rules, perception, RACI, roadmap."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assessor.engine import Respondent, Result, score
from assessor.engine.wording import SEVERITY_RANK
from assessor.questionnaire.schema import Questionnaire

MINI = Questionnaire.model_validate(
    json.loads((Path(__file__).parent / "answers" / "mini-questionnaire.json").read_text())
)

BEST: dict[str, Any] = {
    "employees": 300,
    "regulated_data": ("eu_personal",),
    "has_ciso": "yes",
    "ciso_reports_to": "ceo",
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


def one(role: str = "CISO", name: str = "Ann Lee", **changes: Any) -> Respondent:
    return Respondent(name, role, {**BEST, **changes})


def ids(result: Result) -> list[str]:
    return [f.id for f in result.findings]


def get(result: Result, finding_id: str) -> Any:
    finding = result.finding(finding_id)
    assert finding is not None, f"{finding_id} not in {ids(result)}"
    return finding


def test_nobody_named_is_orphaned_and_the_executive_acts() -> None:
    result = score(MINI, [one(dat_breach_owner="NONE")])
    finding = get(result, "orphaned:DAT-7")
    assert finding.kind == "orphaned"
    assert finding.severity == "high"
    assert finding.act == "EXEC"
    assert finding.effort == "quick win"
    assert finding.title == (
        "Nobody is accountable for \u201cThere is a plan for what to do if data is breached\u201d"
    )
    assert "the CISO" in finding.recommendation
    assert finding.references == ("GDPR Art. 33",)
    assert finding.evidence.check == "generic:orphaned"
    assert [
        (a.question, a.value, a.label, a.respondent, a.role) for a in finding.evidence.answers
    ] == [("dat_breach_owner", "NONE", "Nobody / unclear", "Ann Lee", "CISO")]
    assert ids(result) == ["orphaned:DAT-7"]


def test_the_wrong_owner_is_misplaced_and_the_model_owner_acts() -> None:
    result = score(MINI, [one(sec_training_owner="CIO")])
    finding = get(result, "misplaced:SEC-3")
    assert (finding.severity, finding.act, finding.domain) == ("medium", "CISO", "security")
    assert finding.title.startswith("The CIO holds \u201cEmployees")
    assert finding.title.endswith("where the CISO should be accountable")


def test_a_heavy_question_raises_the_severity_one_step() -> None:
    assert get(score(MINI, [one(sec_program_owner="CIO")]), "misplaced:SEC-1").severity == "high"
    assert get(score(MINI, [one(sec_training_owner="CIO")]), "misplaced:SEC-3").severity == "medium"


def test_shared_where_one_owner_is_wanted_is_ambiguous() -> None:
    finding = get(score(MINI, [one(dat_breach_owner="SHARED")]), "ambiguous:DAT-7")
    assert (finding.severity, finding.act) == ("medium", "EXEC")
    # INF-2 is a shared responsibility: SHARED is aligned there.
    assert score(MINI, [one(inf_security_owner="SHARED")]).findings == ()


def test_respondents_naming_different_owners_is_ambiguous_and_a_perception_gap() -> None:
    result = score(MINI, [one("CIO", "Ann Lee"), one("CISO", "Bo Chen", dat_breach_owner="CIO")])
    # One root cause: the disputed owner and its perception gap are one finding.
    finding = get(result, "ambiguous:DAT-7")
    assert finding.severity == "medium" and finding.act == "EXEC"
    assert finding.key == "DAT-7:ownership"
    assert [p.id for p in finding.parts] == ["ambiguous:DAT-7"]
    assert [a.label for a in finding.evidence.answers] == ["The CISO", "The CIO"]
    assert [a.respondent for a in finding.evidence.answers] == ["Ann Lee", "Bo Chen"]
    assert "misplaced:DAT-7" not in ids(result)
    (gap,) = result.perception.gaps
    assert [a.label for a in gap.answers] == ["The CISO", "The CIO"]
    row = next(r for r in result.raci if r.responsibility == "DAT-7")
    assert row.status == "ambiguous"
    assert [(n.respondent, n.owner) for n in row.named] == [("Ann Lee", "CISO"), ("Bo Chen", "CIO")]


def test_a_disagreement_where_one_says_nobody_is_high() -> None:
    result = score(MINI, [one("CIO", "Ann"), one("CISO", "Bo", dat_breach_owner="NONE")])
    assert get(result, "ambiguous:DAT-7").severity == "high"
    assert "orphaned:DAT-7" not in ids(result)


@pytest.mark.parametrize(
    ("qid", "level", "severity", "effort"),
    [
        ("dat_breach", 2, "medium", "project"),
        ("dat_breach", 1, "high", "project"),
        ("dat_breach", 0, "critical", "programme"),
        ("sec_program", 2, "high", "project"),  # weight 2: one step up
        ("sec_program", 1, "critical", "project"),
        ("sec_program", 3, None, None),
    ],
)
def test_immature_severity_grows_with_distance_and_weight(
    qid: str, level: int, severity: str | None, effort: str | None
) -> None:
    result = score(MINI, [one(**{qid: level})])
    found = [p for f in result.findings for p in f.parts if p.kind == "immature"]
    if severity is None:
        assert found == []
        return
    (part,) = found
    finding = get(result, part.id)
    assert part.severity == severity
    if finding.id == part.id:
        assert (finding.effort, finding.act) == (effort, "CISO")
        assert f"is at level {level} (" in finding.title
        assert finding.recommendation.startswith("The CISO should raise \u201c")
        assert "Next step, level" in finding.recommendation


def test_a_role_rule_is_evaluated_per_respondent() -> None:
    cio = one("CIO", "Ann", sec_training=1)
    ciso = one("CISO", "Bo", sec_training=1)
    assert "rule:ciso_unsure_training" not in ids(score(MINI, [cio]))
    finding = get(score(MINI, [cio, ciso]), "rule:ciso_unsure_training")
    # Merged with the immaturity it is about, which both respondents' answers show.
    part = next(p for p in finding.parts if p.id == "rule:ciso_unsure_training")
    assert part.check == "rule:ciso_unsure_training"
    assert finding.key == "SEC-3:practice"
    assert {(a.respondent, a.question) for a in finding.evidence.answers} == {
        ("Ann", "sec_training"),
        ("Bo", "sec_training"),
    }


def test_a_rule_fires_once_with_every_respondent_that_triggers_it_as_evidence() -> None:
    ann = one("CIO", "Ann", ciso_reports_to="cio", board_line="no")
    bo = one("CISO", "Bo", ciso_reports_to="cio", board_line="no")
    result = score(MINI, [ann, bo], organization="Acme")
    finding = get(result, "rule:ciso_under_cio")
    assert ids(result).count("rule:ciso_under_cio") == 1
    assert [(a.question, a.respondent) for a in finding.evidence.answers] == [
        ("ciso_reports_to", "Ann"),
        ("ciso_reports_to", "Bo"),
        ("board_line", "Ann"),
        ("board_line", "Bo"),
    ]
    assert finding.title == "The CISO reports to The CIO with no line to the board"
    assert finding.recommendation == "Give the CISO of Acme a direct line to the board."
    assert (finding.kind, finding.severity, finding.domain, finding.weight) == (
        "structural",
        "high",
        "governance",
        3.0,
    )


def test_a_rule_fires_when_one_respondent_satisfies_it() -> None:
    ann = one("CIO", "Ann", ciso_reports_to="cio", board_line="no")
    bo = one("CISO", "Bo")
    finding = get(score(MINI, [ann, bo]), "rule:ciso_under_cio")
    # Ann's answers fired it; Bo's answers to the same questions are beside them (the
    # other side of the story), question by question.
    said = {(a.respondent, a.question): a.value for a in finding.evidence.answers}
    assert said[("Ann", "ciso_reports_to")] == "cio" and said[("Ann", "board_line")] == "no"
    assert said[("Bo", "ciso_reports_to")] != "cio"  # (the board line was not asked of Bo)
    assert ("Bo", "board_line") not in said


def test_placeholders_use_the_triggering_answers_and_default_organisation() -> None:
    result = score(MINI, [one("CIO", "Ann", ciso_reports_to="cio", board_line="no", dat_breach=2)])
    assert get(result, "rule:ciso_under_cio").recommendation == (
        "Give the CISO of the organisation a direct line to the board."
    )
    assert get(result, "rule:eu_breach_plan").recommendation.endswith(
        "Ann rated the plan Defined: A written plan."
    )


def test_a_ne_rule_on_an_unanswered_question_fires_without_evidence() -> None:
    result = score(MINI, [one(has_ciso=None, ciso_reports_to=None)])
    finding = get(result, "rule:no_ciso")
    assert finding.evidence.answers == ()
    assert finding.domain is None and finding.responsibility is None


def test_perception_thresholds() -> None:
    ann = one("CIO", "Ann", sec_program=3, sec_training=4, sec_phishing="yes", has_ciso="yes")
    bo = one("CISO", "Bo", sec_program=2, sec_training=1, sec_phishing="unknown", has_ciso="yes")
    result = score(MINI, [ann, bo])
    gaps = [g.question for g in result.perception.gaps]
    assert "sec_program" not in gaps  # one level apart
    assert "sec_training" in gaps  # three levels apart
    assert "sec_phishing" not in gaps  # yes vs don't know
    assert get(result, "perception:sec_training").severity == "high"
    security = next(d for d in result.perception.domains if d.id == "security")
    # Compared: two owners, two maturities; phishing hidden for Bo (training 1).
    assert security.disagreement == 0.25
    assert next(d for d in result.domains if d.id == "security").disagreement == 0.25


def test_yes_against_no_is_a_perception_gap() -> None:
    ann = one("CIO", "Ann", sec_phishing="yes")
    bo = one("CISO", "Bo", sec_phishing="no")
    gap = get(score(MINI, [ann, bo]), "perception:sec_phishing")
    assert "CIO (Ann) says yes; CISO (Bo) says no." in gap.recommendation


def test_disagreement_is_none_with_one_respondent() -> None:
    result = score(MINI, [one()])
    assert {d.disagreement for d in result.domains} == {None}
    assert result.perception.gaps == ()


def test_findings_are_ordered_by_severity_weight_exposure_then_questionnaire_order() -> None:
    worst = {key: value for key, value in BEST.items()}
    worst.update(
        sec_program_owner="NONE",
        sec_program=0,
        sec_training_owner="EXEC",
        sec_training=0,
        dat_breach_owner="NONE",
        dat_breach=0,
        dat_review="never",
        gov_line_owner="NONE",
        ciso_reports_to="cio",
        board_line="no",
    )
    result = score(MINI, [Respondent("Ann", "CIO", worst)])
    keys = [(SEVERITY_RANK[f.severity], -f.weight, -f.exposure) for f in result.findings]
    assert keys == sorted(keys)
    # Two criticals of the same weight: the one where a regulation is at stake first.
    assert [f.key for f in result.findings[:2]] == ["DAT-7:practice", "SEC-1:practice"]
    assert result.findings[0].exposure == result.findings[1].exposure + 1
    # Never by id: ties keep the questionnaire's order of responsibilities.
    order = {r.responsibility: n for n, r in enumerate(result.raci)}
    for before, after in zip(result.findings, result.findings[1:], strict=False):
        if keys[result.findings.index(before)] == keys[result.findings.index(after)]:
            if before.responsibility and after.responsibility:
                assert order[before.responsibility] <= order[after.responsibility]


def test_roadmap_groups() -> None:
    result = score(
        MINI,
        [one(dat_breach_owner="NONE", sec_training=2, sec_program_owner="CIO", dat_breach=1)],
    )
    # The breach plan's orphaned owner, immaturity and regulation are one finding.
    assert result.roadmap.quick_wins == ("misplaced:SEC-1",)
    assert result.roadmap.next_90_days == ("rule:eu_breach_plan",)
    assert get(result, "orphaned:DAT-7") is get(result, "immature:DAT-7")
    assert result.roadmap.next_12_months == ("immature:SEC-3",)
    # A low-severity quick win (here from a rule) waits for the 12-month group.
    low = score(MINI, [one(gov_line_owner="CISO")])
    # The CISO's claim and the misplaced owner are one finding about GOV-2.
    assert get(low, "rule:ciso_sets_own_line") is get(low, "misplaced:GOV-2")
    assert low.roadmap.quick_wins == ("misplaced:GOV-2",)


def test_raci_statuses() -> None:
    result = score(
        MINI,
        [one(sec_program_owner="CIO", dat_breach_owner="NONE", gov_line_owner=None)],
    )
    status = {row.responsibility: row.status for row in result.raci}
    assert status == {
        "SEC-1": "misplaced",
        "SEC-3": "aligned",
        "DAT-7": "orphaned",
        "INF-2": "aligned",
        "GOV-2": "unanswered",
    }
    row = result.raci[0]
    assert (row.accountable, row.consulted, row.domain) == ("CISO", ("CIO",), "security")


def test_evidence_names_only_shown_and_answered_questions() -> None:
    ann = one("CIO", "Ann", has_ciso="no", ciso_reports_to="cio", board_line="no", sec_training=0)
    result = score(MINI, [ann])
    for finding in result.findings:
        for answer in finding.evidence.answers:
            assert answer.question not in ("ciso_reports_to", "board_line", "sec_phishing")
            assert answer.question in ann.answers


def test_a_placeholder_takes_the_answers_that_fired_the_rule_not_the_others() -> None:
    """The evidence shows every respondent's answer to the questions that fired a rule;
    its placeholders still quote only the answers that fired it."""
    ann = one("CIO", "Ann", ciso_reports_to="cio", board_line="no", dat_breach=2)
    bo = one("CISO", "Bo", dat_breach=4)
    finding = get(score(MINI, [ann, bo]), "rule:eu_breach_plan")
    assert "; Ann rated the plan Defined: A written plan. " in finding.recommendation
    assert {a.respondent for a in finding.evidence.answers} == {"Ann", "Bo"}
