"""The audit log: sign-ins, invitations, submissions, reopenings and report downloads are
recorded as they happen on the web, and only the workspace's owner can read them."""

from __future__ import annotations

from urllib.parse import urlsplit

import tinyhtml5
from flask import Flask

from tests.security_world import ALPHA_MARK, answer_everything, build_world, sign_in

ACTIONS = (
    "sign-in",
    "member-invited",
    "respondent-invited",
    "answers-submitted",
    "answers-reopened",
    "report-downloaded",
)


def _rows(html: str) -> list[list[str]]:
    rows = []
    for row in tinyhtml5.parse(html).iter("{http://www.w3.org/1999/xhtml}tr"):
        cells = [" ".join("".join(c.itertext()).split()) for c in row]
        if cells and row.find("{http://www.w3.org/1999/xhtml}td") is not None:
            rows.append(cells)
    return rows


def test_each_action_lands_in_the_audit_log(app: Flask) -> None:
    world = build_world(app)
    owner = app.test_client()
    sign_in(owner, world.owner)
    invited = owner.post(
        "/workspace/invitations", data={"email": "new.viewer@example.com", "role": "viewer"}
    )
    assert invited.status_code == 200
    link = owner.post(f"/assessments/{world.assessment_a}/respondents/{world.respondent_a}/link")
    assert link.status_code == 200
    token = urlsplit(
        next(
            word for word in link.get_data(as_text=True).replace('"', " ").split() if "/r/" in word
        )
    ).path.split("/r/")[1]

    answer_everything(app, world.respondent_a)
    respondent = app.test_client()
    submitted = respondent.post(f"/r/{token}/submit", data={})
    assert submitted.status_code == 200, submitted.get_data(as_text=True)[:500]
    reopened = owner.post(
        f"/assessments/{world.assessment_a}/respondents/{world.respondent_a}/reopen"
    )
    assert reopened.status_code == 302
    pdf = owner.get(f"/assessments/{world.assessment_a}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    page = owner.get("/workspace/audit")
    assert page.status_code == 200
    rows = _rows(page.get_data(as_text=True))
    done: dict[str, list[str]] = {}
    for row in rows:
        done.setdefault(row[2], row)  # the newest of each action
    missing = [action for action in ACTIONS if action not in done]
    assert missing == []
    assert done["sign-in"][1] == world.owner.email
    assert done["member-invited"][3] == "invitation:new.viewer@example.com"
    assert done["respondent-invited"][3] == f"respondent:{world.respondent_a}"
    assert done["answers-submitted"][1].startswith(f"Cia Cio {ALPHA_MARK}")
    assert done["answers-submitted"][3] == f"respondent:{world.respondent_a}"
    assert done["answers-reopened"][1] == world.owner.email
    assert done["report-downloaded"][3] == f"assessment:{world.assessment_a}"
    assert "format=pdf" in done["report-downloaded"][4]
    # Newest first.
    assert [row[2] for row in rows].index("report-downloaded") < [row[2] for row in rows].index(
        "sign-in"
    )


def test_only_the_owner_reads_the_audit_log(app: Flask) -> None:
    world = build_world(app)
    for person in (world.consultant, world.viewer):
        client = app.test_client()
        sign_in(client, person)
        assert client.get("/workspace/audit").status_code == 404
    anonymous = app.test_client().get("/workspace/audit")
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.headers["Location"]).path == "/signin"
    # The owner of another workspace reads only their own workspace's log.
    outsider = app.test_client()
    sign_in(outsider, world.outsider)
    page = outsider.get("/workspace/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert world.outsider.email in text
    assert world.owner.email not in text and ALPHA_MARK not in text
