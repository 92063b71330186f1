"""Taking one round of reminders: several runs (cron, the queue's check, two of either) may
look at the same due row at once; each round is sent by the run whose compare-and-set of
the row's ``reminded_at`` succeeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import Assessment, RemediationAction


def claim(row: Assessment | RemediationAction, now: datetime) -> bool:
    """Set the row's ``reminded_at`` to ``now`` if no other run changed it since it was
    read (committed); False when another run took this round first."""
    model = type(row)
    last = row.reminded_at
    unchanged = model.reminded_at.is_(None) if last is None else model.reminded_at == last
    begin_write()
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, unchanged)
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    taken = int(result.rowcount)  # type: ignore[attr-defined]
    db.session.commit()
    db.session.refresh(row)
    return taken == 1
