"""The results page in the report's order: its contents, plain words instead of the engine's
codes, the findings' query-string filters (a message beside a bad value), and the
respondents' comments beside their answers."""

from __future__ import annotations

import io
import json
import re

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, Respondent
from assessor.operations import answers as answer_ops
from assessor.operations.catalog import catalog
from assessor.reports.labels import EFFORT_LABELS
from assessor.web.results_view import CHAPTERS
from tests.web_support import (
    QUESTIONNAIRE,
    Page,
    complete_answers,
    in_app,
    questionnaire,
    save_and_submit,
    stage,
    submit,
)

COMMENT = "We <b>never</b> rehearsed it; =2*21"


def _two_who_disagree(app: Flask, client: FlaskClient) -> str:
    setup = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam Secure", "CISO")))
    q = questionnaire(app)
    cio, ciso = setup.respondent_ids
    save_and_submit(
        app,
        cio,
        complete_answers(q, {"sec_program_owner": "EXEC", "sec_policy_owner": "SHARED"}),
    )
    values = complete_answers(q, {"sec_program_owner": "NONE", "sec_program_maturity": 4})
    with in_app(app):
        respondent = db.session.get(Respondent, ciso)
        assert respondent is not None
        changes = [answer_ops.Change(k, v, None, None) for k, v in values.items()]
        changes.append(answer_ops.Change("sec_program_maturity", 4, COMMENT, None))
        answer_ops.save_answers(
            catalog().get(QUESTIONNAIRE), respondent, changes, "test", skip_hidden=True
        )
    submit(app, ciso)
    return f"{setup.detail}/results"


def test_the_chapters_in_the_reports_order_with_a_contents_bar(
    app: Flask, client: FlaskClient
) -> None:
    page = Page(client.get(_two_who_disagree(app, client)))
    assert page.response.status_code == 200
    assert page.accessibility_problems() == []
    links = [a.etree_element.get("href") for a in page.all("nav.contents a")]
    assert links == [f"#{anchor}" for anchor, _ in CHAPTERS]
    ids = [s.etree_element.get("id") for s in page.all("section.chapter")]
    assert ids == [anchor for anchor, _ in CHAPTERS]  # every link has its chapter, in order
    assert page.all("#disagreements table.gaps tbody tr")


def test_plain_words_instead_of_codes(app: Flask, client: FlaskClient) -> None:
    page = Page(client.get(_two_who_disagree(app, client)))
    words = set(re.findall(r"[A-Za-z_]+", page.text))
    assert not words & {"EXEC", "SHARED", "NONE", "orphaned", "Orphaned", "misplaced"}
    matrix = page.text[page.text.index("Show the responsibility matrix") :]
    assert "CEO / board" in matrix and "nobody owns it" in matrix
    assert "CIO and CISO jointly" in matrix
    # a responsibility's id is never its only label: its title comes first
    for cell in page.all("table.raci tbody th"):
        title = (cell.etree_element.text or "").strip()
        assert title and not re.fullmatch(r"[A-Z]+-\d+", title)
    for meta in page.texts("article.finding .meta"):
        assert not re.search(r"\b[A-Z]{3}-\d+\b", meta), meta
    # the effort in words: "quick win, days to weeks", never the engine's bare "quick win"
    efforts = [meta.split("effort: ")[1] for meta in page.texts("article.finding .meta")]
    assert efforts and set(efforts) <= {label.lower() for label in EFFORT_LABELS.values()}
    for action in page.texts("ol.first-actions li"):
        assert re.search(r"; effort: [a-z ]+, [a-z ]+; F\d+\)$", " ".join(action.split()))


def test_findings_filtered_by_domain_and_severity(app: Flask, client: FlaskClient) -> None:
    url = _two_who_disagree(app, client)
    everything = Page(client.get(url))
    total = len(everything.all("article.finding"))
    severities = [
        f.etree_element.get("class").split("sev-")[1] for f in everything.all("article.finding")
    ]
    assert everything.all("form.finding-filters label[for=filter-domain]")
    assert everything.all("form.finding-filters label[for=filter-severity]")

    wanted = severities[0]
    page = Page(client.get(f"{url}?severity={wanted}"))
    shown = page.all("article.finding")
    assert len(shown) == severities.count(wanted) < total
    assert page.texts("#findings-h") == [f"Findings ({len(shown)} of {total})"]
    assert page.one("#filter-severity option[selected]").etree_element.get("value") == wanted

    page = Page(client.get(f"{url}?domain=security&severity={wanted}"))
    for finding in page.all("article.finding"):
        assert finding.etree_element.get("class").split("sev-")[1] == wanted
    security = Page(client.get(f"{url}?domain=security"))
    assert 0 < len(security.all("article.finding")) < total

    # a value that is not offered: said beside its field, and not applied
    bad = client.get(f"{url}?severity=urgent")
    assert bad.status_code == 422
    page = Page(bad)
    assert "There is no severity 'urgent'" in " ".join(page.texts("#filter-severity-err"))
    assert page.one("#filter-severity").etree_element.get("aria-describedby") == (
        "filter-severity-err"
    )
    assert len(page.all("article.finding")) == total


def test_comments_beside_the_answers_and_the_evidence(app: Flask, client: FlaskClient) -> None:
    response = client.get(_two_who_disagree(app, client))
    html = response.get_data(as_text=True)
    assert COMMENT not in html  # escaped, never markup
    page = Page(response)
    rows = [
        [" ".join("".join(c.etree_element.itertext()).split()) for c in row.query_all("td")]
        for row in page.all("table.answers tbody tr")
    ]
    assert ["Sam Secure (CISO)", rows_label(app), COMMENT] in [r[-3:] for r in rows]
    disagreements = " ".join(page.texts("#disagreements table.gaps td"))
    assert COMMENT in disagreements


def rows_label(app: Flask) -> str:
    """The label the engine gave Sam's level-4 answer (the page prints it, never its own)."""
    q = questionnaire(app)
    option = next(o for o in q.questions["sec_program_maturity"].all_options if o.value == 4)
    return option.label


def test_a_filter_on_what_the_result_does_not_hold_plugs_in(app: Flask) -> None:
    """A filter the view builds (a finding's status, say) is applied like the others."""
    from werkzeug.datastructures import MultiDict

    from assessor.web import finding_filters
    from tests.test_report_data import demo

    result, _ = demo()
    odd = finding_filters.FindingFilter(
        "parity", "Parity", (("odd", "Odd"), ("even", "Even")),
        lambda f: "odd" if f["number"] % 2 else "even",
    )  # fmt: skip
    with app.test_request_context("/"):
        shown = finding_filters.apply(result, MultiDict({"parity": "odd"}), [odd])
        assert [f["number"] % 2 for f in shown.findings] == [1] * len(shown.findings)
        assert [f.name for f in shown.fields] == ["domain", "severity", "parity"]
        wrong = finding_filters.apply(result, MultiDict({"parity": "prime"}), [odd])
    assert not wrong.valid and len(wrong.findings) == len(result["findings"])


def test_the_roadmap_chapter_lists_the_initiatives_with_the_findings_they_close(
    app: Flask, client: FlaskClient
) -> None:
    page = Page(client.get(_two_who_disagree(app, client)))
    items = page.all("#roadmap ol.initiatives li")
    assert 1 <= len(items) <= 12
    first = " ".join(items[0].etree_element.itertext())
    assert first.startswith("R1 ") and "Closes F" in " ".join(first.split())
    findings = {a.etree_element.get("href") for a in page.all("article.finding[id]")} | {
        "#" + (a.etree_element.get("id") or "") for a in page.all("article.finding[id]")
    }
    for link in page.all("#roadmap ol.initiatives a"):
        assert link.etree_element.get("href") in findings  # each closes a finding shown
    assert page.all("#roadmap h3")[0].etree_element.text.startswith("Within ")


def test_findings_filtered_by_the_consultants_status(app: Flask, client: FlaskClient) -> None:
    """A finding without a status is open; one marked in progress shows under that filter
    only."""
    url = _two_who_disagree(app, client)
    everything = Page(client.get(url))
    total = len(everything.all("article.finding"))
    first = everything.all("article.finding")[0].etree_element.get("id")
    result = json.loads(client.get(url.replace("/results", "/export.json")).data)["result"]
    key = next(f["key"] for f in result["findings"] if f"f-{f['number']}" == first)
    marked = client.post(
        url.replace("/results", f"/finding-status?finding={key}"),
        data={"status": "in_progress", "response": "Working on it."},
    )
    assert marked.status_code == 302
    assert everything.all("form.finding-filters label[for=filter-status]")
    in_progress = Page(client.get(f"{url}?status=in_progress"))
    assert [a.etree_element.get("id") for a in in_progress.all("article.finding")] == [first]
    still_open = Page(client.get(f"{url}?status=open"))
    assert len(still_open.all("article.finding")) == total - 1
    assert not Page(client.get(f"{url}?status=risk_accepted")).all("article.finding")
    bad = client.get(f"{url}?status=closed")
    assert bad.status_code == 422
    assert "There is no status 'closed'" in " ".join(Page(bad).texts("#filter-status-err"))


def _pdf_text(client: FlaskClient, url: str) -> str:
    response = client.get(url.replace("/results", "/report.pdf"))
    assert response.status_code == 200, response.status_code
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def test_the_consultant_leaves_the_appendix_out_of_a_clients_report(
    app: Flask, client: FlaskClient
) -> None:
    url = _two_who_disagree(app, client)
    form = Page(client.get(url)).one("#report-appendix input[name=appendix]")
    assert form.etree_element.get("checked") is not None  # kept by default
    assert "Appendix: every answer" in _pdf_text(client, url)

    left_out = client.post(url.replace("/results", "/report/appendix"), data={})
    assert left_out.status_code == 302
    text = _pdf_text(client, url)
    assert "Appendix: every answer" not in text and "Roadmap" in text
    page = Page(client.get(url))
    assert page.one("#report-appendix input[name=appendix]").etree_element.get("checked") is None
    assert page.all("#answers")  # the results page still holds every answer
    with in_app(app):
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report-appendix-set")
        ).one()
        assert event.detail == {"appendix": False}

    kept = client.post(url.replace("/results", "/report/appendix"), data={"appendix": "y"})
    assert kept.status_code == 302
    assert "Appendix: every answer" in _pdf_text(client, url)
