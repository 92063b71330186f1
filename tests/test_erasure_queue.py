"""Erasing while a report of the person is being rendered: a render queued, started or
failed before the erasure stores no report of them afterwards, and leaves nothing of them
in Redis (RQ keeps a job's arguments, the report's HTML, in its registries); the same in
the embedded default's background thread, for a render running across the erasure, and
for one made after it from content scored before it."""

from __future__ import annotations

import functools
import os
import pickle
import zlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from assessor.extensions import db
from assessor.models import Assessment, RenderJob, StoredReport, utcnow
from assessor.operations import render_jobs, render_queue, reporting, reviews
from assessor.reports.context import build_context
from assessor.reports.render import render_html
from assessor.reports.sandbox import render_bounded
from tests.test_erasure import CONFIRMED, pdf_text, traces
from tests.test_render_jobs import _store_logo
from tests.test_render_queue import _assessor, _burst, _wait_for
from tests.test_report_branding import HOSTILE_SVG
from tests.web_support import (
    Stage,
    complete_answers,
    in_app,
    questionnaire,
    save_and_submit,
    stage,
    stage_with_queue_off,
)

#: A Redis database of these tests' own (RQ has no key prefix); only it is flushed.
REDIS_URL = os.environ.get("ASSESSOR_TEST_ERASURE_REDIS_URL", "redis://127.0.0.1:6379/14")
NAME = "Zoë Erasable-r7t"
KEPT = "Kurt Keeper-r7t"


def _two_submitted(app: Flask, client: Any, *, queue: bool) -> Stage:
    """The erased person and someone who stays, both submitted: the second submission
    hands the report (naming both) to the renderer."""
    make = stage_with_queue_off if queue else stage
    setup = make(app, client, people=((NAME, "CISO"), (KEPT, "CIO")))
    values = complete_answers(questionnaire(app))
    save_and_submit(app, setup.respondent_ids[1], values)
    save_and_submit(app, setup.respondent_ids[0], values)
    return setup


def _erase(client: Any, setup: Stage) -> None:
    url = f"{setup.detail}/respondents/{setup.respondent_id}/erase"
    assert client.post(url, data=CONFIRMED).status_code == 302


def _reports_naming(app: Flask, name: str) -> list[int]:
    with in_app(app):
        rows = db.session.scalars(select(StoredReport)).all()
        return [row.id for row in rows if name in pdf_text(row.data)]


def _jobs_of(app: Flask, assessment_id: int) -> list[RenderJob]:
    with in_app(app):
        return list(
            db.session.scalars(select(RenderJob).where(RenderJob.assessment_id == assessment_id))
        )


def _blobs(value: bytes) -> Iterator[bytes]:
    """A value as stored, and as RQ packs a job (zlib, then pickle: the handed content's
    HTML is compressed once more)."""
    yield value
    try:
        unpacked = zlib.decompress(value)
    except zlib.error:
        return
    yield unpacked
    try:
        job = pickle.loads(unpacked)  # noqa: S301  (our own test database's jobs)
    except Exception:  # noqa: BLE001  (not a pickled job)
        return
    for argument in job[2] if isinstance(job, tuple) and len(job) > 2 else ():
        if isinstance(argument, render_queue.Content):
            yield argument.html.encode("utf-8")


def in_redis(name: str) -> list[str]:
    """The keys of the test database whose name or values hold ``name``."""
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    needle = name.encode("utf-8")
    found = []
    for key in connection.scan_iter():
        kind = connection.type(key)
        values: list[bytes] = [key]
        if kind == b"string":
            values.append(connection.get(key) or b"")
        elif kind == b"hash":
            values += list(connection.hgetall(key).values())
        elif kind == b"list":
            values += connection.lrange(key, 0, -1)
        elif kind == b"zset":
            values += connection.zrange(key, 0, -1)
        elif kind == b"set":
            values += list(connection.smembers(key))
        if any(needle in blob for value in values for blob in _blobs(value)):
            found.append(key.decode())
    return found


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


class TestQueue:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any], redis_db: str) -> dict[str, Any]:
        return {**app_config, "PRERENDER": True, "QUEUE_URL": redis_db}

    def test_a_render_queued_before_the_erasure_stores_nothing_and_leaves_redis(
        self, app: Flask
    ) -> None:
        client = app.test_client()
        setup = _two_submitted(app, client, queue=True)
        [job] = _jobs_of(app, setup.assessment_id)
        assert (job.state, job.worker) == ("queued", render_queue.IN_RQ)
        assert in_redis(NAME) != []  # the job carries the report's HTML
        _erase(client, setup)
        assert in_redis(NAME) == []
        assert _jobs_of(app, setup.assessment_id) == []
        _burst(app)  # a worker after the erasure: nothing of the person to render
        assert _reports_naming(app, NAME) == []
        assert traces(app, (NAME,), {"respondent": {setup.respondent_id}}) == []
        # Erasing is done; the next download renders the report of who is left.
        response = client.get(f"{setup.detail}/report.pdf")
        assert response.status_code == 202
        _burst(app)
        assert _reports_naming(app, KEPT) != [] and _reports_naming(app, NAME) == []

    def test_a_failed_render_is_kept_a_day_without_the_report_and_the_erasure_takes_it(
        self, app: Flask
    ) -> None:
        from redis import Redis
        from rq import Queue

        app.config.update(RENDER_TIMEOUT=3, RENDER_MEMORY_MB=4096)
        client = app.test_client()
        setup = stage_with_queue_off(app, client, people=((NAME, "CISO"), (KEPT, "CIO")))
        _store_logo(app, setup.workspace_id, HOSTILE_SVG)  # the render ends at its limit
        values = complete_answers(questionnaire(app))
        save_and_submit(app, setup.respondent_ids[1], values)
        save_and_submit(app, setup.respondent_ids[0], values)
        _burst(app)
        [job] = _jobs_of(app, setup.assessment_id)
        assert (job.state, job.reason) == ("failed", "limit hit")
        connection = Redis.from_url(REDIS_URL)
        failed = Queue(render_queue.RQ_QUEUES["bulk"], connection=connection).failed_job_registry
        [rq_job] = failed.get_job_ids()
        assert rq_job == render_queue.rq_job_id(job.id)
        assert 0 < connection.ttl(f"rq:job:{rq_job}") <= render_queue.FAILURE_TTL  # not a year
        assert in_redis(NAME) == []  # kept without the report it was handed
        assert in_redis(f"assessor-render-{job.id}") != []
        _erase(client, setup)
        assert in_redis(NAME) == []
        assert failed.get_job_ids() == []

    def test_a_render_started_before_the_erasure_leaves_nothing_in_redis(self, app: Flask) -> None:
        from redis import Redis
        from rq import Queue

        app.config.update(RENDER_TIMEOUT=8, RENDER_MEMORY_MB=4096)
        client = app.test_client()
        setup = stage_with_queue_off(app, client, people=((NAME, "CISO"), (KEPT, "CIO")))
        _store_logo(app, setup.workspace_id, HOSTILE_SVG)  # it runs until its time limit
        values = complete_answers(questionnaire(app))
        save_and_submit(app, setup.respondent_ids[1], values)
        save_and_submit(app, setup.respondent_ids[0], values)
        started = Queue(
            render_queue.RQ_QUEUES["bulk"], connection=Redis.from_url(REDIS_URL)
        ).started_job_registry
        worker = _assessor(app, "worker", "--burst")
        try:
            _wait_for(lambda: started.get_job_ids() != [], 60)
            _erase(client, setup)
            assert in_redis(NAME) == []
        finally:
            out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert in_redis(NAME) == []
        assert _jobs_of(app, setup.assessment_id) == []
        assert _reports_naming(app, NAME) == []


class TestEmbedded:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "PRERENDER": True, "RENDER_WORKERS": 2}

    def test_a_render_waiting_in_the_background_thread_stores_nothing(self, app: Flask) -> None:
        client = app.test_client()
        setup = stage(app, client, people=((NAME, "CISO"), (KEPT, "CIO")))
        with in_app(app):
            # A render of another content holds the only bulk slot meanwhile.
            holder = RenderJob(
                workspace_id=setup.workspace_id,
                assessment_id=setup.assessment_id,
                lane="bulk",
                content_hash="held by the test",
                paper="a4",
                state="running",
                started_at=utcnow(),
            )
            db.session.add(holder)
            db.session.commit()
            holder_id = holder.id
        values = complete_answers(questionnaire(app))
        save_and_submit(app, setup.respondent_ids[1], values)
        save_and_submit(app, setup.respondent_ids[0], values)
        runner = app.extensions["assessor_prerender"]
        waiting = [j.id for j in _jobs_of(app, setup.assessment_id) if j.id != holder_id]
        assert len(waiting) == 1 and waiting[0] in runner.held  # handed to the thread
        _erase(client, setup)  # the holder goes too: a job of the same assessment
        _wait_for(lambda: not runner.held)
        assert _jobs_of(app, setup.assessment_id) == []
        assert _reports_naming(app, NAME) == []

    def test_a_render_running_across_the_erasure_stores_nothing(self, app: Flask) -> None:
        app.config["PRERENDER"] = False
        client = app.test_client()
        setup = _two_submitted(app, client, queue=False)
        with in_app(app):
            assessment = db.session.get_one(Assessment, setup.assessment_id)
            version = render_jobs.version_of(assessment)
            result, inputs = reporting.scored_report(assessment, "a4")
            key = reporting.content_hash(result, inputs)
            request = render_jobs.RenderRequest(
                setup.workspace_id, assessment.id, key, "a4", "bulk", "system", version=version
            )
            config = render_jobs.settings()
            job_id = render_jobs.enqueue(request, config)
            assert render_jobs.claim(job_id, config)

            def erased_meanwhile(*args: Any) -> Any:
                """Renders, and before the render is recorded someone erases the person."""
                rendered = render_bounded(*args)
                _erase(client, setup)
                return rendered

            data = render_jobs.run(
                job_id,
                request,
                render_html(build_context(result, inputs)),
                inputs.assets(),
                config,
                erased_meanwhile,
                functools.partial(reporting.add_pdf, assessment.id, key),
            )
        assert NAME in pdf_text(data)  # what was asked before the erasure, never stored
        assert _reports_naming(app, NAME) == []
        assert _jobs_of(app, setup.assessment_id) == []

    def test_content_scored_before_the_erasure_is_not_rendered_after_it(self, app: Flask) -> None:
        """A render handed off just after the erasure, with content scored just before it
        (a download or a submission at that moment), renders the assessment as it is."""
        app.config["PRERENDER"] = False
        client = app.test_client()
        setup = _two_submitted(app, client, queue=False)
        with in_app(app):
            assessment = db.session.get_one(Assessment, setup.assessment_id)
            version = render_jobs.version_of(assessment)
            scored = reporting.scored_report(assessment, "a4")
            key = reporting.content_hash(*scored)
            content = render_queue.Content.of(key, scored, version)
        _erase(client, setup)
        with in_app(app):
            job = RenderJob(
                workspace_id=setup.workspace_id,
                assessment_id=setup.assessment_id,
                lane="bulk",
                content_hash=key,
                paper="a4",
                state="running",
            )
            db.session.add(job)
            db.session.commit()
            prepared = render_queue._prepared(job.id, content)
            assert prepared is not None
            request, html, _ = prepared
            assert request.content_hash != key and NAME not in html and KEPT in html

    def test_a_sign_off_across_the_erasure_is_refused(
        self, app: Flask, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app.config["PRERENDER"] = False
        client = app.test_client()
        setup = _two_submitted(app, client, queue=False)
        render = render_jobs.render

        def erased_meanwhile(*args: Any, **kwargs: Any) -> bytes:
            data = render(*args, **kwargs)
            _erase(client, setup)
            return data

        monkeypatch.setattr(reviews.render_jobs, "render", erased_meanwhile)
        signed = client.post(
            f"{setup.detail}/review", data={"reviewer": "Olive Owner", "reviewed_on": "2026-12-06"}
        )
        assert signed.status_code == 422
        assert "The assessment changed while its report was being produced." in signed.text
        assert _reports_naming(app, NAME) == []
        assert traces(app, (NAME,), {"respondent": {setup.respondent_id}}) == []


def test_a_queue_nobody_reaches_does_not_undo_the_erasure(app: Flask) -> None:
    """Redis down at the erasure's end: the erasure stands (its RQ jobs do nothing once
    taken, and expire if they failed)."""
    app.config.update(QUEUE_URL="redis://127.0.0.1:1/14")
    client = app.test_client()
    setup = stage_with_queue_off(app, client, people=((NAME, "CISO"), (KEPT, "CIO")))
    with in_app(app):
        db.session.add(
            RenderJob(
                workspace_id=setup.workspace_id,
                assessment_id=setup.assessment_id,
                lane="bulk",
                content_hash="queued before",
                paper="a4",
                worker=render_queue.IN_RQ,
                created_at=utcnow() - timedelta(seconds=1),
            )
        )
        db.session.commit()
    _erase(client, setup)
    assert _jobs_of(app, setup.assessment_id) == []
    assert traces(app, (NAME,), {"respondent": {setup.respondent_id}}) == []
