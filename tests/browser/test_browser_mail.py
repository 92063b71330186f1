"""The e-mailed invitation end to end in a real browser, through a real SMTP server: the
consultant adds a respondent with an address and sends the link by e-mail; the respondent
opens the link exactly as the message gives it (scheme, host and port included), reads who
asked, how long it takes and how the answers are kept, answers and submits; the consultant
receives the note that they submitted and sees it beside the respondent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assessor.extensions import db
from assessor.models import Respondent
from assessor.operations.catalog import catalog
from tests.browser.conftest import LiveServer
from tests.browser.test_browser_flows import _prepared_assessment, expect
from tests.mail_support import SmtpServer, body, settle
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.web_support import PASSWORD, QUESTIONNAIRE, complete_answers, save_answers

pytestmark = pytest.mark.browser


def _the_link(message: Any) -> str:
    found = re.search(r"https?://\S+/r/\S+", body(message))
    assert found is not None, body(message)
    return found.group(0)


def test_an_emailed_invitation_from_click_to_submission(
    live_server: LiveServer, browser: Any, context: Any, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    app = live_server.app
    app.config.update(smtp_server.config())
    base = live_server.url
    assessment_id, _ = _prepared_assessment(live_server)

    consultant = context.new_page()
    consultant.goto(f"{base}/signin")
    consultant.get_by_label("Email").fill("olive@example.com")
    consultant.get_by_label("Password").fill(PASSWORD)
    consultant.get_by_role("button", name="Sign in").click()
    consultant.goto(f"{base}/assessments/{assessment_id}")
    consultant.locator("#name").fill("Sam Ciso")
    consultant.locator("#role").select_option("CISO")
    consultant.locator("#email").fill("sam@client.example")
    consultant.get_by_role("button", name="Add respondent").click()
    row = consultant.locator("tbody tr", has_text="Sam Ciso")
    row.get_by_role("button", name="Send link by e-mail").click()
    # The click does not wait for the mail server: the page says the e-mail is on its way.
    expect(consultant.locator(".flash.success")).to_contain_text("E-mailing sam@client.example")
    settle(app)
    (invitation,) = smtp_server.to("sam@client.example")
    assert "Olive Owner" in invitation["Subject"]
    consultant.reload()
    expect(consultant.locator("tbody tr", has_text="Sam Ciso")).to_contain_text(
        "invitation e-mailed"
    )

    link = _the_link(invitation)
    assert link.startswith(f"{base}/r/")  # the address the server listens on
    respondent_context = browser.new_context()
    try:
        respondent = respondent_context.new_page()
        respondent.goto(link)
        expect(respondent).to_have_url(re.compile(r"/r/[^/]+/welcome$"))
        expect(respondent.locator("#asked-by")).to_contain_text("Olive Owner of Acme Advisory")
        expect(respondent.locator("#estimate")).to_contain_text("minutes")
        expect(respondent.locator("#data")).to_contain_text("by name")
        respondent.get_by_role("link", name="Start the questionnaire").click()
        expect(respondent).to_have_url(re.compile(r"/r/[^/]+/s/context$"))
        respondent.locator("#q-has_cio input[value=yes]").check()
        expect(respondent.locator("#q-has_cio .save-state")).to_have_text("Saved")

        consultant.reload()
        cell = consultant.locator("tbody tr", has_text="Sam Ciso").locator("td").nth(2)
        progress = int(re.search(r"(\d+)%", cell.inner_text()).group(1))  # type: ignore[union-attr]
        assert progress > 0

        # The rest of the questionnaire answered (typing ~100 answers proves nothing more),
        # then submitted in the browser, from the same link.
        with app.app_context():
            sam_id = db.session.query(Respondent).filter_by(name="Sam Ciso").one().id
            answers = complete_answers(catalog().get(QUESTIONNAIRE))
            db.session.remove()
        save_answers(app, sam_id, answers)
        respondent.goto(f"{link}/submit")
        respondent.get_by_role("button", name="Submit my answers").click()
        expect(respondent.locator("main")).to_contain_text("submitted")
    finally:
        respondent_context.close()

    settle(app)
    (note,) = [m for m in smtp_server.to("olive@example.com") if "submitted" in m["Subject"]]
    assert "Sam Ciso" in note["Subject"]
    consultant.reload()
    expect(consultant.locator("tbody tr", has_text="Sam Ciso")).to_contain_text("submitted")
