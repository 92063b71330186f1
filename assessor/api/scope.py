"""Lookups of the caller's workspace: an id of another workspace is 404, like no id."""

from __future__ import annotations

from apiflask import abort
from sqlalchemy import select

from assessor.api.auth import caller
from assessor.extensions import db
from assessor.models import Assessment, Organization, RenderJob, Respondent


def organisation(organisation_id: int) -> Organization:
    found = db.session.scalar(
        select(Organization).where(
            Organization.id == organisation_id, Organization.workspace_id == caller().workspace_id
        )
    )
    if found is None:
        abort(404, "There is no organisation with this id in the token's workspace.")
    return found


def assessment(assessment_id: int) -> Assessment:
    found = db.session.scalar(
        select(Assessment)
        .join(Organization)
        .where(Assessment.id == assessment_id, Organization.workspace_id == caller().workspace_id)
    )
    if found is None:
        abort(404, "There is no assessment with this id in the token's workspace.")
    return found


def respondent(assessment_id: int, respondent_id: int) -> Respondent:
    """A respondent (not removed) of an assessment of the caller's workspace."""
    found = next((r for r in assessment(assessment_id).respondents if r.id == respondent_id), None)
    if found is None:
        abort(404, "There is no respondent with this id in this assessment.")
    return found


def render_job(job_id: int) -> RenderJob:
    found = db.session.scalar(
        select(RenderJob).where(
            RenderJob.id == job_id, RenderJob.workspace_id == caller().workspace_id
        )
    )
    if found is None:
        abort(404, "There is no render job with this id in the token's workspace.")
    return found
