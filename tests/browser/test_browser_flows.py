"""What people do in a real browser: self-assessment with autosave and conditional questions,
and a respondent answering by link while the consultant watches the progress.

Every wait is explicit (an element's state or a response); screenshots of the
questionnaire and the results, desktop and 375 px wide, are saved under the test's
``tmp_path`` for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Answer, Respondent, User
from assessor.operations import accounts, assessments, organizations
from assessor.operations.catalog import catalog
from tests.browser.conftest import LiveServer
from tests.security_world import confirm_address
from tests.web_support import (
    PASSWORD,
    QUESTIONNAIRE,
    complete_answers,
    save_and_submit,
    save_answers,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
#: The height (px) down to which a page is shot whole.
TALLEST = 6000


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def _screenshots(
    page: Any, folder: Path, name: str, parts: tuple[tuple[str, str], ...] = ()
) -> None:
    """Desktop and phone-width screenshots; at 375 px nothing may scroll sideways.

    A page taller than :data:`TALLEST` is shot down to there (a full shot of the results
    takes seconds), plus each of ``parts`` (name, CSS selector) on its own.
    """
    desktop = page.viewport_size
    for size, suffix in ((desktop, "desktop"), (PHONE, "375")):
        page.set_viewport_size(size)
        height = page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(height, TALLEST)}
        page.screenshot(path=folder / f"{name}-{suffix}.png", full_page=True, clip=clip)
        for part, selector in parts:
            page.locator(selector).screenshot(path=folder / f"{name}-{suffix}-{part}.png")
    assert _too_wide(page) == [], f"{name}: wider than 375 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(desktop)


def _too_wide(page: Any) -> list[str]:
    """Elements that stick out of the viewport (tables, and the results page's contents
    bar, scroll sideways inside their own box)."""
    found: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                        && !e.closest('.table-wrap, nav.contents ol'))
              .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)
              .slice(0, 5)"""
    )
    return found


def _save_state(page: Any, question: str) -> Any:
    return page.locator(f"#q-{question} .save-state")


def _focus_ring_on_first_answer(page: Any) -> None:
    """Tab from the top of the page to the first answer: the focus is visibly outlined."""
    page.locator("body").click(position={"x": 1, "y": 1})
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('fieldset.question') !== null"):
            break
    else:
        pytest.fail("Tab never reached a question")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert style[0] != "none" and style[1] >= 2, style


def test_self_assessment_with_autosave_and_conditional_questions(
    live_server: LiveServer, context: Any, tmp_path: Path
) -> None:
    page = context.new_page()
    base = live_server.url

    page.goto(f"{base}/signup")
    page.get_by_label("Your name").fill("Ian Lead")
    page.get_by_label("Email").fill("ian@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Firm or organisation name").fill("Ian's Company")
    # An IT leader assessing their own organisation may start before confirming the address.
    page.get_by_label("You will assess").select_option("own")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    page.get_by_role("link", name="sign in").first.click()
    page.get_by_label("Email").fill("ian@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/welcome")
    expect(page.get_by_label("Your organisation")).to_have_value("Ian's Company")
    page.get_by_label("Your role").select_option("CIO")
    page.get_by_role("button", name="Assess my organisation").click()

    expect(page).to_have_url(re.compile(r"/assessments/\d+/respondents/\d+/answer/s/context$"))
    expect(page.locator("h1")).to_have_text("About your organisation")
    respondent_id = int(re.search(r"/respondents/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    section_url = page.url

    # autosave: a typed number (debounced; a bad one is refused beside the field) and a
    # clicked radio button
    page.locator("#employees").fill("0")
    page.locator("#employees").press("Tab")  # leaving the field saves at once
    expect(_save_state(page, "employees")).to_have_text("0 is less than the minimum, 1")
    expect(page.locator("#q-employees")).to_have_class(re.compile(r"\bhas-error\b"))
    page.locator("#employees").fill("420")
    expect(_save_state(page, "employees")).to_have_text("Saved")
    expect(page.locator("#q-employees")).not_to_have_class(re.compile(r"\bhas-error\b"))
    # text the browser can't read as a number is refused in place, never saved as "no
    # answer" over the stored 420
    page.locator("#employees").fill("")
    page.locator("#employees").press_sequentially("42e")
    page.locator("#employees").press("Tab")
    expect(_save_state(page, "employees")).to_have_text("Not saved: enter a number, such as 250.")
    expect(page.locator("#q-employees")).to_have_class(re.compile(r"\bhas-error\b"))
    with live_server.app.app_context():
        stored = db.session.scalars(
            select(Answer.value).where(
                Answer.respondent_id == respondent_id,
                Answer.question_id == "employees",
            )
        ).one()
        db.session.remove()
    assert stored == 420
    page.locator("#employees").fill("420")
    expect(_save_state(page, "employees")).to_have_text("Saved")
    page.locator("#q-has_cio input[value=yes]").check()
    expect(_save_state(page, "has_cio")).to_have_text("Saved")
    expect(page.locator('.pct[data-section="context"]')).not_to_have_text("0%")

    # show_if: the reporting line is asked once there is a CISO, without reloading
    expect(page.locator("#q-ciso_reports_to")).to_be_hidden()
    expect(page.locator("#q-dual_role")).to_be_hidden()
    page.get_by_role(
        "radiogroup", name=re.compile("Does your organisation have a CISO")
    ).get_by_label("Yes").check()
    expect(_save_state(page, "has_ciso")).to_have_text("Saved")
    expect(page.locator("#q-ciso_reports_to")).to_be_visible()
    expect(page.locator("#q-dual_role")).to_be_visible()
    page.locator("#q-ciso_reports_to").get_by_label("The CIO").check()
    expect(_save_state(page, "ciso_reports_to")).to_have_text("Saved")

    # and everything is still there after a reload
    page.reload()
    expect(page.locator("#employees")).to_have_value("420")
    expect(page.locator("#q-has_ciso input[value=yes]")).to_be_checked()
    expect(page.locator("#q-ciso_reports_to input[value=cio]")).to_be_checked()
    expect(page.locator("#q-ciso_reports_to")).to_be_visible()
    _focus_ring_on_first_answer(page)
    _screenshots(page, tmp_path, "questionnaire")

    # the rest of the answers through the save verb, to keep the test short
    with live_server.app.app_context():
        everything = complete_answers(catalog().get(QUESTIONNAIRE))
    save_answers(live_server.app, respondent_id, everything, actor="Ian Lead")

    page.goto(section_url.replace("/s/context", "/submit"))
    expect(page.locator("ul.missing")).to_have_count(0)
    page.get_by_role("button", name="Submit my answers").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/results$"))
    expect(page.locator(".flash")).to_have_text(
        "Your answers are submitted. Here are your results."
    )
    expect(page.locator("figure.radar svg")).to_be_visible()
    finding = page.locator("article.finding").filter(
        has_text="The CISO reports to the CIO and has no independent route"
    )
    expect(finding).to_be_visible()
    finding.get_by_text("Why: the answers behind it").click()
    expect(finding.locator("details li").first).to_be_visible()
    results_url = page.url

    # a peer answers too (through the verbs), and the results show where they disagree
    page.get_by_role("link", name="add a respondent and send them their link").click()
    page.get_by_label("Name").fill("Sam Secure")
    page.get_by_label("Role").select_option("CISO")
    page.get_by_role("button", name="Invite your CISO").click()  # the CIO's peer, own wording
    expect(page.locator(".flash")).to_contain_text("Sam Secure added.")
    with live_server.app.app_context():
        peer = db.session.scalars(select(Respondent).where(Respondent.name == "Sam Secure")).one()
        peer_id = peer.id
        db.session.remove()
    disagreeing = {**everything, "sec_program_owner": "CISO", "sec_program_maturity": 3}
    save_and_submit(live_server.app, peer_id, disagreeing)  # counted once submitted
    page.goto(results_url)
    expect(page.locator("figure.heatmap svg")).to_be_visible()
    expect(page.locator("#perception-h")).to_have_text("Where respondents disagree")
    sections = (
        ("perception", "section[aria-labelledby=perception-h]"),
        ("roadmap", "section[aria-labelledby=roadmap-h]"),
    )
    _screenshots(page, tmp_path, "results", parts=sections)


def _prepared_assessment(live_server: LiveServer) -> tuple[int, str]:
    """An owner, a client, an assessment with the CIO as respondent and their link."""
    with live_server.app.app_context():
        user = accounts.sign_up("olive@example.com", PASSWORD, "Olive Owner", "Acme Advisory")
        confirm_address(user)
        user = db.session.scalars(select(User).where(User.id == user.id)).one()
        org = organizations.create_organization(
            user.memberships[0].workspace, user, name="Contoso Health", sector=None, size=None
        )
        assessment = assessments.start_assessment(org, user, catalog().get(QUESTIONNAIRE))
        respondent = assessments.add_respondent(assessment, user, name="Carla CIO", role="CIO")
        token = assessments.issue_link(respondent, user)
        assessment_id = assessment.id
        db.session.remove()
    return assessment_id, token


def _progress(page: Any) -> int:
    cell = page.locator("tbody tr", has_text="Carla CIO").locator("td").nth(2)
    return int(re.search(r"(\d+)%", cell.inner_text()).group(1))  # type: ignore[union-attr]


def test_a_respondent_answers_by_link_while_the_consultant_watches(
    live_server: LiveServer, browser: Any, context: Any, tmp_path: Path
) -> None:
    base = live_server.url
    assessment_id, token = _prepared_assessment(live_server)

    consultant = context.new_page()
    consultant.goto(f"{base}/signin")
    consultant.get_by_label("Email").fill("olive@example.com")
    consultant.get_by_label("Password").fill(PASSWORD)
    consultant.get_by_role("button", name="Sign in").click()
    expect(consultant.locator("h1")).to_have_text("Acme Advisory")
    consultant.goto(f"{base}/assessments/{assessment_id}")
    assert _progress(consultant) == 0

    respondent_context = browser.new_context(viewport=PHONE)
    try:
        respondent = respondent_context.new_page()
        respondent.goto(f"{base}/r/{token}")
        expect(respondent).to_have_url(f"{base}/r/{token}/welcome")  # who asked, and why
        expect(respondent.locator("#asked-by")).to_contain_text("Olive Owner of Acme Advisory")
        respondent.get_by_role("link", name="Start the questionnaire").click()
        expect(respondent).to_have_url(f"{base}/r/{token}/s/context")
        expect(respondent.get_by_role("link", name="Sign in")).to_have_count(0)
        for question in ("has_cio", "has_ciso", "security_board_line"):
            respondent.locator(f"#q-{question} input[value=yes]").check()
            expect(_save_state(respondent, question)).to_have_text("Saved")

        consultant.reload()
        first = _progress(consultant)
        assert first > 0

        # the page's own button (a form post with its CSRF token) saves and moves on,
        # even straight after typing (the blur's autosave and the post cross in flight)
        respondent.locator("#q-sector").get_by_label("Healthcare or life sciences").check()
        expect(_save_state(respondent, "sector")).to_have_text("Saved")
        respondent.locator("#employees").fill("1200")
        respondent.get_by_role("button", name="Save and continue").click()
        expect(respondent).to_have_url(f"{base}/r/{token}/s/strategy")
        expect(respondent.locator('.pct[data-section="context"]')).not_to_have_text("0%")
        respondent.locator("#q-str_strategy_owner input[value=CIO]").check()
        expect(_save_state(respondent, "str_strategy_owner")).to_have_text("Saved")

        consultant.reload()
        assert _progress(consultant) > first
        _screenshots(consultant, tmp_path, "assessment")
        _screenshots(respondent, tmp_path, "respondent")

        # both edit the same answer: the later save is refused with who changed it
        answer = consultant.locator("tbody tr", has_text="Carla CIO").get_by_role(
            "link", name="Answer for Carla CIO"
        )
        answer.click()
        expect(consultant.locator("h1")).to_have_text("Strategy and business alignment")
        respondent.locator("#q-str_strategy_owner input[value=SHARED]").check()
        expect(_save_state(respondent, "str_strategy_owner")).to_have_text("Saved")
        consultant.locator("#q-str_strategy_owner input[value=NONE]").check()
        conflict = _save_state(consultant, "str_strategy_owner")
        expect(conflict).to_have_text(
            re.compile(r"^Changed by Carla CIO \(personal link\) at .* UTC — reload to see it\.")
        )
        expect(conflict.get_by_role("link", name="Reload")).to_be_visible()
    finally:
        respondent_context.close()


def test_every_page_fits_a_phone(live_server: LiveServer, browser: Any, tmp_path: Path) -> None:
    """At 375 px wide nothing scrolls sideways (tables scroll inside their own box)."""
    base = live_server.url
    assessment_id, _ = _prepared_assessment(live_server)
    phone = browser.new_context(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = phone.new_page()
        for path in ("/", "/signup", "/signin"):
            page.goto(f"{base}{path}")
            _fits(page, tmp_path, path)
        page.get_by_label("Email").fill("olive@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("h1")).to_have_text("Acme Advisory")
        page.goto(f"{base}/assessments/{assessment_id}")
        page.get_by_role("button", name="New link").click()
        expect(page.locator("h1")).to_have_text("Personal link for Carla CIO")
        _fits(page, tmp_path, "link")
        made = page.locator("#link").input_value()
        # Back on the assessment page, one click copies the working link from the
        # respondent's row (static/copy.js: the policy allows no inline script), and
        # makes no new one.
        page.goto(f"{base}/assessments/{assessment_id}")
        row = page.locator("tbody tr", has_text="Carla CIO")
        row.get_by_role("button", name="Copy link of Carla CIO").click()
        expect(row.get_by_role("status")).to_have_text("Copied.")
        link = row.locator("input.copy").input_value()
        assert link == made
        assert page.evaluate("navigator.clipboard.readText()") == link
        page.goto(f"{link}/welcome")
        _fits(page, tmp_path, "welcome")
        page.goto(f"{base}/assessments/{assessment_id}")
        organization = page.get_by_role("link", name="Contoso Health").get_attribute("href")
        answer = page.get_by_role("link", name="Answer for Carla CIO").get_attribute("href")
        for path in (
            "/",
            "/organizations",
            organization,
            f"{organization}/edit",
            f"/assessments/new/{organization.rsplit('/', 1)[-1]}",
            f"/assessments/{assessment_id}",
            f"{answer}/submit",
            "/welcome",
            "/workspace",
            "/workspace/audit",
        ):
            page.goto(f"{base}{path}")
            _fits(page, tmp_path, path)
    finally:
        phone.close()


def _fits(page: Any, folder: Path, path: str) -> None:
    name = re.sub(r"\W+", "-", path).strip("-") or "home"
    page.screenshot(path=folder / f"phone-{name}.png")  # the first screen; all is checked
    assert _too_wide(page) == [], f"{path}: wider than 375 px"
