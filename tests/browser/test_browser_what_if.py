"""Browser test of one what-if scenario: from the results, separate the CIO and CISO
roles of a dual-role organisation, see the dual-role finding close, keep the scenario for
the report; the answers are untouched."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Answer, User
from assessor.operations import accounts, assessments, organizations
from assessor.operations.catalog import catalog
from tests.browser.conftest import LiveServer
from tests.scenarios import load_scenarios
from tests.security_world import confirm_address
from tests.web_support import PASSWORD, QUESTIONNAIRE, save_and_submit

pytestmark = pytest.mark.browser


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def _dual_role(live_server: LiveServer) -> int:
    app = live_server.app
    [found] = [s for s in load_scenarios() if s.slug == "dual-role-cio-ciso"]
    with app.app_context():
        user = accounts.sign_up("olive@example.com", PASSWORD, "Olive Owner", "Acme Advisory")
        confirm_address(user)
        user = db.session.scalars(select(User).where(User.id == user.id)).one()
        org = organizations.create_organization(
            user.memberships[0].workspace, user, name="Kestrel Freight", sector=None, size=None
        )
        started = assessments.start_assessment(org, user, catalog().get(QUESTIONNAIRE))
        person = assessments.add_respondent(started, user, name="Ray Delgado", role="CIO_CISO")
        ids = started.id, person.id
        db.session.remove()
    save_and_submit(app, ids[1], dict(found.answers["respondents"][0]["answers"]))
    return ids[0]


def _answers(live_server: LiveServer) -> list[Any]:
    with live_server.app.app_context():
        rows = db.session.execute(select(Answer.question_id, Answer.value, Answer.version)).all()
        db.session.remove()
    return sorted(rows, key=repr)


def test_separate_the_roles_in_the_sandbox_and_keep_it(
    live_server: LiveServer, context: Any
) -> None:
    base = live_server.url
    assessment = _dual_role(live_server)
    before = _answers(live_server)
    page = context.new_page()
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Acme Advisory")

    page.goto(f"{base}/assessments/{assessment}/results")
    page.get_by_role("link", name="What if…").click()
    expect(page.locator("h1")).to_have_text("What if")
    page.get_by_label("The CIO and CISO roles").select_option("no")
    page.get_by_label("The CISO reports to").select_option("board")
    page.get_by_role("button", name="Show the effect").click()
    expect(page.locator("#would-close")).to_contain_text("both CIO and CISO")
    expect(page.locator("#what-if-scores")).to_contain_text("Overall score")
    shots = os.environ.get("ASSESSOR_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "what-if.png"), full_page=True)

    page.get_by_label("Name").fill("Two people, CISO under the board")
    page.get_by_label('Print it in the report as the annex "Target structure"').check()
    page.get_by_role("button", name="Keep this scenario").click()
    expect(page.locator(".flash")).to_contain_text("kept. Nothing was changed in the answers.")
    expect(page.locator("h1")).to_have_text("What if: Two people, CISO under the board")
    expect(page.get_by_label("The CIO and CISO roles")).to_have_value("no")
    expect(page.locator("#kept-scenarios")).to_contain_text("in the report")
    assert _answers(live_server) == before
