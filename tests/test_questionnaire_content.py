"""The shipped questionnaire, cio-ciso-governance v1: the model as the model document
has it, the questions it promises, and rules that fire where they should."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from assessor.questionnaire import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    NotOf,
    Question,
    Questionnaire,
    RoleIs,
    load_file,
    load_paths,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questionnaires" / "cio-ciso-governance" / "v1"

#: docs/responsibility-model.md, as written there: id, domain, accountable, consulted,
#: references (CSF = NIST CSF 2.0, ISO = ISO/IEC 27001:2022 Annex A).
MODEL_DOC = """
STR-1 strategy CIO CISO | CSF GV.OC-01, CSF GV.OC-04
STR-2 strategy CIO - | CSF GV.RR-01
STR-3 strategy CIO - | CSF GV.RM-05
STR-4 strategy CIO - | CSF GV.RR-03
STR-5 strategy EXEC CISO | CSF GV.RM-03, CSF GV.OC-03
INF-1 infrastructure CIO - | CSF ID.AM-01, CSF ID.AM-02
INF-2 infrastructure SHARED - | CSF GV.RM-03, CSF PR.PS
INF-3 infrastructure CISO CIO | ISO 8.25, ISO 8.28, CSF PR.PS-06
SEC-1 security CISO CIO | CSF GV.RM-01, CSF GV.PO-01, ISO 5.1, HIPAA 164.308(a)(1)
SEC-2 security CISO - | CSF GV.RR-02, ISO 5.2, HIPAA 164.308(a)(2)
SEC-3 security CISO - | CSF PR.AT-01, CSF PR.AT-02, ISO 6.3, HIPAA 164.308(a)(5)
SEC-4 security CISO - | CSF DE.CM-01, CSF GV.OV-03, ISO 8.16, ISO 5.35
SEC-5 security CISO - | CSF GV.OC-03, CSF ID.RA-02, ISO 5.31
SEC-6 security CISO CIO | CSF PR.PS-01, ISO 8.8
SEC-7 security CISO - | CSF GV.RR-02
DAT-1 data CIO CISO | CSF GV.OC-04
DAT-2 data CISO CIO | CSF ID.AM-07, ISO 5.9, ISO 5.12
DAT-3 data CISO CIO | CSF PR.AA-05, ISO 5.15
DAT-4 data CISO CIO | ISO 5.34, GDPR Art. 32
DAT-5 data CISO - | CSF DE.AE
DAT-6 data CISO CIO | CSF PR.DS-01, CSF PR.DS-02
DAT-7 data CISO CIO | CSF RS.MA-01, ISO 5.24, ISO 5.26, GDPR Art. 33, HIPAA 164.308(a)(6)
TPR-1 third_parties CIO CISO | CSF GV.SC-01
TPR-2 third_parties CISO CIO | CSF GV.SC-05, CSF GV.SC-06, ISO 5.19, ISO 5.20
TPR-3 third_parties CISO - | CSF GV.SC-07, ISO 5.22, GDPR Art. 28, HIPAA 164.308(b)
GOV-1 governance EXEC - | CSF GV.RR-02, CSF GV.RR-03
GOV-2 governance EXEC - | CSF GV.RR-01, CSF GV.OV-01, ISO 5.3
GOV-3 governance SHARED - | CSF GV.RM-05
GOV-4 governance EXEC CIO,CISO | CSF GV.RR-02, ISO 5.2
"""

DOMAIN_PREFIX = {
    "strategy": "str_",
    "infrastructure": "inf_",
    "security": "sec_",
    "data": "dat_",
    "third_parties": "tpr_",
    "governance": "gov_",
}


def _reference(doc: str) -> str:
    """The doc's short form in the questionnaire's spelling: CSF -> NIST CSF, ISO -> ISO 27001 A."""
    if doc.startswith("CSF "):
        return "NIST " + doc
    if doc.startswith("ISO "):
        return "ISO 27001 A." + doc.removeprefix("ISO ")
    return doc


def _doc_model() -> dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    model = {}
    for line in MODEL_DOC.strip().splitlines():
        head, refs = line.split(" | ")
        rid, domain, accountable, consulted = head.split()
        model[rid] = (
            domain,
            accountable,
            () if consulted == "-" else tuple(consulted.split(",")),
            tuple(_reference(r) for r in refs.split(", ")),
        )
    return model


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_file(SHIPPED)


def test_every_shipped_file_validates() -> None:
    catalog, problems = load_paths([ROOT / "questionnaires"])
    assert problems == []
    assert [item.key for item in catalog.all()] == [
        ("cio-ciso-governance", 1),
        ("cio-ciso-governance", 2),
    ]


def test_the_model_is_the_model_document(q: Questionnaire) -> None:
    expected = _doc_model()
    assert [r.id for r in q.model] == list(expected)
    for r in q.model:
        assert (r.domain, r.accountable, r.consulted, r.references) == expected[r.id], r.id


def test_sections_are_the_domains_after_the_context(q: Questionnaire) -> None:
    assert [s.id for s in q.sections] == ["context", *DOMAIN_PREFIX]
    assert q.sections[0].title == "About your organisation"
    for section in q.sections[1:]:
        assert {r.domain for r in q.model if r.id in _evidenced(section.questions)} == {section.id}


def _evidenced(questions: tuple[Question, ...]) -> set[str]:
    return {x.responsibility for x in questions if x.responsibility}


def test_context_questions(q: Questionnaire) -> None:
    context = q.sections[0].questions
    assert all(x.context and x.responsibility is None for x in context)
    kinds = {x.id: x.kind for x in context}
    assert (
        kinds
        | {
            "employees": "number",
            "sector": "choice",
            "regulated_data": "multi",
            "has_cio": "yesno",
            "has_ciso": "yesno",
            "dual_role": "yesno",
            "ciso_reports_to": "choice",
            "security_board_line": "yesno",
        }
        == kinds
    )
    values = {x.id: [o.value for o in x.all_options] for x in context}
    assert values["regulated_data"] == ["eu_personal", "health", "payment_card", "none"]
    assert values["ciso_reports_to"] == ["ceo", "cio", "cfo", "coo", "board", "other"]
    questions = q.questions
    assert _shown_if(questions["dual_role"]) == {
        "all": [{"q": "has_cio", "eq": "yes"}, {"q": "has_ciso", "eq": "yes"}]
    }
    assert _shown_if(questions["ciso_reports_to"]) == {"q": "has_ciso", "eq": "yes"}
    assert _shown_if(questions["sec_duties_without_ciso"]) == {"q": "has_ciso", "eq": "no"}
    # Only the context questions describe the organisation.
    assert [x.id for x in q.questions.values() if x.context] == [x.id for x in context]


def _shown_if(question: Question) -> Any:
    assert question.show_if is not None
    return question.show_if.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_regulation_specific_questions_show_only_when_the_data_is_held(
    q: Questionnaire,
) -> None:
    regulated = {"HIPAA": "health", "GDPR": "eu_personal", "PCI DSS": "payment_card"}
    checked = 0
    for question in q.questions.values():
        if question.kind not in ("choice", "yesno") or question.context:
            continue
        for name, data in regulated.items():
            if name in question.text or name in question.help:
                assert _shown_if(question) == {"q": "regulated_data", "eq": data}, question.id
                checked += 1
    assert checked >= 5


def test_one_owner_question_and_a_practice_question_per_responsibility(
    q: Questionnaire,
) -> None:
    for r in q.model:
        questions = [x for x in q.questions.values() if x.responsibility == r.id]
        owners = [x.id for x in questions if x.kind == "owner"]
        assert len(owners) == 1, r.id
        practice = [
            x
            for x in questions
            if x.kind == "maturity" or (x.kind in ("choice", "yesno") and x.scored)
        ]
        assert practice, r.id


def test_question_ids(q: Questionnaire) -> None:
    for section in q.sections[1:]:
        for question in section.questions:
            assert question.id.startswith(DOMAIN_PREFIX[section.id]), question.id
            assert question.id.endswith("_owner") == (question.kind == "owner"), question.id
    assert {x.id for x in q.questions.values() if x.kind == "owner"} >= {
        "dat_breach_plan_owner",
        "sec_program_owner",
        "tpr_access_approval_owner",
    }
    assert q.questions["dat_breach_plan_owner"].responsibility == "DAT-7"
    assert q.questions["sec_program_owner"].responsibility == "SEC-1"
    assert q.questions["tpr_access_approval_owner"].responsibility == "TPR-2"


def test_maturity_levels_are_written_for_each_question(q: Questionnaire) -> None:
    seen: dict[str, str] = {}
    for question in q.questions.values():
        if question.kind != "maturity":
            continue
        assert len(set(question.levels)) == 5, question.id
        for level in question.levels:
            assert level not in seen, f"{question.id} repeats a level of {seen.get(level)}"
            seen[level] = question.id


def test_rules(q: Questionnaire) -> None:
    assert len(q.rules) >= 25
    kinds = {rule.finding.kind for rule in q.rules}
    assert {"structural", "regulatory"} <= kinds
    assert sum(_uses_role(rule.when) for rule in q.rules) >= 3
    model_references = {ref for r in q.model for ref in r.references}
    for rule in q.rules:
        assert rule.finding.references, rule.id
        assert set(rule.finding.references) <= model_references, rule.id
        assert rule.finding.responsibility in q.responsibilities, rule.id


def _uses_role(condition: Condition) -> bool:
    if isinstance(condition, RoleIs):
        return True
    if isinstance(condition, AllOf):
        return any(_uses_role(c) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(_uses_role(c) for c in condition.any)
    if isinstance(condition, NotOf):
        return _uses_role(condition.not_)
    return False


def test_every_rule_says_where_it_comes_from() -> None:
    """Each rule in rules.yaml is preceded by a comment naming its source."""
    lines = (SHIPPED / "rules.yaml").read_text().splitlines()
    for index, line in enumerate(lines):
        if line.startswith("  - id: "):
            assert lines[index - 1].lstrip().startswith("#"), line


# --- rules on scenarios -----------------------------------------------------------------
# A small reading of the condition semantics documented in assessor.questionnaire (the
# engine's is the real one): unanswered makes every comparison false but ne and
# answered: false; eq/in against a multi answer test membership/overlap.


def holds(condition: Condition, answers: Mapping[str, Any], role: str | None) -> bool:
    if isinstance(condition, AllOf):
        return all(holds(c, answers, role) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(holds(c, answers, role) for c in condition.any)
    if isinstance(condition, NotOf):
        return not holds(condition.not_, answers, role)
    if isinstance(condition, RoleIs):
        return role == condition.respondent_role
    assert isinstance(condition, Compare)
    op, operand = condition.op, condition.operand
    if condition.q not in answers:
        return op == "ne" or (op == "answered" and not operand)
    answer = answers[condition.q]
    many = answer if isinstance(answer, list) else [answer]
    tests = {
        "eq": lambda: operand in many,
        "ne": lambda: operand not in many,
        "in": lambda: any(a in operand for a in many),
        "not_in": lambda: not any(a in operand for a in many),
        "gt": lambda: answer > operand,
        "gte": lambda: answer >= operand,
        "lt": lambda: answer < operand,
        "lte": lambda: answer <= operand,
        "answered": lambda: bool(operand),
    }
    return bool(tests[op]())


def fired(q: Questionnaire, answers: Mapping[str, Any], role: str | None = None) -> set[str]:
    for qid, value in answers.items():
        question = q.questions[qid]
        allowed = [o.value for o in question.all_options]
        for v in value if isinstance(value, list) else [value]:
            assert not allowed or v in allowed, (qid, v)
    return {rule.id for rule in q.rules if holds(rule.when, answers, role)}


HEALTHY = {
    "employees": 400,
    "regulated_data": ["none"],
    "has_cio": "yes",
    "has_ciso": "yes",
    "dual_role": "no",
    "ciso_reports_to": "ceo",
    "security_board_line": "yes",
    "third_party_access": "yes",
    "tpr_access_list": "yes",
    "dat_breach_plan_exists": "yes",
    "gov_board_reporting": "quarterly",
    "str_security_consulted": "before",
}


@pytest.mark.parametrize(
    ("changes", "role", "expected"),
    [
        ({}, None, set()),
        ({"employees": 300, "has_ciso": "no"}, None, {"no_security_executive"}),
        ({"employees": 5000, "has_ciso": "no"}, None, {"no_security_executive_large"}),
        ({"employees": 100, "has_ciso": "no"}, None, set()),
        (
            {"ciso_reports_to": "cio", "security_board_line": "no"},
            None,
            {"ciso_under_cio_without_escalation"},
        ),
        ({"ciso_reports_to": "cio"}, None, set()),
        (
            {"dual_role": "yes", "gov_dual_role_review": "no"},
            None,
            {"dual_role_without_review"},
        ),
        (
            {"regulated_data": ["eu_personal"], "tpr_partner_compliance_maturity": 1},
            None,
            {"gdpr_partner_compliance_immature"},
        ),
        (
            {"regulated_data": ["health"], "sec_named_person": "no"},
            None,
            {"hipaa_no_assigned_security_official"},
        ),
        ({"dat_breach_plan_exists": "no"}, None, {"no_breach_plan"}),
        (
            {"dat_breach_plan_exists": "no", "regulated_data": ["payment_card"]},
            None,
            {"no_breach_plan_regulated_data"},
        ),
        ({"str_security_consulted": "after"}, None, {"security_hears_of_decisions_late"}),
        ({"sec_program_owner": "CIO"}, "CIO", {"cio_claims_security_program"}),
        ({"sec_program_owner": "CIO"}, None, set()),
        ({"sec_program_owner": "CIO"}, "CISO", set()),
        ({"sec_responsibility_owner": "NONE"}, "CEO", {"ceo_cannot_name_security_owner"}),
    ],
)
def test_rules_fire_on_their_scenario(
    q: Questionnaire, changes: dict[str, Any], role: str | None, expected: set[str]
) -> None:
    assert fired(q, HEALTHY | changes, role) == expected


def test_placeholders_name_questions_the_rule_reads(q: Questionnaire) -> None:
    """A ``{question}`` placeholder is filled from an answer the rule itself looked at."""
    for rule in q.rules:
        named = set(
            re.findall(r"\{([a-z_0-9]+)\}", rule.finding.title + rule.finding.recommendation)
        )
        read = set(_reads(rule.when))
        assert named - {"organization", "respondent"} <= read, rule.id


def _reads(condition: Condition) -> list[str]:
    if isinstance(condition, Compare):
        return [condition.q]
    if isinstance(condition, AllOf | AnyOf):
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        return [qid for part in parts for qid in _reads(part)]
    if isinstance(condition, NotOf):
        return _reads(condition.not_)
    return []
