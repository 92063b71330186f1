"""Render jobs through the app: a hostile logo's render ends at its limit with a clear
page, a "limit hit" row, an audit entry and no retry; another workspace's download is
served while it runs; lanes, caps and stale jobs in the job table."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import AuditEvent, RenderJob, Workspace, utcnow
from assessor.operations import render_jobs, reporting
from assessor.reports.sandbox import Rendered
from tests.test_report_branding import HOSTILE_SVG
from tests.web_support import (
    Page,
    Stage,
    complete_answers,
    in_app,
    questionnaire,
    save_answers,
    stage,
)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # Room enough that the hostile render is still running when the test looks (it is
    # killed as soon as the other workspace's PDF is served).
    return {**app_config, "RENDER_TIMEOUT": 120, "RENDER_MEMORY_MB": 4096}


def _prepared(app: Flask, client: FlaskClient, email: str, organization: str) -> Stage:
    staged = stage(app, client, email=email, organization=organization)
    save_answers(app, staged.respondent_id, complete_answers(questionnaire(app)))
    return staged


def _store_logo(app: Flask, workspace_id: int, logo: bytes) -> None:
    """A logo stored before today's upload checks existed (they would refuse this one)."""
    with in_app(app):
        workspace = db.session.get(Workspace, workspace_id)
        assert workspace is not None
        workspace.logo, workspace.logo_mimetype = logo, "image/svg+xml"
        db.session.commit()


def _jobs(app: Flask, workspace_id: int) -> list[RenderJob]:
    with in_app(app):
        jobs = db.session.scalars(
            select(RenderJob).where(RenderJob.workspace_id == workspace_id).order_by(RenderJob.id)
        ).all()
        db.session.expunge_all()
        return list(jobs)


def _refusals(app: Flask, workspace_id: int) -> list[dict[str, Any]]:
    with in_app(app):
        return [
            e.detail
            for e in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.workspace_id == workspace_id)
                .where(AuditEvent.action == "report-refused")
                .order_by(AuditEvent.id)
            )
        ]


class TestTimeLimit:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "RENDER_TIMEOUT": 2, "RENDER_MEMORY_MB": 1024}

    def test_a_hostile_logo_ends_at_the_limit_with_a_clear_page_and_no_retry(
        self, app: Flask, client: FlaskClient
    ) -> None:
        staged = _prepared(app, client, "hostile@example.com", "Hostile Health")
        _store_logo(app, staged.workspace_id, HOSTILE_SVG)
        pdf = f"/assessments/{staged.assessment_id}/report.pdf"

        first = client.get(pdf)
        assert first.status_code == 422
        page = Page(first)
        assert "could not be produced within the limits" in page.text
        assert "Each report may take 2 seconds and 1024 MB." in page.text
        assert "This one was stopped: time limit after 2." in page.text
        assert "replace it with a PNG or a simpler SVG" in page.text
        assert page.all('a[href="/workspace"]')
        [job] = _jobs(app, staged.workspace_id)
        assert (job.state, job.reason, job.attempts, job.lane) == (
            "failed",
            "limit hit",
            1,
            "interactive",
        )
        assert "time limit" in (job.detail or "")
        assert job.started_at is not None and job.finished_at is not None

        # Downloading again does not render again: refused at once, same message.
        again = client.get(pdf)
        assert again.status_code == 422
        assert "could not be produced within the limits" in Page(again).text
        assert "This one was stopped: time limit after 2." in Page(again).text
        assert len(_jobs(app, staged.workspace_id)) == 1
        refusals = _refusals(app, staged.workspace_id)
        assert [(r["reason"], r["job"], r["earlier"]) for r in refusals] == [
            ("limit hit", job.id, False),
            ("limit hit", job.id, True),
        ]

        # Doing what the page says (removing the logo) gives the report (the small test
        # limit is raised first: a real report takes longer than the hostile one needs).
        app.config["RENDER_TIMEOUT"] = 120
        assert client.post("/workspace/branding", data={"remove_logo": "y"}).status_code == 302
        fixed = client.get(pdf)
        assert fixed.status_code == 200 and fixed.data.startswith(b"%PDF")
        assert [j.state for j in _jobs(app, staged.workspace_id)] == ["failed", "done"]


def _wait_for(predicate: Any, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_another_workspace_is_served_while_a_hostile_render_runs(app: Flask) -> None:
    hostile_client, other_client = app.test_client(), app.test_client()
    hostile = _prepared(app, hostile_client, "hostile@example.com", "Hostile Health")
    other = _prepared(app, other_client, "other@example.com", "Other Org")
    _store_logo(app, hostile.workspace_id, HOSTILE_SVG)
    answers: list[Any] = []
    download = threading.Thread(
        target=lambda: answers.append(
            hostile_client.get(f"/assessments/{hostile.assessment_id}/report.pdf")
        )
    )
    download.start()
    try:
        _wait_for(lambda: [j.worker for j in _jobs(app, hostile.workspace_id)] != [None])
        served = other_client.get(f"/assessments/{other.assessment_id}/report.pdf")
        assert served.status_code == 200 and served.data.startswith(b"%PDF")
        [running] = _jobs(app, hostile.workspace_id)
        assert running.state == "running"  # the other workspace did not wait for it

        # The hostile workspace's next download does not queue behind its own render
        # (it would hold a web worker): refused at once as busy.
        busy = hostile_client.get(f"/assessments/{hostile.assessment_id}/report.pdf?paper=letter")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
        assert "Another report of this workspace" in Page(busy).text
        assert other_client.get("/healthz").status_code == 200
    finally:
        # The render's process dies (as the kernel would kill it): that is a limit hit.
        [job] = [j for j in _jobs(app, hostile.workspace_id) if j.worker]
        os.kill(int((job.worker or "").rpartition(":")[2]), signal.SIGKILL)
        download.join(60)
    assert answers and answers[0].status_code == 422
    [job] = _jobs(app, hostile.workspace_id)
    assert (job.state, job.reason, job.attempts) == ("failed", "limit hit", 1)
    assert "process died" in (job.detail or "")
    assert [j.state for j in _jobs(app, other.workspace_id)] == ["done"]


# --- the claim rules ---------------------------------------------------------------------


def _request(workspace_id: int, assessment_id: int, lane: str, key: str) -> Any:
    return render_jobs.RenderRequest(workspace_id, assessment_id, key, "a4", lane, "test")


def test_bulk_jobs_leave_a_slot_to_downloads_and_stale_jobs_end(
    app: Flask, client: FlaskClient
) -> None:
    staged = _prepared(app, client, "lanes@example.com", "Lanes Ltd")
    ws, aid = staged.workspace_id, staged.assessment_id
    with in_app(app):
        config = render_jobs.settings()
        assert (config.workers, config.bulk_slots, config.per_workspace) == (2, 1, 1)
        first_bulk = render_jobs.enqueue(_request(ws, aid, "bulk", "b1"), config)
        second_bulk = render_jobs.enqueue(_request(ws, aid, "bulk", "b2"), config)
        assert render_jobs.claim(first_bulk, config)
        assert not render_jobs.claim(second_bulk, config)  # bulk has one slot of two
        download = render_jobs.enqueue(_request(ws, aid, "interactive", "i1"), config)
        assert render_jobs.claim(download, config)  # the slot kept for downloads
        with pytest.raises(render_jobs.RenderRefused) as busy:
            render_jobs.enqueue(_request(ws, aid, "interactive", "i2"), config)
        assert busy.value.reason == "busy"

        # The bulk job's waiter went away, the download's process died long ago.
        second = db.session.get(RenderJob, second_bulk)
        running = db.session.get(RenderJob, download)
        assert second is not None and running is not None
        second.heartbeat_at = utcnow() - timedelta(seconds=render_jobs.QUEUED_STALE_SECONDS + 1)
        running.started_at = utcnow() - timedelta(seconds=config.limits.seconds + 31)
        db.session.commit()
        render_jobs.finish(first_bulk, "done")
        third = render_jobs.enqueue(_request(ws, aid, "bulk", "b3"), config)
        assert render_jobs.claim(third, config)
        states = {j.id: (j.state, j.reason) for j in db.session.scalars(select(RenderJob))}
        assert states[second_bulk] == ("failed", "abandoned")
        assert states[download] == ("failed", "limit hit")
        # That content is not rendered again.
        with pytest.raises(render_jobs.RenderRefused) as again:
            render_jobs.enqueue(_request(ws, aid, "interactive", "i1"), config)
        assert again.value.reason == "limit hit"


def _rendered_by(data: bytes) -> render_jobs.RenderBackend:
    def backend(html: str, assets: Any, limits: Any, on_start: Any) -> Rendered:
        return Rendered(data, os.getpid(), 0.01, 1)

    return backend


def test_a_job_is_recorded_done_in_the_commit_that_stores_its_pdf(
    app: Flask, client: FlaskClient
) -> None:
    staged = _prepared(app, client, "kept@example.com", "Kept Ltd")
    ws, aid = staged.workspace_id, staged.assessment_id
    with in_app(app):
        config = render_jobs.settings()
        request = _request(ws, aid, "bulk", "k1")
        job_id = render_jobs.enqueue(request, config)
        assert render_jobs.claim(job_id, config)
        seen = []

        def keep(data: bytes) -> None:
            reporting.add_pdf(aid, "k1", data)
            job = db.session.get(RenderJob, job_id)
            assert job is not None
            seen.append(job.state)  # not done yet: that is written after, in this commit

        backend = _rendered_by(b"%PDF-k1")
        assert render_jobs.run(job_id, request, "<p>", None, config, backend, keep) == b"%PDF-k1"
        assert seen == ["running"]
        db.session.rollback()  # what was committed
        assert reporting.stored_pdf(aid, "k1") == b"%PDF-k1"
        assert db.session.get(RenderJob, job_id).state == "done"  # type: ignore[union-attr]

        # A PDF that cannot be stored: the job failed with the reason, not left running.
        request = _request(ws, aid, "bulk", "k2")
        job_id = render_jobs.enqueue(request, config)
        assert render_jobs.claim(job_id, config)

        def lost(data: bytes) -> None:
            raise OSError("disk full")

        with pytest.raises(OSError):
            render_jobs.run(job_id, request, "<p>", None, config, backend, lost)
        db.session.rollback()
        job = db.session.get(RenderJob, job_id)
        assert job is not None and (job.state, job.reason) == ("failed", "error")
        assert job.detail == "storing the PDF: OSError('disk full')"
        assert reporting.stored_pdf(aid, "k2") is None
