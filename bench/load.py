"""Load, crash and durability benchmark: the service under gunicorn, on SQLite and PostgreSQL.

For each database: a workspace, an assessment of the shipped questionnaire and respondents
with personal links are made with the project's own verbs; then, under the same gunicorn
set-up (``--workers`` processes, ``--worker-class``), each figure is measured beside its
baseline from a bare Flask app (bench/bare_app.py):

* bare ``GET /`` ("ok")         vs  the questionnaire page       (p50 latency: ratio <= 6)
* bare ``POST /insert`` (1 row) vs  autosave by personal link    (throughput: ratio >= 0.30)

The latency target is measured at an offered load both servers sustain: the
``--respondents`` clients send their GETs at a fixed pace, ``--page-rate`` requests/s in
all, each on a schedule of absolute times (a slow answer does not lower the load).  With
clients that send back to back the server is saturated and p50 measures queueing (clients x
CPU per request / cores), not what a page costs; those closed-loop figures are printed as
information on throughput and saturation, with no target.

``--respondents`` clients (separate processes, real HTTP to 127.0.0.1 only) each save
``--saves`` answers at once, each save naming the version the previous response gave.
Afterwards every acknowledged save must be in the database with its history (``lost
answers: 0``) and no response may be a 5xx.  A second run kills the server with SIGKILL
mid-load and restarts it: every save acknowledged before the kill must be there, and
SQLite's ``PRAGMA integrity_check`` must say ok.

    .venv/bin/python bench/load.py [--databases sqlite,postgresql] [--respondents 20]
                                   [--page-rate 100]

With ``--queue-run`` instead (PostgreSQL and Redis): gunicorn (``--workers`` processes)
and two ``assessor worker``s at once; ``--respondents`` clients autosave and load pages back
to back, round after round, while ``assessor report-all`` has the workers render
``--renders`` reports.  Each web process times its own requests (bench/gunicorn_clock.py:
wall, CPU, PostgreSQL's share timed in the client with SQLAlchemy's cursor events), and the
run prints the per-process figures beside docs/scaling.md's model: autosaves and page views
per second per web process, CPU and PostgreSQL time per request, renders per minute per
worker (against one warm render in this process, the baseline of the same run).

    .venv/bin/python bench/load.py --queue-run [--workers 2] [--respondents 8] [--renders 30]
                                   [--queue-redis redis://127.0.0.1:6379/12]

Exits 1 when a target is missed.  Bounded throughout: fixed request counts, timeouts on
every wait, and a watchdog that stops everything after ``--deadline`` seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
OWNER_CODES = ("CIO", "CISO", "SHARED", "EXEC", "NONE")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
PAGE_TARGET = 6.0
AUTOSAVE_TARGET = 0.30


# --- HTTP, by hand: keep-alive, one cookie jar, timing ------------------------------------


class Http:
    """One client's connection to the server, with its cookies."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes, float]:
        """(status, headers, body, seconds); raises OSError/HTTPException on a broken line."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=sent)
            response = self.conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, dict(response.getheaders()), payload, elapsed

    def close(self) -> None:
        self.conn.close()


def _open_link(client: Http, token: str) -> tuple[str, str]:
    """Open a personal link as a browser does: (the page's path, its CSRF token)."""
    status, headers, _, _ = client.request("GET", f"/r/{token}")
    if status != 302:
        raise RuntimeError(f"link answered {status}")
    path = headers["Location"].replace(f"http://{HOST}:{client.port}", "")
    status, _, body, _ = client.request("GET", path)
    found = CSRF_META.search(body.decode())
    if status != 200 or not found:
        raise RuntimeError(f"page answered {status}")
    return path, found.group(1)


# --- the clients: one process each ----------------------------------------------------------


@dataclass
class Task:
    kind: str  # bare-get | bare-insert | page | autosave
    port: int
    count: int
    token: str = ""
    respondent: int = 0
    questions: list[tuple[str, str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    #: Stop at the first broken connection (the server is being killed).
    stop_on_error: bool = False
    #: Where in the respondent's plan of saves this task starts, and the versions so far.
    offset: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    #: Untimed requests before the start (GETs only): every worker has compiled its
    #: templates, built its caches and opened its database connection before timing starts.
    warmup: int = 0
    #: Seconds between sends, on a schedule of absolute times (0: closed loop, each request
    #: sent as the previous answer arrives), and the delay of this client's first send.
    pace: float = 0.0
    phase_offset: float = 0.0


def _plan(task: Task) -> Iterator[tuple[str, Any]]:
    """The saves of one respondent: the questions in turn, each value differing from the last."""
    for n in range(task.offset, task.offset + task.count):
        question, kind = task.questions[n % len(task.questions)]
        turn = n // len(task.questions) + task.respondent
        value = OWNER_CODES[turn % 5] if kind == "owner" else turn % 5
        yield question, value


def run_task(task: Task, barrier: Any, results: Any, started: Any) -> None:
    """A client process: get ready, wait for the others, then send ``task.count`` requests:
    back to back, or paced (request ``n`` due at ``start + phase_offset + n * pace``; a client
    that falls behind sends at once, and counts the sends late by more than one interval)."""
    out: dict[str, Any] = {"kind": task.kind, "latencies": [], "statuses": {}, "acks": []}
    out["error"], out["late"] = None, 0
    client = Http(task.port)
    try:
        token = ""
        if task.kind in ("page", "autosave"):
            _, token = _open_link(client, task.token)
        for n in range(task.warmup):
            if task.kind == "bare-get":
                client.request("GET", "/")
            elif task.kind == "page":
                section = task.sections[n % len(task.sections)]
                client.request("GET", f"/r/{task.token}/s/{section}")
        barrier.wait(timeout=120)
        out["start"] = started.value  # the same instant for every client (the barrier's)
        versions = dict(task.versions)
        plan = list(_plan(task)) if task.kind == "autosave" else []
        for n in range(task.count):
            if task.pace:
                behind = time.monotonic() - (out["start"] + task.phase_offset + n * task.pace)
                if behind < 0:
                    time.sleep(-behind)
                elif behind > task.pace:
                    out["late"] += 1
            try:
                if task.kind == "bare-get":
                    status, _, body, elapsed = client.request("GET", "/")
                elif task.kind == "bare-insert":
                    status, _, body, elapsed = client.request(
                        "POST", "/insert", {"who": f"r{task.respondent}", "n": n}
                    )
                elif task.kind == "page":
                    section = task.sections[(task.offset + n) % len(task.sections)]
                    status, _, body, elapsed = client.request("GET", f"/r/{task.token}/s/{section}")
                else:
                    question, value = plan[n]
                    payload = {
                        "question": question,
                        "value": value,
                        "comment": None,
                        "version": versions.get(question, 0),
                    }
                    status, _, body, elapsed = client.request(
                        "POST",
                        f"/r/{task.token}/autosave",
                        payload,
                        {"X-CSRFToken": token},
                    )
                    if status == 200:
                        saved = json.loads(body)
                        versions[question] = saved["version"]
                        out["acks"].append((question, value, saved["version"]))
                    elif status == 409:
                        current = json.loads(body).get("current") or {}
                        versions[question] = int(current.get("version", 0))
            except (OSError, http.client.HTTPException) as exc:
                out["statuses"]["broken"] = out["statuses"].get("broken", 0) + 1
                if task.stop_on_error:
                    break
                out["error"] = repr(exc)
                continue
            out["latencies"].append(elapsed)
            out["statuses"][status] = out["statuses"].get(status, 0) + 1
        out["end"] = time.monotonic()
        out["versions"] = versions
    except Exception as exc:  # reported to the parent, which fails the run
        barrier.abort()  # nobody waits for a client that cannot start
        out["error"] = repr(exc)
        out.setdefault("start", time.monotonic())
        out["end"] = time.monotonic()
    finally:
        client.close()
        results.put((task.respondent, out))


@dataclass
class Phase:
    kind: str
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[Any, int]
    acks: dict[int, list[tuple[str, Any, int]]]
    errors: list[str]
    versions: dict[int, dict[str, int]] = field(default_factory=dict)
    #: Paced sends made more than one interval after they were due.
    late: int = 0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if isinstance(s, int) and s >= 500)

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.requests} requests in {self.seconds:.2f} s, "
            f"{self.throughput:,.0f}/s, p50 {self.percentile(50):.1f} ms, "
            f"p99 {self.percentile(99):.1f} ms"
        )


def run_phase(
    tasks: list[Task], timeout: float = 180.0, during: Callable[[], None] | None = None
) -> Phase:
    """Run one task per client process, all starting together; gather what they saw."""
    # fork: the clients need nothing but http.client, and start at once.
    ctx = mp.get_context("fork")
    started = ctx.RawValue("d", 0.0)  # set by the last to reach the barrier, read by all

    def start() -> None:
        started.value = time.monotonic()

    barrier = ctx.Barrier(len(tasks) + 1, action=start)
    results = ctx.Queue()
    processes = [ctx.Process(target=run_task, args=(t, barrier, results, started)) for t in tasks]
    timeout += max(t.phase_offset + t.count * t.pace for t in tasks)  # a paced run's length
    for process in processes:
        process.start()
    gathered: dict[int, dict[str, Any]] = {}
    try:
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            timeout = 10.0  # a client failed to start: collect what they report, and stop
        else:
            if during is not None:
                during()
        deadline = time.monotonic() + timeout
        while len(gathered) < len(tasks) and time.monotonic() < deadline:
            with suppress(Exception):
                respondent, out = results.get(timeout=1)
                gathered[respondent] = out
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
    outs = list(gathered.values())
    errors = [o["error"] for o in outs if o["error"]]
    if len(outs) < len(tasks):
        errors.append(f"{len(tasks) - len(outs)} clients did not report")
    statuses: dict[Any, int] = {}
    for out in outs:
        for status, n in out["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    latencies = [x for out in outs for x in out["latencies"]]
    start = min((o["start"] for o in outs), default=0.0)
    end = max((o["end"] for o in outs), default=0.0)
    return Phase(
        tasks[0].kind,
        len(latencies),
        end - start,
        latencies,
        statuses,
        {r: o["acks"] for r, o in gathered.items()},
        errors,
        {r: o.get("versions", {}) for r, o in gathered.items()},
        sum(o["late"] for o in outs),
    )


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn in its own process group, so that SIGKILL reaches the master and workers."""

    def __init__(
        self,
        app: str,
        env: dict[str, str],
        args: argparse.Namespace,
        log: Path,
        chdir: Path,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.port = free_port()
        command = [
            str(BIN / "gunicorn"),
            *extra,
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            # Import once, then fork: workers start in a second instead of each importing.
            "--preload",
            "--chdir",
            str(chdir),
            app,
        ]
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            with suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status in (200, 404):
                    conn.close()
                    return
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start within 60 s")

    def kill(self) -> None:
        """SIGKILL to gunicorn's whole process group: no shutdown, no flushing."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # quick shutdown: the phase is over
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        # Workers left behind by a killed master are in the same group.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@contextmanager
def serving(
    app: str, env: dict[str, str], args: argparse.Namespace, work: Path, extra: tuple[str, ...] = ()
) -> Iterator[Server]:
    chdir = ROOT / "bench" if app.startswith("bare_app") else ROOT
    server = Server(app, env, args, work / "gunicorn.log", chdir, extra)
    try:
        yield server
    finally:
        server.stop()


# --- the database and the data ---------------------------------------------------------------


@dataclass
class Backend:
    name: str
    url: str
    env: dict[str, str]
    cleanup: Callable[[], None]


def make_backend(name: str, work: Path) -> Backend:
    if name == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
        return Backend(name, url, {}, lambda: None)
    import psycopg

    database = f"assessor_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return Backend(name, f"{base}/{database}", {}, drop)


@dataclass
class Seeded:
    tokens: list[tuple[int, str]]
    spare_tokens: list[tuple[int, str]]
    questions: list[tuple[str, str]]
    sections: list[str]


def seed(url: str, respondents: int) -> Seeded:
    """The workspace, assessment and respondents, through the service's own verbs."""
    from flask_migrate import upgrade

    from assessor import create_app
    from assessor.extensions import db
    from assessor.operations import accounts, assessments, organizations
    from assessor.operations.catalog import catalog

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REQUEST_LOG": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        questionnaire = catalog().get(app.config["DEFAULT_QUESTIONNAIRE"])
        owner = accounts.sign_up(
            "bench@example.com", secrets.token_urlsafe(16), "Bench Owner", "Bench Advisory"
        )
        workspace = owner.memberships[0].workspace
        organization = organizations.create_organization(
            workspace, owner, name="Load Test Ltd", sector="finance", size="250-999"
        )
        assessment = assessments.start_assessment(organization, owner, questionnaire)
        spare = assessments.start_assessment(organization, owner, questionnaire, title="Crash")
        tokens, spare_tokens = [], []
        for n in range(respondents):
            for target, into in ((assessment, tokens), (spare, spare_tokens)):
                person = assessments.add_respondent(
                    target, owner, name=f"Respondent {n}", role=("CIO", "CISO", "CEO")[n % 3]
                )
                into.append((person.id, assessments.issue_link(person, owner)))
        # Shown whatever the answers: no show_if; owner and maturity kinds take 0-4 / codes.
        questions = [
            (q.id, q.kind)
            for q in questionnaire.questions.values()
            if q.show_if is None and q.kind in ("owner", "maturity")
        ][:20]
        sections = [s.id for s in questionnaire.sections]
        db.session.remove()
        db.engine.dispose()
    return Seeded(tokens, spare_tokens, questions, sections)


def create_bare_table(url: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import bare_app

    engine = bare_app.make_engine(url)
    bare_app.metadata.create_all(engine)
    engine.dispose()


@dataclass
class Check:
    acknowledged: int
    lost: int
    history_rows: int
    details: list[str]


def verify(url: str, acks: dict[int, list[tuple[str, Any, int]]]) -> Check:
    """Every acknowledged save is in the answer history (or superseded by a later row of its
    author's, into which it was coalesced), each answer is at least as new as the last save
    acknowledged for it, and each answer's latest history row is the answer."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from assessor.models import Answer, AnswerHistory

    engine = create_engine(url)
    lost, details, total, rows = 0, [], 0, 0
    with Session(engine) as session:
        for respondent, saves in acks.items():
            history = {
                (q, v): value
                for q, v, value in session.execute(
                    select(
                        AnswerHistory.question_id, AnswerHistory.version, AnswerHistory.value
                    ).where(AnswerHistory.respondent_id == respondent)
                )
            }
            rows += len(history)
            # A save coalesced into a later row of its author's is superseded, not lost
            # (HISTORY_COALESCE_SECONDS); the latest row must then be the stored answer.
            newest: dict[str, tuple[int, Any]] = {}
            for (q, v), value in history.items():
                if v > newest.get(q, (-1, None))[0]:
                    newest[q] = (v, value)
            current = {
                q: (v, value)
                for q, v, value in session.execute(
                    select(Answer.question_id, Answer.version, Answer.value).where(
                        Answer.respondent_id == respondent
                    )
                )
            }
            last: dict[str, tuple[int, Any]] = {}
            for question, value, version in saves:
                total += 1
                superseded = newest.get(question, (-1, None))[0] > version
                if history.get((question, version), object()) != value and not superseded:
                    lost += 1
                    if len(details) < 5:
                        details.append(f"respondent {respondent} {question} v{version} missing")
                last[question] = (version, value)
            for question, (version, value) in last.items():
                stored = current.get(question)
                if (
                    stored is None
                    or stored[0] < version
                    or (stored[0] == version and stored[1] != value)
                ):
                    lost += 1
                    if len(details) < 5:
                        details.append(f"respondent {respondent} {question}: answer is {stored}")
            for question, row in newest.items():
                if current.get(question) != row:
                    lost += 1
                    if len(details) < 5:
                        details.append(f"respondent {respondent} {question}: history is {row}")
    engine.dispose()
    return Check(total, lost, rows, details)


def integrity_check(url: str) -> str:
    import sqlite3

    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


# --- the run ---------------------------------------------------------------------------------


def _split(total: int, rounds: int) -> list[int]:
    """``total`` requests in ``rounds`` nearly equal parts."""
    return [total // rounds + (1 if n < total % rounds else 0) for n in range(rounds)]


def merge(phases: list[Phase]) -> Phase:
    """Rounds of one kind as one phase: latencies pooled, time and counts added up."""
    acks: dict[int, list[tuple[str, Any, int]]] = {}
    statuses: dict[Any, int] = {}
    for phase in phases:
        for respondent, saves in phase.acks.items():
            acks.setdefault(respondent, []).extend(saves)
        for status, n in phase.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return Phase(
        phases[0].kind,
        sum(p.requests for p in phases),
        sum(p.seconds for p in phases),
        [x for p in phases for x in p.latencies],
        statuses,
        acks,
        [e for p in phases for e in p.errors],
        phases[-1].versions,
        sum(p.late for p in phases),
    )


def _tasks(
    kind: str,
    port: int,
    count: int,
    tokens: list[tuple[int, str]],
    seeded: Seeded,
    rate: float = 0.0,
    **kw: Any,
) -> list[Task]:
    """A task per respondent: closed loop, or paced at ``rate`` requests/s in all, each client
    sending one every ``clients / rate`` s and the clients' first sends ``1 / rate`` s apart."""
    pace = len(tokens) / rate if rate else 0.0
    return [
        Task(
            kind,
            port,
            count,
            token,
            respondent,
            seeded.questions,
            seeded.sections,
            pace=pace,
            phase_offset=index * pace / len(tokens),
            **kw,
        )
        for index, (respondent, token) in enumerate(tokens)
    ]


def bench_database(name: str, args: argparse.Namespace, work: Path, prefix: str) -> list[str]:
    """Run every phase on one database; print the figures; return the missed targets."""
    missed: list[str] = []
    backend = make_backend(name, work)
    try:
        started = time.monotonic()
        seeded = seed(backend.url, args.respondents)
        create_bare_table(backend.url)
        env = {
            "ASSESSOR_DATABASE_URL": backend.url,
            "ASSESSOR_SECRET_KEY": uuid.uuid4().hex,
            # The limit stays on (its cost is part of every request), set above the load.
            "ASSESSOR_RATELIMIT_LINK": "100000 per minute",
            "ASSESSOR_RATELIMIT_LINK_USE": "100000 per minute",
            "ASSESSOR_RATELIMIT_STORAGE_URI": args.ratelimit_storage,
            "ASSESSOR_RATELIMIT_KEY_PREFIX": prefix,
            "BENCH_DATABASE_URL": backend.url,
        }
        setup = f"gunicorn {args.workers} workers, {args.worker_class}"
        if args.worker_class == "gthread":
            setup += f" x {args.threads} threads"
        print(
            f"\n== {name}: {setup}; {args.respondents} clients; set-up {time.monotonic() - started:.1f} s"
        )
        tokens = seeded.tokens

        # Baseline and service in alternating rounds, both servers up: a machine whose load
        # changes (other jobs, CPU frequency) shifts both sides of each ratio alike.
        rounds = max(1, args.rounds)
        saves = _split(args.saves, rounds)
        parts: dict[str, list[Phase]] = {"bare-insert": [], "save": []}
        with (
            serving("bare_app:app", env, args, work) as bare,
            serving("wsgi:app", env, args, work) as app,
        ):

            def get_rounds(rate: float, warmup: int) -> tuple[list[Phase], list[Phase]]:
                """Bare route and page in alternating rounds of ``--page-gets`` GETs per client,
                at ``rate`` requests/s in all (0: closed loop); ``warmup`` before the first."""
                bares, pages = [], []
                for n in range(rounds):
                    warm = warmup if n == 0 else 0
                    count = args.page_gets
                    bares.append(
                        run_phase(
                            _tasks("bare-get", bare.port, count, tokens, seeded, rate, warmup=warm)
                        )
                    )
                    pages.append(
                        run_phase(
                            _tasks(
                                "page",
                                app.port,
                                count,
                                tokens,
                                seeded,
                                rate,
                                offset=n * count,
                                warmup=warm,
                            )
                        )
                    )
                return bares, pages

            # The target at a load both servers sustain; then at saturation, for information.
            paced_bares, paced_pages = get_rounds(args.page_rate, args.warmup)
            closed_bares, closed_pages = get_rounds(0.0, 0)
            done, versions = 0, {}
            for count in saves:
                parts["bare-insert"].append(
                    run_phase(_tasks("bare-insert", bare.port, count, tokens, seeded))
                )
                phase = run_phase(
                    [
                        Task(
                            "autosave",
                            app.port,
                            count,
                            token,
                            respondent,
                            seeded.questions,
                            seeded.sections,
                            offset=done,
                            versions=versions.get(respondent, {}),
                        )
                        for respondent, token in tokens
                    ]
                )
                versions = phase.versions
                parts["save"].append(phase)
                done += count
        bare_get, page = merge(paced_bares), merge(paced_pages)
        closed_bare, closed_page = merge(closed_bares), merge(closed_pages)
        bare_insert, autosave = merge(parts["bare-insert"]), merge(parts["save"])
        check = verify(backend.url, autosave.acks)

        at = f"{args.page_rate:g} requests/s in all"
        print("  " + bare_get.line(f'baseline: bare Flask GET / ("ok"), {at}'))
        print("  " + page.line(f"questionnaire page GET (by personal link), {at}"))
        print(
            "  achieved rate per round (requests / seconds): bare "
            + ", ".join(f"{b.throughput:.1f}" for b in paced_bares)
            + "; page "
            + ", ".join(f"{p.throughput:.1f}" for p in paced_pages)
        )
        if bare_get.late or page.late:
            print(
                f"  ! sends late by more than one interval: bare {bare_get.late} of "
                f"{bare_get.requests}, page {page.late} of {page.requests}"
            )
        page_ratio = statistics.median(
            p.percentile(50) / b.percentile(50)
            for p, b in zip(paced_pages, paced_bares, strict=True)
        )
        print(
            f"ratio: {page_ratio:.2f} (page p50 / bare route p50 at {at}, median of {rounds} "
            f"rounds; target <= {PAGE_TARGET:g})"
        )
        print("  " + closed_bare.line('closed loop: bare Flask GET / ("ok")'))
        print("  " + closed_page.line("closed loop: questionnaire page GET"))
        saturated_p50 = statistics.median(
            p.percentile(50) / b.percentile(50)
            for p, b in zip(closed_pages, closed_bares, strict=True)
        )
        saturated_throughput = statistics.median(
            p.throughput / b.throughput for p, b in zip(closed_pages, closed_bares, strict=True)
        )
        print(
            f"  closed loop ({len(tokens)} clients back to back; saturated when more clients "
            f"than CPUs): page p50 / bare p50 "
            f"{saturated_p50:.2f}; throughput page / bare {saturated_throughput:.2f}"
        )
        print("  " + bare_insert.line("baseline: bare Flask POST /insert (one row)"))
        print("  " + autosave.line("autosave (by personal link)"))
        save_ratio = statistics.median(
            a.throughput / b.throughput
            for a, b in zip(parts["save"], parts["bare-insert"], strict=True)
        )
        print(
            f"ratio: {save_ratio:.2f} (autosave throughput / bare insert throughput, median of "
            f"{rounds} rounds; target >= {AUTOSAVE_TARGET:g})"
        )
        server_errors = page.server_errors + closed_page.server_errors + autosave.server_errors
        others = {s: n for s, n in autosave.statuses.items() if s != 200}
        print(
            f"  acknowledged saves: {check.acknowledged}, answer history rows: {check.history_rows}"
        )
        print(f"lost answers: {check.lost}")
        print(f"5xx: {server_errors}")
        if others:
            print(f"  other autosave outcomes: {others}")
        for detail in check.details:
            print(f"  ! {detail}")
        errors = [
            error
            for phase in (bare_get, page, closed_bare, closed_page, bare_insert, autosave)
            for error in phase.errors
        ]
        for error in errors[:5]:
            print(f"  ! client: {error}")

        # --- SIGKILL mid-load, restart ------------------------------------------------
        with serving("wsgi:app", env, args, work) as app:

            def kill_soon() -> None:
                time.sleep(args.kill_after)
                app.kill()

            crash = run_phase(
                _tasks(
                    "autosave",
                    app.port,
                    args.saves,
                    seeded.spare_tokens,
                    seeded,
                    stop_on_error=True,
                ),
                during=kill_soon,
            )
        integrity = integrity_check(backend.url) if name == "sqlite" else "n/a (PostgreSQL)"
        crash_check = verify(backend.url, crash.acks)
        with serving("wsgi:app", env, args, work) as app:
            after = run_phase(_tasks("autosave", app.port, 1, seeded.spare_tokens[:5], seeded))
        after_ok = after.statuses.get(200, 0) + after.statuses.get(409, 0)
        print(
            f"  kill -9 after {args.kill_after:g} s: {crash_check.acknowledged} saves acknowledged "
            f"before the kill, {crash.statuses.get('broken', 0)} cut off"
        )
        print(f"lost answers after kill -9: {crash_check.lost}")
        print(f"integrity_check: {integrity}")
        print(f"  after restart: {after_ok}/{len(after.latencies)} saves answered")
        for detail in crash_check.details:
            print(f"  ! {detail}")

        if page_ratio > PAGE_TARGET:
            missed.append(f"{name}: page p50 ratio {page_ratio:.2f} > {PAGE_TARGET:g}")
        if save_ratio < AUTOSAVE_TARGET:
            missed.append(
                f"{name}: autosave throughput ratio {save_ratio:.2f} < {AUTOSAVE_TARGET:g}"
            )
        if check.lost or crash_check.lost:
            missed.append(f"{name}: lost answers")
        if server_errors:
            missed.append(f"{name}: {server_errors} server errors")
        if integrity not in ("ok", "n/a (PostgreSQL)"):
            missed.append(f"{name}: integrity_check says {integrity}")
        if errors or crash_check.acknowledged == 0 or after_ok == 0:
            missed.append(f"{name}: the clients could not run the load (see above)")
        print(f"  {name} done in {time.monotonic() - started:.1f} s")
    finally:
        backend.cleanup()
    return missed


# --- the queue run: web processes and render workers at once ----------------------------------

#: docs/scaling.md's per-process figures (the model takes the first of each range):
#: web CPU and PostgreSQL time (client-timed) per request, ms; renders a minute a worker.
MODEL_MS = {"autosave": (15.0, 10.0), "page": (15.0, 2.0)}
MODEL_MEASURED = {"autosave": "40-73/s, PostgreSQL 34-46 %", "page": "63-106/s, PostgreSQL 7-11 %"}
MODEL_RENDERS_PER_MINUTE = 10.0


def seed_renders(url: str, count: int) -> float:
    """``count`` submitted assessments of the demo answers (their PDFs not rendered yet),
    and one warm render of one, in this process (seconds): the baseline of the same run."""
    sys.path.insert(0, str(ROOT / "bench"))
    from render_queue import one_render, submit_all
    from report import seed as seed_demo

    from assessor import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PRERENDER": False})
    from assessor.extensions import db

    with app.app_context():
        ids = [seed_demo(app, f"render{n}@example.com") for n in range(count)]
    for assessment_id in ids:
        submit_all(app, assessment_id)
    seconds = one_render(app, ids[0])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return seconds


def _rq_workers(env: dict[str, str], count: int, redis_url: str) -> list[subprocess.Popen[Any]]:
    from redis import Redis
    from rq import Worker

    workers = [
        subprocess.Popen(
            [str(BIN / "assessor"), "worker"],
            env={**os.environ, **env},
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + 120
    while Worker.count(connection=connection) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the RQ workers did not start")
        time.sleep(0.2)
    return workers


def _renders_done(url: str, since: float) -> tuple[dict[str, int], float]:
    """Render jobs done since an instant (epoch seconds), by process; and the seconds from
    the first one's start to the last one's end."""
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT worker, count(*), min(started_at), max(finished_at) FROM render_job "
                "WHERE state = 'done' AND started_at >= :since GROUP BY worker"
            ),
            {"since": datetime.fromtimestamp(since, UTC)},
        ).all()
    engine.dispose()
    if not rows:
        return {}, 0.0
    span = max(r[3] for r in rows) - min(r[2] for r in rows)
    return {str(r[0]): int(r[1]) for r in rows}, span.total_seconds()


def _clocks(folder: Path) -> dict[str, list[float]]:
    totals: dict[str, list[float]] = {}
    for path in folder.glob("*.json"):
        for kind, values in json.loads(path.read_text()).items():
            into = totals.setdefault(kind, [0.0] * len(values))
            for n, value in enumerate(values):
                into[n] += value
    return totals


def queue_run(args: argparse.Namespace, work: Path, prefix: str) -> list[str]:
    """gunicorn (``--workers`` processes) and two RQ workers on PostgreSQL and Redis at once:
    ``--respondents`` clients autosave, then load pages, back to back, while ``assessor
    report-all`` has the workers render ``--renders`` reports; each web process times its
    requests (bench/gunicorn_clock.py).  Prints the per-process figures beside the model's
    (docs/scaling.md); returns what went wrong (not the figures: there is no target)."""
    from redis import Redis

    missed: list[str] = []
    backend = make_backend("postgresql", work)
    clocks = work / "clocks"
    clocks.mkdir()
    redis = Redis.from_url(args.queue_redis)
    redis.flushdb()
    workers: list[subprocess.Popen[Any]] = []
    try:
        started = time.monotonic()
        seeded = seed(backend.url, args.respondents)
        render = seed_renders(backend.url, args.renders)
        env = {
            "ASSESSOR_DATABASE_URL": backend.url,
            "ASSESSOR_SECRET_KEY": uuid.uuid4().hex,
            "ASSESSOR_QUEUE_URL": args.queue_redis,
            "ASSESSOR_RATELIMIT_LINK": "100000 per minute",
            "ASSESSOR_RATELIMIT_LINK_USE": "100000 per minute",
            "ASSESSOR_RATELIMIT_STORAGE_URI": args.ratelimit_storage,
            "ASSESSOR_RATELIMIT_KEY_PREFIX": prefix,
            "ASSESSOR_REQUEST_LOG": "0",
            "BENCH_CLOCK_DIR": str(clocks),
        }
        print(
            f"\n== queue run on PostgreSQL: gunicorn {args.workers} workers x {args.threads} "
            f"thread, 2 RQ workers, {args.respondents} clients, report-all over {args.renders}; "
            f"set-up {time.monotonic() - started:.1f} s; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared with other jobs)"
        )
        workers = _rq_workers(env, 2, args.queue_redis)
        config = ("-c", str(ROOT / "bench" / "gunicorn_clock.py"))
        with serving("wsgi:app", env, args, work, config) as app:
            report_all = subprocess.Popen(
                [str(BIN / "assessor"), "report-all", "-o", str(work / "reports")],
                env={**os.environ, **env},
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            window = time.time()
            tokens = seeded.tokens
            saves: list[Phase] = []
            pages: list[Phase] = []
            versions: dict[int, dict[str, int]] = {}
            while not saves or report_all.poll() is None:  # web load while the workers render
                done = sum(p.requests for p in saves) // max(1, len(tokens))
                saves.append(
                    run_phase(
                        [
                            Task(
                                "autosave",
                                app.port,
                                args.saves,
                                token,
                                respondent,
                                seeded.questions,
                                seeded.sections,
                                offset=done,
                                versions=versions.get(respondent, {}),
                            )
                            for respondent, token in tokens
                        ]
                    )
                )
                versions = saves[-1].versions
                warm = args.warmup if not pages else 0
                pages.append(
                    run_phase(_tasks("page", app.port, args.page_gets, tokens, seeded, warmup=warm))
                )
            window_end = time.time()
            autosave, page = merge(saves), merge(pages)
            _, err = report_all.communicate(timeout=900)
            if report_all.returncode != 0:
                missed.append(f"queue run: report-all failed: {err.strip()[-300:]}")
        check = verify(backend.url, autosave.acks)
        done, span = _renders_done(backend.url, window)
        minutes = span / 60
        totals = _clocks(clocks)
        print("  " + autosave.line("autosave (by personal link), closed loop"))
        print("  " + page.line("questionnaire page GET, closed loop"))
        for kind, phase in (("autosave", autosave), ("page", page)):
            count, wall, cpu, database, statements = totals.get(kind, [0, 0, 0, 0, 0])
            if not count:
                missed.append(f"queue run: no {kind} timed by the web processes")
                continue
            model_cpu, model_db = MODEL_MS[kind]
            print(
                f"{kind} per web process: {phase.throughput / args.workers:.1f}/s under this "
                f"load ({args.workers} processes sharing the cores); in the process "
                f"{1000 * wall / count:.1f} ms wall, {1000 * cpu / count:.1f} ms CPU, "
                f"PostgreSQL {1000 * database / count:.1f} ms = "
                f"{100 * database / wall:.0f} % ({statements / count:.1f} statements); "
                f"a process on a core of its own: {count / cpu:.0f}/s by CPU"
            )
            print(
                f"ratio {kind} measured / model: CPU {1000 * cpu / count / model_cpu:.2f}, "
                f"PostgreSQL time {1000 * database / count / model_db:.2f} "
                f"(model {model_cpu:g} ms CPU, {model_db:g} ms PostgreSQL; "
                f"bench/per_process.py measured {MODEL_MEASURED[kind]})"
            )
        per_worker = sorted(done.values())
        rate = sum(per_worker) / max(1, len(per_worker)) / minutes if minutes else 0.0
        print(
            f"renders per minute per worker during the web load: {rate:.1f} "
            f"(by worker: {', '.join(f'{n / minutes:.1f}' for n in per_worker) or 'none'}; "
            f"{span:.0f} s from the first render's start to the last one's end, under "
            f"{len(saves)} rounds of autosaves and pages in {window_end - window:.0f} s); "
            f"one render in process, this run: {render:.2f} s "
            f"= {60 / render:.1f}/min"
        )
        print(
            f"ratio renders per minute per worker / one in-process render's rate: "
            f"{rate * render / 60:.2f}; / the model's {MODEL_RENDERS_PER_MINUTE:g}: "
            f"{rate / MODEL_RENDERS_PER_MINUTE:.2f}"
        )
        print(f"lost answers: {check.lost}; 5xx: {autosave.server_errors + page.server_errors}")
        print(f"  load average after: {os.getloadavg()[0]:.1f}")
        if check.lost or autosave.server_errors or page.server_errors:
            missed.append("queue run: lost answers or server errors")
        if autosave.errors or page.errors:
            missed.append(f"queue run: the clients failed: {(autosave.errors + page.errors)[:3]}")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            with suppress(subprocess.TimeoutExpired):
                worker.wait(30)
        redis.flushdb()
        backend.cleanup()
    return missed


def _redis_storage(prefix: str) -> tuple[str, Callable[[], None]]:
    """Redis when it answers (the multi-process set-up), else memory://; and a cleanup."""
    try:
        import redis

        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        connection.ping()
    except Exception:
        return "memory://", lambda: None

    def cleanup() -> None:
        keys = list(connection.scan_iter(match=f"*{prefix}*"))
        if keys:
            connection.delete(*keys)
        connection.close()

    return REDIS_URL, cleanup


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--respondents", type=int, default=20)
    parser.add_argument("--saves", type=int, default=100)
    parser.add_argument(
        "--page-gets",
        type=int,
        default=25,
        help="GETs per client per round, paced and closed loop alike (default 25: at the "
        "default rate and clients, 500 per paced round of 5 s)",
    )
    parser.add_argument(
        "--page-rate",
        type=float,
        default=100.0,
        help="requests/s, all clients together, at which page latency is measured (default 100)",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (default 1, the set-up docs/reliability.md "
        "recommends: a thread waiting for its worker's GIL can hold SQLite's one write lock "
        "for every writer; 2 costs SQLite autosave ~20%% of its throughput)",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--warmup",
        type=int,
        default=7,
        help="untimed GETs per client before the first round, on both servers (default 7: "
        "every section once)",
    )
    parser.add_argument("--kill-after", type=float, default=1.5)
    parser.add_argument(
        "--queue-run",
        action="store_true",
        help="instead: gunicorn and two RQ workers on PostgreSQL and Redis at once, the "
        "per-process figures beside docs/scaling.md's model",
    )
    parser.add_argument("--renders", type=int, default=30, help="reports the queue run renders")
    parser.add_argument(
        "--queue-redis",
        default="redis://127.0.0.1:6379/12",
        help="the queue run's Redis database (flushed; RQ has no key prefix)",
    )
    parser.add_argument("--deadline", type=int, default=540)
    args = parser.parse_args()
    if args.page_rate <= 0 or args.respondents / args.page_rate >= 2:
        # gunicorn closes a keep-alive connection idle for 2 s: a client's GETs come sooner.
        parser.error("--page-rate must be above --respondents / 2")

    def watchdog(*_: Any) -> None:
        raise TimeoutError(f"bench/load.py stopped by its {args.deadline} s watchdog")

    signal.signal(signal.SIGALRM, watchdog)
    signal.alarm(args.deadline)
    prefix = f"assessor-bench-{uuid.uuid4().hex[:10]}"
    storage, cleanup = _redis_storage(prefix)
    args.ratelimit_storage = storage
    work = Path(tempfile.mkdtemp(prefix="assessor-bench-"))
    print(
        f"bench/load.py: {args.respondents} respondents x {args.saves} autosaves, "
        f"{args.page_gets} page loads each per round, paced ({args.page_rate:g}/s in all) and "
        f"closed loop; rate limits in {storage}; CPUs: {os.cpu_count()}"
    )
    started = time.monotonic()
    missed: list[str] = []
    try:
        if args.queue_run:
            missed += queue_run(args, work, prefix)
        else:
            for name in args.databases.split(","):
                missed += bench_database(name.strip(), args, work, prefix)
    finally:
        signal.alarm(0)
        cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print("targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
