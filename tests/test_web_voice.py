"""The consultant's voice through the pages (issue 15): the summary edited and reset, a
finding's status with errors beside its fields, a fact settled, the sign-off and its
stored PDF; another workspace gets 404 for every id, a viewer reads and never edits."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import FindingStatus, ReportReview, SettledFact, SummaryEdit, User
from assessor.operations import accounts
from tests.voice_support import BOTH, disputed
from tests.web_support import (
    PASSWORD,
    Page,
    Stage,
    complete_answers,
    in_app,
    questionnaire,
    save_and_submit,
    sign_in,
    sign_up,
    stage,
)

CRITICAL = "DAT-7:practice"


def _results(client: FlaskClient, setup: Stage) -> Page:
    response = client.get(f"{setup.detail}/results")
    assert response.status_code == 200
    return Page(response)


def _status_url(setup: Stage, key: str = CRITICAL) -> str:
    return f"{setup.detail}/finding-status?finding={key}"


def _settle_links(page: Page) -> list[str]:
    """Where the page's links to settle a disputed fact go (editors see one per fact)."""
    return [
        a.etree_element.get("href")
        for a in page.all("#voice-facts a")
        if (a.etree_element.get("aria-label") or "").startswith("Settle: ")
    ]


def _rows(table: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(table)) or 0)


def test_the_summary_is_edited_beside_its_field_and_reset(app: Flask, client: FlaskClient) -> None:
    setup = disputed(app, client)
    form = Page(client.get(f"{setup.detail}/summary"))
    assert form.one("textarea#text").etree_element.text.strip().startswith("Contoso Health scores")
    assert form.accessibility_problems() == []

    refused = client.post(f"{setup.detail}/summary", data={"text": "   "})
    assert refused.status_code == 422
    assert Page(refused).errors_beside("text") == [
        "Write the summary, or reset it to the generated one."
    ]

    text = "The board must <script>act</script> on the reporting line first.\n\nSecond paragraph."
    assert client.post(f"{setup.detail}/summary", data={"text": text}).status_code == 302
    page = _results(client, setup)
    assert page.texts("#voice-summary p")[:2] == [
        "The board must <script>act</script> on the reporting line first.",
        "Second paragraph.",
    ]
    assert "<script>act" not in page.html  # escaped
    assert "The summary was edited by olive@example.com" in page.text

    assert client.post(f"{setup.detail}/summary/reset").status_code == 302
    assert _results(client, setup).texts("#voice-summary p")[0].startswith("Contoso Health scores")
    with in_app(app):
        assert _rows(SummaryEdit) == 0


def test_a_risk_accepted_needs_its_reason_and_who_accepted_it(
    app: Flask, client: FlaskClient
) -> None:
    setup = disputed(app, client)
    refused = client.post(_status_url(setup), data={"status": "risk_accepted"})
    assert refused.status_code == 422
    page = Page(refused)
    assert page.errors_beside("reason") == ["Say why: risk accepted needs its reason."]
    assert page.errors_beside("accepted_by") == ["Name who accepted the risk."]
    assert page.accessibility_problems() == []

    data = {
        "status": "risk_accepted",
        "reason": "HIPAA exposure is insured until the 2027 programme.",
        "accepted_by": "Dana CFO",
        "response": "We accept this for 12 months.",
        "note": '=HYPERLINK("x")',
    }
    saved = client.post(_status_url(setup), data=data)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#f-1")
    text = _results(client, setup).text
    assert "Status: Risk accepted, accepted by Dana CFO: HIPAA exposure is insured" in text
    assert "Management response: We accept this for 12 months." in text
    # The cap stays: risk accepted keeps the finding's penalty.
    assert "1 critical structural or regulatory finding would cap the headline at 59" in text

    assert client.post(_status_url(setup, "no-such:finding"), data=data).status_code == 404
    assert client.get(_status_url(setup, "no-such:finding")).status_code == 404


def test_not_applicable_shows_and_lifts_the_cap_on_the_page(
    app: Flask, client: FlaskClient
) -> None:
    setup = disputed(app, client)
    before = _results(client, setup).one(".overall").etree_element
    assert (
        client.post(
            _status_url(setup), data={"status": "not_applicable", "reason": "No US patients."}
        ).status_code
        == 302
    )
    page = _results(client, setup)
    assert "Status: Not applicable: No US patients. (it puts no cap on the score)" in page.text
    assert "would cap the headline at 59" in "".join(before.itertext())
    # A finding that caps nothing (practice immaturity) says nothing of a cap.
    client.post(
        _status_url(setup, "SEC-1:practice"),
        data={"status": "not_applicable", "reason": "Outsourced."},
    )
    assert "Status: Not applicable: Outsourced. Change" in _results(client, setup).text
    after = " ".join(page.texts(".overall .muted"))
    assert "at 59" not in after and "high structural or regulatory findings would cap" in after


def test_a_fact_is_settled_with_a_reason(app: Flask, client: FlaskClient) -> None:
    setup = disputed(app, client)
    page = _results(client, setup)
    [url] = _settle_links(page)
    assert client.get(f"{setup.detail}/settle?fact=employees").status_code == 404

    refused = client.post(url, data={"reason": ""})
    assert refused.status_code == 422
    form = Page(refused)
    assert form.errors_beside("reason") == ["Say why this value holds."]
    assert "Choose one of the answers." in form.text

    assert (
        client.post(url, data={"choice": "0", "reason": "Seen the EHR contract."}).status_code
        == 302
    )
    page = _results(client, setup)
    assert "Facts settled by the consultant" in page.text
    assert "Seen the EHR contract." in page.text
    assert _settle_links(page) == []
    with in_app(app):
        [row] = db.session.scalars(select(SettledFact)).all()
        assert row.value == ["eu_personal", "health"]
    # disputed again, then gone from the settled list
    assert client.post(f"{setup.detail}/unsettle?fact=regulated_data").status_code == 302
    assert "Facts settled by the consultant" not in _results(client, setup).text
    assert client.post(f"{setup.detail}/unsettle?fact=regulated_data").status_code == 404


def test_the_sign_off_stores_the_pdf_and_goes_stale(app: Flask, client: FlaskClient) -> None:
    setup = disputed(app, client)
    refused = client.post(f"{setup.detail}/review", data={"reviewer": "", "reviewed_on": ""})
    assert refused.status_code == 422
    page = Page(refused)
    assert page.errors_beside("reviewer")
    assert page.errors_beside("reviewed_on") == ["Give the date of the review."]

    signed = client.post(
        f"{setup.detail}/review", data={"reviewer": "Olive Owner", "reviewed_on": "2026-12-06"}
    )
    assert signed.status_code == 302
    page = _results(client, setup)
    state = page.one("#review-state")
    assert "Reviewed by Olive Owner on 2026-12-06" in "".join(state.etree_element.itertext())
    assert "stale" not in "".join(state.etree_element.itertext())
    pdf = client.get(f"{setup.detail}/reviews/1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"{setup.detail}/reviews/2.pdf").status_code == 404

    client.post(_status_url(setup), data={"status": "in_progress", "response": "Started."})
    assert "stale" in "".join(_results(client, setup).one("#review-state").etree_element.itertext())


def test_the_exports_carry_the_statuses_responses_and_the_summary(
    app: Flask, client: FlaskClient
) -> None:
    setup = disputed(app, client)
    client.post(f"{setup.detail}/summary", data={"text": "Edited summary; =1+1 stays text."})
    client.post(
        _status_url(setup),
        data={
            "status": "risk_accepted",
            "reason": "Insured",
            "accepted_by": "=Dana CFO",
            "response": "Agreed; -we will fix it",
        },
    )
    document = json.loads(client.get(f"{setup.detail}/export.json").data)
    consultant = document["consultant"]
    assert consultant["paragraphs"] == ["Edited summary; =1+1 stays text."]
    assert consultant["findings"][CRITICAL]["status_label"] == "Risk accepted"
    text = client.get(f"{setup.detail}/export.csv").data.decode("utf-8-sig")
    everything = list(csv.reader(io.StringIO(text)))
    start = everything.index(["Consultant"])  # the block of the consultant's voice
    rows = everything[start + 1 :]
    row = next(r for r in rows if r and r[0] == "F1")
    assert row[3] == "Risk accepted" and row[5] == "'=Dana CFO"
    assert row[6] == "Agreed;' -we will fix it"
    assert ["executive summary (edited)", "Edited summary;' =1+1 stays text."] in rows
    workbook = load_workbook(io.BytesIO(client.get(f"{setup.detail}/export.xlsx").data))
    sheet = [[c for c in row] for row in workbook["Consultant"].iter_rows(values_only=True)]
    [cells] = [r for r in sheet if r[0] == "F1"]
    assert cells[3:6] == ["Risk accepted", "Insured", "=Dana CFO"]
    assert workbook["Consultant"]["A1"].value == "consultant"
    typed = [
        c.data_type
        for row in workbook["Consultant"].iter_rows()
        for c in row
        if c.value == "=Dana CFO"
    ]
    assert typed == ["s"]  # text, never a formula


def test_another_workspace_gets_404_and_a_viewer_reads_but_never_edits(
    app: Flask, client: FlaskClient
) -> None:
    setup = disputed(app, client)
    client.post(_status_url(setup), data={"status": "in_progress", "response": "Started."})
    client.post(
        f"{setup.detail}/review", data={"reviewer": "Olive Owner", "reviewed_on": "2026-12-06"}
    )
    with in_app(app):
        owner = db.session.get(User, setup.user_id)
        assert owner is not None
        issued = accounts.invite_member(
            owner.memberships[0].workspace, "vera@example.com", "viewer", owner
        )
        accounts.join_with_new_account(issued.invitation, "Vera Viewer", PASSWORD, issued.proof)
    viewer = app.test_client()
    sign_in(viewer, "vera@example.com")
    outsider = app.test_client()
    sign_up(outsider, "bob@beta.example", workspace="Beta")

    page = _results(viewer, setup)
    assert "Management response: Started." in page.text
    assert "Reviewed by Olive Owner" in page.text
    assert "Edit the summary" not in page.text and "Change the status" not in page.text
    assert "Review again" not in page.text and _settle_links(page) == []

    writes = [
        (f"{setup.detail}/summary", {"text": "Mine now."}),
        (f"{setup.detail}/summary/reset", {}),
        (_status_url(setup), {"status": "open"}),
        (f"{setup.detail}/settle?fact=regulated_data", {"choice": "0", "reason": "x"}),
        (f"{setup.detail}/unsettle?fact=regulated_data", {}),
        (f"{setup.detail}/review", {"reviewer": "V", "reviewed_on": "2026-12-07"}),
    ]
    with in_app(app):
        counts = [_rows(t) for t in (SummaryEdit, FindingStatus, SettledFact, ReportReview)]
    for visitor in (viewer, outsider):
        for url, data in writes:
            assert visitor.post(url, data=data).status_code == 404, url
            if "unsettle" not in url and "reset" not in url:
                assert visitor.get(url).status_code == 404, url
    assert outsider.get(f"{setup.detail}/reviews/1.pdf").status_code == 404
    assert viewer.get(f"{setup.detail}/reviews/1.pdf").status_code == 200
    with in_app(app):
        assert [_rows(t) for t in (SummaryEdit, FindingStatus, SettledFact, ReportReview)] == counts
        assert db.session.scalars(select(FindingStatus.status)).one() == "in_progress"


def test_every_voice_form_needs_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    """With CSRF on (as in production), a POST without the session's token is refused and
    changes nothing; the pages' forms carry it."""
    setup = disputed(app, client)
    app.config["WTF_CSRF_ENABLED"] = True
    form = Page(client.get(_status_url(setup)))
    token = form.all("form input[name=csrf_token]")[-1].etree_element.get("value")
    assert token
    missing = client.post(_status_url(setup), data={"status": "in_progress"})
    assert missing.status_code == 400
    for url in (
        f"{setup.detail}/summary",
        f"{setup.detail}/summary/reset",
        f"{setup.detail}/review",
    ):
        assert client.post(url, data={"text": "x"}).status_code == 400, url
    with in_app(app):
        assert _rows(FindingStatus) == 0 and _rows(SummaryEdit) == 0
    ok = client.post(_status_url(setup), data={"status": "in_progress", "csrf_token": token})
    assert ok.status_code == 302
    assert re.search(r"Status: In progress", _results(client, setup).text)


def test_a_result_of_an_earlier_method_says_the_overlay_waits_for_a_rescore(
    app: Flask, client: FlaskClient, monkeypatch: Any
) -> None:
    import assessor.engine

    setup = disputed(app, client)
    assert client.post(f"{setup.detail}/close", data={"confirm": "y"}).status_code == 302
    page = _results(client, setup)
    [url] = _settle_links(page)
    client.post(url, data={"choice": "0", "reason": "Seen."})
    assert _settle_links(_results(client, setup)) == []  # today's method: settled
    assert page.all("#voice-waits") == []

    monkeypatch.setattr(assessor.engine, "METHOD_VERSION", assessor.engine.METHOD_VERSION + 1)
    page = _results(client, setup)
    assert "They apply once it is re-scored" in page.one("#voice-waits").etree_element.text
    assert _settle_links(page) != []  # the kept result, as it was: the fact still disputed


def test_a_disputed_practice_answer_a_finding_rests_on_is_settled_on_the_results_page(
    app: Flask, client: FlaskClient
) -> None:
    """The CIO says a named executive accepts in writing the risk of security advice not
    followed, the CISO says nobody does: the finding that rests on it says "settle it
    before acting", and the page offers to settle that answer like any fact; settled on
    the CISO's "No", the finding stands, at high, without the caveat."""
    staged = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam CISO", "CISO")))
    form = questionnaire(app)
    for n, said in enumerate(("yes", "no")):
        answers = complete_answers(form, {**BOTH, "sec_risk_acceptance": said})
        save_and_submit(app, staged.respondent_ids[n], answers)
    page = _results(client, staged)
    caveat = (
        "The respondents disagree whether an executive accepts in writing the risk of "
        "security advice not followed; settle it before acting."
    )
    assert caveat in page.text
    url = f"{staged.detail}/settle?fact=sec_risk_acceptance"
    assert url in _settle_links(page)
    settle_page = Page(client.get(url))
    assert "No (answered by Sam CISO (CISO))" in settle_page.text
    settled = client.post(url, data={"choice": "1", "reason": "Seen the exception log."})
    assert settled.status_code == 302
    page = _results(client, staged)
    assert caveat not in page.text
    # judged on the settled answer: high, with IT's overruling it is merged with
    assert "High IT management can overrule the CISO without anyone accepting the risk" in page.text
    with in_app(app):
        [row] = db.session.scalars(select(SettledFact)).all()
        assert (row.question_id, row.value) == ("sec_risk_acceptance", "no")
