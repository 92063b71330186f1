"""What a scoring costs a user: its share of the results page that shows it.

The demo workspace is seeded into a temporary SQLite app (``assessor demo seed``'s own
code); its assessment is open, so every view of its results page scores it live.  In
alternating batches, in one process, this times the results page through Flask's test
client (signed in, the page's whole request: access checks, queries, the scoring, the
template) and the scoring alone (``operations.scoring.score_assessment`` on the same
assessment: reading the answers and the engine).  The share is the figure: how much of the
page a faster engine could save at most.

    .venv/bin/python bench/scoring_share.py [--views 200]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessor import create_app  # noqa: E402
from assessor.extensions import db  # noqa: E402
from assessor.models import Assessment  # noqa: E402
from assessor.operations import demo, scoring  # noqa: E402

BATCH = 10


def timed(work: Callable[[], object], times: list[float]) -> None:
    for _ in range(BATCH):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=200, help="page views timed (and scorings)")
    args = parser.parse_args()

    logging.getLogger("assessor.requests").disabled = True  # one JSON line per request
    folder = Path(tempfile.mkdtemp(prefix="assessor-share-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,  # the sign-in below posts no token
            "SECRET_KEY": "bench-only-" + "x" * 32,
            "PRERENDER": False,  # no PDF rendered ahead after the demo's submissions
        }
    )
    with app.app_context():
        db.create_all()
        login = demo.seed_demo(folder)
        assessment_id = db.session.scalars(db.select(Assessment.id)).one()
    client = app.test_client()
    signed_in = client.post("/signin", data={"email": login.email, "password": login.password})
    if signed_in.status_code != 302:
        sys.exit(f"bench/scoring_share.py: sign-in answered {signed_in.status_code}")
    url = f"/assessments/{assessment_id}/results"

    def page() -> None:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"bench/scoring_share.py: {url} answered {response.status_code}")

    pages: list[float] = []
    scorings: list[float] = []
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        scoring.score_assessment(assessment)
        page()  # warm: templates, the questionnaire's index
        while len(pages) < args.views:
            timed(page, pages)
            timed(lambda: scoring.score_assessment(assessment), scorings)
    page_ms = statistics.median(pages) * 1000
    score_ms = statistics.median(scorings) * 1000
    print(f"results page (demo, open: scored on every view), p50: {page_ms:.1f} ms")
    print(f"its scoring alone (answers read + engine), p50: {score_ms:.2f} ms")
    print(f"share of the page: {score_ms / page_ms:.1%}")


if __name__ == "__main__":
    main()
