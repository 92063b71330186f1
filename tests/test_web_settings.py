"""The settings blueprint: report branding, inviting colleagues, what a viewer may do."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessor.extensions import db
from assessor.models import (
    Answer,
    Assessment,
    AuditEvent,
    Invitation,
    Membership,
    Organization,
    Respondent,
    User,
    Workspace,
)
from tests.mail_support import last_to, link
from tests.test_report_branding import HOSTILE_SVG
from tests.web_support import (
    PASSWORD,
    Page,
    Stage,
    in_app,
    issue_link,
    link_token,
    stage,
)


def _png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    pixels = b"".join(b"\x00" + b"\x1f\x5f\xbf" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00secret metadata")
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<script>alert(1)</script><rect width="10" height="10" fill="#1f5fbf" onclick="x()"/></svg>'
)


def _branding(client: FlaskClient, **fields: object) -> Page:
    data = {"firm_name": "Northwind Advisory", "accent_color": "", **fields}
    return Page(client.post("/workspace/branding", data=data, content_type="multipart/form-data"))


def _workspace(app: Flask) -> tuple[str | None, str | None, bytes | None, str | None]:
    with in_app(app):
        w = db.session.scalars(select(Workspace)).first()
        assert w is not None
        return w.firm_name, w.accent_color, w.logo, w.logo_mimetype


def _join(app: Flask, owner: FlaskClient, email: str, role: str, name: str) -> FlaskClient:
    """The owner invites someone; they open the e-mailed link in their own browser and
    join."""
    page = Page(owner.post("/workspace/invitations", data={"email": email, "role": role}))
    assert page.response.status_code == 200
    person = app.test_client()
    path = link(last_to(app, email), "/join/")
    assert path is not None
    response = person.post(path, data={"name": name, "password": PASSWORD})
    assert response.status_code == 302
    return person


def test_settings_page_labels_every_field(app: Flask, client: FlaskClient) -> None:
    stage(app, client)
    page = Page(client.get("/workspace"))
    assert page.accessibility_problems() == []
    assert "You are owner of this workspace." in page.text


def test_branding_firm_name_and_accent_colour(app: Flask, client: FlaskClient) -> None:
    stage(app, client)

    page = _branding(client, accent_color="blue")
    assert page.response.status_code == 422
    assert page.errors_beside("accent_color") == ["Use #rrggbb, e.g. #1f6feb."]
    assert page.value("#firm_name") == "Northwind Advisory"
    assert _workspace(app)[:2] == (None, None)

    response = client.post(
        "/workspace/branding",
        data={"firm_name": "  Northwind Advisory ", "accent_color": "#1F5FBF"},
        follow_redirects=True,
    )
    assert "Branding saved; new reports use it." in Page(response).texts(".flash")
    assert _workspace(app)[:2] == ("Northwind Advisory", "#1f5fbf")
    page = Page(client.get("/workspace"))
    assert page.value("#firm_name") == "Northwind Advisory"
    assert page.value("#accent_color") == "#1f5fbf"


def test_logo_upload_png_and_svg_are_checked_and_cleaned(app: Flask, client: FlaskClient) -> None:
    stage(app, client)
    assert client.get("/workspace/logo").status_code == 404

    response = client.post(
        "/workspace/branding",
        data={"firm_name": "", "logo": (io.BytesIO(_png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    _, _, logo, mimetype = _workspace(app)
    assert mimetype == "image/png"
    assert logo is not None and logo.startswith(b"\x89PNG") and b"secret metadata" not in logo
    served = client.get("/workspace/logo")
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", logo)
    assert Page(client.get("/workspace")).all("img.logo-preview[alt]")

    response = client.post(
        "/workspace/branding",
        data={"logo": (io.BytesIO(SVG), "logo.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    _, _, logo, mimetype = _workspace(app)
    assert mimetype == "image/svg+xml"
    assert logo is not None and b"<rect" in logo
    assert b"script" not in logo and b"onclick" not in logo

    response = client.post(
        "/workspace/branding",
        data={"remove_logo": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _workspace(app)[2:] == (None, None)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"GIF89a....", "logo.gif", "PNG or SVG only."),
        (b"not a png at all", "logo.png", "This file is named .png but is not a PNG image."),
        (_png()[:40], "logo.png", "The PNG file is truncated."),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
            "logo.svg",
            "The SVG logo needs a viewBox (or a width and a height).",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
            "logo.svg",
            "SVG files with a DOCTYPE or entities are not accepted.",
        ),
        (b"\x89PNG" + b"\0" * (300 * 1024), "big.png", "The logo is larger than 256 KB."),
        (
            HOSTILE_SVG,  # 1.8 KB of <use> chains: 10^9 shapes once expanded
            "logo.svg",
            "The SVG logo draws more than 20,000 shapes once its references (<use>, clip "
            "paths) are followed. Upload a simpler SVG, or a PNG.",
        ),
        (
            # The same chain, followed by empty elements with the same ids: a renderer
            # draws the first element of an id, so that is the one to measure.
            HOSTILE_SVG.replace(
                b"</defs>", b"".join(b'<g id="a%d"/>' % level for level in range(10)) + b"</defs>"
            ),
            "logo.svg",
            "The SVG logo draws more than 20,000 shapes once its references (<use>, clip "
            "paths) are followed. Upload a simpler SVG, or a PNG.",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
            + b"<g>" * 324
            + b'<rect width="1" height="1"/>'
            + b"</g>" * 324
            + b"</svg>",  # 2.3 KB; the sanitiser's recursion overflowed (a 500)
            "logo.svg",
            "The SVG logo nests its elements more than 32 deep (at line 1, column 152). "
            "Flatten its groups in your drawing program, or upload a PNG.",
        ),
    ],
)
def test_a_bad_logo_gets_a_message_beside_the_field(
    app: Flask, client: FlaskClient, data: bytes, filename: str, message: str
) -> None:
    stage(app, client)
    page = _branding(client, logo=(io.BytesIO(data), filename), accent_color="#123456")
    assert page.response.status_code == 422
    assert page.errors_beside("logo") == [message]
    assert _workspace(app) == (None, None, None, None)  # nothing of the form is stored


def test_owner_invites_a_consultant_and_a_viewer(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)

    page = Page(
        client.post(
            "/workspace/invitations", data={"email": "Cora@Example.com", "role": "consultant"}
        )
    )
    token = link_token(page)
    assert "The link lets cora@example.com join as consultant" in page.text
    assert "We are e-mailing the link to cora@example.com." in page.text
    with in_app(app):
        invitation = db.session.scalars(select(Invitation)).one()
        assert invitation.email == "cora@example.com"
        assert token not in invitation.token_hash
    # The e-mailed link adds a proof the owner never sees (it proves the address).
    emailed = link(last_to(app, "cora@example.com"), "/join/")
    assert emailed is not None and emailed.startswith(f"/join/{token}?proof=")
    assert emailed.split("proof=")[1] not in page.html
    # How the e-mail went shows beside the open invitation.
    listed = Page(client.get("/workspace")).text
    assert "cora@example.com as consultant" in listed and "e-mailed" in listed

    consultant = app.test_client()
    assert consultant.post(emailed, data={"name": "Cora", "password": PASSWORD}).status_code == 302
    _join(app, client, "vic@example.com", "viewer", "Vic Viewer")

    members = Page(client.get("/workspace")).texts(
        "#members-h ~ .table-wrap tbody td:not(.row-actions)"
    )
    assert members == [
        *("Cora", "cora@example.com", "consultant"),
        *("Olive Owner", "olive@example.com", "owner"),
        *("Vic Viewer", "vic@example.com", "viewer"),
    ]
    with in_app(app):
        roles = dict(db.session.execute(select(User.email, Membership.role).join(Membership)).all())
    assert roles == {
        "olive@example.com": "owner",
        "cora@example.com": "consultant",
        "vic@example.com": "viewer",
    }

    # the consultant runs assessments: adds a respondent and answers for them
    response = consultant.post(
        f"{setup.detail}/respondents", data={"name": "Sam Secure", "role": "CISO"}
    )
    assert response.status_code == 302
    assert consultant.get(setup.answer_url()).status_code == 302
    # but branding and invitations are the owner's
    assert consultant.post("/workspace/branding", data={"firm_name": "X"}).status_code == 404
    assert (
        consultant.post(
            "/workspace/invitations", data={"email": "z@example.com", "role": "viewer"}
        ).status_code
        == 404
    )
    assert consultant.get("/workspace/audit").status_code == 404


def _changes(app: Flask) -> dict[str, int]:
    """How many rows each changeable table holds."""
    with in_app(app):
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Organization, Assessment, Respondent, Answer, Invitation, Membership)
        }


def test_a_viewer_cannot_change_anything(app: Flask, client: FlaskClient) -> None:
    setup: Stage = stage(app, client)
    token = issue_link(app, setup.respondent_id)
    viewer = _join(app, client, "vic@example.com", "viewer", "Vic Viewer")
    before = _changes(app)
    with in_app(app):
        invitation_id = db.session.scalars(select(Invitation.id)).first()

    # what a viewer sees: no buttons that change things
    detail = Page(viewer.get(setup.detail))
    assert detail.response.status_code == 200
    assert detail.all("main form[method=post] button") == []
    dashboard = Page(viewer.get("/"))
    assert "New client organisation" not in dashboard.text
    assert viewer.get("/organizations/new").status_code == 404
    assert viewer.get("/welcome").status_code == 404

    rid = setup.respondent_id
    posts = {
        "/organizations/new": {"name": "Viewer's"},
        f"/organizations/{setup.organization_id}/edit": {"name": "Renamed"},
        f"/assessments/new/{setup.organization_id}": {"questionnaire": "cio-ciso-governance@1"},
        f"{setup.detail}/targets": {"target_data": "1"},
        f"{setup.detail}/respondents": {"name": "Eve", "role": "CISO"},
        f"{setup.detail}/respondents/{rid}/link": {},
        f"{setup.detail}/respondents/{rid}/revoke": {},
        f"{setup.detail}/respondents/{rid}/reopen": {},
        f"{setup.detail}/close": {},
        f"{setup.detail}/reassess": {},
        f"{setup.answer_url()}/s/context": {"employees": "12", "v_employees": "0"},
        f"{setup.answer_url()}/submit": {},
        "/welcome": {"organization": "Mine", "role": "CIO"},
        "/workspace/branding": {"firm_name": "Viewer Ltd"},
        "/workspace/invitations": {"email": "z@example.com", "role": "viewer"},
        f"/workspace/invitations/{invitation_id}/revoke": {},
    }
    refused = {url: viewer.post(url, data=data).status_code for url, data in posts.items()}
    assert refused == dict.fromkeys(posts, 404)
    autosave = viewer.post(
        f"{setup.answer_url()}/autosave", json={"question": "employees", "value": 5}
    )
    assert autosave.status_code == 404
    assert _changes(app) == before
    assert client.get(f"/r/{token}").status_code == 302  # the respondent's link still works
    assert _workspace(app)[0] is None
    with in_app(app):
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert assessment is not None and assessment.status == "draft" and assessment.targets == {}


def test_the_audit_log_shows_who_did_what(app: Flask, client: FlaskClient) -> None:
    setup = stage(app, client)
    client.post(f"{setup.detail}/respondents/{setup.respondent_id}/link")
    page = Page(client.get("/workspace/audit"))
    actions = page.texts("tbody td:nth-child(3)")
    assert actions[0] == "respondent-invited"
    assert {"sign-up", "organization-created", "assessment-started", "respondent-added"} <= set(
        actions
    )
    with in_app(app):
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == len(actions)
