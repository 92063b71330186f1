"""Sign-up timing: an address that has an account beside a new one (they must not be
told apart by time).  Alternates the two kinds of sign-up through the test client, the
e-mails going to the outbox, on a SQLite file; prints the medians and their ratio.

    .venv/bin/python bench/signup.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessor import create_app  # noqa: E402
from assessor.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "MAIL_OUTBOX": f"{tmp}/outbox",
            }
        )
        logging.getLogger("assessor.requests").setLevel(logging.WARNING)
        with app.app_context():
            db.create_all()
        client = app.test_client()

        def sign_up(email: str) -> float:
            data = {
                "name": "Bench Person",
                "email": email,
                "password": "plum orchard lantern 58",
                "workspace": "Bench",
            }
            start = time.perf_counter()
            response = client.post("/signup", data=data)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.status_code
            return elapsed

        sign_up("known@example.com")
        sign_up("warm-up@example.com")
        known, new = [], []
        for n in range(rounds):
            known.append(sign_up("known@example.com"))
            new.append(sign_up(f"new{n}@example.com"))
    k, m = statistics.median(known), statistics.median(new)
    print(
        f"sign-up, existing address {k * 1000:.0f} ms, new address {m * 1000:.0f} ms "
        f"(medians of {rounds}); existing / new = {k / m:.2f}"
    )


if __name__ == "__main__":
    main()
