"""Bearer tokens: who an API request acts as, what it may do, and its rate limit.

A request authenticates with ``Authorization: Bearer asr_…`` only; the session cookie is
never read here (no ``current_user``).  A token acts as its owner, with the owner's role
in the token's workspace narrowed to the token's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from apiflask import HTTPTokenAuth, abort
from flask import current_app, request

from assessor.api.problems import problem
from assessor.operations import api_tokens
from assessor.operations.api_tokens import Caller
from assessor.operations.tokens import token_hash

F = TypeVar("F", bound=Callable[..., Any])

auth = HTTPTokenAuth(scheme="Bearer", description="A personal API token (workspace settings).")


@auth.verify_token
def _verify(token: str) -> Caller | None:
    return api_tokens.caller_for(token) if token else None


@auth.error_processor
def _refused(error: Any) -> Any:
    detail = "Send a valid API token: Authorization: Bearer asr_…"
    return problem(error.status_code, detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def caller() -> Caller:
    """The token's caller (the view is behind ``auth_required``)."""
    found = auth.current_user
    assert isinstance(found, Caller)  # noqa: S101 - auth_required guarantees it
    return found


def writes(view: F) -> F:
    """A view that changes something: a read-write token of an owner or consultant (403)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not caller().can_write:
            return problem(
                403,
                "This token may only read: it is read-only, or its owner is a viewer.",
            )
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


#: Why a caller whose owner has not confirmed their address is refused (403).
UNVERIFIED = (
    "Confirm the token owner's e-mail address first (the link we e-mailed them): "
    "respondents' links, the PDF report and exports wait for it."
)


def require_verified() -> None:
    """403 (a problem) unless the token's owner has confirmed their e-mail address: what
    reaches people outside the workspace (a respondent's link, the report, an export)
    waits for it, as on the web (``access.verified_required``)."""
    if caller().user.email_verified_at is None:
        abort(403, UNVERIFIED)


def verified(view: F) -> F:
    """A view only a caller whose owner confirmed their address may use (403)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        require_verified()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def rate_key() -> str:
    """The rate-limit key of a request: its token (hashed), else its address."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "api-token:" + token_hash(header[7:].strip())
    return "api-address:" + (request.remote_addr or "unknown")


def rate_limit() -> str:
    return str(current_app.config["RATELIMIT_API"])
