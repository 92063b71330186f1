"""Benchmark of the answer history a respondent link can add: bytes a minute at the link's
write limit (``RATELIMIT_LINK_USE``, 1,200 saves a minute), before and after the limits.

A hostile link makes, as fast as the app takes them, as many autosaves as its address may
send in a minute, each as large as the answer allows: a free-text answer at the question's
``max_length``, a comment at the comment limit, every save a change (its value differs
from the last), each naming the version the previous one returned, round every question
shown whatever the answers.  Printed for two settings on a temporary SQLite database, through the app's
HTTP test client:

* **before**: the old behaviour, a history row per save and comments of up to 4,000
  characters (``HISTORY_COALESCE_SECONDS=0``, ``MAX_COMMENT_CHARS=4000``);
* **after**: the defaults (one author's changes within 300 s are one row; comments of up
  to 2,000 characters).

Each is run twice, rounding every question shown whatever the answers, and saving the
longest free-text answer alone; each for two minutes' worth of saves (the bytes the first
minute added, then the next).

Bytes are those of the rows' text (the value's JSON, the comment, the author, the question
id), as a lower bound of what the database keeps for them.

    python bench/history.py [--saves 1200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from assessor import create_app  # noqa: E402
from assessor.extensions import db  # noqa: E402
from assessor.models import AnswerHistory  # noqa: E402
from assessor.operations import accounts, assessments, organizations  # noqa: E402
from assessor.operations.catalog import catalog  # noqa: E402


def _largest(question: Any, turn: int) -> Any:
    """The largest value the question takes, one of two by ``turn``."""
    if question.kind == "text":
        return "ab"[turn] * question.max_length
    if question.kind == "number":
        return (question.min or 0) + turn
    values = [o.value for o in question.all_options]
    if question.kind == "multi":
        return values[turn:] or values
    return values[turn]


def run(
    folder: Path, saves: int, settings: dict[str, Any], every: bool
) -> tuple[list[tuple[int, int]], float]:
    """(history rows, history bytes) after each ``saves`` hostile autosaves by link (two
    rounds: a minute at the limit and the next), and the seconds they took.  ``every``:
    round every question shown; otherwise the largest answer alone (the longest text)."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'history.db'}",
            "SECRET_KEY": "bench",
            "REQUEST_LOG": False,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            **settings,
        }
    )
    with app.app_context():
        db.create_all()
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        owner = accounts.sign_up("bench@example.com", "bench password 123", "Bench", "Firm")
        organization = organizations.create_organization(
            owner.memberships[0].workspace, owner, name="Target", sector=None, size=None
        )
        assessment = assessments.start_assessment(organization, owner, questionnaire)
        respondent = assessments.add_respondent(assessment, owner, name="Hostile", role="CIO")
        token = assessments.issue_link(respondent, owner)
        shown = [q for q in questionnaire.questions.values() if q.show_if is None]
        if not every:
            texts = [q for q in shown if q.kind == "text"]
            shown = [max(texts, key=lambda q: q.max_length)]
        comment_chars = int(app.config["MAX_COMMENT_CHARS"])
        db.session.remove()
    client = app.test_client()
    versions: dict[str, int] = {}
    started = time.perf_counter()
    figures = []
    for n in range(2 * saves):
        question = shown[n % len(shown)]
        turn = (n // len(shown)) % 2  # every save changes the answer
        body = {
            "question": question.id,
            "value": _largest(question, turn),
            "comment": "ab"[turn] * comment_chars,
            "version": versions.get(question.id, 0),
        }
        response = client.post(f"/r/{token}/autosave", json=body)
        if response.status_code != 200:
            raise SystemExit(f"save {n} refused: {response.status_code} {response.get_json()}")
        versions[question.id] = response.get_json()["version"]
        if (n + 1) % saves == 0:
            figures.append(_history_size(app))
    seconds = time.perf_counter() - started
    with app.app_context():
        db.engine.dispose()
    return figures, seconds


def _history_size(app: Any) -> tuple[int, int]:
    """(rows, bytes of their text) of the whole answer history."""
    h = AnswerHistory
    size = (
        func.length(func.cast(h.value, db.String))
        + func.coalesce(func.length(h.comment), 0)
        + func.length(h.changed_by)
        + func.length(h.question_id)
    )
    with app.app_context():
        rows, total = db.session.execute(select(func.count(h.id), func.sum(size))).one()
        db.session.remove()
    return rows, int(total or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--saves", type=int, default=1200, help="autosaves in a minute (RATELIMIT_LINK_USE)"
    )
    args = parser.parse_args()
    cases = (
        ("before", {"HISTORY_COALESCE_SECONDS": 0, "MAX_COMMENT_CHARS": 4000}),
        ("after", {}),
    )
    worst = {}
    for name, settings in cases:
        for every in (False, True):
            with tempfile.TemporaryDirectory() as folder:
                (first, second), seconds = run(Path(folder), args.saves, settings, every)
            what = "every question" if every else "the longest text alone"
            added = (second[0] - first[0], second[1] - first[1])
            print(
                f"{name}, {what}: {2 * args.saves} saves in {seconds:.1f} s; first minute "
                f"{first[0]} rows, {first[1] / 1e6:.2f} MB; next minute {added[0]:+} rows, "
                f"{added[1] / 1e3:+.1f} KB"
            )
            worst[name] = max(worst.get(name, 0), first[1])
    print(
        f"most history a minute: before {worst['before'] / 1e6:.2f} MB, after "
        f"{worst['after'] / 1e6:.2f} MB (ratio {worst['after'] / worst['before']:.4f})"
    )


if __name__ == "__main__":
    main()
