"""The ``<id:...>`` URL converter: a database id, or no such page.

Both databases keep ids in signed 64-bit integers; a larger number in a URL used to reach
the query and fail there (SQLite: ``OverflowError``, a 500).  Out of that range it cannot
name anything, so the URL matches no route: 404, like any unknown id.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest id the databases can hold (signed 64-bit).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """Digits naming a row id, 0 to :data:`MAX_ID`; anything else is 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
