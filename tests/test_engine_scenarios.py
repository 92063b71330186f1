"""Hand-written scenarios on the shipped questionnaire: the findings each answers file in
``tests/answers/`` must produce, and those it must not."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assessor.engine import Result, parse_answers_document, score
from assessor.questionnaire import load_paths

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = Path(__file__).parent / "answers"
CATALOG, PROBLEMS = load_paths([str(ROOT / "questionnaires")])
SEVERE = {"critical", "high", "medium"}


def run(name: str, **changes: Any) -> Result:
    """Score ``tests/answers/<name>.json``; ``changes`` replace answers of every respondent."""
    data = json.loads((ANSWERS / f"{name}.json").read_text())
    for person in data["respondents"]:
        person["answers"].update(changes)
    questionnaire, respondents, organization = parse_answers_document(data, CATALOG)
    return score(questionnaire, respondents, organization=organization.get("name"))


def ids(result: Result) -> set[str]:
    """The gaps found: each finding's id and the ids of the gaps merged into it."""
    return {f.id for f in result.findings} | {p.id for f in result.findings for p in f.parts}


def test_the_shipped_questionnaire_loads_without_problems() -> None:
    assert PROBLEMS == []
    assert len(CATALOG.get("cio-ciso-governance", 1).model) == 29
    assert len(CATALOG.get("cio-ciso-governance").model) == 33  # v2, the published default


def test_nobody_owns_the_breach_plan() -> None:
    result = run("orphaned-breach-plan")
    assert {"orphaned:DAT-7", "rule:ciso_sees_no_breach_plan_owner"} <= ids(result)
    assert not {"misplaced:DAT-7", "ambiguous:DAT-7", "immature:DAT-7"} & ids(result)
    orphaned = result.finding("orphaned:DAT-7")
    assert orphaned is not None
    # One finding, written from the CISO's own rule (the more specific gap): the CISO acts.
    assert orphaned is result.finding("rule:ciso_sees_no_breach_plan_owner")
    assert (orphaned.act, orphaned.domain, orphaned.effort) == ("CISO", "data", "quick win")
    assert [(a.question, a.value, a.respondent) for a in orphaned.evidence.answers] == [
        ("dat_breach_plan_owner", "NONE", "Bo Chen")
    ]
    raci = {row.responsibility: row.status for row in result.raci}
    assert raci["DAT-7"] == "orphaned"


def test_the_cio_owns_the_security_program() -> None:
    result = run("cio-owns-security-program")
    assert {"misplaced:SEC-1", "rule:cio_claims_security_program"} <= ids(result)
    misplaced = result.finding("misplaced:SEC-1")
    assert misplaced is not None
    # One finding: the CIO's claim and the misplaced owner, acted on by the executive.
    assert misplaced is result.finding("rule:cio_claims_security_program")
    assert (misplaced.key, misplaced.act) == ("SEC-1:ownership", "EXEC")
    assert "The CIO" in misplaced.title
    assert not {"orphaned:SEC-1", "immature:SEC-1", "ambiguous:SEC-1"} & ids(result)
    assert not any(f.kind == "perception" for f in result.findings)
    # With the CISO named as owner, neither fires.
    assert not {"misplaced:SEC-1", "rule:cio_claims_security_program"} & ids(
        run("cio-owns-security-program", sec_program_owner="CISO")
    )


def test_cio_and_ciso_name_different_owners_for_third_party_access() -> None:
    result = run("third-party-access-disagreement")
    assert "ambiguous:TPR-2" in ids(result)
    gap = result.finding("ambiguous:TPR-2")
    assert gap is not None
    assert gap.responsibility == "TPR-2"
    assert gap.key == "TPR-2:ownership"
    assert [(a.respondent, a.label) for a in gap.evidence.answers] == [
        ("Ann Lee", "The CIO"),
        ("Bo Chen", "The CISO"),
    ]
    assert not {"misplaced:TPR-2", "perception:tpr_access_maturity"} & ids(result)
    assert [g.question for g in result.perception.gaps] == ["tpr_access_approval_owner"]
    third = next(d for d in result.domains if d.id == "third_parties")
    assert third.disagreement == round(1 / 3, 2)


def test_the_ciso_reports_to_the_cio_with_no_line_to_the_board() -> None:
    result = run("ciso-reports-to-cio")
    finding = result.finding("rule:ciso_under_cio_without_escalation")
    assert finding is not None
    assert (finding.kind, finding.act) == ("structural", "EXEC")
    assert {a.question for a in finding.evidence.answers} == {
        "ciso_reports_to",
        "security_board_line",
        "dual_role",
    }
    assert "rule:ciso_under_cio_without_escalation" not in ids(
        run("ciso-reports-to-cio", security_board_line="yes")
    )
    assert "rule:ciso_under_cio_without_escalation" not in ids(
        run("ciso-reports-to-cio", ciso_reports_to="ceo")
    )


def test_all_best_answers() -> None:
    result = run("best")
    assert result.overall >= 90
    assert all(f.severity == "low" for f in result.findings)
    assert result.completeness == 100


def test_all_worst_answers() -> None:
    result = run("worst")
    assert result.overall <= 20
    domains = {d.id for d in result.domains}
    assert {f.domain for f in result.findings} >= domains
    assert {"structural", "regulatory", "orphaned", "immature"} <= {f.kind for f in result.findings}


def test_the_demo_is_rich() -> None:
    result = run("demo")
    kinds = Counter(p.kind for f in result.findings for p in f.parts)
    expected = ["orphaned", "misplaced", "ambiguous", "immature"]
    expected += ["structural", "regulatory", "perception"]
    for kind in expected:
        assert kinds[kind] >= 3, kind
    assert result.roadmap.quick_wins
    assert result.roadmap.next_90_days
    assert result.roadmap.next_12_months
    assert [r.role for r in result.respondents] == ["CIO", "CISO"]
    assert all(d.disagreement is not None for d in result.domains)
    assert 30 <= result.overall <= 80
    data = json.loads((ANSWERS / "demo.json").read_text())
    assert all(person.get("comments") for person in data["respondents"])


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in ANSWERS.glob("*.json") if p.stem != "mini-questionnaire")
)
def test_every_answers_file_scores_and_serialises_the_same_twice(name: str) -> None:
    one = json.dumps(run(name).to_dict(), sort_keys=True)
    two = json.dumps(run(name).to_dict(), sort_keys=True)
    assert one == two


def test_the_result_has_exactly_the_agreed_shape() -> None:
    """The report and the web pages read these keys; none may go missing or appear."""
    result = run("demo").to_dict()
    assert set(result) == {
        "inconsistencies",
        "questionnaire",
        "method",
        "respondents",
        "overall",
        "completeness",
        "domains",
        "raci",
        "findings",
        "perception",
        "roadmap",
        "ignored",
        "regulations",
        "unresolved_facts",
        "provisional",
        "range",
        "practice",
        "cap",
        "clarity",
        "initiatives",
        "context",
    }
    assert set(result["questionnaire"]) == {"id", "version", "hash", "title"}
    assert set(result["method"]) == {"version", "combination", "description"}
    assert set(result["respondents"][0]) == {
        "name",
        "role",
        "completeness",
        "shown",
        "answered",
        "hidden",
        "answers",
        "scores",
    }
    assert set(result["respondents"][0]["scores"]) == {"overall", "clarity", "domains"}
    assert set(result["respondents"][0]["scores"]["domains"][0]) == {"id", "score", "clarity"}
    assert set(result["respondents"][0]["answers"][0]) == {
        "question",
        "shown",
        "value",
        "label",
        "comment",
    }
    assert set(result["domains"][0]) == {
        "id",
        "title",
        "score",
        "maturity",
        "target",
        "distance",
        "completeness",
        "disagreement",
        "clarity",
    }
    assert set(result["raci"][0]) == {
        "responsibility",
        "domain",
        "title",
        "accountable",
        "consulted",
        "named",
        "status",
        "fit",
    }
    assert set(result["raci"][0]["named"][0]) == {"respondent", "role", "owner"}
    finding = result["findings"][0]
    assert set(finding) == {
        "id",
        "number",
        "kind",
        "severity",
        "responsibility",
        "domain",
        "title",
        "recommendation",
        "act",
        "effort",
        "references",
        "weight",
        "evidence",
        "key",
        "parts",
        "exposure",
        "depends_on",
    }
    assert set(finding["parts"][0]) == {
        "id",
        "check",
        "kind",
        "severity",
        "responsibility",
        "title",
    }
    assert set(finding["evidence"]) == {"check", "answers"}
    assert set(finding["evidence"]["answers"][0]) == {
        "question",
        "text",
        "respondent",
        "role",
        "value",
        "label",
    }
    assert set(result["perception"]) == {"domains", "gaps"}
    assert set(result["perception"]["domains"][0]) == {"id", "title", "disagreement"}
    assert set(result["perception"]["gaps"][0]) == {
        "question",
        "text",
        "responsibility",
        "domain",
        "answers",
    }
    assert set(result["perception"]["gaps"][0]["answers"][0]) == {
        "respondent",
        "role",
        "value",
        "label",
    }
    assert set(result["roadmap"]) == {"quick_wins", "next_90_days", "next_12_months"}
    ignored = run("demo", sec_duties_without_ciso="nobody").to_dict()["ignored"]
    assert ignored[0] == {
        "respondent": "Maria Jensen",
        "question": "sec_duties_without_ciso",
        "reason": "hidden",
    }
