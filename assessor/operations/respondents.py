"""The respondent as the answering pages see them: who, in which assessment, how far.

Every request by personal link starts by finding its respondent, so that lookup is one
prebuilt query over the respondent, its assessment and organisation, read into a plain
record (no ORM objects: loading three of them cost more than the rest of the query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from assessor.database import begin_write, read_only
from assessor.extensions import db
from assessor.models import Assessment, Organization, Respondent, utcnow
from assessor.operations.tokens import token_hash

_respondent = Respondent.__table__
_assessment = Assessment.__table__
_organization = Organization.__table__


@dataclass(frozen=True)
class RespondentView:
    """A respondent with what their pages name of the assessment and organisation."""

    id: int
    name: str
    role: str
    user_id: int | None
    last_section: str | None
    submitted_at: datetime | None
    assessment_id: int
    questionnaire_id: str
    questionnaire_version: int
    questionnaire_hash: str
    organization_name: str
    organization_sector: str | None

    @classmethod
    def of(cls, respondent: Respondent) -> RespondentView:
        """The view of a respondent already loaded (with its assessment and organisation)."""
        assessment = respondent.assessment
        organization = assessment.organization
        return cls(
            respondent.id,
            respondent.name,
            respondent.role,
            respondent.user_id,
            respondent.last_section,
            respondent.submitted_at,
            assessment.id,
            assessment.questionnaire_id,
            assessment.questionnaire_version,
            assessment.questionnaire_hash,
            organization.name,
            organization.sector,
        )


#: The view's columns in its order, then what decides whether the link is live.
BY_TOKEN = (
    select(
        _respondent.c.id,
        _respondent.c.name,
        _respondent.c.role,
        _respondent.c.user_id,
        _respondent.c.last_section,
        _respondent.c.submitted_at,
        _assessment.c.id,
        _assessment.c.questionnaire_id,
        _assessment.c.questionnaire_version,
        _assessment.c.questionnaire_hash,
        _organization.c.name,
        _organization.c.sector,
        _respondent.c.revoked,
        _respondent.c.token_expires_at,
        _assessment.c.status,
    )
    .select_from(
        _respondent.join(_assessment, _assessment.c.id == _respondent.c.assessment_id).join(
            _organization, _organization.c.id == _assessment.c.organization_id
        )
    )
    .where(_respondent.c.token_hash == bindparam("token_hash"))
)
#: How many columns of a row of :data:`BY_TOKEN` are its own (a query may add more).
WIDTH = 15
_VIEW_COLUMNS = 12


def lookup(token: str, *, reading: bool = False, writing: bool = False) -> dict[str, str] | None:
    """The parameters of :data:`BY_TOKEN` for a link's token; None for what no link is.
    ``reading``: the request only reads (a page view), so it needs no transaction
    (:func:`~assessor.database.read_only`); ``writing``: the request writes (a save), so
    it is one write transaction from this first query on (SQLite: one BEGIN IMMEDIATE,
    where a read transaction then a write transaction cost a commit and a second one)."""
    if not token or len(token) > 100:
        return None
    if reading:
        read_only()
    elif writing:
        begin_write(expire=False)
    return {"token_hash": token_hash(token)}


def live_view(row: Any) -> RespondentView | None:
    """The view a row of :data:`BY_TOKEN` holds; None when the link is revoked or expired,
    or the assessment closed."""
    revoked, expires_at, status = row[_VIEW_COLUMNS:WIDTH]
    if revoked or expires_at is None or expires_at < utcnow() or status == "closed":
        return None
    return RespondentView(*row[:_VIEW_COLUMNS])


def by_token(token: str, *, reading: bool = False, writing: bool = False) -> RespondentView | None:
    """The respondent whose live link this is; None when unknown, revoked or expired, or
    when the assessment is closed (``reading``, ``writing``: as :func:`lookup`)."""
    params = lookup(token, reading=reading, writing=writing)
    if params is None:
        return None
    row = db.session.connection().execute(BY_TOKEN, params).first()
    return None if row is None else live_view(row)
