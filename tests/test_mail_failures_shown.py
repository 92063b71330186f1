"""An e-mail the mail server refused shows on the dashboard as well as beside its
respondent: a consultant with twenty assessments learns of a reminder that failed at night
without opening the right one; a viewer, who can send nothing, is not shown them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from assessor.extensions import db
from assessor.models import Assessment, User, utcnow
from assessor.operations import assessments
from tests.mail_support import REFUSED_DOMAIN, SmtpServer, settle
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.web_support import PASSWORD, Page, in_app, invite, sign_in, sign_up, stage


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _refused_invitation(app: Flask, client: FlaskClient) -> str:
    """An owner's assessment whose respondent's address the mail server refuses: the
    invitation e-mailed to them fails.  The assessment's page address."""
    staged = stage(app, client)
    with in_app(app):
        assessment = db.session.get_one(Assessment, staged.assessment_id)
        owner = db.session.get_one(User, staged.user_id)
        rid = assessments.add_respondent(
            assessment, owner, name="Bo Bounce", role="CISO", email=f"bo@{REFUSED_DOMAIN}"
        ).id
    client.post(f"{staged.detail}/respondents/{rid}/email")
    settle(app)
    return staged.detail


def test_a_refused_e_mail_is_listed_on_the_dashboard_with_where_to_act(
    app: Flask, client: FlaskClient
) -> None:
    detail = _refused_invitation(app, client)
    page = Page(client.get("/"))
    (notice,) = page.texts("section.mail-failures")
    assert "E-mails not sent in the last 7 days" in notice
    assert f"Invitation to bo@{REFUSED_DOMAIN}" in notice
    assert "refused by the mail server: 550" in notice
    assert [a.etree_element.get("href") for a in page.all("section.mail-failures a")] == [detail]


def test_the_dashboard_forgets_a_failure_after_a_week(app: Flask, client: FlaskClient) -> None:
    _refused_invitation(app, client)
    with time_machine.travel(utcnow() + timedelta(days=8)):
        assert Page(client.get("/")).all("section.mail-failures") == []


def test_a_viewer_is_not_shown_the_failures(app: Flask, client: FlaskClient) -> None:
    _refused_invitation(app, client)
    token = invite(app, "olive@example.com", "vera@example.com", "viewer")
    viewer = app.test_client()
    joined = viewer.post(f"/join/{token}", data={"name": "Vera Viewer", "password": PASSWORD})
    assert joined.status_code == 302
    page = Page(viewer.get("/"))
    assert "Contoso Health" in page.text  # the owner's workspace, as its viewer
    assert page.all("section.mail-failures") == []


@pytest.mark.parametrize("kind", ["own", "firm"])
def test_a_verification_e_mail_that_failed_says_so_in_the_banner(
    app: Flask, client: FlaskClient, kind: str
) -> None:
    """The person waiting for their link is told it did not go, and why, instead of
    "the link we sent"; asking again says the e-mail is on its way, not that it was sent."""
    address = f"ivy@{REFUSED_DOMAIN}"
    assert sign_up(client, address, verify=False, kind=kind).status_code == 200
    settle(app)
    sign_in(client, address)
    (banner,) = Page(client.get("/account/password")).texts(".notice.verify")
    assert banner.startswith("We could not e-mail you the link to confirm your address")
    assert "refused by the mail server: 550" in banner
    assert "the link we sent" not in banner
    again = client.post("/verify/resend", follow_redirects=False)
    flashed = Page(client.get("/account/password")).texts(".flash")
    assert again.status_code == 302
    assert flashed == [f"We are e-mailing a new link to {address}; earlier links no longer work."]


def test_a_verification_e_mail_that_went_asks_to_use_it(app: Flask, client: FlaskClient) -> None:
    assert sign_up(client, "ivy@example.com", verify=False, kind="own").status_code == 200
    settle(app)
    sign_in(client, "ivy@example.com")
    (banner,) = Page(client.get("/account/password")).texts(".notice.verify")
    assert banner.startswith(
        "Confirm your e-mail address with the link we sent to ivy@example.com."
    )
