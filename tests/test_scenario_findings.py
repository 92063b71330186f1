"""The scenario organisations' findings against what a senior consultant expects of them
(tests/scenarios/*.yaml, written before the findings rework): the findings that must be
there, the false alarms that must not, how many findings at most, and which regulations
apply.  The band and the ranking are the scoring method's (not asserted here)."""

from __future__ import annotations

from functools import cache

import pytest

from assessor.engine import Result, score
from tests.scenarios import FalseAlarm, Required, Scenario, load_scenarios, parse
from tests.scenarios.report import check_false_alarm, check_required, regulation_name, seen

SCENARIOS = load_scenarios()


@cache
def scored(slug: str) -> Result:
    scenario = next(s for s in SCENARIOS if s.slug == slug)
    document = parse(scenario)
    return score(
        document.questionnaire,
        document.respondents,
        document.targets,
        organization=scenario.profile.name,
    )


def _required() -> list[object]:
    return [
        pytest.param(s, r, id=f"{s.slug}-{r.about}-{r.kind}")
        for s in SCENARIOS
        for r in s.expect.findings_required
    ]


def _alarms() -> list[object]:
    return [
        pytest.param(s, a, id=f"{s.slug}-{a.phrase or a.about}-{a.kind}-{a.above}")
        for s in SCENARIOS
        for a in s.expect.false_alarms
    ]


def _each() -> list[object]:
    return [pytest.param(s, id=s.slug) for s in SCENARIOS]


@pytest.mark.parametrize(("scenario", "required"), _required())
def test_required_finding_is_raised(scenario: Scenario, required: Required) -> None:
    result = scored(scenario.slug)
    verdict = check_required(required, seen(result), result)
    assert verdict.startswith("met"), verdict


@pytest.mark.parametrize(("scenario", "alarm"), _alarms())
def test_no_false_alarm(scenario: Scenario, alarm: FalseAlarm) -> None:
    raised = check_false_alarm(alarm, seen(scored(scenario.slug)))
    assert raised == [], [f.label() for f in raised]


@pytest.mark.parametrize("scenario", _each())
def test_no_more_findings_than_a_consultant_would_write(scenario: Scenario) -> None:
    assert len(scored(scenario.slug).findings) <= scenario.expect.max_findings


@pytest.mark.parametrize("scenario", _each())
def test_the_regulations_that_apply(scenario: Scenario) -> None:
    """The result lists the regulations that apply and no other; one hanging on a disputed
    fact is not listed, but named by that fact."""
    result = scored(scenario.slug)
    applies = {regulation_name(r) for r in result.regulations}
    hanging = {regulation_name(r) for u in result.unresolved_facts for r in u.regulations}
    assert {"NIST-CSF", "ISO-27001"} <= applies
    expect = scenario.expect
    assert set(expect.regulations_apply) <= applies
    assert not set(expect.regulations_not) & (applies | hanging)
    assert set(expect.regulations_unsettled) <= hanging - applies


@pytest.mark.parametrize("scenario", _each())
def test_every_finding_has_a_stable_key_and_reads_alone(scenario: Scenario) -> None:
    """One finding per key; no title or recommendation leans on a "this" it does not name."""
    findings = scored(scenario.slug).findings
    keys = [f.key for f in findings]
    assert len(set(keys)) == len(keys)
    for finding in findings:
        assert finding.key and finding.parts
        assert not finding.recommendation.startswith(("Move accountability for this", "This "))
        assert "{owner}" not in finding.recommendation
