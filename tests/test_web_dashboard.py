"""The dashboard blueprint: the overview, client organisations, and the self-assessment
offer right after sign-up (followed through to the results and a peer's invitation)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import Assessment, Organization, Respondent
from tests.web_support import (
    Page,
    complete_answers,
    in_app,
    post_section,
    questionnaire,
    save_answers,
    sign_up,
    stage,
)


def test_landing_page_for_visitors(client: FlaskClient) -> None:
    page = Page(client.get("/"))
    assert page.response.status_code == 200
    assert [a.etree_element.get("href") for a in page.all(".hero a")] == ["/signup", "/signin"]


def test_dashboard_lists_assessments_with_status_and_completion(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client)
    q = questionnaire(app)
    context = next(s for s in q.sections if s.id == "context")
    answers = complete_answers(q)
    save_answers(app, setup.respondent_id, {x.id: answers[x.id] for x in context.questions})

    page = Page(client.get("/"))

    assert page.response.status_code == 200
    (row,) = page.all("tbody tr")
    cells = [" ".join("".join(c.etree_element.itertext()).split()) for c in row.query_all("td")]
    assert cells[0] == "Contoso Health" and cells[1].startswith(q.title)
    assert cells[2] == "in progress"
    # the context section's 9 shown questions out of every question shown to a CIO
    assert cells[3].endswith("%") and 0 < int(cells[3][:-1]) < 20
    assert page.texts("ul.cards li a") == ["Contoso Health"]
    assert page.texts("ul.cards li .muted") == ["health · 250-999 employees · 1 assessment"]


def test_an_organisation_card_without_sector_or_size(app: Flask, client: FlaskClient) -> None:
    sign_up(client)
    client.post("/organizations/new", data={"name": "Fabrikam"})
    assert Page(client.get("/")).texts("ul.cards li .muted") == ["0 assessments"]


def test_empty_dashboard_offers_the_first_steps(app: Flask, client: FlaskClient) -> None:
    sign_up(client)
    page = Page(client.get("/"))
    assert "No assessments yet." in page.text
    assert {a.etree_element.get("href") for a in page.all(".actions a")} == {
        "/organizations/new",
        "/welcome",
    }


def test_create_edit_and_list_organisations(app: Flask, client: FlaskClient) -> None:
    sign_up(client)
    form = Page(client.get("/organizations/new"))
    assert form.accessibility_problems() == []

    response = client.post(
        "/organizations/new", data={"name": " Fabrikam ", "sector": "finance", "size": "50-249"}
    )
    assert response.status_code == 302
    with in_app(app):
        org = db.session.scalars(select(Organization)).one()
        assert (org.name, org.sector, org.size) == ("Fabrikam", "finance", "50-249")
        org_id = org.id
    assert response.headers["Location"] == f"/organizations/{org_id}"
    # The sector in the form's words, never its stored code.
    page = Page(client.get(f"/organizations/{org_id}")).text
    assert "Banking, insurance or other financial services · 50-249 employees" in page
    assert Page(client.get("/organizations")).texts("tbody td")[1] == (
        "Banking, insurance or other financial services"
    )

    edit = Page(client.get(f"/organizations/{org_id}/edit"))
    assert edit.value("#name") == "Fabrikam"
    response = client.post(
        f"/organizations/{org_id}/edit", data={"name": "Fabrikam Bank", "sector": "", "size": ""}
    )
    assert response.status_code == 302
    listing = Page(client.get("/organizations"))
    assert listing.texts("tbody td") == ["Fabrikam Bank", "—", "—", "0"]


def test_duplicate_organisation_name_is_refused_beside_the_field(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client)
    client.post("/organizations/new", data={"name": "Fabrikam"})
    client.post("/organizations/new", data={"name": "Northwind"})

    page = Page(client.post("/organizations/new", data={"name": "Fabrikam", "sector": "retail"}))
    assert page.response.status_code == 422
    assert page.errors_beside("name") == ["There is already an organisation called 'Fabrikam'."]
    assert page.value("#name") == "Fabrikam"

    with in_app(app):
        northwind = db.session.scalars(
            select(Organization.id).where(Organization.name == "Northwind")
        ).one()
    page = Page(client.post(f"/organizations/{northwind}/edit", data={"name": "Fabrikam"}))
    assert page.response.status_code == 422
    assert page.errors_beside("name") == ["There is already an organisation called 'Fabrikam'."]
    with in_app(app):
        names = db.session.scalars(select(Organization.name).order_by(Organization.name)).all()
    assert names == ["Fabrikam", "Northwind"]


def test_organisations_of_another_workspace_are_not_found(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    client.post("/signout")
    sign_up(client, "mallory@example.com", workspace="Elsewhere")
    assert client.get(f"/organizations/{setup.organization_id}").status_code == 404
    response = client.post(f"/organizations/{setup.organization_id}/edit", data={"name": "Mine"})
    assert response.status_code == 404
    assert "Contoso Health" not in client.get("/").get_data(as_text=True)


def test_self_assessment_from_sign_up_to_results_and_a_peer(
    app: Flask, client: FlaskClient
) -> None:
    response = sign_up(client, "ian@example.com", name="Ian Lead", workspace="Ian's Company")
    assert response.headers["Location"] == "/welcome"
    welcome = Page(client.get("/welcome"))
    assert welcome.value("#organization") == "Ian's Company"
    assert welcome.accessibility_problems() == []

    response = client.post("/welcome", data={"organization": "Ian's Company", "role": "CIO"})
    assert response.status_code == 302
    with in_app(app):
        assessment = db.session.scalars(select(Assessment)).one()
        (me,) = assessment.respondents
        assert (me.name, me.role, me.email) == ("Ian Lead", "CIO", "ian@example.com")
        assert me.user_id is not None
        answer_url = f"/assessments/{assessment.id}/respondents/{me.id}/answer"
        assessment_id = assessment.id
    assert response.headers["Location"] == answer_url
    first = client.get(answer_url)
    assert first.headers["Location"] == f"{answer_url}/s/context"

    q = questionnaire(app)
    answers = complete_answers(q)
    for section in q.sections:
        url = f"{answer_url}/s/{section.id}"
        response = post_section(client, url, q, section.id, answers)
        assert response.status_code == 302, Page(response).texts(".error")
    assert response.headers["Location"] == f"{answer_url}/submit"

    response = client.post(f"{answer_url}/submit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/assessments/{assessment_id}/results"
    results = Page(client.get(response.headers["Location"]))
    assert "Your answers are submitted. Here are your results." in results.texts(".flash")
    assert results.all("article.finding")
    peer_link = results.one(f'a[href="/assessments/{assessment_id}#add-respondent"]')
    assert "add a respondent" in "".join(peer_link.etree_element.itertext())

    response = client.post(
        f"/assessments/{assessment_id}/respondents",
        data={"name": "Sam Secure", "role": "CISO", "email": "sam@example.com"},
    )
    assert response.status_code == 302
    with in_app(app):
        people = db.session.scalars(
            select(Respondent.role).where(Respondent.assessment_id == assessment_id)
        ).all()
        assert sorted(people) == ["CIO", "CISO"]
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 1
