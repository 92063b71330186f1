"""Report v2 (issue 15) read back for a known organisation, the retailer of the scenarios
(the worst realistic one: 28 findings): every chapter in the issue's order with the right
figures, the body (chapters 1-8) within 15 pages on A4 and US Letter, no body page less
than a third full except before a chapter (measured from WeasyPrint's page boxes), the
charts' text alternatives, and the appendix left out on request."""

from __future__ import annotations

import html as markup
import io
import re
from functools import cache
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from assessor.reports.context import build_context
from assessor.reports.labels import role_label
from assessor.reports.render import render_html
from tests.report_layout import (
    Measured,
    demo_report_inputs,
    measure,
    scenario_report,
    scenarios,
)

RETAILER = "retailer-cio-ciso-disagree"
SVG = "{http://www.w3.org/2000/svg}"
BODY_CHAPTERS = (
    ("Executive summary", "summary"),
    ("Method, scope and limitations", "method"),
    ("Scores", "scores"),
    ("Responsibility matrix", "raci"),
    ("Findings", "findings"),
    ("Disagreements", "perception"),
    ("Roadmap", "roadmap"),
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@cache
def measured(paper: str) -> Measured:
    result, inputs = scenario_report(RETAILER)
    return measure(result, inputs, paper)


@cache
def pages() -> list[str]:
    reader = PdfReader(io.BytesIO(measured("a4").pdf))
    return [squash(page.extract_text() or "") for page in reader.pages]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_worstscenarios_body_fits_in_fifteen_pages(paper: str) -> None:
    report = measured(paper)
    assert report.chapter_starts["appendix"] == report.body_pages + 1
    assert report.body_pages <= 15, report.body_pages


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_body_page_is_less_than_a_third_full_except_before_a_chapter(paper: str) -> None:
    report = measured(paper)
    assert report.thin_pages() == [], [round(f, 2) for f in report.fills]
    # The measure is real: the cover is nearly full, the summary's page well filled.
    assert report.fills[0] > 0.8 and report.fills[report.chapter_starts["summary"] - 1] > 0.4


@pytest.mark.parametrize("slug", sorted(scenarios()))
def test_everyscenarios_body_fits_on_a4_without_thin_pages(slug: str) -> None:
    result, inputs = scenario_report(slug)
    report = measure(result, inputs, "a4")
    assert report.body_pages <= 15
    assert report.thin_pages() == [], [round(f, 2) for f in report.fills]
    assert report.split_rows == ()  # no question on one page and its answers on the next
    assert report.chapter_starts["method"] - report.chapter_starts["summary"] == 1  # one page
    assert report.chapter_starts["findings"] - report.chapter_starts["raci"] <= 2


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_disagreement_row_is_split_between_pages_in_the_demo(paper: str) -> None:
    """The demo's table of questions answered differently runs over a page break: a row
    moves whole to the next page (it once left a NIS2 question on one page and its two
    answers at the foot of the one before)."""
    result, inputs = demo_report_inputs(paper=paper)
    report = measure(result, inputs, paper)
    assert report.chapter_starts["roadmap"] - report.chapter_starts["perception"] >= 2
    assert report.split_rows == ()


def test_the_chapters_are_in_the_issues_order_with_their_page_numbers() -> None:
    report = measured("a4")
    starts = [report.chapter_starts[anchor] for _, anchor in BODY_CHAPTERS]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert report.chapter_starts["contents"] == 1  # on the cover
    text = pages()
    for (title, _anchor), page in zip(BODY_CHAPTERS, starts, strict=True):
        assert squash(title) in text[page - 1], title
        found = re.search(re.escape(squash(title)) + r"\.*(\d+)", text[0])
        assert found and int(found.group(1)) == page, title
    assert re.search(r"Appendix:everyanswer\.*(\d+)", text[0])


def test_the_summary_has_the_headline_both_measures_five_risks_and_the_disagreement() -> None:
    result, inputs = scenario_report(RETAILER)
    context = build_context(result, inputs)
    summary = pages()[measured("a4").chapter_starts["summary"] - 1]
    assert squash(f"{result['overall']} / 100 · Weak") in summary
    assert squash(f"ownership clarity {result['clarity']}%") in summary
    assert squash(f"{result['completeness']}% of the required questions answered") in summary
    assert len(context["risks"]) == 5
    assert squash("The five most important risks") in summary
    for number, risk in enumerate(context["risks"], start=1):
        assert squash(f"{number}. {risk['title']}") in summary
        assert squash(f"What to do: {risk['recommendation']}") in summary
        assert squash(f"Who: {risk['act']} · Effort: {risk['effort']} · {risk['ref']}") in summary
    assert squash("Where the leaders disagree") in summary
    assert squash(context["summary"]["disagreement"][:80]) in summary


def test_scores_show_each_domain_s_two_measures_and_each_respondent() -> None:
    result, _ = scenario_report(RETAILER)
    text = "".join(pages())
    for domain in result["domains"]:
        assert re.search(
            re.escape(squash(domain["title"]))
            + r".{0,90}?"
            + re.escape(f"Score{domain['score']}/100"),
            text,
        )
        assert squash(f"Clarity {domain['clarity']}%") in text
        assert squash(f"Maturity {domain['maturity']:.1f}") in text
    for respondent in result["respondents"]:
        own = respondent["scores"]
        assert squash(f"{respondent['name']} ({respondent['role']}){own['overall']}") in text


def test_the_bars_are_as_long_as_their_labels_say() -> None:
    result, inputs = scenario_report(RETAILER)
    html = render_html(build_context(result, inputs))
    table = html[html.index('class="domain-bars"') :]
    for domain in result["domains"]:
        row = table[table.index(f">{domain['title']}<") :]
        score, clarity = row.index(f"Score {domain['score']} / 100"), row.index("Clarity")
        assert score < clarity < row.index("Maturity")
        # Each bar (drawn before its label) is filled up to its figure, then the track.
        assert f" {domain['score']}%, #e6e9ed {domain['score']}%" in row[:score]
        assert f" {domain['clarity']}%, #e6e9ed {domain['clarity']}%" in row[score:clarity]


def test_the_responsibility_grid_marks_the_models_owner_and_each_named_one() -> None:
    result, inputs = scenario_report(RETAILER)
    grid = build_context(result, inputs)["grid"]
    codes = [c["code"] for c in grid["columns"]]
    rows = {row["id"]: row for group in grid["groups"] for row in group["rows"]}
    assert set(rows) == {r["responsibility"] for r in result["raci"]}
    for raci in result["raci"]:
        cells = dict(zip(codes, rows[raci["responsibility"]]["cells"], strict=True))
        assert cells[raci["accountable"]]["model"] == "A"
        for consulted in raci["consulted"]:
            assert cells[consulted]["model"] == "C"
        for named in raci["named"]:
            cell = cells[named["owner"]]
            assert role_label(named["role"]) in cell["named"]
            if raci["fit"] != "disputed":  # the row's verdict is each named owner's
                assert cell["mismatch"] == (raci["fit"] not in ("expected", "acceptable"))
    report = measured("a4")
    assert report.chapter_starts["findings"] - report.chapter_starts["raci"] <= 2


def test_findings_most_important_first_with_why_what_who_effort_references() -> None:
    result, inputs = scenario_report(RETAILER)
    findings = build_context(result, inputs)["findings"]
    report = measured("a4")
    text = "".join(
        pages()[report.chapter_starts["findings"] - 1 : report.chapter_starts["perception"] - 1]
    )
    position = 0
    for finding in findings:
        at = text.find(squash(f"{finding['ref']} · {finding['severity_label']}"), position)
        assert at >= position, finding["ref"]
        position = at
        assert squash(finding["title"]) in text
        assert squash(f"What to do: {finding['recommendation']}") in text
        assert squash(f"Who: {finding['act_label']} · Effort: {finding['effort']}") in text
        assert squash(finding["evidence"][0]["text"]) in text
        for reference in finding["references"]:
            assert squash(reference) in text


def test_disagreements_list_unresolved_facts_first_then_by_domain() -> None:
    result, _ = scenario_report(RETAILER)
    report = measured("a4")
    text = "".join(
        pages()[report.chapter_starts["perception"] - 1 : report.chapter_starts["roadmap"] - 1]
    )
    assert result["unresolved_facts"]
    facts = {f["question"] for f in result["unresolved_facts"]}
    first_gap = min(
        text.index(squash(g["text"]))
        for g in result["perception"]["gaps"]
        if g["question"] not in facts
    )
    for fact in result["unresolved_facts"]:
        assert text.index(squash(fact["text"])) < first_gap
    for gap in result["perception"]["gaps"]:
        assert squash(gap["text"]) in text


def test_the_roadmap_shows_at_most_twelve_initiatives_with_owner_horizon_dependencies() -> None:
    result, inputs = scenario_report(RETAILER)
    groups = build_context(result, inputs)["initiatives"]
    items = [item for group in groups for item in group["items"]]
    assert 1 <= len(items) <= 12 and len(items) == len(result["initiatives"])
    text = "".join(pages()[measured("a4").chapter_starts["roadmap"] - 1 :])
    for group in groups:
        assert squash(f"Within {group['horizon']}") in text
    for item in items:
        assert squash(f"{item['ref']} {item['title']}") in text
        assert squash(f"Owner: {item['owner']} · Closes: {', '.join(item['findings'])}") in text
        for dep in item["depends_on"]:
            assert squash(f"After: {dep}") in text or squash(dep) in text
    assert any(item["depends_on"] for item in items)
    # The horizons say when work starts: a project begun within 30 days is not promised
    # done within the month, and no heading claims a severity its initiatives lack.
    assert "done within a month" not in text and "High-severity" not in text
    assert squash("A project started here runs for the months its effort says.") in text


def test_a_short_reports_last_chapters_share_a_page() -> None:
    """The bank has one finding and no disagreement: the findings, the disagreements and
    the roadmap follow one another on one page, where each began a near-empty page."""
    result, inputs = scenario_report("eu-bank-ciso-under-cro")
    report = measure(result, inputs, "a4")
    starts = report.chapter_starts
    assert starts["findings"] == starts["perception"] == starts["roadmap"]
    assert report.thin_pages() == []
    # A long report keeps a page per chapter.
    assert (
        len({measured("a4").chapter_starts[c] for c in ("findings", "perception", "roadmap")}) == 3
    )


def test_a_report_with_one_finding_says_one_finding() -> None:
    result, inputs = scenario_report("eu-bank-ciso-under-cro")
    assert len(result["findings"]) == 1
    html = render_html(build_context(result, inputs))
    assert "<p>One finding. Each says" in html
    assert "most important first" not in html


def test_each_chart_has_a_title_naming_what_it_draws() -> None:
    result, inputs = scenario_report(RETAILER)
    charts = build_context(result, inputs)["charts"]
    for name in ("radar", "severity", "heatmap"):
        root = ElementTree.fromstring(str(charts[name]))
        title = root.find(f"{SVG}title")
        assert title is not None and title.text, name
    radar = ElementTree.fromstring(str(charts["radar"])).find(f"{SVG}title")
    assert radar is not None and radar.text
    for respondent in result["respondents"]:
        assert f"{respondent['name']} ({respondent['role']})'s own answers" in radar.text


def test_the_appendix_can_be_left_out() -> None:
    result, inputs = scenario_report(RETAILER, appendix=False)
    html = render_html(build_context(result, inputs))
    assert 'id="appendix"' not in html and "#appendix" not in html
    assert 'id="roadmap"' in html
    assert inputs.fingerprint()["appendix"] is False
    _, default = scenario_report(RETAILER)
    assert "appendix" not in default.fingerprint()  # the cache keys of earlier reports stay


def test_without_the_appendix_no_finding_points_to_it() -> None:
    """A finding's "N more answers" points to the appendix only when the report has one;
    without it, a finding shows up to five answers and points to the results page."""
    for appendix in (True, False):
        result, inputs = scenario_report(RETAILER, appendix=appendix)
        context = build_context(result, inputs)
        page = render_html(context)
        chapter = page[page.index('id="findings"') : page.index('id="perception"')]
        text = squash(markup.unescape(re.sub(r"<[^>]+>", " ", chapter)))
        many = [f for f in context["findings"] if len(f["evidence"]) > 3]
        assert many  # the retailer has findings with four to six answers
        assert ("intheappendix" in text) is appendix
        for finding in many:
            count = len(finding["evidence"])
            shown = 3 if appendix or count > 5 else count
            for evidence in finding["evidence"][:shown]:
                assert squash(evidence["text"]) in text
            if appendix:
                assert squash(f"and {count - 3} more answer") + "s" * (count > 4) in text
            elif count > 5:
                assert squash(f"and {count - 3} more answers on the results page") in text


def test_a_domain_named_inside_a_sentence_reads_as_words_not_a_heading() -> None:
    """The demo's summary: "most of all in the security program (6)", never "in The
    security program" (the section's title, which opens with its article)."""
    import json
    from datetime import date
    from pathlib import Path

    from assessor.engine import parse_answers_document, score
    from assessor.reports.context import ReportInputs
    from tests.scenarios import catalog

    path = Path(__file__).parent / "answers" / "demo.json"
    document = parse_answers_document(json.loads(path.read_text()), catalog())
    questionnaire, people, _ = document
    result = score(questionnaire, people, document.targets).to_dict()
    inputs = ReportInputs(
        organization="Northwind Freight",
        assessment_title="Review",
        assessment_date=date(2026, 3, 14),
        questionnaire=questionnaire,
        respondents=tuple(people),
    )
    summary = build_context(result, inputs)["summary"]
    text = " ".join(str(value) for value in summary.values() if isinstance(value, str))
    assert "the security program (" in text, text
    assert not re.search(r"(?<![.:] )(?<!^)\bThe security program\b", text), text


def test_a_cto_holding_security_without_the_writing_is_to_assign_not_misplaced() -> None:
    """The start-up (40 staff, no CISO) has its CTO doing security with no written
    assignment: each security row of the matrix says "Assign in writing" (and the note
    says what that means), not "Misplaced" fifteen times; it is still not a clear owner."""
    result, inputs = scenario_report("startup-no-ciso")
    grid = build_context(result, inputs)["grid"]
    rows = {row["id"]: row for group in grid["groups"] for row in group["rows"]}
    for rid in ("SEC-1", "SEC-2", "DAT-7", "TPR-2", "INF-3"):
        assert rows[rid]["fit"] == "Assign in writing" and rows[rid]["mark"] == "✗", rid
    assert sum(row["fit"] == "Misplaced" for row in rows.values()) <= 5
    assert grid["awaiting"]
    html = render_html(build_context(result, inputs))
    assert "fits once named in writing as the security lead" in html
    # A bank's matrix has no such note.
    bank, bank_inputs = scenario_report("eu-bank-ciso-under-cro")
    assert not build_context(bank, bank_inputs)["grid"]["awaiting"]


def test_a_finding_resting_on_contradictory_answers_says_to_check_them_first() -> None:
    """Kestrel's one respondent says the board hears from security only after incidents,
    and rates the board's oversight "Defined" (cyber risk on its agenda on a schedule): the
    finding that rests on them says so beside its action; the others say nothing."""
    result, inputs = scenario_report("dual-role-cio-ciso")
    findings = build_context(result, inputs)["findings"]
    [flagged] = [f for f in findings if f["contradictions"]]
    assert flagged["title"].startswith("The board hears from security only after incidents")
    assert "confirm which holds" in flagged["contradictions"][0]
    html = render_html(build_context(result, inputs))
    assert "To check first: Ray Delgado: The board is said to hear from security" in html
