"""The scenario organisations of issue #14 (tests/scenarios/): every file is valid and
internally consistent, its answers (to questionnaire v2) score with the engine, and its
expectations use the model's ids.  What the engine should find in them is asserted in
``tests/test_scenario_findings.py``; ``python -m tests.scenarios.report`` prints every
expectation met or violated, the bands and the ranking included."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import pytest

from assessor.engine import AnswersFileError, score
from assessor.reports.summary import BANDS
from tests.scenarios import (
    BAND_NAMES,
    PROVISIONAL,
    FalseAlarm,
    Profile,
    Required,
    Scenario,
    ScenarioFileError,
    applicable_regulations,
    load_ranking,
    load_scenario,
    load_scenarios,
    parse,
)
from tests.scenarios.model_ids import REGULATIONS, RESPONSIBILITIES, SEVERITIES
from tests.scenarios.report import Seen, check_false_alarm, check_required
from tests.scenarios.report import main as report_main

SCENARIOS = load_scenarios()
BY_SLUG = {s.slug: s for s in SCENARIOS}
RANK = {severity: n for n, severity in enumerate(SEVERITIES)}
#: v2's answer to ciso_reports_to for each reporting line of a profile.
REPORTS_TO = {
    "CEO": "ceo",
    "CIO": "cio",
    "CRO": "cro",
    "CFO": "cfo",
    "COO": "coo",
    "BOARD": "board",
}


def each() -> list[object]:
    return [pytest.param(scenario, id=scenario.slug) for scenario in SCENARIOS]


def answered(scenario: Scenario, question: str) -> list[object]:
    """Every respondent's answer to a question (those who answered it)."""
    values = []
    for person in scenario.answers["respondents"]:
        value = person["answers"].get(question)
        if value is not None:
            values.append(value)
    return values


def test_the_proof_s_organisations_are_all_there() -> None:
    """Issue #14's Proof names eight kinds of organisation; each is among the files."""
    profiles = [s.profile for s in SCENARIOS]

    def some(check: Callable[[Profile], bool]) -> bool:
        return any(check(p) for p in profiles)

    assert len(SCENARIOS) >= 8
    assert some(lambda p: p.employees <= 100 and not p.roles.CISO and p.roles.CTO)
    assert some(lambda p: p.sector == "healthcare" and p.ciso_reports_to == "CIO")
    assert some(lambda p: p.sector == "finance" and p.ciso_reports_to == "CRO" and p.roles.DPO)
    assert some(
        lambda p: (
            p.sector == "retail"
            and "payment_card" in p.regulated_data
            and {"CIO", "CISO"} <= {r.v1_role for r in p.respondents}
            and bool(p.disputed_facts)
        )
    )
    assert some(lambda p: p.roles.dual_role)
    assert some(lambda p: p.us_listed)
    assert some(lambda p: p.nis2_entity == "essential" and "EU" in p.jurisdictions)
    assert some(lambda p: p.answered_share == "half")


@pytest.mark.parametrize("scenario", each())
def test_answers_parse_and_score(scenario: Scenario) -> None:
    """Known question ids, a valid value for each kind (the answers-file parser), and the
    current engine scores the document."""
    document = parse(scenario)
    result = score(document.questionnaire, document.respondents, document.targets)
    assert 0 <= result.overall <= 100
    assert document.questionnaire.version == 2
    assert result.ignored == ()  # no answer to a question its respondent is not shown


def test_a_bad_answer_is_refused_with_its_place() -> None:
    data = BY_SLUG["startup-no-ciso"].answers
    broken = {
        **data,
        "respondents": [{**data["respondents"][0], "answers": {"sec_patching": "daily"}}],
    }
    scenario = BY_SLUG["startup-no-ciso"].model_copy(update={"answers": broken})
    with pytest.raises(AnswersFileError, match=r"respondents\[0\]\.answers\.sec_patching"):
        parse(scenario)


def test_a_bad_expectation_is_refused_with_file_and_place(tmp_path: Path) -> None:
    text = (Path(__file__).parent / "scenarios" / "startup-no-ciso.yaml").read_text()
    path = tmp_path / "x.yaml"
    path.write_text(text.replace("about: SEC-8,", "about: SEC-10,", 1))
    with pytest.raises(ScenarioFileError, match=r"x\.yaml: expect\.findings_required\.1\.about"):
        load_scenario(path)
    path.write_text(text.replace("kind: immature,", "kind: weak,", 1))
    with pytest.raises(ScenarioFileError, match="not a kind of finding"):
        load_scenario(path)
    path.write_text(text.replace("band: Developing", "band: Emerging"))
    with pytest.raises(ScenarioFileError, match="expect.band"):
        load_scenario(path)


def test_the_copied_model_ids() -> None:
    """The copy of the model document's ids: 33 responsibilities, the GOV-5/6 and
    SEC-8/9 of the second edition among them, and the applicability table's rows."""
    assert len(RESPONSIBILITIES) == 33
    assert {"GOV-5", "GOV-6", "SEC-8", "SEC-9"} <= RESPONSIBILITIES
    assert REGULATIONS == {"GDPR", "UK-GDPR", "HIPAA", "PCI-DSS", "NIS2", "DORA", "SEC"}
    assert BAND_NAMES == tuple(band for _, band, _ in BANDS)


@pytest.mark.parametrize("scenario", each())
def test_respondents_match_the_profile(scenario: Scenario) -> None:
    profile = scenario.profile
    people = {p["name"]: p["role"] for p in scenario.answers["respondents"]}
    assert people == {r.name: r.answers_as for r in profile.respondents}
    assert scenario.answers["organization"]["name"] == profile.name
    if not profile.roles.CISO:
        assert not any("CISO" in r.role.split("+") for r in profile.respondents)
        if not profile.roles.vCISO:
            assert "CISO" not in people.values()
    if profile.roles.vCISO:
        assert profile.roles.EXTERNAL and not profile.roles.CISO


@pytest.mark.parametrize("scenario", each())
def test_context_answers_match_the_profile(scenario: Scenario) -> None:
    """The respondents' context answers say what the profile says, except the facts the
    profile lists as disputed, on which they do differ."""
    profile = scenario.profile
    # v2 asks where the organisation operates; UK personal data is read from the UK there.
    data = sorted(d for d in profile.regulated_data if d != "uk_personal")
    reports_to = profile.ciso_reports_to
    expected: dict[str, object] = {
        "employees": profile.employees,
        "sector": profile.sector,
        "jurisdictions": sorted(j.lower() for j in profile.jurisdictions),
        "us_listed": "domestic" if profile.us_listed else "no",
        "regulated_data": data or ["none"],
        "has_cio": "yes" if profile.roles.CIO or profile.roles.CTO else "no",
        "has_ciso": "yes" if profile.roles.CISO or profile.roles.vCISO else "no",
        "security_board_line": "yes" if profile.security_escalation_to_board else "no",
    }
    if (profile.roles.CIO or profile.roles.CTO) and (profile.roles.CISO or profile.roles.vCISO):
        expected["dual_role"] = "yes" if profile.roles.dual_role else "no"
    if "EU" in profile.jurisdictions:
        expected["nis2_entity"] = (
            "neither" if profile.nis2_entity == "none" else profile.nis2_entity
        )
    if reports_to is not None:
        expected["ciso_reports_to"] = REPORTS_TO[reports_to]
    for question, value in expected.items():
        values = [
            sorted(v) if isinstance(v, list) and question == "jurisdictions" else v
            for v in answered(scenario, question)
        ]
        assert values, f"nobody answered {question}"
        if question in profile.disputed_facts:
            assert value in values and len({str(v) for v in values}) > 1, question
        else:
            assert all(v == value for v in values), question
    if reports_to is None:
        assert answered(scenario, "ciso_reports_to") == []


@pytest.mark.parametrize("scenario", each())
def test_disputed_facts_are_exactly_the_context_answers_that_differ(scenario: Scenario) -> None:
    document = parse(scenario)
    context = [q for q in document.questionnaire.questions.values() if q.context]
    differ = set()
    for question in context:
        values = {str(v) for v in answered(scenario, question.id)}
        if len(values) > 1:
            differ.add(question.id)
    assert differ == set(scenario.profile.disputed_facts)


@pytest.mark.parametrize("scenario", each())
def test_how_much_was_answered(scenario: Scenario) -> None:
    document = parse(scenario)
    result = score(document.questionnaire, document.respondents, document.targets)
    if scenario.profile.answered_share == "full":
        assert max(r.completeness for r in result.respondents) == 100
    else:
        assert 35 <= result.completeness <= 65


@pytest.mark.parametrize("scenario", each())
def test_regulations_follow_the_applicability_table(scenario: Scenario) -> None:
    expect = scenario.expect
    apply, never, unsettled = (
        set(expect.regulations_apply),
        set(expect.regulations_not),
        set(expect.regulations_unsettled),
    )
    assert not apply & never and not apply & unsettled and not never & unsettled
    assert apply | never | unsettled == REGULATIONS
    assert apply == applicable_regulations(scenario.profile) - unsettled
    for alarm in expect.false_alarms:
        if alarm.about in REGULATIONS and alarm.above is None:
            assert alarm.about in never
    for required in expect.findings_required:
        for regulation in (required.about, required.regulation):
            if regulation in REGULATIONS and required.kind != "unknown-fact":
                assert regulation in apply


def test_applicability() -> None:
    base = BY_SLUG["eu-bank-ciso-under-cro"].profile
    assert applicable_regulations(base) == {"GDPR", "DORA", "PCI-DSS"}
    utility = base.model_copy(
        update={"financial_entity": False, "nis2_entity": "essential", "regulated_data": []}
    )
    assert applicable_regulations(utility) == {"GDPR", "NIS2"}
    us_clinic = base.model_copy(
        update={"jurisdictions": ["US"], "financial_entity": False, "regulated_data": ["health"]}
    )
    assert applicable_regulations(us_clinic) == {"HIPAA"}


@pytest.mark.parametrize("scenario", each())
def test_expectations_hold_together(scenario: Scenario) -> None:
    """A band or "provisional"; room for the required findings; no finding both required
    and a false alarm; an unknown fact names a disputed context question."""
    expect = scenario.expect
    assert expect.provisional == (expect.band == PROVISIONAL)
    assert expect.provisional == (scenario.profile.answered_share == "half")
    assert len(expect.findings_required) <= expect.max_findings
    for required in expect.findings_required:
        if required.kind == "unknown-fact":
            assert required.question in scenario.profile.disputed_facts
        elif required.kind == "regulatory":
            assert required.about in REGULATIONS or required.regulation is not None
        for alarm in expect.false_alarms:
            same = alarm.about == required.about and alarm.kind in ("any", required.kind)
            if same and alarm.regulation in (None, required.regulation):
                assert alarm.above is not None, (required.about, required.kind)
                assert RANK[required.min_severity] <= RANK[alarm.above]


@pytest.mark.parametrize("scenario", each())
def test_structure_rules_in_the_expectations(scenario: Scenario) -> None:
    """The model's structure rules, as the expectations must reflect them: no CISO means
    no reporting-line finding and no advice to move work to a CISO; a dual role is one
    structural finding; a CISO under the CIO is a risk only without an escalation path."""
    profile, expect = scenario.profile, scenario.expect
    required = {(r.about, r.kind) for r in expect.findings_required}
    alarms = {(a.about, a.kind) for a in expect.false_alarms}
    phrases = {a.phrase for a in expect.false_alarms if a.phrase}
    if not profile.roles.CISO and not profile.roles.vCISO:
        assert not {a for a, _ in required} & {"reporting-line", "GOV-2", "GOV-3", "dual-role"}
        assert "to the CISO" in phrases
    if profile.roles.dual_role:
        assert ("dual-role", "structural") in required
    under_cio = profile.ciso_reports_to == "CIO" and not profile.roles.dual_role
    if under_cio and not profile.security_escalation_to_board:
        assert ("reporting-line", "structural") in required
    if (profile.roles.CISO or profile.roles.vCISO) and profile.security_escalation_to_board:
        assert ("reporting-line", "any") in alarms


def test_the_ranking_ranks_every_organisation_once_and_follows_the_bands() -> None:
    ranking = load_ranking()
    ranked = [item.scenario for item in ranking.ranking]
    unranked = [item.scenario for item in ranking.unranked]
    assert sorted(ranked + unranked) == sorted(BY_SLUG)
    assert {s for s in unranked} == {s.slug for s in SCENARIOS if s.expect.provisional}
    order = {band: n for n, band in enumerate(BAND_NAMES)}
    for better, worse in combinations(ranked, 2):
        assert order[BY_SLUG[better].expect.band] <= order[BY_SLUG[worse].expect.band]


def test_profiles_say_what_is_missing() -> None:
    for scenario in SCENARIOS:
        profile: Profile = scenario.profile
        assert profile.not_in_place and profile.summary, scenario.slug


def _seen(kind: str, severity: str, *subjects: str, text: str = "", also: str = "") -> Seen:
    regulations = frozenset(s for s in subjects if s in REGULATIONS)
    kinds = frozenset({kind, also} - {""})
    return Seen(f"{subjects[0]}:x", kinds, severity, frozenset(subjects), regulations, text)


def test_the_report_reads_a_false_alarm_by_subject_kind_severity_and_phrase() -> None:
    findings = [
        _seen("misplaced", "medium", "SEC-1", text="Move accountability to the CISO."),
        _seen("regulatory", "critical", "DAT-7", "GDPR"),
        _seen("immature", "high", "SEC-1", also="perception"),
    ]
    alarm = FalseAlarm.model_validate
    assert check_false_alarm(alarm({"phrase": "to the CISO", "why": "x" * 5}), findings) == [
        findings[0]
    ]
    assert check_false_alarm(alarm({"about": "SEC-1", "why": "x" * 5}), findings) == [
        findings[0],
        findings[2],
    ]
    assert check_false_alarm(alarm({"about": "SEC-8", "why": "x" * 5}), findings) == []
    # a kind merged into a finding counts as that finding's kind
    assert check_false_alarm(
        alarm({"about": "SEC-1", "kind": "perception", "why": "x" * 5}), findings
    ) == [findings[2]]
    assert check_false_alarm(
        alarm({"about": "DAT-7", "above": "high", "why": "x" * 5}), findings
    ) == [findings[1]]
    assert (
        check_false_alarm(alarm({"about": "DAT-7", "above": "critical", "why": "x" * 5}), findings)
        == []
    )
    assert check_false_alarm(alarm({"about": "HIPAA", "why": "x" * 5}), findings) == []


def test_the_report_reads_a_required_finding_by_kind_and_least_severity() -> None:
    scenario = BY_SLUG["startup-no-ciso"]
    document = parse(scenario)
    result = score(document.questionnaire, document.respondents)
    findings = [_seen("immature", "medium", "DAT-3"), _seen("regulatory", "high", "DAT-7", "GDPR")]
    need = Required.model_validate
    base = {"why": "x" * 5}
    assert check_required(
        need({**base, "about": "DAT-3", "kind": "immature", "min_severity": "medium"}),
        findings,
        result,
    ).startswith("met")
    assert "too low" in check_required(
        need({**base, "about": "DAT-3", "kind": "immature", "min_severity": "high"}),
        findings,
        result,
    )
    assert "only as" in check_required(
        need({**base, "about": "DAT-3", "kind": "orphaned", "min_severity": "low"}),
        findings,
        result,
    )
    gdpr = {**base, "about": "DAT-7", "kind": "regulatory", "min_severity": "high"}
    assert check_required(need({**gdpr, "regulation": "GDPR"}), findings, result).startswith("met")
    assert "nothing" in check_required(need({**gdpr, "regulation": "NIS2"}), findings, result)


def test_the_report_runs_on_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert report_main() == 0
    out = capsys.readouterr().out
    for scenario in SCENARIOS:
        assert f"== {scenario.slug}: {scenario.profile.name}" in out
    assert "pairs in the expert's order" in out
    assert re.search(r"Total: \d+ expectations met, \d+ violated", out)
