"""API tokens for the people of :mod:`tests.security_world`, made through the operations."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from assessor.extensions import db
from assessor.models import User, Workspace
from assessor.operations import api_tokens
from tests.security_world import World


@dataclass(frozen=True)
class Tokens:
    """Bearer tokens of workspace A's people (by scope), of B's owner, and a revoked one."""

    owner_rw: str
    owner_read: str
    consultant_rw: str
    viewer_rw: str
    outsider_rw: str
    revoked: str


def make_token(app: Flask, user_id: int, workspace_id: int, scope: str = "read-write") -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        workspace = db.session.get(Workspace, workspace_id)
        assert user is not None and workspace is not None
        token, _ = api_tokens.create_token(workspace, user, name=f"test {scope}", scope=scope)
        return token


def make_tokens(app: Flask, world: World) -> Tokens:
    a, b = world.workspace_a, world.workspace_b
    revoked = make_token(app, world.owner.user_id, a)
    with app.app_context():
        row = api_tokens.tokens_of(a, world.owner.user_id)[0]
        api_tokens.revoke_token(row, row.user)
    return Tokens(
        owner_rw=make_token(app, world.owner.user_id, a),
        owner_read=make_token(app, world.owner.user_id, a, "read"),
        consultant_rw=make_token(app, world.consultant.user_id, a),
        viewer_rw=make_token(app, world.viewer.user_id, a),
        outsider_rw=make_token(app, world.outsider.user_id, b),
        revoked=revoked,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
