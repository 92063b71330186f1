"""Answer validation: one answer per kind, and the ANSWERS.json document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assessor.engine.answers import (
    AnswerError,
    AnswersFileError,
    coerce_answer,
    parse_answers_document,
)
from assessor.questionnaire.schema import Questionnaire

MINI = Questionnaire.model_validate(
    json.loads((Path(__file__).parent / "answers" / "mini-questionnaire.json").read_text())
)
Q = MINI.questions


class Catalog:
    """The two methods of the questionnaire catalog the parser relies on."""

    def __init__(self, *questionnaires: Questionnaire) -> None:
        self.items = {(q.id, q.version): q for q in questionnaires}

    def get(self, id: str, version: int | None = None, /) -> Questionnaire:
        if version is None:
            versions = [v for (i, v) in self.items if i == id]
            if not versions:
                raise KeyError(id)
            version = max(versions)
        return self.items[(id, version)]


CATALOG = Catalog(MINI)


@pytest.mark.parametrize(
    ("qid", "raw", "value"),
    [
        ("sec_program_owner", "CISO", "CISO"),
        ("sec_program_owner", " NONE ", "NONE"),
        ("sec_program_owner", "ciso", "CISO"),
        ("sec_program", 3, 3),
        ("sec_program", "3", 3),
        ("sec_program", 3.0, 3),
        ("sec_program", 0, 0),
        ("dat_review", "quarterly", "quarterly"),
        ("regulated_data", ["health", "eu_personal"], ["eu_personal", "health"]),
        ("regulated_data", [], []),
        ("has_ciso", "yes", "yes"),
        ("has_ciso", "No", "no"),
        ("has_ciso", True, "yes"),
        ("has_ciso", "unknown", "unknown"),
        ("sec_phishing", "no", "no"),
        ("sec_phishing", True, "yes"),
        ("sec_phishing", " Unknown", "unknown"),
        ("employees", 250, 250),
        ("employees", "1200", 1200),
        ("employees", 12.0, 12),
        ("employees", 12.5, 12.5),
        ("notes", "All good.", "All good."),
        ("notes", None, None),
        ("sec_program", "", None),
    ],
)
def test_valid_answers_are_coerced(qid: str, raw: Any, value: Any) -> None:
    assert coerce_answer(Q[qid], raw) == value


@pytest.mark.parametrize(
    ("qid", "raw", "message"),
    [
        ("sec_program_owner", "CTO", "'CTO' is not one of CIO, CISO, SHARED, EXEC, NONE"),
        ("sec_program_owner", 1, "1 is not one of CIO, CISO, SHARED, EXEC, NONE"),
        ("sec_program", "sometimes", "'sometimes' is not one of 0, 1, 2, 3, 4"),
        ("sec_program", 5, "5 is not one of 0, 1, 2, 3, 4"),
        ("sec_program", 2.5, "2.5 is not one of 0, 1, 2, 3, 4"),
        ("sec_program", True, "true is not one of 0, 1, 2, 3, 4"),
        ("sec_program", [3], "a list is not one of 0, 1, 2, 3, 4"),
        ("dat_review", "weekly", "'weekly' is not one of never, yearly, quarterly"),
        ("regulated_data", "health", "expected a list of eu_personal, health, none, got 'health'"),
        ("regulated_data", ["health", "pets"], "'pets' is not one of eu_personal, health, none"),
        ("regulated_data", ["health", "health"], "'health' is listed twice"),
        ("has_ciso", "maybe", "'maybe' is not one of yes, no, unknown"),
        ("sec_phishing", "sometimes", "'sometimes' is not one of yes, no, unknown"),
        ("employees", "many", "'many' is not a number"),
        ("employees", True, "true is not a number"),
        ("employees", float("nan"), "nan is not a finite number"),
        ("employees", 0, "0 is less than the minimum, 1"),
        ("employees", 2_000_000, "2000000 is more than the maximum, 1000000"),
        ("notes", 5, "expected text, got 5"),
        ("notes", "a\x00b", "text contains a NUL byte"),
        ("notes", "x" * 51, "text is longer than 50 characters"),
    ],
)
def test_invalid_answers_say_what_is_wrong(qid: str, raw: Any, message: str) -> None:
    with pytest.raises(AnswerError) as caught:
        coerce_answer(Q[qid], raw)
    assert caught.value.message == message
    assert "\n" not in message


def document(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "questionnaire": "mini",
        "organization": {"name": "Acme"},
        "respondents": [
            {"name": "Ann Lee", "role": "CIO", "answers": {"sec_program": 2}},
            {
                "name": "Bo Chen",
                "role": "CISO",
                "answers": {"sec_program": "3", "regulated_data": ["health"]},
                "comments": {"sec_program": "We have a plan."},
            },
        ],
    }
    data.update(changes)
    return data


def test_a_document_gives_questionnaire_respondents_organization_and_targets() -> None:
    parsed = parse_answers_document(document(targets={"data": 2}), CATALOG)
    questionnaire, respondents, organization = parsed
    assert questionnaire is MINI
    assert [r.name for r in respondents] == ["Ann Lee", "Bo Chen"]
    assert respondents[1].answers == {"sec_program": 3, "regulated_data": ["health"]}
    assert respondents[1].comments == {"sec_program": "We have a plan."}
    assert organization == {"name": "Acme"}
    assert parsed.targets == {"data": 2}


def respondent(n: int, **fields: Any) -> list[dict[str, Any]]:
    people = document()["respondents"]
    people[n].update(fields)
    return people


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the document must be a JSON object"),
        (document(questionnaire="nope"), "questionnaire: unknown questionnaire 'nope'"),
        (document(version=7), "version: questionnaire 'mini' has no version 7"),
        (document(respondents=[]), "respondents: at least one respondent is needed"),
        ({"questionnaire": "mini"}, "respondents: is required"),
        (document(extra=1), "extra: unknown key"),
        (
            document(respondents=respondent(1, answers={"sec_training": "sometimes"})),
            "respondents[1].answers.sec_training: 'sometimes' is not one of 0, 1, 2, 3, 4",
        ),
        (
            document(respondents=respondent(0, answers={"sec_trainin": 2})),
            "respondents[0].answers.sec_trainin: unknown question",
        ),
        (
            document(respondents=respondent(0, answers={"bad key!": 2})),
            "respondents[0].answers['bad key!']: unknown question",
        ),
        (
            document(respondents=respondent(1, comments={"nope": "x"})),
            "respondents[1].comments.nope: unknown question",
        ),
        (
            document(respondents=respondent(0, role="CXO")),
            "respondents[0].role: 'CXO' is not one of CIO, CISO, CIO_CISO, CTO, CDO, CRO, DPO, "
            "PRIVACY, COMPLIANCE, CEO, EXTERNAL, OTHER",
        ),
        (
            document(respondents=respondent(0, name="")),
            "respondents[0].name: string should have at least 1 character",
        ),
        (
            document(respondents=respondent(1, name="Ann Lee")),
            "respondents[1].name: 'Ann Lee' names two respondents",
        ),
        (
            document(respondents=respondent(0, answers=[])),
            "respondents[0].answers: must be an object, got a list",
        ),
        (
            document(targets={"context": 2}),
            "targets.context: unknown domain (one of security, data, governance)",
        ),
        (document(targets={"data": 5}), "targets.data: 5 is not one of 0, 1, 2, 3, 4"),
        (document(targets={"data": "high"}), "targets.data: must be a whole number, got 'high'"),
    ],
)
def test_document_errors_name_the_path(data: Any, message: str) -> None:
    with pytest.raises(AnswersFileError) as caught:
        parse_answers_document(data, CATALOG)
    assert str(caught.value) == message
