"""Idempotency keys of the API's creates: a retried create gets the first one's answer.

A key is claimed before the create runs (a unique row per token and key, so two requests
with one key at once cannot both create), completed with where the result lives, and
forgotten when the create failed or after ``API_IDEMPOTENCY_HOURS``.  Erasing what a
create made (a respondent, say) keeps its key, so that a retried create finds the same
answer (now 404) instead of creating the person again, but not the hash of the request,
which was made of their name and address (:func:`forget_requests`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from assessor.database import begin_write
from assessor.extensions import db
from assessor.models import ApiIdempotencyKey, utcnow
from assessor.operations.errors import Conflict, InvalidInput

#: ``status`` of a key whose create is still running.
CLAIMED = 0
#: ``request_hash`` of a key whose create's result was erased: any request with the key
#: gets the first answer again.
ERASED = "erased"
#: Where the API's resources live (``assessor.api.PREFIX``).
API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Earlier:
    """The first request with this key: its status and the URL of what it created."""

    status: int
    location: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join((method.encode(), path.encode(), body))).hexdigest()


def claim(token_id: int, key: str, request_hash: str) -> Earlier | None:
    """The earlier answer to this key, or None after claiming it for this request.

    :raise InvalidInput: the key was used with another request (422).
    :raise Conflict: the first request with this key is still running (409).
    """
    if not key or len(key) > 200 or not key.isprintable():
        raise InvalidInput("An Idempotency-Key is 1 to 200 printable characters.")
    begin_write()  # SQLite: take the write lock before reading what is changed
    hours = int(current_app.config["API_IDEMPOTENCY_HOURS"])
    db.session.execute(
        delete(ApiIdempotencyKey).where(
            ApiIdempotencyKey.created_at < utcnow() - timedelta(hours=hours)
        )
    )
    found = db.session.scalar(
        select(ApiIdempotencyKey).where(
            ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key
        )
    )
    if found is None:
        db.session.add(
            ApiIdempotencyKey(
                token_id=token_id, key=key, request_hash=request_hash, status=CLAIMED, location=""
            )
        )
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            raise Conflict("A request with this Idempotency-Key is still running.") from None
        return None
    earlier = Earlier(found.status, found.location)
    db.session.commit()
    if found.request_hash not in (request_hash, ERASED):
        raise InvalidInput("This Idempotency-Key was used with another request.")
    if earlier.status == CLAIMED:
        raise Conflict("A request with this Idempotency-Key is still running.")
    return earlier


def complete(token_id: int, key: str, status: int, location: str) -> None:
    """Note what the create with this key answered."""
    _update(token_id, key, status, location)


def release(token_id: int, key: str) -> None:
    """Forget the key of a create that failed (the same key may be tried again)."""
    _update(token_id, key, None, "")


def _update(token_id: int, key: str, status: int | None, location: str) -> None:
    db.session.rollback()
    begin_write()
    found = db.session.scalar(
        select(ApiIdempotencyKey).where(
            ApiIdempotencyKey.token_id == token_id, ApiIdempotencyKey.key == key
        )
    )
    if found is not None:
        if status is None:
            db.session.delete(found)
        else:
            found.status, found.location = status, location
    db.session.commit()


def forget_requests(paths: Iterable[str]) -> None:
    """The keys of creates whose result is at or under one of ``paths`` (API paths
    without the prefix: ``/assessments/3/respondents/12``) forget the hash of their
    request; in the caller's transaction (an erasure's)."""
    places = [API_PREFIX + path for path in paths]
    if not places:
        return
    db.session.execute(
        update(ApiIdempotencyKey)
        .where(
            or_(
                ApiIdempotencyKey.location.in_(places),
                *(ApiIdempotencyKey.location.startswith(place + "/") for place in places),
            )
        )
        .values(request_hash=ERASED)
    )
