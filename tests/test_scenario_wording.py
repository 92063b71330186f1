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
    """The answer labels of the scenario's questionnaire long enough to be recognised (an
    owner question's options are roles, which a title names as roles; a label that is a
    responsibility's topic, such as "The security budget", a title names as the topic)."""
    questionnaire = parse(SCENARIOS[name]).questionnaire
    topics = {r.topic.lower() for r in questionnaire.model if r.topic}
    return {
        option.label
        for section in questionnaire.sections
        for question in section.questions
        if question.kind != "owner"
        for option in question.all_options
        if len(option.label) > 12 and option.label.lower() not in topics
    }


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_no_title_carries_an_answers_label(name: str) -> None:
    labels = _labels(name)
    for finding in result(name).findings:
        glued = [label for label in labels if label in finding.title]
        assert not glued, finding.title
        assert "(the last one:" not in finding.title


OWNERSHIP = ("orphaned", "ambiguous", "misplaced")


def _quoting(name: str, ownership: bool) -> None:
    questionnaire = parse(SCENARIOS[name]).questionnaire
    sentences = [r.title for r in questionnaire.model]
    for finding in result(name).findings:
        if (finding.kind in OWNERSHIP) is not ownership:
            continue
        quoted = [s for s in sentences if f"\u201c{s}\u201d" in finding.title]
        assert not quoted, finding.title
        assert "below the target of" not in finding.title
        assert "Nobody is accountable for:" not in finding.title
        assert " / " not in finding.title


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_generic_titles_name_the_risk_not_the_models_sentence(name: str) -> None:
    _quoting(name, ownership=False)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_ownership_titles_name_the_responsibility_in_plain_words(name: str) -> None:
    _quoting(name, ownership=True)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_perception_title_says_what_the_disagreement_is_about(name: str) -> None:
    for finding in result(name).findings:
        if finding.kind != "perception":
            continue
        assert finding.title.startswith("The respondents disagree "), finding.title
        assert "?" not in finding.title
        assert finding.act == "EXEC"  # someone above the parties settles it


def test_every_compared_question_of_v2_says_what_a_disagreement_is_about() -> None:
    from assessor.engine.facts import fact_questions
    from assessor.engine.questionnaire_index import index_for

    questionnaire = parse(SCENARIOS["Tallyfox GmbH"]).questionnaire
    index = index_for(questionnaire)
    facts = fact_questions(index)
    missing = [
        check.info.id
        for check in index.perception_checks
        if check.info.kind in ("choice", "yesno")
        and check.info.id not in facts
        and not check.info.question.about
    ]
    assert missing == []
    assert all(r.topic and r.risk for r in questionnaire.model)


#: Regulations and the data they are about, as a finding or a question may name them.
NAMED_DATA = {"HIPAA": "health", "card brands": "payment_card", "health data": "health"}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_nothing_names_a_regulation_or_data_the_organisation_does_not_have(name: str) -> None:
    held = set(SCENARIOS[name].profile.regulated_data)
    found = result(name)
    for finding in found.findings:
        text = f"{finding.title} {finding.recommendation}"
        for words, data in NAMED_DATA.items():
            assert words not in text or data in held, (words, finding.title)
        assert "personal, health and card data" not in text
    questionnaire = parse(SCENARIOS[name]).questionnaire
    for section in questionnaire.sections:
        for question in section.questions:
            if question.show_if is None:  # asked of everyone
                assert "GDPR and HIPAA" not in question.text + question.help, question.id


def test_writing_down_the_roles_is_not_itself_recorded_in_them() -> None:
    """The demo's GOV-4 (nobody owns writing down roles and responsibilities) used to end
    "... and record it in the written roles and responsibilities"."""
    import json
    from pathlib import Path

    from assessor.engine import parse_answers_document
    from tests.scenarios import catalog

    path = Path(__file__).parent / "answers" / "demo.json"
    document = parse_answers_document(json.loads(path.read_text()), catalog())
    found = score(document.questionnaire, document.respondents, document.targets)
    roles = next(f for f in found.findings if f.responsibility == "GOV-4")
    assert roles.title == "Nobody is accountable for written roles and responsibilities"
    assert roles.recommendation.startswith("Make the CEO, the board or another executive")
    assert "roles and responsibilities" not in roles.recommendation.split(",")[-1]
    others = [f for f in found.findings if f.kind in ("orphaned", "misplaced")]
    assert any("the written roles and responsibilities" in f.recommendation for f in others)
    # Northwind has a CIO and a CISO, decided and filled (GOV-1 at level 2): the roles are
    # in place and what they lack is the next level, not roles that "do not fit the
    # organisation's size".
    structure = next(f for f in found.findings if f.responsibility == "GOV-1")
    assert structure.title.startswith("The CIO and CISO roles: in place, not yet managed")
    assert "Next step, level 3" in structure.recommendation


def test_the_demos_roadmap_names_real_work_without_a_catalogue() -> None:
    """The demo as it was on questionnaire v1, which has no catalogue of initiatives (its
    files and hash are fixed): each domain's initiative is named for its most important
    finding, owned by whoever acts on most of them."""
    import json
    from pathlib import Path

    from assessor.engine import parse_answers_document
    from tests.scenarios import catalog

    path = Path(__file__).parent / "answers" / "demo-v1.json"
    document = parse_answers_document(json.loads(path.read_text()), catalog())
    assert not document.questionnaire.initiatives
    found = score(document.questionnaire, document.respondents, document.targets)
    assert found.plan is not None
    titles = {f.id: f.title for f in found.findings}
    for initiative in found.plan.initiatives:
        assert "close the gaps" not in initiative.title
        assert initiative.owner not in ("NONE", "SHARED")
        if initiative.id != "other":
            lead = titles[initiative.findings[0]]
            assert lead[1:40].lower() in initiative.title.lower(), initiative.title
            assert "below the target of" not in initiative.title


def test_gdpr_compliance_is_the_executives_to_take_on() -> None:
    """The demo handles EU personal data and manages privacy case by case: the finding
    asks for one person in charge of compliance, which the management that GDPR holds
    accountable (Art. 5(2), 24) names; the model's DAT-4 is the executive's, never the
    CISO's (who owns only the security of processing)."""
    import json
    from pathlib import Path

    from assessor.engine import parse_answers_document
    from tests.scenarios import catalog

    path = Path(__file__).parent / "answers" / "demo.json"
    document = parse_answers_document(json.loads(path.read_text()), catalog())
    found = score(document.questionnaire, document.respondents, document.targets)
    gdpr = next(f for f in found.findings if f.title.startswith("GDPR compliance is not managed"))
    assert gdpr.act == "EXEC", gdpr.act


def test_a_bundle_of_a_few_practices_names_them() -> None:
    """A board member reads which practices lag, not "The security program: 2 practices
    are below their target"."""
    import json
    from pathlib import Path

    from assessor.engine import parse_answers_document
    from tests.scenarios import catalog

    path = Path(__file__).parent / "answers" / "demo.json"
    document = parse_answers_document(json.loads(path.read_text()), catalog())
    found = score(document.questionnaire, document.respondents, document.targets)
    bundles = [f for f in found.findings if f.id.startswith("immature:") and not f.responsibility]
    assert len(bundles) == 1
    for bundle in bundles:
        assert "practices are" not in bundle.title, bundle.title
        assert bundle.title.startswith("Security training and "), bundle.title


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_practice_in_place_is_not_titled_as_missing(name: str) -> None:
    """From level 2 (Defined) a practice is written down and in place: its title says what
    it lacks ("Security tools: in place, not yet managed"), never the level-1 risk ("Security
    tools are not managed and evaluated") that the evidence printed under it contradicts."""
    questionnaire = parse(SCENARIOS[name]).questionnaire
    risks = {r.risk for r in questionnaire.model if r.risk}
    for finding in result(name).findings:
        if finding.kind == "immature" and "(level 2, Defined" in finding.title:
            assert ": in place, not yet managed (level 2" in finding.title, finding.title
            assert not any(finding.title.startswith(risk) for risk in risks), finding.title


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_no_finding_speaks_of_the_model(name: str) -> None:
    """A board has never heard of "the model": a disputed owner's action suggests one
    ("we suggest the CISO, or another owner that fits the organisation")."""
    for finding in result(name).findings:
        assert "in the model" not in finding.recommendation, finding.recommendation
        assert "in the model" not in finding.title, finding.title


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_bundle_of_practices_gives_each_its_next_step(name: str) -> None:
    """A bundle says who leads the practices and each one's next level in its action
    ("Next steps: security training, level 3: ..."), not "for the CISO to raise ... the
    evidence gives each practice's level and its next step" (the evidence gives no step)."""
    for finding in result(name).findings:
        if not (finding.id.startswith("immature:") and finding.responsibility is None):
            continue
        assert "to raise" not in finding.title and "led by" in finding.title, finding.title
        assert "Next steps: " in finding.recommendation, finding.recommendation
        assert "the evidence gives" not in finding.recommendation
        assert finding.recommendation.count(" level ") >= 2  # one per practice at least


@pytest.mark.parametrize("name", DUAL_ROLE)
def test_one_person_in_both_roles_is_named_one_way_in_every_finding(name: str) -> None:
    """Where one person is both CIO and CISO, the findings' "who" names that person one
    way ("CIO and CISO", as the roadmap's owner), not "CISO" in one finding and "CIO" in
    the next, which reads as two people."""
    acts = {f.act for f in result(name).findings}
    assert "CIO_CISO" in acts and not acts & {"CIO", "CISO", "SHARED"}, acts
    assert not any(
        f.recommendation.startswith(("The CIO should", "The CISO should"))
        for f in result(name).findings
    )
