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
from assessor.reports import exports, summary
from assessor.reports.context import build_context
from assessor.reports.labels import EFFORT_LABELS, effort_label
from assessor.reports.render import render_html
from tests.test_report_data import MINI, MINI_CIO, MINI_CISO, demo, mini
from tests.web_support import csv_answers

SHEETS = ["Answers", "Findings", "Responsibility matrix", "Scores", "Perception", "Roadmap"]


@cache
def demo_exports() -> tuple[dict[str, Any], Any, dict[str, Any], dict[str, bytes]]:
    result, inputs = demo()
    context = build_context(result, inputs)
    files = {fmt: exports.export(fmt, result, inputs) for fmt in ("csv", "xlsx", "json")}
    return result, inputs, context, files


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return csv_answers(data.decode("utf-8"))


def csv_blocks(data: bytes) -> dict[str, list[list[str]]]:
    """The CSV's blocks after the answers, by the name on their first row."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    starts = [
        i for i in range(len(rows) - 1) if not rows[i] and len(rows[i + 1]) == 1
    ]  # a blank row, then the block's name alone on its row
    blocks: dict[str, list[list[str]]] = {}
    for start, end in zip(starts, [*starts[1:], len(rows)], strict=True):
        blocks[rows[start + 1][0]] = rows[start + 2 : end]
    return blocks


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


def test_effort_reads_in_words_wherever_a_person_reads_it() -> None:
    """A finding's effort is "Programme, a year or more" in the report, the spreadsheets and
    the JSON summary, never the engine's bare ``programme``; the JSON's ``result`` keeps the
    engine's code, as it keeps owner codes."""
    result, _, context, files = demo_exports()
    effort = {f["id"]: f["effort"] for f in result["findings"]}
    assert set(effort.values()) >= {"quick win", "programme"}  # the demo has both ends
    labels = set(EFFORT_LABELS.values())

    html = render_html(context)
    assert "Effort: programme" not in html and "Effort: quick win" not in html
    for f in context["findings"]:
        assert f["effort"] == effort_label(effort[f["id"]]) in labels
        assert f"Effort: {f['effort']}" in html
    assert {r["effort"] for r in context["risks"]} <= labels

    sheets = sheet_rows(files["xlsx"])
    blocks = csv_blocks(files["csv"])
    for name, id_column in (("Findings", "id"), ("Roadmap", "finding id")):
        for rows in (sheets[name], blocks[name]):
            header = list(rows[0])
            for row in rows[1:]:
                fid, shown = row[header.index(id_column)], row[header.index("effort")]
                assert shown == effort_label(effort[fid]) in labels, (name, fid, shown)
    actions = [row for row in sheets["Summary"] if row and row[0] == "first actions"]
    assert actions  # the summary's first actions carry an effort column
    start = sheets["Summary"].index(actions[0])
    assert {row[4] for row in sheets["Summary"][start + 1 :] if row and row[0]} <= labels

    document = json.loads(files["json"])
    summary_efforts = [b["effort"] for b in document["summary"]["first_actions"]]
    summary_efforts += [b["effort"] for b in document["summary"]["gaps"]]
    assert summary_efforts and set(summary_efforts) <= labels
    assert {f["effort"] for f in document["result"]["findings"]} <= set(EFFORT_LABELS)


def test_the_sector_reads_as_the_questionnaire_words_it() -> None:
    """The demo's cover said "Sector manufacturing" (the form's code); the spreadsheets say
    what the sector question says, and the JSON keeps the code."""
    _, inputs, context, files = demo_exports()
    assert inputs.sector == "manufacturing"
    assert context["meta"]["sector"] == "Manufacturing, energy or logistics"
    assert '<p class="fact">Manufacturing, energy or logistics</p>' in render_html(context)
    scores = dict(row[:2] for row in sheet_rows(files["xlsx"])["Scores"] if len(row) >= 2)
    assert scores["Sector"] == "Manufacturing, energy or logistics"
    assert ["Sector", "Manufacturing, energy or logistics"] in csv_blocks(files["csv"])["Scores"]
    assert json.loads(files["json"])["organization"]["sector"] == "manufacturing"


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
        row = html[html.index(f'<p class="bars-domain">{domain["title"]}</p>') :]
        end = row.find('<div class="bars-row">')
        assert row.index(f"Score {domain['score']} / 100") < (end if end > 0 else len(row))
        assert (domain["title"], domain["score"]) in scores
        assert (domain["title"], domain["score"]) in json_scores
    overall = dict(row[:2] for row in sheets["Scores"] if len(row) >= 2)
    assert overall["Overall score"] == result["overall"] == document["result"]["overall"]

    matrix = {row[0]: row[6] for row in sheets["Responsibility matrix"][1:]}
    json_raci = {row["responsibility"]: row for row in document["result"]["raci"]}
    owner_questions: dict[str, set[str]] = {}  # v2 asks some responsibilities' owner twice
    for q in inputs.questionnaire.questions.values():
        if q.kind == "owner" and q.responsibility:
            owner_questions.setdefault(q.responsibility, set()).add(q.id)
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
                qids = owner_questions[row["id"]]
                assert any(
                    r["respondent"] == named["respondent"]
                    and r["question_id"] in qids
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
        "summary",
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


def test_every_export_holds_the_summary_scores_and_facts() -> None:
    """Band, completeness, the summary's most important risks and first actions with their
    finding numbers, each respondent's own scores and the unresolved facts: in the XLSX
    and as CSV blocks of the same rows, and in the JSON."""
    from tests.test_report_facts import _retailer

    result, inputs = _retailer()
    files = {fmt: exports.export(fmt, result, inputs) for fmt in ("csv", "xlsx", "json")}
    sheets = sheet_rows(files["xlsx"])
    blocks = csv_blocks(files["csv"])
    document = json.loads(files["json"])
    told = document["summary"]

    band = summary.score_band(result["overall"])[0]
    assert told["band"] == band and told["completeness"] == result["completeness"]
    facts = {row[0]: row[1] for row in sheets["Summary"] if len(row) > 1}
    assert facts["Band"] == band and facts["Completeness (%)"] == result["completeness"]
    assert dict(r[:2] for r in sheets["Scores"] if len(r) > 1)["Band"] == band
    assert ["Band", band] in blocks["Summary"]

    numbers = {f["id"]: f["number"] for f in result["findings"]}
    gaps = summary.top_gaps(result["findings"])
    actions = summary.first_actions(result)
    assert [g["ref"] for g in told["gaps"]] == [f"F{numbers[g['id']]}" for g in gaps]
    assert [a["ref"] for a in told["first_actions"]] == [f"F{numbers[a['id']]}" for a in actions]
    risks = _table(sheets["Summary"], "most important risks")
    assert [r[1] for r in risks] == [g["ref"] for g in told["gaps"]]
    assert [r[3] for r in risks] == [g["title"] for g in gaps]
    first = _table(sheets["Summary"], "first actions")
    assert [(r[1], r[2]) for r in first] == [
        (f"F{a['number']}", a["recommendation"]) for a in actions
    ]
    assert [a["recommendation"] for a in actions][0] in {c for r in blocks["Summary"] for c in r}
    assert told["disagreement"].startswith(
        f"They disagree on {len(result['unresolved_facts'])} facts"
    )

    own = sheets["Respondent scores"]
    assert [r[0] for r in own[1:]] == [r["name"] for r in result["respondents"]] + ["Combined"]
    for row, respondent in zip(own[1:], result["respondents"], strict=False):
        assert row[2] == respondent["scores"]["overall"]
        assert list(row[3:-2]) == [d["score"] for d in respondent["scores"]["domains"]]
    assert [r[0] for r in blocks["Respondent scores"][1:]] == [r[0] for r in own[1:]]

    listed = sheets["Unresolved facts"][1:]
    assert {(r[0], r[1], r[2], r[4]) for r in listed} == {
        (fact["question"], fact["text"], a["respondent"], a["label"])
        for fact in result["unresolved_facts"]
        for a in fact["answers"]
    }
    assert len(blocks["Unresolved facts"]) == len(listed) + 1
    assert document["result"]["unresolved_facts"] == result["unresolved_facts"]


def test_a_provisional_result_has_no_band_in_any_export() -> None:
    from tests.test_provisional_marked import half_answered

    result, inputs = half_answered()
    files = {fmt: exports.export(fmt, result, inputs) for fmt in ("csv", "xlsx", "json")}
    told = json.loads(files["json"])["summary"]
    assert told["band"] is None and told["provisional"] is True
    assert told["range"] == result["range"]
    facts = {r[0]: r[1] for r in sheet_rows(files["xlsx"])["Summary"] if len(r) > 1}
    assert facts["Band"] == "none: the result is provisional"
    span = f"{result['range']['low']} to {result['range']['high']}"
    assert facts["Overall range (provisional)"] == span
    assert ["Overall range (provisional)", span] in csv_blocks(files["csv"])["Summary"]


def _table(rows: list[tuple[Any, ...]], heading: str) -> list[tuple[Any, ...]]:
    """The rows under the header row that starts with ``heading``, up to a blank row."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == heading) + 1
    end = next((i for i in range(start, len(rows)) if not any(rows[i])), len(rows))
    return rows[start:end]


def _trimmed(row: Any) -> list[str]:
    cells = list(row)
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


def test_the_csv_holds_every_sheet_of_the_workbook() -> None:
    _, _, _, files = demo_exports()
    sheets = sheet_rows(files["xlsx"])
    blocks = csv_blocks(files["csv"])
    assert list(blocks) == [name for name in sheets if name != "Answers"]
    for name, rows in blocks.items():
        in_book = [[exports._csv_cell(c) for c in _trimmed(row)] for row in sheets[name]]
        assert [_trimmed(r) for r in rows] == in_book, name


def test_roadmap_initiatives_are_in_every_export() -> None:
    result, inputs, _, files = demo_exports()
    initiatives = result["initiatives"]
    assert initiatives
    rows = sheet_rows(files["xlsx"])["Roadmap initiatives"]
    assert len(rows) == len(initiatives) + 1
    first = initiatives[0]
    number = next(f["number"] for f in result["findings"] if f["id"] == first["findings"][0])
    assert rows[1][0] == first["title"] and f"F{number}" in rows[1][4]
    assert len(csv_blocks(files["csv"])["Roadmap initiatives"]) == len(rows)
    assert json.loads(files["json"])["result"]["initiatives"] == initiatives


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=2*21", "'=2*21"),
        ("note;=2*21", "note;'=2*21"),
        ("note,=2*21", "note,'=2*21"),
        ("note\t=2*21", "note\t'=2*21"),
        ("a;+1;-1;@x", "a;'+1;'-1;'@x"),
        ("a; =1", "a;' =1"),
        ("\t=1", "'\t'=1"),
        ("a\t\t=1", "a\t'\t'=1"),
        ("\r=1", "'\r'=1"),
        ("x\n=1", "x\n'=1"),
        ("-5 degrees", "'-5 degrees"),
        ("plain; text, here", "plain; text, here"),
        ("e-mail a@b.c", "e-mail a@b.c"),
        ("", ""),
    ],
)
def test_unformula_quotes_every_part_that_starts_a_formula(text: str, safe: str) -> None:
    assert exports.unformula(text) == safe
    for delimiter in (",", ";", "\t"):
        for part in safe.split(delimiter):
            assert not part.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), part


def test_spreadsheets_name_roles_in_words_and_the_json_keeps_the_codes() -> None:
    """A person who is both CIO and CISO reads "CIO and CISO" in the CSV and the workbook
    (a consultant's client opens these), while the JSON keeps the stable code."""
    _, inputs = demo()
    people = [
        Respondent(p.name, "CIO_CISO" if n == 0 else "PRIVACY", dict(p.answers), dict(p.comments))
        for n, p in enumerate(inputs.respondents)
    ]
    result = score(inputs.questionnaire, people, organization=inputs.organization).to_dict()
    dual = replace(inputs, respondents=tuple(people))
    text = exports.export("csv", result, dual).decode("utf-8")
    cells = [
        str(cell)
        for rows in sheet_rows(exports.export("xlsx", result, dual)).values()
        for row in rows
        for cell in row
        if cell is not None
    ]
    for shown in (text, "\n".join(cells)):
        assert "CIO and CISO" in shown and "Privacy officer" in shown
        assert "CIO_CISO" not in shown and "PRIVACY" not in shown
    document = json.loads(exports.export("json", result, dual))
    assert {a["role"] for a in document["answers"]} == {"CIO_CISO", "PRIVACY"}
