"""CSV, XLSX and JSON exports: every answer, and nothing the report shows left out."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from openpyxl import load_workbook

from assessor.engine import Respondent, score
from assessor.questionnaire import Questionnaire
from assessor.reports import exports
from assessor.reports.context import build_context
from assessor.reports.render import render_html
from tests.test_report_data import MINI, MINI_CIO, MINI_CISO, demo, mini

SHEETS = ["Answers", "Findings", "Responsibility matrix", "Scores", "Perception", "Roadmap"]


@cache
def demo_exports() -> tuple[dict[str, Any], Any, dict[str, Any], dict[str, bytes]]:
    result, inputs = demo()
    context = build_context(result, inputs)
    files = {fmt: exports.export(fmt, result, inputs) for fmt in ("csv", "xlsx", "json")}
    return result, inputs, context, files


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def sheet_rows(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in workbook}


def test_csv_has_one_row_per_answer_with_comments() -> None:
    _, inputs, _, files = demo_exports()
    rows = csv_rows(files["csv"])
    assert list(rows[0]) == list(exports.ANSWER_COLUMNS)
    expected = sum(
        len(set(r.answers) | {q for q, c in r.comments.items() if c}) for r in inputs.respondents
    )
    assert len(rows) == expected
    for respondent in inputs.respondents:
        mine = {row["question_id"]: row for row in rows if row["respondent"] == respondent.name}
        for qid, comment in respondent.comments.items():
            assert mine[qid]["comment"] == comment
        for qid in respondent.answers:
            assert mine[qid]["role"] == respondent.role and mine[qid]["label"]


def test_xlsx_has_every_sheet() -> None:
    _, _, _, files = demo_exports()
    assert list(sheet_rows(files["xlsx"]))[: len(SHEETS)] == SHEETS


def test_nothing_the_report_shows_is_missing_from_the_exports() -> None:
    """Every finding title, domain score and named owner the report shows is in XLSX and
    JSON; the answers behind the named owners (and every comment) are in the CSV too."""
    result, inputs, context, files = demo_exports()
    html = render_html(context)
    sheets = sheet_rows(files["xlsx"])
    document = json.loads(files["json"])
    rows = csv_rows(files["csv"])

    findings = {row[6] for row in sheets["Findings"][1:]}
    json_findings = {f["title"] for f in document["result"]["findings"]}
    for finding in context["findings"]:
        assert finding["title"] in findings and finding["title"] in json_findings

    scores = {(row[1], row[2]) for row in sheets["Scores"] if len(row) > 2}
    json_scores = {(d["title"], d["score"]) for d in document["result"]["domains"]}
    for domain in context["scores"]["domains"]:
        assert f"{domain['title']}: score {domain['score']} / 100" in html
        assert (domain["title"], domain["score"]) in scores
        assert (domain["title"], domain["score"]) in json_scores
    overall = dict(row[:2] for row in sheets["Scores"] if len(row) >= 2)
    assert overall["Overall score"] == result["overall"] == document["result"]["overall"]

    matrix = {row[0]: row[6] for row in sheets["Responsibility matrix"][1:]}
    json_raci = {row["responsibility"]: row for row in document["result"]["raci"]}
    owner_questions = {
        q.responsibility: q.id
        for q in inputs.questionnaire.questions.values()
        if q.kind == "owner" and q.responsibility
    }
    for group in context["raci"]:
        for row in group["rows"]:
            for named in row["named"]:
                shown = f"{named['respondent']} ({named['role']}): {named['owner_label']}"
                assert shown in matrix[row["id"]]
                assert {
                    "respondent": named["respondent"],
                    "role": named["role"],
                    "owner": named["owner"],
                } in json_raci[row["id"]]["named"]
                qid = owner_questions[row["id"]]
                assert any(
                    r["respondent"] == named["respondent"]
                    and r["question_id"] == qid
                    and r["value"] == named["owner"]
                    for r in rows
                ), (row["id"], named)

    comments = {r["comment"] for r in rows} & {a["comment"] for a in document["answers"]}
    answer_cells = {row[7] for row in sheets["Answers"][1:]}
    for section in context["appendix"]["sections"]:
        for question in section["questions"]:
            for answer in question["answers"]:
                if answer["comment"]:
                    assert answer["comment"] in comments and answer["comment"] in answer_cells

    perception = {row[1] for row in sheets["Perception"]}
    for gap in context["perception"]["gaps"]:
        assert gap["text"] in perception
    roadmap = {row[1] for row in sheets["Roadmap"][1:]}
    for group in context["roadmap"]:
        for item in group["items"]:
            assert item["ref"] in roadmap
    assert document["result"]["method"]["description"] == result["method"]["description"]
    assert document["organization"]["name"] == inputs.organization
    assert document["assessment"]["date"] == inputs.assessment_date.isoformat()


def test_formulas_typed_by_users_stay_text() -> None:
    formula = '=HYPERLINK("http://example.com","click")'
    people = (
        Respondent(
            "+cmd|' /C calc'!A0", "CIO", {**MINI_CIO, "notes": formula}, {"sec_program": "@SUM(1)"}
        ),
        Respondent("Grace", "CISO", MINI_CISO, {}),
    )
    result, inputs = mini(respondents=people, organization="-2+3")
    rows = csv_rows(exports.export_csv(result, inputs))
    cells = {value for row in rows for value in row.values()}
    assert "'" + formula in cells and "'@SUM(1)" in cells and "'+cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)

    workbook = load_workbook(io.BytesIO(exports.export_xlsx(result, inputs)))
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    answers = {c.value for row in workbook["Answers"].iter_rows() for c in row}
    assert formula in answers


#: Text that would read as a formula in a spreadsheet splitting on ",", ";" or tab.
HOSTILE = "note;=2*21,+SUM(A1),\t@cmd\t-1+1, =3\n=4"
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def _hostile_exports() -> tuple[bytes, bytes]:
    """Both spreadsheet exports with hostile text in every column a user (or a custom
    questionnaire) writes, and a negative answer to a number question."""
    document = json.loads(MINI.read_text(encoding="utf-8"))
    first = document["sections"][0]
    first["title"] = "=SECTION();" + HOSTILE
    employees = next(q for q in first["questions"] if q["id"] == "employees")
    employees.update(min=-1000, text="-Q;" + HOSTILE)
    questionnaire = Questionnaire.model_validate(document)
    people = (
        Respondent(
            HOSTILE,
            "CIO",
            {**MINI_CIO, "employees": -5, "notes": HOSTILE},
            {"sec_program": HOSTILE},
        ),
        Respondent("=Grace;" + HOSTILE, "CISO", MINI_CISO, {"employees": "-" + HOSTILE}),
    )
    result, inputs = mini(respondents=people, organization="@Org;" + HOSTILE)
    result = score(questionnaire, people, organization=inputs.organization).to_dict()
    inputs = replace(inputs, questionnaire=questionnaire)
    return exports.export_csv(result, inputs), exports.export_xlsx(result, inputs)


def _formula_cells(cells: list[str]) -> list[str]:
    return [c.strip(' "') for c in cells if c.strip(' "').startswith(FORMULA_CHARS)]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_no_csv_cell_starts_a_formula_whichever_delimiter_splits_it(delimiter: str) -> None:
    data, _ = _hostile_exports()
    text = data.decode("utf-8-sig")
    # A spreadsheet that honours the quotes (every field is quoted) ...
    parsed = [c for row in csv.reader(io.StringIO(text), delimiter=delimiter) for c in row]
    # ... and one that splits every line on the delimiter, ignoring them.
    split = [c for line in text.splitlines() for c in line.split(delimiter)]
    assert set(_formula_cells(parsed + split)) <= {"-5"}  # the number answered, a number
    assert all(line.startswith('"') for line in text.split("\r\n") if line)
    rows = csv_rows(data)
    assert {r["value"] for r in rows if r["question_id"] == "employees"} == {"-5", "800"}
    ada = next(r for r in rows if r["question_id"] == "notes")
    assert ada["respondent"].startswith("note;'=2*21,'+SUM(A1),")
    assert ada["value"].replace("'", "") == HOSTILE  # nothing but the quotes added


def test_no_xlsx_cell_holds_a_formula() -> None:
    _, data = _hostile_exports()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)
    workbook = load_workbook(io.BytesIO(data))
    values = {c.value for sheet in workbook for row in sheet.iter_rows() for c in row}
    assert {HOSTILE, "@Org;" + HOSTILE, "=Grace;" + HOSTILE} <= values  # as typed, as text
    answers = workbook["Answers"]
    numbers = [c for row in answers.iter_rows() for c in row if c.value == -5]
    assert numbers and all(c.data_type == "n" for c in numbers)


def test_unknown_format() -> None:
    result, inputs = mini()
    with pytest.raises(ValueError, match="unknown export format"):
        exports.export("pdf", result, inputs)


def test_json_round_trips_answers() -> None:
    result, inputs = mini(firm_name="Northwind")
    document = json.loads(exports.export_json(result, replace(inputs, sector=None)))
    assert set(document) == {
        "result",
        "answers",
        "organization",
        "assessment",
        "progress",
        "actions",
        "consultant",
    }
    assert document["progress"] is None and document["actions"] == []  # no earlier round
    assert document["consultant"] is None  # no edit by the consultant
    assert document["result"] == json.loads(json.dumps(result))
    assert document["assessment"]["prepared_by"] == "Northwind"
    multi = [a for a in document["answers"] if a["question_id"] == "regulated_data"]
    assert multi and multi[0]["value"] == ["eu_personal"]


def test_a_number_reads_the_same_in_a_finding_the_appendix_and_every_export() -> None:
    """The engine labels each answer once: 1200 is "1,200" everywhere (the appendix and
    the exports used to print "1200" beside a finding's "1,200")."""
    data = json.loads(MINI.read_text(encoding="utf-8"))
    data["rules"].append(
        {
            "id": "big",
            "when": {"q": "employees", "gte": 1000},
            "finding": {
                "title": "{employees} employees",
                "kind": "structural",
                "severity": "low",
                "act": "EXEC",
                "effort": "project",
                "recommendation": "Plan for {employees} people.",
            },
        }
    )
    questionnaire = Questionnaire.model_validate(data)
    people = (Respondent("Ada Lovelace", "CIO", {**MINI_CIO, "employees": 1200}),)
    result = score(questionnaire, people).to_dict()
    _, inputs = mini(people, questionnaire=questionnaire)
    finding = next(f for f in result["findings"] if f["id"] == "rule:big")
    assert finding["title"] == "1,200 employees"
    assert [a["label"] for a in finding["evidence"]["answers"]] == ["1,200"]

    context = build_context(result, inputs)
    appendix = {
        q["id"]: q["answers"][0]["label"]
        for s in context["appendix"]["sections"]
        for q in s["questions"]
    }
    assert appendix["employees"] == "1,200"
    rows = {r["question_id"]: r for r in csv_rows(exports.export("csv", result, inputs))}
    assert rows["employees"]["label"] == "1,200"
    assert rows["employees"]["value"] == "1200"
    document = json.loads(exports.export("json", result, inputs))
    assert {a["question_id"]: a["label"] for a in document["answers"]}["employees"] == "1,200"


def test_visibility_and_finding_numbers_come_from_the_result() -> None:
    result, inputs, context, files = demo_exports()
    numbers = {f["id"]: f"F{f['number']}" for f in result["findings"]}
    assert [f["number"] for f in result["findings"]] == list(range(1, len(numbers) + 1))
    assert {f["id"]: f["ref"] for f in context["findings"]} == numbers
    sheet = sheet_rows(files["xlsx"])["Findings"][1:]
    assert {row[1]: row[0] for row in sheet} == numbers

    hidden = {r["name"]: set(r["hidden"]) for r in result["respondents"]}
    for section in context["appendix"]["sections"]:
        for question in section["questions"]:
            for answer in question["answers"]:
                not_shown = answer["label"] == "Not shown"
                assert not_shown is (question["id"] in hidden[answer["respondent"]])
    for row in csv_rows(files["csv"]):
        shown = row["question_id"] not in hidden[row["respondent"]]
        given = next(
            a
            for r in result["respondents"]
            if r["name"] == row["respondent"]
            for a in r["answers"]
            if a["question"] == row["question_id"]
        )
        assert given["shown"] is shown and given["label"] == row["label"]
