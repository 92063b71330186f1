"""gunicorn hooks for bench/load.py's queue run (``gunicorn -c bench/gunicorn_clock.py``):
each web process times its own requests, by kind, in the client as docs/scaling.md asks:

* wall seconds and this process's CPU seconds from the request's start to its end;
* PostgreSQL's share: seconds in cursor executions (SQLAlchemy events, from sending a
  statement to having its result), and how many statements.

At exit each process writes its totals to ``$BENCH_CLOCK_DIR/<pid>.json``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

_totals: dict[str, list[float]] = {}  # kind: [requests, wall, cpu, database, statements]
_now: dict[str, float] = {}
_database = [0.0, 0.0]  # seconds, statements
_started: list[float] = []


def _kind(path: str) -> str:
    if path.endswith("/autosave"):
        return "autosave"
    if path.startswith("/r/") and "/s/" in path:
        return "page"
    return "other"


def _before(*_: Any) -> None:
    _started.append(time.perf_counter())


def _after(*_: Any) -> None:
    _database[0] += time.perf_counter() - _started.pop()
    _database[1] += 1


def post_worker_init(worker: Any) -> None:
    from sqlalchemy import event

    from assessor.extensions import db

    with worker.wsgi.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _before)
    event.listen(engine, "after_cursor_execute", _after)


def pre_request(worker: Any, req: Any) -> None:
    _now.update(wall=time.perf_counter(), cpu=time.process_time(), db=_database[0], n=_database[1])


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    totals = _totals.setdefault(_kind(req.path), [0, 0.0, 0.0, 0.0, 0])
    totals[0] += 1
    totals[1] += time.perf_counter() - _now["wall"]
    totals[2] += time.process_time() - _now["cpu"]
    totals[3] += _database[0] - _now["db"]
    totals[4] += _database[1] - _now["n"]


def worker_exit(server: Any, worker: Any) -> None:
    folder = os.environ.get("BENCH_CLOCK_DIR")
    if folder:
        Path(folder, f"{os.getpid()}.json").write_text(json.dumps(_totals))
