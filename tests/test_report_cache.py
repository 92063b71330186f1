"""The stored PDF: served again while nothing changed, rendered anew after any change;
download names and ETags for the web layer."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from assessor.engine import parse_answers_document
from assessor.extensions import db
from assessor.models import Assessment, StoredReport
from assessor.operations import accounts, answers, assessments, organizations, reporting
from assessor.operations.catalog import catalog
from tests.test_report_data import ROOT

LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10">'
    b'<rect width="40" height="10" fill="#1f5fbf"/></svg>'
)


def _seed(organization: str = "Riverside Retail") -> int:
    """An assessment with two respondents who answered a few questions; returns its id."""
    document = json.loads(
        (ROOT / "tests" / "answers" / "third-party-access-disagreement.json").read_text()
    )
    questionnaire, people, _ = parse_answers_document(document, catalog())
    user = accounts.sign_up("lead@example.com", "quiet lagoon harvest 64", "Lee Lead", "Firm")
    workspace = user.memberships[0].workspace
    accounts.update_branding(
        workspace, user, firm_name="Northwind Advisory", accent_color="#1f5fbf", logo=None
    )
    org = organizations.create_organization(
        workspace, user, name=organization, sector="retail", size="250-999"
    )
    assessment = assessments.start_assessment(org, user, questionnaire, title="Review 2026")
    for person in people:
        respondent = assessments.add_respondent(
            assessment, user, name=person.name, role=person.role
        )
        changes = [
            answers.Change(qid, value, person.comments.get(qid), None)
            for qid, value in person.answers.items()
        ]
        answers.save_answers(questionnaire, respondent, changes, person.name, skip_hidden=True)
        # Counted while still answering, so that their answers can change below.
        assessments.include_respondent(respondent, user, True)
    return assessment.id


def _change_answer(assessment: Assessment, **fields: Any) -> None:
    questionnaire = catalog().get(assessment.questionnaire_id)
    respondent = assessment.respondents[0]
    stored = {a.question_id: a for a in respondent.answers}
    qid = next(iter(stored))
    answer = stored[qid]
    value = fields.get("value", answer.value)
    comment = fields.get("comment", answer.comment)
    if "value" in fields and value == answer.value:
        raise AssertionError("pick a different value")
    answers.save_answers(
        questionnaire,
        respondent,
        [answers.Change(qid, value, comment, answer.version)],
        "test",
        skip_hidden=True,
    )


def _stored_count(assessment_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(StoredReport)
        .where(StoredReport.assessment_id == assessment_id)
    )


def test_second_download_is_stored_bytes_and_any_change_renders_anew(app: Flask) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, _seed())
        first = reporting.report_pdf(assessment)
        assert not first.cached and first.data.startswith(b"%PDF")
        assert first.etag == reporting.report_etag(assessment)
        assert first.mimetype == "application/pdf"
        assert first.filename.startswith("riverside-retail-governance-gap-")

        second = reporting.report_pdf(assessment)
        assert second.cached and second.data == first.data and second.etag == first.etag
        assert _stored_count(assessment.id) == 1

        _change_answer(assessment, comment="A new comment.")
        db.session.refresh(assessment)
        third = reporting.report_pdf(assessment)
        assert not third.cached and third.etag != first.etag
        assert _stored_count(assessment.id) == 2


def test_what_changes_the_key(app: Flask) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, _seed())
        base = reporting.report_etag(assessment)
        assert reporting.report_etag(assessment) == base
        assert reporting.report_etag(assessment, "letter") != base

        respondent = assessment.respondents[1]
        question = next(iter({a.question_id for a in respondent.answers}))
        answer = next(a for a in respondent.answers if a.question_id == question)
        owner_values = ["CIO", "CISO", "SHARED", "EXEC", "NONE"]
        if answer.value in owner_values:
            new_value: Any = next(v for v in owner_values if v != answer.value)
            questionnaire = catalog().get(assessment.questionnaire_id)
            answers.save_answers(
                questionnaire,
                respondent,
                [answers.Change(question, new_value, None, answer.version)],
                "test",
            )
            db.session.refresh(assessment)
            changed = reporting.report_etag(assessment)
            assert changed != base
            base = changed

        workspace = assessment.organization.workspace
        workspace.accent_color = "#aa0000"
        db.session.commit()
        assert reporting.report_etag(assessment) != base


def test_html_preview_and_exports_of_a_stored_assessment(app: Flask) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, _seed("Société Générale & Co"))
        workspace = assessment.organization.workspace
        workspace.logo, workspace.logo_mimetype = LOGO, "image/svg+xml"
        db.session.commit()
        html = reporting.report_html(assessment)
        assert "Société Générale &amp; Co" in html and "Northwind Advisory" in html
        assert 'src="data:image/svg+xml;base64,' in html  # a browser cannot load report-asset:
        for fmt, start in (("csv", b'\xef\xbb\xbf"respondent"'), ("xlsx", b"PK"), ("json", b"{")):
            exported = reporting.export_assessment(assessment, fmt)
            assert exported.data.startswith(start)
            assert exported.filename.startswith("societe-generale-co-governance-gap-")
            assert exported.filename.endswith(f".{fmt}")
            assert "filename*=UTF-8''Soci%C3%A9t%C3%A9" in exported.content_disposition
        with pytest.raises(ValueError, match="unknown export format"):
            reporting.export_assessment(assessment, "pdf")
        with pytest.raises(ValueError, match="paper"):
            reporting.report_html(assessment, "a3")


@pytest.mark.parametrize(
    ("organization", "ascii_name", "extended"),
    [
        ("Acme Ltd", "acme-ltd-governance-gap-2026-03-14.pdf", None),
        (
            "Société Générale",
            "societe-generale-governance-gap-2026-03-14.pdf",
            "Soci%C3%A9t%C3%A9-G%C3%A9n%C3%A9rale-governance-gap-2026-03-14.pdf",
        ),
        ('a"b\\c/d\r\ne', "a-b-c-d-e-governance-gap-2026-03-14.pdf", None),
        ("東京電力", "organisation-governance-gap-2026-03-14.pdf", "%E6%9D%B1"),
    ],
)
def test_download_names(organization: str, ascii_name: str, extended: str | None) -> None:
    day = date(2026, 3, 14)
    name = reporting.report_filename(organization, day, "pdf")
    assert reporting.ascii_filename(organization, day, "pdf") == ascii_name
    header = reporting.content_disposition(ascii_name, name)
    assert header.startswith(f'attachment; filename="{ascii_name}"')
    assert "\r" not in header and "\n" not in header and header.isascii()
    if extended:
        assert f"filename*=UTF-8''{extended}" in header
    else:
        assert "filename*" not in header
