"""Two workspaces built through the project's own verbs, for the access and hostile tests.

Workspace A (``alpha``) has an owner, a consultant and a viewer, an organisation with an
assessment whose respondents hold a live, a revoked and an expired personal link, a
spare assessment (to close), an open invitation and a logo.  Workspace B (``beta``) has
an owner and an assessment with one live link.  Every name in A carries ``ALPHA_MARK``,
so a response shown to someone outside A can be searched for a leak.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor import create_app
from assessor.extensions import db
from assessor.models import (
    Answer,
    AnswerHistory,
    Assessment,
    AuditEvent,
    FindingStatus,
    Invitation,
    MailLog,
    Membership,
    Organization,
    RemediationAction,
    ReportReview,
    Respondent,
    SettledFact,
    StoredReport,
    SummaryEdit,
    User,
    WhatIfScenario,
    Workspace,
    utcnow,
)
from assessor.operations import (
    account_links,
    accounts,
    api_tokens,
    assessments,
    kept_results,
    organizations,
    registration,
    submission,
    what_if,
)
from assessor.operations import actions as action_ops
from assessor.operations import answers as answer_ops
from assessor.operations.catalog import catalog

ALPHA_MARK = "alphaMARK7q"
BETA_MARK = "betaMARK3z"
PASSWORD = "gravel tundra mosaic 381"


@dataclass
class Person:
    email: str
    password: str
    user_id: int


@dataclass
class World:
    """Ids and tokens of everything the tests address."""

    workspace_a: int
    workspace_b: int
    owner: Person
    consultant: Person
    viewer: Person
    outsider: Person
    organization_a: int
    assessment_a: int
    spare_assessment_a: int
    respondent_a: int
    token_a: str
    revoked_respondent_a: int
    revoked_token_a: str
    expired_respondent_a: int
    expired_token_a: str
    invitation_a: int
    invitation_token_a: str
    revoked_invitation_token_a: str
    organization_b: int
    assessment_b: int
    respondent_b: int
    token_b: str
    questionnaire_key: str
    domains: list[str] = field(default_factory=list)
    #: An organisation of A with nothing else depending on it (to erase), and the
    #: memberships of A's consultant and viewer.
    spare_organization_a: int = 0
    consultant_membership_a: int = 0
    viewer_membership_a: int = 0
    #: A submitted round of A's client, a finding of it (by key) and the client's action on it.
    rounds_assessment_a: int = 0
    finding_key_a: str = ""
    action_a: int = 0
    #: A kept what-if scenario of ``assessment_a``.
    what_if_a: int = 0
    #: A read-write API token of A's owner, and its id.
    owner_api_token: str = ""
    owner_token_id: int = 0


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def confirm_address(user: User) -> None:
    """Confirm a user's address the way the e-mailed link does."""
    token = account_links.issue(user, "verify")
    db.session.commit()
    assert registration.confirm_email(token, user) is not None


def build_world(app: Flask) -> World:
    """Create both workspaces (commits through the operations)."""
    with app.app_context():
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        owner = accounts.sign_up(
            "owner@alpha.example", PASSWORD, f"Olive Owner {ALPHA_MARK}", f"Alpha {ALPHA_MARK}"
        )
        confirm_address(owner)
        workspace_a = owner.memberships[0].workspace
        accounts.update_branding(
            workspace_a,
            owner,
            firm_name=f"Alpha Firm {ALPHA_MARK}",
            accent_color="#1f6feb",
            logo=(tiny_png(), "image/png"),
        )
        people = {}
        for role in ("consultant", "viewer"):
            issued = accounts.invite_member(workspace_a, f"{role}@alpha.example", role, owner)
            user = accounts.join_with_new_account(
                issued.invitation, f"{role.title()} {ALPHA_MARK}", PASSWORD, issued.proof
            )
            people[role] = Person(user.email, PASSWORD, user.id)
        pending = accounts.invite_member(workspace_a, "later@alpha.example", "viewer", owner)
        withdrawn = accounts.invite_member(workspace_a, "never@alpha.example", "viewer", owner)
        accounts.revoke_invitation(withdrawn.invitation, owner)

        org_a = organizations.create_organization(
            workspace_a, owner, name=f"Client {ALPHA_MARK}", sector="finance", size="50-249"
        )
        spare_org = organizations.create_organization(
            workspace_a, owner, name=f"Spare client {ALPHA_MARK}", sector=None, size=None
        )
        memberships = {m.user_id: m.id for m in workspace_a.memberships}
        assessment_a = assessments.start_assessment(
            org_a, owner, questionnaire, title=f"Review {ALPHA_MARK}"
        )
        spare = assessments.start_assessment(
            org_a, owner, questionnaire, title=f"Spare {ALPHA_MARK}"
        )
        respondent_a = assessments.add_respondent(
            assessment_a, owner, name=f"Cia Cio {ALPHA_MARK}", role="CIO"
        )
        token_a = assessments.issue_link(respondent_a, owner)
        revoked = assessments.add_respondent(
            assessment_a, owner, name=f"Rex Revoked {ALPHA_MARK}", role="CISO"
        )
        revoked_token = assessments.issue_link(revoked, owner)
        assessments.revoke_link(revoked, owner)
        expired = assessments.add_respondent(
            assessment_a,
            owner,
            name=f"Eve Expired {ALPHA_MARK}",
            role="CEO",
            email="eve@alpha.example",
        )
        expired_token = assessments.issue_link(expired, owner)
        expired.token_expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
        rounds, key, action = _scored_round_with_action(app, org_a, owner, questionnaire)
        first_domain = assessments.scored_domains(questionnaire)[0][0]
        kept = what_if.save(
            assessment_a,
            owner,
            name=f"Target {ALPHA_MARK}",
            sandbox=what_if.Sandbox({}, {first_domain: 4}),
            in_report=False,
        )

        outsider = accounts.sign_up(
            "owner@beta.example", PASSWORD, f"Bob Beta {BETA_MARK}", f"Beta {BETA_MARK}"
        )
        confirm_address(outsider)
        workspace_b = outsider.memberships[0].workspace
        org_b = organizations.create_organization(
            workspace_b, outsider, name=f"Client {BETA_MARK}", sector=None, size=None
        )
        assessment_b = assessments.start_assessment(org_b, outsider, questionnaire)
        respondent_b = assessments.add_respondent(
            assessment_b, outsider, name=f"Bea Respondent {BETA_MARK}", role="CISO"
        )
        token_b = assessments.issue_link(respondent_b, outsider)
        owner_api_token, token_row = api_tokens.create_token(
            workspace_a, owner, name=f"Sync {ALPHA_MARK}", scope="read-write"
        )

        return World(
            workspace_a=workspace_a.id,
            workspace_b=workspace_b.id,
            owner=Person(owner.email, PASSWORD, owner.id),
            consultant=people["consultant"],
            viewer=people["viewer"],
            outsider=Person(outsider.email, PASSWORD, outsider.id),
            organization_a=org_a.id,
            assessment_a=assessment_a.id,
            spare_assessment_a=spare.id,
            respondent_a=respondent_a.id,
            token_a=token_a,
            revoked_respondent_a=revoked.id,
            revoked_token_a=revoked_token,
            expired_respondent_a=expired.id,
            expired_token_a=expired_token,
            invitation_a=pending.invitation.id,
            invitation_token_a=pending.token,
            revoked_invitation_token_a=withdrawn.token,
            organization_b=org_b.id,
            assessment_b=assessment_b.id,
            respondent_b=respondent_b.id,
            token_b=token_b,
            questionnaire_key=f"{questionnaire.id}@{questionnaire.version}",
            domains=[d for d, _ in assessments.scored_domains(questionnaire)],
            spare_organization_a=spare_org.id,
            consultant_membership_a=memberships[people["consultant"].user_id],
            viewer_membership_a=memberships[people["viewer"].user_id],
            rounds_assessment_a=rounds,
            finding_key_a=key,
            action_a=action,
            what_if_a=kept.id,
            owner_api_token=owner_api_token,
            owner_token_id=token_row.id,
        )


def _scored_round_with_action(
    app: Flask, organization: Organization, owner: User, questionnaire: Any
) -> tuple[int, str, int]:
    """A submitted round of the organisation and an action on its first finding."""
    scored = assessments.start_assessment(
        organization, owner, questionnaire, title=f"Round {ALPHA_MARK}"
    )
    person = assessments.add_respondent(scored, owner, name=f"Sid Scored {ALPHA_MARK}", role="CISO")
    answer_everything(app, person.id)
    person = db.session.get(Respondent, person.id)
    assert person is not None
    submission.submit(questionnaire, person, "test")
    finding = kept_results.delivered(scored).result["findings"][0]
    owner_input = action_ops.ActionInput(
        f"Ada Owner {ALPHA_MARK}", "ada@client.example", None, "open", ""
    )
    action = action_ops.track(scored, finding, owner_input, owner)
    return scored.id, action.finding_key, action.id


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def page_token(client: FlaskClient, url: str = "/signin", **kwargs: Any) -> str:
    """The CSRF token a page carries in its ``<meta name="csrf-token">``."""
    response = client.get(url, follow_redirects=True, **kwargs)
    found = CSRF_META.search(response.get_data(as_text=True))
    assert found, f"no csrf meta on {url}"
    return found.group(1)


def sign_in(client: FlaskClient, person: Person) -> None:
    """Sign in through the form (with the page's CSRF token, whether or not it is checked)."""
    data = {"email": person.email, "password": person.password, "csrf_token": page_token(client)}
    response = client.post("/signin", data=data)
    assert response.status_code == 302, response.status_code


def _rows(model: Any, condition: Any) -> list[tuple[Any, ...]]:
    table = model.__table__
    statement = select(table).where(condition).order_by(*table.primary_key.columns)
    return [tuple(row) for row in db.session.execute(statement).all()]


def workspace_snapshot(workspace_id: int) -> str:
    """A digest of every row that belongs to the workspace (its users included)."""
    db.session.expire_all()
    own_orgs = select(Organization.id).where(Organization.workspace_id == workspace_id)
    own_assessments = select(Assessment.id).where(Assessment.organization_id.in_(own_orgs))
    own_respondents = select(Respondent.id).where(Respondent.assessment_id.in_(own_assessments))
    own_users = select(Membership.user_id).where(Membership.workspace_id == workspace_id)
    parts = [
        _rows(Workspace, Workspace.id == workspace_id),
        _rows(Membership, Membership.workspace_id == workspace_id),
        _rows(Invitation, Invitation.workspace_id == workspace_id),
        _rows(Organization, Organization.workspace_id == workspace_id),
        _rows(Assessment, Assessment.id.in_(own_assessments)),
        _rows(Respondent, Respondent.id.in_(own_respondents)),
        _rows(Answer, Answer.respondent_id.in_(own_respondents)),
        _rows(AnswerHistory, AnswerHistory.respondent_id.in_(own_respondents)),
        _rows(StoredReport, StoredReport.assessment_id.in_(own_assessments)),
        _rows(AuditEvent, AuditEvent.workspace_id == workspace_id),
        _rows(User, User.id.in_(own_users)),
        _rows(MailLog, MailLog.workspace_id == workspace_id),
        _rows(RemediationAction, RemediationAction.organization_id.in_(own_orgs)),
        _rows(FindingStatus, FindingStatus.assessment_id.in_(own_assessments)),
        _rows(SettledFact, SettledFact.assessment_id.in_(own_assessments)),
        _rows(SummaryEdit, SummaryEdit.assessment_id.in_(own_assessments)),
        _rows(ReportReview, ReportReview.assessment_id.in_(own_assessments)),
        _rows(WhatIfScenario, WhatIfScenario.assessment_id.in_(own_assessments)),
    ]
    db.session.rollback()
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def answer_everything(app: Flask, respondent_id: int) -> None:
    """Store an answer to every question the respondent is shown (through the save verb)."""
    with app.app_context():
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        respondent = db.session.get(Respondent, respondent_id)
        assert respondent is not None
        changes = [
            answer_ops.Change(q.id, _some_value(q), None, None)
            for q in questionnaire.questions.values()
        ]
        answer_ops.save_answers(questionnaire, respondent, changes, "test", skip_hidden=True)


def _some_value(question: Any) -> Any:
    if question.kind == "text":
        return "Noted."
    if question.kind == "number":
        return int(question.min or 1)
    if question.kind == "owner":
        return "CISO"
    options = [o.value for o in question.all_options]
    if question.kind == "multi":
        return [options[0]]
    return options[len(options) // 2]


@contextmanager
def own_app(config: dict[str, Any]) -> Iterator[Flask]:
    """An app of the test's own (other settings than the ``app`` fixture's), its tables made
    on SQLite, its connections closed afterwards."""
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
