"""Benchmarks among a firm's clients (``operations/benchmarks.py``): consent, the group of
latest delivered rounds, the band on the results page and frozen in reports, nothing of
another client in the page, the PDF or the exports; the portfolio page.

The subject is a real assessment, answered and closed through the verbs and the web.
Its peers are other clients whose rounds are delivered with a result we choose (its
scores, its respondent, its sector and size): :func:`deliver` stores that result as
closing stores the engine's (``kept_results.store``, reason "closed").
"""

from __future__ import annotations

import copy
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import (
    Assessment,
    AuditEvent,
    BenchmarkShown,
    Organization,
    User,
    Workspace,
    utcnow,
)
from assessor.operations import assessments, kept_results, members, organizations, reporting
from assessor.operations.catalog import catalog
from tests.web_support import (
    QUESTIONNAIRE,
    Page,
    Stage,
    complete_answers,
    in_app,
    questionnaire,
    save_and_submit,
    stage,
)

CONFIRMED = {"confirm": "y"}
EDIT = {"name": "Contoso Health", "sector": "healthcare", "size": "250-999"}


def _subject(app: Flask, client: FlaskClient, *, consent: bool = True) -> Stage:
    """The firm's client Contoso Health (healthcare, 420 staff), answered and closed."""
    setup = stage(app, client)
    values = complete_answers(questionnaire(app), {"sec_program_owner": "CIO"})
    save_and_submit(app, setup.respondent_id, values)
    if consent:
        edited = client.post(
            f"/organizations/{setup.organization_id}/edit", data={**EDIT, "benchmark": "y"}
        )
        assert edited.status_code == 302
    assert client.post(f"{setup.detail}/close", data=CONFIRMED).status_code == 302
    return setup


def _own_result(app: Flask, setup: Stage) -> dict[str, Any]:
    with in_app(app):
        kept = kept_results.current(setup.assessment_id)
        assert kept is not None
        return kept.result


def peer_result(
    base: dict[str, Any],
    overall: int,
    *,
    name: str,
    sector: str = "healthcare",
    employees: int = 600,
    provisional: bool = False,
) -> dict[str, Any]:
    """Another client's result: ``base``'s shape, every domain and the headline at
    ``overall``, answered by ``name`` in ``sector`` with ``employees`` staff."""
    found = copy.deepcopy(base)
    found["overall"] = overall
    for domain in found["domains"]:
        domain["score"] = overall
    person = found["respondents"][0]
    person["name"] = name
    for answer in person["answers"]:
        if answer["question"] == "sector":
            answer["value"], answer["label"] = sector, sector
        if answer["question"] == "employees":
            answer["value"], answer["label"] = employees, str(employees)
    found["respondents"] = [person]
    found["context"] = {**found.get("context", {}), "sector": sector, "employees": employees}
    if provisional:
        found["provisional"] = True
    return found


def deliver(
    app: Flask,
    setup: Stage,
    client_name: str,
    result: dict[str, Any],
    *,
    consent: bool = True,
    organization_id: int | None = None,
) -> int:
    """A round of another client (``client_name``, a new one unless ``organization_id``),
    closed with ``result`` stored as its delivered result; its organisation's id."""
    with in_app(app):
        user = db.session.get(User, setup.user_id)
        workspace = db.session.get(Workspace, setup.workspace_id)
        assert user is not None and workspace is not None
        if organization_id is None:
            org = organizations.create_organization(
                workspace, user, name=client_name, sector=None, size=None, benchmark=consent
            )
        else:
            found = db.session.get(Organization, organization_id)
            assert found is not None
            org = found
        assessment = assessments.start_assessment(org, user, catalog().get(QUESTIONNAIRE))
        assessment.status, assessment.closed_at = "closed", utcnow()
        kept_results.store(assessment, result, method_version=1, reason="closed", by=user.email)
        db.session.commit()
        return org.id


def peers(
    app: Flask, setup: Stage, scores: list[int], *, first: int = 0, **facts: Any
) -> list[int]:
    """Clients "Client N Ltd" (N from ``first``), answered by "Peer N", with these scores."""
    base = _own_result(app, setup)
    return [
        deliver(app, setup, f"Client {i} Ltd", peer_result(base, s, name=f"Peer {i}", **facts))
        for i, s in enumerate(scores, start=first)
    ]


def band_text(client: FlaskClient, setup: Stage) -> str:
    """The benchmark's text on the results page, whitespace collapsed."""
    page = Page(client.get(f"{setup.detail}/results"))
    return " ".join(" ".join(page.one("#benchmark").etree_element.itertext()).split())


# --- consent ------------------------------------------------------------------------------


def test_consent_is_recorded_on_the_organisation_page_and_audited(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client)
    url = f"/organizations/{setup.organization_id}/edit"
    assert 'name="benchmark"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={**EDIT, "benchmark": "y"}).status_code == 302
    page = Page(client.get(url))
    assert page.one("#benchmark").etree_element.get("checked") is not None
    assert client.post(url, data=EDIT).status_code == 302  # unticked: withdrawn
    with in_app(app):
        org = db.session.get(Organization, setup.organization_id)
        assert org is not None and org.benchmark_consent_at is None
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target == f"organization:{setup.organization_id}")
            .order_by(AuditEvent.id)
        ).all()
    assert actions[-2:] == ["benchmark-consent-given", "benchmark-consent-withdrawn"]


def test_clients_who_did_not_opt_in_neither_count_nor_are_benchmarked(
    app: Flask, client: FlaskClient
) -> None:
    setup = _subject(app, client)
    peers(app, setup, [10, 20, 30, 40, 60, 70, 80, 90])  # 9 with the subject
    base = _own_result(app, setup)
    deliver(app, setup, "Quiet Co", peer_result(base, 95, name="Q"), consent=False)
    assert "Not enough comparable clients: 9 of 10" in band_text(client, setup)
    deliver(app, setup, "Open Co", peer_result(base, 95, name="O"))
    assert "of 10 clients in Healthcare or life sciences with 250-999 employees" in band_text(
        client, setup
    )
    # Withdrawn: the subject itself is no longer benchmarked.
    assert client.post(f"/organizations/{setup.organization_id}/edit", data=EDIT).status_code == 302
    assert "Contoso Health has not opted in to benchmarking" in band_text(client, setup)


# --- the group ------------------------------------------------------------------------------


def test_the_group_is_each_clients_latest_round_of_the_same_sector_and_size(
    app: Flask, client: FlaskClient
) -> None:
    setup = _subject(app, client)
    own = _own_result(app, setup)["overall"]
    ids = peers(app, setup, [own + 1] * 8)  # 8 above the subject
    base = _own_result(app, setup)
    deliver(app, setup, "Bank", peer_result(base, 0, name="B", sector="finance"))
    deliver(app, setup, "Giant", peer_result(base, 0, name="G", employees=20000))
    deliver(app, setup, "Fake", peer_result(base, 0, name="F", provisional=True))
    assert "Not enough comparable clients: 9 of 10" in band_text(client, setup)
    # A later round of a client replaces its earlier one (still 9 + 1 = 10, not 11).
    deliver(app, setup, "", peer_result(base, 0, name="Z"), organization_id=ids[0])
    deliver(app, setup, "Small", peer_result(base, 0, name="S", employees=999))
    text = band_text(client, setup)
    assert "middle half of 10 clients" in text, text


# --- what is shown, and what is not ---------------------------------------------------------


def test_page_pdf_and_exports_show_a_band_and_nothing_of_another_client(
    app: Flask, client: FlaskClient
) -> None:
    setup = _subject(app, client)
    own = _own_result(app, setup)["overall"]
    # Eleven others, all above the subject, with figures nowhere in the subject's result.
    scores = [own + 1 + i for i in range(11)]
    peers(app, setup, scores)
    text = band_text(client, setup)
    assert "Overall: lower quartile of 12 clients in Healthcare or life sciences" in text
    page = client.get(f"{setup.detail}/results").get_data(as_text=True)
    pdf = client.get(f"{setup.detail}/report.pdf")
    assert pdf.status_code == 200
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "lower quartile of 12 clients" in " ".join(pdf_text.split())
    exported = [
        client.get(f"{setup.detail}/export.{fmt}").get_data(as_text=True) for fmt in ("json", "csv")
    ]
    for shown in (page, pdf_text, *exported):
        for i in range(11):
            assert f"Client {i} Ltd" not in shown and f"Peer {i}" not in shown
    # No other client's figure in the benchmark: its only numbers are the group's size
    # and the size band's bounds (the others' scores are all above the subject's).
    assert set(re.findall(r"\d+", text)) <= {"12", "250", "999"}, text


def test_a_report_keeps_the_band_it_showed_when_it_was_made(
    app: Flask, client: FlaskClient
) -> None:
    setup = _subject(app, client)
    own = _own_result(app, setup)["overall"]
    peers(app, setup, [own - 1] * 2 + [own + 1] * 8)  # 11 in all: lower quartile
    with in_app(app):
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert assessment is not None
        etag = reporting.report_etag(assessment)
    preview = client.get(f"{setup.detail}/report").get_data(as_text=True)
    assert "lower quartile of 11 clients" in preview
    # Four more clients below the subject: the page moves; the report does not.
    peers(app, setup, [0, 0, 0, 0], first=20)
    assert "middle half of 15 clients" in band_text(client, setup)
    later = client.get(f"{setup.detail}/report").get_data(as_text=True)
    assert "lower quartile of 11 clients" in later and "of 15 clients" not in later
    with in_app(app):
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert assessment is not None
        assert reporting.report_etag(assessment) == etag
        assert len(db.session.scalars(select(BenchmarkShown)).all()) == 1


def test_a_report_made_without_a_band_freezes_nothing(app: Flask, client: FlaskClient) -> None:
    setup = _subject(app, client)
    peers(app, setup, [1, 2, 3])
    preview = client.get(f"{setup.detail}/report").get_data(as_text=True)
    assert 'id="benchmark"' not in preview
    peers(app, setup, [4, 5, 6, 7, 8, 9], first=20)
    assert "of 10 clients" in client.get(f"{setup.detail}/report").get_data(as_text=True)


def test_an_open_assessment_has_no_benchmark_yet(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    save_and_submit(app, setup.respondent_id, complete_answers(questionnaire(app)))
    assert "shown once the assessment is closed" in band_text(client, setup)


# --- the portfolio --------------------------------------------------------------------------


def test_the_portfolio_is_a_heatmap_of_the_firms_own_clients(
    app: Flask, client: FlaskClient
) -> None:
    setup = _subject(app, client, consent=False)
    base = _own_result(app, setup)
    deliver(app, setup, "Retail One", peer_result(base, 85, name="R", sector="retail"))
    deliver(app, setup, "Big Health", peer_result(base, 35, name="H", employees=8000))
    page = Page(client.get("/portfolio"))
    assert page.response.status_code == 200
    rows = page.texts("table.portfolio tbody th[scope=row]")
    assert [r.split()[0] for r in rows] == ["Big", "Contoso", "Retail"]
    headers = page.texts("table.portfolio thead th")
    assert headers[:3] == ["Client", "Sector · size", "Overall"] and len(headers) > 4
    cells = page.texts("table.portfolio tbody tr:last-child td.heat")
    assert cells[0] == "85 Strong"  # the score in words as well as colour
    assert page.accessibility_problems() == []
    retail = Page(client.get("/portfolio?sector=retail"))
    assert [r.split()[0] for r in retail.texts("tbody th[scope=row]")] == ["Retail"]
    large = Page(client.get("/portfolio?size=5000%2B"))
    assert [r.split()[0] for r in large.texts("tbody th[scope=row]")] == ["Big"]
    assert client.get("/portfolio?size=huge").status_code == 422


def test_an_organisation_assessing_itself_has_no_benchmark_and_no_consent_box(
    app: Flask, client: FlaskClient
) -> None:
    setup = _subject(app, client, consent=False)
    with in_app(app):
        user = db.session.get(User, setup.user_id)
        workspace = db.session.get(Workspace, setup.workspace_id)
        assert user is not None and workspace is not None
        members.set_kind(workspace, "own", user)
    page = client.get(f"{setup.detail}/results").get_data(as_text=True)
    assert 'id="benchmark"' not in page and "comparable clients" not in page
    form = client.get(f"/organizations/{setup.organization_id}/edit").get_data(as_text=True)
    assert 'name="benchmark"' not in form
