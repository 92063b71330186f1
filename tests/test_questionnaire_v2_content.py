"""Questionnaire v2's questions (issue 14, part E): no help text gives the expected answer,
one question asks one thing, every responsibility of the model has its questions,
questions that do not fit the organisation's structure or regulations are hidden,
contradictions are refused within a question and flagged across questions, and the
time estimate counts the questions a respondent sees.  v1 still loads and scores."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assessor import create_app
from assessor.engine import Respondent, score, visible_questions
from assessor.engine.answers import AnswerError, coerce_answer
from assessor.engine.guidance import guidance_for
from assessor.questionnaire import Questionnaire, QuestionnaireError, load_file, load_text
from assessor.questionnaire.estimate import SECONDS_BY_KIND, estimate
from assessor.questionnaire.model_schema import ROLE_CODES

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "questionnaires" / "cio-ciso-governance" / "v1"
V2 = ROOT / "questionnaires" / "cio-ciso-governance" / "v2"
V1_HASH = "aec1dfc7e7e770f15138ce7b9f540d12a8707661eb460189ad2564f55c367642"

#: Every responsibility of the model document's second edition.
MODEL_IDS = (
    [f"STR-{n}" for n in range(1, 6)]
    + [f"INF-{n}" for n in range(1, 4)]
    + [f"SEC-{n}" for n in range(1, 10)]
    + [f"DAT-{n}" for n in range(1, 8)]
    + [f"TPR-{n}" for n in range(1, 4)]
    + [f"GOV-{n}" for n in range(1, 7)]
)
#: The organisation of a typical respondent: a 420-person EU and US company with a CIO
#: and a separate CISO under the CIO, holding EU personal data only.
BASE: dict[str, Any] = {
    "employees": 420,
    "sector": "technology",
    "jurisdictions": ("eu", "us"),
    "nis2_entity": "neither",
    "us_listed": "no",
    "regulated_data": ("eu_personal",),
    "has_cio": "yes",
    "has_ciso": "yes",
    "dual_role": "no",
    "ciso_reports_to": "cio",
    "security_assignment_written": "yes",
    "security_board_line": "no",
    "security_ceo_line": "yes",
    "third_party_access": "yes",
}


@pytest.fixture(scope="module")
def v2() -> Questionnaire:
    return load_file(V2)


def shown(q: Questionnaire, **context: Any) -> frozenset[str]:
    return visible_questions(q, {**BASE, **context}, "CIO")


# --- help texts and one thing at a time ----------------------------------------------------


#: Wordings that hand the respondent the model's answer.
GIVES_THE_ANSWER = re.compile(
    r"\bthe model\b|\bexpect|\bshould (be|answer)|\bgives? (this|it|the final say) to\b", re.I
)


def test_no_help_text_names_the_expected_answer(v2: Questionnaire) -> None:
    for q in v2.questions.values():
        assert not GIVES_THE_ANSWER.search(q.help), (q.id, q.help)
    # An owner question's help names no role at all: it would steer the choice.
    roles = {code for code in ROLE_CODES if code not in ("NONE", "SHARED")}
    for q in v2.questions.values():
        if q.kind == "owner":
            words = set(re.findall(r"[A-Z]{2,}", q.help))
            assert not words & roles, (q.id, q.help)


@pytest.mark.parametrize(
    "qid",
    [
        "str_security_consulted_owner",
        "inf_security_by_design_owner",
        "inf_app_security_owner",
        "sec_tools_owner",
        "tpr_access_approval_owner",
        "gov_joint_strategy_owner",
    ],
)
def test_the_six_questions_of_the_issue_no_longer_give_the_answer(
    v2: Questionnaire, qid: str
) -> None:
    assert "model" not in v2.questions[qid].help.lower()


@pytest.mark.parametrize(
    ("kept", "new", "responsibility"),
    [
        ("sec_monitoring_owner", "sec_checks_owner", "SEC-4"),
        ("sec_threat_watch_owner", "sec_regulatory_watch_owner", "SEC-5"),
        ("inf_infrastructure_owner", "inf_infrastructure_review_owner", "INF-1"),
        ("str_exec_participation", "str_exec_member", "STR-2"),
    ],
)
def test_two_in_one_questions_are_split(
    v2: Questionnaire, kept: str, new: str, responsibility: str
) -> None:
    v1 = load_file(V1)
    assert kept in v1.questions and new not in v1.questions  # the id kept for one half
    assert v2.questions[kept].responsibility == v2.questions[new].responsibility
    assert v2.questions[new].responsibility == responsibility
    for qid in (kept, new):
        text = v2.questions[qid].text
        assert ", and " not in text and " and for " not in text, text
    assert v2.questions[kept].text != v1.questions[kept].text


@pytest.mark.parametrize(
    ("accountable", "work"),
    [("sec_tools_owner", "sec_tools_run_by"), ("dat_access_owner", "dat_access_enforced_by")],
)
def test_who_does_the_work_is_a_fact_not_an_owner_judged_against_the_model(
    v2: Questionnaire, accountable: str, work: str
) -> None:
    """IT operations running the tools or enforcing access is normal: asked apart from who
    is accountable, as context, so it can never read as a misplaced owner."""
    assert v2.questions[accountable].kind == "owner"
    assert v2.questions[work].context and v2.questions[work].kind == "choice"
    assert v2.questions[work].responsibility is None


def test_the_escalation_line_asks_the_board_and_the_ceo_apart(v2: Questionnaire) -> None:
    board, ceo = v2.questions["security_board_line"], v2.questions["security_ceo_line"]
    assert "CEO" not in board.text and "board" in board.text
    assert "CEO" in ceo.text and "board" not in ceo.text
    # a CISO who reports to the CEO is not asked whether they can reach the CEO
    assert "security_ceo_line" not in shown(v2, ciso_reports_to="ceo")
    # the structure rules read both
    independent = next(r for r in v2.structure if r.id == "ciso_independent")
    assert "security_ceo_line" in json.dumps(independent.when.model_dump(by_alias=True))


# --- the model's roles and responsibilities ---------------------------------------------


def test_owner_questions_offer_the_models_roles(v2: Questionnaire) -> None:
    owners = [q for q in v2.questions.values() if q.kind == "owner"]
    assert owners
    for q in owners:
        assert [o.value for o in q.all_options] == list(ROLE_CODES), q.id
    labels = [o.label for o in owners[0].all_options]
    assert labels[:6] == [
        "The CIO",
        "The CISO",
        "The CTO or head of engineering",
        "The Chief Data Officer",
        "The CRO or risk function",
        "The Data Protection Officer",
    ]
    assert coerce_answer(owners[0], "cto") == "CTO"
    with pytest.raises(AnswerError, match="is not one of CIO, CISO, CTO"):
        coerce_answer(owners[0], "CFO")


def test_ciso_reports_to_offers_the_cro(v2: Questionnaire) -> None:
    options = {o.value: o.label for o in v2.questions["ciso_reports_to"].all_options}
    assert "cro" in options and "Risk" in options["cro"]


def test_every_responsibility_has_an_owner_and_a_practice_question(v2: Questionnaire) -> None:
    assert list(v2.responsibilities) == MODEL_IDS
    for rid in MODEL_IDS:
        kinds = [q.kind for q in v2.questions.values() if q.responsibility == rid]
        assert "owner" in kinds, rid
        assert "maturity" in kinds or any(k in kinds for k in ("choice", "yesno", "multi")), rid
    for rid in ("GOV-5", "GOV-6", "SEC-8", "SEC-9"):  # the edition's new ones
        kinds = {q.kind for q in v2.questions.values() if q.responsibility == rid}
        assert {"owner", "maturity"} <= kinds, rid
        assert kinds - {"owner", "maturity"}, rid  # and a concrete practice question


@pytest.mark.parametrize(
    ("topic", "ids", "responsibility"),
    [
        (
            "security budget",
            ["gov_security_budget_separate", "gov_security_budget_adequate"],
            "GOV-6",
        ),
        ("the CISO's authority", ["sec_stop_release", "sec_stop_purchase"], "SEC-7"),
        (
            "board oversight",
            ["gov_board_cyber_frequency", "gov_board_cyber_expertise", "gov_board_decisions"],
            "GOV-5",
        ),
        ("risk appetite and acceptance", ["sec_risk_appetite", "sec_risk_register"], "SEC-8"),
        ("independent review", ["sec_independent_review", "sec_audit_follow_up"], "SEC-9"),
        ("NIS2 Art. 20", ["gov_nis2_approval", "gov_nis2_training"], "GOV-5"),
        ("DORA Art. 5", ["gov_dora_management_body"], "GOV-5"),
        ("DORA Art. 6(4)", ["sec_dora_control_function_owner"], "SEC-8"),
        ("DORA Art. 6(4) lines", ["gov_dora_independence"], "GOV-1"),
        ("PCI DSS 12.1.4 / 12.4", ["sec_pci_responsibility", "sec_pci_program_owner"], "SEC-2"),
        ("GDPR DPO", ["dat_dpo_designated", "dat_dpo_position"], "DAT-4"),
        ("HIPAA privacy official", ["dat_hipaa_privacy_official"], "DAT-4"),
        ("HIPAA breach notification", ["dat_hipaa_breach_notification"], "DAT-7"),
        ("reporting deadlines", ["dat_reporting_deadlines", "dat_nis2_reporting"], "DAT-7"),
        ("SEC 8-K", ["dat_sec_materiality"], "DAT-7"),
    ],
)
def test_new_topics_are_scored_questions_of_their_responsibility(
    v2: Questionnaire, topic: str, ids: list[str], responsibility: str
) -> None:
    for qid in ids:
        q = v2.questions[qid]
        assert q.responsibility == responsibility, (topic, qid)
        assert q.scored, (topic, qid)


# --- applicability: sector, jurisdiction and data decide what is asked ---------------------


REGULATED = {
    "nis2": ["gov_nis2_approval", "gov_nis2_training", "dat_nis2_reporting"],
    "dora": [
        "gov_dora_management_body",
        "gov_dora_independence",
        "sec_dora_control_function_owner",
    ],
    "pci": ["sec_pci_responsibility"],
    "pci_provider": ["sec_pci_program_owner", "sec_pci_quarterly_reviews"],
    "gdpr": ["dat_dpo_designated"],
    "hipaa": ["dat_hipaa_privacy_official", "dat_hipaa_breach_notification"],
    "sec": ["dat_sec_materiality"],
}


def test_regulation_questions_show_only_where_the_regulation_can_apply(
    v2: Questionnaire,
) -> None:
    def asked(group: str, **context: Any) -> bool:
        found = {qid in shown(v2, **context) for qid in REGULATED[group]}
        assert len(found) == 1, (group, context)  # all of a group or none
        return found.pop()

    # the typical respondent: EU personal data only, not NIS2, not listed, not finance
    assert asked("gdpr")
    assert not any(asked(g) for g in ("nis2", "dora", "pci", "pci_provider", "hipaa", "sec"))
    # NIS2: an EU essential or important entity, but not a financial one (DORA instead)
    assert asked("nis2", nis2_entity="essential")
    assert not asked("nis2", nis2_entity="essential", sector="finance")
    assert asked("dora", sector="finance")
    assert not asked("dora", sector="finance", jurisdictions=("us",))
    # card data; the service provider's duties only for a service provider
    assert asked("pci", regulated_data=("payment_card",))
    assert not asked("pci_provider", regulated_data=("payment_card",), card_service_provider="no")
    assert asked("pci_provider", regulated_data=("payment_card",), card_service_provider="yes")
    # HIPAA: US health information; GDPR questions not for a US-only hospital
    us_hospital = {"jurisdictions": ("us",), "regulated_data": ("health",)}
    assert asked("hipaa", **us_hospital)
    assert not asked("gdpr", **us_hospital)
    assert not asked("hipaa", regulated_data=("health",), jurisdictions=("eu",))
    assert asked("sec", us_listed="domestic")
    assert not asked("sec", us_listed="foreign")


def test_sector_and_jurisdiction_are_used(v2: Questionnaire) -> None:
    reads = json.dumps(
        [q.show_if.model_dump(by_alias=True) for q in v2.questions.values() if q.show_if]
        + [g.when.model_dump(by_alias=True) for g in v2.regulations if g.when]
    )
    for context in ("sector", "jurisdictions", "nis2_entity", "us_listed", "regulated_data"):
        assert f'"q": "{context}"' in reads, context


# --- structure: no CISO, dual role ------------------------------------------------------


def test_without_a_ciso_the_questions_about_a_ciso_are_hidden(v2: Questionnaire) -> None:
    with_ciso = shown(v2)
    without = shown(v2, has_ciso="no", security_assignment_written="no")
    for qid in ("ciso_reports_to", "gov_joint_planning", "dual_role"):
        assert qid in with_ciso and qid not in without, qid
    assert "sec_duties_without_ciso" in without and "sec_duties_without_ciso" not in with_ciso


def test_a_dual_role_respondent_is_not_asked_what_does_not_fit(v2: Questionnaire) -> None:
    dual = shown(v2, dual_role="yes")
    separate = shown(v2)
    hidden = {
        "gov_joint_planning",
        "gov_joint_strategy_owner",
        "gov_joint_strategy_maturity",
        "str_strategy_security_input",
        "tpr_security_in_procurement",
    }
    assert hidden <= separate
    assert not hidden & dual
    assert "gov_dual_role_review" in dual and "gov_dual_role_review" not in separate
    # every responsibility still has a question for the dual role but GOV-3 (the two
    # leaders' joint plan, which one person cannot make with themselves)
    covered = {v2.questions[qid].responsibility for qid in dual} - {None}
    assert set(MODEL_IDS) - covered == {"GOV-3"}


def test_a_dual_role_respondent_gets_guidance_on_how_to_answer(v2: Questionnaire) -> None:
    dual = {**BASE, "dual_role": "yes"}
    notes = guidance_for(v2, "strategy", dual, "CIO")
    assert len(notes) == 1 and '"The CIO"' in notes[0] and '"The CISO"' in notes[0]
    assert guidance_for(v2, "strategy", BASE, "CIO") == ()
    assert guidance_for(v2, "governance", dual, "CISO")
    assert "The CISO" in v2.questions["dual_role"].help  # where the fact is given
    no_ciso = guidance_for(v2, "strategy", {**BASE, "has_ciso": "no"}, "CIO")
    assert len(no_ciso) == 1 and "whoever leads security" in no_ciso[0]


def test_guidance_reads_only_earlier_pages() -> None:
    with pytest.raises(QuestionnaireError, match="'q_later', which is not on an earlier page"):
        load_text(GUIDED)
    guided = load_text(GUIDED.replace("{q: q_later", "{q: q_first"))
    assert guided.sections[1].guidance[0].text == "Read this."


GUIDED = """
id: guided
version: 1
title: Guided
model:
  - {id: SEC-1, domain: security, title: A program, accountable: CISO}
sections:
  - id: context
    title: Context
    questions:
      - {id: q_first, kind: yesno, context: true, text: First?}
  - id: security
    title: Security
    guidance:
      - {show_if: {q: q_later, eq: "yes"}, text: Read this.}
    questions:
      - {id: q_later, kind: yesno, text: Later?, responsibility: SEC-1,
         options: [{value: "yes", label: "Yes", score: 1}, {value: "no", label: "No", score: 0}]}
      - {id: q_owner, kind: owner, text: Who?, responsibility: SEC-1}
"""


# --- consistency ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "given"),
    [
        ("regulated_data", ["health", "none"]),
        ("gov_board_decisions", ["budget", "unknown"]),
        ("gov_board_decisions", ["none", "strategy"]),
    ],
)
def test_an_exclusive_option_with_another_is_refused(
    v2: Questionnaire, qid: str, given: list[str]
) -> None:
    with pytest.raises(AnswerError, match="cannot be ticked together with another answer"):
        coerce_answer(v2.questions[qid], given)
    assert coerce_answer(v2.questions[qid], given[:1]) == given[:1]


def test_only_a_multi_option_can_be_exclusive() -> None:
    bad = GUIDED.replace(
        "{id: q_first, kind: yesno, context: true, text: First?}",
        "{id: q_first, kind: choice, context: true, text: First?, options: "
        "[{value: a, label: A, exclusive: true}, {value: b, label: B}]}",
    ).replace('      - {show_if: {q: q_later, eq: "yes"}, text: Read this.}\n', "")
    bad = bad.replace("    guidance:\n", "")
    with pytest.raises(QuestionnaireError, match="only a multi question's option can be exclusive"):
        load_text(bad)


def respondent(name: str, role: str, **answers: Any) -> Respondent:
    return Respondent(name, role, {**BASE, **answers})


def test_contradictions_across_questions_are_flagged_not_scored(v2: Questionnaire) -> None:
    honest = respondent("Ann", "CIO", dat_breach_plan_exists="yes", dat_breach_plan_maturity=4)
    torn = respondent("Bob", "CISO", dat_breach_plan_exists="no", dat_breach_plan_maturity=4)
    result = score(v2, [honest, torn])
    [flag] = result.inconsistencies
    assert (flag.check, flag.respondent, flag.role) == ("no_breach_plan_but_ready", "Bob", "CISO")
    assert flag.questions == ("dat_breach_plan_exists", "dat_breach_plan_maturity")
    assert flag.answers[0] == "No" and flag.answers[1].startswith("Optimised")
    assert "breach" in flag.message
    assert result.to_dict()["inconsistencies"][0]["check"] == "no_breach_plan_but_ready"
    # the flag does not move a score: the same answers without the check score the same
    unchecked = v2.model_copy(update={"consistency": (), "hash": ""})
    assert score(unchecked, [honest, torn]).overall == result.overall
    assert score(unchecked, [honest, torn]).inconsistencies == ()


def test_none_of_these_data_with_regulated_data_elsewhere_is_flagged(v2: Questionnaire) -> None:
    result = score(v2, [respondent("Ann", "CIO", regulated_data=("none",))])
    assert [i.check for i in result.inconsistencies] == ["eu_operations_without_eu_personal_data"]
    no_ciso = respondent("Cy", "CIO", has_ciso="no", sec_responsibility_owner="CISO")
    assert [i.check for i in score(v2, [no_ciso]).inconsistencies] == ["no_ciso_but_ciso_named"]


def test_every_consistency_check_can_hold_and_reads_what_it_lists(v2: Questionnaire) -> None:
    assert len(v2.consistency) >= 10
    for check in v2.consistency:
        assert set(check.questions) <= set(v2.questions), check.id
        assert check.message.strip().endswith("."), check.id


# --- the time estimate ------------------------------------------------------------------


def test_the_estimate_counts_the_questions_shown_by_their_kind(v2: Questionnaire) -> None:
    small = shown(v2, has_ciso="no", security_assignment_written="yes", employees=40)
    bank = shown(
        v2,
        sector="finance",
        regulated_data=("eu_personal", "payment_card"),
        card_service_provider="yes",
        us_listed="domestic",
    )
    few, many = estimate(v2, small), estimate(v2, bank)
    assert few.questions == len(small) and many.questions == len(bank)
    assert few.seconds == sum(SECONDS_BY_KIND[v2.questions[q].kind] for q in small)
    assert many.seconds > few.seconds
    assert few.minutes == -(-few.seconds // 60)
    assert "40 s for a maturity question" in few.assumption
    assert estimate(v2, ()).questions == 0


# --- v1 is unchanged and still scores -----------------------------------------------------


def test_v1_still_loads_and_scores_with_its_own_questions() -> None:
    v1 = load_file(V1)
    assert v1.hash == V1_HASH
    answers = json.loads((ROOT / "tests" / "answers" / "demo-v1.json").read_text())
    assert answers["questionnaire"] == "cio-ciso-governance" and answers.get("version", 1) == 1
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    out = app.test_cli_runner().invoke(
        args=["score", str(ROOT / "tests" / "answers" / "demo-v1.json")]
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["questionnaire"]["version"] == 1
    assert result["inconsistencies"] == []  # v1 declares no checks
    owner = v1.questions["sec_program_owner"]
    assert [o.value for o in owner.all_options] == ["CIO", "CISO", "SHARED", "EXEC", "NONE"]


def test_the_command_line_refuses_an_exclusive_option_with_another(tmp_path: Path) -> None:
    data = {
        "questionnaire": "cio-ciso-governance",
        "version": 2,
        "respondents": [
            {"name": "Ann", "role": "CIO", "answers": {"regulated_data": ["none", "health"]}}
        ],
    }
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    out = app.test_cli_runner().invoke(args=["score", str(path)])
    assert out.exit_code == 2
    assert out.stderr == (
        f'error: {path}: respondents[0].answers.regulated_data: "None of these" cannot be '
        f"ticked together with another answer: untick it or the others\n"
    )
