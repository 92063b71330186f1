"""What every API endpoint does alike: pages of lists, ETags on reads, idempotent creates."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, request

from assessor.api.auth import caller
from assessor.api.problems import problem
from assessor.operations import idempotency
from assessor.operations.errors import OperationError

F = TypeVar("F", bound=Callable[..., Any])
IDEMPOTENCY_HEADER = "Idempotency-Key"


def page_body(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    """A list endpoint's body: the page's items, where it is, and the next page's URL."""
    more = page * per_page < total
    query = {**request.args.to_dict(), "page": page + 1, "per_page": per_page}
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "next": f"{request.path}?{urlencode(query)}" if more else None,
    }


def etag_reads(response: Response) -> Response:
    """A successful JSON read gets a strong ETag of its body; ``If-None-Match`` with it is
    answered 304 without the body."""
    if (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "application/json"
        and not response.direct_passthrough
    ):
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
        response.make_conditional(request)
    return response


def idempotent(view: F) -> F:
    """A create that honours ``Idempotency-Key``: the same key and request again answers as
    the first time (the resource as it is now, ``Idempotent-Replayed: true``), without
    creating anything.  The view returns ``(resource, 201, {"Location": url})``; ``replay``
    (a keyword the view takes) is the earlier resource's URL, for the view to load."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view(*args, **kwargs)
        token_id = caller().token_id
        body = request.get_data()
        try:
            earlier = idempotency.claim(
                token_id, key, idempotency.fingerprint(request.method, request.path, body)
            )
        except OperationError as exc:
            return problem(exc.status, exc.message)
        if earlier is not None:
            resource = view(*args, replay=earlier.location, **kwargs)
            return (
                resource,
                earlier.status,
                {
                    "Location": earlier.location,
                    "Idempotent-Replayed": "true",
                },
            )
        try:
            answer = view(*args, **kwargs)
        except BaseException:
            idempotency.release(token_id, key)
            raise
        if isinstance(answer, tuple) and len(answer) == 3 and answer[1] == 201:
            idempotency.complete(token_id, key, 201, answer[2]["Location"])
        else:
            idempotency.release(token_id, key)
        return answer

    return wrapped  # type: ignore[return-value]
