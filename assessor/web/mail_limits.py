"""Rate limits of the buttons that send e-mail: per signed-in user across all of them
(``RATELIMIT_MAIL_USER``), and per recipient, a respondent or an address, whoever clicks
(``RATELIMIT_MAIL_RECIPIENT``).  A click is checked against every limit it touches before
anything is written, and counted once its e-mail is on its way: a refused click stores
nothing (no new link, no invitation, no mail log row) and says who and until when.
Counted in the limiter's storage (memory, or Redis shared by every process) under a hash
of the recipient's key: the storage never holds an e-mail address (an action's owner, a
person signing up), which erasing them could not reach."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, render_template
from flask.typing import ResponseReturnValue
from limits import RateLimitItem, parse_many

from assessor.extensions import limiter


@dataclass(frozen=True)
class Recipient:
    #: What the count is kept under: ``respondent:<id>`` or ``address:<e-mail>``.
    key: str
    #: Who, as the message names them.
    label: str


class MailLimited(Exception):
    """The click would send more e-mail than a limit allows; the text says whose limit
    and when to try again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _items(setting: str) -> list[RateLimitItem]:
    return list(parse_many(str(current_app.config[setting])))


def _wait(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Allowed:
    """A click the limits let through, to :meth:`count` once its e-mail is on its way."""

    counts: tuple[tuple[RateLimitItem, tuple[str, ...]], ...] = ()

    def count(self) -> None:
        for item, keys in self.counts:
            limiter.limiter.hit(item, *keys)


def check(user_id: int | None, recipients: Iterable[Recipient]) -> Allowed:
    """Whether one more click of ``user_id`` (None: not signed in), e-mailing each of
    ``recipients``, is within the limits; nothing is counted until :meth:`Allowed.count`
    (a click refused for another reason, a weak password say, costs nothing).

    :raise MailLimited: a limit is reached.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return Allowed()
    prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "assessor")
    counts: list[tuple[RateLimitItem, tuple[str, ...], str]] = []
    if user_id is not None:
        mine = "You have sent a lot of e-mail in a short time"
        user_key = (prefix, "mail-user", str(user_id))
        counts += [(i, user_key, mine) for i in _items("RATELIMIT_MAIL_USER")]
    for recipient in recipients:
        theirs = f"{recipient.label} has been e-mailed several times lately"
        hashed = hashlib.sha256(recipient.key.lower().encode("utf-8")).hexdigest()
        key = (prefix, "mail-to", hashed)
        counts += [(i, key, theirs) for i in _items("RATELIMIT_MAIL_RECIPIENT")]
    strategy = limiter.limiter
    for item, keys, whose in counts:
        if not strategy.test(item, *keys):
            reset_at = strategy.get_window_stats(item, *keys).reset_time
            retry = max(1, int(reset_at - time.time()))
            raise MailLimited(f"{whose}: nothing was sent. Try again in {_wait(retry)}.", retry)
    return Allowed(tuple((item, keys) for item, keys, _ in counts))


def refused(exc: MailLimited, back: str, back_label: str) -> ResponseReturnValue:
    """The page for a refused click: 429, what was refused and when to try again."""
    page = render_template(
        "error.html",
        code=429,
        message="Not sent: too many e-mails",
        detail=exc.message,
        links=[(back_label, back)],
    )
    return page, 429, {"Retry-After": str(exc.retry_after)}
