"""Taking one reminder: several runs (cron, the queue's check, two of either) may look at
the same due row at once; each reminder is sent by the run whose compare-and-set of the
row's time succeeds: an action's ``reminded_at``, a respondent's ``contacted_at``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import RemediationAction, Respondent


def _compare_and_set(row: Any, column: str, now: datetime) -> bool:
    """Set the row's ``column`` to ``now`` if no other run changed it since it was read
    (committed); False when another run took it first."""
    model = type(row)
    attribute = getattr(model, column)
    last = getattr(row, column)
    unchanged = attribute.is_(None) if last is None else attribute == last
    begin_write()
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, unchanged)
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    taken = int(result.rowcount)  # type: ignore[attr-defined]
    db.session.commit()
    db.session.refresh(row)
    return taken == 1


def claim(row: RemediationAction, now: datetime) -> bool:
    """Take this round of reminders of an overdue action: its ``reminded_at`` becomes
    ``now`` unless another run changed it first."""
    return _compare_and_set(row, "reminded_at", now)


def claim_contact(respondent: Respondent, now: datetime) -> bool:
    """Take the respondent's due reminder: their ``contacted_at`` becomes ``now`` unless
    another run (or a click) gave them their link since it was read."""
    return _compare_and_set(respondent, "contacted_at", now)
