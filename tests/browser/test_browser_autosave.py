"""Autosave in a real browser: one respondent's quick changes are stored in order and the
page says "Saved" only for what is stored; another tab's stale save is still a conflict.

Arrow keys on a radio group check the next option at once, and each check autosaves: the
presses below are sent with no wait between them, so several saves of one question would
be in flight together if the page let them.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Answer
from tests.browser.conftest import LiveServer
from tests.browser.test_browser_flows import _prepared_assessment, _save_state, expect

pytestmark = pytest.mark.browser

QUESTION = "str_strategy_maturity"  # five levels, 0 to 4, in one radio group
#: Each autosave reaches the app this many ms late, in turn, as over a real network: saves
#: sent together would overtake each other (the second one sent is handled first).
LATENCY_MS = (120, 20, 80, 10, 60, 30)


@pytest.fixture
def live_server(live_server: LiveServer) -> Iterator[LiveServer]:
    """The live server, with autosaves delayed by :data:`LATENCY_MS` on their way in."""
    inner = live_server.app.wsgi_app
    delays = itertools.cycle(LATENCY_MS)
    lock = threading.Lock()

    def delayed(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"].endswith("/autosave"):
            with lock:
                delay = next(delays)
            time.sleep(delay / 1000)
        return inner(environ, start_response)

    live_server.app.wsgi_app = delayed  # type: ignore[method-assign]
    yield live_server
    live_server.app.wsgi_app = inner  # type: ignore[method-assign]


def _stored(live_server: LiveServer, question: str) -> Any:
    with live_server.app.app_context():
        value = db.session.scalars(select(Answer.value).where(Answer.question_id == question)).one()
        db.session.remove()
    return value


def _checked(page: Any, question: str) -> str:
    value: str = page.locator(f"#q-{question} input[type=radio]:checked").get_attribute("value")
    return value


def _settled(page: Any, question: str) -> None:
    """Wait until the question says "Saved" and nothing more is sent."""
    expect(_save_state(page, question)).to_have_text("Saved")
    page.wait_for_load_state("networkidle")


def test_quick_arrow_keys_store_the_answer_on_screen(live_server: LiveServer, context: Any) -> None:
    _, token = _prepared_assessment(live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/r/{token}/s/strategy")
    # The first option is checked (which saves) and takes the focus for the arrow keys.
    page.locator(f"#q-{QUESTION} input[type=radio][value='0']").check()
    for presses in ("ArrowDown", "ArrowDown", "ArrowDown", "ArrowUp", "ArrowDown", "ArrowDown"):
        page.keyboard.press(presses)  # no wait: the saves would overlap
    _settled(page, QUESTION)
    assert _checked(page, QUESTION) == "4"
    assert _stored(live_server, QUESTION) == 4
    # Back and forth again from a stored answer: every save named the version the last
    # one returned, so the page holds the stored version and none of them conflicted.
    for presses in ("ArrowUp", "ArrowUp", "ArrowDown", "ArrowUp", "ArrowUp"):
        page.keyboard.press(presses)
    _settled(page, QUESTION)
    assert _checked(page, QUESTION) == "1"
    assert _stored(live_server, QUESTION) == 1
    expect(page.locator(".save-state.conflict")).to_have_count(0)
    expect(page.locator(".save-state.error")).to_have_count(0)
    # What the page shows after a reload is what it showed before.
    page.reload()
    expect(page.locator(f"#q-{QUESTION} input[type=radio][value='1']")).to_be_checked()


def test_a_second_tab_with_a_stale_page_gets_the_conflict(
    live_server: LiveServer, context: Any
) -> None:
    _, token = _prepared_assessment(live_server)
    url = f"{live_server.url}/r/{token}/s/strategy"
    first, second = context.new_page(), context.new_page()
    first.goto(url)
    second.goto(url)  # both read the question unanswered
    first.locator(f"#q-{QUESTION} input[type=radio][value='2']").check()
    _settled(first, QUESTION)
    second.locator(f"#q-{QUESTION} input[type=radio][value='3']").check()
    conflict = _save_state(second, QUESTION)
    expect(conflict).to_have_text(
        re.compile(r"^Changed by Carla CIO \(personal link\) at .* UTC — reload to see it\.")
    )
    expect(conflict.get_by_role("link", name="Reload")).to_be_visible()
    assert _stored(live_server, QUESTION) == 2
    # Its next change is refused too: the stale tab never overwrites, however often it tries.
    second.keyboard.press("ArrowDown")
    expect(conflict).to_have_class(re.compile(r"\bconflict\b"))
    second.wait_for_load_state("networkidle")
    assert _stored(live_server, QUESTION) == 2
