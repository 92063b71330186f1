"""The assessment as data: CSV (every answer), XLSX (every table the report shows) and JSON.

Everything the PDF shows is in each export, so a reader can check or re-use any figure.
Like the report, these read the engine's result dict and a :class:`ReportInputs`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any

from assessor.reports import export_progress, scoring_text, summary
from assessor.reports.context import ReportInputs
from assessor.reports.disagreement_text import briefing_gaps, maturity_questions, topics
from assessor.reports.export_voice import voice_rows
from assessor.reports.labels import (
    KIND_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    effort_label,
    owner_short,
    role_label,
    sector_label,
)

ANSWER_COLUMNS = (
    "respondent",
    "role",
    "section",
    "question_id",
    "question",
    "value",
    "label",
    "comment",
    "respondent_status",
    "result_status",
)
#: How exports name a result under 80% answered (its score a range, no band), and others.
PROVISIONAL = "provisional"
COMPLETE = "complete"
#: How exports name a counted respondent's state (``status_of``).
SUBMITTED = "submitted"
INCLUDED_IN_PROGRESS = "in progress (included)"
#: The state of a respondent still answering who is not counted (listed apart).
NOT_COUNTED = "in progress (not counted)"
#: A formula character (``= + - @``, tab, CR), after any spaces, at the start of the text or
#: of any part after a ``,``, ``;``, tab or line break: where a spreadsheet splits on that
#: character, the part is a cell of its own, and it would read as a formula (CSV injection).
_FORMULA_START = re.compile(r"(^|[,;\t\r\n])(?=[ ]*[=+\-@\t\r])")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_value_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def status_of(inputs: ReportInputs, index: int) -> str:
    """How the exports name the state of the counted respondent at ``index``."""
    return INCLUDED_IN_PROGRESS if inputs.still_answering(index) else SUBMITTED


def answer_rows(result: Mapping[str, Any], inputs: ReportInputs) -> list[dict[str, Any]]:
    """One row per answer (or comment) of each respondent, in questionnaire order, as the
    engine's result holds them (whether shown, the label)."""
    questionnaire = inputs.questionnaire
    questions = questionnaire.questions
    section_of = questionnaire.section_of
    result_status = PROVISIONAL if result.get("provisional") else COMPLETE
    rows = []
    for index, respondent in enumerate(result["respondents"]):
        status = status_of(inputs, index)
        for answer in respondent["answers"]:
            qid = answer["question"]
            rows.append(
                {
                    "respondent": respondent["name"],
                    "role": respondent["role"],
                    "section": section_of[qid].title,
                    "question_id": qid,
                    "question": questions[qid].text,
                    "value": answer["value"],
                    "label": answer["label"],
                    "comment": answer["comment"],
                    "respondent_status": status,
                    "result_status": result_status,
                    "shown": answer["shown"],
                }
            )
    return rows


def _band(result: Mapping[str, Any]) -> str:
    """The score's band, or why there is none (a provisional result has none)."""
    if result.get("provisional"):
        return "none: the result is provisional"
    return summary.score_band(result["overall"])[0]


def _range_text(result: Mapping[str, Any]) -> str:
    span = result.get("range")
    return f"{span['low']} to {span['high']}" if result.get("provisional") and span else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def unformula(text: str) -> str:
    """``text`` with a quote before the text and before each part after a ``,``, ``;``, tab
    or line break that starts as a formula would, so that no spreadsheet evaluates it, whichever
    character it splits on."""
    return _FORMULA_START.sub(r"\1'", text)


def _csv_cell(value: Any) -> str:
    """A number (a number question's answer, negative or not) as the number; anything
    else as text no spreadsheet reads as a formula."""
    return _value_text(value) if _is_number(value) else unformula(_value_text(value))


def export_csv(result: Mapping[str, Any], inputs: ReportInputs) -> bytes:
    """Every answer and comment as CSV (UTF-8 with a BOM, so spreadsheets detect it), then
    each other sheet of the workbook as a block of its own: a blank row, a row with the
    sheet's name, its rows.  Every field is quoted and every text field kept from reading as
    a formula (:func:`unformula`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(ANSWER_COLUMNS)
    for row in answer_rows(result, inputs):
        row["role"] = role_label(row["role"])
        writer.writerow([_csv_cell(row[column]) for column in ANSWER_COLUMNS])
    for name, block in _sheets(result, inputs).items():
        if name == "Answers":
            continue
        writer.writerow([])
        writer.writerow([_csv_cell(name)])
        for cells in block:
            writer.writerow([_csv_cell(cell) for cell in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _extra_blocks(
    inputs: ReportInputs, result: Mapping[str, Any] | None = None
) -> dict[str, list[Sequence[Any]]]:
    """The sheets (CSV blocks) of the progress since the earlier round, the consultant's
    voice (statuses, responses, the summary as edited) and the actions."""
    blocks = {"Progress": export_progress.progress_rows(inputs.progress)}
    if result is not None:
        blocks["Consultant"] = voice_rows(result, inputs.voice)
    if inputs.actions:
        blocks["Actions"] = export_progress.action_rows(inputs.actions)
    return {name: rows for name, rows in blocks.items() if rows}


def export_json(result: Mapping[str, Any], inputs: ReportInputs) -> bytes:
    """``{"result", "summary", "answers", "organization", "assessment", "progress",
    "actions", "consultant"}`` as UTF-8 JSON (``progress``: null without an earlier round;
    ``summary``: :func:`summary_data`; ``consultant``: the summary as edited, statuses and
    responses by finding key, settled facts and the review line, or null)."""
    document = {
        "result": result,
        "summary": summary_data(result, inputs),
        "answers": answer_rows(result, inputs),
        "organization": {
            "name": inputs.organization,
            "sector": inputs.sector,
            "size": inputs.size,
        },
        "assessment": {
            "title": inputs.assessment_title,
            "date": inputs.assessment_date.isoformat(),
            "questionnaire": {
                "id": inputs.questionnaire.id,
                "version": inputs.questionnaire.version,
                "hash": inputs.questionnaire.hash,
                "title": inputs.questionnaire.title,
            },
            "prepared_by": inputs.firm_name,
            "respondents": [
                {"name": r.name, "role": r.role, "status": status_of(inputs, index)}
                for index, r in enumerate(inputs.respondents)
            ],
            "not_counted": [
                {"name": name, "role": role, "status": NOT_COUNTED} for name, role in inputs.waiting
            ],
        },
        "progress": inputs.progress,
        "actions": list(inputs.actions),
        "consultant": inputs.voice,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def _finding_brief(f: Mapping[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    return {
        "ref": f"F{f['number']}",
        "number": f["number"],
        "id": f["id"],
        "title": f["title"],
        "severity": SEVERITY_LABELS.get(f["severity"], f["severity"]),
        "domain": titles.get(f.get("domain") or "", ""),
        "who should act": owner_short(f["act"]),
        "effort": effort_label(f["effort"]),
        "recommendation": f["recommendation"],
    }


def summary_data(result: Mapping[str, Any], inputs: ReportInputs) -> dict[str, Any]:
    """The executive summary as the report states it: the headline, the band (None when
    provisional), completeness, the range, the three to five most important findings and
    the first actions (with their finding numbers), the disagreement headline."""
    titles = _domain_titles(result, inputs)
    told = summary.executive_summary(
        result,
        inputs.organization,
        titles,
        maturity_questions(inputs.questionnaire),
        topics(inputs.questionnaire),
    )
    span = result.get("range")
    return {
        "headline": scoring_text.headline(result),
        "band": told["band"],
        "overall": result["overall"],
        "provisional": bool(result.get("provisional")),
        "range": dict(span) if result.get("provisional") and span else None,
        "completeness": result["completeness"],
        "clarity": result.get("clarity"),
        "paragraphs": told["paragraphs"],
        "gaps": [_finding_brief(f, titles) for f in summary.top_gaps(result["findings"])],
        "first_actions": [_finding_brief(f, titles) for f in summary.first_actions(result)],
        "disagreement": told["disagreement"],
        "unresolved_facts": len(result.get("unresolved_facts") or []),
    }


def _summary_sheet(result: Mapping[str, Any], inputs: ReportInputs) -> list[Sequence[Any]]:
    data = summary_data(result, inputs)
    rows: list[Sequence[Any]] = [
        ("Organisation", inputs.organization),
        ("Headline", data["headline"]),
        ("Band", data["band"] or "none: the result is provisional"),
        ("Result", PROVISIONAL if data["provisional"] else COMPLETE),
        ("Overall score", data["overall"]),
        ("Overall range (provisional)", _range_text(result)),
        ("Completeness (%)", data["completeness"]),
        ("Ownership clarity (%)", data["clarity"]),
        *(("Summary", paragraph) for paragraph in data["paragraphs"]),
        ("Disagreement", data["disagreement"]),
        (),
        ("most important risks", "ref", "severity", "title", "domain", "who should act"),
        *(
            (rank, g["ref"], g["severity"], g["title"], g["domain"], g["who should act"])
            for rank, g in enumerate(data["gaps"], start=1)
        ),
        (),
        ("first actions", "ref", "recommendation", "who should act", "effort"),
        *(
            (rank, a["ref"], a["recommendation"], a["who should act"], a["effort"])
            for rank, a in enumerate(data["first_actions"], start=1)
        ),
    ]
    return rows


def _respondent_scores(result: Mapping[str, Any]) -> list[Sequence[Any]]:
    """Each respondent's own scores (practice before any cap, per domain, clarity), then the
    combined ones."""
    domains = result["domains"]
    rows: list[Sequence[Any]] = [
        (
            "respondent",
            "role",
            "practice score (before any cap)",
            *(d["title"] for d in domains),
            "ownership clarity (%)",
            "answered (%)",
        )
    ]
    for r in result["respondents"]:
        own = {d["id"]: d.get("score") for d in r["scores"]["domains"]}
        rows.append(
            (
                r["name"],
                role_label(r["role"]),
                r["scores"].get("overall"),
                *(own.get(d["id"]) for d in domains),
                r["scores"].get("clarity"),
                r["completeness"],
            )
        )
    rows.append(
        (
            "Combined",
            "",
            result.get("practice", result["overall"]),
            *(scoring_text.domain_score(d) for d in domains),
            result.get("clarity"),
            result["completeness"],
        )
    )
    return rows


def _unresolved_facts(result: Mapping[str, Any]) -> list[Sequence[Any]]:
    """The facts the respondents answer differently (deciding a regulation, or resting a
    finding), one row per answer (findings depending on them are held at medium until they are settled)."""
    rows: list[Sequence[Any]] = [("question id", "fact", "respondent", "role", "answer")]
    for fact in result.get("unresolved_facts") or []:
        for answer in fact["answers"]:
            rows.append(
                (
                    fact["question"],
                    fact["text"],
                    answer["respondent"],
                    role_label(answer["role"]),
                    answer["label"],
                )
            )
    return rows


def _cell_text(value: Any) -> Any:
    """A value of a data-driven table as a cell: numbers as numbers, lists joined."""
    if value is None or _is_number(value) or isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(str(_cell_text(v)) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_cell_text(v)}" for k, v in value.items())
    return str(value)


INITIATIVE_COLUMNS = (
    "initiative",
    "outcome",
    "owner",
    "horizon",
    "findings",
    "depends on",
)


def _initiatives(result: Mapping[str, Any]) -> list[Sequence[Any]]:
    """The roadmap's initiatives, where the result holds them (``initiatives``): one row
    each, its findings by number (F1 ...) and what it depends on by title.  Results kept
    before the roadmap had initiatives: no rows."""
    initiatives = result.get("initiatives")
    if not initiatives:
        return []
    numbers = {f["id"]: f"F{f['number']}" for f in result.get("findings", ())}
    titles = {item["id"]: item["title"] for item in initiatives}
    return [
        INITIATIVE_COLUMNS,
        *(
            (
                item["title"],
                item["outcome"],
                owner_short(item["owner"]),
                item["horizon"],
                ", ".join(numbers.get(f, f) for f in item["findings"]),
                "; ".join(titles.get(d, d) for d in item["depends_on"]),
            )
            for item in initiatives
        ),
    ]


# --- XLSX ----------------------------------------------------------------------------------


def _domain_titles(result: Mapping[str, Any], inputs: ReportInputs) -> dict[str, str]:
    titles = {s.id: s.title for s in inputs.questionnaire.sections}
    titles.update({d["id"]: d["title"] for d in result["domains"]})
    return titles


def _finding_refs(result: Mapping[str, Any]) -> dict[str, str]:
    """F1, F2, ... as the engine numbers the findings (the report uses the same)."""
    return {f["id"]: f"F{f['number']}" for f in result["findings"]}


def _evidence_text(finding: Mapping[str, Any]) -> str:
    lines = []
    for answer in finding["evidence"]["answers"]:
        lines.append(
            f"{answer['question']} ({answer['text']}): {answer['respondent']} "
            f"({role_label(answer['role'])}) answered {answer['label']}"
        )
    return "\n".join(lines)


def _waiting_rows(inputs: ReportInputs) -> list[Sequence[Any]]:
    """The respondents still answering who are not counted, as a block of their own."""
    if not inputs.waiting:
        return []
    heading = ("still answering, not counted", "role", "status")
    return [
        (),
        heading,
        *((name, role_label(role), NOT_COUNTED) for name, role in inputs.waiting),
    ]


def _sheets(result: Mapping[str, Any], inputs: ReportInputs) -> dict[str, list[Sequence[Any]]]:
    titles = _domain_titles(result, inputs)
    refs = _finding_refs(result)
    by_id = {f["id"]: f for f in result["findings"]}
    answers = [
        ANSWER_COLUMNS,
        *(
            [
                r["respondent"],
                role_label(r["role"]),
                r["section"],
                r["question_id"],
                r["question"],
                r["value"] if _is_number(r["value"]) else _value_text(r["value"]),
                r["label"],
                r["comment"],
                r["respondent_status"],
                r["result_status"],
            ]
            for r in answer_rows(result, inputs)
        ),
    ]
    findings: list[Sequence[Any]] = [
        (
            "ref",
            "id",
            "severity",
            "kind",
            "responsibility",
            "domain",
            "title",
            "recommendation",
            "who should act",
            "effort",
            "references",
            "weight",
            "evidence check",
            "evidence",
        )  # fmt: skip
    ]
    for f in sorted(result["findings"], key=lambda f: int(refs[f["id"]][1:])):
        findings.append(
            (
                refs[f["id"]],
                f["id"],
                SEVERITY_LABELS.get(f["severity"], f["severity"]),
                KIND_LABELS.get(f["kind"], f["kind"]),
                f.get("responsibility") or "",
                titles.get(f.get("domain") or "", f.get("domain") or ""),
                f["title"],
                f["recommendation"],
                owner_short(f["act"]),
                effort_label(f["effort"]),
                "; ".join(f["references"]),
                f["weight"],
                f["evidence"]["check"],
                _evidence_text(f),
            )
        )
    raci: list[Sequence[Any]] = [
        (
            "responsibility",
            "domain",
            "title",
            "accountable (model)",
            "consulted (model)",
            "status",
            "named owners",
        )  # fmt: skip
    ]
    for row in result["raci"]:
        raci.append(
            (
                row["responsibility"],
                titles.get(row.get("domain") or "", row.get("domain") or ""),
                row["title"],
                owner_short(row["accountable"]),
                ", ".join(owner_short(c) for c in row["consulted"]),
                STATUS_LABELS.get(row["status"], row["status"]),
                "; ".join(
                    f"{n['respondent']} ({role_label(n['role'])}): {owner_short(n['owner'])}"
                    for n in row["named"]
                ),
            )
        )
    scores: list[Sequence[Any]] = [
        ("Organisation", inputs.organization),
        ("Sector", sector_label(inputs.questionnaire, inputs.sector)),
        ("Size", inputs.size or ""),
        ("Assessment", inputs.assessment_title),
        ("Date", inputs.assessment_date.isoformat()),
        ("Questionnaire", f"{inputs.questionnaire.title}, version {inputs.questionnaire.version}"),
        ("Prepared by", inputs.firm_name or ""),
        ("Overall score", result["overall"]),
        ("Band", _band(result)),
        ("Result", PROVISIONAL if result.get("provisional") else COMPLETE),
        ("Overall range (provisional)", _range_text(result)),
        ("Completeness (%)", result["completeness"]),
        ("Ownership clarity (%)", result.get("clarity")),
        ("Practice score before the cap", result.get("practice", result["overall"])),
        ("Cap", scoring_text.cap_text(result)),
        ("Method version", result["method"].get("version")),
        ("Method", result["method"]["combination"]),
        ("Method description", result["method"]["description"]),
        (),
        ("respondent", "role", "completeness (%)", "questions shown", "answered", "status"),
        *(
            (
                r["name"],
                role_label(r["role"]),
                r["completeness"],
                r["shown"],
                r["answered"],
                status_of(inputs, index),
            )
            for index, r in enumerate(result["respondents"])
        ),
        *_waiting_rows(inputs),
        (),
        (
            "domain id",
            "domain",
            "score",
            "maturity",
            "target",
            "distance",
            "completeness (%)",
            "disagreement",
            "ownership clarity (%)",
        ),  # fmt: skip
        *(
            (
                d["id"],
                d["title"],
                scoring_text.domain_score(d),
                d["maturity"],
                d["target"],
                d["distance"],
                d["completeness"],
                d["disagreement"],
                d.get("clarity"),
            )  # fmt: skip
            for d in result["domains"]
        ),
    ]
    perception: list[Sequence[Any]] = [
        ("domain id", "domain", "disagreement"),
        *((d["id"], d["title"], d["disagreement"]) for d in result["perception"]["domains"]),
        (),
        ("question id", "question", "responsibility", "domain", "respondent", "role", "answer"),
    ]
    for gap in result["perception"]["gaps"]:
        for answer in gap["answers"]:
            perception.append(
                (
                    gap["question"],
                    gap["text"],
                    gap.get("responsibility") or "",
                    titles.get(gap.get("domain") or "", gap.get("domain") or ""),
                    answer["respondent"],
                    role_label(answer["role"]),
                    answer["label"],
                )
            )
    briefed = [g for g in briefing_gaps(result) if g["question"] in inputs.questionnaire.questions]
    if briefed:
        perception += [
            (),
            (
                "question id",
                "question (\u201cdon't know\u201d where the others agree: for briefing)",
                "responsibility",
                "domain",
                "respondent",
                "role",
                "answer",
            ),
        ]
    section_of = inputs.questionnaire.section_of
    for gap in briefed:
        question = inputs.questionnaire.questions[gap["question"]]
        for answer in gap["answers"]:
            perception.append(
                (
                    gap["question"],
                    question.text,
                    question.responsibility or "",
                    section_of[gap["question"]].title,
                    answer["respondent"],
                    role_label(answer["role"]),
                    answer["label"],
                )
            )
    roadmap: list[Sequence[Any]] = [
        ("when", "ref", "finding id", "title", "who should act", "effort", "severity")
    ]
    for key, label in (
        ("quick_wins", "Quick wins"),
        ("next_90_days", "Next 90 days"),
        ("next_12_months", "Next 12 months"),
    ):
        for fid in result["roadmap"].get(key, []):
            f = by_id.get(fid)
            if f is None:
                continue
            roadmap.append(
                (
                    label,
                    refs[fid],
                    fid,
                    f["title"],
                    owner_short(f["act"]),
                    effort_label(f["effort"]),
                    SEVERITY_LABELS.get(f["severity"], f["severity"]),
                )
            )
    ignored: list[Sequence[Any]] = [
        ("respondent", "question id", "reason"),
        *((i["respondent"], i["question"], i["reason"]) for i in result.get("ignored", [])),
    ]
    extra = {
        "Summary": _summary_sheet(result, inputs),
        "Respondent scores": _respondent_scores(result),
        "Unresolved facts": _unresolved_facts(result),
        "Roadmap initiatives": _initiatives(result),
    }
    return {
        "Answers": answers,
        "Findings": findings,
        "Responsibility matrix": raci,
        "Scores": scores,
        "Perception": perception,
        "Roadmap": roadmap,
        "Ignored answers": ignored,
        **{name: rows for name, rows in extra.items() if rows},
        **_extra_blocks(inputs, result),
    }


def export_xlsx(result: Mapping[str, Any], inputs: ReportInputs) -> bytes:
    """A workbook: Answers, Findings, Responsibility matrix, Scores, Perception, Roadmap."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    stamp = datetime.combine(inputs.assessment_date, time())
    workbook.properties.created = workbook.properties.modified = stamp
    workbook.properties.title = f"{inputs.organization}: governance gap assessment"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for name, rows in _sheets(result, inputs).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([None if cell is None else cell for cell in row])
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    # A value such as "=1+1" typed by a user is text, never a formula.
                    cell.data_type = "s"
                    if "\n" in cell.value or len(cell.value) > 60:
                        cell.alignment = wrap
        header_rows = [1] if name not in ("Scores", "Progress", "Summary") else []
        for index in header_rows:
            for cell in sheet[index]:
                cell.font = bold
        sheet.freeze_panes = "A2" if header_rows else None
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60) + 2
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx, "json": export_json}


def export(fmt: str, result: Mapping[str, Any], inputs: ReportInputs) -> bytes:
    """The export in ``fmt`` (csv, xlsx or json).

    :raise ValueError: an unknown format.
    """
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; use csv, xlsx or json") from None
    return exporter(result, inputs)
