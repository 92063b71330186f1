"""What a board reads in the scenario organisations' findings and roadmap (the consultant's
review of the nine reports): who owns each initiative, and titles that name the risk in
plain words rather than quoting the model or gluing an answer's label on."""

from __future__ import annotations

from functools import cache

import pytest

from assessor.engine import Result, score
from tests.scenarios import Scenario, load_scenarios, parse

SCENARIOS = {scenario.profile.name: scenario for scenario in load_scenarios()}


@cache
def result(name: str) -> Result:
    scenario: Scenario = SCENARIOS[name]
    document = parse(scenario)
    return score(
        document.questionnaire,
        document.respondents,
        document.targets,
        organization=scenario.profile.name,
    )


WITHOUT_CISO = [
    n for n, s in SCENARIOS.items() if not (s.profile.roles.CISO or s.profile.roles.vCISO)
]
DUAL_ROLE = [n for n, s in SCENARIOS.items() if s.profile.roles.dual_role]


def test_the_scenarios_cover_both_shapes() -> None:
    assert WITHOUT_CISO and DUAL_ROLE


@pytest.mark.parametrize("name", WITHOUT_CISO)
def test_without_a_ciso_no_initiative_is_the_cisos(name: str) -> None:
    for initiative in result(name).plan.initiatives:
        assert initiative.owner != "CISO", initiative.title
        assert "CISO" not in initiative.outcome, initiative.outcome


@pytest.mark.parametrize("name", WITHOUT_CISO)
def test_without_a_ciso_the_initiatives_go_to_whoever_acts_on_the_findings(name: str) -> None:
    found = result(name)
    acts = {f.id: f.act for f in found.findings}
    for initiative in found.plan.initiatives:
        if initiative.owner != "EXEC":
            assert initiative.owner in acts.values(), initiative.title


@pytest.mark.parametrize("name", DUAL_ROLE)
def test_one_person_in_both_roles_owns_the_cio_and_ciso_initiatives(name: str) -> None:
    owners = {i.owner for i in result(name).plan.initiatives}
    assert "CIO_CISO" in owners and not owners & {"CIO", "CISO"}
    for initiative in result(name).plan.initiatives:
        assert "The CIO and CISO plan together" not in initiative.outcome
        assert "the CISO's reporting line" not in initiative.outcome


def _labels(name: str) -> set[str]:
    """The answer labels of the scenario's questionnaire long enough to be recognised."""
    questionnaire = parse(SCENARIOS[name]).questionnaire
    return {
        option.label
        for section in questionnaire.sections
        for question in section.questions
        for option in question.all_options
        if len(option.label) > 12
    }


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_no_title_carries_an_answers_label(name: str) -> None:
    labels = _labels(name)
    for finding in result(name).findings:
        glued = [label for label in labels if label in finding.title]
        assert not glued, finding.title
        assert "(the last one:" not in finding.title
