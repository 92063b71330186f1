"""Assessments (create, list, get, close) and their respondents (create with a link, list,
revoke a link)."""

from __future__ import annotations

from typing import Any

from apiflask import abort
from flask import current_app, url_for

from assessor.api import bp, scope
from assessor.api.auth import auth, caller, require_verified, writes
from assessor.api.conventions import idempotent, page_body
from assessor.api.schemas import (
    Assessment,
    AssessmentIn,
    AssessmentPage,
    AssessmentQuery,
    PageQuery,
    Respondent,
    RespondentIn,
    RespondentPage,
)
from assessor.models import Assessment as AssessmentRow
from assessor.models import Respondent as RespondentRow
from assessor.operations import assessments, listings
from assessor.operations.catalog import catalog
from assessor.questionnaire import Questionnaire

ASSESSMENT_LINKS = {
    "GetAssessment": {
        "operationId": "get_assessment",
        "parameters": {"assessment_id": "$response.body#/id"},
    },
    "ListRespondents": {
        "operationId": "list_respondents",
        "parameters": {"assessment_id": "$response.body#/id"},
    },
    "CreateRespondent": {
        "operationId": "create_respondent",
        "parameters": {"assessment_id": "$response.body#/id"},
    },
    "GetResults": {
        "operationId": "get_results",
        "parameters": {"assessment_id": "$response.body#/id"},
    },
}
RESPONDENT_LINKS = {
    "GetAnswers": {
        "operationId": "get_answers",
        "parameters": {
            "assessment_id": "$request.path.assessment_id",
            "respondent_id": "$response.body#/id",
        },
    },
    "RevokeRespondentLink": {
        "operationId": "revoke_respondent_link",
        "parameters": {
            "assessment_id": "$request.path.assessment_id",
            "respondent_id": "$response.body#/id",
        },
    },
}


def assessment_body(assessment: AssessmentRow) -> dict[str, Any]:
    return {
        "id": assessment.id,
        "organisation_id": assessment.organization_id,
        "title": assessment.title,
        "status": assessment.status,
        "questionnaire": {
            "id": assessment.questionnaire_id,
            "version": assessment.questionnaire_version,
            "hash": assessment.questionnaire_hash,
        },
        "targets": assessment.targets or {},
        "created_at": assessment.created_at,
        "updated_at": assessment.updated_at,
        "closed_at": assessment.closed_at,
    }


def respondent_body(respondent: RespondentRow, link: str | None = None) -> dict[str, Any]:
    return {
        "id": respondent.id,
        "name": respondent.name,
        "role": respondent.role,
        "email": respondent.email,
        "submitted_at": respondent.submitted_at,
        "included": respondent.included,
        "link_revoked": respondent.revoked or respondent.token_hash is None,
        "link_expires_at": respondent.token_expires_at,
        "link": link,
    }


@bp.get("/assessments")
@bp.auth_required(auth)
@bp.input(AssessmentQuery, location="query", arg_name="query")
@bp.output(AssessmentPage)
@bp.doc(operation_id="list_assessments")
def list_assessments(query: AssessmentQuery) -> Any:
    """The workspace's assessments, newest first; ``status`` narrows them."""
    items, total = listings.assessments(
        caller().workspace_id, query.page, query.per_page, query.status
    )
    return page_body([assessment_body(a) for a in items], total, query.page, query.per_page)


@bp.post("/assessments")
@bp.auth_required(auth)
@bp.input(AssessmentIn, arg_name="body")
@bp.output(Assessment, status_code=201, links=ASSESSMENT_LINKS)
@bp.doc(operation_id="create_assessment", responses={409: "Idempotency-Key in use"})
@writes
@idempotent
def create_assessment(body: AssessmentIn, replay: str | None = None) -> Any:
    """Start an assessment of an organisation from a questionnaire (``id`` or
    ``id@version``; by default the service's default questionnaire)."""
    if replay is not None:
        return assessment_body(scope.assessment(int(replay.rsplit("/", 1)[1])))
    organisation = scope.organisation(body.organisation_id)
    questionnaire = _offered(body.questionnaire)
    created = assessments.start_assessment(
        organisation, caller().user, questionnaire, title=body.title, targets=body.targets
    )
    location = url_for("api.get_assessment", assessment_id=created.id)
    return assessment_body(created), 201, {"Location": location}


def _offered(wanted: str | None) -> Questionnaire:
    """The questionnaire ``id`` (latest published) or ``id@version`` names; 422 when none
    is offered (drafts are not)."""
    qid, _, version = (wanted or current_app.config["DEFAULT_QUESTIONNAIRE"]).partition("@")
    found = catalog().find(qid, int(version)) if version.isdigit() else None
    if not version:
        found = catalog().find(qid)
    if found is None or found.draft:
        abort(
            422,
            f"No questionnaire {wanted!r} is offered here.",
            extra_data={"field": "questionnaire"},
        )
    return found


@bp.get("/assessments/<id:assessment_id>")
@bp.auth_required(auth)
@scope.existing
@bp.output(Assessment)
@bp.doc(operation_id="get_assessment")
def get_assessment(assessment_id: int) -> Any:
    """One assessment."""
    return assessment_body(scope.assessment(assessment_id))


@bp.post("/assessments/<id:assessment_id>/close")
@bp.auth_required(auth)
@scope.existing
@bp.output(Assessment)
@bp.doc(operation_id="close_assessment")
@writes
def close_assessment(assessment_id: int) -> Any:
    """Close an assessment: its answers and who it counts no longer change."""
    assessment = scope.assessment(assessment_id)
    assessments.close_assessment(assessment, caller().user)
    return assessment_body(assessment)


@bp.get("/assessments/<id:assessment_id>/respondents")
@bp.auth_required(auth)
@scope.existing
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(RespondentPage)
@bp.doc(operation_id="list_respondents")
def list_respondents(assessment_id: int, query: PageQuery) -> Any:
    """The assessment's respondents (removed ones aside)."""
    assessment = scope.assessment(assessment_id)
    items, total = listings.respondents(assessment.id, query.page, query.per_page)
    return page_body([respondent_body(r) for r in items], total, query.page, query.per_page)


@bp.post("/assessments/<id:assessment_id>/respondents")
@bp.auth_required(auth)
@scope.existing
@bp.input(RespondentIn, arg_name="body")
@bp.output(Respondent, status_code=201, links=RESPONDENT_LINKS)
@bp.doc(
    operation_id="create_respondent",
    responses={
        403: "Read-only, or (with a link) the token owner's e-mail address is not confirmed",
        409: "Idempotency-Key in use",
    },
)
@writes
@idempotent
def create_respondent(assessment_id: int, body: RespondentIn, replay: str | None = None) -> Any:
    """Add a respondent; with ``link`` (the default) their personal link is issued and
    returned in this response only (a replayed create does not show it again).  A link
    needs the token owner's confirmed e-mail address (403 otherwise)."""
    if body.link:
        require_verified()
    if replay is not None:
        return respondent_body(scope.respondent(assessment_id, int(replay.rsplit("/", 1)[1])))
    assessment = scope.assessment(assessment_id)
    created, token = assessments.add_respondent_with_link(
        assessment, caller().user, name=body.name, role=body.role, email=body.email, link=body.link
    )
    link = url_for("answering.link_start", token=token, _external=True) if token else None
    location = url_for("api.get_respondent", assessment_id=assessment.id, respondent_id=created.id)
    return respondent_body(created, link), 201, {"Location": location}


@bp.get("/assessments/<id:assessment_id>/respondents/<id:respondent_id>")
@bp.auth_required(auth)
@scope.existing
@bp.output(Respondent)
@bp.doc(operation_id="get_respondent")
def get_respondent(assessment_id: int, respondent_id: int) -> Any:
    """One respondent."""
    return respondent_body(scope.respondent(assessment_id, respondent_id))


@bp.post("/assessments/<id:assessment_id>/respondents/<id:respondent_id>/revoke")
@bp.auth_required(auth)
@scope.existing
@bp.output(Respondent)
@bp.doc(operation_id="revoke_respondent_link")
@writes
def revoke_respondent_link(assessment_id: int, respondent_id: int) -> Any:
    """Revoke the respondent's personal link (their answers stay)."""
    respondent = scope.respondent(assessment_id, respondent_id)
    assessments.revoke_link(respondent, caller().user)
    return respondent_body(respondent)
