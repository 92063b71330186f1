"""``assessor questionnaire check|show|list``: validate, inspect and list questionnaires."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from assessor.questionnaire import (
    Catalog,
    Problem,
    Questionnaire,
    load_paths,
    to_json_dict,
)
from assessor.questionnaire.validate import uncovered


def register(app: Flask) -> None:
    """Add the ``questionnaire`` command group to ``app.cli``."""
    app.cli.add_command(questionnaire)


questionnaire = AppGroup("questionnaire", help="Validate, show and list questionnaires.")

_paths_option = click.option(
    "--path",
    "-p",
    "paths",
    multiple=True,
    type=click.Path(),
    help="A questionnaire file or folder (repeatable); default: QUESTIONNAIRE_DIRS.",
)


def _default_paths() -> list[str]:
    dirs = current_app.config.get("QUESTIONNAIRE_DIRS") or []
    return [dirs] if isinstance(dirs, str) else [str(d) for d in dirs]


def _shown(path: str) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _problem_line(problem: Problem) -> str:
    return str(Problem(_shown(problem.file), problem.location, problem.message))


def _load(paths: Sequence[str]) -> tuple[Catalog, list[Problem]]:
    return load_paths(paths or _default_paths())


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)


@questionnaire.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
def check_command(paths: tuple[str, ...]) -> None:
    """Validate questionnaire files (default: QUESTIONNAIRE_DIRS); exit 1 on any problem.

    Prints one line per problem: FILE: location: message.
    """
    catalog, problems = _load(paths)
    for problem in problems:
        click.echo(_problem_line(problem))
    if problems:
        files = len({p.file for p in problems})
        click.echo(f"{len(problems)} problem(s) in {files} file(s)", err=True)
        raise SystemExit(1)
    for q in catalog.all():
        click.echo(
            f"ok: {q.id} version {q.version} ({len(q.questions)} questions, "
            f"{len(q.rules)} rules, hash {q.hash[:12]}){_draft_note(q)}"
        )
    for line in _changed_versions(catalog):
        click.echo(line)


def _draft_note(q: Questionnaire) -> str:
    """What a draft lacks, after its ok line: it is not offered for new assessments."""
    if not q.draft:
        return ""
    missing = uncovered(q)
    gaps = f"; no question yet for {', '.join(missing)}" if missing else ""
    return f": a draft, not offered for new assessments{gaps}"


def _changed_versions(catalog: Catalog) -> list[str]:
    """A warning for each questionnaire whose content differs from every copy the database
    stores for its id and version (a file edited without a new version)."""
    from sqlalchemy.exc import SQLAlchemyError

    from assessor.operations.catalog import stored_hashes

    lines = []
    try:
        for q in catalog.all():
            stored = stored_hashes(q.id, q.version)
            if stored and q.hash not in stored:
                lines.append(
                    f"warning: {_shown(catalog.path(q) or q.id)}: {q.id} version {q.version} "
                    f"has changed since assessments started on it (stored {stored[-1][:12]}, "
                    f"now {q.hash[:12]}): they keep the stored copy; new assessments get this "
                    f"content once the service restarts. Publish corrections as a new version"
                )
    except SQLAlchemyError as exc:
        click.echo(f"note: not compared with the database ({exc.__class__.__name__})", err=True)
    return lines


@questionnaire.command("show")
@click.argument("questionnaire_id")
@click.option("--version", "version", default=None, help="The version (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the validated questionnaire as JSON.")
@_paths_option
def show_command(
    questionnaire_id: str, version: str | None, as_json: bool, paths: tuple[str, ...]
) -> None:
    """Print one questionnaire: an outline, or with --json the validated content."""
    number: int | None = None
    if version is not None:
        try:
            number = int(version)
        except ValueError:
            _fail(f"--version must be a whole number, not {version!r}")
    catalog, problems = _load(paths)
    try:
        q = catalog.get(questionnaire_id, number)
    except KeyError as exc:
        hint = f"; {len(problems)} file problem(s): run 'assessor questionnaire check'"
        _fail(str(exc.args[0]) + (hint if problems else ""))
    if as_json:
        click.echo(json.dumps(to_json_dict(q), indent=2, ensure_ascii=False))
    else:
        click.echo(_outline(q))


def _outline(q: Questionnaire) -> str:
    lines = [f"{q.id} version {q.version}: {q.title}", f"hash {q.hash}", ""]
    for section in q.sections:
        lines.append(f"[{section.id}] {section.title}")
        for question in section.questions:
            tags: list[str] = [question.kind]
            if question.responsibility:
                tags.append(question.responsibility)
            if question.context:
                tags.append("context")
            if question.show_if is not None:
                tags.append("conditional")
            lines.append(f"  {question.id} ({', '.join(tags)}): {question.text}")
    lines.append("")
    lines.append(f"rules ({len(q.rules)})")
    for rule in q.rules:
        finding = rule.finding
        lines.append(f"  {rule.id} [{finding.severity} {finding.kind}]: {finding.title}")
    return "\n".join(lines)


@questionnaire.command("list")
@_paths_option
def list_command(paths: tuple[str, ...]) -> None:
    """List every loaded questionnaire and version."""
    catalog, problems = _load(paths)
    rows = [
        (q.id, str(q.version), q.title, q.hash[:12], str(len(q.questions))) for q in catalog.all()
    ]
    header = ("id", "version", "title", "hash", "questions")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    if problems:
        click.echo(
            f"{len(problems)} problem(s) in questionnaire files: "
            f"run 'assessor questionnaire check'",
            err=True,
        )


__all__ = ["questionnaire", "register"]
