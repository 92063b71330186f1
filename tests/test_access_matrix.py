"""Every route of ``app.url_map`` against every kind of visitor, with the status each must get.

The visitors: anonymous, the owner of another workspace, a viewer, a consultant and the
owner of workspace A, A's owner before confirming the address (A a firm's workspace:
"confirm your address" on every page of it; or A an organisation's own: the owner's row
less what needs a confirmed address), a respondent holding a live link of A, one holding
a link of another assessment (in workspace B), and holders of a revoked and of an
expired link of A.

* Anonymous on a member page: 302 to sign-in.  Someone from another workspace naming A's
  ids: 404 (never 403, which would confirm that the id exists).  A viewer: 200 on reads,
  404 on writes.  Respondent links: only their own respondent's pages.
* After every refused request, nothing in either workspace changed (a digest of all
  their rows), and nothing of workspace A shows in any response to someone outside it.
* A route missing from ``ROUTES`` fails ``test_every_route_is_classified``: a new route
  has to say who may use it before it can ship.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Answer, User, Workspace
from assessor.operations import mail_queue
from tests.security_world import (
    ALPHA_MARK,
    BETA_MARK,
    PASSWORD,
    World,
    build_world,
    sign_in,
    workspace_snapshot,
)

ACTORS = (
    "anonymous",
    "outsider",
    "viewer",
    "consultant",
    "owner",
    "unverified",
    "unverified_own",
    "link",
    "link_other",
    "link_revoked",
    "link_expired",
)
MEMBERS = ("viewer", "consultant", "owner", "unverified", "unverified_own")
#: A's owner before confirming the address: A a firm's workspace (closed until then), or
#: A an organisation assessing itself (open, less what needs a confirmed address).
UNVERIFIED = ("unverified", "unverified_own")
LINK_ACTORS = ("link", "link_other", "link_revoked", "link_expired")
#: Visitors who are not in workspace A: nothing of A may reach them.
OUTSIDE_A = ("anonymous", "outsider", "link_other", "link_revoked", "link_expired")
#: Who may do what, in workspace A.
ALLOWED = {
    "member": ("viewer", "consultant", "owner"),
    "editor": ("consultant", "owner"),
    "owner": ("owner",),
}
UNKNOWN_TOKEN = "x" * 43

Url = Callable[[World, str], str]
Data = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """How a route is reached, by whom, and what an allowed visitor gets."""

    #: public | signed_in | member | editor | owner | link | join
    access: str
    url: Url
    #: Status of an allowed GET / POST; None when the route has no such method.
    get: int | None = None
    post: int | None = None
    #: Form fields (or, with ``as_json``, the JSON body) of the POST.
    data: Data | None = None
    as_json: bool = False
    #: The URL names objects of workspace A (another workspace's visitor gets 404).
    scoped: bool = True
    #: Changes who the client is (sign-in, sign-out, joining): sent last, from a copy.
    last: bool = False
    #: Statuses that differ from the rule for particular visitors.
    special: dict[str, int] = field(default_factory=dict)
    #: Needs a confirmed e-mail address (inviting, e-mail, the report, exports, tokens):
    #: A's owner with an unconfirmed one gets 403, and a way to confirm it.
    verified: bool = False
    #: A page of the workspace: a firm's, whose owner has not confirmed the address,
    #: shows only "confirm your address" (403).  False for one's own account's pages.
    gated: bool = True


def _a(path: str) -> Url:
    return lambda w, actor: path.format(w=w)


def _answer(w: World, actor: str) -> str:
    return f"/assessments/{w.assessment_a}/respondents/{w.respondent_a}/answer"


def _token(w: World, actor: str) -> str:
    """The link a visitor holds; members and anonymous visitors hold none (a made-up one)."""
    return {
        "link": w.token_a,
        "link_other": w.token_b,
        "link_revoked": w.revoked_token_a,
        "link_expired": w.expired_token_a,
    }.get(actor, UNKNOWN_TOKEN)


def _invitation(w: World, actor: str) -> str:
    """Anyone without an account may use A's open invitation; the rest try a revoked one."""
    if actor == "anonymous" or actor in LINK_ACTORS:
        return w.invitation_token_a
    return w.revoked_invitation_token_a


def _section_save(question: str, value: str) -> Data:
    return lambda w, actor: {question: value, f"v_{question}": "", "go": "stay"}


def _autosave(question: str, value: str) -> Data:
    return lambda w, actor: {"question": question, "value": value, "comment": None, "version": 0}


def _confirmed(w: World, actor: str) -> dict[str, Any]:
    """A step that cannot be undone, with its box ticked."""
    return {"confirm": "y"}


def _action_fields(w: World, actor: str) -> dict[str, Any]:
    return {
        "owner_name": "Ada Owner",
        "owner_email": "ada@client.example",
        "due_date": "2030-01-31",
        "status": "in_progress",
        "evidence": "",
    }


ROUTES: dict[str, Route] = {
    "static": Route("public", _a("/static/app.css"), get=200, scoped=False),
    "health.healthz": Route("public", _a("/healthz"), get=200, scoped=False),
    "dashboard.index": Route("public", _a("/"), get=200, scoped=False, special={"unverified": 403}),
    # Another workspace of one's own: sent last (the client then works in it), before
    # the sign-in and sign-outs below.
    "settings.new_workspace": Route(
        "signed_in",
        _a("/workspace/new"),
        get=200,
        post=302,
        data=lambda w, actor: {"name": f"New workspace of {actor}", "kind": "firm"},
        scoped=False,
        last=True,
        verified=True,
    ),
    # With the last: a consultant or viewer who leaves is no longer in workspace A (its
    # last owner is refused, with a message); before the sign-in and sign-outs below, so
    # that each visitor is still signed in as themselves.
    "members.leave": Route(
        "member",
        _a("/workspace/leave"),
        get=200,
        post=302,
        data=_confirmed,
        scoped=False,
        last=True,
    ),
    "auth.sign_in": Route(
        "public",
        _a("/signin"),
        get=200,
        post=302,
        data=lambda w, actor: {"email": w.owner.email, "password": PASSWORD},
        scoped=False,
        last=True,
    ),
    "auth.sign_up": Route(
        # "Check your e-mail", for a new address as for a known one.
        "public",
        _a("/signup"),
        get=200,
        post=200,
        data=lambda w, actor: {
            "name": "New Person",
            "email": f"new-{actor}@example.com",
            "password": PASSWORD,
            "workspace": "New workspace",
        },
        scoped=False,
        last=True,
    ),
    "auth.sign_out": Route("public", _a("/signout"), post=302, scoped=False, last=True),
    "auth.sign_out_everywhere": Route(
        "member", _a("/signout/everywhere"), post=302, scoped=False, last=True, gated=False
    ),
    # The owner's copy of the link (no e-mailed proof): "check your e-mail", with a link
    # that confirms the address and joins (tests/test_account_takeover.py).
    "auth.join": Route(
        "join",
        lambda w, actor: f"/join/{_invitation(w, actor)}",
        get=200,
        post=200,
        data=lambda w, actor: {"name": "Joining Person", "password": PASSWORD},
        last=True,
    ),
    # --- the account by e-mail ------------------------------------------------------------
    # Links nobody was sent: 404 for everyone (the e-mailed ones: tests/test_web_accounts.py).
    "account.verify": Route(
        "public", _a(f"/verify/{UNKNOWN_TOKEN}"), get=404, post=404, scoped=False
    ),
    "account.reset": Route(
        "public",
        _a(f"/reset/{UNKNOWN_TOKEN}"),
        get=404,
        post=404,
        data=lambda w, actor: {"password": "a brand new passphrase 93"},
        scoped=False,
    ),
    "account.forgot": Route(
        "public",
        _a("/reset"),
        get=200,
        post=200,
        data=lambda w, actor: {"email": f"nobody-{actor}@example.com"},
        scoped=False,
    ),
    # Already confirmed: says so.
    "account.resend_verification": Route(
        "member", _a("/verify/resend"), post=302, scoped=False, gated=False
    ),
    "account.change_password": Route(
        # To the same password, so that the sign-ins after it still work.
        "member",
        _a("/account/password"),
        get=200,
        post=302,
        data=lambda w, actor: {"current": PASSWORD, "password": PASSWORD},
        scoped=False,
        gated=False,
    ),
    # --- the workspace ---------------------------------------------------------------------
    "dashboard.welcome": Route(
        "editor",
        _a("/welcome"),
        get=200,
        post=302,
        data=lambda w, actor: {"organization": "Our own organisation", "role": "CIO"},
        scoped=False,
    ),
    "dashboard.organizations": Route("member", _a("/organizations"), get=200, scoped=False),
    # A firm's view of its clients (A and B are firms'): in an organisation's own workspace,
    # 404 for every member (test_an_own_workspace_is_not_served_the_portfolio).
    "portfolio.index": Route(
        "member", _a("/portfolio"), get=200, scoped=False, special={"unverified_own": 404}
    ),
    "dashboard.new_organization": Route(
        "editor",
        _a("/organizations/new"),
        get=200,
        post=302,
        data=lambda w, actor: {"name": f"Another client ({actor})", "sector": "", "size": ""},
        scoped=False,
    ),
    "dashboard.organization": Route("member", _a("/organizations/{w.organization_a}"), get=200),
    "dashboard.edit_organization": Route(
        "editor",
        _a("/organizations/{w.organization_a}/edit"),
        get=200,
        post=302,
        data=lambda w, actor: {"name": "Renamed client", "sector": "healthcare", "size": "1-49"},
    ),
    "settings.index": Route("member", _a("/workspace"), get=200, scoped=False),
    "settings.audit_log": Route("owner", _a("/workspace/audit"), get=200, scoped=False),
    "settings.logo": Route(
        # Workspace B has no logo: its owner gets 404, never A's logo.
        "member",
        _a("/workspace/logo"),
        get=200,
        scoped=False,
        special={"outsider": 404},
    ),
    "settings.branding": Route(
        "owner",
        _a("/workspace/branding"),
        post=302,
        data=lambda w, actor: {"firm_name": "Renamed firm", "accent_color": "#123456"},
        scoped=False,
    ),
    "settings.invite": Route(
        "owner",
        _a("/workspace/invitations"),
        post=200,
        data=lambda w, actor: {"email": "colleague@example.com", "role": "viewer"},
        scoped=False,
        verified=True,
    ),
    "settings.revoke_invitation": Route(
        "owner", _a("/workspace/invitations/{w.invitation_a}/revoke"), post=302
    ),
    "settings.switch": Route("member", _a("/workspace/switch/{w.workspace_a}"), post=302),
    # Each member's own tokens: nothing of A's ids in the URL but the token's own.
    "settings.tokens": Route("member", _a("/workspace/tokens"), get=200, scoped=False),
    "settings.create_token": Route(
        "member",
        _a("/workspace/tokens"),
        post=200,
        data=lambda w, actor: {"name": "CRM sync", "scope": "read"},
        scoped=False,
        verified=True,
    ),
    # Someone else's token (the owner's, made by the world): 404 for everyone but its owner.
    "settings.revoke_token": Route(
        "owner", _a("/workspace/tokens/{w.owner_token_id}/revoke"), post=302
    ),
    # The API's description and docs page: public (the API itself: API_ROUTES below).
    "openapi.spec": Route("public", _a("/api/v1/openapi.json"), get=200, scoped=False),
    "api_docs.index": Route("public", _a("/api/v1/docs"), get=200, scoped=False),
    "api_docs.asset": Route(
        "public", _a("/api/v1/docs/assets/swagger-ui.css"), get=200, scoped=False
    ),
    "members.change_role": Route(
        # The viewer stays a viewer: the rest of the viewer's requests keep their meaning.
        "owner",
        _a("/workspace/members/{w.viewer_membership_a}/role"),
        post=302,
        data=lambda w, actor: {"role": "viewer"},
    ),
    "members.remove": Route(
        "owner",
        _a("/workspace/members/{w.consultant_membership_a}/remove"),
        get=200,
        post=302,
        data=_confirmed,
    ),
    "members.kind": Route(
        "owner",
        _a("/workspace/kind"),
        post=302,
        data=lambda w, actor: {"kind": "own"},
        scoped=False,
    ),
    "members.require_two_factor": Route(
        # The owner has no second factor: refused with a message, nothing changed.
        "owner",
        _a("/workspace/two-factor"),
        post=302,
        data=lambda w, actor: {"require_two_factor": "y"},
        scoped=False,
    ),
    # --- one's own account -------------------------------------------------------------------
    "two_factor.index": Route("signed_in", _a("/account/two-factor"), get=200, scoped=False),
    "two_factor.enrol": Route(
        # The password asked first; then the page shows the new key.
        "signed_in",
        _a("/account/two-factor/enrol"),
        post=302,
        data=lambda w, actor: {"password": PASSWORD},
        scoped=False,
    ),
    "two_factor.confirm": Route(
        # A wrong code: the page again, the message beside the field.
        "signed_in",
        _a("/account/two-factor/confirm"),
        post=422,
        data=lambda w, actor: {"code": "000000"},
        scoped=False,
    ),
    "two_factor.disable": Route(
        # Two-factor sign-in is off: nothing to turn off, the message beside the field.
        "signed_in",
        _a("/account/two-factor/disable"),
        post=422,
        data=lambda w, actor: {"off-password": PASSWORD, "off-code": "000000"},
        scoped=False,
    ),
    "two_factor.recovery_codes": Route(
        # Two-factor sign-in is off: no codes to replace, the message on the page.
        "signed_in",
        _a("/account/two-factor/recovery-codes"),
        post=422,
        data=lambda w, actor: {"new-password": PASSWORD, "new-code": "000000"},
        scoped=False,
    ),
    "two_factor.sign_in_code": Route(
        # No password accepted a moment ago: back to the sign-in page.
        "public",
        _a("/signin/code"),
        get=302,
        post=302,
        data=lambda w, actor: {"code": "000000"},
        scoped=False,
    ),
    # --- assessments ---------------------------------------------------------------------
    "assessments.new": Route(
        "editor",
        _a("/assessments/new/{w.organization_a}"),
        get=200,
        post=302,
        data=lambda w, actor: {"questionnaire": w.questionnaire_key, "title": "Next year"},
    ),
    "assessments.detail": Route("member", _a("/assessments/{w.assessment_a}"), get=200),
    "assessments.set_targets": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/targets"),
        post=302,
        data=lambda w, actor: {f"target_{d}": "2" for d in w.domains},
    ),
    "assessments.add_respondent": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/respondents"),
        post=302,
        data=lambda w, actor: {"name": "Added Person", "role": "CISO", "email": ""},
    ),
    "assessments.issue_link": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/respondents/{w.expired_respondent_a}/link"),
        post=200,
        verified=True,
    ),
    "assessments.revoke_link": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/respondents/{w.revoked_respondent_a}/revoke"),
        post=302,
    ),
    "assessments.reopen": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/respondents/{w.respondent_a}/reopen"),
        post=302,
    ),
    "mailings.email_link": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/respondents/{w.expired_respondent_a}/email"),
        post=302,
        verified=True,
    ),
    "mailings.remind": Route(
        "editor", _a("/assessments/{w.assessment_a}/reminders/send"), post=302, verified=True
    ),
    "mailings.schedule": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/reminders"),
        post=302,
        data=lambda w, actor: {"days": "7"},
        verified=True,
    ),
    "assessments.close": Route(
        "editor",
        _a("/assessments/{w.spare_assessment_a}/close"),
        get=200,
        post=302,
        data=_confirmed,
    ),
    "assessments.reassess": Route(
        "editor",
        _a("/assessments/{w.spare_assessment_a}/reassess"),
        get=200,
        post=302,
        data=_confirmed,
    ),
    "respondents.rename": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/respondents/{w.respondent_a}/rename"),
        get=200,
        post=302,
        data=lambda w, actor: {"name": "Renamed Person"},
    ),
    "respondents.include": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/respondents/{w.respondent_a}/include"),
        post=302,
        data=lambda w, actor: {"counted": "yes"},
    ),
    "respondents.remove": Route(
        # After revoke_link, which uses the same respondent (POSTs go in this order).
        "editor",
        _a("/assessments/{w.assessment_a}/respondents/{w.revoked_respondent_a}/remove"),
        get=200,
        post=302,
        data=_confirmed,
    ),
    # --- deleting and erasing ---------------------------------------------------------------
    "erasure.erase_respondent": Route(
        # After respondents.remove: a removed respondent can still be erased.
        "editor",
        _a("/assessments/{w.assessment_a}/respondents/{w.revoked_respondent_a}/erase"),
        get=200,
        post=302,
        data=_confirmed,
    ),
    "erasure.delete_assessment": Route(
        # After close and reassess, which use the spare assessment.
        "editor",
        _a("/assessments/{w.spare_assessment_a}/delete"),
        get=200,
        post=302,
        data=_confirmed,
    ),
    "erasure.erase_organization": Route(
        "owner",
        _a("/organizations/{w.spare_organization_a}/delete"),
        get=200,
        post=302,
        data=_confirmed,
    ),
    # --- results and downloads ------------------------------------------------------------
    "results.show": Route("member", _a("/assessments/{w.assessment_a}/results"), get=200),
    "results.report_preview": Route(
        "member", _a("/assessments/{w.assessment_a}/report"), get=200, verified=True
    ),
    "results.report_pdf": Route(
        "member", _a("/assessments/{w.assessment_a}/report.pdf"), get=200, verified=True
    ),
    "results.export": Route(
        "member", _a("/assessments/{w.assessment_a}/export.csv"), get=200, verified=True
    ),
    "results.appendix": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/report/appendix"),
        post=302,
        data=lambda w, actor: {"appendix": "y"},
    ),
    # Scored with today's method: nothing to re-score, back to the results (the changes
    # and the storing: tests/test_kept_results.py).
    "results.rescore": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/rescore"),
        get=302,
        post=302,
        data=_confirmed,
    ),
    # --- what-if: a sandbox anyone of the workspace may try, kept scenarios editors keep ---
    "what_if.sandbox": Route(
        "member",
        _a("/assessments/{w.assessment_a}/what-if"),
        get=200,
        post=200,
        data=lambda w, actor: {f"target_{w.domains[0]}": "2"},
    ),
    "what_if.scenario": Route(
        "member", _a("/assessments/{w.assessment_a}/what-if/{w.what_if_a}"), get=200
    ),
    "what_if.save": Route(
        "editor",
        _a("/assessments/{w.assessment_a}/what-if/save"),
        post=302,
        data=lambda w, actor: {"name": "Higher targets", f"target_{w.domains[0]}": "4"},
    ),
    "what_if.delete": Route(
        "editor", _a("/assessments/{w.assessment_a}/what-if/{w.what_if_a}/delete"), post=302
    ),
    # --- remediation actions ---------------------------------------------------------------
    "actions.track": Route(
        "editor",
        lambda w, actor: (
            f"/assessments/{w.rounds_assessment_a}/actions/track?finding={w.finding_key_a}"
        ),
        get=200,
        post=302,
        data=_action_fields,
    ),
    "actions.edit": Route(
        "editor", _a("/actions/{w.action_a}"), get=200, post=302, data=_action_fields
    ),
    "actions.remind": Route("editor", _a("/actions/{w.action_a}/remind"), post=302, verified=True),
    "actions.client": Route("member", _a("/organizations/{w.organization_a}/actions"), get=200),
    "actions.workspace": Route("member", _a("/actions"), get=200, scoped=False),
    # --- the consultant's voice (issue 15; the pages themselves: tests/test_web_voice.py) -----
    "voice.summary": Route(
        "editor",
        _a("/assessments/{w.rounds_assessment_a}/summary"),
        get=200,
        post=302,
        data=lambda w, actor: {"text": "The board reads this first."},
    ),
    "voice.reset_summary": Route(
        "editor", _a("/assessments/{w.rounds_assessment_a}/summary/reset"), post=302
    ),
    "voice.finding_status": Route(
        "editor",
        lambda w, actor: (
            f"/assessments/{w.rounds_assessment_a}/finding-status?finding={w.finding_key_a}"
        ),
        get=200,
        post=302,
        data=lambda w, actor: {"status": "in_progress", "response": "Started."},
    ),
    # The world's rounds have one respondent each, so no fact is disputed: 404 for
    # everyone (a disputed fact settled: tests/test_web_voice.py).
    "voice.settle": Route(
        "editor",
        _a("/assessments/{w.rounds_assessment_a}/settle?fact=regulated_data"),
        get=404,
        post=404,
        data=lambda w, actor: {"choice": "0", "reason": "Seen."},
    ),
    "voice.unsettle": Route(
        "editor", _a("/assessments/{w.rounds_assessment_a}/unsettle?fact=regulated_data"), post=404
    ),
    "voice.review": Route(
        "editor",
        _a("/assessments/{w.rounds_assessment_a}/review"),
        get=200,
        post=302,
        data=lambda w, actor: {"reviewer": "Rita Reviewer", "reviewed_on": "2026-12-06"},
        verified=True,
    ),
    # Reads go before writes: no review is stored yet when it is asked for (its download:
    # tests/test_web_voice.py).
    "voice.reviewed_pdf": Route(
        "member", _a("/assessments/{w.rounds_assessment_a}/reviews/1.pdf"), get=404, verified=True
    ),
    # --- answering for a respondent (consultant, or a self-assessing user) -----------------
    "answering.consultant_start": Route("editor", _answer, get=302),
    "answering.consultant_page": Route(
        "editor",
        lambda w, actor: f"{_answer(w, actor)}/s/strategy",
        get=200,
        post=302,
        data=_section_save("str_strategy_maturity", "2"),
    ),
    "answering.consultant_autosave": Route(
        "editor",
        lambda w, actor: f"{_answer(w, actor)}/autosave",
        post=200,
        data=_autosave("str_strategy_owner", "CISO"),
        as_json=True,
    ),
    "answering.consultant_submit": Route(
        # Allowed, and refused for the unanswered required questions.
        "editor",
        lambda w, actor: f"{_answer(w, actor)}/submit",
        get=200,
        post=422,
    ),
    # --- answering by personal link ---------------------------------------------------------
    "answering.link_start": Route("link", lambda w, actor: f"/r/{_token(w, actor)}", get=302),
    "answering.link_welcome": Route(
        "link", lambda w, actor: f"/r/{_token(w, actor)}/welcome", get=200
    ),
    "answering.link_page": Route(
        "link",
        lambda w, actor: f"/r/{_token(w, actor)}/s/strategy",
        get=200,
        post=302,
        data=_section_save("str_strategy_maturity", "3"),
    ),
    "answering.link_autosave": Route(
        "link",
        lambda w, actor: f"/r/{_token(w, actor)}/autosave",
        post=200,
        data=_autosave("str_strategy_owner", "SHARED"),
        as_json=True,
    ),
    "answering.link_submit": Route(
        "link", lambda w, actor: f"/r/{_token(w, actor)}/submit", get=200, post=422
    ),
}

SIGN_IN = "sign in"


def expected(route: Route, allowed_status: int, actor: str) -> int | str:
    """The status ``actor`` must get, or ``SIGN_IN`` for a redirect to the sign-in page."""
    if actor in UNVERIFIED and route.special.get(actor):
        return route.special[actor]
    if actor == "unverified" and route.gated and route.access in ALLOWED:
        # A firm's workspace, before its owner confirms the address: "confirm it first".
        return 403
    if actor in UNVERIFIED:
        # A's owner before confirming the address: the owner's row, less what needs it.
        if route.verified:
            return 403
        actor = "owner"
    if actor in route.special:
        return route.special[actor]
    if route.access == "public":
        return allowed_status
    if route.access == "link":
        return allowed_status if actor in ("link", "link_other") else 404
    if route.access == "join":
        signed_in = actor in ("outsider", *MEMBERS)
        return 404 if signed_in else allowed_status
    if actor == "anonymous" or actor in LINK_ACTORS:
        return SIGN_IN
    if route.access == "signed_in":
        # One's own account: anyone signed in, whichever workspace.
        return allowed_status
    if actor == "outsider":
        # The owner of workspace B: A's ids are not found; pages without ids show B.
        return 404 if route.scoped else allowed_status
    return allowed_status if actor in ALLOWED[route.access] else 404


def _requests() -> list[tuple[str, str, Route]]:
    ordered = sorted(ROUTES.items(), key=lambda item: item[1].last)
    found = []
    for endpoint, route in ordered:
        if route.get is not None:
            found.append((endpoint, "GET", route))
    for endpoint, route in ordered:
        if route.post is not None:
            found.append((endpoint, "POST", route))
    # Reads first, then writes, then whatever changes who the client is.
    return sorted(found, key=lambda item: item[2].last)


def test_every_route_is_classified(app: Flask) -> None:
    """A route nobody has classified fails here; so does a classification without a route
    (the API's routes are classified in ``API_ROUTES``)."""
    served = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((rule.endpoint, method))
    classified = {(endpoint, route.method) for endpoint, route in API_ROUTES.items()}
    for endpoint, route in ROUTES.items():
        if route.get is not None:
            classified.add((endpoint, "GET"))
        if route.post is not None:
            classified.add((endpoint, "POST"))
    assert served - classified == set(), "routes nobody has classified in ROUTES"
    assert classified - served == set(), "classified routes the app does not serve"


def _client_for(app: Flask, world: World, actor: str) -> FlaskClient:
    client = app.test_client()
    person = {
        "outsider": world.outsider,
        "viewer": world.viewer,
        "consultant": world.consultant,
        "owner": world.owner,
    }.get(actor)
    if actor in UNVERIFIED:
        with app.app_context():
            owner = db.session.get_one(User, world.owner.user_id)
            owner.email_verified_at = None  # as before the e-mailed link is used
            if actor == "unverified_own":
                db.session.get_one(Workspace, world.workspace_a).kind = "own"
            db.session.commit()
        person = world.owner
    if person is not None:
        sign_in(client, person)
    elif actor in LINK_ACTORS:
        client.get(f"/r/{_token(world, actor)}")  # a respondent opens their link first
    return client


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second client with the same session, for requests that change who it is."""
    twin = app.test_client()
    cookie = client.get_cookie("session")
    if cookie is not None:
        twin.set_cookie("session", cookie.value)
    return twin


def _send(client: FlaskClient, method: str, url: str, route: Route, data: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url)
    if route.as_json:
        return client.post(url, json=data)
    return client.post(url, data=data)


def _snapshots(app: Flask, world: World) -> tuple[str, str]:
    # E-mail a request queued is sent after it returned, by a background sender that
    # updates its mail-log row: let it finish, so a snapshot sees only what requests did.
    mail_queue.wait_idle(app)
    with app.app_context():
        return workspace_snapshot(world.workspace_a), workspace_snapshot(world.workspace_b)


@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(app: Flask, actor: str) -> None:
    world = build_world(app)
    client = _client_for(app, world, actor)
    failures = []
    known: tuple[str, str] | None = None  # the snapshot after the last request, if taken
    for endpoint, method, route in _requests():
        url = route.url(world, actor)
        allowed = route.get if method == "GET" else route.post
        assert allowed is not None
        want = expected(route, allowed, actor)
        refused = want == SIGN_IN or want in (401, 403, 404)
        # Signing in as A's owner, or joining A by its invitation, rightly changes A.
        enters_a = endpoint in ("auth.join", "auth.sign_in") and method == "POST"
        watch_a = actor in OUTSIDE_A and not enters_a
        data = route.data(world, actor) if route.data and method == "POST" else {}
        before = known or _snapshots(app, world) if refused or watch_a else None
        sender = _copy(app, client) if route.last else client
        response = _send(sender, method, url, route, data)
        status = response.status_code
        body = response.get_data()
        response.close()
        label = f"{actor} {method} {endpoint} ({url})"

        if want == SIGN_IN:
            location = urlsplit(response.headers.get("Location", "")).path
            if status != 302 or location != "/signin":
                failures.append(f"{label}: {status} -> {location!r}, wanted a redirect to sign-in")
        elif status != want:
            failures.append(f"{label}: {status}, wanted {want}")
        if status >= 500:
            failures.append(f"{label}: server error")
        known = None
        if before is not None:
            known = after = _snapshots(app, world)
            if refused and after != before:
                failures.append(f"{label}: refused, yet the database changed")
            if watch_a and after[0] != before[0]:
                failures.append(f"{label}: a visitor from outside changed workspace A")
        shows_invitation = endpoint == "auth.join" and _invitation(world, actor) == (
            world.invitation_token_a
        )
        if actor in OUTSIDE_A and not shows_invitation and ALPHA_MARK.encode() in body:
            failures.append(f"{label}: workspace A's data in the response")
    assert failures == []


def test_respondent_link_reaches_only_its_own_respondent(app: Flask) -> None:
    """B's respondent, on its own link, sees and writes only B's respondent."""
    world = build_world(app)
    client = _client_for(app, world, "link_other")
    page = client.get(f"/r/{world.token_b}/s/strategy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert BETA_MARK in text and ALPHA_MARK not in text
    answered = select(Answer.respondent_id).where(Answer.question_id == "str_strategy_owner")
    with app.app_context():
        before = set(db.session.execute(answered).scalars())  # A's submitted round
    saved = client.post(
        f"/r/{world.token_b}/autosave",
        json={"question": "str_strategy_owner", "value": "CIO", "version": 0},
    )
    assert saved.status_code == 200
    with app.app_context():
        assert set(db.session.execute(answered).scalars()) - before == {world.respondent_b}
    # The consultant pages of A's respondent stay closed to the link's session.
    refused = client.get(
        f"/assessments/{world.assessment_a}/respondents/{world.respondent_a}/answer/s/strategy"
    )
    assert refused.status_code == 302


def test_another_workspace_gets_404_for_every_id_of_a(app: Flask) -> None:
    """The same ids that work for A's owner are 404 for B's owner: existence is not revealed."""
    world = build_world(app)
    owner = _client_for(app, world, "owner")
    outsider = _client_for(app, world, "outsider")
    for endpoint, route in ROUTES.items():
        if route.access not in ALLOWED or not route.scoped or route.get is None:
            continue
        url = route.url(world, "owner")
        assert owner.get(url).status_code == route.get, endpoint
        assert outsider.get(url).status_code == 404, endpoint


def test_an_own_workspace_is_not_served_the_portfolio(app: Flask) -> None:
    """The portfolio compares a firm's clients: an organisation assessing itself has none,
    and every member of its workspace gets 404 (and no link to it); a firm's owner, 200."""
    world = build_world(app)
    with app.app_context():
        db.session.get_one(Workspace, world.workspace_a).kind = "own"
        db.session.commit()
    for actor in ("viewer", "consultant", "owner", "unverified"):
        client = _client_for(app, world, actor)
        assert client.get("/portfolio").status_code == 404, actor
        assert b'href="/portfolio"' not in client.get("/").data, actor
    assert _client_for(app, world, "outsider").get("/portfolio").status_code == 200


# --- the JSON API: bearer tokens, never the session cookie ---------------------------------------

#: Who calls the API: a token of A's owner (read-write, read), of A's consultant and viewer
#: (read-write; a viewer's only reads), of B's owner; a revoked token; none; and A's owner
#: signed in on the web with no token (the session cookie must not authenticate).  Then
#: A's owner's read-write token while the owner's address is unconfirmed, A being a firm's
#: workspace (closed until it is) or an organisation's own (open, less what reaches
#: people outside: respondents' links, the report, exports); and A's consultant's token
#: once A requires two-factor sign-in, which the consultant has not turned on.
API_ACTORS = (
    "owner_rw",
    "owner_read",
    "consultant_rw",
    "viewer_rw",
    "outsider_rw",
    "revoked",
    "no_token",
    "session_only",
    "unverified_rw",
    "unverified_own_rw",
    "no_second_factor_rw",
)
API_WRITERS = ("owner_rw", "consultant_rw")
API_READERS = ("owner_rw", "owner_read", "consultant_rw", "viewer_rw")


@dataclass(frozen=True)
class ApiRoute:
    method: str
    url: Url
    #: The status an allowed caller gets.
    status: int
    writes: bool = False
    body: Data | None = None
    #: The URL names A's objects: B's token gets 404 (a list of one's own: 200, none of A).
    scoped: bool = True
    #: Needs the token owner's confirmed e-mail address (403 otherwise).
    verified: bool = False


def _api(path: str) -> Url:
    return lambda w, actor: "/api/v1" + path.format(w=w)


_RESPONDENT = "/assessments/{w.assessment_a}/respondents/{w.respondent_a}"
API_ROUTES: dict[str, ApiRoute] = {
    "api.list_organisations": ApiRoute("GET", _api("/organisations"), 200, scoped=False),
    "api.get_organisation": ApiRoute("GET", _api("/organisations/{w.organization_a}"), 200),
    "api.list_assessments": ApiRoute("GET", _api("/assessments"), 200, scoped=False),
    "api.get_assessment": ApiRoute("GET", _api("/assessments/{w.assessment_a}"), 200),
    "api.list_respondents": ApiRoute("GET", _api("/assessments/{w.assessment_a}/respondents"), 200),
    "api.get_respondent": ApiRoute("GET", _api(_RESPONDENT), 200),
    "api.get_answers": ApiRoute("GET", _api(_RESPONDENT + "/answers"), 200),
    "api.get_results": ApiRoute("GET", _api("/assessments/{w.assessment_a}/results"), 200),
    "api.get_report": ApiRoute(
        "GET", _api("/assessments/{w.assessment_a}/report"), 200, verified=True
    ),
    "api.get_render_job": ApiRoute("GET", lambda w, actor: f"/api/v1/render-jobs/{w.job_a}", 200),
    "api.get_export": ApiRoute(
        "GET", _api("/assessments/{w.assessment_a}/exports/csv"), 200, verified=True
    ),
    "api.create_organisation": ApiRoute(
        "POST",
        _api("/organisations"),
        201,
        writes=True,
        body=lambda w, actor: {"name": f"Made by {actor}"},
        scoped=False,
    ),
    "api.create_assessment": ApiRoute(
        "POST",
        _api("/assessments"),
        201,
        writes=True,
        body=lambda w, actor: {"organisation_id": w.organization_a},
    ),
    "api.close_assessment": ApiRoute(
        "POST", _api("/assessments/{w.spare_assessment_a}/close"), 200, writes=True
    ),
    "api.create_respondent": ApiRoute(
        "POST",
        _api("/assessments/{w.assessment_a}/respondents"),
        201,
        writes=True,
        body=lambda w, actor: {"name": "Added by API", "role": "OTHER"},
        verified=True,  # with its personal link (the default)
    ),
    "api.revoke_respondent_link": ApiRoute("POST", _api(_RESPONDENT + "/revoke"), 200, writes=True),
    "api.save_answers": ApiRoute(
        "PATCH",
        _api(_RESPONDENT + "/answers"),
        200,
        writes=True,
        body=lambda w, actor: {
            "answers": [{"question_id": "str_strategy_owner", "value": "CIO", "version": 0}]
        },
    ),
}


def api_expected(route: ApiRoute, actor: str) -> int:
    if actor in ("revoked", "no_token", "session_only"):
        return 401
    if actor in ("unverified_rw", "no_second_factor_rw"):
        return 403
    if actor == "unverified_own_rw":
        if route.verified:
            return 403
        actor = "owner_rw"
    if actor == "outsider_rw":
        if route.scoped:
            return 404
        return route.status if not route.writes else route.status
    if route.writes and actor not in API_WRITERS:
        return 403
    return route.status


@dataclass
class ApiWorld:
    world: World
    job_a: int
    tokens: dict[str, str]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def _api_world(app: Flask) -> ApiWorld:
    from assessor.operations import render_jobs
    from tests.api_support import make_tokens

    world = build_world(app)
    made = make_tokens(app, world)
    with app.app_context():
        request = render_jobs.RenderRequest(
            world.workspace_a, world.assessment_a, "0" * 64, "a4", "bulk", "test"
        )
        job_a = render_jobs.enqueue(request, render_jobs.settings())
    tokens = {
        "owner_rw": made.owner_rw,
        "owner_read": made.owner_read,
        "consultant_rw": made.consultant_rw,
        "viewer_rw": made.viewer_rw,
        "outsider_rw": made.outsider_rw,
        "revoked": made.revoked,
        "unverified_rw": made.owner_rw,
        "unverified_own_rw": made.owner_rw,
        "no_second_factor_rw": made.consultant_rw,
    }
    return ApiWorld(world, job_a, tokens)


def _api_actor_state(app: Flask, world: World, actor: str) -> None:
    """A's owner's address unconfirmed again (A a firm's or its own), or A requiring a
    second factor, as the actor needs."""
    with app.app_context():
        workspace = db.session.get_one(Workspace, world.workspace_a)
        if actor in ("unverified_rw", "unverified_own_rw"):
            db.session.get_one(User, world.owner.user_id).email_verified_at = None
            workspace.kind = "own" if actor == "unverified_own_rw" else "firm"
        if actor == "no_second_factor_rw":
            workspace.require_two_factor = True
        db.session.commit()


def test_every_api_route_is_classified(app: Flask) -> None:
    served = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    classified = {(endpoint, route.method) for endpoint, route in API_ROUTES.items()}
    assert served == classified


@pytest.mark.parametrize("actor", API_ACTORS)
def test_api_access_matrix(app: Flask, actor: str) -> None:
    """Every API route with every kind of token: the status each must get; refused calls
    change nothing; nothing of A reaches B's token."""
    w = _api_world(app)
    _api_actor_state(app, w.world, actor)
    client = app.test_client()
    headers = {}
    if actor in w.tokens:
        headers["Authorization"] = f"Bearer {w.tokens[actor]}"
    elif actor == "session_only":
        sign_in(client, w.owner)
    failures = []
    ordered = sorted(API_ROUTES.items(), key=lambda item: item[1].writes)
    for endpoint, route in ordered:
        url = route.url(w, actor)  # type: ignore[arg-type]
        want = api_expected(route, actor)
        before = _snapshots(app, w.world) if want in (401, 403, 404) else None
        body = route.body(w, actor) if route.body else None  # type: ignore[arg-type]
        response = client.open(url, method=route.method, json=body, headers=headers)
        label = f"{actor} {route.method} {endpoint} ({url})"
        if response.status_code != want:
            failures.append(f"{label}: {response.status_code}, wanted {want}")
        if response.status_code >= 400 and response.mimetype != "application/problem+json":
            failures.append(f"{label}: an error that is not problem+json")
        if before is not None and _snapshots(app, w.world) != before:
            failures.append(f"{label}: refused, yet the database changed")
        if actor == "outsider_rw" and ALPHA_MARK.encode() in response.get_data():
            failures.append(f"{label}: workspace A's data in the response")
    assert failures == []
