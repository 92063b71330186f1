"""Who answers for which respondent: the seat of a personal link or of a consultant, with
the rate limits of the routes by link and the addresses of a seat's pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assessor.extensions import limiter
from assessor.operations import answers as ops
from assessor.operations import respondents
from assessor.operations.catalog import questionnaire_for
from assessor.operations.respondents import RespondentView
from assessor.questionnaire import Questionnaire, Section
from assessor.web import access
from assessor.web.errors import LinkNotWorking


def link_limited(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Rate limits of the routes by personal link, counted per address across all of them:
    a 404 (no live link by that token) counts against ``RATELIMIT_LINK`` on every request,
    and past it the address gets 429s on every link route; a POST (an answer, a page of
    answers, a submission: what a link can write) counts against ``RATELIMIT_LINK_USE``,
    and past it the address gets 429s on every POST by link (its pages still open).

    Reading a page by a live link is not counted: it writes nothing, and costs less than
    the storage round trip a count would add to it.  A 404 is counted once it is answered,
    so requests sent in parallel can pass the check before any of them counts: guessing
    gets the limit plus the server's concurrency (a few more guesses at a 256-bit token)
    before it is refused."""
    failed = limiter.shared_limit(
        lambda: str(current_app.config["RATELIMIT_LINK"]),
        scope="respondent-link-misses",
        deduct_when=lambda response: response.status_code == 404,
    )
    writes = limiter.shared_limit(
        lambda: str(current_app.config["RATELIMIT_LINK_USE"]),
        scope="respondent-link-use",
        methods=["POST"],
    )
    return writes(failed(view))


def user_limited(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Saves by a signed-in user (a POST to an answering route: an answer, a page of
    answers, a submission), counted per user across every respondent they answer for,
    against ``RATELIMIT_USER_SAVES``; past it, 429s on those POSTs.  Goes inside the
    access check, so that only a signed-in editor is counted."""
    return limiter.shared_limit(
        lambda: str(current_app.config["RATELIMIT_USER_SAVES"]),
        scope="user-saves",
        key_func=lambda: f"user:{current_user.id}",
        methods=["POST"],
    )(view)


@dataclass(frozen=True)
class Seat:
    """Who is answering for which respondent, and how to address their pages."""

    respondent: RespondentView
    questionnaire: Questionnaire
    actor: str
    #: Either {"token": ...} or {"assessment_id": ..., "respondent_id": ...}.
    keys: dict[str, Any]
    by_link: bool
    #: The respondent themselves (by link, or assessing their own organisation), not a
    #: consultant answering for them: only their own saves move their resume point.
    own: bool

    @cached_property
    def _start(self) -> str:
        prefix = "link_" if self.by_link else "consultant_"
        return url_for(f"answering.{prefix}start", **self.keys)

    def url(self, view: str, section_id: str | None = None) -> str:
        """The address of one of the seat's pages: every route of a seat lies below its
        start (``/s/<section_id>``, ``/autosave``, ``/submit``); section ids are slugs, so
        the address is built once per request, not once per link."""
        if view == "page":
            return f"{self._start}/s/{section_id}"
        return f"{self._start}/{view}"


def pinned(respondent: RespondentView) -> Questionnaire:
    """The respondent's questionnaire, as their assessment started with it (a page that
    says which, with 410, when it can't be loaded: see web/errors.py)."""
    return questionnaire_for(
        respondent.questionnaire_id,
        respondent.questionnaire_version,
        respondent.questionnaire_hash,
    )


def link_seat(token: str, respondent: RespondentView | None = None) -> Seat:
    """The seat of a personal link (``respondent``: already looked up by its token)."""
    if respondent is None:
        posted = request.method == "POST"
        if posted:
            # The whole body first: a POST by link is a write transaction from its lookup
            # on (SQLite: the one write lock), which a slow upload must not hold.
            request.get_data(cache=True)
        respondent = respondents.by_token(token, reading=not posted, writing=posted)
        if respondent is None and posted:
            ops.write_nothing()
    if respondent is None:
        raise LinkNotWorking()
    return Seat(
        respondent,
        pinned(respondent),
        f"{respondent.name} (personal link)",
        {"token": token},
        True,
        True,
    )


def consultant_seat(assessment_id: int, respondent_id: int) -> Seat:
    assessment = access.assessment_or_404(assessment_id)
    respondent = RespondentView.of(access.respondent_or_404(assessment, respondent_id))
    if assessment.status == "closed":
        abort(404)
    own = respondent.user_id == current_user.id
    # Someone answering for another: a consultant, or in an organisation's own workspace
    # a colleague (the answer history and the audit name them so).
    standing_in = "on their behalf" if access.own() else "consultant"
    return Seat(
        respondent,
        pinned(respondent),
        current_user.name if own else f"{current_user.name} ({standing_in})",
        {"assessment_id": assessment_id, "respondent_id": respondent_id},
        False,
        own,
    )


def section(seat: Seat, section_id: str | None) -> Section:
    sections = seat.questionnaire.sections
    if section_id is None:
        wanted = seat.respondent.last_section
        return next((s for s in sections if s.id == wanted), sections[0])
    found = next((s for s in sections if s.id == section_id), None)
    if found is None:
        abort(404)
    return found
