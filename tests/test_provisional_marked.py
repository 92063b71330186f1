"""A provisional result (under 80% of the required questions answered) is marked as such
wherever a score is shown: the report (cover, summary, scores, method), the executive
summary's words, and every export; a complete one shows one number and its band."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook

from assessor.engine import Respondent
from assessor.reports import exports
from assessor.reports.context import build_context
from assessor.reports.render import render_html
from tests.test_report_data import MINI_CIO, MINI_CISO, mini
from tests.web_support import csv_answers


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def half_answered() -> tuple[dict, object]:
    partial = {k: MINI_CIO[k] for k in ("employees", "regulated_data", "has_ciso", "sec_program")}
    return mini((Respondent("Ada Lovelace", "CIO", partial),))


def test_a_provisional_result_is_a_range_without_a_band_in_the_report() -> None:
    result, inputs = half_answered()
    assert result["provisional"] and result["completeness"] < 80
    low, high = result["range"]["low"], result["range"]["high"]
    assert low <= result["overall"] <= high and low < high
    context = build_context(result, inputs)
    text = _text(render_html(context))
    headline = f"Provisional: {low} to {high} / 100"
    assert text.count(headline) >= 3  # cover, summary, scores
    assert context["scores"]["band"] is None and context["summary"]["band"] is None
    for band in ("Strong", "Established", "Developing", "Weak"):
        assert f"· {band}" not in text
    assert "is a range" in context["summary"]["paragraphs"][0]
    assert f"Headline: {headline}." in text  # How this was scored


def test_a_provisional_result_is_marked_in_every_export() -> None:
    result, inputs = half_answered()
    files = {fmt: exports.export(fmt, result, inputs) for fmt in ("csv", "xlsx", "json")}
    rows = csv_answers(files["csv"].decode("utf-8"))
    assert rows and {row["result_status"] for row in rows} == {"provisional"}
    book = load_workbook(io.BytesIO(files["xlsx"]))
    scores = {row[0]: row[1] for row in book["Scores"].iter_rows(values_only=True) if row}
    assert scores["Result"] == "provisional"
    assert scores["Overall range (provisional)"] == (
        f"{result['range']['low']} to {result['range']['high']}"
    )
    answers = list(book["Answers"].iter_rows(values_only=True))
    assert {row[-1] for row in answers[1:]} == {"provisional"}
    document = json.loads(files["json"])
    assert document["result"]["provisional"] is True
    assert document["result"]["range"] == result["range"]


def test_a_complete_result_shows_one_number_and_its_band() -> None:
    result, inputs = mini(
        (Respondent("Ada Lovelace", "CIO", MINI_CIO), Respondent("Grace Hopper", "CISO", MINI_CISO))
    )
    assert not result["provisional"] and result["range"] is None
    context = build_context(result, inputs)
    text = _text(render_html(context))
    assert f"{result['overall']} / 100 · {context['scores']['band']}" in text
    assert "Provisional" not in text
    files = {fmt: exports.export(fmt, result, inputs) for fmt in ("csv", "xlsx")}
    rows = csv_answers(files["csv"].decode("utf-8"))
    assert {row["result_status"] for row in rows} == {"complete"}
