"""What-if (issue 17): from the results, change structural answers and targets in a
sandbox and see which findings would close or appear and how each score moves; nothing is
stored as an answer; a kept scenario can go into the PDF as the annex "Target structure"."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import (
    Answer,
    AnswerHistory,
    Assessment,
    AuditEvent,
    StoredResult,
    User,
    WhatIfScenario,
)
from assessor.operations import accounts
from tests.scenarios import load_scenarios
from tests.test_security_csrf import csrf_token
from tests.web_support import Page, Stage, in_app, save_and_submit, sign_in, stage


def _dual_role_answers() -> dict[str, Any]:
    [found] = [s for s in load_scenarios() if s.slug == "dual-role-cio-ciso"]
    return dict(found.answers["respondents"][0]["answers"])


@pytest.fixture
def setup(app: Flask, client: FlaskClient) -> Stage:
    """One person is both CIO and CISO and has submitted (the dual-role scenario)."""
    setup = stage(
        app, client, organization="Kestrel Freight", people=(("Ray Delgado", "CIO_CISO"),)
    )
    save_and_submit(app, setup.respondent_id, _dual_role_answers())
    return setup


def _url(setup: Stage, tail: str = "") -> str:
    return f"{setup.detail}/what-if{tail}"


def _stored(app: Flask) -> tuple[Any, ...]:
    """Every answer, every change of one, and the kept results, as rows."""
    with in_app(app):
        answers = db.session.execute(
            select(Answer.respondent_id, Answer.question_id, Answer.value, Answer.version)
        ).all()
        history = db.session.execute(select(AnswerHistory.id, AnswerHistory.value)).all()
        kept = db.session.execute(select(StoredResult.id)).all()
        updated = db.session.scalars(select(Assessment.updated_at)).all()
        return (sorted(answers, key=repr), history, kept, updated)


def test_the_results_page_leads_to_the_sandbox(client: FlaskClient, setup: Stage) -> None:
    page = Page(client.get(f"{setup.detail}/results"))
    assert page.one("#what-if-link").etree_element.get("href") == _url(setup)
    assert "Counted: Ray Delgado (CIO and CISO)" in page.text  # the role in words
    page = Page(client.get(_url(setup)))
    assert page.response.status_code == 200
    assert page.accessibility_problems() == []
    # the dual role was answered: separating the roles is offered; no DPO question was asked
    assert page.all("#lever_dual_role") and page.all("#lever_ciso_reports_to")
    assert not page.all("#lever_dat_dpo_designated")


def test_separating_the_roles_shows_what_would_close(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    before = _stored(app)
    page = Page(client.post(_url(setup), data={"lever_dual_role": "no", "preview": "1"}))
    assert page.response.status_code == 200
    closing = page.texts("#would-close li")
    assert any("both CIO and CISO" in text or "dual" in text.lower() for text in closing), closing
    overall = page.texts("#what-if-scores tbody tr")[0]
    assert overall.startswith("Overall score")
    assert _stored(app) == before  # nothing written: answers, their history, kept results


def test_a_target_moves_the_domain_it_names(client: FlaskClient, setup: Stage) -> None:
    page = Page(client.post(_url(setup), data={"target_security": "4"}))
    assert page.response.status_code == 200
    rows = page.texts("#what-if-scores tbody tr")
    assert [row for row in rows if "(target 4, was 3)" in row] == [
        next(row for row in rows if row.startswith("The security program"))
    ]
    assert page.texts("#would-appear li") or page.texts("#would-change li")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"lever_dual_role": "yes"}, "lever_dual_role", "Not a valid choice."),
        ({"target_security": "9"}, "target_security", "Not a valid choice."),
        ({}, "lever_ciso_reports_to", "Choose at least one change to see its effect."),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    client: FlaskClient, setup: Stage, data: dict[str, str], field: str, message: str
) -> None:
    page = Page(client.post(_url(setup), data=data))
    assert page.response.status_code == 422
    assert page.errors_beside(field) == [message]


def test_keeping_a_scenario_needs_a_name_and_writes_no_answer(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    before = _stored(app)
    page = Page(client.post(_url(setup, "/save"), data={"lever_dual_role": "no", "name": " "}))
    assert page.response.status_code == 422
    assert page.errors_beside("name") == ["Give the scenario a name."]
    page = Page(client.post(_url(setup, "/save"), data={"name": "Nothing", "preview": ""}))
    assert page.errors_beside("name") == ["Choose at least one change to keep."]

    response = client.post(
        _url(setup, "/save"),
        data={"lever_dual_role": "no", "lever_ciso_reports_to": "board", "name": "Split roles"},
    )
    assert response.status_code == 302
    with in_app(app):
        kept = db.session.scalars(select(WhatIfScenario)).one()
        assert (kept.name, kept.overlay, kept.targets, kept.in_report) == (
            "Split roles",
            {"dual_role": "no", "ciso_reports_to": "board"},
            {},
            False,
        )
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "what-if-saved" in actions
    assert response.headers["Location"] == _url(setup, f"/{kept.id}")
    page = Page(client.get(response.headers["Location"]))
    assert page.one("#lever_dual_role option[selected]").etree_element.get("value") == "no"
    assert page.texts("#would-close li")
    assert _stored(app) == before

    # removed again
    assert client.post(_url(setup, f"/{kept.id}/delete")).status_code == 302
    with in_app(app):
        assert db.session.scalars(select(WhatIfScenario)).all() == []


def test_another_workspace_gets_404(app: Flask, client: FlaskClient, setup: Stage) -> None:
    client.post(_url(setup, "/save"), data={"lever_dual_role": "no", "name": "Split"})
    with in_app(app):
        kept_id = db.session.scalars(select(WhatIfScenario.id)).one()
    other = app.test_client()
    other_setup = stage(app, other, email="bob@example.com", organization="Other", people=())
    for url in (_url(setup), _url(setup, f"/{kept_id}")):
        assert other.get(url).status_code == 404
    assert other.post(_url(setup), data={"lever_dual_role": "no"}).status_code == 404
    assert other.post(_url(setup, f"/{kept_id}/delete")).status_code == 404
    # a scenario of another assessment, named under one's own: 404 too
    assert other.get(f"{other_setup.detail}/what-if/{kept_id}").status_code == 404
    assert other.post(f"{other_setup.detail}/what-if/{kept_id}/delete").status_code == 404
    with in_app(app):
        assert db.session.scalars(select(WhatIfScenario.id)).all() == [kept_id]


def test_a_viewer_tries_the_sandbox_but_cannot_keep_a_scenario(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    with in_app(app):
        owner = db.session.get(User, setup.user_id)
        assert owner is not None
        issued = accounts.invite_member(
            owner.memberships[0].workspace, "vera@example.com", "viewer", owner
        )
        accounts.join_with_new_account(
            issued.invitation, "Vera Viewer", "a sturdy passphrase 42", issued.proof
        )
    viewer = app.test_client()
    sign_in(viewer, "vera@example.com")
    page = Page(viewer.get(_url(setup)))
    assert page.response.status_code == 200 and not page.all("#name")
    page = Page(viewer.post(_url(setup), data={"lever_dual_role": "no"}))
    assert page.response.status_code == 200 and page.texts("#would-close li")
    saved = viewer.post(_url(setup, "/save"), data={"lever_dual_role": "no", "name": "Mine"})
    assert saved.status_code == 404
    with in_app(app):
        assert db.session.scalars(select(WhatIfScenario)).all() == []


def test_every_what_if_form_needs_its_csrf_token(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=(("Ray Delgado", "CIO_CISO"),))
    save_and_submit(app, setup.respondent_id, _dual_role_answers())
    app.config["WTF_CSRF_ENABLED"] = True
    for url in (_url(setup), _url(setup, "/save")):
        assert client.post(url, data={"lever_dual_role": "no", "name": "X"}).status_code == 400
    token = csrf_token(client, _url(setup))
    response = client.post(
        _url(setup, "/save"), data={"lever_dual_role": "no", "name": "X", "csrf_token": token}
    )
    assert response.status_code == 302


def test_the_pdf_prints_a_kept_scenario_as_the_target_structure_annex(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    def pdf_text() -> str:
        response = client.get(f"{setup.detail}/report.pdf")
        assert response.status_code == 200
        reader = PdfReader(io.BytesIO(response.data))
        return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())

    assert "Target structure" not in pdf_text()
    client.post(
        _url(setup, "/save"),
        data={"lever_dual_role": "no", "name": "Two people <in> two roles", "in_report": "y"},
    )
    client.post(_url(setup, "/save"), data={"target_security": "4", "name": "Not printed"})
    text = pdf_text()
    assert text.count("Annex: Target structure") == 2  # listed in the contents, then the annex
    annex = text[text.index("Annex: Target structure What the scores") :]
    assert "Two people <in> two roles" in annex  # the name as typed, escaped in the HTML
    assert "The CIO and CISO roles: Held by two people." in annex
    assert "would close" in annex and "Would close" in annex
    assert "Not printed" not in text
