"""The model's edition 2 in the file format: roles, alternatives, structure rules,
regulations, typed references and the draft status, each fault from a small broken file
beside a good one (tests/questionnaires_model/), with the exact line it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessor.questionnaire import QuestionnaireError, load_file, load_text
from assessor.questionnaire.references import parse_reference

FILES = Path(__file__).parent / "questionnaires_model"
GOOD = FILES / "good.yaml"

#: file name -> the problems it must produce, as "location: message".
EXPECTED: dict[str, list[str]] = {
    "undeclared_role.yaml": ["model[0].alternatives[1].role: role CRO is not declared in roles"],
    "alternative_is_accountable.yaml": [
        "model[0].alternatives[0].role: CISO is the accountable role: an alternative is "
        "another role"
    ],
    "unknown_structure.yaml": [
        "model[0].alternatives[0].structure: unknown structure rule 'small_no_ciso' "
        "(did you mean 'small_without_ciso'?)"
    ],
    "alternative_reads_an_answer.yaml": [
        "model[1].alternatives[0].when: 'sec_program_owner' is not a context question: the "
        "organisation's facts are read from context questions only"
    ],
    "role_decides_a_regulation.yaml": [
        "regulations[2].when: respondent_role cannot decide a fact about the organisation"
    ],
    "reference_without_kind.yaml": [
        "model[2].references[0]: 'ISO 27001 9.2' does not say what it is: write 'ISO 27001 "
        "clause 5.3' for a clause or 'ISO 27001 A.5.3' for an Annex A control"
    ],
    "reference_not_in_the_document.yaml": [
        "model[1].references[0]: A.5.38 is not an Annex A control of ISO/IEC 27001:2022",
        "model[1].references[1]: ID.AM-06 is not a NIST CSF 2.0 subcategory",
    ],
    "reference_of_no_regulation.yaml": [
        "model[2].references[1]: no regulation or framework claims hipaa_section references: "
        "add hipaa_section to the reference_kinds of one in regulations"
    ],
    "regulations_yield_to_each_other.yaml": [
        "regulations[3].yields_to[0]: NIS2 and DORA yield to each other: one of them must apply",
        "regulations[4].yields_to[0]: DORA and NIS2 yield to each other: one of them must apply",
    ],
    "unknown_yields_to.yaml": [
        "regulations[3].yields_to[0]: unknown regulation 'DORAA' (did you mean 'DORA'?)"
    ],
    "unknown_reference_kind.yaml": [
        "regulations[1].reference_kinds[1]: 'iso' is not one of: csf, iso_clause, iso_annex_a, "
        "cobit, gdpr_article, hipaa_section, pci_requirement, nis2_article, dora_article, "
        "sec_rule"
    ],
    "duplicate_role.yaml": ["roles[3].code: duplicate role 'CTO' (first at roles[2])"],
    "unknown_status.yaml": ["status: 'final' is not one of: published, draft"],
    "no_none_role.yaml": ["roles: declare the role NONE: the model needs it to tell gaps apart"],
    "same_person_once.yaml": [
        "structure[1].same_person: same_person needs two or more different roles"
    ],
    "published_with_uncovered.yaml": [
        "model[2]: SEC-9 is not covered by any question: add at least an owner question with "
        "responsibility: SEC-9"
    ],
    "alternatives_without_roles.yaml": [
        "model[0].alternatives: declare the model's roles (roles:) to use alternatives",
        "model[0].alternatives[0].role: CTO is not one of CIO, CISO, SHARED, EXEC, NONE: "
        "declare the model's roles (roles:) to use it",
        "model[1].alternatives: declare the model's roles (roles:) to use alternatives",
        "model[1].alternatives[0].role: DPO is not one of CIO, CISO, SHARED, EXEC, NONE: "
        "declare the model's roles (roles:) to use it",
    ],
}


def test_every_broken_file_has_an_expectation() -> None:
    names = sorted(p.name for p in FILES.glob("*.yaml") if p != GOOD)
    assert names == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_reports_file_location_and_message(name: str) -> None:
    path = FILES / name
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}: {line}" for line in EXPECTED[name]]


def test_the_good_file_loads_with_its_edition_two_records() -> None:
    q = load_file(GOOD)
    assert q.draft
    assert [role.code for role in q.roles] == [
        "CIO",
        "CISO",
        "CTO",
        "DPO",
        "EXEC",
        "SHARED",
        "NONE",
    ]
    sec1 = q.responsibilities["SEC-1"]
    assert [(a.role, a.structure, a.note) for a in sec1.alternatives] == [
        ("CTO", "small_without_ciso", "Small and written.")
    ]
    assert [s.id for s in q.structure] == ["small_without_ciso", "dual_role"]
    assert q.structure[1].same_person == ("CIO", "CISO")
    assert [(g.id, g.yields_to) for g in q.regulations][3] == ("NIS2", ("DORA",))
    assert q.role_labels["CTO"] == "The CTO"


def test_a_draft_may_leave_a_responsibility_uncovered_a_published_one_may_not() -> None:
    text = GOOD.read_text()
    assert load_text(text).responsibilities["SEC-9"]
    with pytest.raises(QuestionnaireError, match="SEC-9 is not covered by any question"):
        load_text(text.replace("status: draft", "status: published"))
    with pytest.raises(QuestionnaireError, match="SEC-9 is not covered by any question"):
        load_text(text.replace("status: draft\n", ""))


def test_the_status_is_part_of_the_content_hash_only_when_it_is_a_draft() -> None:
    text = GOOD.read_text()
    draft = load_text(text)
    covered = text.replace(
        "rules:",
        "  - id: sec9\n    title: Audit\n    questions:\n"
        "      - {id: audit_owner, kind: owner, responsibility: SEC-9, text: Who?}\nrules:",
    ).replace(
        "domain: security\n    title: Security is audited",
        "domain: sec9\n    title: Security is audited",
    )
    published = load_text(covered.replace("status: draft", "status: published"))
    implicit = load_text(covered.replace("status: draft\n", ""))
    assert published.hash == implicit.hash  # the default is left out of the hash
    assert load_text(covered).hash != published.hash
    assert draft.hash != load_text(covered).hash


@pytest.mark.parametrize(
    ("text", "kind", "ident"),
    [
        ("NIST CSF GV.RR-02", "csf", "GV.RR-02"),
        ("ISO 27001 clause 5.3", "iso_clause", "5.3"),
        ("ISO 27001 clause 6.1.3", "iso_clause", "6.1.3"),
        ("ISO 27001 A.5.3", "iso_annex_a", "A.5.3"),
        ("COBIT APO14", "cobit", "APO14"),
        ("GDPR Art. 5(2)", "gdpr_article", "Art. 5(2)"),
        ("HIPAA 164.308(a)(1)(ii)(A)", "hipaa_section", "164.308(a)(1)(ii)(A)"),
        ("PCI DSS 12.1.4", "pci_requirement", "12.1.4"),
        ("NIS2 Art. 21(2)(d)", "nis2_article", "Art. 21(2)(d)"),
        ("DORA Art. 6(4)", "dora_article", "Art. 6(4)"),
        ("SEC Form 8-K Item 1.05", "sec_rule", "Form 8-K Item 1.05"),
        ("SEC Regulation S-K Item 106", "sec_rule", "Regulation S-K Item 106"),
    ],
)
def test_a_reference_says_what_it_is(text: str, kind: str, ident: str) -> None:
    reference = parse_reference(text)
    assert (reference.kind, reference.ident, reference.text) == (kind, ident, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ISO 27001 5.3", "does not say what it is"),
        ("ISO 27001 clause 5.4", "5.4 is not a clause of ISO/IEC 27001:2022"),
        ("ISO 27001 A.8.35", "A.8.35 is not an Annex A control"),
        ("NIST CSF GV.XX-01", "GV.XX is not a NIST CSF 2.0 category"),
        ("NIST CSF DE.AE", "is not a reference this format knows"),
        ("COBIT APO15", "APO15 is not a COBIT 2019 objective"),
        ("GDPR Art. 100", "the GDPR has no Article 100"),
        ("NIS2 Art. 47", "NIS2 has no Article 47"),
        ("DORA Art. 65", "DORA has no Article 65"),
        ("PCI 12.10", "is not a reference this format knows"),
    ],
)
def test_a_reference_the_documents_do_not_have_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_reference(text)
