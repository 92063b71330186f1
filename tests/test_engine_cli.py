"""``assessor score ANSWERS.json``: the same bytes every time; one line and exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from assessor import create_app
from assessor.engine import METHOD_VERSION

ANSWERS = Path(__file__).parent / "answers"


@pytest.fixture(scope="module")
def cli() -> FlaskCliRunner:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.test_cli_runner()


def test_scoring_the_demo_prints_the_same_json_twice(cli: FlaskCliRunner) -> None:
    first = cli.invoke(args=["score", str(ANSWERS / "demo.json")])
    second = cli.invoke(args=["score", str(ANSWERS / "demo.json")])
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    result = json.loads(first.stdout)
    assert result["questionnaire"]["id"] == "cio-ciso-governance"
    assert result["method"]["combination"] == "median_low"
    assert result["method"]["version"] == METHOD_VERSION
    assert first.stdout == json.dumps(result, sort_keys=True, indent=2) + "\n"


def test_targets_from_the_command_line_override_the_file(
    cli: FlaskCliRunner, tmp_path: Path
) -> None:
    data = json.loads((ANSWERS / "demo.json").read_text())
    data["targets"] = {"security": 2, "data": 2}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))
    out = cli.invoke(
        args=["score", str(path), "--target", "security=4", "--target", "governance=1"]
    )
    assert out.exit_code == 0, out.output
    targets = {d["id"]: d["target"] for d in json.loads(out.stdout)["domains"]}
    assert targets == {
        "strategy": 3,
        "infrastructure": 3,
        "security": 4,
        "data": 2,
        "third_parties": 3,
        "governance": 1,
    }


def demo(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ANSWERS / "demo.json").read_text())
    data.update(changes)
    return data


def with_answer(qid: str, value: Any, who: int = 1) -> dict[str, Any]:
    data = demo()
    data["respondents"][who]["answers"][qid] = value
    return data


BAD_DOCUMENTS = [
    (demo(questionnaire="no-such-thing"), "questionnaire: unknown questionnaire 'no-such-thing'"),
    (demo(version=9), "version: questionnaire 'cio-ciso-governance' has no version 9"),
    (
        with_answer("sec_trainig_maturity", 2),
        "respondents[1].answers.sec_trainig_maturity: unknown question",
    ),
    (
        with_answer("sec_training_maturity", "sometimes"),
        "respondents[1].answers.sec_training_maturity: 'sometimes' is not one of 0, 1, 2, 3, 4",
    ),
    (
        with_answer("sec_patching", "daily", who=0),
        "respondents[0].answers.sec_patching: 'daily' is not one of within_week, within_month, "
        "longer, no_process, unknown",
    ),
    (with_answer("employees", "lots"), "respondents[1].answers.employees: 'lots' is not a number"),
    (
        with_answer("regulated_data", "eu_personal"),
        "respondents[1].answers.regulated_data: expected a list of eu_personal, health, "
        "payment_card, none, got 'eu_personal'",
    ),
    (demo(respondents=[]), "respondents: at least one respondent is needed"),
    (demo(targets={"security": 7}), "targets.security: 7 is not one of 0, 1, 2, 3, 4"),
    ([1, 2], "the document must be a JSON object"),
]


@pytest.mark.parametrize(("data", "message"), BAD_DOCUMENTS)
def test_a_bad_document_exits_2_with_one_line(
    cli: FlaskCliRunner, tmp_path: Path, data: Any, message: str
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))
    out = cli.invoke(args=["score", str(path)])
    assert out.exit_code == 2
    assert out.stdout == ""
    assert out.stderr == f"error: {path}: {message}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"questionnaire": "x",\n  "respondents": [}',
            "not valid JSON: Expecting value at line 2, column 19",
        ),
        ("", "not valid JSON: Expecting value at line 1, column 1"),
        (b"\xff\xfe{}", "not UTF-8 text (byte 0)"),
    ],
)
def test_unreadable_json_says_where(
    cli: FlaskCliRunner, tmp_path: Path, text: str | bytes, message: str
) -> None:
    path = tmp_path / "answers.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    out = cli.invoke(args=["score", str(path)])
    assert (out.exit_code, out.stderr) == (2, f"error: {path}: {message}\n")


def test_a_missing_file(cli: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    out = cli.invoke(args=["score", str(path)])
    assert (out.exit_code, out.stderr) == (2, f"error: {path}: no such file\n")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("security", "--target 'security': expected DOMAIN=N, for example security=3"),
        ("=3", "--target '=3': expected DOMAIN=N, for example security=3"),
        (
            "context=3",
            "--target 'context=3': unknown domain (one of strategy, infrastructure, security, "
            "data, third_parties, governance)",
        ),
        ("security=5", "--target 'security=5': '5' is not one of 0, 1, 2, 3, 4"),
        ("security=high", "--target 'security=high': 'high' is not one of 0, 1, 2, 3, 4"),
    ],
)
def test_a_bad_target_exits_2_with_one_line(cli: FlaskCliRunner, target: str, message: str) -> None:
    out = cli.invoke(args=["score", str(ANSWERS / "demo.json"), "--target", target])
    assert (out.exit_code, out.stdout, out.stderr) == (2, "", f"error: {message}\n")
