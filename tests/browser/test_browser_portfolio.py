"""The portfolio page in Chromium: a real table of the firm's clients x domains, each cell's
band in words over a light fill with text at AA contrast (4.5:1), no serious axe finding,
and the sector filter; a screenshot is kept for people to look at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment, User
from assessor.operations import accounts, assessments, organizations
from assessor.operations.catalog import catalog
from assessor.questionnaire import Questionnaire
from tests.browser.conftest import LiveServer
from tests.browser.test_browser_accessibility import CONTRAST_JS, _serious, expect
from tests.security_world import confirm_address
from tests.web_support import PASSWORD, QUESTIONNAIRE, complete_answers, save_and_submit

pytestmark = pytest.mark.browser


def _answers(questionnaire: Questionnaire, pick: int, sector: str) -> dict[str, Any]:
    """Every question answered with its option at ``pick`` (0: the first, -1: the last)."""
    values = complete_answers(questionnaire, {"sector": sector})
    for question in questionnaire.questions.values():
        if question.kind in ("maturity", "yesno", "choice") and not question.context:
            values[question.id] = question.all_options[pick].value
    return values


def _clients(live_server: LiveServer) -> None:
    """Three clients, each with a closed assessment: strong, middling, weak."""
    app = live_server.app
    app.config["PRERENDER"] = False
    people = []
    with app.app_context():
        user = accounts.sign_up("ada@example.com", PASSWORD, "Ada Lead", "Lead Advisory")
        confirm_address(user)  # a firm's workspace opens once the address is confirmed
        user = db.session.scalars(select(User).where(User.id == user.id)).one()
        workspace = user.memberships[0].workspace
        questionnaire = catalog().get(QUESTIONNAIRE)
        for name, pick, sector in (
            ("Northwind Retail", -1, "retail"),
            ("Contoso Health", 1, "healthcare"),
            ("Fabrikam Bank", 0, "finance"),
        ):
            org = organizations.create_organization(
                workspace, user, name=name, sector=None, size=None
            )
            assessment = assessments.start_assessment(org, user, questionnaire)
            cio = assessments.add_respondent(assessment, user, name=f"CIO of {name}", role="CIO")
            people.append((assessment.id, cio.id, _answers(questionnaire, pick, sector)))
        db.session.remove()
    for _, respondent_id, values in people:
        save_and_submit(app, respondent_id, values)
    with app.app_context():
        owner = db.session.scalars(select(User)).one()
        for assessment_id, _, _ in people:
            found = db.session.get(Assessment, assessment_id)
            assert found is not None
            assessments.close_assessment(found, owner)
        db.session.remove()


def test_the_portfolio_heatmap_reads_in_words_and_at_aa_contrast(
    live_server: LiveServer, context: Any, tmp_path: Path
) -> None:
    _clients(live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/signin")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Portfolio").click()
    expect(page.locator("h1")).to_have_text("Portfolio")
    table = page.get_by_role("table")
    expect(table.get_by_role("rowheader")).to_have_count(3)
    assert table.get_by_role("columnheader").count() > 4
    cells = page.locator("td.heat")
    bands = set(cells.evaluate_all("cs => cs.map(c => c.querySelector('.band').textContent)"))
    assert len(bands) >= 2, bands  # the clients differ, and it shows in words
    page.evaluate(CONTRAST_JS)
    ratios = cells.evaluate_all(
        """cs => cs.map(c => __contrast.ratio(getComputedStyle(c).color,
                                              getComputedStyle(c).backgroundColor))"""
    )
    assert min(ratios) >= 4.5, min(ratios)
    assert _serious(page) == []
    # For people to look at: ASSESSOR_SCREENSHOTS=<folder> keeps it there.
    folder = Path(os.environ.get("ASSESSOR_SCREENSHOTS") or tmp_path)
    page.screenshot(path=str(folder / "portfolio.png"), full_page=True)
    page.get_by_label("Sector").select_option("retail")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("table").get_by_role("rowheader")).to_have_count(1)
    expect(page.get_by_role("rowheader")).to_contain_text("Northwind Retail")
