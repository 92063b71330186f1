"""The engine's judgment against the consultant's review of the scenario reports
(/work/wt/review.md): what a consultant would not sign, as expectations on the scenarios."""

from __future__ import annotations

from typing import Any

import pytest

from assessor.engine import Respondent, Result, score
from assessor.engine.result import Finding
from assessor.engine.wording import SEVERITY_RANK
from tests.scenarios import load_scenarios, parse

SCENARIOS = {s.slug: s for s in load_scenarios()}


def scenario(slug: str, **changed: dict[str, Any]) -> Result:
    """The scenario scored as its report is, with some respondents' answers changed
    (by the respondent's role)."""
    document = parse(SCENARIOS[slug])
    people = [
        Respondent(r.name, r.role, {**r.answers, **changed.get(r.role, {})})
        for r in document.respondents
    ]
    return score(document.questionnaire, people, document.targets)


def found(result: Result, key: str) -> Finding:
    finding = result.finding(key)
    assert finding is not None, f"{key} not among {[f.key for f in result.findings]}"
    return finding


def at_most_medium(finding: Finding) -> bool:
    return SEVERITY_RANK[finding.severity] >= SEVERITY_RANK["medium"]


# --- #2: a disputed answer a rule reads caps what holds only on one side of it ---


def test_a_structural_finding_on_one_side_of_a_disputed_answer_is_medium_and_says_settle() -> None:
    result = scenario("retailer-cio-ciso-disagree")
    # The CIO says a named executive accepts risk in writing; the CISO says no.
    overrule = found(result, "SEC-7:structure")
    assert at_most_medium(overrule), overrule.severity
    assert "sec_risk_acceptance" in overrule.depends_on
    # ... and names what to settle, in the question's own words
    assert overrule.recommendation.endswith(
        " The respondents disagree whether an executive accepts in writing the risk of "
        "security advice not followed; settle it before acting."
    )
    # The CIO says security can go to the board; the CISO says it cannot.
    line = found(result, "reporting-line:structure")
    assert at_most_medium(line), line.severity
    assert "security_board_line" in line.depends_on
    assert line.recommendation.endswith(
        " The respondents disagree whether security can take a concern straight to the "
        "board; settle it before acting."
    )


def test_a_finding_every_respondent_supports_keeps_its_severity() -> None:
    agreed = {"sec_risk_acceptance": "no", "security_board_line": "no"}
    result = scenario("retailer-cio-ciso-disagree", CIO=agreed)
    overrule = found(result, "SEC-7:structure")
    assert overrule.severity == "high" and "sec_risk_acceptance" not in overrule.depends_on
    assert "settle it before acting" not in overrule.recommendation
    line = found(result, "reporting-line:structure")
    assert line.severity == "high" and not line.depends_on


# --- #3: no "CRO" where there is none; the dual role is one finding ---


def test_without_a_cro_the_executive_acts_for_it() -> None:
    result = scenario("dual-role-cio-ciso")
    assert not any(f.act == "CRO" for f in result.findings)
    assert not any("CRO" in f.title or "CRO" in f.recommendation for f in result.findings)
    # The bank's CISO reports to its CRO: there the CRO is the CRO.
    bank = scenario("eu-bank-ciso-under-cro")
    assert not any(f.act == "EXEC" and f.responsibility == "SEC-8" for f in bank.findings)


def test_the_dual_role_root_cause_is_reported_once() -> None:
    result = scenario("dual-role-cio-ciso")
    dual = found(result, "dual-role:structure")
    parts = {p.id for p in dual.parts}
    assert "rule:independent_review_stale" in parts
    assert any(p.startswith("misplaced:SEC-8") for p in parts)
    assert not any(f.responsibility == "SEC-9" for f in result.findings if f is not dual)
    assert not any(
        p.kind == "misplaced" and p.responsibility == "SEC-8"
        for f in result.findings
        if f is not dual
        for p in f.parts
    )
    # The stale review's evidence is on the dual-role finding.
    assert "sec_independent_review" in {a.question for a in dual.evidence.answers}


# --- #7: a rolled-up bundle has one owner; the cross-domain batch no domain ---


def holding(result: Result, rid: str) -> Finding:
    return next(f for f in result.findings if any(p.responsibility == rid for p in f.parts))


def rolled_up(result: Result) -> list[Finding]:
    return [f for f in result.findings if len({p.responsibility for p in f.parts}) > 1]


def test_security_work_in_a_bundle_is_not_sent_to_the_cio() -> None:
    for slug in ("hospital-ciso-under-cio", "law-firm-vciso", "dual-role-cio-ciso"):
        result = scenario(slug)
        access = holding(result, "DAT-3")
        assert access.act != "CIO", (slug, access.title)
    hospital = scenario("hospital-ciso-under-cio")
    for bundle in rolled_up(hospital):
        if bundle.key.endswith(":structure"):
            continue
        # One owner per bundle: the model's accountable roles of its members agree.
        model = hospital.raci
        owners = {r.accountable for r in model if r.responsibility in bundle_members(bundle)}
        assert len(owners) == 1, (bundle.title, owners)


def bundle_members(finding: Finding) -> set[str]:
    return {p.responsibility for p in finding.parts if p.responsibility}


def test_the_cross_domain_batch_is_filed_under_no_domain() -> None:
    result = scenario("startup-no-ciso")
    batches = [f for f in result.findings if f.key.startswith("below-target")]
    assert batches
    for batch in batches:
        assert batch.domain is None
        assert batch.act in {"CTO", "EXEC", "CIO", "CISO", "SHARED", "EXTERNAL"}


def test_a_bundle_names_its_practices_never_a_finding_title() -> None:
    for s in SCENARIOS:
        for bundle in rolled_up(scenario(s)):
            if bundle.key.endswith(":structure"):
                continue
            for part in bundle.parts:
                if not part.title.startswith("\u201c"):
                    assert part.title not in bundle.recommendation, (s, part.title)


# --- #11: "Don't know" against a real answer is an unknown, not a disagreement ---


def known(value: Any) -> bool:
    return value not in ("unknown", ("unknown",))


def test_dont_know_is_no_disagreement_in_the_gaps_or_the_figures() -> None:
    for slug in SCENARIOS:
        result = scenario(slug)
        for gap in result.perception.gaps:
            views = {a.value for a in gap.answers if known(a.value)}
            assert len(views) >= 2, (slug, gap.question, [a.label for a in gap.answers])
    # The hospital's CEO does not know when security was last reviewed; the CISO and the
    # CIO agree: no gap, and the domain's disagreement figure does not count it.
    ceo_only = scenario(
        "hospital-ciso-under-cio",
        CEO={q: "unknown" for q in ("sec_independent_review",)},
    )
    assert not any(g.question == "sec_independent_review" for g in ceo_only.perception.gaps)
    agreed = scenario("hospital-ciso-under-cio", CEO={"sec_independent_review": None})
    assert ceo_only.perception.domains == agreed.perception.domains


# --- #13: a merged finding cites what drives it; no disputed regulation above medium ---


def test_a_merged_finding_cites_the_parts_that_drive_it() -> None:
    startup = scenario("startup-no-ciso")
    lead = found(startup, "no-ciso:structure")
    # GOV-1's immaturity (medium) does not write the high "no security lead" finding.
    assert "ISO 27001 A.5.3" not in lead.references
    retailer = scenario("retailer-cio-ciso-disagree")
    card = next(
        f
        for f in retailer.findings
        if any(p.id.startswith("rule:card_data_compliance") for p in f.parts)
    )
    # The DPO's articles belong to a DPO issue, not to card-payment compliance.
    assert not any(
        r.startswith(("GDPR Art. 37", "GDPR Art. 38", "GDPR Art. 39")) for r in card.references
    )


def test_no_finding_above_medium_cites_a_regulation_whose_applicability_is_disputed() -> None:
    retailer = scenario("retailer-cio-ciso-disagree")
    assert "PCI_DSS" in {g for fact in retailer.unresolved_facts for g in fact.regulations}
    for finding in retailer.findings:
        if SEVERITY_RANK[finding.severity] < SEVERITY_RANK["medium"]:
            assert not any(r.startswith("PCI DSS") for r in finding.references), finding.title


# --- #15: among equals, security and regulatory exposure before questionnaire order ---


def test_medium_it_strategy_work_does_not_lead_security_work() -> None:
    law = scenario("law-firm-vciso")
    it_only = {"STR-1", "STR-2", "STR-3", "STR-4", "INF-1", "DAT-1", "TPR-1"}
    order = [bundle_members(f) or {f.responsibility} for f in law.findings]
    first_it = next(n for n, members in enumerate(order) if members <= it_only)
    assert all(not (members <= it_only) for members in order[:first_it])
    assert not any(m <= it_only for m in order[:first_it])
    later = order[first_it:]
    assert all(members <= it_only for members in later), [f.title for f in law.findings]


# --- #16 / #14: the kind says what the finding is; the executive settles a dispute ---


def test_owners_who_disagree_are_not_nobody_owns_it() -> None:
    retailer = scenario("retailer-cio-ciso-disagree")
    fraud = holding(retailer, "DAT-5")
    # The CIO names the executive team, the CISO nobody: the owners disagree (high,
    # since one of them says nobody).
    assert fraud.kind == "ambiguous" and fraud.severity == "high"
    assert not any(p.kind == "orphaned" for p in fraud.parts)


def test_a_misplaced_owner_writes_the_finding_over_a_level_at_the_same_severity() -> None:
    grid = scenario("nis2-essential-energy")
    access = holding(grid, "TPR-2")
    assert access.kind == "misplaced", access.title


def test_a_perception_finding_is_settled_by_the_executive() -> None:
    for slug in SCENARIOS:
        for finding in scenario(slug).findings:
            if finding.kind == "perception":
                assert finding.act == "EXEC", (slug, finding.title, finding.act)


# --- #17: proportionality: no regulated data, no critical breach readiness ---


def test_breach_readiness_without_regulated_data_is_high_at_most() -> None:
    kestrel = scenario("dual-role-cio-ciso")
    assert holding(kestrel, "DAT-7").severity == "high"
    respondent = parse(SCENARIOS["dual-role-cio-ciso"]).respondents[0].role
    holding_data = scenario(
        "dual-role-cio-ciso", **{respondent: {"regulated_data": ("eu_personal",)}}
    )
    assert holding(holding_data, "DAT-7").severity == "critical"


def test_what_to_settle_is_named_in_the_questions_words() -> None:
    """A held finding ends by naming the disputed answers: the question's ``about`` as it
    completes "The respondents disagree ...", "on" before one naming a thing, the question
    quoted where the questionnaire gives no words."""
    from assessor.engine.wording import disagree_on, settle_first
    from assessor.questionnaire.schema import Question

    def ask(about: str | None) -> Question:
        return Question(id="q", kind="yesno", text="Is it so?", about=about)

    assert disagree_on(ask("whether it is so")) == "whether it is so"
    assert disagree_on(ask("on when it was done")) == "on when it was done"
    assert disagree_on(ask("to whom the CISO reports")) == "on to whom the CISO reports"
    assert disagree_on(ask(None)) == "on \u201cIs it so?\u201d"
    assert settle_first([ask("whether it is so"), ask("on when it was done")]) == (
        " The respondents disagree whether it is so and on when it was done; "
        "settle them before acting."
    )


@pytest.mark.parametrize("slug", ["startup-no-ciso", "half-answered"])
def test_no_work_goes_to_the_cio_and_the_ciso_jointly_where_there_is_no_ciso(slug: str) -> None:
    """A duty the model gives the CIO and the CISO jointly goes, with no CISO, to whoever
    acts for IT (the start-up's CTO, the housing association's CIO): the start-up was told
    "The CIO and the CISO jointly should raise ..." though it has neither."""
    result = scenario(slug)
    assert all(f.act != "SHARED" for f in result.findings)
    assert not any("CISO jointly" in f.recommendation for f in result.findings)
    assert result.plan is not None
    assert all(i.owner != "SHARED" for i in result.plan.initiatives)


def test_a_practice_the_respondents_put_levels_apart_says_so_in_its_action() -> None:
    """The demo's three top risks are at level 1 on the CISO's answer while the CIO answers
    level 3: the title keeps the combined (lower) level, and the action says who put it
    where, so the board does not read one leader's account as the firm's finding."""
    import json
    from pathlib import Path

    from assessor.engine import parse_answers_document
    from tests.scenarios import catalog

    path = Path(__file__).parent / "answers" / "demo.json"
    document = parse_answers_document(json.loads(path.read_text()), catalog())
    result = score(document.questionnaire, document.respondents, document.targets)
    note = "Maria Jensen puts it at level 3 (Managed), Tom Okafor at level 1 (Ad hoc): check which holds."
    top = result.findings[:3]
    assert all("(level 1, Ad hoc" in f.title for f in top)
    assert all(note in f.recommendation for f in top)
    # where they agree, or are one level apart, nothing is said
    agreed = [f for f in result.findings if f.id.startswith("immature:") and f not in top]
    assert agreed and not all("check which holds" in f.recommendation for f in agreed)
    for f in agreed:
        if "check which holds" not in f.recommendation:
            assert not any(
                p.id.startswith("perception:") and p.id.endswith("_maturity") for p in f.parts
            )


def test_a_practice_whose_owner_is_disputed_asks_to_agree_the_owner_first() -> None:
    """The demo's security program: the CIO names the CIO as its owner, the CISO the CISO.
    The finding's action goes to the model's owner (the CISO), so it says who names whom
    and to agree one owner first, rather than silently taking the CISO's side."""
    import json
    from pathlib import Path

    from assessor.engine import parse_answers_document
    from tests.scenarios import catalog

    path = Path(__file__).parent / "answers" / "demo.json"
    document = parse_answers_document(json.loads(path.read_text()), catalog())
    result = score(document.questionnaire, document.respondents, document.targets)
    program = next(f for f in result.findings if f.id == "immature:SEC-1")
    assert "ambiguous:SEC-1" in {p.id for p in program.parts}
    assert (
        "Maria Jensen names the CIO as its owner, Tom Okafor the CISO: agree one owner first."
        in program.recommendation
    )
    breach = next(f for f in result.findings if f.id == "immature:DAT-7")
    assert "Maria Jensen names the CISO as its owner, Tom Okafor nobody:" in breach.recommendation
    # Where the owner is agreed, nothing is said.
    agreed = [
        f
        for f in result.findings
        if f.id.startswith("immature:") and not any(p.id.startswith("ambiguous:") for p in f.parts)
    ]
    assert agreed and not any("as its owner" in f.recommendation for f in agreed)
