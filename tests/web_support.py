"""Helpers for the web tests: people and assessments made through the project's own verbs,
and pages read the way a person reads them (the message beside a field, a table's rows).

Requests are made without an application context held open by the test, so that each
request gets its own (``g``, the session), as it does in production; database checks open
one with :func:`in_app`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import cssselect2
import tinyhtml5
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from assessor.extensions import db
from assessor.models import Answer, AnswerHistory, Assessment, Respondent, User
from assessor.operations import accounts, assessments, organizations, submission
from assessor.operations import answers as answer_ops
from assessor.operations.catalog import catalog
from assessor.questionnaire import Questionnaire
from tests.mail_support import last_to
from tests.mail_support import link as mail_link

PASSWORD = "a sturdy passphrase 42"
QUESTIONNAIRE = "cio-ciso-governance"

#: Context answers that show the most questions: both roles exist, the CISO reports to
#: the CIO (a structural finding), EU personal data and health data are handled.
CONTEXT = {
    "employees": 420,
    "sector": "healthcare",
    "regulated_data": ["eu_personal", "health"],
    "has_cio": "yes",
    "has_ciso": "yes",
    "dual_role": "no",
    "ciso_reports_to": "cio",
    "security_board_line": "no",
    "third_party_access": "yes",
    # questionnaire v2's further context (left out for a questionnaire without them)
    "jurisdictions": ["eu"],
    "nis2_entity": "neither",
    "us_listed": "no",
    "security_assignment_written": "yes",
    "security_ceo_line": "no",
}


# --- reading pages ---------------------------------------------------------------------


def _text(element: Any) -> str:
    return " ".join("".join(element.etree_element.itertext()).split())


class Page:
    """An HTML response, parsed; CSS selectors find things on it."""

    def __init__(self, response: TestResponse) -> None:
        self.response = response
        self.html = response.get_data(as_text=True)
        self.root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(self.html))

    def all(self, css: str) -> list[Any]:
        return list(self.root.query_all(css))

    def one(self, css: str) -> Any:
        found = self.all(css)
        assert len(found) == 1, f"{css!r}: {len(found)} elements"
        return found[0]

    def texts(self, css: str) -> list[str]:
        return [_text(e) for e in self.all(css)]

    @property
    def text(self) -> str:
        """The visible text of the page's main element, whitespace collapsed."""
        return _text(self.one("main"))

    def errors_beside(self, element_id: str) -> list[str]:
        """Error messages in the field (or question) that holds the element with this id."""
        element = self.one(f"#{element_id}")
        while element is not None:
            classes = (element.etree_element.get("class") or "").split()
            if "field" in classes or "question" in classes:
                return [_text(e) for e in element.query_all(".error")]
            element = element.parent
        raise AssertionError(f"#{element_id} is not inside a field")

    def value(self, css: str) -> str | None:
        return self.one(css).etree_element.get("value")

    def unlabelled_fields(self) -> list[str]:
        """Form controls that have no label a screen reader would read."""
        labelled = {e.etree_element.get("for") for e in self.all("label[for]")}
        missing = []
        for control in self.all("input, select, textarea"):
            attrs = control.etree_element.attrib
            if attrs.get("type") in ("hidden", "submit", "button"):
                continue
            inside_label = any(a.etree_element.tag.endswith("}label") for a in control.ancestors)
            if not (
                attrs.get("id") in labelled
                or inside_label
                or attrs.get("aria-label")
                or attrs.get("aria-labelledby")
            ):
                missing.append(attrs.get("name") or attrs.get("id") or "?")
        return missing

    def dangling_references(self) -> list[str]:
        """Ids named by ``for``, ``aria-labelledby`` or ``aria-describedby`` that no element has."""
        ids = {e.etree_element.get("id") for e in self.all("[id]")}
        named = []
        for element in self.all("[for], [aria-labelledby], [aria-describedby]"):
            attrs = element.etree_element.attrib
            for name in ("for", "aria-labelledby", "aria-describedby"):
                named += attrs.get(name, "").split()
        return [i for i in named if i not in ids]

    def accessibility_problems(self) -> list[str]:
        """The basics: every control labelled, every id reference resolves, no ``="None"``."""
        problems = [f"no label: {name}" for name in self.unlabelled_fields()]
        problems += [f"no element with id {i!r}" for i in self.dangling_references()]
        problems += [
            f"attribute value None: {m}" for m in re.findall(r"[\w-]+=\"None\"", self.html)
        ]
        return problems


def link_token(page: Page) -> str:
    """The token in the personal or invitation link shown on a page."""
    link = page.value("#link") or ""
    match = re.search(r"/(?:r|join)/([^/?#]+)$", link)
    assert match, link
    return match.group(1)


# --- the app and its data --------------------------------------------------------------


@contextmanager
def in_app(app: Flask) -> Iterator[None]:
    """An application context for reading or preparing data, closed before the next request."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def questionnaire(app: Flask) -> Questionnaire:
    with app.app_context():
        return catalog().get(QUESTIONNAIRE)


def sign_up(
    client: FlaskClient,
    email: str = "olive@example.com",
    *,
    name: str = "Olive Owner",
    workspace: str = "Acme Advisory",
    password: str = PASSWORD,
    verify: bool = True,
    kind: str = "firm",
) -> TestResponse:
    """Sign up as a person does: the form, then (``verify``) sign in and use the link in
    the e-mail (it confirms only for someone signed in as the account); the sign-in's
    response.  A refused form, or an address that already has an account (its e-mail
    holds no link): the sign-up's response."""
    response = client.post(
        "/signup",
        data={
            "name": name,
            "email": email,
            "password": password,
            "workspace": workspace,
            "kind": kind,
        },
    )
    if response.status_code != 200 or not verify:
        return response
    path = mail_link(last_to(client.application, email.strip().lower()), "/verify/")
    if path is None:
        return response
    signed_in = sign_in(client, email, password)
    confirmed = client.post(path)
    assert confirmed.status_code == 302, confirmed.status_code
    client.get(confirmed.headers["Location"])  # read its "... is confirmed", as a person does
    return signed_in


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return client.post("/signin", data={"email": email, "password": password})


def user_id(app: Flask, email: str) -> int:
    with in_app(app):
        return db.session.scalars(select(User.id).where(User.email == email)).one()


@dataclass
class Stage:
    """A signed-in owner, a client organisation, an assessment, and its respondents."""

    user_id: int
    workspace_id: int
    organization_id: int
    assessment_id: int
    respondent_ids: list[int]

    @property
    def respondent_id(self) -> int:
        return self.respondent_ids[0]

    @property
    def detail(self) -> str:
        return f"/assessments/{self.assessment_id}"

    def answer_url(self, respondent_id: int | None = None) -> str:
        rid = respondent_id or self.respondent_id
        return f"/assessments/{self.assessment_id}/respondents/{rid}/answer"


def stage(
    app: Flask,
    client: FlaskClient,
    *,
    email: str = "olive@example.com",
    organization: str = "Contoso Health",
    people: tuple[tuple[str, str], ...] = (("Carla CIO", "CIO"),),
) -> Stage:
    """Sign the client up as a workspace owner and prepare an assessment through the verbs."""
    assert sign_up(client, email).status_code == 302
    with in_app(app):
        user = db.session.scalars(select(User).where(User.email == email)).one()
        workspace = user.memberships[0].workspace
        org = organizations.create_organization(
            workspace, user, name=organization, sector="health", size="250-999"
        )
        assessment = assessments.start_assessment(org, user, catalog().get(QUESTIONNAIRE))
        ids = [
            assessments.add_respondent(assessment, user, name=name, role=role).id
            for name, role in people
        ]
        return Stage(user.id, workspace.id, org.id, assessment.id, ids)


def stage_with_queue_off(app: Flask, client: FlaskClient, **kwargs: Any) -> Stage:
    """:func:`stage` with ``QUEUE_URL`` unset meanwhile: the sign-up's verification e-mail
    is read at once, so this process must send it (not an RQ worker); the queue is set
    again afterwards, for what the test does next."""
    queue, app.config["QUEUE_URL"] = app.config.get("QUEUE_URL"), None
    try:
        return stage(app, client, **kwargs)
    finally:
        app.config["QUEUE_URL"] = queue


def issue_link(app: Flask, respondent_id: int) -> str:
    """A personal link token for the respondent, issued by the assessment's owner."""
    with in_app(app):
        respondent = db.session.get(Respondent, respondent_id)
        assert respondent is not None
        return assessments.issue_link(respondent, _owner_of(respondent))


def invite(app: Flask, owner_email: str, email: str, role: str, *, emailed: bool = True) -> str:
    """What follows ``/join/`` in the link to join the owner's workspace: the e-mailed
    link's (token and proof), or with ``emailed`` False the owner's copy (no proof)."""
    with in_app(app):
        owner = db.session.scalars(select(User).where(User.email == owner_email)).one()
        issued = accounts.invite_member(owner.memberships[0].workspace, email, role, owner)
        return f"{issued.token}?proof={issued.proof}" if emailed else issued.token


def complete_answers(
    questionnaire: Questionnaire, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A value for every question: the context above, then the middle option of each."""
    given = {**CONTEXT, **(overrides or {})}
    values: dict[str, Any] = {k: v for k, v in given.items() if k in questionnaire.questions}
    for question in questionnaire.questions.values():
        if question.id in values:
            continue
        if question.kind == "text":
            values[question.id] = "Noted."
        elif question.kind == "number":
            values[question.id] = question.min or 1
        elif question.kind == "multi":
            values[question.id] = [question.all_options[0].value]
        elif question.kind == "owner":
            values[question.id] = "CIO"
        else:
            options = question.all_options
            values[question.id] = options[len(options) // 2 - 1].value
    return values


def save_answers(
    app: Flask,
    respondent_id: int,
    values: dict[str, Any],
    actor: str = "prepared by the test",
) -> None:
    """Store answers through the save verb (hidden questions are left out, as for a page)."""
    with in_app(app):
        respondent = db.session.get(Respondent, respondent_id)
        assert respondent is not None
        questionnaire = catalog().get(QUESTIONNAIRE)
        changes = [answer_ops.Change(q, v, None, None) for q, v in values.items()]
        answer_ops.save_answers(questionnaire, respondent, changes, actor, skip_hidden=True)


def _owner_of(respondent: Respondent) -> User:
    return next(
        m.user
        for m in respondent.assessment.organization.workspace.memberships
        if m.role == "owner"
    )


def submit(app: Flask, respondent_id: int) -> None:
    """Submit the respondent's answers (they then count in the results)."""
    with in_app(app):
        respondent = db.session.get(Respondent, respondent_id)
        assert respondent is not None
        submission.submit(catalog().get(QUESTIONNAIRE), respondent, "prepared by the test")


def save_and_submit(app: Flask, respondent_id: int, values: dict[str, Any]) -> None:
    """Store answers (:func:`save_answers`) and submit them."""
    save_answers(app, respondent_id, values)
    submit(app, respondent_id)


def count_so_far(app: Flask, respondent_id: int) -> None:
    """Count a respondent still answering in the results, as their consultant can."""
    with in_app(app):
        respondent = db.session.get(Respondent, respondent_id)
        assert respondent is not None
        assessments.include_respondent(respondent, _owner_of(respondent), True)


def stored(app: Flask, respondent_id: int) -> dict[str, Any]:
    """The respondent's stored answer values, by question id."""
    with in_app(app):
        rows = db.session.scalars(select(Answer).where(Answer.respondent_id == respondent_id))
        return {a.question_id: a.value for a in rows}


def history(app: Flask, respondent_id: int, question_id: str) -> list[tuple[Any, int, str]]:
    """(value, version, changed_by) of every change of one answer, oldest first."""
    with in_app(app):
        rows = db.session.scalars(
            select(AnswerHistory)
            .where(
                AnswerHistory.respondent_id == respondent_id,
                AnswerHistory.question_id == question_id,
            )
            .order_by(AnswerHistory.id)
        )
        return [(h.value, h.version, h.changed_by) for h in rows]


def assessment_status(app: Flask, assessment_id: int) -> str:
    with in_app(app):
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        return found.status


def section_form(
    questionnaire: Questionnaire,
    section_id: str,
    values: dict[str, Any],
    versions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The body a browser without JavaScript posts for one section: value, comment, version."""
    section = next(s for s in questionnaire.sections if s.id == section_id)
    data: dict[str, Any] = {}
    for question in section.questions:
        value = values.get(question.id)
        if value is not None:
            data[question.id] = [str(v) for v in value] if isinstance(value, list) else str(value)
        data[f"c_{question.id}"] = ""
        data[f"v_{question.id}"] = (versions or {}).get(question.id, "0")
    return data


def page_versions(page: Page) -> dict[str, str]:
    """The answer versions a section page carries in its hidden fields."""
    return {
        e.etree_element.get("name")[2:]: e.etree_element.get("value") or "0"
        for e in page.all('input[type=hidden][name^="v_"]')
    }


def post_section(
    client: FlaskClient,
    url: str,
    questionnaire: Questionnaire,
    section_id: str,
    values: dict[str, Any],
    go: str = "next",
) -> TestResponse:
    """Open a section page and post it with these answers, as a browser without JS does."""
    page = Page(client.get(url))
    assert page.response.status_code == 200, page.response.status_code
    data = section_form(questionnaire, section_id, values, page_versions(page))
    return client.post(url, data={**data, "go": go})


def csv_answers(text: str) -> list[dict[str, str]]:
    """The CSV export's answer rows: its first block, up to the first blank row (the other
    sheets follow as blocks of their own)."""
    import csv
    import io

    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(rows)
    block = []
    for row in rows:
        if not row:
            break
        block.append(dict(zip(header, row, strict=True)))
    return block
