"""Script and markup in every field a person can fill in comes out as text on every page,
in the report preview and in the PDF.

The payloads go in through the forms (names, organisation, firm name, respondent names, a
respondent's new name, assessment title) and the autosave endpoint (comments and free-text
answers); then every GET route of the access matrix is read as the owner and as the
respondent, and the PDF's text is extracted with pypdf.
"""

from __future__ import annotations

import io

import pytest
from flask import Flask
from markupsafe import escape
from pypdf import PdfReader

from assessor.operations import answers as answer_ops
from tests.security_world import answer_everything, build_world, sign_in
from tests.test_access_matrix import ROUTES

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}"
PAYLOADS = (SCRIPT, IMG, TEMPLATE)
#: The labels of the hostile values put in through the forms and autosave.
LABELS = ("Firm", "Organisation", "Title", "Respondent", "Renamed", "Free text", "Comment")


def _hostile(label: str) -> str:
    """A value carrying every payload, and a label to find it by."""
    return f"{label} {SCRIPT} {IMG} {TEMPLATE}"


def _raw_payload_in(body: str) -> list[str]:
    """Payloads that appear as markup (unescaped) in a page."""
    return [p for p in (SCRIPT, "<img src=x onerror=alert(1)>") if p in body]


@pytest.fixture
def hostile_world(app: Flask):  # type: ignore[no-untyped-def]
    """The matrix's world, with a hostile value in every field a person fills in."""
    world = build_world(app)
    owner = app.test_client()
    sign_in(owner, world.owner)
    steps = [
        owner.post("/workspace/branding", data={"firm_name": _hostile("Firm")}),
        owner.post(
            f"/organizations/{world.organization_a}/edit",
            data={"name": _hostile("Organisation"), "sector": "finance", "size": "50-249"},
        ),
        owner.post(
            f"/assessments/new/{world.organization_a}",
            data={"questionnaire": world.questionnaire_key, "title": _hostile("Title")},
        ),
        owner.post(
            f"/assessments/{world.assessment_a}/respondents",
            data={"name": _hostile("Respondent"), "role": "CISO", "email": ""},
        ),
        owner.post(
            f"/assessments/{world.assessment_a}/respondents/{world.respondent_a}/rename",
            data={"name": _hostile("Renamed")},
        ),
        # Counted while still answering: the answers and comments below reach the report.
        owner.post(
            f"/assessments/{world.assessment_a}/respondents/{world.respondent_a}/include",
            data={"counted": "yes"},
        ),
    ]
    assert [s.status_code for s in steps] == [302, 302, 302, 302, 302, 302]
    answer_everything(app, world.respondent_a)
    respondent = app.test_client()
    for question, value, comment in (
        ("gov_comments", _hostile("Free text"), _hostile("Comment")),
        ("str_strategy_owner", "CIO", _hostile("Owner comment")),
    ):
        with app.app_context():
            version = answer_ops.answers_of(world.respondent_a)[question].version
        saved = respondent.post(
            f"/r/{world.token_a}/autosave",
            json={"question": question, "value": value, "comment": comment, "version": version},
        )
        assert saved.status_code == 200, saved.get_json()
    signed_up = app.test_client().post(
        "/signup",
        data={
            "name": _hostile("User"),
            "email": "hostile@example.com",
            "password": "long enough password",
            "workspace": _hostile("Workspace"),
            # Its own organisation: pages open before the address is confirmed (a firm's
            # workspace shows only "confirm your address" until then).
            "kind": "own",
        },
    )
    assert signed_up.status_code == 200  # "check your e-mail"; signing in works at once
    return world, owner, respondent


def test_every_page_shows_the_payloads_as_text(app: Flask, hostile_world) -> None:  # type: ignore[no-untyped-def]
    world, owner, respondent = hostile_world
    failures, seen = [], set()
    for endpoint, route in ROUTES.items():
        if route.get is None or endpoint in ("static", "results.report_pdf"):
            continue
        client = respondent if route.access == "link" else owner
        actor = "link" if route.access == "link" else "owner"
        response = client.get(route.url(world, actor), follow_redirects=True)
        body = response.get_data().decode("utf-8", "replace")
        if response.status_code >= 500:
            failures.append(f"{endpoint}: {response.status_code}")
        if response.mimetype == "text/html":  # downloads (CSV, images) are not markup
            failures += [f"{endpoint}: {p!r} unescaped" for p in _raw_payload_in(body)]
        for label in LABELS:
            if str(escape(_hostile(label))) in body:
                seen.add(label)
    assert failures == []
    # Each payload reached at least one page (else the test proves nothing).
    assert seen >= set(LABELS)


def test_signed_up_names_are_escaped(app: Flask, hostile_world) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.post(
        "/signin", data={"email": "hostile@example.com", "password": "long enough password"}
    )
    assert response.status_code == 302
    for url in ("/", "/workspace", "/welcome", "/organizations"):
        body = client.get(url).get_data(as_text=True)
        assert _raw_payload_in(body) == [], url
    body = client.get("/workspace").get_data(as_text=True)
    assert str(escape(_hostile("Workspace"))) in body
    assert TEMPLATE in body  # shown as typed, never evaluated


def test_the_report_shows_the_payloads_as_text(app: Flask, hostile_world) -> None:  # type: ignore[no-untyped-def]
    world, owner, _ = hostile_world
    preview = owner.get(f"/assessments/{world.assessment_a}/report")
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert _raw_payload_in(body) == []
    assert str(escape(SCRIPT)) in body
    assert TEMPLATE in body

    pdf = owner.get(f"/assessments/{world.assessment_a}/report.pdf")
    assert pdf.status_code == 200
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.data)).pages)
    flat = " ".join(text.split())
    # Printed as text: the tags are on the page, so nothing was taken for markup.
    for payload in PAYLOADS:
        assert payload in flat, payload
    for label in ("Firm", "Organisation", "Free text", "Comment", "Renamed"):
        assert label in flat
