"""The ``<id:...>`` URL converter: a database id, or no such page.

Primary keys are ``INTEGER`` columns: signed 32-bit on PostgreSQL, 64-bit on SQLite.  A
larger number in a URL used to reach the query and fail there (SQLite ``OverflowError``
from 2**63, PostgreSQL "integer out of range" from 2**31: a 500).  Out of the narrower
range it cannot name anything, so the URL matches no route: 404, like any unknown id.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest id an ``INTEGER`` primary key holds on every database (PostgreSQL's int4).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Digits naming a row id, 0 to :data:`MAX_ID`; anything else is 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
