"""The demo workspace that `make run` seeds: a consultant firm, one client whose CIO and
CISO have both answered (and disagree on some points), so the results show everything."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from assessor.engine.answers import parse_answers_document
from assessor.extensions import db
from assessor.models import User, utcnow
from assessor.operations import accounts, answers, assessments, organizations, submission
from assessor.operations.catalog import catalog
from assessor.operations.passwords import MIN_PASSWORD, hashed

DEMO_EMAIL = "demo@example.com"
DEMO_FIRM = "Harbour & Stone Advisory"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    created: bool


def _password(instance_path: Path) -> str:
    """The demo password, generated once and kept in the instance folder (never in code)."""
    path = instance_path / "demo-password"
    if path.exists() and len(path.read_text().strip()) >= MIN_PASSWORD:
        return path.read_text().strip()
    password = secrets.token_urlsafe(16)  # 22 characters: past the 15-character floor
    path.touch(mode=0o600)
    path.write_text(password)
    return password


def demo_document() -> dict[str, object]:
    """The demo answers (the ANSWERS.json format of `assessor score`)."""
    text = resources.files("assessor.demo").joinpath("answers.json").read_text("utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


def seed_demo(instance_path: Path) -> DemoLogin:
    """Create the demo workspace once; later calls only make sure the login works."""
    password = _password(instance_path)
    user = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is not None:
        user.password_hash = hashed(password)
        user.email_verified_at = user.email_verified_at or utcnow()
        db.session.commit()
        return DemoLogin(DEMO_EMAIL, password, created=False)

    questionnaire, people, organization_info = parse_answers_document(demo_document(), catalog())
    user = accounts.sign_up(DEMO_EMAIL, password, "Dana Demo", DEMO_FIRM)
    user.email_verified_at = utcnow()  # the demo's address is made up: nobody can confirm it
    workspace = user.memberships[0].workspace
    workspace.firm_name = DEMO_FIRM
    workspace.accent_color = "#1f5fbf"
    organization = organizations.create_organization(
        workspace,
        user,
        name=str(organization_info.get("name") or "Northwind Freight"),
        sector=str(organization_info.get("sector") or "manufacturing"),
        size=str(organization_info.get("size") or "250-999"),
    )
    assessment = assessments.start_assessment(
        organization, user, questionnaire, title=f"Governance review {utcnow():%Y}"
    )
    for person in people:
        respondent = assessments.add_respondent(
            assessment, user, name=person.name, role=person.role
        )
        changes = [
            answers.Change(qid, value, person.comments.get(qid), None)
            for qid, value in person.answers.items()
        ]
        changes += [
            answers.Change(qid, None, comment, None)
            for qid, comment in person.comments.items()
            if qid not in person.answers
        ]
        answers.save_answers(questionnaire, respondent, changes, person.name, skip_hidden=True)
        # No "submitted" notes: nobody is waiting for them, and make run would fill the
        # outbox with them on every new demo.
        submission.submit(questionnaire, respondent, person.name, notify=False)
    db.session.commit()
    return DemoLogin(DEMO_EMAIL, password, created=True)
