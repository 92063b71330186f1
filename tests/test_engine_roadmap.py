"""The roadmap from data (issue 15): the questionnaire's catalogue of initiatives, checked
on load, and the engine's grouping of a result's findings into at most twelve initiatives
with an owner, a horizon (30 days / 90 days / 12 months) and their dependencies."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from assessor.engine import Result, score
from assessor.engine.result import Evidence, Finding, FindingPart
from assessor.engine.roadmap import HORIZONS, finding_horizon, plan
from assessor.questionnaire import Questionnaire, QuestionnaireError, load_file, load_text
from tests.scenarios import load_scenarios, parse

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "questionnaires_model" / "good.yaml"
SCENARIOS = {s.slug: s for s in load_scenarios()}


@cache
def v2() -> Questionnaire:
    return load_file(ROOT / "questionnaires" / "cio-ciso-governance" / "v2")


@cache
def scored(slug: str) -> Result:
    scenario = SCENARIOS[slug]
    document = parse(scenario)
    return score(
        document.questionnaire,
        document.respondents,
        document.targets,
        organization=scenario.profile.name,
    )


def finding(fid: str, severity: str, effort: str, responsibility: str | None) -> Finding:
    return Finding(
        id=fid,
        kind="immature",
        severity=severity,
        responsibility=responsibility,
        domain=None,
        title=fid,
        recommendation="Do it.",
        act="CISO",
        effort=effort,
        references=(),
        weight=1.0,
        evidence=Evidence("generic:immature", ()),
    )


# --- the catalogue --------------------------------------------------------------------


def test_the_shipped_catalogue_covers_every_responsibility_once() -> None:
    q = v2()
    assert 1 <= len(q.initiatives) <= 12
    named = [rid for i in q.initiatives for rid in i.responsibilities]
    assert sorted(named) == sorted(r.id for r in q.model)
    ids = {i.id for i in q.initiatives}
    assert all(dep in ids for i in q.initiatives for dep in i.depends_on)
    assert any(i.depends_on for i in q.initiatives)


def _with_initiatives(text: str) -> str:
    return GOOD.read_text(encoding="utf-8") + "initiatives:\n" + text


GOOD_INITIATIVES = """\
  - {id: program, title: Run the programme, outcome: It runs., owner: CISO,
     responsibilities: [SEC-1, SEC-9]}
  - {id: privacy, title: Privacy, outcome: Managed., owner: EXEC,
     responsibilities: [DAT-4], depends_on: [program]}
"""


def test_a_good_catalogue_loads() -> None:
    q = load_text(_with_initiatives(GOOD_INITIATIVES))
    assert [i.id for i in q.initiatives] == ["program", "privacy"]
    assert q.initiatives[1].depends_on == ("program",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "  - {id: a, title: A, outcome: O, owner: CISO, responsibilities: [SEC-2]}\n",
            "initiatives[0].responsibilities[0]: unknown responsibility 'SEC-2'",
        ),
        (
            "  - {id: a, title: A, outcome: O, owner: CISO, responsibilities: [SEC-1]}\n"
            "  - {id: b, title: B, outcome: O, owner: EXEC, responsibilities: [SEC-1]}\n",
            "initiatives[1].responsibilities[0]: SEC-1 is already in initiative 'a'",
        ),
        (
            "  - {id: a, title: A, outcome: O, owner: CISO, responsibilities: [SEC-1],"
            " depends_on: [b]}\n"
            "  - {id: b, title: B, outcome: O, owner: EXEC, responsibilities: [SEC-9],"
            " depends_on: [a]}\n",
            "initiatives: the dependencies form a cycle: a -> b -> a",
        ),
        (
            "  - {id: a, title: A, outcome: O, owner: CISO, responsibilities: [SEC-1],"
            " depends_on: [programme]}\n",
            "initiatives[0].depends_on[0]: unknown initiative 'programme'",
        ),
        (
            "  - {id: a, title: A, outcome: O, owner: CRO, responsibilities: [SEC-1]}\n",
            "initiatives[0].owner: role CRO is not declared",
        ),
        (
            "  - {id: a, title: A, outcome: O, owner: CISO, responsibilities: [SEC-1],"
            " wordings: [{structure: no_cisos, outcome: P}]}\n",
            "initiatives[0].wordings[0].structure: unknown structure rule 'no_cisos'",
        ),
        (
            "  - {id: a, title: A, outcome: O, owner: SHARED, responsibilities: [SEC-1]}\n",
            "an initiative needs one owner, not NONE or SHARED",
        ),
        (
            "".join(
                f"  - {{id: i{n}, title: T, outcome: O, owner: CISO, responsibilities: "
                f"[{'SEC-1' if n == 0 else 'DAT-4' if n == 1 else 'SEC-9' if n == 2 else 'X-1'}]}}\n"
                for n in range(13)
            ),
            "initiatives: 13 initiatives: a roadmap holds at most 12",
        ),
    ],
)
def test_a_broken_catalogue_is_refused_with_where_and_why(text: str, message: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_text(_with_initiatives(text))
    assert message in str(caught.value)


# --- horizons ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "effort", "horizon"),
    [
        ("critical", "project", "30 days"),
        ("high", "quick win", "30 days"),
        ("high", "project", "90 days"),
        ("medium", "quick win", "90 days"),
        ("medium", "project", "12 months"),
        ("low", "quick win", "12 months"),
    ],
)
def test_a_findings_horizon_follows_its_severity_and_effort(
    severity: str, effort: str, horizon: str
) -> None:
    assert HORIZONS[finding_horizon(finding("f", severity, effort, None))] == horizon


def test_a_prerequisite_is_brought_forward_to_what_needs_it() -> None:
    # SEC-4 (security-operations, needs security-program) is critical; SEC-1
    # (security-program, needs roles) is low: the programme must start within 30 days too.
    findings = [
        finding("a", "critical", "project", "SEC-4"),
        finding("b", "low", "project", "SEC-1"),
        finding("c", "medium", "project", "GOV-4"),
    ]
    roadmap = plan(v2(), findings)
    by_id = {i.id: i for i in roadmap.initiatives}
    assert {k: i.horizon for k, i in by_id.items()} == {
        "security-operations": "30 days",
        "security-program": "30 days",
        "roles": "30 days",
    }
    assert by_id["security-operations"].depends_on == ("security-program",)
    assert by_id["security-program"].depends_on == ("roles",)
    order = [i.id for i in roadmap.initiatives]
    assert (
        order.index("roles") < order.index("security-program") < order.index("security-operations")
    )


def test_a_dependency_without_findings_passes_through_to_its_own() -> None:
    # breach-readiness needs data-protection (nothing to do here), which needs the
    # security programme: breach readiness depends on the programme.
    findings = [
        finding("b", "high", "project", "SEC-1"),
        finding("a", "high", "project", "DAT-7"),
    ]
    by_id = {i.id: i for i in plan(v2(), findings).initiatives}
    assert set(by_id) == {"breach-readiness", "security-program"}
    assert by_id["breach-readiness"].depends_on == ("security-program",)
    # The programme holds the first finding: it starts now; breach readiness in 90 days.
    assert by_id["security-program"].horizon == "30 days"
    assert by_id["breach-readiness"].horizon == "90 days"


def test_a_roll_up_goes_with_its_first_practice_not_the_domains_first_initiative() -> None:
    """The demo's bundle "Security training and tracking threats and regulations are below
    their target" has no responsibility of its own; "Settle who is accountable for what" lists the security
    domain's SEC-7 first, and it used to land there."""
    parts = tuple(
        FindingPart(f"immature:{rid}", "generic:immature", "immature", "medium", rid, rid)
        for rid in ("SEC-3", "SEC-5")
    )
    roll_up = finding("immature:security", "medium", "project", None)
    roll_up = roll_up._replace(domain="security", parts=parts)
    plain = finding("no-parts", "medium", "project", None)._replace(domain="security")
    homes = {fid: i.id for i in plan(v2(), [roll_up, plain]).initiatives for fid in i.findings}
    assert homes == {"immature:security": "security-operations", "no-parts": "roles"}


def test_the_most_important_findings_initiative_starts_within_30_days() -> None:
    findings = [
        finding("a", "high", "project", "TPR-1"),
        finding("b", "high", "project", "STR-3"),
    ]
    by_id = {i.id: i for i in plan(v2(), findings).initiatives}
    assert by_id["third-parties"].horizon == "30 days"
    assert by_id["it-strategy"].horizon == "90 days"


def test_a_medium_finding_first_does_not_make_its_initiative_urgent() -> None:
    # The law firm of the review: its most important finding is a medium IT-strategy
    # gap; "Decisions and urgent fixes" is kept for critical findings and high quick wins.
    findings = [
        finding("a", "medium", "project", "STR-1"),
        finding("b", "medium", "project", "TPR-3"),
    ]
    by_id = {i.id: i for i in plan(v2(), findings).initiatives}
    assert by_id["it-strategy"].horizon == "12 months"
    assert by_id["third-parties"].horizon == "12 months"


def test_without_a_catalogue_the_findings_are_grouped_by_domain_at_most_twelve() -> None:
    q = v2().model_copy(update={"initiatives": ()})
    findings = [finding(f"f{n}", "high", "project", r.id) for n, r in enumerate(v2().model)]
    roadmap = plan(q, findings)
    domains = {r.domain for r in v2().model}
    assert len(roadmap.initiatives) == len(domains) <= 12
    assert sorted(f for i in roadmap.initiatives for f in i.findings) == sorted(
        f.id for f in findings
    )


# --- the scenarios ------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(SCENARIOS))
def test_every_scenarios_roadmap_holds_each_finding_once_in_at_most_twelve(slug: str) -> None:
    result = scored(slug)
    assert result.plan is not None
    initiatives = result.plan.initiatives
    assert 1 <= len(initiatives) <= 12
    assert sorted(f for i in initiatives for f in i.findings) == sorted(
        f.id for f in result.findings
    )
    placed: list[str] = []
    for initiative in initiatives:
        assert initiative.horizon in HORIZONS
        assert initiative.owner in {"CIO", "CISO", "EXEC", "CTO", "CRO", "DPO", "CIO_CISO"}
        for dep in initiative.depends_on:
            assert dep in placed  # after what it depends on
            prerequisite = next(i for i in initiatives if i.id == dep)
            assert HORIZONS.index(prerequisite.horizon) <= HORIZONS.index(initiative.horizon)
        placed.append(initiative.id)
    horizons = [HORIZONS.index(i.horizon) for i in initiatives]
    assert horizons == sorted(horizons)


def test_the_retailers_roadmap() -> None:
    result = scored("retailer-cio-ciso-disagree")
    assert result.plan is not None
    by_id = {i.id: i for i in result.plan.initiatives}
    assert len(result.findings) == 28 and len(by_id) == 10
    # The breach plan (DAT-7, the most important finding, a project) is one initiative's
    # one finding, started within 30 days, after the data protection it depends on.
    breach = by_id["breach-readiness"]
    assert result.findings[0].key == "DAT-7:practice"
    assert breach.findings == (result.findings[0].id,)
    assert breach.horizon == "30 days" and breach.depends_on == ("data-protection",)
    assert by_id["data-protection"].horizon == "30 days"
    assert by_id["security-operations"].horizon == "90 days"
    assert by_id["roles"].horizon == "30 days" and by_id["roles"].owner == "EXEC"


def test_the_roadmap_is_in_the_serialised_result_and_older_results_lack_it() -> None:
    result = scored("retailer-cio-ciso-disagree")
    plain = json.loads(json.dumps(result.to_dict(), sort_keys=True))
    assert [i["id"] for i in plain["initiatives"]] == [
        i.id
        for i in result.plan.initiatives  # type: ignore[union-attr]
    ]
    assert set(plain["initiatives"][0]) == {
        "id",
        "title",
        "outcome",
        "owner",
        "horizon",
        "findings",
        "depends_on",
    }
    from dataclasses import replace

    assert "initiatives" not in replace(result, plan=None).to_dict()


# --- who owns an initiative, and its words, by the organisation's shape ------------------


def test_an_initiatives_owner_resolves_as_a_findings_act_does() -> None:
    findings = [finding("a", "high", "project", "SEC-1"), finding("b", "high", "project", "STR-1")]
    plain = {i.id: i.owner for i in plan(v2(), findings).initiatives}
    assert plain == {"security-program": "CISO", "it-strategy": "CIO"}
    no_ciso = plan(v2(), findings, {"CISO": "CTO", "CIO": "CTO"}, {"no_ciso", "no_cio"})
    assert {i.owner for i in no_ciso.initiatives} == {"CTO"}
    dual = plan(v2(), findings, {}, {"dual_role"})
    assert {i.owner for i in dual.initiatives} == {"CIO_CISO"}


def test_an_initiative_takes_the_words_of_the_organisations_shape() -> None:
    findings = [finding("a", "high", "project", "GOV-4")]
    [plain] = plan(v2(), findings).initiatives
    [without] = plan(v2(), findings, {"CISO": "EXEC"}, {"no_ciso"}).initiatives
    [dual] = plan(v2(), findings, {}, {"dual_role"}).initiatives
    assert "the CISO's reporting line" in plain.outcome
    assert "CISO" not in without.outcome and "security lead is named" in without.outcome
    assert "combined CIO and CISO role" in dual.outcome
