"""The self-assessment path: a workspace is a firm's or an organisation's own, chosen at
sign-up and changeable by its owner; an IT leader on their own organisation reads "your
organisation", is offered "Invite your CISO" (or CIO), and never reads "consultant"."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment, Respondent, Workspace
from tests.mail_support import last_to, link, received
from tests.web_support import (
    Page,
    complete_answers,
    in_app,
    questionnaire,
    save_and_submit,
    sign_in,
    sign_up,
)


def _sign_up_own(client: FlaskClient, kind: str = "own") -> None:
    """Sign up (verifying the address, then signing in): the first sign-in offers to
    assess one's own organisation."""
    response = sign_up(
        client,
        "ivy@northwind.example",
        name="Ivy Leader",
        workspace="Northwind Health",
        kind=kind,
    )
    assert response.headers["Location"] == "/welcome"


def _assess_self(client: FlaskClient, role: str) -> str:
    started = client.post("/welcome", data={"organization": "Northwind Health", "role": role})
    assert started.status_code == 302
    return started.headers["Location"]


def _pages_of_the_path(app: Flask, client: FlaskClient) -> dict[str, Page]:
    with in_app(app):
        assessment_id = db.session.scalars(select(Assessment.id)).one()
    answer = f"/assessments/{assessment_id}/respondents/1/answer"
    urls = [
        "/",
        "/welcome",
        "/organizations",
        "/organizations/new",
        f"/assessments/{assessment_id}",
        f"{answer}/s/context",
        f"{answer}/submit",
        f"/assessments/{assessment_id}/results",
        "/workspace",
    ]
    pages = {url: Page(client.get(url)) for url in urls}
    for url, page in pages.items():
        assert page.response.status_code == 200, url
    return pages


def test_an_it_leader_on_their_own_organisation_reads_no_consultant(
    app: Flask, client: FlaskClient
) -> None:
    _sign_up_own(client)
    with in_app(app):
        assert db.session.scalars(select(Workspace.kind)).one() == "own"
    _assess_self(client, "CIO")
    pages = _pages_of_the_path(app, client)
    for url, page in pages.items():
        assert "consultant" not in page.text.lower(), url  # what a person reads
        if url != "/workspace":  # where the owner chooses between the two kinds
            assert "client" not in page.text.lower(), url
    assert "Your organisation" in pages["/"].texts("h2")
    assert "Your organisation" in pages["/"].texts("nav a")
    detail = next(p for u, p in pages.items() if u.startswith("/assessments/") and u[13:].isdigit())
    assert detail.texts("#add-respondent") == ["Invite your CISO"]
    assert detail.one("#role option[selected]").etree_element.get("value") == "CISO"


def test_a_ciso_is_offered_to_invite_their_cio(app: Flask, client: FlaskClient) -> None:
    _sign_up_own(client)
    _assess_self(client, "CISO")
    with in_app(app):
        assessment_id = db.session.scalars(select(Assessment.id)).one()
    page = Page(client.get(f"/assessments/{assessment_id}"))
    assert page.texts("#add-respondent") == ["Invite your CIO"]
    invited = client.post(
        f"/assessments/{assessment_id}/respondents",
        data={"name": "Carl Cio", "role": "CIO", "email": ""},
    )
    assert invited.status_code == 302


def test_a_consultant_keeps_client_organisations(app: Flask, client: FlaskClient) -> None:
    _sign_up_own(client, kind="firm")
    page = Page(client.get("/"))
    assert "Client organisations" in page.texts("h2")
    assert "Add a client organisation" in Page(client.get("/welcome")).text


def test_the_owner_changes_the_kind(app: Flask, client: FlaskClient) -> None:
    _sign_up_own(client, kind="firm")
    assert client.post("/workspace/kind", data={"kind": "own"}).status_code == 302
    assert "Your organisation" in Page(client.get("/organizations")).texts("h1")
    refused = client.post("/workspace/kind", data={"kind": "empire"}, follow_redirects=True)
    assert "Choose client organisations or your own organisation." in Page(refused).text
    with in_app(app):
        assert db.session.scalars(select(Workspace.kind)).one() == "own"


def test_an_unverified_it_leader_answers_but_confirms_before_the_pdf(
    app: Flask, client: FlaskClient
) -> None:
    """Before the e-mailed link is used: answering and results, yes; the PDF (an export),
    no, with a page that says why and sends the link again; after it, the PDF."""
    signed_up = sign_up(
        client,
        "ivy@northwind.example",
        name="Ivy Leader",
        workspace="Northwind",
        kind="own",
        verify=False,
    )
    assert signed_up.status_code == 200
    assert sign_in(client, "ivy@northwind.example").status_code == 302
    answer = _assess_self(client, "CIO")
    with in_app(app):
        assessment_id = db.session.scalars(select(Assessment.id)).one()
        respondent_id = db.session.scalars(select(Respondent.id)).one()
    assert client.get(answer).status_code in (200, 302)
    save_and_submit(app, respondent_id, complete_answers(questionnaire(app)))
    assert client.get(f"/assessments/{assessment_id}/results").status_code == 200

    refused = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert refused.status_code == 403
    page = Page(refused)
    assert "the report (its PDF and its preview)" in page.text
    assert page.all("main form[action='/verify/resend']"), "no way to send the link again"
    before = len(received(app, "ivy@northwind.example"))
    assert client.post("/verify/resend").status_code == 302
    assert len(received(app, "ivy@northwind.example")) == before + 1
    path = link(last_to(app, "ivy@northwind.example"), "/verify/")
    assert path is not None and client.post(path).status_code == 302

    pdf = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
