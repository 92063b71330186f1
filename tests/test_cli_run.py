"""``assessor run`` ends its render processes with it: SIGTERM while a render runs leaves
no child process behind (the forkserver and the render included)."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import select

from assessor import create_app
from assessor.extensions import db
from assessor.models import Assessment, RenderJob, Workspace
from assessor.reports.sandbox import running
from tests.test_report_branding import HOSTILE_SVG

ASSESSOR = str(Path(sys.executable).with_name("assessor"))


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if fields[0] not in ("Z", "X"):
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """Cookies and CSRF tokens over real HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, email: str, password: str) -> None:
        _, page = self.get("/signin")
        token = re.search(rb'name="csrf-token" content="([^"]+)"', page)
        assert token is not None
        form = {"email": email, "password": password, "csrf_token": token.group(1).decode()}
        body = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + "/signin", body, timeout=30) as response:
            assert response.status == 200 and b"Sign out" in response.read()


def test_sigterm_ends_the_render_processes_with_the_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    env = {
        **os.environ,
        "ASSESSOR_DATABASE_URL": url,
        "ASSESSOR_SECRET_KEY": "run-test",
        "ASSESSOR_RENDER_TIMEOUT": "120",
    }
    run = {"env": env, "cwd": tmp_path, "capture_output": True, "text": True, "timeout": 120}
    assert subprocess.run([ASSESSOR, "db", "upgrade"], **run).returncode == 0  # type: ignore[call-overload]
    seeded = subprocess.run([ASSESSOR, "demo", "seed"], **run)  # type: ignore[call-overload]
    email, password = re.search(r"email\s+(\S+)\s+password\s+(\S+)", seeded.stdout).groups()  # type: ignore[union-attr]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "run-test"})
    with app.app_context():
        assessment_id = db.session.scalars(select(Assessment.id)).first()
        workspace = db.session.scalars(select(Workspace)).one()
        db.session.remove()

    port = _free_port()
    server = subprocess.Popen(
        [ASSESSOR, "run", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while _quietly(browser.get, "/healthz")[0] != 200:
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.2)
        browser.sign_in(email, password)
        status, pdf = browser.get(f"/assessments/{assessment_id}/report.pdf")
        assert status == 200 and pdf.startswith(b"%PDF")  # rendered once

        # A render that would run for two minutes (a logo stored before today's checks).
        with app.app_context():
            stored = db.session.get(Workspace, workspace.id)
            assert stored is not None
            stored.logo, stored.logo_mimetype = HOSTILE_SVG, "image/svg+xml"
            db.session.commit()
            db.session.remove()
        outcome: list[Any] = []
        download = threading.Thread(
            target=lambda: outcome.append(
                _quietly(browser.get, f"/assessments/{assessment_id}/report.pdf")
            ),
            daemon=True,
        )
        download.start()
        deadline = time.monotonic() + 60
        while (render := _render_pid(app)) is None:
            assert time.monotonic() < deadline, "no render process started"
            time.sleep(0.1)
        children = _descendants(server.pid)  # the forkserver, its resource tracker
        assert render in children and running(render)

        server.send_signal(signal.SIGTERM)
        server.wait(30)
        deadline = time.monotonic() + 10
        while any(running(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in children if running(pid)] == []
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever is left of its group
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(30)


def _render_pid(app: Any) -> int | None:
    """The pid of the render running now, from its job's row."""
    with app.app_context():
        worker = db.session.scalar(select(RenderJob.worker).where(RenderJob.state == "running"))
        db.session.remove()
    return int(worker.rpartition(":")[2]) if worker else None


def _quietly(get: Any, path: str) -> Any:
    try:
        return get(path)
    except OSError as exc:  # the server is not up yet, or went away mid-request
        return (0, str(exc).encode())
