"""Who the results count (issue 19, item 3): only submitted respondents, unless the
consultant includes one still answering, who is then marked as such on the results page,
in the report and in the exports; renaming and removing a respondent; the limit on
respondents per assessment (item 5)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import AnswerHistory, Assessment, AuditEvent, Respondent
from tests.web_support import (
    Page,
    Stage,
    assessment_status,
    complete_answers,
    csv_answers,
    in_app,
    issue_link,
    questionnaire,
    save_and_submit,
    save_answers,
    stage,
    stored,
)

PEOPLE = (("Carla CIO", "CIO"), ("Sam Secure", "CISO"))


@pytest.fixture
def setup(app: Flask, client: FlaskClient) -> Stage:
    """Carla (CIO) has submitted every answer; Sam (CISO) answered a few, very differently,
    and has not submitted."""
    setup = stage(app, client, people=PEOPLE)
    q = questionnaire(app)
    cio, ciso = setup.respondent_ids
    save_and_submit(app, cio, complete_answers(q))
    save_answers(
        app, ciso, {"str_strategy_maturity": 0, "sec_program_maturity": 0, "gov_roles_maturity": 0}
    )
    return setup


def _results(client: FlaskClient, setup: Stage) -> Page:
    page = Page(client.get(f"{setup.detail}/results"))
    assert page.response.status_code == 200
    return page


def _cover(client: FlaskClient, setup: Stage) -> Page:
    page = Page(client.get(f"{setup.detail}/report"))
    assert page.response.status_code == 200
    return page


def _facts(page: Page) -> dict[str, str]:
    """The report cover's facts, by name."""
    names = page.texts("#cover .fact-name")
    return dict(zip(names, page.texts("#cover .fact"), strict=True))


def _csv(client: FlaskClient, setup: Stage) -> list[dict[str, str]]:
    response = client.get(f"{setup.detail}/export.csv")
    assert response.status_code == 200
    return csv_answers(response.get_data(as_text=True))


def _json(client: FlaskClient, setup: Stage) -> dict[str, Any]:
    response = client.get(f"{setup.detail}/export.json")
    assert response.status_code == 200
    return json.loads(response.data)


def _sheet(client: FlaskClient, setup: Stage, name: str) -> list[tuple[Any, ...]]:
    """The rows of one sheet of the Excel export, trailing empty cells left out."""
    response = client.get(f"{setup.detail}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))[name]
    return [tuple(c for c in row if c is not None) for row in sheet.iter_rows(values_only=True)]


def _audit(app: Flask) -> list[str]:
    """The audit log's actions on respondents, oldest first."""
    with in_app(app):
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
        return [a for a in actions if a.startswith("respondent-")]


def test_only_submitted_respondents_count(app: Flask, client: FlaskClient, setup: Stage) -> None:
    other = app.test_client()
    alone = stage(app, other, email="alone@example.com", people=PEOPLE[:1])
    save_and_submit(app, alone.respondent_id, complete_answers(questionnaire(app)))
    carla_alone = _results(other, alone)

    page = _results(client, setup)

    # Sam's partial answers change nothing: the same scores as Carla's alone, complete.
    assert page.texts(".overall .big") == carla_alone.texts(".overall .big")
    assert page.texts(".scores tbody td") == carla_alone.texts(".scores tbody td")
    assert "100% of required questions answered by 1 respondent" in page.text
    assert page.texts(".people-state.counted") == ["Counted: Carla CIO (CIO)"]
    assert page.texts(".people-state.waiting") == [
        "Still answering, not counted: Sam Secure (CISO)"
    ]
    assert page.all("table.gaps") == [] and page.all("figure.heatmap") == []
    assert "nothing to compare yet" in page.text  # nobody to compare with yet

    cover = _facts(_cover(client, setup))
    assert cover["Respondents"] == "Carla CIO (CIO)"
    assert cover["Still answering, not counted"] == "Sam Secure (CISO)"

    assert {row["respondent"] for row in _csv(client, setup)} == {"Carla CIO"}
    document = _json(client, setup)
    assert document["assessment"]["respondents"] == [
        {"name": "Carla CIO", "role": "CIO", "status": "submitted"}
    ]
    assert document["assessment"]["not_counted"] == [
        {"name": "Sam Secure", "role": "CISO", "status": "in progress (not counted)"}
    ]
    assert document["result"]["completeness"] == 100
    scores = _sheet(client, setup, "Scores")
    apart = scores.index(("still answering, not counted", "role", "status"))
    assert scores[apart + 1] == ("Sam Secure", "CISO", "in progress (not counted)")
    assert scores[apart - 2][:3] == ("Carla CIO", "CIO", 100)  # the counted, above


def test_the_pdf_cover_names_only_who_counts(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=PEOPLE)
    save_and_submit(app, setup.respondent_ids[0], complete_answers(questionnaire(app)))
    pdf = client.get(f"{setup.detail}/report.pdf")
    assert pdf.status_code == 200
    cover = " ".join((PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text() or "").split())
    assert (
        "Respondents Carla CIO (CIO) Still answering, not counted Sam Secure (CISO) Overall score"
        in cover
    )


def test_a_respondent_in_progress_counts_once_included_and_is_marked_everywhere(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    cio, ciso = setup.respondent_ids
    before = _results(client, setup).texts(".overall .big")
    detail = Page(client.get(setup.detail))
    assert "not counted until they submit" in detail.texts("td.counted")

    response = client.post(f"{setup.detail}/respondents/{ciso}/include", data={"counted": "yes"})
    assert response.status_code == 302

    page = _results(client, setup)
    assert page.texts(".people-state.counted") == [
        "Counted: Carla CIO (CIO); Sam Secure (CISO, in progress: included before submitting)"
    ]
    assert page.all(".people-state.waiting") == []
    assert page.texts(".overall .big") != before  # Sam's zeros now weigh in
    assert page.texts("#perception-h") == ["Where respondents disagree"]
    assert "counted, marked in progress" in Page(client.get(setup.detail)).texts("td.counted")

    cover = _facts(_cover(client, setup))
    assert cover["Respondents"] == (
        "Carla CIO (CIO); Sam Secure (CISO, in progress: included before submitting)"
    )
    assert "Still answering, not counted" not in cover
    statuses = {(r["respondent"], r["respondent_status"]) for r in _csv(client, setup)}
    assert statuses == {("Carla CIO", "submitted"), ("Sam Secure", "in progress (included)")}
    assert _json(client, setup)["assessment"]["respondents"][1] == {
        "name": "Sam Secure",
        "role": "CISO",
        "status": "in progress (included)",
    }

    # Left out again: back to Carla alone.
    client.post(f"{setup.detail}/respondents/{ciso}/include", data={"counted": "no"})
    assert _results(client, setup).texts(".overall .big") == before
    assert _audit(app)[-2:] == ["respondent-included", "respondent-left-out"]
    # Only the two values the buttons send.
    bad = client.post(f"{setup.detail}/respondents/{ciso}/include", data={"counted": "maybe"})
    assert bad.status_code == 400


def test_renaming_a_respondent(app: Flask, client: FlaskClient, setup: Stage) -> None:
    cio = setup.respondent_ids[0]
    url = f"{setup.detail}/respondents/{cio}/rename"
    form = Page(client.get(url))
    assert form.value("#name") == "Carla CIO"
    assert form.accessibility_problems() == []

    empty = Page(client.post(url, data={"name": "   "}))
    assert empty.response.status_code == 422
    assert empty.errors_beside("name") == ["This field is required."]

    response = client.post(url, data={"name": "Carla Chief"})
    assert response.status_code == 302
    assert "Carla Chief" in Page(client.get(setup.detail)).texts("table.people td")[0]
    assert _results(client, setup).texts(".people-state.counted") == ["Counted: Carla Chief (CIO)"]
    assert _facts(_cover(client, setup))["Respondents"] == "Carla Chief (CIO)"
    with in_app(app):
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "respondent-renamed")
        ).one()
        assert event.detail == {"before": "Carla CIO", "after": "Carla Chief"}


def test_removing_a_respondent_keeps_their_answers_in_the_history(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    cio, ciso = setup.respondent_ids
    token = issue_link(app, ciso)
    url = f"{setup.detail}/respondents/{ciso}/remove"
    confirm = Page(client.get(url))
    assert confirm.response.status_code == 200
    assert "Their answers are not deleted" in confirm.text
    assert confirm.accessibility_problems() == []

    unticked = Page(client.post(url, data={}))
    assert unticked.response.status_code == 422
    assert unticked.errors_beside("confirm") == ["Tick the box to confirm."]
    assert client.get(f"/r/{token}").status_code == 302  # nothing happened

    response = client.post(url, data={"confirm": "y"})
    assert response.status_code == 302

    detail = Page(client.get(setup.detail))
    assert [t.split(" ")[0] for t in detail.texts("table.people tbody td:first-child")] == ["Carla"]
    assert "Sam Secure" not in _results(client, setup).text
    assert "Sam Secure" not in _cover(client, setup).html
    assert "Sam Secure" not in client.get(f"{setup.detail}/export.json").get_data(as_text=True)
    assert client.get(f"/r/{token}").status_code == 404  # the link stops working
    assert client.get(setup.answer_url(ciso)).status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(f"{setup.detail}/respondents/{ciso}/rename").status_code == 404
    # Kept, out of the results: the answers and their history.
    assert stored(app, ciso)["sec_program_maturity"] == 0
    with in_app(app):
        kept = db.session.scalars(
            select(AnswerHistory.question_id).where(AnswerHistory.respondent_id == ciso)
        ).all()
        assert "sec_program_maturity" in kept
        removed = db.session.get(Respondent, ciso)
        assert removed is not None and removed.removed_at is not None
    assert _audit(app)[-1] == "respondent-removed"
    # Everyone left has submitted: so has the assessment.
    assert "submitted" in detail.texts(".page-head .status")


def test_respondents_per_assessment_are_limited(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_RESPONDENTS"] = 2
    setup = stage(app, client, people=PEOPLE)
    url = f"{setup.detail}/respondents"

    refused = Page(client.post(url, data={"name": "Third Person", "role": "CEO", "email": ""}))

    assert refused.response.status_code == 422
    assert refused.errors_beside("name") == [
        "An assessment has at most 2 respondents; remove one before adding another."
    ]
    with in_app(app):
        names = db.session.scalars(
            select(Respondent.name).where(Respondent.assessment_id == setup.assessment_id)
        ).all()
        assert names == ["Carla CIO", "Sam Secure"]
    # A removed respondent makes room.
    client.post(f"{url}/{setup.respondent_ids[1]}/remove", data={"confirm": "y"})
    added = client.post(url, data={"name": "Third Person", "role": "CEO", "email": ""})
    assert added.status_code == 302


def test_the_default_limit_is_ten(app: Flask) -> None:
    assert app.config["MAX_RESPONDENTS"] == 10


def test_a_removed_respondent_does_not_hold_up_the_submission(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client, people=PEOPLE)
    cio, ciso = setup.respondent_ids
    client.post(f"{setup.detail}/respondents/{ciso}/remove", data={"confirm": "y"})

    save_and_submit(app, cio, complete_answers(questionnaire(app)))

    assert assessment_status(app, setup.assessment_id) == "submitted"


def test_who_counts_cannot_change_once_closed(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    ciso = setup.respondent_ids[1]
    assert client.post(f"{setup.detail}/close", data={"confirm": "y"}).status_code == 302
    before = _results(client, setup).texts(".people-state")

    included = Page(
        client.post(
            f"{setup.detail}/respondents/{ciso}/include",
            data={"counted": "yes"},
            follow_redirects=True,
        )
    )
    removed = Page(
        client.post(
            f"{setup.detail}/respondents/{ciso}/remove",
            data={"confirm": "y"},
            follow_redirects=True,
        )
    )

    closed = "This assessment is closed; who its results count can no longer change."
    assert included.texts(".flash") == [closed] and removed.texts(".flash") == [closed]
    assert _results(client, setup).texts(".people-state") == before
    assert "Remove…" not in included.text and "Count answers so far" not in included.text


def test_a_new_round_over_the_limit_is_refused_before_anything_is_made(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client, people=PEOPLE)
    app.config["MAX_RESPONDENTS"] = 1  # lowered since

    page = Page(
        client.post(f"{setup.detail}/reassess", data={"confirm": "y"}, follow_redirects=True)
    )

    assert page.texts(".flash") == [
        "An assessment has at most 1 respondents and this one has 2; "
        "remove some before starting a new round."
    ]
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1
