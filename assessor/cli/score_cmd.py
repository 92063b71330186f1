"""``assessor score ANSWERS.json [--target DOMAIN=N ...]``: score a file of answers.

Prints the engine's result as JSON (sorted keys, so the same file always prints the
same bytes).  Bad input never ends in a traceback: the command exits with status 2 and
one line on stderr that says what is wrong and where.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from assessor.engine import AnswersFileError, parse_answers_document, score
from assessor.engine.question_kinds import MAX_LEVEL
from assessor.engine.questionnaire_index import index_for
from assessor.questionnaire import load_paths


def register(app: Flask) -> None:
    """Add the ``score`` command to ``app.cli``."""
    app.cli.add_command(score_command)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(2)


def _read_json(path: str) -> object:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except IsADirectoryError:
        _fail(f"{path}: is a folder, not a file")
    except OSError as exc:
        _fail(f"{path}: cannot be read ({exc.strerror or exc})")
    except UnicodeDecodeError as exc:
        _fail(f"{path}: not UTF-8 text (byte {exc.start})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    except RecursionError:
        _fail(f"{path}: not valid JSON: nested too deeply")


def _parse_targets(raw: tuple[str, ...], domains: list[str]) -> dict[str, int]:
    targets: dict[str, int] = {}
    levels = ", ".join(str(level) for level in range(MAX_LEVEL + 1))
    for item in raw:
        domain, equals, value = item.partition("=")
        domain = domain.strip()
        if not equals or not domain:
            _fail(f"--target {item!r}: expected DOMAIN=N, for example security=3")
        if domain not in domains:
            _fail(f"--target {item!r}: unknown domain (one of {', '.join(domains)})")
        try:
            level = int(value.strip())
        except ValueError:
            level = -1
        if not 0 <= level <= MAX_LEVEL:
            _fail(f"--target {item!r}: {value.strip()!r} is not one of {levels}")
        targets[domain] = level
    return targets


@click.command("score")
@click.argument("answers_file", metavar="ANSWERS.json")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="DOMAIN=N",
    help="Target maturity 0-4 for a domain (repeatable); overrides the file's targets.",
)
@with_appcontext
def score_command(answers_file: str, targets: tuple[str, ...]) -> None:
    """Score ANSWERS.json against its questionnaire and print the result as JSON."""
    data = _read_json(answers_file)
    catalog, problems = load_paths(current_app.config["QUESTIONNAIRE_DIRS"])
    try:
        parsed = parse_answers_document(data, catalog)
    except AnswersFileError as exc:
        message = f"{answers_file}: {exc.message}"
        if problems and exc.message.startswith(("questionnaire:", "version:")):
            message += (
                f" ({len(problems)} problem(s) in the questionnaire files;"
                " see `assessor questionnaire check`)"
            )
        _fail(message)
    questionnaire, respondents, organization = parsed
    domains = [domain.id for domain in index_for(questionnaire).domains]
    goals = {**parsed.targets, **_parse_targets(targets, domains)}
    name = organization.get("name")
    result = score(
        questionnaire,
        respondents,
        goals,
        organization=name if isinstance(name, str) and name else None,
    )
    click.echo(json.dumps(result.to_dict(), sort_keys=True, indent=2))
