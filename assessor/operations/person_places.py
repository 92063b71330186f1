"""Where a respondent's person shows in their organisation besides the respondent row:
the same person in its other rounds (a new round copies its people, name and address),
as the owner of a remediation action, and named in the consultant's texts (who accepted a
risk, a reason, a note, the summary as edited, a what-if's name); and open invitations to
their address in the workspace.  The erase page lists them; erasing the person from every
round of the organisation takes them all (:mod:`assessor.operations.erasure`).

The same person: a respondent or action owner with the same e-mail address, or with one
of the names the respondent was known by (a rename keeps both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from assessor.extensions import db
from assessor.models import (
    Assessment,
    FindingStatus,
    Invitation,
    RemediationAction,
    Respondent,
    SettledFact,
    SummaryEdit,
    WhatIfScenario,
)
from assessor.operations.redaction import Needles, fold, members_of, names_held


@dataclass(frozen=True)
class Person:
    """Whom to look for: every name they were known by and their address (folded), and
    the needles that find them in a text (members' own names and addresses left out)."""

    names: frozenset[str]
    email: str | None
    needles: Needles

    def is_(self, name: str | None, email: str | None) -> bool:
        """Whether a respondent or owner with this name and address is this person."""
        return fold(name) in self.names or (self.email is not None and fold(email) == self.email)


def person(respondents: Iterable[Respondent], workspace_id: int) -> Person:
    """The person of these respondent rows (one, or the same one in several rounds)."""
    rows = list(respondents)
    names = {r.name for r in rows} | names_held(r.id for r in rows)
    emails = {fold(r.email) for r in rows if r.email}
    return Person(
        frozenset(fold(n) for n in names) - {""},
        next(iter(sorted(emails)), None),
        Needles.of([*names, *emails], keep=members_of(workspace_id)),
    )


@dataclass
class Elsewhere:
    """The places of a person in an organisation, besides the respondent row asked about."""

    #: The same person as a respondent of the organisation's other rounds (removed too).
    respondents: list[Respondent] = field(default_factory=list)
    #: The organisation's actions the person owns.
    actions: list[RemediationAction] = field(default_factory=list)
    #: Its other actions whose evidence note names them.
    notes: list[RemediationAction] = field(default_factory=list)
    #: The consultant's texts in the other rounds that name them, each said as a line,
    #: with its assessment.
    texts: list[tuple[int, str]] = field(default_factory=list)
    #: The consultant's texts in the respondent's own round that name them.
    here: list[str] = field(default_factory=list)
    #: Invitations to join the workspace sent to their address, not accepted.
    invitations: list[Invitation] = field(default_factory=list)

    def lines(self, titles: dict[int, str]) -> list[str]:
        """What the erase page lists."""
        said = [
            f"A respondent of {titles[r.assessment_id]}"
            + (" (removed from it)" if r.removed_at is not None else "")
            for r in self.respondents
        ]
        said += [f"The owner of the action “{a.title}”" for a in self.actions]
        said += [f"The evidence note of the action “{a.title}”" for a in self.notes]
        said += [f"{line} in {titles[assessment_id]}" for assessment_id, line in self.texts]
        said += [
            f"An invitation to join the workspace, sent to {i.email}" for i in self.invitations
        ]
        return said


def rounds(organization_id: int) -> list[Assessment]:
    """The organisation's assessments, oldest first."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.organization_id == organization_id)
            .order_by(Assessment.created_at, Assessment.id)
        )
    )


def same_person(who: Person, organization_id: int) -> list[Respondent]:
    """Every respondent row of the organisation's rounds that is this person."""
    rows = db.session.scalars(
        select(Respondent)
        .join(Assessment)
        .where(Assessment.organization_id == organization_id)
        .order_by(Respondent.id)
    )
    return [r for r in rows if who.is_(r.name, r.email)]


def owned_actions(who: Person, organization_id: int) -> list[RemediationAction]:
    """The organisation's actions the person owns, or whose evidence note names them."""
    rows = db.session.scalars(
        select(RemediationAction)
        .where(RemediationAction.organization_id == organization_id)
        .order_by(RemediationAction.id)
    )
    return [
        a for a in rows if who.is_(a.owner_name, a.owner_email) or who.needles.found_in(a.evidence)
    ]


def texts_naming(who: Person, assessment_ids: Iterable[int]) -> list[tuple[int, str]]:
    """The consultant's texts in these assessments that name the person, as lines."""
    ids = list(assessment_ids)
    found: list[tuple[int, str]] = []
    find = who.needles.found_in
    for status in db.session.scalars(
        select(FindingStatus).where(FindingStatus.assessment_id.in_(ids))
    ):
        if find(status.accepted_by):
            found.append((status.assessment_id, "Who accepted a risk"))
        if any(find(t) for t in (status.reason, status.response, status.note)):
            found.append((status.assessment_id, "A finding's reason, response or note"))
    for fact in db.session.scalars(select(SettledFact).where(SettledFact.assessment_id.in_(ids))):
        if find(fact.reason) or find(fact.label):
            found.append((fact.assessment_id, "The reason of a settled fact"))
    for edit in db.session.scalars(select(SummaryEdit).where(SummaryEdit.assessment_id.in_(ids))):
        if find(edit.text):
            found.append((edit.assessment_id, "The summary as edited"))
    for scenario in db.session.scalars(
        select(WhatIfScenario).where(WhatIfScenario.assessment_id.in_(ids))
    ):
        if find(scenario.name):
            found.append((scenario.assessment_id, "The name of a what-if scenario"))
    return found


def open_invitations(who: Person, workspace_id: int) -> list[Invitation]:
    if who.email is None:
        return []
    rows = db.session.scalars(
        select(Invitation).where(
            Invitation.workspace_id == workspace_id, Invitation.accepted_at.is_(None)
        )
    )
    return [i for i in rows if fold(i.email) == who.email and who.needles.found_in(i.email)]


def elsewhere(respondent: Respondent) -> Elsewhere:
    """Where the respondent's person shows in their organisation besides this row."""
    organization = respondent.assessment.organization
    who = person([respondent], organization.workspace_id)
    others = [r for r in same_person(who, organization.id) if r.id != respondent.id]
    if others:  # the names those rows were known by find the person too
        who = person([respondent, *others], organization.workspace_id)
        others = [r for r in same_person(who, organization.id) if r.id != respondent.id]
    actions = owned_actions(who, organization.id)
    return Elsewhere(
        respondents=others,
        actions=[a for a in actions if who.is_(a.owner_name, a.owner_email)],
        notes=[a for a in actions if not who.is_(a.owner_name, a.owner_email)],
        texts=texts_naming(
            who, [a.id for a in rounds(organization.id) if a.id != respondent.assessment_id]
        ),
        here=[line for _, line in texts_naming(who, [respondent.assessment_id])],
        invitations=open_invitations(who, organization.workspace_id),
    )
