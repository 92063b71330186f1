"""Ids out of the database's range in URLs: 404, never a 500.

Primary keys are ``INTEGER``: 32-bit on PostgreSQL, 64-bit on SQLite.
``/assessments/9223372036854775808`` used to reach the query and fail there (SQLite
``OverflowError``; PostgreSQL failed from 2**31: a 500); every route with an id now takes
it through the ``id`` converter, which answers 404 above the narrower range.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import BigInteger, Integer
from werkzeug.routing import IntegerConverter, Rule

from assessor.extensions import db
from assessor.web.ids import MAX_ID, IdConverter
from tests.security_world import World, build_world, sign_in

#: Out of range: PostgreSQL's INTEGER and SQLite's, 2**64, and a number of 5,000 digits
#: (more than Python's int() takes from a string).
TOO_LARGE = (2**31, 2**63, 2**64, 10**30, "9" * 5000)

_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _id_rules(app: Flask) -> list[Rule]:
    """The routes with a number in their URL (the id converter is one kind of int)."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


def _valid(world: World) -> dict[str, Any]:
    """A real value for every URL argument, so that only the id under test is wrong."""
    return {
        "assessment_id": world.assessment_a,
        "respondent_id": world.respondent_a,
        "organization_id": world.organization_a,
        "organisation_id": world.organization_a,
        "job_id": 1,
        "token_id": world.owner_token_id,
        "invitation_id": world.invitation_a,
        "workspace_id": world.workspace_a,
        "section_id": "context",
        "fmt": "csv",
        "token": world.token_a,
        "number": 1,  # a sign-off's number within its assessment
        "scenario_id": 1,
    }


def _url(rule: Rule, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"{rule.rule}: give test_hostile_ids a value for <{name}>"
        return str(values[name])

    return _ARGUMENT.sub(value, rule.rule)


def test_every_id_in_a_url_goes_through_the_id_converter(app: Flask) -> None:
    """A route naming a row by id (``..._id``) uses ``<id:...>``, not ``<int:...>``."""
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if name.endswith("_id") and name != "section_id":
                assert isinstance(converter, IdConverter), f"{rule.rule}: <{name}> is not <id:>"
    assert len(_id_rules(app)) >= 9


def test_the_converter_range_is_the_primary_keys_range() -> None:
    """Every primary key is a plain INTEGER (int4 on PostgreSQL), which MAX_ID is the top of;
    a table with BIGINT ids needs the converter widened (and this test changed)."""
    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns:
            assert isinstance(column.type, Integer), table.name
            assert not isinstance(column.type, BigInteger), table.name
    assert MAX_ID == 2**31 - 1


def test_ids_beyond_the_database_range_are_404_on_every_route(app: Flask) -> None:
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.owner)
    checked = 0
    for rule in _id_rules(app):
        ids = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for name in ids:
            for number in (*TOO_LARGE, MAX_ID):
                url = _url(rule, {**_valid(world), name: number})
                # The API takes the owner's token (never the session cookie).
                api = rule.rule.startswith("/api/")
                headers = {"Authorization": f"Bearer {world.owner_api_token}"} if api else {}
                for method in methods:
                    response = client.open(url, method=method, headers=headers)
                    # Werkzeug's router answers some writes to an API URL that no rule
                    # matches (an id out of range) with 405: refused before any view and
                    # any query, as a 404 is.  In range, the view answers 404.
                    wanted = (404, 405) if api and method != "GET" and number != MAX_ID else (404,)
                    assert response.status_code in wanted, (method, url[:120], response.status_code)
                    checked += 1
    # Still signed in, and the real ids still work.
    assert client.get(f"/assessments/{world.assessment_a}").status_code == 200
    assert checked >= 9 * len(TOO_LARGE)


@pytest.mark.parametrize("path", ["/assessments/-1", "/assessments/1.0", "/assessments/0x10"])
def test_ids_that_are_not_plain_digits_are_404(app: Flask, path: str) -> None:
    world = build_world(app)
    client = app.test_client()
    sign_in(client, world.owner)
    assert client.get(path).status_code == 404
