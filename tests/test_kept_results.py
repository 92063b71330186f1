"""Kept results: a closed assessment's result is stored and served as it was delivered;
a newer method changes it only through the explicit re-score, which shows the changes
first, stores the new result beside the old one and audits it.

The engine's output is changed with ``monkeypatch`` (its ``score`` as the operations call
it, and ``METHOD_VERSION``): what a new release of the engine would do.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

import assessor.engine
from assessor.engine import Result
from assessor.engine.findings import roadmap
from assessor.extensions import db
from assessor.models import Assessment, AuditEvent, RenderJob, StoredReport, StoredResult
from assessor.operations import kept_results, reporting, scoring
from assessor.operations.rescoring import compare, finding_key
from tests.test_erasure import traces
from tests.web_support import (
    PASSWORD,
    Page,
    Stage,
    complete_answers,
    in_app,
    invite,
    questionnaire,
    save_and_submit,
    sign_up,
    stage,
)

CONFIRMED = {"confirm": "y"}
REAL_SCORE = scoring.score
#: The method results are scored with now, and the one a newer engine would bring.
NOW = assessor.engine.METHOD_VERSION
NEXT = NOW + 1


def _answered(app: Flask, client: FlaskClient, *, close: bool = True) -> Stage:
    """An assessment whose CIO submitted middling answers (several findings), closed."""
    setup = stage(app, client)
    values = complete_answers(questionnaire(app), {"sec_program_owner": "CIO"})
    save_and_submit(app, setup.respondent_id, values)
    if close:
        assert client.post(f"{setup.detail}/close", data=CONFIRMED).status_code == 302
    return setup


def _rows(app: Flask, assessment_id: int) -> list[StoredResult]:
    with in_app(app):
        rows = db.session.scalars(
            select(StoredResult)
            .where(StoredResult.assessment_id == assessment_id)
            .order_by(StoredResult.number)
        ).all()
        db.session.expunge_all()
        return list(rows)


def _changed(result: Result, version: int | None = None) -> Result:
    """What a different engine gives: 7 points more, the first finding gone, the second
    one a step less severe, a new one added (and, with ``version``, another method)."""
    first, second, *rest = result.findings
    milder = {"critical": "high", "high": "medium", "medium": "low", "low": "low"}
    second = second._replace(severity=milder[second.severity])
    added = rest[0]._replace(
        id="rule:new-check", key="new-check:rule", title="A check only the new method makes"
    )
    method = result.method._replace(version=version) if version else result.method
    findings = (second, *rest, added)
    return dataclasses.replace(
        result,
        overall=min(100, result.overall + 7),
        findings=findings,
        roadmap=roadmap(findings),
        method=method,
    )


def _new_engine(monkeypatch: pytest.MonkeyPatch, version: int | None = None) -> None:
    monkeypatch.setattr(
        scoring, "score", lambda *args, **kwargs: _changed(REAL_SCORE(*args, **kwargs), version)
    )
    if version is not None:
        monkeypatch.setattr(assessor.engine, "METHOD_VERSION", version)


def _overall(page: Page) -> str:
    [text] = page.texts(".overall .big")
    return text


def _live(app: Flask, assessment_id: int) -> dict[str, Any]:
    with in_app(app):
        found = db.session.get(Assessment, assessment_id)
        assert found is not None
        return scoring.score_assessment(found).result.to_dict()


def test_closing_stores_the_result_with_its_questionnaire_and_method(
    app: Flask, client: FlaskClient
) -> None:
    setup = _answered(app, client)
    rows = _rows(app, setup.assessment_id)
    assert [r.reason for r in rows] == ["submitted", "closed"]  # the submission's snapshot too
    row = rows[-1]
    live = _live(app, setup.assessment_id)
    assert (row.number, row.reason, row.method_version) == (2, "closed", NOW)
    assert json.loads(row.result_json) == live  # the result delivered at closing
    assert row.result_json == kept_results.canonical(live)
    q = questionnaire(app)
    assert (row.questionnaire_id, row.questionnaire_version, row.questionnaire_hash) == (
        q.id,
        q.version,
        q.hash,
    )
    assert live["method"]["version"] == assessor.engine.METHOD_VERSION == NOW
    with in_app(app):
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert assessment is not None and assessment.method_version == NOW
        closed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "assessment-closed")
        ).one()
        assert closed.detail == {"stored_result": 2, "method": NOW}
    assert "Result kept" in Page(client.get(f"{setup.detail}/results")).text


def test_a_closed_assessment_shows_its_stored_result_whatever_the_engine_gives_now(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = _answered(app, client)
    before_page = Page(client.get(f"{setup.detail}/results"))
    pdf = client.get(f"{setup.detail}/report.pdf")
    assert pdf.status_code == 200
    exports = {fmt: client.get(f"{setup.detail}/export.{fmt}").data for fmt in ("json", "csv")}
    preview = client.get(f"{setup.detail}/report").get_data(as_text=True)

    _new_engine(monkeypatch)
    assert _live(app, setup.assessment_id)["overall"] != int(_overall(before_page))  # it moved

    after_page = Page(client.get(f"{setup.detail}/results"))
    assert _overall(after_page) == _overall(before_page)
    assert after_page.texts(".finding h3") == before_page.texts(".finding h3")
    assert "A check only the new method makes" not in after_page.text
    again = client.get(f"{setup.detail}/report.pdf")
    assert again.status_code == 200
    assert again.headers["ETag"] == pdf.headers["ETag"]  # the same content: the stored PDF
    assert again.data == pdf.data
    for fmt, data in exports.items():
        assert client.get(f"{setup.detail}/export.{fmt}").data == data, fmt
    assert client.get(f"{setup.detail}/report").get_data(as_text=True) == preview
    assert len(_rows(app, setup.assessment_id)) == 2  # nothing stored by reading


def test_a_newer_method_is_offered_and_the_rescore_shows_the_changes_before_storing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = _answered(app, client)
    old = json.loads(_rows(app, setup.assessment_id)[-1].result_json)
    _new_engine(monkeypatch, version=NEXT)

    results = Page(client.get(f"{setup.detail}/results"))
    notice = " ".join(results.texts("#method-outdated"))
    assert f"scored with method {NOW}" in notice and f"current method is version {NEXT}" in notice
    link = results.one("#method-outdated a").etree_element.get("href")
    assert link == f"{setup.detail}/rescore"
    assert _overall(results) == str(old["overall"])  # still the kept one

    asked = Page(client.get(f"{setup.detail}/rescore"))
    assert asked.response.status_code == 200
    assert asked.accessibility_problems() == []
    headline = " ".join(asked.texts("#rescore-headline"))
    assert f"{old['overall']} / 100 (method {NOW})" in headline
    assert f"{min(100, old['overall'] + 7)} / 100 (method {NEXT})" in headline
    assert old["findings"][0]["title"] in " ".join(asked.texts("#findings-removed"))
    assert "A check only the new method makes" in " ".join(asked.texts("#findings-added"))
    changed = " ".join(asked.texts("#findings-severity"))
    assert old["findings"][1]["title"] in changed
    assert len(_rows(app, setup.assessment_id)) == 2  # shown, not stored

    shown = asked.value("#shown")
    unticked = client.post(f"{setup.detail}/rescore", data={"shown": shown})
    assert unticked.status_code == 422
    assert Page(unticked).errors_beside("confirm") == ["Tick the box to confirm."]
    assert len(_rows(app, setup.assessment_id)) == 2

    done = client.post(f"{setup.detail}/rescore", data={**CONFIRMED, "shown": shown})
    assert done.status_code == 302
    _, first, second = _rows(app, setup.assessment_id)
    assert json.loads(first.result_json) == old  # the earlier result is kept as it was
    assert (second.number, second.reason, second.method_version) == (3, "rescored", NEXT)
    assert json.loads(second.result_json)["overall"] == min(100, old["overall"] + 7)
    with in_app(app):
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert assessment is not None and assessment.method_version == NEXT
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "assessment-rescored")
        ).one()
        assert event.target == f"assessment:{setup.assessment_id}"
        assert event.detail == {
            "method_before": NOW,
            "method_after": NEXT,
            "overall_before": old["overall"],
            "overall_after": min(100, old["overall"] + 7),
            "findings_added": 1,
            "findings_removed": 1,
            "severity_changed": 1,
            "stored_result": 3,
        }
    page = Page(client.get(f"{setup.detail}/results"))
    assert _overall(page) == str(min(100, old["overall"] + 7))
    assert page.all("#method-outdated") == []
    assert "A check only the new method makes" in page.text
    # Offered no more: already on the current method.
    assert client.get(f"{setup.detail}/rescore").status_code == 302


def _stored_pdf_hashes(app: Flask, assessment_id: int) -> set[str]:
    with in_app(app):
        return set(
            db.session.scalars(
                select(StoredReport.content_hash).where(StoredReport.assessment_id == assessment_id)
            )
        )


def _wait_for(predicate: Any, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _etag(app: Flask, assessment_id: int) -> str:
    with in_app(app):
        return reporting.report_etag(db.session.get_one(Assessment, assessment_id))


def test_the_rescore_renders_the_report_again_through_a_render_job(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["PRERENDER"] = True
    setup = _answered(app, client)  # closing hands the PDF to a render job
    kept = _etag(app, setup.assessment_id)
    _wait_for(lambda: kept in _stored_pdf_hashes(app, setup.assessment_id))
    _new_engine(monkeypatch, version=NEXT)
    assert _etag(app, setup.assessment_id) == kept  # the stored result: the same report
    shown = Page(client.get(f"{setup.detail}/rescore")).value("#shown")
    assert client.post(f"{setup.detail}/rescore", data={**CONFIRMED, "shown": shown}).status_code
    new = _etag(app, setup.assessment_id)
    assert new != kept
    _wait_for(lambda: new in _stored_pdf_hashes(app, setup.assessment_id))
    with in_app(app):
        jobs = db.session.scalars(
            select(RenderJob).where(RenderJob.assessment_id == setup.assessment_id)
        ).all()
        assert (new, "done") in [(j.content_hash, j.state) for j in jobs]
    again = client.get(f"{setup.detail}/report.pdf")
    assert again.status_code == 200 and again.headers["ETag"] == f'"{new}"'


def test_a_rescore_stores_only_the_result_that_was_shown(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = _answered(app, client)
    _new_engine(monkeypatch, version=NEXT)
    refused = client.post(f"{setup.detail}/rescore", data={**CONFIRMED, "shown": "0" * 64})
    assert refused.status_code == 422
    assert "changed since the comparison was shown" in Page(refused).text
    assert len(_rows(app, setup.assessment_id)) == 2


def test_an_open_assessment_keeps_its_method_until_it_is_rescored(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = stage(app, client, people=(("Carla CIO", "CIO"), ("Sam CISO", "CISO")))
    values = complete_answers(questionnaire(app))
    save_and_submit(app, setup.respondent_ids[0], values)
    [snapshot] = _rows(app, setup.assessment_id)
    assert (snapshot.reason, snapshot.method_version) == ("submitted", NOW)
    kept = json.loads(snapshot.result_json)
    live = Page(client.get(f"{setup.detail}/results"))
    assert live.all("#kept-result") == [] and live.all("#method-outdated") == []

    _new_engine(monkeypatch, version=NEXT)
    # A later submission is not snapshotted under a method the engine no longer has.
    save_and_submit(app, setup.respondent_ids[1], {**values, "sec_program_owner": "CISO"})
    assert len(_rows(app, setup.assessment_id)) == 1
    page = Page(client.get(f"{setup.detail}/results"))
    assert _overall(page) == str(kept["overall"])  # its own method's result, not the new one
    [counted] = page.texts(".people-state.counted")
    assert "Carla CIO" in counted and "Sam CISO" not in counted
    assert f"scored with method {NOW}" in " ".join(page.texts("#method-outdated"))

    shown = Page(client.get(f"{setup.detail}/rescore")).value("#shown")
    assert client.post(f"{setup.detail}/rescore", data={**CONFIRMED, "shown": shown}).status_code
    with in_app(app):
        assessment = db.session.get(Assessment, setup.assessment_id)
        assert assessment is not None and assessment.method_version == NEXT
    # From then on it is scored live, with the new method.
    assert _overall(Page(client.get(f"{setup.detail}/results"))) == str(
        _live(app, setup.assessment_id)["overall"]
    )


def test_a_viewer_sees_the_notice_but_is_not_offered_the_rescore(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = _answered(app, client)
    token = invite(app, "olive@example.com", "vic@example.com", "viewer")
    viewer = app.test_client()
    viewer.post(f"/join/{token}", data={"name": "Vic Viewer", "password": PASSWORD})
    _new_engine(monkeypatch, version=NEXT)
    page = Page(viewer.get(f"{setup.detail}/results"))
    assert f"current method is version {NEXT}" in " ".join(page.texts("#method-outdated"))
    assert page.all("#method-outdated a") == []
    assert viewer.get(f"{setup.detail}/rescore").status_code == 404
    assert Page(client.get(f"{setup.detail}/results")).all("#method-outdated a") != []


def test_another_workspace_gets_404_and_nothing_is_stored(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = _answered(app, client)
    _new_engine(monkeypatch, version=NEXT)
    shown = Page(client.get(f"{setup.detail}/rescore")).value("#shown")
    other = app.test_client()
    assert sign_up(other, "mallory@example.com", workspace="Elsewhere").status_code == 302
    assert other.get(f"{setup.detail}/rescore").status_code == 404
    posted = other.post(f"{setup.detail}/rescore", data={**CONFIRMED, "shown": shown})
    assert posted.status_code == 404
    assert len(_rows(app, setup.assessment_id)) == 2


def test_erasing_a_respondent_of_a_closed_assessment_erases_its_kept_results(
    app: Flask, client: FlaskClient
) -> None:
    setup = stage(app, client, people=(("Zelda Erasable-k7", "CISO"), ("Kurt Keeper", "CIO")))
    values = complete_answers(questionnaire(app))
    for rid in setup.respondent_ids:
        save_and_submit(app, rid, values)
    assert client.post(f"{setup.detail}/close", data=CONFIRMED).status_code == 302
    assert traces(app, ("Zelda Erasable-k7",), {}) != []  # the kept results name her
    erased = setup.respondent_ids[0]
    url = f"{setup.detail}/respondents/{erased}/erase"
    assert client.post(url, data=CONFIRMED).status_code == 302
    assert traces(app, ("Zelda Erasable-k7",), {"respondent": {erased}}) == []
    [row] = _rows(app, setup.assessment_id)  # the result of who is left, stored again
    assert row.reason == "erasure"
    assert [r["name"] for r in json.loads(row.result_json)["respondents"]] == ["Kurt Keeper"]


def test_deleting_the_assessment_takes_its_kept_results(app: Flask, client: FlaskClient) -> None:
    setup = _answered(app, client)
    assert _rows(app, setup.assessment_id) != []
    assert client.post(f"{setup.detail}/delete", data=CONFIRMED).status_code == 302
    assert _rows(app, setup.assessment_id) == []


def test_a_stored_result_that_no_longer_matches_its_digest_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    setup = _answered(app, client)
    with in_app(app):
        row = db.session.scalars(
            select(StoredResult).order_by(StoredResult.number.desc()).limit(1)
        ).one()
        row.result_json = row.result_json.replace('"overall":', '"overall":1', 1)
        db.session.commit()
        with pytest.raises(kept_results.StoredResultDamaged):
            kept_results.current(setup.assessment_id)


def test_findings_are_matched_by_their_key_where_they_have_one() -> None:
    assert finding_key({"id": "immature:SEC-1", "key": "SEC-1:maturity"}) == "SEC-1:maturity"
    assert finding_key({"id": "immature:SEC-1"}) == "immature:SEC-1"
    before = {
        "overall": 40,
        "method": {"version": 1},
        "findings": [{"id": "immature:SEC-1", "title": "Old", "severity": "high"}],
    }
    after = {
        "overall": 35,
        "band": "Developing",
        "method": {"version": 2},
        "findings": [
            # Renamed and renumbered, the same key: the same finding, a milder one.
            {"id": "f-1", "key": "immature:SEC-1", "title": "New", "severity": "medium"}
        ],
    }
    changes = compare(before, after)
    assert changes.added == () and changes.removed == ()
    assert [(c.before, c.after) for c in changes.severity] == [("high", "medium")]
    assert (changes.before.overall, changes.after.overall, changes.after.band) == (
        40,
        35,
        "Developing",
    )
    assert re.fullmatch("[0-9a-f]{64}", changes.digest)
    assert compare(None, after).added == tuple(after["findings"])


def test_a_closed_assessment_without_a_kept_result_stores_one_on_its_first_read(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As one closed before the upgrade whose questionnaire could not be loaded then."""
    setup = _answered(app, client)
    with in_app(app):
        db.session.execute(delete(StoredResult))
        db.session.commit()
    first = Page(client.get(f"{setup.detail}/results"))
    [row] = _rows(app, setup.assessment_id)
    assert (row.number, row.reason, row.stored_by) == (1, "first-read", "system")
    _new_engine(monkeypatch)
    assert _overall(Page(client.get(f"{setup.detail}/results"))) == _overall(first)
    assert len(_rows(app, setup.assessment_id)) == 1
