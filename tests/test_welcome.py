"""The respondent's welcome: the first page behind a personal link says who asked and why,
how long it takes (from the questions this respondent will see), that the answers appear
by name, and how they are kept; the consultant copies a link with one button."""

from __future__ import annotations

import math
import re

from flask import Flask
from flask.testing import FlaskClient

from assessor.extensions import db
from assessor.models import Workspace
from assessor.questionnaire.estimate import SECONDS_BY_KIND
from tests.web_support import CONTEXT, Page, Stage, in_app, issue_link, questionnaire, save_answers


def _kinds_on_the_pages(app: Flask, client: FlaskClient, token: str) -> list[str]:
    """The kind of each question the respondent's section pages show them, all sections."""
    kinds: list[str] = []
    for section in questionnaire(app).sections:
        page = Page(client.get(f"/r/{token}/s/{section.id}"))
        kinds += [
            fs.etree_element.get("data-kind") for fs in page.all("fieldset.question:not([hidden])")
        ]
    return kinds


def _questions_on_the_pages(app: Flask, client: FlaskClient, token: str) -> int:
    return len(_kinds_on_the_pages(app, client, token))


def _estimate(page: Page) -> tuple[int, int]:
    found = re.search(r"About (\d+) minutes: (\d+) questions", page.text)
    assert found, page.text
    return int(found.group(1)), int(found.group(2))


def test_the_first_page_says_who_asked_how_long_and_how_answers_are_kept(
    app: Flask, setup: Stage, token: str
) -> None:
    respondent = app.test_client()
    first = respondent.get(f"/r/{token}")
    assert first.headers["Location"] == f"/r/{token}/welcome"
    page = Page(respondent.get(f"/r/{token}/welcome"))
    assert page.response.status_code == 200
    asked = page.texts("#asked-by")[0]
    assert asked.startswith("Olive Owner of Acme Advisory is assessing")
    assert "Contoso Health" in asked and "as CIO" in asked
    data = page.texts("#data li")
    assert "appear by name in the results and the report (Carla CIO, CIO)" in data[0]
    assert "1 person with access to Acme Advisory's workspace" in data[1]
    assert "ask Olive Owner to erase them" in data[2]
    assert page.accessibility_problems() == []

    minutes, questions = _estimate(page)
    kinds = _kinds_on_the_pages(app, respondent, token)
    assert questions == len(kinds)
    # counted per kind of question, as the page says
    assert minutes == math.ceil(sum(SECONDS_BY_KIND[kind] for kind in kinds) / 60)
    assert f"counted at {SECONDS_BY_KIND['maturity']} s for a maturity question" in page.text
    assert f"{SECONDS_BY_KIND['owner']} s for a question of who is accountable" in page.text


def test_the_estimate_follows_the_answers_given(app: Flask, setup: Stage, token: str) -> None:
    respondent = app.test_client()
    before = _estimate(Page(respondent.get(f"/r/{token}/welcome")))[1]
    save_answers(app, setup.respondent_id, CONTEXT)  # EU health data: more questions
    after = _estimate(Page(respondent.get(f"/r/{token}/welcome")))[1]
    assert after == _questions_on_the_pages(app, respondent, token) and after != before
    # Once they have saved an answer themselves, the link takes them back where they were.
    saved = respondent.post(
        f"/r/{token}/autosave",
        json={"question": "str_strategy_owner", "value": "CIO", "comment": None, "version": 0},
    )
    assert saved.status_code == 200
    assert respondent.get(f"/r/{token}").headers["Location"].startswith(f"/r/{token}/s/")


def test_the_firm_name_on_reports_is_who_asked_and_is_escaped(
    app: Flask, client: FlaskClient, setup: Stage, token: str
) -> None:
    with in_app(app):
        workspace = db.session.get_one(Workspace, setup.workspace_id)
        workspace.firm_name = "<b>Bold</b> & Partners"
        db.session.commit()
    page = Page(app.test_client().get(f"/r/{token}/welcome"))
    assert "Olive Owner of <b>Bold</b> & Partners is assessing" in page.text
    assert "<b>Bold</b>" not in page.html


def test_an_organisation_assessing_itself_reads_no_consultant(
    app: Flask, setup: Stage, token: str
) -> None:
    with in_app(app):
        db.session.get_one(Workspace, setup.workspace_id).kind = "own"
        db.session.commit()
    page = Page(app.test_client().get(f"/r/{token}/welcome"))
    assert "asks you, as CIO, for your view" in page.texts("#asked-by")[0]
    assert "consultant" not in page.html.lower()


def test_a_dead_link_has_no_welcome(app: Flask, client: FlaskClient, setup: Stage) -> None:
    token = issue_link(app, setup.respondent_id)
    revoke = f"{setup.detail}/respondents/{setup.respondent_id}/revoke"
    assert client.post(revoke).status_code == 302
    assert app.test_client().get(f"/r/{token}/welcome").status_code == 404


def test_the_consultant_copies_the_link_with_one_button(
    app: Flask, client: FlaskClient, setup: Stage, token: str
) -> None:
    """The assessment page offers the respondent's working link beside a Copy button: one
    click copies it, and no new link is made (the one already sent keeps working)."""
    page = Page(client.get(setup.detail))
    rid = setup.respondent_id
    assert (page.value(f"#link-{rid}") or "").endswith(f"/r/{token}")
    button = page.one("button[data-copy]").etree_element
    assert button.get("data-copy") == f"link-{rid}" and button.get("type") == "button"
    scripts = [s.etree_element.get("src") for s in page.all("script")]
    assert scripts == ["/static/copy.js"]  # a file: the policy allows no inline script
    served = client.get("/static/copy.js")
    assert served.status_code == 200 and b"data-copy" in served.data
    served.close()
    assert app.test_client().get(f"/r/{token}/welcome").status_code == 200


def test_a_removed_member_who_issued_the_link_is_no_longer_named(
    app: Flask, client: FlaskClient, setup: Stage
) -> None:
    """Someone removed from the workspace can neither answer for the assessment nor erase
    anything: the page names the workspace's firm instead."""
    from tests.test_members import _join, _membership

    colleague = _join(app, setup, "connie@example.com")
    issued = Page(colleague.post(f"{setup.detail}/respondents/{setup.respondent_id}/link"))
    assert issued.response.status_code == 200
    path = issued.one("#link").etree_element.get("value").split("://", 1)[1].split("/", 1)[1]
    welcome = f"/{path}/welcome"
    page = Page(app.test_client().get(welcome))
    assert page.texts("#asked-by")[0].startswith("Connie Colleague of Acme Advisory")
    member = _membership(app, "connie@example.com", setup.workspace_id)
    removed = client.post(f"/workspace/members/{member}/remove", data={"confirm": "y"})
    assert removed.status_code == 302
    page = Page(app.test_client().get(welcome))
    assert page.texts("#asked-by")[0].startswith("Acme Advisory is assessing")
    assert "ask Acme Advisory to erase them" in page.texts("#data li")[2]
    assert "Connie" not in page.text
