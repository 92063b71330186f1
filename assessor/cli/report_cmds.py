"""``assessor report``, ``assessor report-all`` and ``assessor export``: the PDF gap report
and the data exports, from an ANSWERS.json file or a stored assessment.

Bad input (a missing file, invalid JSON, answers the questionnaire does not accept, an
unknown assessment) exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from assessor.extensions import db
from assessor.models import Assessment, Workspace

PAPER = click.Choice(["a4", "letter"])
FORMAT = click.Choice(["csv", "xlsx", "json"])


def register(app: Flask) -> None:
    """Add ``report``, ``report-all``, ``worker`` and ``export`` to ``app.cli``."""
    for command in COMMANDS.values():
        app.cli.add_command(command)


def fail(message: str) -> NoReturn:
    """One line on stderr, exit status 2."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)


def _read_answers(path: str) -> tuple[dict[str, Any], Any]:
    """The engine result and report inputs of an ANSWERS.json file."""
    from assessor.engine import AnswersFileError, parse_answers_document, score
    from assessor.questionnaire import load_paths
    from assessor.reports.context import ReportInputs

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read it ({exc.__class__.__name__})")
    except json.JSONDecodeError as exc:
        fail(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    catalog, _problems = load_paths(current_app.config["QUESTIONNAIRE_DIRS"])
    try:
        document = parse_answers_document(data, catalog)
    except AnswersFileError as exc:
        fail(f"{path}: {exc.message}")
    questionnaire, respondents, organization = document
    name = str(organization.get("name") or "").strip() or "The organisation"
    try:
        result = score(
            questionnaire, respondents, targets=document.targets or None, organization=name
        )
    except ValueError as exc:
        fail(f"{path}: {exc}")
    inputs = ReportInputs(
        organization=name,
        sector=_text(organization.get("sector")),
        size=_text(organization.get("size")),
        assessment_title=_text(organization.get("assessment")) or questionnaire.title,
        assessment_date=_date(organization.get("date"), path),
        questionnaire=questionnaire,
        respondents=tuple(respondents),
        firm_name=_text(organization.get("prepared_by")),
    )
    return result.to_dict(), inputs


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _date(value: object, path: str) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        fail(f"{path}: organization.date: {value!r} is not a date (YYYY-MM-DD)")


def _assessment(assessment_id: int) -> Assessment:
    found = db.session.get(Assessment, assessment_id)
    if found is None:
        fail(f"no assessment with id {assessment_id}")
    return found


def _write(path: str, data: bytes | str) -> None:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)
    except OSError as exc:
        fail(f"{path}: cannot write it ({exc.strerror or exc.__class__.__name__})")


@click.command("report")
@click.argument("answers", required=False, type=click.Path(dir_okay=False))
@click.option("--assessment", "assessment_id", type=int, help="A stored assessment's id.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The PDF.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="Also write the HTML.")
@click.option("--paper", type=PAPER, default="a4", show_default=True)
@click.option(
    "--no-appendix",
    "no_appendix",
    is_flag=True,
    help="Leave out the appendix of every answer and comment (ANSWERS.json only; a "
    "stored assessment's choice is set on its results page).",
)
@with_appcontext
def report(
    answers: str | None,
    assessment_id: int | None,
    output: str,
    html_out: str | None,
    paper: str,
    no_appendix: bool,
) -> None:
    """Write the PDF gap report of ANSWERS.json, or of a stored assessment."""
    from dataclasses import replace

    from assessor.operations import render_jobs, reporting
    from assessor.reports.context import build_context
    from assessor.reports.render import render_html
    from assessor.reports.sandbox import RenderLimitHit, render_bounded

    if (answers is None) == (assessment_id is None):
        fail("give either ANSWERS.json or --assessment ID")
    if no_appendix and assessment_id is not None:
        # A stored assessment's choice is stored with it (its reports are kept per choice).
        fail(
            "--no-appendix works with ANSWERS.json only: a stored assessment's report keeps "
            "or leaves out the appendix as set on its results page"
        )
    if assessment_id is not None:
        assessment = _assessment(assessment_id)
        try:
            if html_out:
                _write(html_out, reporting.report_html(assessment, paper))
            pdf = reporting.report_pdf(assessment, paper, lane="bulk").data
        except LookupError as exc:
            fail(str(exc))
        except render_jobs.RenderRefused as exc:
            fail(f"assessment {assessment_id}: {exc.message} {exc.advice}".strip())
    else:
        assert answers is not None  # noqa: S101  (checked above; narrows the type)
        result, inputs = _read_answers(answers)
        inputs = _with_paper(inputs, paper)
        if no_appendix:
            inputs = replace(inputs, appendix=False)
        html = render_html(build_context(result, inputs))
        if html_out:
            _write(html_out, html)
        try:
            pdf = render_bounded(html, inputs.assets(), render_jobs.settings().limits).data
        except RenderLimitHit as exc:
            fail(f"{answers}: {exc}")
    _write(output, pdf)
    click.echo(f"wrote {output}")


def _with_paper(inputs: Any, paper: str) -> Any:
    from dataclasses import replace

    return replace(inputs, paper=paper)


@click.command("report-all")
@click.option("--workspace", "workspace_ref", help="Only this workspace (its id or its name).")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder.")
@click.option("--paper", type=PAPER, default="a4", show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Renders at once (default: the bulk lane's slots).",
)
@with_appcontext
def report_all(workspace_ref: str | None, output: str, paper: str, workers: int | None) -> None:
    """Write the PDF of every submitted or closed assessment (the bulk lane of the render
    jobs; with ASSESSOR_QUEUE_URL, rendered by the RQ workers); one refused past a limit is
    named, the others are written, and the status is 1."""
    from assessor.operations import render_queue, reporting
    from assessor.operations import report_all as on_queue

    workspace_id = _workspace_id(workspace_ref) if workspace_ref else None
    assessments = reporting.submitted_assessments(workspace_id)
    folder = Path(output)
    written, refused = 0, []
    if render_queue.queue_url():
        outcomes = on_queue.queued_pdfs(assessments, paper)
    else:
        outcomes = reporting.report_pdfs(assessments, paper, workers)

    def running(_: Any) -> str:
        renders, processes = on_queue.activity()
        return f"{renders} rendering in {processes} process{'es' if processes != 1 else ''}"

    try:
        progress = click.progressbar(
            length=len(assessments), label="Rendering", file=sys.stderr, item_show_func=running
        )
        with progress as bar:
            for outcome in outcomes:
                if outcome.file is not None:
                    name = f"{outcome.assessment_id}-{outcome.file.filename}"
                    _write(str(folder / name), outcome.file.data)
                    written += 1
                elif outcome.refused is not None:
                    refused.append(f"assessment {outcome.assessment_id}: {outcome.refused}")
                bar.update(1)
    except LookupError as exc:
        fail(str(exc))
    click.echo(f"wrote {written} report{'s' if written != 1 else ''} to {folder}")
    for line in refused:
        click.echo(f"not written: {line}", err=True)
    if refused:
        raise SystemExit(1)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
@with_appcontext
def worker(burst: bool) -> None:
    """Send e-mail, check for due reminders and render reports from the RQ queues at
    ASSESSOR_QUEUE_URL (run as many as needed, on any machine sharing the database and
    Redis)."""
    from assessor.operations import render_queue, worker

    if not render_queue.queue_url():
        fail("set ASSESSOR_QUEUE_URL=redis://host:6379/0 to run a worker")
    worker.work(burst=burst)


def _workspace_id(ref: str) -> int:
    from sqlalchemy import select

    if ref.isdigit() and db.session.get(Workspace, int(ref)) is not None:
        return int(ref)
    found = db.session.scalars(select(Workspace.id).where(Workspace.name == ref)).all()
    if len(found) != 1:
        fail(f"no workspace {ref!r}" if not found else f"several workspaces are named {ref!r}")
    return found[0]


@click.command("export")
@click.argument("answers", required=False, type=click.Path(dir_okay=False))
@click.option("--assessment", "assessment_id", type=int, help="A stored assessment's id.")
@click.option("--format", "fmt", type=FORMAT, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def export(answers: str | None, assessment_id: int | None, fmt: str, output: str) -> None:
    """Export the answers and results of ANSWERS.json or a stored assessment."""
    from assessor.operations import reporting
    from assessor.reports import exports

    if (answers is None) == (assessment_id is None):
        fail("give either ANSWERS.json or --assessment ID")
    if assessment_id is not None:
        try:
            data = reporting.export_assessment(_assessment(assessment_id), fmt).data
        except LookupError as exc:
            fail(str(exc))
    else:
        assert answers is not None  # noqa: S101  (checked above; narrows the type)
        result, inputs = _read_answers(answers)
        data = exports.export(fmt, result, inputs)
    _write(output, data)
    click.echo(f"wrote {output}")


#: These commands by name: the console script finds some without loading the whole app
#: (``assessor.cli.DATA_COMMANDS``).
COMMANDS: dict[str, click.Command] = {
    "report": report,
    "report-all": report_all,
    "worker": worker,
    "export": export,
}
