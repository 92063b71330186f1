"""schemathesis against the app, from its own OpenAPI document: generated requests (and,
in stateful mode, chains of them through the document's links) with seeded tokens and
data get no server error and no response that breaks the schema.

Examples are few (``EXAMPLES``, ``STEPS``): the suite's share stays around a minute.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api_support import bearer
from tests.security_world import build_world

EXAMPLES = 12
STEPS = 8
SCENARIOS = 6
CHECKS = [not_a_server_error, response_schema_conformance]
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


@pytest.fixture
def seeded(app: Flask) -> dict[str, Any]:
    """Workspaces A and B through the operations; A's owner's read-write token and ids."""
    world = build_world(app)
    return {
        "headers": bearer(world.owner_api_token),
        "ids": {
            "organisation_id": world.organization_a,
            "assessment_id": world.assessment_a,
            "respondent_id": world.respondent_a,
        },
    }


def test_every_operation_conforms(app: Flask, seeded: dict[str, Any]) -> None:
    """Each operation with generated input, with A's owner's token: on A's seeded ids half
    of the time (else on the generated ones, mostly 404)."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @SETTINGS
        def conforms(case: Any) -> None:
            params = case.path_parameters or {}
            if params and sum(v for v in params.values() if isinstance(v, int)) % 2 == 0:
                for name in params:
                    if name in seeded["ids"]:
                        params[name] = seeded["ids"][name]
            case.call_and_validate(headers=seeded["headers"], checks=CHECKS)

        conforms()


def test_linked_operations_conform_statefully(app: Flask, seeded: dict[str, Any]) -> None:
    """Chains of calls along the document's links (create an organisation, an assessment
    in it, a respondent, their answers, results, ...)."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    machine = loaded.as_state_machine()
    assert machine.bundles, "the document declares no links to follow"

    class Authenticated(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": seeded["headers"]}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(
        Authenticated,
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
