"""The answering blueprint: questionnaire pages by personal link and by the consultant,
"Save and continue" without JavaScript, autosave with optimistic locking, submit and reopen."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select

from assessor.config import PROJECT_ROOT
from assessor.database import begin_write
from assessor.engine.answers import coerce_answer
from assessor.extensions import db
from assessor.models import Answer, AnswerHistory, Respondent
from assessor.operations import respondents
from assessor.questionnaire import load_paths
from assessor.web.questionnaire_form import form_value
from tests.web_support import (
    CONTEXT,
    Page,
    Stage,
    complete_answers,
    count_so_far,
    history,
    in_app,
    page_versions,
    post_section,
    questionnaire,
    save_answers,
    section_form,
    stored,
)

MISSING_VERSION = "version is required: the answer's version when it was read (0: no answer)."
SECTIONS = [
    "context",
    "strategy",
    "infrastructure",
    "security",
    "data",
    "third_parties",
    "governance",
]


@pytest.fixture
def respondent(app: Flask) -> FlaskClient:
    """A second browser: the respondent, who opens their personal link without an account."""
    return app.test_client()


def _autosave(client: FlaskClient, url: str, question: str, value: Any, version: int = 0) -> Any:
    return client.post(
        f"{url}/autosave", json={"question": question, "value": value, "version": version}
    )


def test_a_link_opens_the_first_section_one_section_a_page(
    app: Flask, respondent: FlaskClient, token: str
) -> None:
    response = respondent.get(f"/r/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{token}/welcome"  # the first time
    welcome = Page(respondent.get(f"/r/{token}/welcome"))
    assert welcome.one("a.button.primary").etree_element.get("href") == f"/r/{token}/s/context"

    page = Page(respondent.get(f"/r/{token}/s/context"))
    q = questionnaire(app)
    assert page.one("h1").etree_element.text == "About your organisation"
    assert [f.etree_element.get("data-qid") for f in page.all("fieldset.question")] == [
        x.id for x in q.sections[0].questions
    ]
    hidden = [f.etree_element.get("data-qid") for f in page.all("fieldset.question[hidden]")]
    assert hidden == [
        "nis2_entity",  # asked once the EU is ticked
        "card_service_provider",  # once card data is
        "dual_role",
        "ciso_reports_to",
        "ciso_reports_to_other",
    ]
    assert page.texts(".sections li a") == [s.title for s in q.sections]
    assert page.texts(".sections .pct") == ["0%"] * len(SECTIONS)
    assert page.texts(".sections li[aria-current] a") == ["About your organisation"]
    assert page.accessibility_problems() == []
    assert "Sign in" not in page.texts("header nav a")  # a respondent has no account


@pytest.mark.parametrize("by", ["link", "consultant"])
def test_every_link_of_the_page_is_its_routes_address(
    app: Flask, client: FlaskClient, respondent: FlaskClient, setup: Stage, token: str, by: str
) -> None:
    """The page builds its links from the seat's start address: they must be exactly what
    the routes answer to."""
    if by == "link":
        visitor, keys, prefix = respondent, {"token": token}, "answering.link_"
    else:
        visitor, prefix = client, "answering.consultant_"
        keys = {"assessment_id": setup.assessment_id, "respondent_id": setup.respondent_id}
    with app.test_request_context():
        expected = [url_for(f"{prefix}page", **keys, section_id=s) for s in SECTIONS]
        submit, autosave = url_for(f"{prefix}submit", **keys), url_for(f"{prefix}autosave", **keys)
    page = Page(visitor.get(expected[2]))
    links = [a.etree_element.get("href") for a in page.all(".sections a")]
    assert links == [*expected, submit]
    assert page.one("#qform").etree_element.get("data-autosave") == autosave
    assert all(visitor.get(link).status_code == 200 for link in links)


def test_save_and_continue_without_javascript(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    q = questionnaire(app)
    url = f"/r/{token}/s/context"

    response = post_section(respondent, url, q, "context", CONTEXT)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{token}/s/strategy"
    assert stored(app, setup.respondent_id) == CONTEXT
    assert history(app, setup.respondent_id, "has_ciso") == [
        ("yes", 1, "Carla CIO (personal link)")
    ]
    page = Page(respondent.get(response.headers["Location"]))
    assert page.one("h1").etree_element.text == "Strategy and business alignment"
    percents = dict(zip(SECTIONS, page.texts(".sections .pct"), strict=True))
    assert percents["context"] == "100%" and percents["strategy"] == "0%"
    assert page.one("#overall").etree_element.get("value") == page.texts("#overall-pct")[0]

    # the saved answers are shown when the page is opened again
    again = Page(respondent.get(url))
    assert again.value("#employees") == "420"
    assert again.value("input[name=has_ciso][checked]") == "yes"
    assert [
        e.etree_element.get("value") for e in again.all("input[name=regulated_data][checked]")
    ] == [
        "eu_personal",
        "health",
    ]
    assert page_versions(again)["has_ciso"] == "1"


@pytest.mark.parametrize(
    ("go", "where"), [("stay", "context"), ("next", "strategy"), ("previous", None)]
)
def test_the_page_buttons_go_where_they_say(
    app: Flask, respondent: FlaskClient, token: str, go: str, where: str | None
) -> None:
    q = questionnaire(app)
    response = post_section(respondent, f"/r/{token}/s/context", q, "context", CONTEXT, go=go)
    # "Previous" on the first page has nowhere to go back to: it moves on
    assert response.headers["Location"] == f"/r/{token}/s/{where or 'strategy'}"


def test_the_last_section_leads_to_review_and_submit(
    app: Flask, respondent: FlaskClient, token: str
) -> None:
    q = questionnaire(app)
    page = Page(respondent.get(f"/r/{token}/s/governance"))
    assert page.texts(".nav-buttons button") == ["Previous", "Save", "Save and review"]
    response = post_section(respondent, f"/r/{token}/s/governance", q, "governance", {}, "review")
    assert response.headers["Location"] == f"/r/{token}/submit"
    response = post_section(respondent, f"/r/{token}/s/governance", q, "governance", {}, "previous")
    assert response.headers["Location"] == f"/r/{token}/s/third_parties"


def test_resume_where_you_left_off(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    q = questionnaire(app)
    post_section(respondent, f"/r/{token}/s/context", q, "context", CONTEXT)
    response = post_section(
        respondent, f"/r/{token}/s/strategy", q, "strategy", {"str_strategy_owner": "CIO"}
    )
    respondent.get(response.headers["Location"])  # the browser follows "Save and continue"

    later = app.test_client()  # the next day, another browser
    response = later.get(f"/r/{token}")
    assert response.headers["Location"] == f"/r/{token}/s/infrastructure"

    respondent.get(f"/r/{token}/s/security")  # only looked at a page: nothing saved there
    assert later.get(f"/r/{token}").headers["Location"] == f"/r/{token}/s/infrastructure"
    assert _autosave(respondent, f"/r/{token}", "sec_program_owner", "CISO").status_code == 200
    assert later.get(f"/r/{token}").headers["Location"] == f"/r/{token}/s/security"
    # "Previous" and "Save" lead back and stay; resuming follows the button.
    post_section(respondent, f"/r/{token}/s/security", q, "security", {}, "previous")
    assert later.get(f"/r/{token}").headers["Location"] == f"/r/{token}/s/infrastructure"


def test_a_bad_value_is_shown_beside_its_field_and_nothing_of_the_page_is_stored(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    q = questionnaire(app)
    url = f"/r/{token}/s/context"
    bad = {**CONTEXT, "employees": "lots", "sector": "atlantis"}

    page = Page(respondent.post(url, data={**section_form(q, "context", bad), "go": "next"}))

    assert page.response.status_code == 422
    assert page.accessibility_problems() == []
    assert page.errors_beside("employees") == ["'lots' is not a number"]
    assert page.errors_beside("sector-0") == [
        "'atlantis' is not one of finance, healthcare, public, retail, manufacturing, "
        "technology, professional_services, education, other"
    ]
    assert page.errors_beside("has_cio-0") == []
    assert page.value("input[name=has_cio][checked]") == "yes"  # what was chosen is kept
    assert page.value("#employees") == "lots"
    assert stored(app, setup.respondent_id) == {}

    bad = {**CONTEXT, "employees": "0"}
    page = Page(respondent.post(url, data={**section_form(q, "context", bad), "go": "next"}))
    assert page.response.status_code == 422
    assert page.errors_beside("employees") == ["0 is less than the minimum, 1"]
    assert stored(app, setup.respondent_id) == {}


@pytest.mark.parametrize("version", ["\u00b2", "\u0661", "x", ""])
def test_a_page_with_a_mangled_version_is_a_conflict_not_an_overwrite(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str, version: str
) -> None:
    url = f"/r/{token}/s/context"
    assert _autosave(respondent, f"/r/{token}", "employees", 420).status_code == 200

    response = respondent.post(url, data={"employees": "12", "v_employees": version, "go": "stay"})

    assert response.status_code == 409
    assert stored(app, setup.respondent_id)["employees"] == 420


def test_hidden_questions_are_not_required_and_their_answers_are_ignored(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    q = questionnaire(app)
    no_ciso = {**CONTEXT, "has_ciso": "no", "ciso_reports_to": "cio", "dual_role": "yes"}

    response = post_section(respondent, f"/r/{token}/s/context", q, "context", no_ciso)

    assert response.status_code == 302
    answers = stored(app, setup.respondent_id)
    assert answers["has_ciso"] == "no"
    assert "ciso_reports_to" not in answers and "dual_role" not in answers
    page = Page(respondent.get(f"/r/{token}/s/context"))
    hidden = [f.etree_element.get("data-qid") for f in page.all("fieldset.question[hidden]")]
    assert hidden == [
        "card_service_provider",
        "dual_role",
        "ciso_reports_to",
        "ciso_reports_to_other",
    ]
    # a question shown only without a CISO appears in its section
    security = Page(respondent.get(f"/r/{token}/s/security"))
    assert not security.all("fieldset#q-sec_duties_without_ciso[hidden]")

    response = _autosave(respondent, f"/r/{token}", "ciso_reports_to", "cio")
    assert response.status_code == 422
    assert response.json["error"] == "This question is not shown for the answers given so far."

    missing = Page(respondent.get(f"/r/{token}/submit")).texts("ul.missing li")
    assert not any(q.questions["ciso_reports_to"].text in m for m in missing)
    assert not any(q.questions["dual_role"].text in m for m in missing)
    # the question shown without a CISO is required in its place
    duties = q.questions["sec_duties_without_ciso"].text
    assert f"The security program: {duties}" in missing


def test_an_answer_hidden_by_a_later_change_does_not_count(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    q = questionnaire(app)
    everything = complete_answers(q)
    save_answers(app, setup.respondent_id, everything)
    count_so_far(app, setup.respondent_id)
    title = "The CISO reports to the CIO and has no independent route to the CEO or board"
    findings = Page(client.get(f"{setup.detail}/results")).texts("article.finding h3")
    assert any(title in f for f in findings)

    answer_url = setup.answer_url()
    response = _autosave(client, answer_url, "has_ciso", "no", version=1)
    assert response.status_code == 200
    assert "ciso_reports_to" not in response.json["shown"]
    assert stored(app, setup.respondent_id)["ciso_reports_to"] == "cio"  # kept, but hidden

    findings = Page(client.get(f"{setup.detail}/results")).texts("article.finding h3")
    assert not any(title in f for f in findings)
    assert "To whom does the CISO report?" not in Page(client.get(f"{answer_url}/submit")).text


def test_autosave_stores_one_answer_and_reports_progress(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    response = _autosave(respondent, f"/r/{token}", "has_ciso", "yes")

    assert response.status_code == 200
    body = response.json
    assert (body["saved"], body["question"], body["version"]) == (True, "has_ciso", 1)
    assert body["sections"]["context"] > 0 and body["overall"] > 0
    assert "ciso_reports_to" in body["shown"]  # its show_if is now met
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*", body["saved_at"])

    response = _autosave(respondent, f"/r/{token}", "has_ciso", "no", version=1)
    assert response.json["version"] == 2
    assert "ciso_reports_to" not in response.json["shown"]
    response = _autosave(respondent, f"/r/{token}", "has_ciso", None, version=2)
    assert response.status_code == 200
    assert stored(app, setup.respondent_id) == {"has_ciso": None}
    # one author's changes in a row are one history row, the latest (see test_answers_limits)
    assert history(app, setup.respondent_id, "has_ciso") == [(None, 3, "Carla CIO (personal link)")]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("not json", 400, "Send a JSON object: {question, value, comment, version}."),
        ({"question": "nope", "value": 1}, 422, "Unknown question 'nope'."),
        ({"question": "employees", "value": "many", "version": 0}, 422, "'many' is not a number"),
        (
            {"question": "employees", "value": 5, "version": True},
            422,
            "version must be a whole number.",
        ),
        (
            {"question": "employees", "value": 5, "comment": 3, "version": 0},
            422,
            "comment must be text.",
        ),
        ({"question": "employees", "value": 5}, 422, MISSING_VERSION),
        ({"question": "employees", "value": 5, "version": None}, 422, MISSING_VERSION),
    ],
)
def test_autosave_refuses_bad_requests_with_a_message(
    app: Flask,
    respondent: FlaskClient,
    setup: Stage,
    token: str,
    body: Any,
    status: int,
    message: str,
) -> None:
    if isinstance(body, str):
        response = respondent.post(f"/r/{token}/autosave", data=body)
    else:
        response = respondent.post(f"/r/{token}/autosave", json=body)
    assert response.status_code == status
    assert response.json["error"] == message
    assert stored(app, setup.respondent_id) == {}


@pytest.mark.parametrize("version", ["missing", None])
def test_an_autosave_without_a_version_overwrites_nothing(
    app: Flask, client: FlaskClient, respondent: FlaskClient, setup: Stage, token: str, version: Any
) -> None:
    """Every save names the version it read, as the page form does: a save that names none
    (missing or null) is refused, beside the field it lacks, and the stored answer stays."""
    assert _autosave(respondent, f"/r/{token}", "has_ciso", "yes", 0).status_code == 200
    body = {"question": "has_ciso", "value": "no"}
    if version != "missing":
        body["version"] = version
    response = client.post(f"{setup.answer_url()}/autosave", json=body)
    assert response.status_code == 422
    assert response.json == {"error": MISSING_VERSION, "field": "version"}
    assert stored(app, setup.respondent_id) == {"has_ciso": "yes"}
    assert len(history(app, setup.respondent_id, "has_ciso")) == 1


def test_saving_what_is_stored_again_keeps_the_answer_as_it_was(
    app: Flask, client: FlaskClient, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    """The same value again (an autosave crossing "Save and continue", or a stale page
    sending what is already there) is no change: no conflict, no write, and the reply
    names the stored answer's version and time."""
    first = _autosave(respondent, f"/r/{token}", "has_ciso", "yes", 0)
    assert first.status_code == 200 and first.json["version"] == 1
    with _statements(app) as seen:
        again = _autosave(client, setup.answer_url(), "has_ciso", "yes", 0)  # read before it
    assert again.status_code == 200
    assert (again.json["version"], again.json["saved_at"]) == (1, first.json["saved_at"])
    assert _writes(seen) == []
    assert history(app, setup.respondent_id, "has_ciso") == [
        ("yes", 1, "Carla CIO (personal link)")
    ]


def test_two_people_editing_the_same_answer_the_later_save_gets_409(
    app: Flask, client: FlaskClient, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    consultant_url = setup.answer_url()
    # both open the page: no answer yet, version 0
    assert page_versions(Page(client.get(f"{consultant_url}/s/context")))["has_ciso"] == "0"
    assert page_versions(Page(respondent.get(f"/r/{token}/s/context")))["has_ciso"] == "0"

    assert _autosave(respondent, f"/r/{token}", "has_ciso", "yes", 0).status_code == 200
    response = _autosave(client, consultant_url, "has_ciso", "no", 0)

    assert response.status_code == 409
    assert re.fullmatch(
        r"Changed by Carla CIO \(personal link\) at \d{4}-\d\d-\d\d \d\d:\d\d UTC — reload to see it\.",
        response.json["error"],
    )
    assert response.json["current"] == {"value": "yes", "comment": None, "version": 1}
    assert stored(app, setup.respondent_id) == {"has_ciso": "yes"}

    # the same through the page without JavaScript: nothing of the page is stored
    stale = section_form(questionnaire(app), "context", {**CONTEXT, "has_ciso": "no"})
    page = Page(client.post(f"{consultant_url}/s/context", data={**stale, "go": "next"}))
    assert page.response.status_code == 409
    assert page.errors_beside("has_ciso-0")[0].startswith(
        "Changed by Carla CIO (personal link) at "
    )
    assert stored(app, setup.respondent_id) == {"has_ciso": "yes"}
    assert history(app, setup.respondent_id, "has_ciso") == [
        ("yes", 1, "Carla CIO (personal link)")
    ]

    # after reloading, the consultant's change goes through, and both are in the history
    response = _autosave(client, consultant_url, "has_ciso", "no", 1)
    assert response.status_code == 200
    assert history(app, setup.respondent_id, "has_ciso") == [
        ("yes", 1, "Carla CIO (personal link)"),
        ("no", 2, "Olive Owner (consultant)"),
    ]


def test_a_page_saved_just_after_its_own_autosave_is_not_a_conflict(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    """Typing a number and clicking "Save and continue" at once: the blur autosaves the
    number while the page posts it with the version it was loaded with (0)."""
    q = questionnaire(app)
    url = f"/r/{token}/s/context"
    loaded = page_versions(Page(respondent.get(url)))
    assert _autosave(respondent, f"/r/{token}", "employees", 420, 0).status_code == 200

    data = section_form(q, "context", CONTEXT, loaded)
    response = respondent.post(url, data={**data, "go": "next"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{token}/s/strategy"
    assert stored(app, setup.respondent_id) == CONTEXT
    assert history(app, setup.respondent_id, "employees") == [(420, 1, "Carla CIO (personal link)")]
    # the same stale page with a different number is a conflict, and stores nothing
    respondent.post(
        f"/r/{token}/autosave", json={"question": "sector", "value": None, "version": 1}
    )
    stale = section_form(q, "context", {**CONTEXT, "employees": 421}, loaded)
    assert respondent.post(url, data={**stale, "go": "next"}).status_code == 409
    assert stored(app, setup.respondent_id)["employees"] == 420
    assert stored(app, setup.respondent_id)["sector"] is None


def test_the_history_says_who_changed_each_answer_and_when(
    app: Flask, client: FlaskClient, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    q = questionnaire(app)
    post_section(respondent, f"/r/{token}/s/context", q, "context", CONTEXT)
    post_section(
        client, f"{setup.answer_url()}/s/context", q, "context", {**CONTEXT, "employees": 500}
    )
    client.post(
        f"{setup.answer_url()}/autosave",
        json={"question": "employees", "value": 500, "comment": "HR figure", "version": 2},
    )

    with in_app(app):
        rows = db.session.scalars(
            select(AnswerHistory)
            .where(AnswerHistory.question_id == "employees")
            .order_by(AnswerHistory.id)
        ).all()
        changes = [(h.value, h.comment, h.version, h.changed_by) for h in rows]
        assert all(h.changed_at is not None for h in rows)
        assert rows[0].changed_at <= rows[1].changed_at
    # the consultant's page save and autosave, moments apart, are one row: the latest
    assert changes == [
        (420, None, 1, "Carla CIO (personal link)"),
        (500, "HR figure", 3, "Olive Owner (consultant)"),
    ]
    # saving a page again without changes adds nothing
    post_section(
        client, f"{setup.answer_url()}/s/context", q, "context", {**CONTEXT, "employees": 500}
    )
    assert len(history(app, setup.respondent_id, "has_cio")) == 1


def test_submit_flags_required_questions_then_locks(
    app: Flask, client: FlaskClient, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    q = questionnaire(app)
    post_section(respondent, f"/r/{token}/s/context", q, "context", CONTEXT)

    page = Page(respondent.get(f"/r/{token}/submit"))
    missing = page.all("ul.missing li a")
    assert len(missing) > 50
    first = missing[0].etree_element
    assert first.get("href") == f"/r/{token}/s/strategy#q-str_strategy_owner"
    page = Page(respondent.post(f"/r/{token}/submit"))
    assert page.response.status_code == 422
    assert page.texts(".flash.error") == [
        f"{len(missing)} required question(s) still need an answer."
    ]
    with in_app(app):
        r = db.session.get(Respondent, setup.respondent_id)
        assert r is not None and r.submitted_at is None

    save_answers(app, setup.respondent_id, complete_answers(q), actor="Carla CIO")
    page = Page(respondent.get(f"/r/{token}/submit"))
    assert page.all("ul.missing") == []
    page = Page(respondent.post(f"/r/{token}/submit"))
    assert page.response.status_code == 200
    assert page.one("h1").etree_element.text == "Thank you, Carla CIO"
    with in_app(app):
        r = db.session.get(Respondent, setup.respondent_id)
        assert r is not None and r.submitted_at is not None

    # locked: autosave is refused with a message, the page shows the thank-you note
    response = _autosave(respondent, f"/r/{token}", "employees", 9, version=1)
    assert response.status_code == 423
    assert (
        response.json["error"] == "These answers were submitted; ask the consultant to reopen them."
    )
    response = respondent.post(
        f"/r/{token}/s/context", data={**section_form(q, "context", {"employees": 9}), "go": "next"}
    )
    assert "Thank you, Carla CIO" in Page(response).text
    assert _autosave(client, setup.answer_url(), "employees", 9, version=1).status_code == 423
    assert stored(app, setup.respondent_id)["employees"] == 420

    # the consultant reopens; the respondent can change answers again
    detail = Page(client.get(setup.detail))
    assert "Reopen answers" in detail.texts(".row-actions button")
    response = client.post(f"{setup.detail}/respondents/{setup.respondent_id}/reopen")
    assert response.status_code == 302
    assert "Carla CIO's answers are open for changes again." in Page(
        client.get(setup.detail)
    ).texts(".flash")
    assert _autosave(respondent, f"/r/{token}", "employees", 9, version=1).status_code == 200
    assert stored(app, setup.respondent_id)["employees"] == 9


def test_the_consultant_answers_for_a_respondent(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    q = questionnaire(app)
    url = setup.answer_url()
    assert client.get(url).headers["Location"] == f"{url}/s/context"

    response = post_section(client, f"{url}/s/context", q, "context", CONTEXT)

    assert response.headers["Location"] == f"{url}/s/strategy"
    assert history(app, setup.respondent_id, "employees") == [(420, 1, "Olive Owner (consultant)")]
    page = Page(client.get(f"{url}/s/strategy"))
    assert page.texts(".who")[0].startswith("Carla CIO · CIO")
    assert page.accessibility_problems() == []
    assert client.get(f"{url}/s/no-such-section").status_code == 404


def test_a_consultant_looking_or_answering_does_not_move_the_respondents_resume_point(
    app: Flask, client: FlaskClient, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    # Where Carla got to: her last answer was in the security section.
    assert _autosave(respondent, f"/r/{token}", "sec_program_owner", "CISO").status_code == 200
    assert client.get(f"{setup.answer_url()}/s/governance").status_code == 200
    saved = _autosave(client, setup.answer_url(), "gov_raci_maturity", 2)
    assert saved.status_code == 200  # the consultant answering for her, elsewhere

    assert respondent.get(f"/r/{token}").headers["Location"] == f"/r/{token}/s/security"
    with in_app(app):
        assert db.session.get(Respondent, setup.respondent_id).last_section == "security"


_QUESTIONNAIRE, _ = load_paths([str(PROJECT_ROOT / "questionnaires")])
QUESTION_IDS = sorted(_QUESTIONNAIRE.get("cio-ciso-governance").questions)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["yes", "no", "CIO", "2", "eu_personal", "none", "cio", "other"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=2)
    ),
    max_leaves=6,
)


@st.composite
def _answer(draw: st.DrawFn) -> tuple[str, Any]:
    """A question and a value for it: one it accepts, a near miss, or any JSON at all."""
    question = _QUESTIONNAIRE.get("cio-ciso-governance").questions[
        draw(st.sampled_from(QUESTION_IDS))
    ]
    options = [o.value for o in question.all_options]
    fitting = {
        "multi": st.lists(st.sampled_from(options or [""]), max_size=3),
        "number": st.integers(-5, 20_000_000) | st.floats(allow_nan=True, allow_infinity=True),
        "text": st.text(max_size=300),
    }.get(question.kind, st.sampled_from(options or [""]))
    return question.id, draw(fitting | fitting.map(str) | JSON)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    answer=_answer(),
    comment=st.none() | st.text(max_size=40),
    version=st.none() | st.integers(min_value=-1, max_value=3),
)
def test_autosave_answers_any_json_with_a_clear_status(
    app: Flask,
    respondent: FlaskClient,
    setup: Stage,
    token: str,
    answer: tuple[str, Any],
    comment: str | None,
    version: int | None,
) -> None:
    """Whatever a script posts, the reply is a stored answer or a message; never a 500."""
    question, value = answer
    before = stored(app, setup.respondent_id)
    body = {"question": question, "value": value, "comment": comment, "version": version}

    response = respondent.post(f"/r/{token}/autosave", json=body)

    assert response.status_code in (200, 409, 422), response.get_data(as_text=True)
    event(f"status {response.status_code}")
    after = stored(app, setup.respondent_id)
    assert version is not None or response.status_code == 422
    if response.status_code == 200:
        q = _QUESTIONNAIRE.get("cio-ciso-governance").questions[question]
        expected = None if value in (None, "", []) else coerce_answer(q, form_value(q, value))
        assert after.get(question, None) == expected
        assert response.json["version"] >= 0
    else:
        assert response.json["error"]
        assert after == before  # a refused save changes nothing


_CONTEXT_SECTION = _QUESTIONNAIRE.get("cio-ciso-governance").sections[0]
_FORM_TEXT = st.text(max_size=12) | st.sampled_from(["yes", "no", "cio", "other", "420", "0"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.fixed_dictionaries(
        {}, optional={q.id: _FORM_TEXT for q in _CONTEXT_SECTION.questions}
    )
)
def test_a_section_form_stores_all_of_the_page_or_none_of_it(
    app: Flask, respondent: FlaskClient, token: str, setup: Stage, fields: dict[str, str]
) -> None:
    """Any text in any field of the page: saved whole (302) or refused whole (422)."""
    url = f"/r/{token}/s/context"
    versions = page_versions(Page(respondent.get(url)))
    before = stored(app, setup.respondent_id)
    data = {**{f"v_{q}": v for q, v in versions.items()}, **fields, "go": "stay"}

    response = respondent.post(url, data=data)

    assert response.status_code in (302, 422), response.status_code
    event(f"status {response.status_code}")
    after = stored(app, setup.respondent_id)
    if response.status_code == 422:
        assert after == before
        assert Page(response).all("fieldset.question .error")
    else:
        questions = _QUESTIONNAIRE.get("cio-ciso-governance").questions
        for qid, text in fields.items():
            if qid in after and after[qid] is not None:
                assert after[qid] == coerce_answer(questions[qid], form_value(questions[qid], text))


# --- what a page view and an autosave cost the database ---------------------------------------


@contextmanager
def _sent(app: Flask, what: Callable[[Any, str], Any]) -> Iterator[list[Any]]:
    """``what(connection, statement)`` of each SQL statement sent while the block runs
    (every connection of the app's engine)."""
    seen: list[Any] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(what(conn, statement))

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", note)


def _statements(app: Flask) -> Any:
    """The SQL statements sent while the block runs."""
    return _sent(app, lambda conn, statement: " ".join(statement.split()))


def _isolation_levels(app: Flask) -> Any:
    """The isolation level of the connection each statement of the block was sent on."""
    return _sent(app, lambda conn, statement: conn.get_execution_options().get("isolation_level"))


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def test_a_page_view_writes_nothing_and_reads_in_one_query(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    """Looking is reads only: no write transaction, whichever section is opened, and one
    query finds the link's respondent with their answers."""
    respondent.get(f"/r/{token}/s/strategy")
    assert _autosave(respondent, f"/r/{token}", "str_strategy_maturity", 2).status_code == 200
    for section in ("strategy", "security", "governance"):
        with _statements(app) as seen:
            assert respondent.get(f"/r/{token}/s/{section}").status_code == 200
        assert [s for s in seen if s.startswith("SELECT")] == [
            next(s for s in seen if "FROM respondent JOIN assessment" in s)
        ]
        assert _writes(seen) == []
        assert not any("IMMEDIATE" in s or "FOR UPDATE" in s for s in seen)
    with in_app(app):
        assert db.session.get(Respondent, setup.respondent_id).last_section == "strategy"


def test_a_page_view_by_link_needs_no_transaction_on_postgresql(
    app: Flask, respondent: FlaskClient, token: str
) -> None:
    """PostgreSQL: the reads of a page view run without BEGIN and ROLLBACK round trips;
    SQLite keeps its read transaction (it costs no round trip)."""
    with _isolation_levels(app) as seen:
        assert respondent.get(f"/r/{token}/s/strategy").status_code == 200
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert seen and set(seen) == ({"AUTOCOMMIT"} if postgresql else {None})
    with _isolation_levels(app) as seen:
        assert _autosave(respondent, f"/r/{token}", "str_strategy_maturity", 2).status_code == 200
    assert "AUTOCOMMIT" not in seen  # a save is one transaction


def test_a_write_after_reading_without_a_transaction_is_one_transaction(
    app: Flask, setup: Stage, token: str
) -> None:
    """begin_write after read_only starts a real transaction: rolled back, nothing stays."""
    with app.test_request_context(), in_app(app):
        assert respondents.by_token(token, reading=True) is not None
        begin_write()
        db.session.connection().execute(
            insert(Answer.__table__).values(
                respondent_id=setup.respondent_id,
                question_id="str_strategy_maturity",
                value=3,
                version=1,
                updated_at=datetime.now(UTC),
                updated_by="test",
            )
        )
        db.session.rollback()
    assert "str_strategy_maturity" not in stored(app, setup.respondent_id)


def test_an_autosave_reads_once_and_swaps_the_version_it_read(
    app: Flask, respondent: FlaskClient, setup: Stage, token: str
) -> None:
    url = f"/r/{token}"
    assert _autosave(respondent, url, "str_strategy_maturity", 2).status_code == 200
    with _statements(app) as seen:
        response = _autosave(respondent, url, "str_strategy_maturity", 3, version=1)
    assert response.status_code == 200 and response.json["version"] == 2
    # One write transaction from the first statement (SQLite: BEGIN IMMEDIATE, no read
    # transaction before it): the link's lookup, then (PostgreSQL: the respondent's row
    # lock, then) the one read the save decides on, and the answer's latest history row.
    assert [s for s in seen if s.startswith("BEGIN")] in ([], ["BEGIN IMMEDIATE"])
    assert seen[0] == "BEGIN IMMEDIATE" or not seen[0].startswith("BEGIN")
    reads = [s for s in seen if s.startswith("SELECT") and "FOR UPDATE" not in s]
    assert len(reads) == 3 and "WHERE respondent.token_hash = " in reads[0]
    assert "FROM respondent JOIN assessment" in reads[1] and "answer.comment" in reads[1]
    assert "FROM answer_history" in reads[2]
    swap = [s for s in _writes(seen) if s.startswith("UPDATE answer ")]
    assert len(swap) == 1 and "answer.version = " in swap[0]
    # the answer and its history row, the same author's moments ago, brought up to date
    # (the section is unchanged)
    assert [s.split(" SET")[0] for s in _writes(seen)] == ["UPDATE answer", "UPDATE answer_history"]
    assert [v for v, _, _ in history(app, setup.respondent_id, "str_strategy_maturity")] == [3]


def test_the_page_shows_the_answers_as_they_change(
    app: Flask, respondent: FlaskClient, client: FlaskClient, setup: Stage, token: str
) -> None:
    """The section's markup is built once per questionnaire version; every view still shows
    the respondent's current answers, comments and versions, whoever changed them."""
    url = f"/r/{token}"

    def shown() -> tuple[Any, ...]:
        page = Page(respondent.get(f"{url}/s/strategy"))
        return (
            [
                e.etree_element.get("value")
                for e in page.all("input[name=str_strategy_owner][checked]")
            ],
            page.value("#v_str_strategy_owner"),
            page.texts("#c_str_strategy_owner"),
            page.all("#q-str_strategy_owner details[open]") != [],
        )

    assert shown() == ([], "0", [""], False)
    assert _autosave(respondent, url, "str_strategy_owner", "CIO").status_code == 200
    assert shown() == (["CIO"], "1", [""], False)
    response = client.post(
        f"{setup.answer_url()}/autosave",
        json={
            "question": "str_strategy_owner",
            "value": "CISO",
            "comment": "<b>ours</b>",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert shown() == (["CISO"], "2", ["<b>ours</b>"], True)
    # an autosave names the comment too: none given clears it along with the value
    assert _autosave(respondent, url, "str_strategy_owner", None, version=2).status_code == 200
    assert shown() == ([], "3", [""], False)
