"""The e-mailed invitation end to end in a real browser: the consultant adds a respondent
with an address and sends the link by e-mail; the respondent opens the link from the
message (read from the outbox, as a mail program would) and answers; the consultant sees
the e-mail and the progress beside the respondent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_browser_flows import _prepared_assessment, expect
from tests.mail_support import link, outbox
from tests.web_support import PASSWORD

pytestmark = pytest.mark.browser


def test_an_emailed_invitation_from_click_to_answer(
    live_server: LiveServer, browser: Any, context: Any, tmp_path: Path
) -> None:
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
    (message,) = outbox(live_server.app, "sam@client.example")  # once the sender has sent it
    consultant.reload()
    expect(consultant.locator("tbody tr", has_text="Sam Ciso")).to_contain_text(
        "invitation e-mailed"
    )
    path = link(message, "/r/")
    assert path is not None
    respondent_context = browser.new_context()
    try:
        respondent = respondent_context.new_page()
        respondent.goto(f"{base}{path}")
        expect(respondent).to_have_url(re.compile(r"/r/[^/]+/welcome$"))  # who asked, and why
        respondent.get_by_role("link", name="Start the questionnaire").click()
        expect(respondent).to_have_url(re.compile(r"/r/[^/]+/s/context$"))
        respondent.locator("#q-has_cio input[value=yes]").check()
        expect(respondent.locator("#q-has_cio .save-state")).to_have_text("Saved")
    finally:
        respondent_context.close()

    consultant.reload()
    cell = consultant.locator("tbody tr", has_text="Sam Ciso").locator("td").nth(2)
    progress = int(re.search(r"(\d+)%", cell.inner_text()).group(1))  # type: ignore[union-attr]
    assert progress > 0
