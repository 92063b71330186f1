"""Limits on what answers carry: the length of a comment (``MAX_COMMENT_CHARS``) and the
history kept per answer (one author's changes within ``HISTORY_COALESCE_SECONDS`` are one
row).  The saves-per-minute limit of signed-in users is in test_security_ratelimit.py."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from assessor.operations.answers import answers_of
from tests.web_support import (
    CONTEXT,
    Page,
    Stage,
    history,
    in_app,
    page_versions,
    questionnaire,
    section_form,
)

LIMIT = 2000  # MAX_COMMENT_CHARS by default
RESPONDENT = "Carla CIO (personal link)"
CONSULTANT = "Olive Owner (consultant)"


def _comments(app: Flask, respondent_id: int, question: str) -> list[Any]:
    with in_app(app):
        found = answers_of(respondent_id).get(question)
    return [] if found is None else [found.comment]


def _autosave(
    client: FlaskClient, url: str, question: str, value: Any, version: int, **kw: Any
) -> Any:
    body = {"question": question, "value": value, "version": version, **kw}
    return client.post(f"{url}/autosave", json=body)


# --- comment length ------------------------------------------------------------------------


def test_the_comment_box_says_its_limit(app: Flask, setup: Stage, token: str) -> None:
    page = Page(app.test_client().get(f"/r/{token}/s/context"))
    box = page.one("#c_employees").etree_element
    assert box.get("maxlength") == str(LIMIT)
    assert page.texts(f"#{box.get('aria-describedby')}") == ["At most 2,000 characters."]


def test_the_comment_limit_is_a_setting(app: Flask, setup: Stage, token: str) -> None:
    app.config["MAX_COMMENT_CHARS"] = 50
    respondent = app.test_client()
    page = Page(respondent.get(f"/r/{token}/s/context"))
    assert page.one("#c_employees").etree_element.get("maxlength") == "50"
    assert page.texts("#c_employees-limit") == ["At most 50 characters."]
    refused = _autosave(respondent, f"/r/{token}", "employees", 12, 0, comment="c" * 51)
    assert refused.status_code == 422
    assert (
        _autosave(respondent, f"/r/{token}", "employees", 12, 0, comment="c" * 50).status_code
        == 200
    )


def test_an_autosaved_comment_over_the_limit_is_refused_with_a_message(
    app: Flask, setup: Stage, token: str
) -> None:
    respondent = app.test_client()
    url = f"/r/{token}"
    response = _autosave(respondent, url, "employees", 12, 0, comment="c" * (LIMIT + 1))
    assert response.status_code == 422
    assert response.json == {
        "error": "A comment is at most 2,000 characters; this one has 2,001.",
        "field": "employees",
    }
    assert _comments(app, setup.respondent_id, "employees") == []
    assert history(app, setup.respondent_id, "employees") == []
    # exactly the limit, a line break counted once as the comment box counts it
    fitting = "c" * (LIMIT - 2) + "\r\n" + "c"
    response = _autosave(respondent, url, "employees", 12, 0, comment=fitting)
    assert response.status_code == 200
    assert _comments(app, setup.respondent_id, "employees") == [fitting]


def test_a_page_save_with_a_comment_over_the_limit_is_refused_beside_it(
    app: Flask, setup: Stage, token: str
) -> None:
    respondent = app.test_client()
    url = f"/r/{token}/s/context"
    data = section_form(questionnaire(app), "context", CONTEXT)
    too_long = {**data, "c_employees": "c" * (LIMIT + 1), "go": "stay"}
    page = Page(respondent.post(url, data=too_long))
    assert page.response.status_code == 422
    assert page.errors_beside("c_employees") == [
        "A comment is at most 2,000 characters; this one has 2,001."
    ]
    assert page.texts("#c_employees") == ["c" * (LIMIT + 1)]  # kept to shorten, not lost
    assert _comments(app, setup.respondent_id, "employees") == []  # nothing of the page
    assert history(app, setup.respondent_id, "has_cio") == []
    # 2,000 characters with line breaks, as a browser posts them (CRLF), are the limit
    fitting = "\r\n".join(["c" * 399] * 5) + "c"
    saved = respondent.post(url, data={**data, "c_employees": fitting, "go": "stay"})
    assert saved.status_code == 302
    assert _comments(app, setup.respondent_id, "employees") == [fitting]


# --- history kept per answer -------------------------------------------------------------------


def test_one_authors_changes_in_a_row_are_one_history_row(
    app: Flask, client: FlaskClient, setup: Stage, token: str
) -> None:
    respondent = app.test_client()
    url = f"/r/{token}"
    version = 0
    for value in (1, 2, 3, 4, 0, 2):  # a respondent trying the levels of a maturity question
        response = _autosave(respondent, url, "str_strategy_maturity", value, version)
        assert response.status_code == 200
        version = response.json["version"]
    assert history(app, setup.respondent_id, "str_strategy_maturity") == [(2, 6, RESPONDENT)]

    # another author's change is a row of its own, and so is the respondent's after it
    consultant = setup.answer_url()
    assert _autosave(client, consultant, "str_strategy_maturity", 3, 6).status_code == 200
    assert _autosave(client, consultant, "str_strategy_maturity", 4, 7).status_code == 200
    assert _autosave(respondent, url, "str_strategy_maturity", 1, 8).status_code == 200
    assert history(app, setup.respondent_id, "str_strategy_maturity") == [
        (2, 6, RESPONDENT),
        (4, 8, CONSULTANT),
        (1, 9, RESPONDENT),
    ]
    # other answers keep their own rows
    assert _autosave(respondent, url, "str_strategy_owner", "CIO", 0).status_code == 200
    assert history(app, setup.respondent_id, "str_strategy_owner") == [("CIO", 1, RESPONDENT)]


def test_a_change_after_the_window_adds_a_history_row(app: Flask, setup: Stage, token: str) -> None:
    app.config["HISTORY_COALESCE_SECONDS"] = 1
    respondent = app.test_client()
    url = f"/r/{token}"
    assert _autosave(respondent, url, "str_strategy_maturity", 1, 0).status_code == 200
    time.sleep(1.2)  # longer than the window: the next change is a row of its own
    assert _autosave(respondent, url, "str_strategy_maturity", 2, 1).status_code == 200
    assert history(app, setup.respondent_id, "str_strategy_maturity") == [
        (1, 1, RESPONDENT),
        (2, 2, RESPONDENT),
    ]


def test_a_page_save_coalesces_per_answer(
    app: Flask, client: FlaskClient, setup: Stage, token: str
) -> None:
    """A page of answers saved twice by its author: each answer keeps one row; an answer
    someone else changed in between gets a new one."""
    respondent = app.test_client()
    q = questionnaire(app)
    url = f"/r/{token}/s/context"
    first = section_form(q, "context", CONTEXT)
    assert respondent.post(url, data={**first, "go": "stay"}).status_code == 302
    assert _autosave(client, setup.answer_url(), "employees", 500, 1).status_code == 200
    versions = page_versions(Page(respondent.get(url)))
    second = section_form(q, "context", {**CONTEXT, "employees": 600, "has_cio": "no"}, versions)
    assert respondent.post(url, data={**second, "go": "stay"}).status_code == 302
    assert history(app, setup.respondent_id, "has_cio") == [("no", 2, RESPONDENT)]
    assert history(app, setup.respondent_id, "employees") == [
        (CONTEXT["employees"], 1, RESPONDENT),
        (500, 2, CONSULTANT),
        (600, 3, RESPONDENT),
    ]
