"""Random and hostile values posted to every form of the service (hypothesis).

Whatever is posted — wrong types, huge strings, unicode, NUL bytes, unknown or repeated
fields — the answer is a 2xx/3xx, or a 4xx that says what is wrong; never a 5xx.  A
refused post changes nothing in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security_world import World, build_world, sign_in, workspace_snapshot

#: Text a person could type, or paste, or a script could send.
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "{{ 7*7 }}",
            "' OR 1=1 --",
            "\u202e\u200b\ufeff",
            "🙂" * 50,
            "x" * 5000,
            "9" * 400,
            "-1",
            "1e309",
            "NaN",
            "#12345g",
            "#123456",
            "cio-ciso-governance@1",
            "cio-ciso-governance@999",
            "@",
            "CIO",
            "healthcare",
            "1000-4999",
            "viewer",
            "owner",
        ]
    ),
)
VALUES = st.one_of(HOSTILE_TEXT, st.lists(HOSTILE_TEXT, min_size=2, max_size=3))


@dataclass(frozen=True)
class Form:
    url: Callable[[World], str]
    fields: tuple[str, ...]
    #: Signed in as whom (None: anonymous).
    who: str | None = "owner"


FORMS = {
    "sign up": Form(lambda w: "/signup", ("name", "email", "password", "workspace"), None),
    "sign in": Form(lambda w: "/signin", ("email", "password"), None),
    "join": Form(lambda w: f"/join/{w.invitation_token_a}", ("name", "password"), None),
    "welcome": Form(lambda w: "/welcome", ("organization", "role")),
    "new organisation": Form(lambda w: "/organizations/new", ("name", "sector", "size")),
    "edit organisation": Form(
        lambda w: f"/organizations/{w.organization_a}/edit", ("name", "sector", "size")
    ),
    "new assessment": Form(
        lambda w: f"/assessments/new/{w.organization_a}", ("questionnaire", "title")
    ),
    "targets": Form(
        lambda w: f"/assessments/{w.assessment_a}/targets",
        ("target_strategy", "target_security", "target_data", "target_nope"),
    ),
    "add respondent": Form(
        lambda w: f"/assessments/{w.assessment_a}/respondents", ("name", "role", "email")
    ),
    "rename respondent": Form(
        lambda w: f"/assessments/{w.assessment_a}/respondents/{w.expired_respondent_a}/rename",
        ("name",),
    ),
    "include respondent": Form(
        lambda w: f"/assessments/{w.assessment_a}/respondents/{w.revoked_respondent_a}/include",
        ("counted",),
    ),
    "remove respondent": Form(
        lambda w: f"/assessments/{w.assessment_a}/respondents/{w.revoked_respondent_a}/remove",
        ("confirm",),
    ),
    "close": Form(lambda w: f"/assessments/{w.spare_assessment_a}/close", ("confirm",)),
    "re-assess": Form(lambda w: f"/assessments/{w.spare_assessment_a}/reassess", ("confirm",)),
    "invite": Form(lambda w: "/workspace/invitations", ("email", "role")),
    "branding": Form(lambda w: "/workspace/branding", ("firm_name", "accent_color", "remove_logo")),
    "section by link": Form(
        lambda w: f"/r/{w.token_a}/s/strategy",
        (
            "str_strategy_owner",
            "str_strategy_maturity",
            "v_str_strategy_owner",
            "c_str_strategy_owner",
            "str_exec_participation",
            "go",
        ),
        None,
    ),
    "section by consultant": Form(
        lambda w: f"/assessments/{w.assessment_a}/respondents/{w.respondent_a}/answer/s/context",
        ("employees", "sector", "regulated_data", "has_cio", "dual_role", "c_employees", "go"),
    ),
    "submit by link": Form(lambda w: f"/r/{w.token_a}/submit", ("submit",), None),
}
#: Statuses that mean "done" or "refused with a message".
ACCEPTED = {200, 302, 303}
REFUSED = {400, 401, 404, 409, 413, 422, 423}
MESSAGE_MARKERS = ('class="error"', 'class="flash error"', "<h1>")


def _body_for(form: Form, draw: Any) -> dict[str, Any]:
    fields = list(form.fields) + draw(st.lists(HOSTILE_TEXT, max_size=2))
    return {name: draw(VALUES) for name in fields if draw(st.booleans()) or name in form.fields}


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_post_to_any_form_is_answered_or_refused_with_a_message(
    app: Flask, data: st.DataObject
) -> None:
    world, clients = _setup(app)
    name = data.draw(st.sampled_from(sorted(FORMS)), label="form")
    form = FORMS[name]
    body = _body_for(form, data.draw)
    client = clients[form.who]
    with app.app_context():
        before = workspace_snapshot(world.workspace_a)
    response = client.post(form.url(world), data=body)
    status = response.status_code
    text = response.get_data(as_text=True)
    assert status < 500, (name, body)
    assert status in ACCEPTED | REFUSED, (name, status)
    if status in REFUSED:
        assert any(marker in text for marker in MESSAGE_MARKERS), (name, status, text[:300])
        with app.app_context():
            assert workspace_snapshot(world.workspace_a) == before, (name, status, body)


def _setup(app: Flask) -> tuple[World, dict[str | None, FlaskClient]]:
    """One world per app (hypothesis runs many examples against the same test's app)."""
    if "hostile-world" not in app.extensions:
        world = build_world(app)
        owner = app.test_client()
        sign_in(owner, world.owner)
        app.extensions["hostile-world"] = (world, {"owner": owner, None: app.test_client()})
    found: tuple[World, dict[str | None, FlaskClient]] = app.extensions["hostile-world"]
    return found


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_nul_character_in_any_field_is_refused_beside_it(app: Flask, name: str) -> None:
    """PostgreSQL cannot store or look up text with NUL: every form refuses it with a message
    (it used to be a 500 on PostgreSQL for sign-in, sign-up and every name)."""
    world, clients = _setup(app)
    form = FORMS[name]
    with app.app_context():
        before = workspace_snapshot(world.workspace_a)
    client = clients[form.who]
    response = client.post(
        form.url(world), data=dict.fromkeys(form.fields, "a\x00b"), follow_redirects=True
    )
    text = response.get_data(as_text=True)
    assert response.status_code in REFUSED | {200}, (name, response.status_code)
    assert any(marker in text for marker in MESSAGE_MARKERS), (name, text[:300])
    with app.app_context():
        assert workspace_snapshot(world.workspace_a) == before
