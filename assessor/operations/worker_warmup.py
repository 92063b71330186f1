"""What ``assessor worker`` loads once, before its first job, so that every work horse (a
process forked fresh for each job) starts with it instead of loading it again per job.

A render job in a cold process spent 0.5-0.7 s (under load) before WeasyPrint began: the
report's Jinja templates compiled (0.4 s), the engine's preparations of the questionnaire,
and SQLAlchemy compiling each of the job's statements (0.15 s).  A fork inherits all of it:

* the demo report rendered end to end (engine, context, HTML, PDF): templates compiled,
  WeasyPrint's fonts and the report's stylesheet loaded (beyond :mod:`assessor.reports.warm`);
* one stored assessment's report scored, read only (the statements a job runs, compiled in
  the engine's cache, which outlives the pool's disposal).

Each job still runs in a fresh process, within its own limits; this only adds about 35 MB
of address space to the worker (its horses count it under ``RLIMIT_AS``).  Nothing here may
stop a worker from starting: a warm-up that fails makes jobs slower, not wrong.
"""

from __future__ import annotations

import gc
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import configure_mappers

from assessor.extensions import db
from assessor.models import Assessment


def warm_up() -> None:
    """Load what a render job uses (see the module); in the app context, before forking.
    Leaves no transaction open and no row changed."""
    try:
        configure_mappers()
        _render_demo()
        _score_one_stored()
    except Exception:  # a cold job is slower, not wrong
        current_app.logger.warning("the worker's warm-up failed", exc_info=True)
    finally:
        db.session.rollback()
        db.session.remove()
        gc.collect()


def _render_demo() -> None:
    from assessor.engine import score
    from assessor.engine.answers import parse_answers_document
    from assessor.operations.catalog import catalog
    from assessor.operations.demo import demo_document
    from assessor.reports.context import ReportInputs, build_context
    from assessor.reports.render import render_html, render_pdf

    document = parse_answers_document(demo_document(), catalog())
    questionnaire, respondents, _ = document
    result = score(questionnaire, respondents, targets=document.targets or None)
    inputs = ReportInputs(
        organization="Warm-up",
        assessment_title="Warm-up",
        assessment_date=date.today(),
        questionnaire=questionnaire,
        respondents=tuple(respondents),
    )
    render_pdf(render_html(build_context(result.to_dict(), inputs)), inputs.assets())


def _score_one_stored() -> None:
    from assessor.operations import render_queue, reporting

    assessment = db.session.scalar(
        select(Assessment)
        .where(Assessment.status.in_(("submitted", "closed")))
        .order_by(Assessment.id.desc())
        .limit(1)
    )
    if assessment is not None:
        result, inputs = reporting.scored_report(assessment, render_queue.DEFAULT_PAPER)
        reporting.has_stored(assessment.id, reporting.content_hash(result, inputs))
