"""``assessor questionnaire check|show|list``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from assessor import create_app
from assessor.database import begin_write
from assessor.extensions import db
from assessor.operations.catalog import catalog, store_questionnaire
from assessor.questionnaire import load_file

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questionnaires" / "cio-ciso-governance" / "v1"
BROKEN = Path(__file__).parent / "questionnaires_broken"


def make_app(dirs: list[Path] | None = None) -> Flask:
    config: dict[str, Any] = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    if dirs is not None:
        config["QUESTIONNAIRE_DIRS"] = [str(d) for d in dirs]
    return create_app(config)


def run(*args: str, dirs: list[Path] | None = None) -> Result:
    return make_app(dirs).test_cli_runner().invoke(args=["questionnaire", *args])


def test_check_passes_on_the_shipped_files() -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    q = load_file(SHIPPED)
    v2 = load_file(SHIPPED.parent / "v2")
    assert result.stdout == (
        f"ok: cio-ciso-governance version 1 ({len(q.questions)} questions, "
        f"{len(q.rules)} rules, hash {q.hash[:12]})\n"
        f"ok: cio-ciso-governance version 2 ({len(v2.questions)} questions, "
        f"{len(v2.rules)} rules, hash {v2.hash[:12]})\n"
    )


def test_check_prints_one_line_per_problem_and_exits_1() -> None:
    paths = [BROKEN / "unknown_question.yaml", BROKEN / "unknown_key.yaml"]
    result = run("check", *map(str, paths))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(
        "unknown_question.yaml: sections[1].questions[2].show_if: unknown question "
        "'sec_trainng' (did you mean 'sec_training'?)"
    )
    assert all(": sections[1].questions[0]: " in line for line in lines[1:])
    assert result.stderr == "3 problem(s) in 2 file(s)\n"
    assert "Traceback" not in result.output


def test_check_uses_the_configured_dirs(tmp_path: Path) -> None:
    shutil.copy(BROKEN / "zero_weight.yaml", tmp_path)
    result = run("check", dirs=[tmp_path])
    assert result.exit_code == 1
    assert result.stdout.strip().endswith(
        "zero_weight.yaml: sections[1].questions[1].weight: must be greater than 0, not 0"
    )


def test_check_a_missing_path() -> None:
    result = run("check", "no/such/place")
    assert result.exit_code == 1
    assert result.stdout == "no/such/place: file: no such file or folder\n"


def test_check_never_prints_a_traceback() -> None:
    result = run("check", str(BROKEN))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.stdout.splitlines()) >= len(list(BROKEN.glob("*.yaml")))


def test_show_json_shape() -> None:
    result = run("show", "cio-ciso-governance", "--version", "1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    q = load_file(SHIPPED)
    assert list(data) == ["id", "version", "title", "hash", "model", "sections", "rules"]
    assert (data["id"], data["version"], data["hash"]) == ("cio-ciso-governance", 1, q.hash)
    assert len(data["model"]) == 29
    assert set(data["model"][0]) == {
        "id",
        "domain",
        "title",
        "accountable",
        "consulted",
        "references",
    }
    assert data["model"][0]["consulted"] == ["CISO"]
    assert [s["id"] for s in data["sections"]][0] == "context"
    for section in data["sections"]:
        assert list(section) == ["id", "title", "questions"]
        for question in section["questions"]:
            assert list(question) == [
                "id",
                "kind",
                "text",
                "help",
                "responsibility",
                "weight",
                "context",
                "required",
                "show_if",
                "options",
            ]
            for option in question["options"]:
                assert list(option) == ["value", "label", "score"]
    questions = {x["id"]: x for s in data["sections"] for x in s["questions"]}
    owner = questions["sec_program_owner"]
    assert [o["value"] for o in owner["options"]] == ["CIO", "CISO", "SHARED", "EXEC", "NONE"]
    maturity = questions["sec_training_maturity"]
    assert [o["value"] for o in maturity["options"]] == [0, 1, 2, 3, 4]
    assert maturity["options"][0]["label"] == "Not in place: Staff receive no security training."
    assert maturity["options"][4]["score"] == 1.0
    assert questions["dual_role"]["show_if"] == {
        "all": [{"q": "has_cio", "eq": "yes"}, {"q": "has_ciso", "eq": "yes"}]
    }
    assert questions["employees"]["show_if"] is None
    rules = {r["id"]: r for r in data["rules"]}
    assert len(rules) == len(q.rules)
    assert rules["no_breach_plan"]["when"] == {
        "all": [
            {"q": "dat_breach_plan_exists", "in": ["no", "unknown"]},
            {"not": {"q": "regulated_data", "in": ["eu_personal", "health", "payment_card"]}},
        ]
    }
    assert set(rules["no_breach_plan"]["finding"]) == {
        "title",
        "kind",
        "severity",
        "responsibility",
        "act",
        "recommendation",
        "effort",
        "references",
    }


def test_show_outline() -> None:
    result = run("show", "cio-ciso-governance", "--version", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("cio-ciso-governance version 1: ")
    assert "  sec_program_owner (owner, SEC-1): Who is accountable for the security program?" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["show", "nope", "--json"],
            "error: no questionnaire 'nope' (loaded: cio-ciso-governance)\n",
        ),
        (
            ["show", "cio-ciso-governance", "--version", "9"],
            "error: questionnaire 'cio-ciso-governance' has no version 9 (versions: 1, 2)\n",
        ),
        (
            ["show", "cio-ciso-governance", "--version", "two"],
            "error: --version must be a whole number, not 'two'\n",
        ),
    ],
)
def test_show_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""


def test_list_and_show_versions_side_by_side(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED, tmp_path / "v1")
    shutil.copytree(SHIPPED, tmp_path / "v2")
    marker = tmp_path / "v2" / "questionnaire.yaml"
    marker.write_text(marker.read_text().replace("version: 1\n", "version: 2\n"))
    v1, v2 = load_file(tmp_path / "v1"), load_file(tmp_path / "v2")

    result = run("list", dirs=[tmp_path])
    assert result.exit_code == 0, result.output
    header, first, second = result.stdout.splitlines()
    assert header.split() == ["id", "version", "title", "hash", "questions"]
    assert first.split()[:2] == ["cio-ciso-governance", "1"]
    assert second.split()[:2] == ["cio-ciso-governance", "2"]
    assert first.split()[-2:] == [v1.hash[:12], str(len(v1.questions))]
    assert second.split()[-2:] == [v2.hash[:12], str(len(v2.questions))]
    assert "CIO and CISO governance assessment" in first

    latest = json.loads(run("show", "cio-ciso-governance", "--json", dirs=[tmp_path]).stdout)
    assert (latest["version"], latest["hash"]) == (2, v2.hash)
    older = run("show", "cio-ciso-governance", "--version", "1", "--json", "-p", str(tmp_path))
    assert json.loads(older.stdout)["hash"] == v1.hash


def test_list_notes_broken_files_on_stderr(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED, tmp_path / "good")
    shutil.copy(BROKEN / "empty.yaml", tmp_path)
    result = run("list", "--path", str(tmp_path))
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == (
        "1 problem(s) in questionnaire files: run 'assessor questionnaire check'\n"
    )


def test_check_warns_when_a_file_changed_without_a_new_version(tmp_path: Path) -> None:
    """Compared with what the database stores for the same id and version."""
    shutil.copytree(ROOT / "questionnaires", tmp_path / "questionnaires")
    folder = tmp_path / "questionnaires" / "cio-ciso-governance" / "v1"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "QUESTIONNAIRE_DIRS": [str(tmp_path / "questionnaires")],
        }
    )
    with app.app_context():
        db.create_all()
        begin_write()
        store_questionnaire(catalog().get("cio-ciso-governance", 1))
        db.session.commit()
        stored = catalog().get("cio-ciso-governance", 1).hash
    result = app.test_cli_runner().invoke(args=["questionnaire", "check"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output  # the file is what the database stores

    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("Appoint a CISO", "Appoint a chief"))
    result = app.test_cli_runner().invoke(args=["questionnaire", "check"])
    assert result.exit_code == 0, result.output
    now = load_file(folder).hash
    warning = result.stdout.splitlines()[-1]
    assert warning.startswith(f"warning: {folder}: cio-ciso-governance version 1 has changed")
    assert f"(stored {stored[:12]}, now {now[:12]})" in warning
    with app.app_context():
        db.engine.dispose()


def test_check_without_a_database_table_compares_nothing() -> None:
    result = run("check")  # an empty in-memory database: nothing stored, no warning
    assert result.exit_code == 0 and "warning" not in result.output and result.stderr == ""
