"""Reports rendered ahead of time and on the RQ queue: a submission's PDF is rendered
without a click and a download then serves the stored bytes (embedded, and by a real
``assessor worker`` on a real Redis); a pending render's page refreshes itself; a failed
one shows its reason; a hostile render in an RQ job ends at its limit with no retry; two
workers share ``assessor report-all``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment, RenderJob, StoredReport
from assessor.operations import render_jobs, render_queue, reporting
from tests.test_render_jobs import _jobs, _store_logo
from tests.test_report_branding import HOSTILE_SVG
from tests.web_support import (
    Stage,
    complete_answers,
    in_app,
    questionnaire,
    save_and_submit,
    stage_with_queue_off,
)
from tests.words_support import pdf_text

#: A Redis database of these tests' own (RQ has no key prefix); only it is flushed.  Another
#: checkout's run of these tests on the same machine sets one of its own.
REDIS_URL = os.environ.get("ASSESSOR_TEST_RENDER_REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parent.parent


def _submitted(app: Flask, client: Any, email: str, organization: str = "Contoso Health") -> Stage:
    staged = stage_with_queue_off(app, client, email=email, organization=organization)
    save_and_submit(app, staged.respondent_id, complete_answers(questionnaire(app)))
    return staged


def _stored_count(app: Flask, assessment_id: int) -> int:
    with in_app(app):
        return len(
            db.session.scalars(
                select(StoredReport.id).where(StoredReport.assessment_id == assessment_id)
            ).all()
        )


def _wait_for(predicate: Any, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _download(client: Any, staged: Stage, paper: str = "a4") -> Any:
    return client.get(f"/assessments/{staged.assessment_id}/report.pdf?paper={paper}")


# --- the embedded default --------------------------------------------------------------------


class TestEmbedded:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "PRERENDER": True}

    def test_a_submission_renders_its_pdf_and_the_download_serves_it(self, app: Flask) -> None:
        client = app.test_client()
        staged = _submitted(app, client, "olive@example.com")
        # Rendered by the web process's background thread, without a click.
        _wait_for(lambda: _stored_count(app, staged.assessment_id) == 1)
        [job] = _jobs(app, staged.workspace_id)
        assert (job.state, job.lane, job.paper, job.attempts) == ("done", "bulk", "a4", 1)
        response = _download(client, staged)
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF")
        assert len(_jobs(app, staged.workspace_id)) == 1  # served stored, not rendered again
        with in_app(app):
            assessment = db.session.get_one(Assessment, staged.assessment_id)
            key = reporting.report_etag(assessment)
            assert response.data == reporting.stored_pdf(assessment.id, key)

    def test_a_change_after_submission_renders_the_new_content(self, app: Flask) -> None:
        client = app.test_client()
        staged = _submitted(app, client, "olive@example.com")
        _wait_for(lambda: _stored_count(app, staged.assessment_id) == 1)
        assert client.post(
            "/workspace/branding", data={"firm_name": "Renamed Advisory", "accent_color": ""}
        ).status_code in (200, 302)
        _wait_for(lambda: _stored_count(app, staged.assessment_id) == 2)
        assert [j.state for j in _jobs(app, staged.workspace_id)] == ["done", "done"]

    def test_a_change_of_kind_renders_the_report_in_its_words(self, app: Flask) -> None:
        """The report of an organisation's own workspace speaks otherwise (no consultant):
        a change of kind renders it again without a click, as a change of branding does."""
        client = app.test_client()
        staged = _submitted(app, client, "olive@example.com")
        _wait_for(lambda: _stored_count(app, staged.assessment_id) == 1)
        assert client.post("/workspace/kind", data={"kind": "own"}).status_code == 302
        _wait_for(lambda: _stored_count(app, staged.assessment_id) == 2)
        response = _download(client, staged)
        assert response.status_code == 200
        assert len(_jobs(app, staged.workspace_id)) == 2  # served stored, not rendered again
        assert "until it is settled" in " ".join(pdf_text(response.data).split())


class TestPending:
    def test_a_pending_render_gets_a_page_that_refreshes_itself_and_a_failed_one_its_reason(
        self, app: Flask
    ) -> None:
        client = app.test_client()
        staged = _submitted(app, client, "olive@example.com")
        with in_app(app):
            assessment = db.session.get_one(Assessment, staged.assessment_id)
            job = RenderJob(
                workspace_id=staged.workspace_id,
                assessment_id=assessment.id,
                lane="bulk",
                content_hash=reporting.report_etag(assessment),
                paper="a4",
                worker=render_queue.IN_THREAD,
            )
            db.session.add(job)
            db.session.commit()
            job_id = job.id
        waiting = _download(client, staged)
        assert waiting.status_code == 202
        page = waiting.get_data(as_text=True)
        assert '<meta http-equiv="refresh" content="2">' in page
        assert "The report is being produced" in page
        assert len(_jobs(app, staged.workspace_id)) == 1  # no second render of it
        with in_app(app):
            row = db.session.get_one(RenderJob, job_id)
            row.state, row.reason, row.detail = "failed", "error", "ValueError: broken chart"
            db.session.commit()
        failed = _download(client, staged)
        assert failed.status_code == 422
        assert "ValueError: broken chart" in failed.get_data(as_text=True)
        assert "refresh" not in failed.get_data(as_text=True)


# --- RQ on a real Redis, real workers ------------------------------------------------------


@pytest.fixture
def redis_db() -> Iterator[str]:
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("these tests need Redis on 127.0.0.1:6379")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def _env(app: Flask) -> dict[str, str]:
    return {
        **os.environ,
        "ASSESSOR_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "ASSESSOR_SECRET_KEY": app.config["SECRET_KEY"],
        "ASSESSOR_QUEUE_URL": app.config["QUEUE_URL"],
        "ASSESSOR_MAIL_OUTBOX": app.config["MAIL_OUTBOX"],  # the submission notes
        "ASSESSOR_RENDER_TIMEOUT": str(app.config["RENDER_TIMEOUT"]),
        "ASSESSOR_RENDER_MEMORY_MB": str(app.config["RENDER_MEMORY_MB"]),
    }


def _assessor(app: Flask, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "assessor"), *args],
        cwd=ROOT,
        env=_env(app),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _burst(app: Flask) -> None:
    worker = _assessor(app, "worker", "--burst")
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err


class TestQueue:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any], redis_db: str) -> dict[str, Any]:
        return {**app_config, "PRERENDER": True, "QUEUE_URL": redis_db}

    def test_a_submission_is_rendered_by_a_worker_and_the_download_serves_it(
        self, app: Flask
    ) -> None:
        client = app.test_client()
        staged = _submitted(app, client, "olive@example.com")
        [job] = _jobs(app, staged.workspace_id)
        assert (job.state, job.worker) == ("queued", render_queue.IN_RQ)
        assert _download(client, staged).status_code == 202  # queued: the page waits
        _burst(app)
        [job] = _jobs(app, staged.workspace_id)
        assert (job.state, job.attempts) == ("done", 1)
        response = _download(client, staged)
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        assert len(_jobs(app, staged.workspace_id)) == 1

    def test_a_hostile_render_ends_at_its_limit_with_no_retry(self, app: Flask) -> None:
        app.config.update(RENDER_TIMEOUT=3, RENDER_MEMORY_MB=4096, PRERENDER=False)
        client = app.test_client()
        staged = _submitted(app, client, "hostile@example.com", "Hostile Health")
        _store_logo(app, staged.workspace_id, HOSTILE_SVG)
        assert _download(client, staged).status_code == 202
        _burst(app)
        [job] = _jobs(app, staged.workspace_id)
        assert (job.state, job.reason, job.attempts) == ("failed", "limit hit", 1)
        assert job.detail is not None and job.detail.startswith("time limit")
        refused = _download(client, staged)
        assert refused.status_code == 422
        assert "could not be produced within the limits" in refused.get_data(as_text=True)
        assert "This one was stopped: time limit" in refused.get_data(as_text=True)
        assert len(_jobs(app, staged.workspace_id)) == 1  # not queued again
        from redis import Redis
        from rq import Queue

        for lane in ("interactive", "bulk"):
            assert (
                Queue(render_queue.RQ_QUEUES[lane], connection=Redis.from_url(REDIS_URL)).count == 0
            )

    def test_two_workers_share_report_all(self, app: Flask, tmp_path: Path) -> None:
        app.config["PRERENDER"] = False
        workspaces = [
            _submitted(app, app.test_client(), f"owner{n}@example.com", f"Client {n}").workspace_id
            for n in range(6)
        ]
        folder = tmp_path / "out"
        report_all = _assessor(app, "report-all", "-o", str(folder))
        _wait_for(lambda: all(_jobs(app, i) for i in workspaces), 60)
        workers = [_assessor(app, "worker", "--burst") for _ in range(2)]
        out, err = report_all.communicate(timeout=300)
        for worker in workers:
            worker.communicate(timeout=60)
        assert report_all.returncode == 0, err
        assert "wrote 6 reports" in out
        written = sorted(folder.iterdir())
        assert len(written) == 6 and all(p.read_bytes().startswith(b"%PDF") for p in written)
        rows = [job for i in workspaces for job in _jobs(app, i)]
        assert {j.state for j in rows} == {"done"} and {j.lane for j in rows} == {"bulk"}
        assert len({j.worker for j in rows}) == 2  # both workers rendered some


class TestQueueUnreachable:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        # A port nothing listens on: Redis is down.
        return {**app_config, "PRERENDER": True, "QUEUE_URL": "redis://127.0.0.1:1/13"}

    def test_a_submission_is_kept_and_leaves_no_job_waiting_when_redis_is_down(
        self, app: Flask
    ) -> None:
        client = app.test_client()
        staged = _submitted(app, client, "olive@example.com")
        with in_app(app):
            assert db.session.get_one(Assessment, staged.assessment_id).status == "submitted"
        [job] = _jobs(app, staged.workspace_id)
        assert (job.state, job.reason, job.detail) == ("failed", "abandoned", "no queue")


# --- the content a job is handed with ------------------------------------------------------


class TestHandedContent:
    def test_a_job_renders_its_content_while_its_row_wants_it_and_scores_again_after(
        self, app: Flask, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        staged = _submitted(app, app.test_client(), "olive@example.com")
        scorings = []
        scored_report = reporting.scored_report

        def counted(*args: Any, **kwargs: Any) -> Any:
            scorings.append(args)
            return scored_report(*args, **kwargs)

        with in_app(app):
            assessment = db.session.get_one(Assessment, staged.assessment_id)
            version = render_jobs.version_of(assessment)
            scored = reporting.scored_report(assessment, "a4")
            key = reporting.content_hash(*scored)
            content = render_queue.Content.of(key, scored, version)
            assert len(content.packed_html) < len(content.html.encode()) / 3  # through Redis
            job = RenderJob(
                workspace_id=staged.workspace_id,
                assessment_id=assessment.id,
                lane="bulk",
                content_hash=key,
                paper="a4",
                state="running",
            )
            db.session.add(job)
            db.session.commit()
            monkeypatch.setattr(reporting, "scored_report", counted)
            prepared = render_queue._prepared(job.id, content)
            assert prepared is not None and scorings == []  # not scored again
            request, html, assets = prepared
            assert (request.content_hash, html, assets) == (key, content.html, {})
            # A newer change replaced the row's content: what the assessment holds now.
            job.content_hash = "a newer change"
            db.session.commit()
            prepared = render_queue._prepared(job.id, content)
            assert prepared is not None and len(scorings) == 1
            assert prepared[0].content_hash == key  # the same answers: the same content
            assert db.session.get_one(RenderJob, job.id).content_hash == key
            # Stored meanwhile (another render of it): the job ends without rendering.
            reporting.store_pdf(assessment.id, key, b"%PDF-stored")
            assert render_queue._prepared(job.id, content) is None
            assert db.session.get_one(RenderJob, job.id).state == "done"


# --- what report-all reads back, and the worker's warm-up ----------------------------------


class TestGathered:
    def test_report_all_takes_the_stored_pdf_or_the_last_failure_of_that_content_only(
        self, app: Flask
    ) -> None:
        from assessor.operations import report_all

        staged = [
            _submitted(app, app.test_client(), f"owner{n}@example.com", f"Client {n}")
            for n in range(3)
        ]
        with in_app(app):
            stored, failed, again = (
                db.session.get_one(Assessment, s.assessment_id) for s in staged
            )
            keys = {a.id: reporting.report_etag(a) for a in (stored, failed, again)}
            reporting.store_pdf(stored.id, keys[stored.id], b"%PDF-stored")
            rows = [
                (failed.id, keys[failed.id], "failed", "limit hit"),
                (failed.id, "older content", "done", None),
                (again.id, keys[again.id], "failed", "abandoned"),  # handed again since:
                (again.id, keys[again.id], "queued", None),
            ]
            for assessment_id, key, state, reason in rows:
                db.session.add(
                    RenderJob(
                        workspace_id=db.session.get_one(
                            Assessment, assessment_id
                        ).organization.workspace_id,
                        assessment_id=assessment_id,
                        lane="bulk",
                        content_hash=key,
                        paper="a4",
                        state=state,
                        reason=reason,
                        detail="time limit after 3.0 s" if reason == "limit hit" else None,
                    )
                )
            db.session.commit()
            waiting = {
                a.id: (keys[a.id], reporting.scored_report(a, "a4")[1])
                for a in (stored, failed, again)
            }
            outcomes = {o.assessment_id: o for o in report_all._gathered(waiting, "a4")}
            assert set(outcomes) == {stored.id, failed.id}  # the queued one is still awaited
            assert outcomes[stored.id].file is not None
            assert outcomes[stored.id].file.data == b"%PDF-stored"
            refused = outcomes[failed.id].refused
            assert refused is not None and refused.reason == "limit hit"
            assert refused.message == "time limit after 3.0 s"


class TestWorkerWarmUp:
    def test_it_loads_the_renderer_and_the_jobs_statements_and_changes_nothing(
        self, app: Flask
    ) -> None:
        from assessor.operations import worker_warmup
        from assessor.reports.render import environment

        staged = _submitted(app, app.test_client(), "olive@example.com")
        environment.cache_clear()
        with in_app(app):
            cached_before = len(db.engine._compiled_cache or {})
            worker_warmup.warm_up()
            compiled = environment().cache
            assert compiled is not None  # the report's templates, compiled once for every job
            assert any("report" in str(name) for _, name in compiled.keys())
            assert len(db.engine._compiled_cache or {}) > cached_before
            assert not db.session().in_transaction()
        assert _jobs(app, staged.workspace_id) == []
        assert _stored_count(app, staged.assessment_id) == 0

    def test_a_failed_warm_up_does_not_stop_the_worker(
        self, app: Flask, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from assessor.operations import worker_warmup

        def broken() -> None:
            raise RuntimeError("no fonts here")

        monkeypatch.setattr(worker_warmup, "_render_demo", broken)
        with in_app(app):
            worker_warmup.warm_up()  # logged, not raised
            assert not db.session().in_transaction()
