"""The results page in Chromium, on the demo workspace's realistic two-respondent
assessment: the contents bar stays in view (CSS only: script is off), the first finding is
within three screens of the top at 1280 x 800, the filters work without script, the
disagreements are one click away, and axe finds nothing serious or critical.  Screenshots
go where ``ASSESSOR_SCREENSHOTS`` says (none are kept otherwise)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment
from assessor.operations.demo import seed_demo
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.test_browser_accessibility import CONTRAST_JS, _serious

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
#: Three screens of 800 px: the first finding's top is no lower than this.
THREE_SCREENS = 2400


def _demo(live_server: LiveServer, tmp_path: Path) -> tuple[str, str, int]:
    with live_server.app.app_context():
        login = seed_demo(tmp_path)
        assessment_id = db.session.scalars(select(Assessment.id)).one()
        db.session.remove()
    return login.email, login.password, assessment_id


def _results(browser: Any, live_server: LiveServer, tmp_path: Path, **options: Any) -> Any:
    email, password, assessment_id = _demo(live_server, tmp_path)
    context = browser.new_context(viewport=DESKTOP, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_server.url}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/signin" not in url)
    page.goto(f"{live_server.url}/assessments/{assessment_id}/results")
    return page


def _shoot(page: Any, name: str, **options: Any) -> None:
    folder = os.environ.get("ASSESSOR_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), **options)


def test_first_finding_within_three_screens_and_the_bar_stays_in_view(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    page = _results(browser, live_server, tmp_path, java_script_enabled=False)
    top = page.evaluate(
        "document.querySelector('article.finding').getBoundingClientRect().top + window.scrollY"
    )
    assert 0 < top <= THREE_SCREENS, top
    _shoot(page, "results-top.png")

    bar = page.locator("nav.contents")
    assert bar.evaluate("e => getComputedStyle(e).position") == "sticky"
    page.get_by_role("link", name="Disagreements").first.click()  # one click, no script
    assert page.url.endswith("#disagreements")
    heading = page.locator("#perception-h").bounding_box()
    box = bar.bounding_box()
    assert box["y"] == 0 and box["height"] < 80  # the bar sits at the top of the screen
    assert heading["y"] >= box["y"] + box["height"]  # the heading is not under it
    assert page.evaluate("window.scrollY") > THREE_SCREENS
    _shoot(page, "results-disagreements.png")


def test_filters_work_without_script_and_say_what_is_shown(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    page = _results(browser, live_server, tmp_path, java_script_enabled=False)
    total = page.locator("article.finding").count()
    page.get_by_label("Severity", exact=True).select_option("high")
    page.get_by_role("button", name="Filter").click()
    assert "severity=high" in page.url
    shown = page.locator("article.finding")
    assert 0 < shown.count() < total
    assert set(shown.locator(".sev").all_inner_texts()) == {"HIGH"}  # uppercased by CSS
    assert page.locator("#findings-h").inner_text() == f"Findings ({shown.count()} of {total})"
    page.get_by_label("Domain", exact=True).select_option(label="Data")
    page.get_by_role("button", name="Filter").click()
    assert "domain=data" in page.url and "severity=high" in page.url
    assert page.get_by_label("Severity", exact=True).input_value() == "high"  # kept
    page.get_by_role("link", name="Show all findings").click()
    assert page.locator("article.finding").count() == total


def test_the_filters_borders_and_focus_ring_contrast_3_to_1(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    page = _results(browser, live_server, tmp_path)
    page.evaluate(CONTRAST_JS)
    measured = []
    for name in ("filter-domain", "filter-severity"):
        field = page.locator(f"#{name}")
        field.focus()
        measured.append(
            field.evaluate(
                """e => { const s = getComputedStyle(e), behind = __contrast.behind(e);
                     return [e.id, s.outlineStyle,
                             __contrast.ratio(s.borderTopColor, behind),
                             __contrast.ratio(s.outlineColor, behind)]; }"""
            )
        )
    assert [m[0] for m in measured] == ["filter-domain", "filter-severity"]
    assert all(m[1] != "none" and m[2] >= 3 and m[3] >= 3 for m in measured), measured


def test_axe_finds_nothing_serious_on_the_results_page(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    page = _results(browser, live_server, tmp_path)
    for detail in page.locator("details").all():  # the folded matrix and answers too
        detail.evaluate("e => e.open = true")
    assert _serious(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert _serious(page) == []
    # every scrolling table wrapper can be reached by keyboard at 320 px
    unreachable = page.evaluate(
        """() => Array.from(document.querySelectorAll('.table-wrap'))
             .filter(e => e.scrollWidth > e.clientWidth && e.tabIndex < 0).length"""
    )
    scrolling = page.evaluate(
        """() => Array.from(document.querySelectorAll('.table-wrap'))
             .filter(e => e.scrollWidth > e.clientWidth).length"""
    )
    assert scrolling > 0 and unreachable == 0
    # at 320 px the contents bar is one row, and a chapter reached from it is not under it
    bar = page.locator("nav.contents")
    page.locator("nav.contents a[href='#findings']").click()
    box, heading = bar.bounding_box(), page.locator("#findings-h").bounding_box()
    assert box["height"] < 60 and heading["y"] >= box["y"] + box["height"]
