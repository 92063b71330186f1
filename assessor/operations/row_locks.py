"""PostgreSQL row locks that make a respondent's saves, their submission and changes to
who an assessment counts take turns (SQLite's BEGIN IMMEDIATE already serialises every
writer, so these do nothing there).  Always the respondent's row first, then the
assessment's."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from assessor.models import Assessment, Respondent

_respondent = Respondent.__table__
_assessment = Assessment.__table__
_LOCK_RESPONDENT = (
    select(_respondent.c.id).where(_respondent.c.id == bindparam("respondent_id")).with_for_update()
)
_LOCK_ASSESSMENT = (
    select(_assessment.c.id).where(_assessment.c.id == bindparam("assessment_id")).with_for_update()
)


def lock_respondent(connection: Connection, respondent_id: int) -> None:
    """PostgreSQL: wait for, then hold, the respondent's row lock, so that saves of one
    respondent and their submission take turns.  The lock is taken by a statement of its
    own: under read committed each statement sees what was committed before it began, so
    only statements after the wait see the work of the save that held the lock (a single
    locking query would return the answers as they were before that save)."""
    if connection.dialect.name != "sqlite":
        connection.execute(_LOCK_RESPONDENT, {"respondent_id": respondent_id})


def lock_assessment(connection: Connection, assessment_id: int) -> None:
    """PostgreSQL: wait for, then hold, the assessment's row lock (taken after the
    respondent's), so that what changes whether everyone has submitted takes turns."""
    if connection.dialect.name != "sqlite":
        connection.execute(_LOCK_ASSESSMENT, {"assessment_id": assessment_id})
