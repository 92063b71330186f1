"""A respondent's personal link, derived so that it can be shown and sent again.

The link's token is an HMAC-SHA256 of ``SECRET_KEY``, the respondent's id and a random
salt kept on the respondent (``Respondent.link_salt``).  Only the token's sha256 is
looked up (``Respondent.token_hash``, as for every link), but the service can derive the
token again: to show the link for copying, and to e-mail the same link again (a reminder)
while it works.  A new salt makes a new link, and the old one stops working.

A link made before links were derived (no salt), or before ``SECRET_KEY`` changed, still
opens by its hash until it expires or is revoked, but cannot be derived again: showing or
e-mailing a link then means making a new one.  A copy of the database alone opens no
link; with ``SECRET_KEY`` as well it does, as it opens everything else the key protects.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app

from assessor.models import Respondent
from assessor.operations.tokens import token_hash

#: What the HMAC of a respondent's link is for (no other token is derived this way).
PURPOSE = "respondent-link"


def _key() -> bytes:
    key = current_app.config["SECRET_KEY"]
    return key if isinstance(key, bytes) else str(key).encode("utf-8")


def derive(respondent_id: int, salt: str) -> str:
    """The token of the respondent's link made with ``salt``, url-safe base64 (43 characters)."""
    message = f"{PURPOSE}:{respondent_id}:{salt}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_of(respondent: Respondent) -> str | None:
    """The token of the respondent's current link when it can be derived again (made with
    a salt, under today's ``SECRET_KEY``); None without a link, or when it can't.  Says
    nothing of whether the link still works (:func:`works`)."""
    if respondent.token_hash is None or respondent.link_salt is None:
        return None
    token = derive(respondent.id, respondent.link_salt)
    return token if hmac.compare_digest(token_hash(token), respondent.token_hash) else None


def works(respondent: Respondent, now: datetime) -> bool:
    """Whether the respondent's link opens: made, not revoked, not expired, and the
    assessment not closed (as :func:`assessor.operations.respondents.live_view` decides)."""
    expires_at = respondent.token_expires_at
    return (
        respondent.token_hash is not None
        and not respondent.revoked
        and expires_at is not None
        and expires_at >= now
        and respondent.assessment.status != "closed"
    )


def copyable(respondent: Respondent, now: datetime) -> str | None:
    """The token of the respondent's link when it works and can be shown; None otherwise."""
    return token_of(respondent) if works(respondent, now) else None


def working(respondents: Iterable[Respondent], now: datetime) -> dict[int, str | None]:
    """The token of each respondent's working link, by respondent id; None for a link
    that works but can't be shown again."""
    return {r.id: token_of(r) for r in respondents if works(r, now)}


def _lasts(now: datetime) -> datetime:
    return now + timedelta(days=int(current_app.config["INVITE_DAYS"]))


def renew(respondent: Respondent, now: datetime) -> str:
    """Give the respondent a new link (a new salt), working for ``INVITE_DAYS`` from
    ``now``: their earlier link stops working.  Changes the respondent in the caller's
    write transaction; the token."""
    salt = secrets.token_urlsafe(32)
    token = derive(respondent.id, salt)
    respondent.link_salt = salt
    respondent.token_hash = token_hash(token)
    respondent.token_expires_at = _lasts(now)
    respondent.revoked = False
    respondent.contacted_at = now
    return token


def extend(respondent: Respondent, now: datetime) -> str | None:
    """The token of the respondent's link when it still works and can be derived, now
    working for ``INVITE_DAYS`` from ``now`` (the respondent is being given it again);
    None, changing nothing, when it can't be given again.  Changes the respondent in the
    caller's write transaction."""
    token = copyable(respondent, now)
    if token is not None:
        respondent.token_expires_at = max(_lasts(now), respondent.token_expires_at or now)
        respondent.contacted_at = now
    return token
