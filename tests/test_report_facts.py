"""A fact about the organisation itself that the respondents answer differently (here:
whether the retailer holds card data) is the first thing the reader meets among the
disagreements: in the executive summary, at the head of the report's perception chapter
and on the results page; and the findings that depend on it say so."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from assessor.engine import score
from assessor.reports.context import ReportInputs, build_context
from assessor.reports.render import render_html, render_pdf
from assessor.reports.summary import executive_summary
from tests.scenarios import load_scenarios, parse

RETAILER = next(s for s in load_scenarios() if s.slug == "retailer-cio-ciso-disagree")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _retailer() -> tuple[dict[str, object], ReportInputs]:
    document = parse(RETAILER)
    name = RETAILER.profile.name
    result = score(document.questionnaire, document.respondents, organization=name)
    inputs = ReportInputs(
        organization=name,
        sector=None,
        size=None,
        assessment_title="Governance review",
        assessment_date=date(2026, 12, 6),
        questionnaire=document.questionnaire,
        respondents=tuple(document.respondents),
        firm_name=None,
        accent="#1f5fbf",
        paper="a4",
    )
    return result.to_dict(), inputs


def test_the_disputed_fact_leads_the_disagreements_in_the_summary_and_the_report() -> None:
    result, inputs = _retailer()
    facts = {f["question"]: f for f in result["unresolved_facts"]}  # type: ignore[union-attr,index]
    # The data held (which decides PCI DSS) first, then the answers findings rest on (the
    # route to the board that the reporting-line finding rests on among them).
    assert list(facts)[:2] == ["regulated_data", "security_board_line"]
    assert len(facts) == 6
    fact = facts["regulated_data"]
    assert "PCI_DSS" in fact["regulations"]

    summary = executive_summary(result, inputs.organization, {})
    assert summary["disagreement"].startswith("They disagree on 6 facts to settle first: ")
    assert fact["about"] in summary["disagreement"]  # the fact named in words
    assert " and 4 more. " in summary["disagreement"]

    pdf = render_pdf(render_html(build_context(result, inputs)))
    text = _squash("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
    chapter = text[text.rindex(_squash("Disagreements")) :]
    first = chapter.index(_squash("Facts to settle first"))
    assert first < chapter.index(_squash("Questions answered differently"))
    assert _squash(fact["text"]) in chapter[first:]
    assert _squash("Decides whether these apply: PCI DSS") in chapter[first:]
    # The card-data finding depends on it and says so, held at medium.
    dependent = [f for f in result["findings"] if "regulated_data" in f["depends_on"]]  # type: ignore[union-attr,index]
    assert any("PCI DSS" in " ".join(f["references"]) for f in dependent)  # type: ignore[index]
    assert all(f["severity"] in ("medium", "low") for f in dependent)  # type: ignore[index]
    assert _squash("settle it before acting") in text


def test_a_name_ending_in_a_full_stop_is_not_given_a_second_one() -> None:
    result, inputs = _retailer()
    assert RETAILER.profile.name.endswith(".")
    html = render_html(build_context(result, inputs))
    assert "Prepared for Halden Home &amp; Garden B.V. Do not" in html
    assert ".. Do not" not in html
