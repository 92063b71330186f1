"""Lookups of the caller's workspace: an id of another workspace is 404, like no id."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

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


F = TypeVar("F", bound=Callable[..., Any])


def existing(view: F) -> F:
    """The ids in the URL name things of the caller's workspace (404 otherwise), checked
    before the request body is: an unknown id is 404 whatever is sent with it."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if "respondent_id" in kwargs:
            respondent(kwargs["assessment_id"], kwargs["respondent_id"])
        elif "assessment_id" in kwargs:
            assessment(kwargs["assessment_id"])
        elif "organisation_id" in kwargs:
            organisation(kwargs["organisation_id"])
        elif "job_id" in kwargs:
            render_job(kwargs["job_id"])
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
