"""The PDF report, read back with pypdf: every section, the right figures, page sizes,
page numbers, and a report that always renders."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from functools import cache
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from assessor.engine import Respondent, score
from assessor.engine.method import CLEAR
from assessor.reports.charts import heatmap_svg, radar_svg
from assessor.reports.context import build_context, format_date
from assessor.reports.fetcher import ReportFetcher
from assessor.reports.labels import role_label
from assessor.reports.render import render_html, render_pdf
from tests.test_report_data import mini

from . import test_report_data as data

CHAPTERS = (
    ("Executive summary", "summary"),
    ("Method, scope and limitations", "method"),
    ("Scores", "scores"),
    ("Responsibility matrix", "raci"),
    ("Findings", "findings"),
    ("Disagreements", "perception"),
    ("Roadmap", "roadmap"),
    ("Appendix: every answer", "appendix"),
)


def squash(text: str) -> str:
    """Text without whitespace, so line breaks in the PDF don't matter."""
    return re.sub(r"\s+", "", text)


class Rendered:
    def __init__(self, result: dict[str, Any], inputs: Any) -> None:
        self.result = result
        self.inputs = inputs
        self.context = build_context(result, inputs)
        self.html = render_html(self.context)
        self.fetcher = ReportFetcher(inputs.assets())
        self.pdf = render_pdf(self.html, fetcher=self.fetcher)
        self.reader = PdfReader(io.BytesIO(self.pdf))
        self.pages = [page.extract_text() or "" for page in self.reader.pages]
        self.flat = [squash(page) for page in self.pages]
        self.all = "".join(self.flat)

    def has(self, text: str) -> bool:
        return squash(text) in self.all

    def page_of(self, text: str, after: int = 0) -> int:
        """The 1-based number of the first page from ``after`` on that holds ``text``."""
        wanted = squash(text)
        for number, page in enumerate(self.flat[after:], start=after + 1):
            if wanted in page:
                return number
        raise AssertionError(f"{text!r} is not in the report")


@cache
def demo_report() -> Rendered:
    return Rendered(*data.demo())


@pytest.fixture(scope="module")
def report() -> Rendered:
    return demo_report()


def test_cover(report: Rendered) -> None:
    cover = report.flat[0]
    meta = report.context["meta"]
    for text in (
        report.inputs.organization,
        format_date(data.DEMO_DATE),
        f"{report.result['questionnaire']['title']}, version {report.result['questionnaire']['version']}",
        "Prepared by Northwind Advisory",
        "Confidential",
        f"{report.result['overall']} / 100",
    ):
        assert squash(text) in cover, text
    assert meta["date"] == "2026-03-14"


def test_chapters_in_order_with_contents_page_numbers(report: Rendered) -> None:
    contents = report.page_of("Contents")
    assert contents == 1  # on the cover
    pages: list[int] = []
    for title, _ in CHAPTERS:  # each chapter after the one before it
        pages.append(report.page_of(title, after=pages[-1] if pages else contents))
    assert len(set(pages)) == len(pages)
    toc = report.flat[contents - 1]
    for (title, _), page in zip(CHAPTERS, pages, strict=True):
        found = re.search(re.escape(squash(title)) + r"\.*(\d+)", toc)
        assert found, f"{title} missing from the contents"
        assert int(found.group(1)) == page, f"{title}: contents says {found.group(1)}, is {page}"


def test_every_page_has_footer(report: Rendered) -> None:
    total = len(report.pages)
    footer = squash(f"{report.inputs.organization} · {format_date(data.DEMO_DATE)} · Confidential")
    for number, page in enumerate(report.flat[1:], start=2):
        assert f"Page{number}of{total}" in page
        assert footer in page
        assert "Confidential" in page


def test_summary_in_plain_words(report: Rendered) -> None:
    start = report.page_of("Executive summary", after=1)
    end = report.page_of("Method, scope and limitations", after=start)
    text = "".join(report.flat[start - 1 : end - 1])
    summary = report.context["summary"]
    assert squash(f"{report.result['overall']} / 100") in text
    assert squash(summary["paragraphs"][0]) in text
    assert 3 <= len(summary["gaps"]) <= 5
    for gap in summary["gaps"]:
        assert squash(gap["title"]) in text
    # Each of the most important risks carries its own action (the first actions' list
    # of report v1 is now beside each risk).
    for risk in report.context["risks"]:
        assert squash(f"What to do: {risk['recommendation']}") in text
    assert squash("disagree") in text
    method = "".join(report.flat[end - 1 : end + 1])
    assert squash("the lower of two answers counts") in method


def test_the_report_prints_the_method_and_this_result_s_figures(report: Rendered) -> None:
    start = report.page_of("How this was scored", after=2)
    text = "".join(report.flat[start - 1 : start + 1])
    result = report.result
    assert squash(f"Scoring method, version {result['method']['version']}") in text
    assert squash("Practice maturity is the headline") in text
    assert squash("a critical one at 59, so it cannot read Established") in text
    assert squash("a high one at 79, so it cannot read Strong") in text
    assert squash(f"Practice score: {result['practice']} / 100.") in text
    assert squash("What this assessment does not cover") in text
    assert squash(f"{result['completeness']}% of the required questions answered") in text
    assert squash(f"Ownership clarity: {result['clarity']}%") in text


def test_scores_per_domain(report: Rendered) -> None:
    assert report.page_of("Scores", after=3)
    for domain in report.result["domains"]:
        assert re.search(
            re.escape(squash(domain["title"]))
            + r".{0,90}?"
            + re.escape(f"Score{domain['score']}/100"),
            report.all,
        )
        assert report.has(f"Clarity {domain['clarity']}%")
        maturity = "–" if domain["maturity"] is None else f"{domain['maturity']:.1f}"
        assert report.has(f"Maturity {maturity}")
        assert report.has(f"against a target of {domain['target']}")
    assert "<svg" in report.html and "Maturity by domain against target" in report.html


def test_responsibility_matrix_shows_every_owner(report: Rendered) -> None:
    start = report.page_of("Responsibility matrix", after=3)
    end = report.page_of("Findings", after=start)
    assert end - start <= 2  # a grid on two pages at most
    text = "".join(report.flat[start - 1 : end - 1])
    for row in report.result["raci"]:
        mark = "✓" if row["fit"] in CLEAR else "–" if row["fit"] == "unanswered" else "✗"
        assert squash(f"{mark} {row['responsibility']} {row['title']}") in text
    for respondent in report.result["respondents"]:
        assert squash(f"{role_label(respondent['role'])} = {respondent['name']}") in text
    grid = report.context["grid"]
    codes = [c["code"] for c in grid["columns"]]
    cells = {
        r["id"]: dict(zip(codes, r["cells"], strict=True))
        for g in grid["groups"]
        for r in g["rows"]
    }
    for row in report.result["raci"]:
        for named in row["named"]:
            cell = cells[row["responsibility"]][named["owner"]]
            assert role_label(named["role"]) in cell["named"]
            if row["fit"] != "disputed":  # the row's verdict is each named owner's
                assert cell["mismatch"] is (row["fit"] not in CLEAR)


def test_findings_most_severe_first_with_why_what_who(report: Rendered) -> None:
    findings = report.context["findings"]
    assert findings
    ranks = ["critical", "high", "medium", "low"]
    assert [ranks.index(f["severity"]) for f in findings] == sorted(
        ranks.index(f["severity"]) for f in findings
    )
    start = report.page_of("Findings", after=3)
    text = "".join(report.flat[start - 1 :])
    position = 0
    for finding in findings:
        at = text.find(squash(f"{finding['ref']} · {finding['severity_label']}"), position)
        assert at >= position, finding["ref"]
        position = at
        assert squash(finding["title"]) in text
        assert squash(finding["recommendation"]) in text
        assert squash(f"Who: {finding['act_label']} · Effort: {finding['effort']}") in text
        for evidence in finding["evidence"][:3]:
            assert squash(evidence["text"]) in text
        if len(finding["evidence"]) > 3:
            assert squash(f"and {len(finding['evidence']) - 3} more answer") in text


def test_perception_gaps_and_heatmap(report: Rendered) -> None:
    start = report.page_of("Disagreements", after=3)
    text = "".join(report.flat[start - 1 :])
    for respondent in report.result["respondents"]:
        assert squash(f"{respondent['name']} ({respondent['role']})") in text
    for gap in report.result["perception"]["gaps"]:
        assert squash(gap["text"]) in text
        for answer in gap["answers"]:
            assert squash(answer["label"]) in text
    assert "Disagreement between respondents by domain" in report.html


def test_roadmap_initiatives(report: Rendered) -> None:
    start = report.page_of("Roadmap", after=3)
    text = "".join(report.flat[start - 1 :])
    groups = report.context["initiatives"]
    items = [item for group in groups for item in group["items"]]
    assert 1 <= len(items) <= 12
    for group in groups:
        assert squash(f"Within {group['horizon']}") in text
    refs = []
    for item in items:
        assert squash(f"{item['ref']} {item['title']}") in text
        assert squash(f"Owner: {item['owner']}") in text
        refs += item["findings"]
    assert sorted(refs) == sorted(f["ref"] for f in report.context["findings"])


def test_a_result_stored_before_the_initiatives_shows_its_roadmap_groups() -> None:
    result, inputs = data.demo()
    result = {k: v for k, v in result.items() if k != "initiatives"}
    context = build_context(result, inputs)
    assert context["initiatives"] == []
    html = render_html(context)
    for title in ("Quick wins", "Next 90 days", "Next 12 months"):
        assert title in html


def test_appendix_has_every_answer_and_comment(report: Rendered) -> None:
    start = report.page_of("Appendix: every answer", after=3)
    text = "".join(report.flat[start - 1 :])
    for respondent in report.inputs.respondents:
        for comment in respondent.comments.values():
            assert squash(comment) in text
    shown = [q for s in report.context["appendix"]["sections"] for q in s["questions"]]
    assert len(shown) >= len(report.inputs.questionnaire.questions) // 2
    for question in shown:
        assert squash(question["text"]) in text


def test_a4_by_default_and_letter_by_option() -> None:
    sizes = {}
    for paper in ("a4", "letter"):
        result, inputs = mini(paper=paper)
        pdf = render_pdf(render_html(build_context(result, inputs)))
        box = PdfReader(io.BytesIO(pdf)).pages[1].mediabox
        sizes[paper] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"a4": (595, 842), "letter": (612, 792)}


def test_one_respondent_has_no_perception_chapter() -> None:
    result, inputs = mini(respondents=(Respondent("Ada Lovelace", "CIO", data.MINI_CIO, {}),))
    context = build_context(result, inputs)
    html = render_html(context)
    assert 'id="perception"' not in html and "#perception" not in html
    assert "Only one person answered" in context["summary"]["disagreement"]


def test_charts_are_standalone_svg_with_escaped_titles() -> None:
    domains = [
        {"id": "a", "title": "<script>alert(1)</script> & co", "maturity": 2.5, "target": 3},
        {"id": "b", "title": "Data", "maturity": None, "target": 3},
        {"id": "c", "title": "Third", "maturity": 4.0, "target": 2},
    ]
    for svg in (radar_svg(domains), heatmap_svg([{**d, "disagreement": 0.4} for d in domains])):
        root = ElementTree.fromstring(str(svg))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
        assert "<script>" not in svg and "&lt;script&gt;" in svg


def _answer_strategy(question: Any) -> st.SearchStrategy[Any]:
    """Any value ``question`` accepts."""
    values = [o.value for o in question.all_options]
    if question.kind in ("owner", "maturity", "choice", "yesno"):
        return st.sampled_from(values)
    if question.kind == "multi":
        return st.lists(st.sampled_from(values), min_size=1, unique=True)
    if question.kind == "number":
        low = int(question.min if question.min is not None else 0)
        high = int(question.max if question.max is not None else 10_000)
        return st.integers(min_value=low, max_value=high)
    return st.text(min_size=1, max_size=min(question.max_length, 200))


@cache
def answer_sets() -> st.SearchStrategy[dict[str, Any]]:
    questions = data.catalog().get("cio-ciso-governance").questions.values()
    return st.fixed_dictionaries({}, optional={q.id: _answer_strategy(q) for q in questions})


@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each example is slow
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    drawn=st.data(),
    comment=st.text(max_size=300),
    name=st.text(min_size=1, max_size=60),
)
def test_random_valid_answers_always_render(drawn: st.DataObject, comment: str, name: str) -> None:
    first = drawn.draw(answer_sets())
    second = drawn.draw(answer_sets())
    people = (
        Respondent(
            name, "CIO", first, {qid: comment for qid in list(first)[:3]} if comment else {}
        ),
        Respondent(name + " 2", "CISO", second, {}),
    )
    questionnaire = data.catalog().get("cio-ciso-governance")
    result = score(questionnaire, people, organization=name).to_dict()
    _, inputs = data.demo()
    inputs = replace(inputs, organization=name, respondents=people, firm_name=name)
    pdf = render_pdf(render_html(build_context(result, inputs)))
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 8
    # poppler, not pypdf: pypdf garbles a page's text once a glyph is missing from the font
    # (random text has unassigned code points), which says nothing about the PDF.
    cover = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    if result["provisional"]:
        low, high = result["range"]["low"], result["range"]["high"]
        assert f"Provisional:{low}to{high}/100" in squash(cover)
    else:
        assert f"{result['overall']}/100" in squash(cover)
