"""The assessment as data: CSV (every answer, then each sheet as a block), XLSX (every table
the report shows, :mod:`~assessor.reports.export_sheets`) and JSON.

Everything the PDF shows is in each export, so a reader can check or re-use any figure.
Like the report, these read the engine's result dict and a :class:`ReportInputs`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from assessor.reports.context import ReportInputs
from assessor.reports.export_rows import (
    ANSWER_COLUMNS,
    NOT_COUNTED,
    answer_rows,
    is_number,
    status_of,
    summary_data,
    value_text,
)
from assessor.reports.export_sheets import sheets
from assessor.reports.labels import role_label

#: A formula character (``= + - @``, tab, CR), after any spaces, at the start of the text or
#: of any part after a ``,``, ``;``, tab or line break: where a spreadsheet splits on that
#: character, the part is a cell of its own, and it would read as a formula (CSV injection).
_FORMULA_START = re.compile(r"(^|[,;\t\r\n])(?=[ ]*[=+\-@\t\r])")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def unformula(text: str) -> str:
    """``text`` with a quote before the text and before each part after a ``,``, ``;``, tab
    or line break that starts as a formula would, so that no spreadsheet evaluates it, whichever
    character it splits on."""
    return _FORMULA_START.sub(r"\1'", text)


def _csv_cell(value: Any) -> str:
    """A number (a number question's answer, negative or not) as the number; anything
    else as text no spreadsheet reads as a formula."""
    return value_text(value) if is_number(value) else unformula(value_text(value))


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
    for name, block in sheets(result, inputs).items():
        if name == "Answers":
            continue
        writer.writerow([])
        writer.writerow([_csv_cell(name)])
        for cells in block:
            writer.writerow([_csv_cell(cell) for cell in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_json(result: Mapping[str, Any], inputs: ReportInputs) -> bytes:
    """``{"result", "summary", "answers", "organization", "assessment", "progress",
    "actions", "consultant"}`` as UTF-8 JSON (``progress``: null without an earlier round;
    ``summary``: :func:`summary_data`; ``consultant``: the summary as edited, statuses and
    responses by finding key, settled facts and the review line, or null).  The key is a
    name for programs and stays ``consultant`` in every workspace, an organisation's own
    too (where the XLSX sheet and CSV block are named "Review")."""
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
    for name, rows in sheets(result, inputs).items():
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
