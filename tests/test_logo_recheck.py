"""``assessor logos check``: stored logos checked again with today's rules."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, Workspace
from tests.test_report_branding import HOSTILE_SVG
from tests.web_support import in_app, stage

GOOD = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 1"><rect width="4"/></svg>'


def test_logos_check_removes_each_logo_refused_today_with_an_audit_entry(
    app: Flask, client: FlaskClient
) -> None:
    hostile = stage(app, client, email="h@example.com")
    good = stage(app, app.test_client(), email="g@example.com")
    with in_app(app):
        for workspace_id, logo in ((hostile.workspace_id, HOSTILE_SVG), (good.workspace_id, GOOD)):
            workspace = db.session.get(Workspace, workspace_id)
            assert workspace is not None
            workspace.logo, workspace.logo_mimetype = logo, "image/svg+xml"
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["logos", "check"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"workspace {hostile.workspace_id}: logo removed: The SVG logo draws more than 20,000 "
        "shapes once its references (<use>, clip paths) are followed. Upload a simpler SVG, "
        "or a PNG.",
        "1 logo removed",
    ]
    with in_app(app):
        assert db.session.get(Workspace, hostile.workspace_id).logo is None  # type: ignore[union-attr]
        assert db.session.get(Workspace, good.workspace_id).logo == GOOD  # type: ignore[union-attr]
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "logo-removed")
        ).all()
        assert [(e.workspace_id, e.actor) for e in events] == [(hostile.workspace_id, "system")]
    # The owner sees it in the audit log.
    assert "logo-removed" in client.get("/workspace/audit").get_data(as_text=True)
    assert app.test_cli_runner().invoke(args=["logos", "check"]).output == "0 logos removed\n"
