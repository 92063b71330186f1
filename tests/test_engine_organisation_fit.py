"""What fits this organisation, from questionnaire v2's model: who may own a
responsibility (expected / acceptable / misplaced / shared without a lead / orphaned), and
which regulations apply, on realistic organisations' context answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assessor import create_app
from assessor.engine import Respondent, coerce_answer, score
from assessor.engine.organisation_fit import (
    applicable_regulations,
    owner_fit,
    shown_references,
    structure_holding,
)
from assessor.questionnaire import Questionnaire, load_file

ROOT = Path(__file__).resolve().parent.parent
V1 = load_file(ROOT / "questionnaires" / "cio-ciso-governance" / "v1")
V2 = load_file(ROOT / "questionnaires" / "cio-ciso-governance" / "v2")
FRAMEWORKS = ("NIST_CSF", "ISO_27001", "COBIT")


def context(q: Questionnaire = V2, **raw: Any) -> dict[str, Any]:
    """Context answers as the engine holds them, parsed from what a respondent would give."""
    return {qid: coerce_answer(q.questions[qid], value) for qid, value in raw.items()}


STARTUP = context(
    employees=40,
    sector="technology",
    jurisdictions=["eu"],
    regulated_data=["eu_personal"],
    has_cio="no",
    has_ciso="no",
    security_assignment_written="yes",
)
EU_BANK = context(
    employees=4200,
    sector="finance",
    jurisdictions=["eu"],
    nis2_entity="essential",
    regulated_data=["eu_personal", "payment_card"],
    has_cio="yes",
    has_ciso="yes",
    ciso_reports_to="cro",
    us_listed="no",
)
US_HOSPITAL = context(
    employees=2600,
    sector="healthcare",
    jurisdictions=["us"],
    regulated_data=["health"],
    has_cio="yes",
    has_ciso="yes",
    ciso_reports_to="cio",
    security_board_line="no",
)
RETAILER = context(
    employees=800,
    sector="retail",
    jurisdictions=["us", "uk"],
    regulated_data=["payment_card"],
    has_cio="yes",
    has_ciso="yes",
    us_listed="domestic",
)


def fit(responsibility: str, named: str, answers: dict[str, Any], lead: str | None = None) -> Any:
    verdict = owner_fit(V2, responsibility, named, answers, lead)
    return verdict.status, verdict.judged_as


# --- owners ---------------------------------------------------------------------------


@pytest.mark.parametrize("responsibility", ["SEC-1", "SEC-2", "DAT-7", "TPR-2", "INF-3"])
def test_a_startup_without_a_ciso_whose_cto_holds_security_in_writing_is_acceptable(
    responsibility: str,
) -> None:
    verdict = owner_fit(V2, responsibility, "CTO", STARTUP)
    assert verdict.status == "acceptable"
    assert verdict.structure == ("small_without_ciso",)
    assert "named in writing" in verdict.note
    assert fit(responsibility, "EXTERNAL", STARTUP) == ("acceptable", "EXTERNAL")


def test_the_same_cto_at_900_staff_is_misplaced_and_without_the_writing_awaits_it() -> None:
    """At 900 staff a CTO never fits the CISO's work; at 40 staff without the written
    assignment (or not knowing of one) the CTO fits once named in writing: not clear yet
    (it counts against ownership clarity), but not "misplaced" either, which would tell
    the start-up fifteen times that its CTO is in the wrong seat."""
    assert fit("SEC-1", "CTO", {**STARTUP, "employees": 900.0}) == ("misplaced", "CTO")
    unwritten = {**STARTUP, "security_assignment_written": "no"}
    assert fit("SEC-1", "CTO", unwritten) == ("awaiting_lead", "CTO")
    unknown = {k: v for k, v in STARTUP.items() if k != "security_assignment_written"}
    assert fit("SEC-1", "CTO", unknown) == ("awaiting_lead", "CTO")
    # a role that may never lead security stays misplaced
    assert fit("SEC-1", "CDO", unwritten)[0] == "misplaced"


def test_the_startups_structure_rules() -> None:
    assert structure_holding(V2, STARTUP) == ("no_cio", "no_ciso", "small_without_ciso")
    assert structure_holding(V2, US_HOSPITAL) == (
        "large_organisation",
        "ciso_under_cio_without_escalation",
    )
    assert structure_holding(V2, EU_BANK) == (
        "large_organisation",
        "ciso_in_risk_function",
        "ciso_independent",
    )


def test_privacy_compliance_held_by_a_dpo_or_a_privacy_officer_is_acceptable() -> None:
    dpo = owner_fit(V2, "DAT-4", "DPO", EU_BANK)
    assert dpo.status == "acceptable"
    assert "controller's management stays accountable" in dpo.note
    assert fit("DAT-4", "PRIVACY", US_HOSPITAL) == ("acceptable", "PRIVACY")
    assert fit("DAT-4", "EXEC", EU_BANK) == ("expected", "EXEC")
    assert fit("DAT-4", "CIO", EU_BANK) == ("misplaced", "CIO")


def test_fraud_by_the_cro_and_risk_acceptance_by_risk_owners_are_not_misplaced() -> None:
    assert fit("DAT-5", "CRO", EU_BANK) == ("acceptable", "CRO")
    assert fit("SEC-8", "CRO", EU_BANK) == ("expected", "CRO")
    assert fit("SEC-8", "EXEC", STARTUP) == ("acceptable", "EXEC")
    # A CISO in the CRO's function is the second line: it may hold the ICT risk
    # management function (DORA Art. 6(4)); a CISO under the CIO runs it, does not own it.
    assert fit("SEC-8", "CISO", EU_BANK) == ("acceptable", "CISO")
    assert fit("SEC-8", "CISO", {**EU_BANK, "ciso_reports_to": "cio"}) == ("misplaced", "CISO")


def test_nobody_and_shared_without_a_lead() -> None:
    assert fit("DAT-7", "NONE", EU_BANK) == ("orphaned", None)
    assert fit("GOV-3", "SHARED", EU_BANK) == ("shared_without_lead", None)
    assert fit("SEC-1", "SHARED", EU_BANK) == ("shared_without_lead", None)
    assert fit("GOV-3", "SHARED", EU_BANK, lead="CISO") == ("expected", "CISO")
    assert fit("SEC-1", "SHARED", EU_BANK, lead="CISO") == ("expected", "CISO")
    assert fit("SEC-1", "SHARED", EU_BANK, lead="CIO") == ("misplaced", "CIO")
    assert fit("INF-2", "CIO", EU_BANK) == ("acceptable", "CIO")


def test_one_person_in_both_roles_is_judged_by_the_role_they_hold() -> None:
    dual = context(employees=300, has_cio="yes", has_ciso="yes", dual_role="yes")
    verdict = owner_fit(V2, "SEC-1", "CIO", dual)
    assert (verdict.status, verdict.judged_as, verdict.structure) == (
        "expected",
        "CISO",
        ("dual_role",),
    )
    assert fit("STR-1", "CISO", dual) == ("expected", "CIO")
    assert fit("SEC-1", "CIO", {**dual, "dual_role": "no"}) == ("misplaced", "CIO")
    assert fit("GOV-1", "CIO", dual) == ("misplaced", "CIO")


def test_a_role_or_responsibility_the_model_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="'CFO' is not a role of the model"):
        owner_fit(V2, "SEC-1", "CFO", STARTUP)
    with pytest.raises(KeyError):
        owner_fit(V2, "SEC-99", "CISO", STARTUP)
    with pytest.raises(ValueError, match="one role, not NONE"):
        owner_fit(V2, "SEC-1", "SHARED", STARTUP, lead="NONE")
    with pytest.raises(ValueError, match="only for a SHARED owner"):
        owner_fit(V2, "SEC-1", "CISO", STARTUP, lead="CIO")


def test_an_edition_one_model_knows_only_its_accountable_roles() -> None:
    answers = context(V1, employees=40, has_ciso="no")
    assert owner_fit(V1, "SEC-1", "CISO", answers).status == "expected"
    assert owner_fit(V1, "DAT-4", "CIO", answers).status == "misplaced"
    assert applicable_regulations(V1, answers) == ()


# --- regulations ----------------------------------------------------------------------


def test_an_eu_bank_is_under_gdpr_and_dora_not_hipaa_nor_nis2() -> None:
    applies = applicable_regulations(V2, EU_BANK)
    assert applies == (*FRAMEWORKS, "GDPR", "PCI_DSS", "DORA")
    assert "NIS2" not in applies  # DORA is the sector-specific act for financial entities
    assert "HIPAA" not in applies


def test_a_us_hospital_is_under_hipaa_not_gdpr() -> None:
    assert applicable_regulations(V2, US_HOSPITAL) == (*FRAMEWORKS, "HIPAA")


def test_card_data_brings_pci_dss_and_a_us_listing_the_sec_rules() -> None:
    assert applicable_regulations(V2, RETAILER) == (*FRAMEWORKS, "UK_GDPR", "PCI_DSS", "SEC")
    foreign = {**RETAILER, "us_listed": "foreign"}
    assert "SEC" not in applicable_regulations(V2, foreign)


def test_an_eu_essential_entity_outside_finance_is_under_nis2() -> None:
    energy = context(sector="manufacturing", jurisdictions=["eu"], nis2_entity="essential")
    assert applicable_regulations(V2, energy) == (*FRAMEWORKS, "GDPR", "NIS2")
    unsure = {**energy, "nis2_entity": "unknown"}
    assert "NIS2" not in applicable_regulations(V2, unsure)


def test_nothing_known_means_only_the_frameworks() -> None:
    assert applicable_regulations(V2, {}) == FRAMEWORKS


def test_a_regulations_references_show_only_where_it_applies() -> None:
    bank = shown_references(V2, "DAT-7", applicable_regulations(V2, EU_BANK))
    assert "GDPR Art. 33" in bank and "DORA Art. 19" in bank and "PCI DSS 12.10" in bank
    assert not [t for t in bank if t.startswith(("HIPAA", "NIS2", "SEC "))]
    assert "NIST CSF ID.IM-04" in bank and "ISO 27001 A.5.24" in bank  # always
    hospital = shown_references(V2, "DAT-7", applicable_regulations(V2, US_HOSPITAL))
    assert "HIPAA 164.404" in hospital
    assert not [t for t in hospital if t.startswith(("GDPR", "DORA", "PCI"))]
    assert shown_references(V1, "DAT-7", ()) == V1.responsibilities["DAT-7"].references


# --- v2 is scorable -------------------------------------------------------------------


def test_the_draft_scores_with_the_engine_and_the_command_line(tmp_path: Path) -> None:
    demo = json.loads((Path(__file__).parent / "answers" / "demo.json").read_text())
    demo["version"] = 2
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(demo))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    out = app.test_cli_runner().invoke(args=["score", str(path)])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert (result["questionnaire"]["id"], result["questionnaire"]["version"]) == (
        "cio-ciso-governance",
        2,
    )
    assert {row["responsibility"] for row in result["raci"]} >= {"SEC-8", "GOV-5"}
    direct = score(
        V2, [Respondent("Ann Lee", "CIO", {"employees": 40, "sec_program_owner": "CISO"})]
    )
    assert direct.to_dict()["questionnaire"]["version"] == 2
