"""Client organisations: list, create, get."""

from __future__ import annotations

from typing import Any

from flask import url_for

from assessor.api import bp, scope
from assessor.api.auth import auth, caller, writes
from assessor.api.conventions import idempotent, page_body
from assessor.api.schemas import Organisation, OrganisationIn, OrganisationPage, PageQuery
from assessor.operations import listings, organizations

#: Where a created organisation's id leads next (OpenAPI links, for clients and schemathesis).
ORGANISATION_LINKS = {
    "GetOrganisation": {
        "operationId": "get_organisation",
        "parameters": {"organisation_id": "$response.body#/id"},
    },
    "CreateAssessment": {
        "operationId": "create_assessment",
        "requestBody": {"organisation_id": "$response.body#/id"},
    },
}


@bp.get("/organisations")
@bp.auth_required(auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(OrganisationPage)
@bp.doc(operation_id="list_organisations")
def list_organisations(query: PageQuery) -> Any:
    """The workspace's organisations, by name."""
    items, total = listings.organisations(caller().workspace_id, query.page, query.per_page)
    return page_body(items, total, query.page, query.per_page)


@bp.post("/organisations")
@bp.auth_required(auth)
@bp.input(OrganisationIn, arg_name="body")
@bp.output(Organisation, status_code=201, links=ORGANISATION_LINKS)
@bp.doc(operation_id="create_organisation", responses={409: "Idempotency-Key in use"})
@writes
@idempotent
def create_organisation(body: OrganisationIn, replay: str | None = None) -> Any:
    """Add an organisation (names are unique in a workspace: 422 when taken)."""
    if replay is not None:
        return scope.organisation(int(replay.rsplit("/", 1)[1]))
    who = caller()
    created = organizations.create_organization(
        who.workspace,
        who.user,
        name=body.name,
        sector=body.sector,
        size=body.size,
    )
    location = url_for("api.get_organisation", organisation_id=created.id)
    return created, 201, {"Location": location}


@bp.get("/organisations/<id:organisation_id>")
@bp.auth_required(auth)
@scope.existing
@bp.output(Organisation)
@bp.doc(operation_id="get_organisation")
def get_organisation(organisation_id: int) -> Any:
    """One organisation."""
    return scope.organisation(organisation_id)
