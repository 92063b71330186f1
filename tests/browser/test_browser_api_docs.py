"""The API docs page in Chromium: Swagger UI from the app's own files, under its policy,
with every request to another origin blocked (an offline machine)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_the_docs_page_lists_the_operations_offline(context: Any, live_server: LiveServer) -> None:
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def only_own(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_own)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text and "script" in message.text
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock", state="attached")
    text = page.inner_text("body")
    assert "/api/v1/assessments/{assessment_id}/respondents/{respondent_id}/answers" in text
    assert "Governance gap assessment API" in text
    assert refused == [] and elsewhere == []
