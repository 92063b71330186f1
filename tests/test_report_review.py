"""The consultant's review of the nine scenario reports (branch ``review``): each defect
of the report's own wording, numbers and charts, read back from the report's context and
its HTML for the scenario organisations that showed it."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from functools import cache
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask

from assessor.reports import chapters, charts, exports
from assessor.reports.context import build_context
from assessor.reports.render import render_html
from assessor.web import plain_words
from assessor.web.results_view import results_view
from tests.report_layout import scenario_report, scenarios

BANK = "eu-bank-ciso-under-cro"
DUAL = "dual-role-cio-ciso"
RETAILER = "retailer-cio-ciso-disagree"
SVG = "{http://www.w3.org/2000/svg}"


@cache
def context(slug: str) -> dict[str, Any]:
    result, inputs = scenario_report(slug)
    return {"result": result, **build_context(result, inputs)}


@cache
def html(slug: str) -> str:
    return render_html({k: v for k, v in context(slug).items() if k != "result"})


def chapter(slug: str, anchor: str) -> str:
    """The text of one chapter of the report's HTML, tags removed."""
    page = html(slug)
    start = page.index(f'id="{anchor}"')
    end = page.find("<section", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start : end if end > 0 else None]))


def grid_rows(slug: str) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for g in context(slug)["grid"]["groups"] for row in g["rows"]}


# --- 4. The responsibility matrix shows the organisation-fit verdict -----------------


@pytest.mark.parametrize("slug", sorted(scenarios()))
def test_the_grids_marks_add_up_to_the_ownership_clarity_shown(slug: str) -> None:
    """The ✓ rows over the ✓ and ✗ rows are the clarity the summary and scores print,
    overall and per domain."""
    ctx = context(slug)
    result, grid = ctx["result"], ctx["grid"]
    marks = [row["mark"] for g in grid["groups"] for row in g["rows"]]
    clear, unclear = marks.count("✓"), marks.count("✗")
    assert clear + unclear + marks.count("–") == len(marks)
    assert (grid["clear"], grid["known"]) == (clear, clear + unclear)
    assert (100 * clear) // (clear + unclear) == result["clarity"]
    assert ctx["scores"]["clarity"] == f"{result['clarity']}%"
    assert f"Ownership clarity is {result['clarity']}%" in " ".join(ctx["summary"]["paragraphs"])
    clarity = {d["id"]: d["clarity"] for d in result["domains"]}
    for group in grid["groups"]:
        mine = [row["mark"] for row in group["rows"]]
        known = mine.count("✓") + mine.count("✗")
        if not known:
            assert clarity.get(group["domain"]) is None
            continue
        assert (100 * mine.count("✓")) // known == clarity[group["domain"]], group["title"]
        assert group["tally"].endswith(f"({clarity[group['domain']]}%)")
    text = chapter(slug, "raci")
    assert f"ownership clarity {result['clarity']}%" in text


def test_an_acceptable_owner_is_not_called_other_owner() -> None:
    """A bank's CRO owning fraud prevention is an acceptable alternative, with the model's
    note, and neither cell nor row is red."""
    row = grid_rows(BANK)["DAT-5"]
    assert row["fit"] == "Acceptable" and row["mark"] == "✓"
    assert "financial-crime" in row["note"]
    assert not row["mismatch"]
    named = [c for c in row["cells"] if c["named"]]
    assert named and all(c["match"] and not c["mismatch"] for c in named)
    text = chapter(BANK, "raci")
    assert "Other owner" not in text
    assert "✓ DAT-5 Fraud prevention — The risk or financial-crime function" in text


@pytest.mark.parametrize("slug", [RETAILER, "startup-no-ciso", "half-answered"])
def test_the_cio_with_the_ciso_consulted_is_acceptable_for_security_in_infrastructure(
    slug: str,
) -> None:
    row = grid_rows(slug)["INF-2"]
    assert (row["fit"], row["mark"], row["mismatch"]) == ("Acceptable", "✓", False)
    assert "CISO consulted" in row["note"]


def test_shared_without_a_lead_is_not_as_expected() -> None:
    """The bank's INF-2 and GOV-3 are shared with no lead named: clarity counts them
    against, so the grid does too."""
    rows = grid_rows(BANK)
    for rid in ("INF-2", "GOV-3"):
        assert (rows[rid]["fit"], rows[rid]["mark"]) == ("Shared, no lead", "✗")


def test_owners_in_dispute_are_marked_each_by_its_own_fit() -> None:
    """Where the CIO and the CISO name different owners, the row is "Owners disagree" and
    each named cell is green or red by whether that owner would fit."""
    rows = grid_rows(RETAILER)
    row = rows["INF-3"]
    assert (row["fit"], row["mark"]) == ("Owners disagree", "✗")
    codes = [c["code"] for c in context(RETAILER)["grid"]["columns"]]
    cells = dict(zip(codes, row["cells"], strict=True))
    assert cells["CISO"]["match"] and cells["CIO"]["mismatch"]


# --- 10. Role codes in board text -----------------------------------------------------


def test_the_grid_names_a_dual_role_in_words() -> None:
    text = chapter(DUAL, "raci")
    assert "CIO_CISO" not in text
    assert "CIO/CISO = Ray Delgado (CIO and CISO)" in text


def test_a_row_the_structure_makes_moot_is_not_applicable() -> None:
    """GOV-3 (the CIO and the CISO plan together) is never asked of one person in both
    roles: not applicable, neither red nor counted."""
    row = grid_rows(DUAL)["GOV-3"]
    assert row["fit"] == "Not applicable"
    assert row["note"] == "not applicable: one person in both roles"
    assert (row["mark"], row["mismatch"], row["fit_class"]) == ("–", False, "unanswered")
    text = chapter(DUAL, "raci")
    assert "Not answered" not in text
    assert "GOV-3 CIO and CISO build joint strategy" in text
    assert "— not applicable: one person in both roles" in text


# --- 5. The summary labels the capped headline as the headline --------------------------


def test_the_summary_names_the_capped_headline_and_its_cap() -> None:
    """Corvid's practice scores 86 and one high regulatory finding caps it at 79."""
    text = chapter("us-listed-saas", "summary")
    assert "Practice maturity 79" not in text
    assert "Headline 79 / 100 (practice 86, capped at 79 by one high regulatory finding: " in text
    assert "Practice alone scores 86" in chapter("us-listed-saas", "scores")


def test_an_uncapped_headline_is_practice_maturity() -> None:
    assert "Headline 78 / 100 (practice maturity)" in chapter("law-firm-vciso", "summary")
    assert "Headline 26 to 83 / 100 (practice maturity, provisional)" in chapter(
        "half-answered", "summary"
    )


# --- 6. Domains nobody answered are not scored 0 ------------------------------------------


def test_a_domain_nobody_answered_reads_not_answered_without_a_bar() -> None:
    ctx = context("half-answered")
    unanswered = [d for d in ctx["scores"]["domains"] if not d["answered"]]
    assert [d["title"] for d in unanswered] == [
        "Data",
        "Suppliers and partners",
        "Leadership structure and oversight",
    ]
    page = html("half-answered")
    table = page[page.index('class="domain-bars"') :]
    for domain in unanswered:
        row = table[table.index(f'<p class="bars-domain">{domain["title"]}</p>') :]
        end = row.find('<div class="bars-row">')  # the next domain's row, if any
        row = row[: end if end > 0 else row.index("</section>")]
        assert "Score 0 / 100" not in row and "Not answered" in row
        assert 'class="bar ' not in row  # no bar drawn, only the words
    answered = [d for d in ctx["scores"]["domains"] if d["answered"]]
    assert all(d["score_text"] == f"Score {d['score']} / 100" for d in answered)


def test_the_summary_counts_only_answered_domains_below_target() -> None:
    text = " ".join(context("half-answered")["summary"]["paragraphs"])
    assert "3 of the 3 answered domains are below their target maturity" in text
    assert "3 domains were not answered" in text


def test_one_domain_below_target_is_singular() -> None:
    text = " ".join(context(BANK)["summary"]["paragraphs"])
    assert "1 of 6 domains is below its target maturity" in text


# --- 11. Disagreement: "don't know" apart, no "same answers" where levels differ ----------


def test_dont_know_answers_are_named_apart_from_disagreements() -> None:
    """The hospital's CEO said "don't know" to 8 questions the CISO and the CIO agree on
    (card data's responsibility, stopping a purchase, risk appetite and register, audit
    follow-up, the breach plan, reporting deadlines, HIPAA breach notification)."""
    said = context("hospital-ciso-under-cio")["summary"]["disagreement"]
    assert "disagree on 3 questions" in said
    assert "The CEO did not know the answer to 8 more questions" in said
    assert "disagree on 9" not in said


def test_same_answers_is_not_claimed_where_levels_differ() -> None:
    """The law firm's CISO and CEO are one maturity level apart on two questions."""
    said = context("law-firm-vciso")["summary"]["disagreement"]
    assert "gave the same answers" not in said
    assert "On 2 maturity questions they are one level apart" in said


def test_owners_in_dispute_are_named_by_title_not_id() -> None:
    said = context(RETAILER)["summary"]["disagreement"]
    assert "They name different owners for 14 responsibilities" in said
    assert not re.search(r"\b(STR|INF|SEC|DAT|TPR|GOV)-\d", said)
    # ... and in words where the model has them: its topic, never its title in quotes
    assert "for example \u201c" not in said
    example = said[said.index("for example ") :]
    assert re.fullmatch(r"for example [a-z][a-z ,'-]* and [a-z][a-z ,'-]*\.", example), example


# --- 21. Wording -------------------------------------------------------------------------


def test_the_possessive_of_a_name_ending_in_s() -> None:
    text = context("half-answered")["summary"]["paragraphs"][0]
    assert text.startswith("Brightwater Homes' result is provisional")


@pytest.mark.parametrize(
    ("slug", "invite"),
    [
        ("half-answered", "Inviting the CEO, or whoever handles security day to day, to answer"),
        (DUAL, "Inviting another executive, such as the CEO or the CFO, to answer"),
    ],
)
def test_a_single_respondent_is_told_whom_to_invite_for_its_structure(
    slug: str, invite: str
) -> None:
    said = context(slug)["summary"]["disagreement"]
    assert invite in said and "the CISO (or the CIO)" not in said


def test_one_initiative_is_singular() -> None:
    count = sum(len(g["items"]) for g in context(BANK)["initiatives"])
    intro = context(BANK)["roadmap_intro"]
    if count == 1:
        assert "grouped into one initiative," in intro
    assert "1 initiatives" not in chapter(BANK, "roadmap")
    assert "grouped into 9 initiatives, each" in chapters.roadmap_intro(
        [{"items": [{}] * 4}, {"items": [{}] * 5}]
    )
    assert "one initiative," in chapters.roadmap_intro([{"items": [{}]}])


# --- 19. Charts: nothing drawn that shows nothing; labels whole inside the box ----------


@pytest.mark.parametrize("slug", [BANK, "law-firm-vciso"])
def test_a_disagreement_chart_of_zero_bars_is_left_out(slug: str) -> None:
    ctx = context(slug)
    assert not any(d["disagreement"] for d in ctx["result"]["perception"]["domains"])
    assert ctx["charts"]["heatmap"] is None
    text = chapter(slug, "perception")
    assert "heatmap-title" not in html(slug)
    assert "gave the same answers" not in text
    assert ctx["summary"]["disagreement"] in text


def test_a_disagreement_chart_with_something_to_show_stays() -> None:
    assert context(RETAILER)["charts"]["heatmap"]


@pytest.mark.parametrize(
    ("slug", "chart"),
    [(slug, "severity") for slug in sorted(scenarios())] + [(RETAILER, "heatmap")],
)
def test_the_heatmaps_labels_are_whole_inside_the_box(slug: str, chart: str) -> None:
    """In the SVG's own words (the results page) each domain's label is whole, on two lines
    at most, inside the box; in the report, where the words are HTML placed over the SVG,
    every domain's title is there whole."""
    ctx = context(slug)
    if chart == "severity":
        rows = chapters.severity_by_domain(
            ctx["result"], {d["id"]: d["title"] for d in ctx["result"]["domains"]}
        )
        drawn = charts.severity_heatmap_svg(rows, text=True)
    else:
        drawn = charts.heatmap_svg(ctx["result"]["perception"]["domains"], text=True)
    svg = ElementTree.fromstring(str(drawn))
    width = float(svg.get("width") or 0)
    height = float(svg.get("height") or 0)
    domains = {d["title"] for d in ctx["result"]["domains"]}
    seen = []
    for text in svg.iter(f"{SVG}text"):
        spans = list(text.iter(f"{SVG}tspan"))
        if text.get("text-anchor") != "end" or not spans:
            continue
        lines = [span.text or "" for span in spans]
        assert len(lines) <= 2
        seen.append(" ".join(lines))
        for span, line in zip(spans, lines, strict=True):
            right, y = float(span.get("x") or 0), float(span.get("y") or 0)
            assert "…" not in line
            assert right - charts.text_width(line) >= 0, line
            assert right <= width and 10 <= y <= height, line
    assert domains <= set(seen)
    placed = {label["text"] for label in ctx["charts"][f"{chart}_labels"]}
    assert domains <= placed


def test_the_results_page_and_the_exports_say_not_answered_too(app: Flask) -> None:
    """The results page's scores table shows no 0 and no meter for a domain nobody
    answered; the exports leave its score empty, as the report does."""
    result = context("half-answered")["result"]
    with app.test_request_context():
        page = app.jinja_env.get_template("results/_scores.html").render(
            result=result, words=plain_words.WORDS, benchmark=None
        )
    for domain in result["domains"]:
        row = page[page.index(f">{domain['title']}<") :]
        row = row[: row.index("</tr>")]
        if domain["completeness"]:
            assert f'<meter min="0" max="100" value="{domain["score"]}">' in row
        else:
            assert "meter" not in row and "not answered" in row
    _, inputs = scenario_report("half-answered")
    rows = list(csv.reader(io.StringIO(exports.export_csv(result, inputs).decode("utf-8-sig"))))
    scores = {row[1]: row[2] for row in rows if len(row) == 9 and row[0] in ("data", "strategy")}
    assert scores == {"Data": "", "Strategy and business alignment": "66"}


@pytest.mark.parametrize("slug", [BANK, RETAILER, "half-answered"])
def test_the_results_pages_matrix_counts_add_up_to_the_clarity(app: Flask, slug: str) -> None:
    """The results page counts the matrix by the same verdicts as the report's grid, and
    marks a named owner as a mismatch only where it does not fit (a bank's CRO for fraud
    fits)."""
    result, inputs = scenario_report(slug)
    with app.test_request_context():
        view = results_view(result, inputs.questionnaire, inputs.organization, {})
        page = app.jinja_env.get_template("results/_matrix.html").render(
            result=result, view=view, words=plain_words.WORDS
        )
    assert view.matrix_counts.endswith(f"ownership clarity {result['clarity']}%.")
    assert view.matrix_counts in page
    if slug == BANK:
        assert "1 with an acceptable alternative owner" in view.matrix_counts
        assert "2 shared with no lead" in view.matrix_counts
        assert view.owner_fits["DAT-5:CRO"] is True
        fraud = page[page.index("Fraud prevention") :]
        assert "mismatch" not in fraud[: fraud.index("</tr>")]


def test_the_disagreements_chapter_lists_dont_know_answers_apart() -> None:
    """The hospital's eight "don't know" answers of the CEO, where the CISO and the CIO
    agree, are listed for briefing, not among the questions answered differently."""
    groups = context("hospital-ciso-under-cio")["perception"]["by_domain"]
    briefing = [g for g in groups if g["title"].startswith("\u201cDon't know\u201d")]
    assert len(briefing) == 1 and len(briefing[0]["gaps"]) == 8
    others = [gap for g in groups if g not in briefing for gap in g["gaps"]]
    assert len(others) == 3 and not any(gap["unknown_only"] for gap in others)
    text = chapter("hospital-ciso-under-cio", "perception")
    assert "for briefing, not a disagreement" in text
    assert "n/a of compared questions" not in text


def test_the_disagreement_chart_leaves_dont_know_answers_out() -> None:
    """The hospital's Data domain differs only by the CEO's "don't know": 0% on the chart."""
    shares = {
        d["id"]: d["disagreement_pct"]
        for d in context("hospital-ciso-under-cio")["perception"]["domains"]
    }
    assert shares["data"] == 0 and shares["strategy"] == 8
    svg = str(context("hospital-ciso-under-cio")["charts"]["heatmap"])
    assert "Data: 0%" in svg


@pytest.mark.parametrize("slug", ["dual-role-cio-ciso", "startup-no-ciso"])
def test_no_role_code_reaches_the_report_or_the_spreadsheets(slug: str) -> None:
    """One person as CIO and CISO owns initiatives and findings as "CIO and CISO", never
    as the code ``CIO_CISO``, in the report, the CSV and the workbook."""
    result, inputs = scenario_report(slug)
    text = re.sub(r"<[^>]+>", " ", html(slug))
    assert "CIO_CISO" not in text
    for fmt in ("csv", "xlsx"):
        data = exports.export(fmt, result, inputs)
        if fmt == "xlsx":
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                data = b"".join(book.read(name) for name in book.namelist())
        assert b"CIO_CISO" not in data, fmt
