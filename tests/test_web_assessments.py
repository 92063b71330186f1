"""The assessments blueprint: start an assessment, targets, respondents, personal links."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import Assessment, Organization, Respondent
from tests.web_support import (
    Page,
    assessment_status,
    complete_answers,
    in_app,
    issue_link,
    link_token,
    questionnaire,
    save_and_submit,
    sign_up,
    stage,
    stored,
)


def _all_stored_text(app: Flask) -> str:
    """Every value of every row of every table, as text (to search for a secret)."""
    with in_app(app):
        chunks = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                chunks.extend(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row)
        return "\n".join(chunks)


def test_start_an_assessment_pinned_to_the_questionnaire(app: Flask, client: FlaskClient) -> None:
    sign_up(client)
    client.post("/organizations/new", data={"name": "Contoso"})
    q = questionnaire(app)
    with in_app(app):
        org_id = db.session.scalars(select(Organization.id)).one()

    form = Page(client.get(f"/assessments/new/{org_id}"))
    assert form.accessibility_problems() == []
    # the published versions, the newest (the default) first
    assert form.texts("#questionnaire option") == [f"{q.title} (v{q.version})", f"{q.title} (v1)"]

    response = client.post(
        f"/assessments/new/{org_id}",
        data={"questionnaire": f"{q.id}@{q.version}", "title": "Governance review 2025"},
    )
    assert response.status_code == 302
    with in_app(app):
        assessment = db.session.scalars(select(Assessment)).one()
        pinned = (
            assessment.questionnaire_id,
            assessment.questionnaire_version,
            assessment.questionnaire_hash,
        )
        assert pinned == (q.id, q.version, q.hash)
        assert (assessment.title, assessment.status) == ("Governance review 2025", "draft")
        assessment_id = assessment.id
    assert response.headers["Location"] == f"/assessments/{assessment_id}"
    page = Page(client.get(f"/assessments/{assessment_id}"))
    assert f"{q.title} v{q.version}" in page.text
    assert "Nobody has been asked yet." in page.text


def test_an_unknown_questionnaire_cannot_be_chosen(app: Flask, client: FlaskClient) -> None:
    sign_up(client)
    client.post("/organizations/new", data={"name": "Contoso"})
    with in_app(app):
        org_id = db.session.scalars(select(Organization.id)).one()
    response = client.post(f"/assessments/new/{org_id}", data={"questionnaire": "nope@1"})
    assert Page(response).errors_beside("questionnaire") == ["Not a valid choice."]
    with in_app(app):
        assert db.session.scalars(select(Assessment)).all() == []


# Which versions are offered, that a draft is not, and that a v1 assessment keeps v1:
# tests/test_web_questionnaire_v2.py.


def test_targets_per_domain(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    page = Page(client.get(setup.detail))
    labels = page.texts(".grid-form label")
    assert labels == [
        "Strategy and business alignment",
        "IT infrastructure and applications",
        "The security program",
        "Data",
        "Suppliers and partners",
        "Leadership structure and oversight",
    ]
    assert page.value("#target_security option[selected]") == "3"  # the default

    response = client.post(
        f"{setup.detail}/targets",
        data={"target_security": "4", "target_data": "2", "target_strategy": "3"},
    )
    assert response.status_code == 302
    with in_app(app):
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert assessment is not None
        assert assessment.targets["security"] == 4
        assert assessment.targets["data"] == 2
    page = Page(client.get(setup.detail))
    assert "Targets saved." in page.texts(".flash")
    assert page.value("#target_security option[selected]") == "4"
    assert page.value("#target_data option[selected]") == "2"

    assert client.post(f"{setup.detail}/targets", data={"target_data": "9"}).status_code == 400
    with in_app(app):
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert assessment is not None and assessment.targets["data"] == 2


def test_add_respondents(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=())
    page = Page(client.get(setup.detail))
    assert page.accessibility_problems() == []

    response = client.post(
        f"{setup.detail}/respondents",
        data={"name": "Sam Secure", "role": "CISO", "email": "Sam@Example.com"},
    )
    assert response.status_code == 302
    page = Page(client.get(setup.detail))
    assert "Sam Secure added. “Send link by e-mail” sends their personal link." in page.text
    assert len(page.all("tbody tr")) == 1
    assert page.texts("tbody td")[:2] == ["Sam Securesam@example.com", "CISO"]
    assert page.texts("tbody td .muted") == ["sam@example.com"]
    assert "none yet" in page.texts("tbody td")

    page = Page(
        client.post(
            f"{setup.detail}/respondents",
            data={"name": "Eve", "role": "CISO", "email": "not an email"},
        )
    )
    assert page.response.status_code == 422
    assert page.errors_beside("email") == ["Invalid email address."]
    page = Page(client.post(f"{setup.detail}/respondents", data={"name": "Eve", "role": "CXO"}))
    assert page.errors_beside("role") == ["Not a valid choice."]
    with in_app(app):
        names = db.session.scalars(select(Respondent.name)).all()
    assert names == ["Sam Secure"]


def test_a_links_token_is_not_stored_only_its_hash(app: Flask, client: FlaskClient) -> None:
    """The database holds the token's sha256 and the salt it is derived from (with
    SECRET_KEY, which the database does not hold); the page shows it again to copy."""
    setup = stage(app, client)

    page = Page(client.post(f"{setup.detail}/respondents/{setup.respondent_id}/link"))
    assert page.response.status_code == 200
    assert page.one("label[for=link]") is not None
    token = link_token(page)
    assert len(token) >= 40

    with in_app(app):
        respondent = db.session.get(Respondent, setup.respondent_id)
        assert respondent is not None
        assert respondent.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in _all_stored_text(app)
    detail = Page(client.get(setup.detail))
    assert (detail.value(f"#link-{setup.respondent_id}") or "").endswith(f"/r/{token}")
    assert "active until" in detail.text

    response = client.get(f"/r/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/r/{token}/welcome"  # the first time


def test_revoke_and_reissue_a_link(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    url = f"{setup.detail}/respondents/{setup.respondent_id}"
    first = link_token(Page(client.post(f"{url}/link")))

    response = client.post(f"{url}/revoke", follow_redirects=True)
    assert "Carla CIO's link no longer works." in Page(response).texts(".flash")
    assert "revoked" in Page(response).texts("tbody td")
    assert client.get(f"/r/{first}").status_code == 404
    assert client.get(f"/r/{first}/s/context").status_code == 404

    second = link_token(Page(client.post(f"{url}/link")))
    assert second != first
    assert client.get(f"/r/{second}").status_code == 302
    assert client.get(f"/r/{first}").status_code == 404

    third = link_token(Page(client.post(f"{url}/link")))  # re-issued without revoking
    assert client.get(f"/r/{second}/s/context").status_code == 404
    assert client.get(f"/r/{third}/s/context").status_code == 200


def test_an_expired_link_is_404(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    app.config["INVITE_DAYS"] = -1
    token = issue_link(app, setup.respondent_id)
    with in_app(app):
        respondent = db.session.get(Respondent, setup.respondent_id)
        assert respondent is not None and respondent.token_expires_at is not None
        assert respondent.token_expires_at < datetime.now(respondent.token_expires_at.tzinfo)
    response = client.get(f"/r/{token}")
    assert response.status_code == 404
    assert "This link does not work" in Page(response).text
    assert client.post(f"/r/{token}/autosave", json={"question": "employees"}).status_code == 404


def test_closing_an_assessment_stops_its_links(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    token = issue_link(app, setup.respondent_id)
    response = client.post(f"{setup.detail}/close", data={"confirm": "y"}, follow_redirects=True)
    assert "Assessment closed" in Page(response).texts(".flash")[0]
    assert client.get(f"/r/{token}").status_code == 404
    assert client.get(setup.answer_url()).status_code == 404


def test_reassess_a_year_later_keeps_the_people_and_shows_what_moved(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam Secure", "CISO")))
    q = questionnaire(app)
    client.post(f"{setup.detail}/targets", data={"target_security": "4"})
    save_and_submit(app, setup.respondent_id, complete_answers(q, {"sec_program_maturity": 1}))

    response = client.post(f"{setup.detail}/reassess", data={"confirm": "y"})

    assert response.status_code == 302
    with in_app(app):
        latest = db.session.scalars(select(Assessment).order_by(Assessment.id.desc())).first()
        assert latest is not None and latest.id != setup.assessment_id
        assert latest.previous_id == setup.assessment_id
        assert latest.targets["security"] == 4
        assert [(r.name, r.role, r.token_hash) for r in latest.respondents] == [
            ("Carla CIO", "CIO", None),
            ("Sam Secure", "CISO", None),
        ]
        new_id, new_cio = latest.id, latest.respondents[0].id
    assert response.headers["Location"] == f"/assessments/{new_id}"
    page = Page(client.get(f"/assessments/{new_id}"))
    assert "repeats an earlier assessment" in page.text
    assert stored(app, new_cio) == {}

    save_and_submit(app, new_cio, complete_answers(q, {"sec_program_maturity": 4}))
    results = Page(client.get(f"/assessments/{new_id}/results"))
    assert results.one("#since option[selected]").etree_element.get("value") == str(
        setup.assessment_id
    )
    changes = dict(
        zip(
            results.texts("#progress tbody th"),
            results.texts("#progress tbody td.score-change"),
            strict=True,
        )
    )
    assert changes["The security program"].startswith("+")


def test_a_submitted_respondent_is_100_percent_done(app: Flask, client: FlaskClient) -> None:
    """An optional question left blank does not make a submission look unfinished."""
    setup = stage(app, client)
    answers = complete_answers(questionnaire(app))
    del answers["gov_comments"]  # optional
    save_and_submit(app, setup.respondent_id, answers)

    detail = Page(client.get(setup.detail))
    assert detail.texts("td[data-label=Progress]")[0].startswith("100%")
    assert detail.one("td[data-label=Progress] progress").etree_element.get("value") == "100"
    organization = Page(client.get(f"/organizations/{setup.organization_id}"))
    assert "100%" in organization.texts("tbody td")


def test_closing_asks_first_then_says_what_the_links_do(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam Secure", "CISO")))
    cio, ciso = setup.respondent_ids
    issue_link(app, ciso)
    save_and_submit(app, cio, complete_answers(questionnaire(app)))
    url = f"{setup.detail}/close"
    before = Page(client.get(setup.detail))
    assert before.all(f'main form[action="{url}"]') == []  # a link to the question, no button
    assert before.one(f'a[href="{url}"]') is not None

    confirm = Page(client.get(url))
    assert confirm.response.status_code == 200
    assert "Personal links stop accepting answers" in confirm.text
    assert "Not submitted yet: Sam Secure." in confirm.text
    assert confirm.accessibility_problems() == []
    unticked = Page(client.post(url, data={}))
    assert unticked.response.status_code == 422
    assert unticked.errors_beside("confirm") == ["Tick the box to confirm."]
    assert assessment_status(app, setup.assessment_id) == "in_progress"

    response = client.post(url, data={"confirm": "y"})
    assert response.status_code == 302
    assert assessment_status(app, setup.assessment_id) == "closed"

    detail = Page(client.get(setup.detail))
    assert "its personal links no longer accept answers" in detail.texts(".notice")[0]
    links = detail.texts("td[data-label=Link]")
    assert len(links) == 2
    assert all(t.startswith("no longer accepts answers (assessment closed)") for t in links)
    assert "Reopen answers" not in detail.text
    assert detail.texts("td.counted") == [
        "counted",
        "not counted: not submitted before it closed",
    ]
    refused = Page(client.post(f"{setup.detail}/respondents/{cio}/reopen", follow_redirects=True))
    assert "cannot be reopened" in refused.texts(".flash")[0]
    assert assessment_status(app, setup.assessment_id) == "closed"
    with in_app(app):
        carla = db.session.get(Respondent, cio)
        assert carla is not None and carla.submitted_at is not None


def test_a_new_round_is_started_only_once_confirmed(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    url = f"{setup.detail}/reassess"
    confirm = Page(client.get(url))
    assert confirm.response.status_code == 200
    assert "with the same 1 respondent and targets" in confirm.text

    unticked = Page(client.post(url, data={}))

    assert unticked.response.status_code == 422
    assert unticked.errors_beside("confirm") == ["Tick the box to confirm."]
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1
