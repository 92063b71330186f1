"""Shared data for the report tests: the demo answers through the real engine, and a small
questionnaire whose reports render quickly.  (Its own tests check the data is usable.)"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from assessor.engine import Respondent, parse_answers_document, score
from assessor.questionnaire import Catalog, Questionnaire, load_paths
from assessor.reports.context import ReportInputs

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "answers" / "demo.json"
MINI = ROOT / "tests" / "answers" / "mini-questionnaire.json"
DEMO_DATE = date(2026, 3, 14)


@cache
def catalog() -> Catalog:
    found, problems = load_paths([ROOT / "questionnaires"])
    assert not problems, problems
    return found


def _generated_demo() -> dict[str, Any]:
    """A two-respondent answers document (used until tests/answers/demo.json exists)."""
    questionnaire = catalog().get("cio-ciso-governance")
    rnd = random.Random(7)

    def person(name: str, role: str) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        comments: dict[str, str] = {}
        for question in questionnaire.questions.values():
            options = [o.value for o in question.all_options]
            if question.kind == "owner":
                answers[question.id] = rnd.choice(["CIO", "CISO", "CISO", "SHARED", "EXEC", "NONE"])
            elif question.kind == "maturity":
                answers[question.id] = rnd.choice([0, 1, 2, 2, 3, 3, 4])
            elif question.kind in ("choice", "yesno"):
                answers[question.id] = rnd.choice(options)
            elif question.kind == "multi":
                answers[question.id] = options[:1]
            elif question.kind == "number":
                answers[question.id] = int(question.min or 1) + 400
            elif question.kind == "text":
                answers[question.id] = "We are reorganising IT this year."
            if rnd.random() < 0.15:
                comments[question.id] = f"{name} adds context on {question.id}."
        return {"name": name, "role": role, "answers": answers, "comments": comments}

    return {
        "questionnaire": questionnaire.id,
        "organization": {"name": "Contoso Health Ltd", "sector": "health", "size": "250-999"},
        "respondents": [person("Avery Quinn", "CIO"), person("Sam Okafor", "CISO")],
    }


@cache
def demo_document() -> dict[str, Any]:
    """tests/answers/demo.json, or a generated stand-in with the same shape."""
    if DEMO.exists():
        loaded: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
        return loaded
    return _generated_demo()


def demo(paper: str = "a4", **changes: Any) -> tuple[dict[str, Any], ReportInputs]:
    """The demo document's engine result and report inputs."""
    document = parse_answers_document(demo_document(), catalog())
    questionnaire, respondents, organization = document
    name = str(organization.get("name") or "Contoso Health Ltd")
    result = score(questionnaire, respondents, targets=document.targets or None, organization=name)
    inputs = ReportInputs(
        organization=name,
        sector=organization.get("sector"),
        size=organization.get("size"),
        assessment_title="Governance review 2026",
        assessment_date=DEMO_DATE,
        questionnaire=questionnaire,
        respondents=tuple(respondents),
        firm_name="Northwind Advisory",
        accent="#1f5fbf",
        paper=paper,
    )
    return result.to_dict(), replace(inputs, **changes)


@cache
def mini_questionnaire() -> Questionnaire:
    return Questionnaire.model_validate(json.loads(MINI.read_text(encoding="utf-8")))


MINI_CIO = {
    "employees": 800,
    "regulated_data": ["eu_personal"],
    "has_ciso": "yes",
    "ciso_reports_to": "cio",
    "board_line": "no",
    "notes": "Growing fast.",
    "sec_program_owner": "CIO",
    "sec_program": 2,
    "sec_training_owner": "CISO",
    "sec_training": 3,
    "sec_phishing": "yes",
    "dat_breach_owner": "NONE",
    "dat_breach": 1,
    "inf_security_owner": "SHARED",
    "gov_line_owner": "EXEC",
}
MINI_CISO = {
    "employees": 800,
    "has_ciso": "yes",
    "ciso_reports_to": "cio",
    "board_line": "no",
    "sec_program_owner": "CISO",
    "sec_program": 1,
    "sec_training_owner": "CISO",
    "sec_training": 1,
    "dat_breach_owner": "CISO",
    "dat_breach": 0,
    "inf_security_owner": "CIO",
    "gov_line_owner": "CIO",
}


def mini(
    respondents: tuple[Respondent, ...] | None = None, **changes: Any
) -> tuple[dict[str, Any], ReportInputs]:
    """A small report: the mini questionnaire, a CIO and a CISO who disagree."""
    questionnaire = mini_questionnaire()
    people = respondents or (
        Respondent("Ada Lovelace", "CIO", MINI_CIO, {"sec_program": "Budget was cut."}),
        Respondent("Grace Hopper", "CISO", MINI_CISO, {"dat_breach": "No plan at all."}),
    )
    organization = str(changes.get("organization", "Acme Ltd"))
    result = score(questionnaire, people, organization=organization)
    inputs = ReportInputs(
        organization=organization,
        assessment_title="Annual review",
        assessment_date=date(2026, 11, 27),
        questionnaire=questionnaire,
        respondents=people,
        sector="Retail",
        size="250-999",
        firm_name="Northwind Advisory",
    )
    return result.to_dict(), replace(inputs, **changes)


def test_demo_has_two_disagreeing_respondents() -> None:
    result, inputs = demo()
    assert len(inputs.respondents) == 2
    assert result["findings"] and result["perception"]["gaps"]


def test_mini_has_findings_and_gaps() -> None:
    result, _ = mini()
    assert result["findings"] and result["perception"]["gaps"]
