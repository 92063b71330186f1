"""The self-assessment path: a workspace is a firm's or an organisation's own, chosen at
sign-up and changeable by its owner; an IT leader on their own organisation reads "your
organisation", is offered "Invite your CISO" (or CIO), and never reads "consultant" or
"client": on any page they can reach (every GET route of the app), in a message after
anything they do, in the PDF report, the exports or any e-mail the path sends (through a
real SMTP server)."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from itertools import product
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.test import TestResponse

from assessor.extensions import db
from assessor.models import (
    Assessment,
    Membership,
    RemediationAction,
    RenderJob,
    Respondent,
    User,
    WhatIfScenario,
    Workspace,
)
from tests.mail_support import SmtpServer, body, last_to, link, received
from tests.mail_support import smtp_server as smtp_server  # noqa: F401  (fixture)
from tests.voice_support import BOTH, CISO_DATA, disputed
from tests.web_support import (
    PASSWORD,
    Page,
    complete_answers,
    history,
    in_app,
    questionnaire,
    save_and_submit,
    save_answers,
    sign_in,
    sign_up,
)
from tests.words_support import occurrences, pdf_text, response_text

#: What nobody on an organisation's own path reads (as words, in any case).
NOT_THEIRS = re.compile(r"\b(consultants?|clients?)\b", re.IGNORECASE)


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_server: SmtpServer) -> dict[str, Any]:
    return {**app_config, **smtp_server.config()}


def _sign_up_own(client: FlaskClient, kind: str = "own") -> None:
    """Sign up (verifying the address, then signing in): the first sign-in offers to
    assess one's own organisation."""
    response = sign_up(
        client,
        "ivy@northwind.example",
        name="Ivy Leader",
        workspace="Northwind Health",
        kind=kind,
    )
    assert response.headers["Location"] == "/welcome"


def _assess_self(client: FlaskClient, role: str) -> str:
    started = client.post("/welcome", data={"organization": "Northwind Health", "role": role})
    assert started.status_code == 302
    return started.headers["Location"]


def _pages_of_the_path(app: Flask, client: FlaskClient) -> dict[str, Page]:
    with in_app(app):
        assessment_id = db.session.scalars(select(Assessment.id)).one()
    answer = f"/assessments/{assessment_id}/respondents/1/answer"
    urls = [
        "/",
        "/welcome",
        "/organizations",
        "/organizations/new",
        f"/assessments/{assessment_id}",
        f"{answer}/s/context",
        f"{answer}/submit",
        f"/assessments/{assessment_id}/results",
        "/workspace",
    ]
    pages = {url: Page(client.get(url)) for url in urls}
    for url, page in pages.items():
        assert page.response.status_code == 200, url
    return pages


def test_an_it_leader_on_their_own_organisation_reads_no_consultant(
    app: Flask, client: FlaskClient
) -> None:
    _sign_up_own(client)
    with in_app(app):
        assert db.session.scalars(select(Workspace.kind)).one() == "own"
    _assess_self(client, "CIO")
    pages = _pages_of_the_path(app, client)
    for url, page in pages.items():
        assert "consultant" not in page.text.lower(), url  # what a person reads
        if url != "/workspace":  # where the owner chooses between the two kinds
            assert "client" not in page.text.lower(), url
    assert "Your organisation" in pages["/"].texts("h2")
    assert "Your organisation" in pages["/"].texts("nav a")
    detail = next(p for u, p in pages.items() if u.startswith("/assessments/") and u[13:].isdigit())
    assert detail.texts("#add-respondent") == ["Invite your CISO"]
    assert detail.one("#role option[selected]").etree_element.get("value") == "CISO"


def test_a_ciso_is_offered_to_invite_their_cio(app: Flask, client: FlaskClient) -> None:
    _sign_up_own(client)
    _assess_self(client, "CISO")
    with in_app(app):
        assessment_id = db.session.scalars(select(Assessment.id)).one()
    page = Page(client.get(f"/assessments/{assessment_id}"))
    assert page.texts("#add-respondent") == ["Invite your CIO"]
    invited = client.post(
        f"/assessments/{assessment_id}/respondents",
        data={"name": "Carl Cio", "role": "CIO", "email": ""},
    )
    assert invited.status_code == 302


def test_a_consultant_keeps_client_organisations(app: Flask, client: FlaskClient) -> None:
    _sign_up_own(client, kind="firm")
    page = Page(client.get("/"))
    assert "Client organisations" in page.texts("h2")
    assert "Add a client organisation" in Page(client.get("/welcome")).text


def test_the_owner_changes_the_kind(app: Flask, client: FlaskClient) -> None:
    _sign_up_own(client, kind="firm")
    assert client.post("/workspace/kind", data={"kind": "own"}).status_code == 302
    assert "Your organisation" in Page(client.get("/organizations")).texts("h1")
    refused = client.post("/workspace/kind", data={"kind": "empire"}, follow_redirects=True)
    assert "Choose client organisations or your own organisation." in Page(refused).text
    with in_app(app):
        assert db.session.scalars(select(Workspace.kind)).one() == "own"


def test_an_unverified_it_leader_answers_but_confirms_before_the_pdf(
    app: Flask, client: FlaskClient
) -> None:
    """Before the e-mailed link is used: answering and results, yes; the PDF (an export),
    no, with a page that says why and sends the link again; after it, the PDF."""
    signed_up = sign_up(
        client,
        "ivy@northwind.example",
        name="Ivy Leader",
        workspace="Northwind",
        kind="own",
        verify=False,
    )
    assert signed_up.status_code == 200
    assert sign_in(client, "ivy@northwind.example").status_code == 302
    answer = _assess_self(client, "CIO")
    with in_app(app):
        assessment_id = db.session.scalars(select(Assessment.id)).one()
        respondent_id = db.session.scalars(select(Respondent.id)).one()
    assert client.get(answer).status_code in (200, 302)
    save_and_submit(app, respondent_id, complete_answers(questionnaire(app)))
    assert client.get(f"/assessments/{assessment_id}/results").status_code == 200

    refused = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert refused.status_code == 403
    page = Page(refused)
    assert "the report (its PDF and its preview)" in page.text
    assert page.all("main form[action='/verify/resend']"), "no way to send the link again"
    before = len(received(app, "ivy@northwind.example"))
    assert client.post("/verify/resend").status_code == 302
    assert len(received(app, "ivy@northwind.example")) == before + 1
    path = link(last_to(app, "ivy@northwind.example"), "/verify/")
    assert path is not None and client.post(path).status_code == 302

    pdf = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


# --- every page, message, report, export and e-mail of the own path ------------------------

#: Routes that serve files of code, not words (the stylesheet, scripts, the API docs' assets).
FILES = ("static", "api_docs.asset")
#: The pages where someone creating an account, or an account left with no workspace,
#: chooses between the two kinds of workspace: they name both, before there is a workspace
#: to follow.
CHOOSING = ("auth.sign_up", "settings.new_workspace")
#: Routes an anonymous visitor uses with a link from an e-mail (a respondent, someone
#: invited to the team, a reset or verification link).
BY_LINK = ("answering.link_", "auth.join", "account.reset", "account.verify")
#: What the own path gets where it is not 200.
STATUS = {
    "portfolio.index": 404,  # a firm's view of its clients: not served to an own workspace
    "account.verify": 404,  # the link was used at sign-up
    "settings.logo": 404,  # no logo uploaded
}
#: Once the assessment is closed, nobody answers: its seats and links are gone.
CLOSED = ("answering.",)


def _kind_choice(element: Any) -> bool:
    """The owner's choice between the two kinds of workspace (it names both)."""
    return str(element.attrib.get("action", "")).endswith("/workspace/kind")


@dataclass
class OwnPath:
    """An own workspace with everything its pages can show: two respondents who disagree on
    a fact (settled), a finding's status, an edited summary, an action with a reminder, a
    kept what-if, a sign-off, a colleague, a pending invitation and an API token."""

    assessment: int = 0
    organization: int = 0
    respondents: tuple[int, ...] = ()
    sam_link: str = ""
    finding: str = ""
    action: int = 0
    scenario: int = 0
    ed_membership: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    #: Where the words were found, in what the POSTs answered (pages and flashes).
    heard: list[str] = field(default_factory=list)
    #: Every flash message shown after a POST, in order.
    flashes: list[str] = field(default_factory=list)


def _post(
    path: OwnPath, client: FlaskClient, url: str, data: dict[str, Any] | None = None
) -> TestResponse:
    """POST as a browser does, follow to the page shown next, and read it and its flash."""
    response = client.post(url, data=data or {}, follow_redirects=True)
    assert response.status_code < 500, (url, response.status_code)
    if response.mimetype == "text/html":
        path.flashes += Page(response).texts(".flash")
    path.heard += occurrences(NOT_THEIRS, f"POST {url}", response_text(response, skip=_kind_choice))
    return response


def _token(message: Any, prefix: str) -> str:
    found = link(message, prefix)
    assert found is not None, (message["Subject"], prefix)
    # The page the link opens, whatever it carries after it (the e-mailed proof of a
    # team invitation's address).
    return found.removeprefix(prefix).split("?")[0]


def _stage_own_path(app: Flask, client: FlaskClient, smtp: SmtpServer) -> OwnPath:
    path = OwnPath()
    _sign_up_own(client)
    path.tokens["verify"] = _token(smtp.to("ivy@northwind.example")[0], "/verify/")
    _assess_self(client, "CIO")
    with in_app(app):
        path.assessment = db.session.scalars(select(Assessment.id)).one()
        path.organization = db.session.scalars(select(Assessment.organization_id)).one()
    detail = f"/assessments/{path.assessment}"
    _post(
        path,
        client,
        f"{detail}/respondents",
        {"name": "Sam Ciso", "role": "CISO", "email": "sam@northwind.example"},
    )
    with in_app(app):
        ivy, sam = db.session.scalars(select(Respondent.id).order_by(Respondent.id)).all()
    path.respondents = (ivy, sam)
    _post(path, client, f"{detail}/respondents/{sam}/email")

    # Ivy answers and submits for herself; a reminder reaches Sam, who answers otherwise
    # on one fact and submits by his link.
    form = questionnaire(app)
    save_answers(app, ivy, complete_answers(form, BOTH))
    _post(path, client, f"{detail}/respondents/{ivy}/answer/submit")
    _post(path, client, f"{detail}/reminders/send")
    _post(path, client, f"{detail}/reminders", {"days": "3"})
    path.sam_link = link(last_to(app, "sam@northwind.example"), "/r/") or ""
    sam_client = app.test_client()
    assert sam_client.get(path.sam_link).status_code == 302
    # Ivy fills in one answer for Sam before he does (as a colleague may).
    for_sam = {"question": "str_strategy_owner", "value": "CISO", "version": 0}
    assert (
        client.post(f"{detail}/respondents/{sam}/answer/autosave", json=for_sam).status_code == 200
    )
    save_answers(app, sam, complete_answers(form, {**BOTH, "regulated_data": CISO_DATA}))
    _post(path, sam_client, f"{path.sam_link}/submit")
    late = sam_client.post(f"{path.sam_link}/autosave", json={**for_sam, "version": 2})
    assert late.status_code == 423  # Locked
    path.heard += occurrences(NOT_THEIRS, "autosave after submitting", response_text(late))
    _post(path, client, f"{detail}/reminders/send")  # nobody left to remind

    # The voice: a settled fact, a finding's status, the summary; an action and its reminder.
    results = Page(client.get(f"{detail}/results"))
    href = results.all("a[href*='finding-status?finding=']")[0].etree_element.get("href")
    path.finding = href.split("finding=", 1)[1]
    _post(path, client, f"{detail}/settle?fact=regulated_data", {"choice": "0", "reason": "Seen."})
    _post(
        path,
        client,
        f"{detail}/finding-status?finding={path.finding}",
        {
            "status": "risk_accepted",
            "reason": "Insured.",
            "accepted_by": "Dana Finance",
            "response": "We accept it for a year.",
            "note": "Revisit at renewal.",
        },
    )
    _post(path, client, f"{detail}/summary", {"text": "Our own summary."})
    _post(
        path,
        client,
        f"{detail}/actions/track?finding={path.finding}",
        {
            "owner_name": "Otto Owner",
            "owner_email": "otto@northwind.example",
            "due_date": "2026-01-31",
            "status": "in_progress",
            "evidence": "A plan.",
        },
    )
    with in_app(app):
        path.action = db.session.scalars(select(RemediationAction.id)).one()
    _post(path, client, f"/actions/{path.action}/remind")

    # A kept what-if, printed in the report; a sign-off.
    sandbox = Page(client.get(f"{detail}/what-if"))
    chosen = {"name": "Security reports to the CEO", "in_report": "y"}
    for select_ in sandbox.all("select[name^='lever_'], select[name^='target_']"):
        values = [o.etree_element.get("value") for o in select_.query_all("option")]
        chosen[select_.etree_element.get("name")] = next(v for v in values if v)
    _post(path, client, f"{detail}/what-if/save", chosen)
    with in_app(app):
        path.scenario = db.session.scalars(select(WhatIfScenario.id)).one()
    _post(path, client, f"{detail}/review", {"reviewer": "Ivy Leader", "reviewed_on": "2026-12-06"})

    # The team: a colleague joins as editor, another invitation waits; roles change.
    _post(
        path,
        client,
        "/workspace/invitations",
        {"email": "ed@northwind.example", "role": "consultant"},
    )
    joining = link(last_to(app, "ed@northwind.example"), "/join/")  # with its e-mailed proof
    assert joining is not None
    ed = app.test_client()
    path.heard += occurrences(NOT_THEIRS, "GET /join", response_text(ed.get(joining)))
    _post(path, ed, joining, {"name": "Ed Editor", "password": PASSWORD})
    _post(
        path, client, "/workspace/invitations", {"email": "vi@northwind.example", "role": "viewer"}
    )
    path.tokens["join"] = _token(last_to(app, "vi@northwind.example"), "/join/")
    with in_app(app):
        path.ed_membership = db.session.scalars(
            select(Membership.id).join(User).where(User.email == "ed@northwind.example")
        ).one()
    role_url = f"/workspace/members/{path.ed_membership}/role"
    for role in ("viewer", "consultant", "emperor"):
        _post(path, client, role_url, {"role": role})
    _post(path, client, "/workspace/leave", {"confirm": "y"})  # the last owner stays

    # An API token, and a password reset asked for by e-mail.
    made = _post(path, client, "/workspace/tokens", {"name": "Our GRC tool", "scope": "read"})
    path.tokens["api"] = Page(made).value("#link") or ""
    _post(path, app.test_client(), "/reset", {"email": "ivy@northwind.example"})
    path.tokens["reset"] = _token(last_to(app, "ivy@northwind.example"), "/reset/")
    return path


def _arguments(path: OwnPath, app: Flask, endpoint: str, name: str) -> list[Any]:
    """The values a route's argument takes on the own path (every respondent, section and
    export format)."""
    if name == "token":
        if endpoint.startswith("answering.link_"):
            return [path.sam_link.removeprefix("/r/")]
        return [path.tokens[endpoint.split(".")[1]]]
    if name == "fmt":
        return ["csv", "json", "xlsx"]
    if name == "section_id":
        return [s.id for s in questionnaire(app).sections]
    if name == "respondent_id":
        return list(path.respondents)
    if name == "job_id":
        with in_app(app):
            return list(db.session.scalars(select(RenderJob.id)).all()[:1]) or [1]
    return [
        {
            "assessment_id": path.assessment,
            "organization_id": path.organization,
            "organisation_id": path.organization,
            "action_id": path.action,
            "scenario_id": path.scenario,
            "number": 1,
            "membership_id": path.ed_membership,
        }[name]
    ]


def _crawl(app: Flask, client: FlaskClient, path: OwnPath, when: str) -> list[str]:
    """GET every route of ``app.url_map`` as the own path reaches it; where the words are."""
    query = {
        "voice.settle": "?fact=regulated_data",
        "voice.finding_status": f"?finding={path.finding}",
        "actions.track": f"?finding={path.finding}",
    }
    adapter = app.url_map.bind("localhost")
    bearer = {"Authorization": f"Bearer {path.tokens['api']}"}
    stranger = app.test_client()
    found: list[str] = []
    visited = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint in FILES + CHOOSING:
            continue
        names = sorted(rule.arguments)
        choices = [_arguments(path, app, rule.endpoint, n) for n in names]
        for values in product(*choices):
            url = adapter.build(rule.endpoint, dict(zip(names, values, strict=True)))
            url += query.get(rule.endpoint, "")
            if rule.endpoint.startswith(BY_LINK):
                response = stranger.get(url)
            elif rule.endpoint.startswith("api."):
                response = client.get(url, headers=bearer)
            else:
                response = client.get(url)
            visited += 1
            want = STATUS.get(rule.endpoint, (200, 302))
            if when == "closed" and rule.endpoint.startswith(CLOSED):
                want = 404
            if response.status_code not in (want if isinstance(want, tuple) else (want,)):
                found.append(f"{when} GET {url}: {response.status_code}, wanted {want}")
            text = response_text(response, skip=_kind_choice, keys_kept=("consultant",))
            found += occurrences(NOT_THEIRS, f"{when} GET {url}", text)
    for url in ("/assessments/999999", "/organizations/999999/actions"):  # not found
        found += occurrences(NOT_THEIRS, f"{when} GET {url}", response_text(client.get(url)))
    assert visited > 60, visited
    return found


def test_nothing_on_the_own_path_speaks_of_a_consultant_or_a_client(
    app: Flask, client: FlaskClient, smtp_server: SmtpServer
) -> None:
    path = _stage_own_path(app, client, smtp_server)
    found = path.heard + _crawl(app, client, path, "open")
    _post(path, client, f"/assessments/{path.assessment}/close", {"confirm": "y"})
    found += _crawl(app, client, path, "closed")
    received(app)  # every e-mail sent
    for message in smtp_server.messages:
        found += occurrences(
            NOT_THEIRS, f"e-mail to {message['To']}", f"{message['Subject']}\n{body(message)}"
        )
    assert found == [], "\n".join(found)

    # The flashes speak of an editor, as the pages do; nobody's own submission is news to
    # them (the note about Sam's comes, none about Ivy's).
    assert "Ed Editor is now editor." in path.flashes
    assert "Choose owner, editor or viewer." in path.flashes
    assert "Nobody to remind: everyone has submitted." in path.flashes
    changed_by = [
        by for _value, _version, by in history(app, path.respondents[1], "str_strategy_owner")
    ]
    assert changed_by[0] == "Ivy Leader (on their behalf)"
    to_ivy = [m["Subject"] for m in smtp_server.to("ivy@northwind.example")]
    assert "Sam Ciso (CISO) submitted their answers for Northwind Health" in to_ivy
    assert not [s for s in to_ivy if s.startswith("Ivy Leader")]
    invitation = body(smtp_server.to("ed@northwind.example")[0])
    assert "invites you to join Northwind Health as editor." in invitation

    # The report and the exports say it in their own words.
    report = client.get(f"/assessments/{path.assessment}/report.pdf")
    text = " ".join(pdf_text(report.data).split())
    assert "Facts settled:" in text and "Note: Revisit at renewal." in text
    exported = json.loads(client.get(f"/assessments/{path.assessment}/export.json").data)
    assert exported["consultant"]["summary"] == "Our own summary."  # the key stays, for programs


# --- the report follows the workspace's kind ------------------------------------------------


def _report(client: FlaskClient, detail: str) -> tuple[str, str]:
    """The PDF report's text (whitespace collapsed) and its ETag."""
    response = client.get(f"{detail}/report.pdf")
    assert response.status_code == 200
    return " ".join(pdf_text(response.data).split()), str(response.headers["ETag"])


def _sheets(client: FlaskClient, detail: str) -> tuple[list[str], list[list[str]]]:
    """The XLSX export's sheet names and the CSV export's rows."""
    workbook = load_workbook(BytesIO(client.get(f"{detail}/export.xlsx").data), read_only=True)
    text = client.get(f"{detail}/export.csv").data.decode("utf-8-sig")
    return list(workbook.sheetnames), [row for row in csv.reader(StringIO(text))]


def test_the_report_speaks_as_the_workspace_kind_says_and_a_change_renders_it_again(
    app: Flask, client: FlaskClient
) -> None:
    """A firm's report says what it always said; the same report in an organisation's own
    workspace names no consultant and no client; changing the kind makes a new report."""
    setup = disputed(app, client)  # a firm's: the CIO and the CISO disagree on one fact
    firm, firm_key = _report(client, setup.detail)
    assert "held at medium until a consultant settles it." in firm
    assert "Until a consultant settles each fact, the findings" in firm

    assert client.post("/workspace/kind", data={"kind": "own"}).status_code == 302
    own, own_key = _report(client, setup.detail)
    assert own_key != firm_key  # the kind is part of what the report is made from
    assert "held at medium until it is settled." in own
    assert "Until each fact is settled, the findings" in own
    assert NOT_THEIRS.search(own) is None

    assert client.post("/workspace/kind", data={"kind": "firm"}).status_code == 302
    client.post(
        f"{setup.detail}/settle?fact=regulated_data", data={"choice": "0", "reason": "Seen."}
    )
    client.post(
        f"{setup.detail}/finding-status?finding=DAT-7:practice",
        data={"status": "in_progress", "response": "Started.", "note": "Revisit in May."},
    )
    firm, _ = _report(client, setup.detail)
    assert "Facts settled by the consultant: " in firm
    assert "Consultant's note: Revisit in May." in firm
    sheets, rows = _sheets(client, setup.detail)
    assert "Consultant" in sheets and ["Consultant"] in rows and ["consultant", ""] in rows

    assert client.post("/workspace/kind", data={"kind": "own"}).status_code == 302
    own, _ = _report(client, setup.detail)
    assert "Facts settled: " in own and "Note: Revisit in May." in own
    assert NOT_THEIRS.search(own) is None
    sheets, rows = _sheets(client, setup.detail)
    assert "Review" in sheets and ["Review"] in rows and ["review", ""] in rows
    assert "Consultant" not in sheets
    document = json.loads(client.get(f"{setup.detail}/export.json").data)
    assert document["consultant"]["findings"]["DAT-7:practice"]["note"] == "Revisit in May."
