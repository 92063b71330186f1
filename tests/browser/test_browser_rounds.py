"""Browser test of comparing rounds: a client's third round compared with its first
(chosen in the results page's chooser), then a finding made an action."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import User
from assessor.operations import accounts, assessments, organizations
from assessor.operations.catalog import catalog
from tests.browser.conftest import LiveServer
from tests.security_world import confirm_address
from tests.web_support import PASSWORD, QUESTIONNAIRE, complete_answers, save_and_submit

pytestmark = pytest.mark.browser


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def _rounds(live_server: LiveServer) -> list[int]:
    """Three submitted rounds of one client (started one after the other, no Re-assess):
    the security programme immature in the first two, matured in the third."""
    app = live_server.app
    with app.app_context():
        user = accounts.sign_up("olive@example.com", PASSWORD, "Olive Owner", "Acme Advisory")
        confirm_address(user)
        user = db.session.scalars(select(User).where(User.id == user.id)).one()
        org = organizations.create_organization(
            user.memberships[0].workspace, user, name="Contoso Health", sector=None, size=None
        )
        made = []
        for title in ("First round", "Second round", "Third round"):
            started = assessments.start_assessment(
                org, user, catalog().get(QUESTIONNAIRE), title=title
            )
            person = assessments.add_respondent(started, user, name="Carla CIO", role="CIO")
            made.append((started.id, person.id))
        questionnaire = catalog().get(QUESTIONNAIRE)
        db.session.remove()
    for number, (_, person) in enumerate(made):
        maturity = 4 if number == 2 else 1
        save_and_submit(
            app, person, complete_answers(questionnaire, {"sec_program_maturity": maturity})
        )
    return [assessment for assessment, _ in made]


def test_compare_a_round_with_any_earlier_one_and_track_a_finding(
    live_server: LiveServer, context: Any
) -> None:
    base = live_server.url
    first, second, third = _rounds(live_server)
    page = context.new_page()
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Acme Advisory")

    page.goto(f"{base}/assessments/{third}/results")
    chooser = page.get_by_label("Compare with")
    expect(chooser).to_have_value(str(second))  # the latest earlier round by default
    chooser.select_option(str(first))
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(f"{base}/assessments/{third}/results?since={first}#progress")
    expect(page.get_by_label("Compare with")).to_have_value(str(first))
    page.locator("#progress-closed summary").click()
    expect(page.locator("#progress-closed li").first).to_be_visible()
    expect(page.locator("#progress-closed")).to_contain_text(
        "Security is not run as a managed program"
    )

    page.locator(".finding").first.get_by_role("link", name="Track as an action").click()
    page.get_by_label("Owner", exact=True).fill("Dana Fixer")
    page.get_by_label("Owner's e-mail").fill("dana@contoso.example")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save the action").click()
    expect(page.locator(".finding").first.locator(".finding-action")).to_contain_text(
        "Action: In progress · Dana Fixer"
    )
