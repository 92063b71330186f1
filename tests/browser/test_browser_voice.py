"""Browser test of the consultant's voice: edit the executive summary, accept a risk with
a reason, settle a disputed fact, sign the report off; each shows on the results page, in
the PDF (its text, read with pypdf) and in the CSV export."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import User
from assessor.operations import accounts, assessments, organizations
from assessor.operations.catalog import catalog
from tests.browser.conftest import LiveServer
from tests.security_world import confirm_address
from tests.voice_support import BOTH, CISO_DATA
from tests.web_support import PASSWORD, QUESTIONNAIRE, complete_answers, save_and_submit

pytestmark = pytest.mark.browser

SUMMARY = "Contoso Health must give its CISO a line to the board before anything else."
REASON = "HIPAA exposure is insured until the 2027 programme."
WHY = "Seen the patient records contract."


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def _disputed(live_server: LiveServer) -> int:
    """A CIO and a CISO, both submitted, disagreeing on whether health data is held."""
    app = live_server.app
    with app.app_context():
        user = accounts.sign_up("olive@example.com", PASSWORD, "Olive Owner", "Acme Advisory")
        confirm_address(user)
        user = db.session.scalars(select(User).where(User.id == user.id)).one()
        org = organizations.create_organization(
            user.memberships[0].workspace, user, name="Contoso Health", sector=None, size=None
        )
        questionnaire = catalog().get(QUESTIONNAIRE)
        started = assessments.start_assessment(org, user, questionnaire)
        cio = assessments.add_respondent(started, user, name="Carla CIO", role="CIO").id
        ciso = assessments.add_respondent(started, user, name="Sam CISO", role="CISO").id
        assessment = started.id
        db.session.remove()
    save_and_submit(app, cio, complete_answers(questionnaire, BOTH))
    save_and_submit(
        app, ciso, complete_answers(questionnaire, {**BOTH, "regulated_data": CISO_DATA})
    )
    return assessment


def _get(page: Any, url: str) -> bytes:
    """A download through the browser's session; a PDF still rendering is asked again."""
    deadline = time.monotonic() + 60
    while True:
        response = page.request.get(url)
        if response.status != 202 or time.monotonic() > deadline:
            assert response.status == 200, (url, response.status)
            return bytes(response.body())
        time.sleep(1)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_edit_the_summary_accept_a_risk_settle_a_fact_and_sign_off(
    live_server: LiveServer, context: Any
) -> None:
    base = live_server.url
    assessment = _disputed(live_server)
    results = f"{base}/assessments/{assessment}/results"
    page = context.new_page()
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Acme Advisory")

    # The summary, edited.
    page.goto(results)
    page.get_by_role("link", name="Edit the summary").click()
    summary = page.get_by_label("Executive summary")
    expect(summary).to_have_value(re.compile(r"^Contoso Health scores"))
    summary.fill(SUMMARY)
    page.get_by_role("button", name="Save the summary").click()
    expect(page.locator("#voice-summary")).to_contain_text(SUMMARY)

    # F1's risk accepted, with a reason and who accepted it; first refused without them.
    first = page.locator(".finding").first
    first.get_by_role("link", name="Set a status or response").click()
    page.get_by_label("Status").select_option("risk_accepted")
    page.get_by_role("button", name="Save the status").click()
    expect(page.locator(".field.has-error").first).to_contain_text("Say why")
    page.get_by_label("Reason").fill(REASON)
    page.get_by_label("Accepted by").fill("Dana CFO")
    page.get_by_label("Management response").fill("We accept this for twelve months.")
    page.get_by_role("button", name="Save the status").click()
    expect(page.locator(".finding").first.locator(".finding-voice")).to_contain_text(
        f"Status: Risk accepted, accepted by Dana CFO: {REASON}"
    )

    # The disputed fact settled on the CIO's answer.
    page.locator("#voice-facts").get_by_role("link", name=re.compile("^Settle:")).click()
    page.get_by_label(re.compile(r"answered by Carla CIO \(CIO\)")).check()
    page.get_by_label("Why").fill(WHY)
    page.get_by_role("button", name="Settle the fact").click()
    settled = page.locator("#voice-facts .settled-facts")
    expect(settled).to_contain_text("Health information about patients or members")
    expect(settled).to_contain_text(WHY)

    # Signed off.
    page.get_by_role("link", name="Review and sign off").click()
    page.get_by_label("Reviewed by").fill("Olive Owner")
    page.get_by_label("On").fill("2026-12-06")
    page.get_by_role("button", name="Sign off the report").click()
    expect(page.locator("#review-state")).to_contain_text("Reviewed by Olive Owner on 2026-12-06")

    # The PDF: the live one and the one stored with the review say the same.
    for url in (
        f"{base}/assessments/{assessment}/report.pdf",
        f"{base}/assessments/{assessment}/reviews/1.pdf",
    ):
        pdf = _get(page, url)
        text = _squash("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))
        assert _squash(SUMMARY) in text, url
        assert _squash(f"Status: Risk accepted, accepted by Dana CFO: {REASON}") in text, url
        assert _squash("Management response: We accept this for twelve months.") in text, url
        assert _squash("Facts settled by the consultant:") in text, url
        assert _squash(WHY) in text, url
        assert _squash("Reviewed by Olive Owner on 6 December 2026") in text, url

    # The CSV export.
    rows = list(
        csv.reader(
            io.StringIO(
                _get(page, f"{base}/assessments/{assessment}/export.csv").decode("utf-8-sig")
            )
        )
    )
    assert ["executive summary (edited)", SUMMARY] in rows
    # Settling the fact brought HIPAA's findings in, so the finding is numbered anew;
    # its status follows it by key.
    [accepted] = [r for r in rows if len(r) > 3 and r[3] == "Risk accepted"]
    assert re.fullmatch(r"F\d+", accepted[0]) and accepted[1] == "DAT-7:practice"
    assert accepted[3:7] == [
        "Risk accepted",
        REASON,
        "Dana CFO",
        "We accept this for twelve months.",
    ]
    [fact] = [r for r in rows if r and r[0] == "settled"]
    assert fact[1] == "regulated_data" and fact[3] == WHY
    assert ["reviewed", "Reviewed by Olive Owner on 2026-12-06"] in rows

    # A later change marks the review stale.
    page.locator(".finding", has_text="Risk accepted").get_by_role(
        "link", name="Change the status"
    ).click()
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save the status").click()
    expect(page.locator("#review-state")).to_contain_text("stale")
