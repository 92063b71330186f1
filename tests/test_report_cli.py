"""``assessor report``, ``report-all`` and ``export`` on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from pypdf import PdfReader

from assessor.engine import parse_answers_document
from assessor.extensions import db
from assessor.operations import accounts, answers, assessments, organizations
from assessor.operations.catalog import catalog
from tests.test_report_data import ROOT

SMALL = ROOT / "tests" / "answers" / "third-party-access-disagreement.json"


def test_report_from_answers_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out, html = tmp_path / "r.pdf", tmp_path / "r.html"
    result = runner.invoke(
        args=["report", str(SMALL), "-o", str(out), "--html", str(html), "--paper", "letter"]
    )
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    assert round(float(reader.pages[0].mediabox.width)) == 612
    assert "Riverside Retail" in reader.pages[0].extract_text()
    assert "Riverside Retail" in html.read_text()


def test_report_without_the_appendix(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out, html = tmp_path / "r.pdf", tmp_path / "r.html"
    args = ["report", str(SMALL), "-o", str(out), "--html", str(html), "--no-appendix"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert 'id="roadmap"' in html.read_text() and 'id="appendix"' not in html.read_text()
    text = "".join(page.extract_text() or "" for page in PdfReader(out).pages)
    assert "Roadmap" in text and "Appendix: every answer" not in text
    refused = runner.invoke(args=["report", "--assessment", "1", "-o", str(out), "--no-appendix"])
    assert refused.exit_code == 2
    assert "--no-appendix works with ANSWERS.json only" in refused.output


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_from_answers_file(runner: FlaskCliRunner, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"e.{fmt}"
    result = runner.invoke(args=["export", str(SMALL), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 100


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "empty.json").write_text(json.dumps({"questionnaire": "cio-ciso-governance"}))
    (tmp_path / "unknown.json").write_text(
        json.dumps({"questionnaire": "nope", "respondents": [{"name": "A", "role": "CIO"}]})
    )
    document = json.loads(SMALL.read_text())
    document["organization"]["date"] = "yesterday"
    (tmp_path / "date.json").write_text(json.dumps(document))
    return {
        "missing": tmp_path / "missing.json",
        "bad": tmp_path / "bad.json",
        "empty": tmp_path / "empty.json",
        "unknown": tmp_path / "unknown.json",
        "date": tmp_path / "date.json",
    }


@pytest.mark.parametrize("case", ["missing", "bad", "empty", "unknown", "date", "none", "both"])
@pytest.mark.parametrize("command", ["report", "export"])
def test_bad_input_exits_2_with_one_line(
    runner: FlaskCliRunner, tmp_path: Path, case: str, command: str
) -> None:
    files = _bad_files(tmp_path)
    source = (
        []
        if case == "none"
        else [str(SMALL), "--assessment", "1"]
        if case == "both"
        else [str(files[case])]
    )
    extra = ["--format", "csv"] if command == "export" else []
    result = runner.invoke(args=[command, *source, *extra, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_assessment_and_workspace(runner: FlaskCliRunner, tmp_path: Path) -> None:
    for args in (
        ["report", "--assessment", "999", "-o", str(tmp_path / "x.pdf")],
        ["export", "--assessment", "999", "--format", "json", "-o", str(tmp_path / "x")],
        ["report-all", "--workspace", "Nobody", "-o", str(tmp_path)],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 2 and result.stderr.startswith("error: "), args


def _submitted_assessments(count: int) -> list[int]:
    document = json.loads(SMALL.read_text())
    questionnaire, people, _ = parse_answers_document(document, catalog())
    user = accounts.sign_up("cli@example.com", "quiet lagoon harvest 64", "Cli", "CLI firm")
    workspace = user.memberships[0].workspace
    ids = []
    for n in range(count):
        org = organizations.create_organization(
            workspace, user, name=f"Client {n}", sector=None, size=None
        )
        assessment = assessments.start_assessment(org, user, questionnaire)
        for person in people:
            respondent = assessments.add_respondent(
                assessment, user, name=person.name, role=person.role
            )
            changes = [answers.Change(q, v, None, None) for q, v in person.answers.items()]
            answers.save_answers(questionnaire, respondent, changes, "cli", skip_hidden=True)
        assessment.status = "submitted"
        ids.append(assessment.id)
    db.session.commit()
    return ids


def test_report_all_renders_every_submitted_assessment(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        ids = _submitted_assessments(2)
    out = tmp_path / "reports"
    result = runner.invoke(args=["report-all", "--workspace", "CLI firm", "-o", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 2
    for n, (assessment_id, name) in enumerate(zip(ids, files, strict=True)):
        assert name.startswith(f"{assessment_id}-client-{n}-governance-gap-")
        assert name.endswith(".pdf")
    assert all(PdfReader(out / name).pages for name in files)

    single = tmp_path / "one.pdf"
    again = runner.invoke(args=["report", "--assessment", str(ids[0]), "-o", str(single)])
    assert again.exit_code == 0, again.output
    assert single.read_bytes() == (out / files[0]).read_bytes()  # served from the store


def test_report_all_starts_without_the_pages_the_api_or_migrations(
    app: Flask, tmp_path: Path
) -> None:
    """The console script runs ``report-all`` in the data app: what only serves requests or
    migrates is never imported (about a second of processor time at every start)."""
    probe = (
        "import sys\n"
        "from assessor.cli import main\n"
        "try:\n"
        f"    main(['report-all', '-o', {str(tmp_path / 'out')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('apiflask', 'flask_migrate', 'alembic', 'assessor.web', 'assessor.api')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    env = {
        **os.environ,
        "ASSESSOR_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "ASSESSOR_SECRET_KEY": app.config["SECRET_KEY"],
    }
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert "wrote 0 reports" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
