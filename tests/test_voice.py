"""The consultant's voice as operations (issue 15): the summary edited and reset, a
finding's status (not applicable lifts its cap, risk accepted keeps it), a fact settled
through the engine's overlay, and the sign-off that goes stale; each audited, none
writing an answer."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import Answer, Assessment, AuditEvent, ReportReview, User
from assessor.operations import kept_results, reporting, reviews, voice
from assessor.reports.context import build_context
from tests.voice_support import disputed
from tests.web_support import Stage, in_app

#: The critical regulatory finding that caps the headline at 59 (health data: HIPAA).
CRITICAL = "DAT-7:practice"


def _load(setup: Stage) -> tuple[Assessment, User]:
    assessment = db.session.get(Assessment, setup.assessment_id)
    user = db.session.get(User, setup.user_id)
    assert assessment is not None and user is not None
    return assessment, user


def _answers() -> list[tuple[int, str, object]]:
    rows = db.session.execute(select(Answer.respondent_id, Answer.question_id, Answer.value))
    return sorted((r, q, v) for r, q, v in rows)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def setup(app: Flask, client: FlaskClient) -> Stage:
    return disputed(app, client)


def test_the_summary_is_edited_then_reset_to_the_generated_one(app: Flask, setup: Stage) -> None:
    with in_app(app):
        assessment, user = _load(setup)
        result = kept_results.delivered(assessment).result
        generated = voice.generated_summary(assessment, result)
        assert generated.startswith("Contoso Health scores")
        voice.edit_summary(assessment, "First  paragraph\nwraps.\n\n\nSecond <b>one</b>.", user)
        said = voice.voice_of(assessment, result, kept_results.delivered(assessment).questionnaire)
        assert said.summary == "First paragraph wraps.\n\nSecond <b>one</b>."
        _, inputs = reporting.scored_report(assessment, "a4")
        assert inputs.voice is not None
        assert inputs.voice["paragraphs"] == ["First paragraph wraps.", "Second <b>one</b>."]
        voice.reset_summary(assessment, user)
        _, inputs = reporting.scored_report(assessment, "a4")
        assert inputs.voice is None  # nothing edited: the report's cache key is as before
        assert _actions()[-2:] == ["summary-edited", "summary-reset"]


def test_not_applicable_lifts_the_findings_cap_and_risk_accepted_keeps_it(
    app: Flask, setup: Stage
) -> None:
    with in_app(app):
        assessment, user = _load(setup)
        before = _answers()
        cap = kept_results.delivered(assessment).result["cap"]
        assert (cap["limit"], cap["severity"]) == (59, "critical")

        accepted = voice.Judgement(
            "risk_accepted", reason="Budget next year", accepted_by="Dana CFO", response="Agreed."
        )
        voice.judge(assessment, CRITICAL, accepted, user)
        assert kept_results.delivered(assessment).result["cap"] == cap

        voice.judge(
            assessment, CRITICAL, voice.Judgement("not_applicable", reason="No US patients"), user
        )
        shown = kept_results.delivered(assessment)
        assert shown.overlaid
        assert (shown.result["cap"]["limit"], shown.result["cap"]["severity"]) == (79, "high")
        # still listed, with the status beside it
        assert CRITICAL in [f["key"] for f in shown.result["findings"]]
        said = voice.voice_of(assessment, shown.result, shown.questionnaire)
        assert said.statuses[CRITICAL].label == "Not applicable"
        # the reason of a former risk acceptance does not linger as "accepted by"
        assert said.statuses[CRITICAL].accepted_by == ""
        assert _answers() == before
        assert "Dana CFO" not in repr([e.detail for e in db.session.scalars(select(AuditEvent))])
        event = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "finding-status")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None
        assert (
            event.detail["before"] == "risk_accepted" and event.detail["status"] == "not_applicable"
        )
        voice.judge(
            assessment, "SEC-1:practice", voice.Judgement("not_applicable", reason="x"), user
        )
        result, inputs = reporting.scored_report(assessment, "a4")
        printed = {f["title"]: f["voice"] for f in build_context(result, inputs)["findings"]}
        lifts = {
            f["key"]: printed[f["title"]]["lifts_cap"]
            for f in result["findings"]
            if printed[f["title"]] is not None
        }
        assert lifts == {CRITICAL: True, "SEC-1:practice": False}  # SEC-1 is immaturity


def test_a_status_that_needs_a_reason_is_refused_without_one() -> None:
    with pytest.raises(ValueError, match="reason"):
        voice.Judgement("not_applicable")
    with pytest.raises(ValueError, match="accepted"):
        voice.Judgement("risk_accepted", reason="cost")
    with pytest.raises(ValueError, match="status"):
        voice.Judgement("closed")


def test_a_settled_fact_rescores_through_the_overlay_never_as_answers(
    app: Flask, setup: Stage
) -> None:
    with in_app(app):
        assessment, user = _load(setup)
        before = _answers()
        result = kept_results.delivered(assessment).result
        [fact] = result["unresolved_facts"]
        choices = voice.fact_choices(fact)
        assert [c.given_by for c in choices] == [("Carla CIO (CIO)",), ("Sam CISO (CISO)",)]
        with pytest.raises(voice.NotAChoice):
            voice.settle(assessment, fact, 5, "because", user)

        # The CIO is right: health data, so HIPAA applies (the engine's overlay).
        assert "HIPAA" not in result["regulations"]
        voice.settle(assessment, fact, 0, "Seen the patient records system.", user)
        shown = kept_results.delivered(assessment)
        assert shown.result["unresolved_facts"] == []
        assert "HIPAA" in shown.result["regulations"]
        assert _answers() == before
        said = voice.voice_of(assessment, shown.result, shown.questionnaire)
        [settled] = said.settled
        assert settled.label.endswith("Health information about patients or members")
        assert settled.reason == "Seen the patient records system."
        # It can be settled again, on the other answer, from the same dispute.
        again = voice.unresolved_fact(assessment, "regulated_data")
        assert again == fact
        voice.settle(assessment, again, 1, "The records moved to the insurer in 2025.", user)
        assert "HIPAA" not in kept_results.delivered(assessment).result["regulations"]
        assert voice.unsettle(assessment, "regulated_data", user)
        assert kept_results.delivered(assessment).result["unresolved_facts"] != []
        assert _actions()[-3:] == ["fact-settled", "fact-settled", "fact-unsettled"]


def test_a_closed_assessment_s_kept_result_takes_the_overlay(app: Flask, setup: Stage) -> None:
    from assessor.operations import assessments

    with in_app(app):
        assessment, user = _load(setup)
        assessments.close_assessment(assessment, user)
        kept = kept_results.current(assessment.id)
        assert kept is not None
        fact = voice.unresolved_fact(assessment, "regulated_data")
        voice.settle(assessment, fact, 0, "Confirmed with the DPO.", user)
        shown = kept_results.delivered(assessment)
        assert shown.kept is not None and shown.overlaid
        assert shown.result["unresolved_facts"] == []
        assert "HIPAA" in shown.result["regulations"]
        # the stored row is as it was
        again = kept_results.current(assessment.id)
        assert again is not None and again.number == kept.number and again.result == kept.result


def test_a_review_freezes_the_report_and_goes_stale_on_a_change(app: Flask, setup: Stage) -> None:
    with in_app(app):
        assessment, user = _load(setup)
        voice.edit_summary(assessment, "The board should read this first.", user)
        row = reviews.sign_off(assessment, "Olive  Owner", date(2026, 12, 6), user)
        assert row.number == 1 and row.reviewer == "Olive Owner"
        assert row.pdf.startswith(b"%PDF")
        live = reporting.report_pdf(assessment)
        assert live.cached and live.data == row.pdf  # the live report is the one reviewed
        assert reviews.frozen_edits(row)["summary"] == "The board should read this first."
        shown = kept_results.delivered(assessment)
        said = voice.voice_of(assessment, shown.result, shown.questionnaire)
        assert said.review is not None and not said.review.stale
        _, inputs = reporting.scored_report(assessment, "a4")
        assert inputs.voice is not None
        assert inputs.voice["review"] == {
            "reviewer": "Olive Owner",
            "date": "2026-12-06",
            "stale": False,
        }

        voice.judge(assessment, CRITICAL, voice.Judgement("in_progress", response="Started."), user)
        shown = kept_results.delivered(assessment)
        said = voice.voice_of(assessment, shown.result, shown.questionnaire)
        assert said.review is not None and said.review.stale
        reviews.sign_off(assessment, "Olive Owner", date(2026, 12, 7), user)
        shown = kept_results.delivered(assessment)
        said = voice.voice_of(assessment, shown.result, shown.questionnaire)
        assert said.review is not None and said.review.number == 2 and not said.review.stale
        assert db.session.scalar(select(func.count(ReportReview.id))) == 2
        assert _actions().count("report-reviewed") == 2


def test_erasing_a_respondent_erases_the_reviews_that_print_them(app: Flask, setup: Stage) -> None:
    from assessor.models import Respondent
    from assessor.operations import erasure

    with in_app(app):
        assessment, user = _load(setup)
        reviews.sign_off(assessment, "Olive Owner", date(2026, 12, 6), user)
        assert _rows_of(ReportReview) == 1
        respondent = db.session.get(Respondent, setup.respondent_ids[1])
        assert respondent is not None
        erasure.erase_respondent(respondent, user)
        assert _rows_of(ReportReview) == 0


def _rows_of(model: object) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]
