"""engine/root_causes.py, facts.py and ownership.py on questionnaire v2: one finding per
root cause with a stable key, the priority order, owners judged against the organisation,
regulations only where they apply, unresolved facts and a lone dissent kept below
critical, settled facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assessor.engine import Respondent, Result, parse_answers_document, score
from assessor.engine.result import AnswerEvidence, Evidence, Finding
from assessor.engine.root_causes import priority
from tests.scenarios import catalog, load_scenarios, parse

V2 = catalog().get("cio-ciso-governance", 2)
DEMO = Path(__file__).parent / "answers" / "demo.json"
SCENARIOS = {s.slug: s for s in load_scenarios()}


def answers_of(slug: str, respondent: int = 0) -> dict[str, Any]:
    return dict(parse(SCENARIOS[slug]).respondents[respondent].answers)


def run(*people: tuple[str, dict[str, Any]], **options: Any) -> Result:
    return score(
        V2, [Respondent(f"R{n}", role, a) for n, (role, a) in enumerate(people)], **options
    )


def keys(result: Result) -> list[str]:
    return [f.key for f in result.findings]


def finding(fid: str, severity: str, weight: float, exposure: int, rid: str | None) -> Finding:
    return Finding(
        fid, "immature", severity, rid, None, "t", "r", "CIO", "project", (), weight,
        Evidence("c", ()), key=fid, exposure=exposure,
    )  # fmt: skip


def test_priority_is_severity_weight_exposure_then_questionnaire_order_never_id() -> None:
    position = {"STR-1": 0, "SEC-1": 5, "DAT-7": 9}
    found = [
        finding("a", "high", 1.0, 1, "DAT-7"),
        finding("b", "high", 1.0, 1, "STR-1"),
        finding("c", "high", 1.0, 2, "SEC-1"),
        finding("d", "high", 2.0, 0, "DAT-7"),
        finding("e", "critical", 0.5, 0, None),
    ]
    ordered = sorted(found, key=lambda f: priority(f, position))
    assert [f.id for f in ordered] == ["e", "d", "c", "b", "a"]


def test_a_root_cause_is_one_finding_with_all_its_evidence_and_a_stable_key() -> None:
    result = run(("CIO", answers_of("startup-no-ciso")))
    breach = result.finding("DAT-7:practice")
    assert breach is not None
    assert {p.check for p in breach.parts} >= {
        "rule:no_breach_plan_regulated_data",
        "generic:immature",
    }
    assert {a.question for a in breach.evidence.answers} >= {
        "dat_breach_plan_exists",
        "dat_breach_plan_maturity",
    }
    # The key does not depend on wording, numbering or order.
    again = run(("CIO", answers_of("startup-no-ciso")), organization="Another name")
    assert keys(again) == keys(result)
    assert breach.to_dict()["key"] == "DAT-7:practice"


def test_no_ciso_one_security_lead_finding_and_no_misplaced_security_owner() -> None:
    result = run(("CIO", answers_of("startup-no-ciso")))
    lead = result.finding("no-ciso:structure")
    assert lead is not None and lead.severity == "high"
    assert "vCISO" in lead.recommendation or "virtual CISO" in lead.recommendation
    # The CTO or CIO holding the CISO's responsibilities awaits a written assignment: the
    # one no-CISO finding covers it; none of them is "misplaced".
    security = {row.responsibility for row in result.raci if row.accountable == "CISO"}
    assert not any(
        p.kind == "misplaced"
        and p.responsibility in security
        and p.title.startswith(("The CTO holds", "The CIO holds"))
        for f in result.findings
        for p in f.parts
    )
    assert not any("to the CISO" in f.recommendation for f in result.findings)
    assert not any(f.responsibility in ("GOV-2", "GOV-3") for f in result.findings)
    # With the assignment written down, the CTO/CIO holding security is acceptable.
    written = {**answers_of("startup-no-ciso"), "security_assignment_written": "yes"}
    assert "no-ciso:structure" not in keys(run(("CIO", written)))


def test_an_acceptable_alternative_owner_is_never_misplaced() -> None:
    bank = answers_of("eu-bank-ciso-under-cro")
    for named in ("CIO", "CISO"):
        changed = {**bank, "dat_compliance_owner": "EXEC", "sec_program_owner": named}
        result = run(("CISO", changed))
        assert result.finding("misplaced:DAT-4") is None
    # The dual-role holder named as the CIO on a CISO's responsibility is the same person.
    dual = {**answers_of("dual-role-cio-ciso"), "sec_program_owner": "CIO"}
    assert run(("CIO", dual)).finding("misplaced:SEC-1") is None


def test_dual_role_is_one_critical_structural_finding() -> None:
    result = run(("CIO", answers_of("dual-role-cio-ciso")))
    dual = result.finding("dual-role:structure")
    assert dual is not None
    assert (dual.kind, dual.severity) == ("structural", "critical")
    assert {"rule:dual_role_unchecked", "rule:dual_role_without_review"} <= {
        p.id for p in dual.parts
    }
    assert sum(f.key.startswith("dual-role") for f in result.findings) == 1


def test_regulations_apply_only_where_they_do() -> None:
    hospital = run(("CISO", answers_of("hospital-ciso-under-cio")))
    assert "HIPAA" in hospital.regulations and "GDPR" not in hospital.regulations
    assert not any(r.startswith("GDPR") for f in hospital.findings for r in f.references)
    # The same answers from the EU: GDPR, not HIPAA.
    eu = {**answers_of("hospital-ciso-under-cio"), "jurisdictions": ("eu",)}
    moved = run(("CISO", eu))
    assert "HIPAA" not in moved.regulations
    assert not any(r.startswith("HIPAA") for f in moved.findings for r in f.references)
    assert not any(p.id.startswith("rule:hipaa_") for f in moved.findings for p in f.parts)


def test_a_disputed_fact_is_unresolved_and_caps_what_depends_on_it() -> None:
    cio, ciso = (
        answers_of("retailer-cio-ciso-disagree"),
        answers_of("retailer-cio-ciso-disagree", 1),
    )
    result = run(("CIO", cio), ("CISO", ciso))
    facts = {fact.question: fact for fact in result.unresolved_facts}
    assert facts["regulated_data"].regulations == ("PCI_DSS",)
    assert "PCI_DSS" not in result.regulations
    card = [f for f in result.findings if any(p.id.startswith("rule:card_data") for p in f.parts)]
    assert card
    for f in card:
        part = next(p for p in f.parts if p.id.startswith("rule:card_data"))
        assert part.severity in ("medium", "low")
    compliance = result.finding("rule:card_data_compliance_not_confirmed")
    assert compliance is not None and compliance.depends_on == ("regulated_data",)
    assert "settle it" in compliance.recommendation
    # Settled: the fact is no longer disputed, and PCI DSS applies in full.
    settled = run(
        ("CIO", cio),
        ("CISO", ciso),
        settled_facts={"regulated_data": ["eu_personal", "payment_card"]},
    )
    assert "regulated_data" not in {f.question for f in settled.unresolved_facts}
    assert "PCI_DSS" in settled.regulations
    assert settled.finding("rule:card_data_compliance_not_confirmed").depends_on == ()
    # Settled the other way: no card-data finding at all.
    none = run(("CIO", cio), ("CISO", ciso), settled_facts={"regulated_data": ["eu_personal"]})
    assert not any(p.id.startswith("rule:card_data") for f in none.findings for p in f.parts)


def test_a_disputed_answer_a_finding_rests_on_is_a_fact_to_settle() -> None:
    """The retailer's CIO says security can go straight to the board, the CISO says it
    cannot: the reporting-line finding holds on the CISO's account only, stays at medium
    and says "settle it first". The question is listed as an unresolved fact (with no
    regulation at stake), and once the consultant settles it the finding is judged."""
    cio, ciso = (
        answers_of("retailer-cio-ciso-disagree"),
        answers_of("retailer-cio-ciso-disagree", 1),
    )
    result = run(("CIO", cio), ("CISO", ciso))
    facts = {fact.question: fact for fact in result.unresolved_facts}
    assert facts["security_board_line"].regulations == ()
    assert len(facts["security_board_line"].answers) == 2
    resting = [f for f in result.findings if "security_board_line" in f.depends_on]
    assert resting and all(f.severity in ("medium", "low") for f in resting)
    settled = run(("CIO", cio), ("CISO", ciso), settled_facts={"security_board_line": "no"})
    assert "security_board_line" not in {f.question for f in settled.unresolved_facts}
    judged = [f for f in settled.findings if f.key in {r.key for r in resting}]
    assert judged and all("security_board_line" not in f.depends_on for f in judged)
    assert any(f.severity == "high" for f in judged)


def test_a_settled_fact_must_answer_a_question_of_the_questionnaire() -> None:
    with pytest.raises(ValueError, match="question of the questionnaire: 'no_such'"):
        run(("CIO", answers_of("startup-no-ciso")), settled_facts={"no_such": "CIO"})
    with pytest.raises(ValueError, match="employees"):
        run(("CIO", answers_of("startup-no-ciso")), settled_facts={"employees": "many"})


def test_one_respondents_lone_dissent_or_dont_know_raises_no_critical() -> None:
    dual = answers_of("dual-role-cio-ciso")
    alone = run(("CIO", dual))
    assert alone.finding("dual-role:structure").severity == "critical"  # type: ignore[union-attr]
    # A second respondent contradicts the risk acceptance answer: the compound holds only
    # on one side of a disputed answer, so it is medium until settled; the finding stays
    # critical because both agree that nobody reviews the dual role (a critical on its own).
    other = {**dual, "sec_risk_acceptance": "yes"}
    both = run(("CIO", dual), ("CEO", other))
    merged = both.finding("rule:dual_role_unchecked")
    assert merged is not None and merged.severity == "critical"
    parts = {part.id: part.severity for part in merged.parts}
    assert parts["rule:dual_role_unchecked"] == "medium"
    assert parts["rule:dual_role_without_review"] == "critical"
    assert not merged.depends_on
    # "Don't know" raises nothing: a CEO who does not know about the breach plan.
    hospital = answers_of("hospital-ciso-under-cio")
    unsure = {**hospital, "dat_breach_plan_exists": "unknown", "dat_breach_plan_maturity": None}
    result = run(("CISO", hospital), ("CEO", {k: v for k, v in unsure.items() if v is not None}))
    assert not any(f.severity == "critical" for f in result.findings)


def test_gaps_on_their_own_raise_findings() -> None:
    base = answers_of("eu-bank-ciso-under-cro")
    for question, value, key in [
        ("sec_named_person", "no", "SEC-2:structure"),
        ("sec_risk_assessment", "never", "SEC-8:practice"),
        ("dat_access_review", "never", "DAT-3:practice"),
    ]:
        assert key in keys(run(("CISO", {**base, question: value}))), question
        assert key not in keys(run(("CISO", {**base, question: "unknown"}))), question


def test_every_title_and_recommendation_reads_alone() -> None:
    for slug in SCENARIOS:
        document = parse(SCENARIOS[slug])
        for f in score(document.questionnaire, document.respondents).findings:
            assert not f.title.startswith(("This ", "It ", "Below target")), f.title
            assert not f.recommendation.startswith("Move accountability for this"), f.key


def test_evidence_records_are_the_respondents_answers() -> None:
    result = run(("CIO", answers_of("startup-no-ciso")))
    for f in result.findings:
        for answer in f.evidence.answers:
            assert isinstance(answer, AnswerEvidence)


def test_every_finding_that_says_settle_it_first_names_a_fact_the_consultant_can_settle() -> None:
    """A finding held at medium because it rests on a disputed answer tells the consultant
    to settle that answer first: every question it rests on, a context question or not,
    is among the unresolved facts (which the consultant can settle), on every scenario."""
    demo = parse_answers_document(json.loads(DEMO.read_text()), catalog())
    held = 0
    for name, document in [("demo", demo), *((s.slug, parse(s)) for s in load_scenarios())]:
        result = score(document.questionnaire, document.respondents)
        facts = {fact.question for fact in result.unresolved_facts}
        for finding in result.findings:
            assert set(finding.depends_on) <= facts, (name, finding.id)
            held += bool(finding.depends_on)
    assert held >= 10  # the demo's four and the retailer's six


def test_a_disputed_practice_answer_a_finding_rests_on_is_settled_like_a_fact() -> None:
    """The retailer's CIO says an executive accepts in writing the risk of security advice
    not followed, the CISO says nobody does: the finding that advice can be set aside
    silently holds on the CISO's account only, so it is held at medium and the answer,
    a practice question (not about the organisation's shape), is a fact to settle. Once
    settled the finding is judged on the settled answer: "no" raises it at its own
    severity with no "settle it first", "yes" retires it; no answer changes."""
    cio, ciso = (
        answers_of("retailer-cio-ciso-disagree"),
        answers_of("retailer-cio-ciso-disagree", 1),
    )
    rule = "rule:security_advice_set_aside_silently"
    result = run(("CIO", cio), ("CISO", ciso))
    assert not V2.questions["sec_risk_acceptance"].context
    [fact] = [f for f in result.unresolved_facts if f.question == "sec_risk_acceptance"]
    assert {a.label for a in fact.answers} == {"Yes", "No"} and fact.regulations == ()
    [held] = [f for f in result.findings if rule in {p.id for p in f.parts}]
    assert held.severity == "medium" and held.depends_on == ("sec_risk_acceptance",)

    nobody = run(("CIO", cio), ("CISO", ciso), settled_facts={"sec_risk_acceptance": "no"})
    assert "sec_risk_acceptance" not in {f.question for f in nobody.unresolved_facts}
    [judged] = [f for f in nobody.findings if rule in {p.id for p in f.parts}]
    assert judged.depends_on == () and judged.severity == "high"
    assert "settle it" not in judged.recommendation

    accepted = run(("CIO", cio), ("CISO", ciso), settled_facts={"sec_risk_acceptance": "yes"})
    assert not any(rule in {p.id for p in f.parts} for f in accepted.findings)
    assert cio["sec_risk_acceptance"] == "yes" and ciso["sec_risk_acceptance"] == "no"
