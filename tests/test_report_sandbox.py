"""Bounded renders: each PDF in a child process of its own, stopped at its time or memory
limit (or when the child dies), never retried; the CLI's signal handlers end them."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from assessor.reports import sandbox
from assessor.reports.context import build_context
from assessor.reports.fetcher import asset_url
from assessor.reports.render import render_html
from assessor.reports.sandbox import Limits, RenderFailed, RenderLimitHit, render_bounded
from tests.test_report_branding import HOSTILE_SVG
from tests.test_report_data import mini

LOGO_PAGE = f'<html><body><img src="{asset_url("logo")}" style="width:50mm"></body></html>'
HOSTILE_ASSETS = {"logo": (HOSTILE_SVG, "image/svg+xml")}


def _html() -> tuple[str, dict[str, tuple[bytes, str]]]:
    result, inputs = mini()
    return render_html(build_context(result, inputs)), dict(inputs.assets())


def test_a_render_runs_in_a_child_process_and_returns_the_pdf() -> None:
    html, assets = _html()
    started: list[int] = []
    rendered = render_bounded(html, assets, Limits(120, 2000), started.append)
    assert rendered.data.startswith(b"%PDF")
    assert started == [rendered.pid] and rendered.pid != os.getpid()
    assert 0 < rendered.peak_mb < 2000
    assert not sandbox._children  # reaped


def test_a_hostile_logo_ends_at_the_time_limit() -> None:
    with pytest.raises(RenderLimitHit) as caught:
        render_bounded(LOGO_PAGE, HOSTILE_ASSETS, Limits(1.5, 2000))
    assert caught.value.what == "time limit"
    assert caught.value.pid is not None
    assert not sandbox.running(caught.value.pid)


def test_a_render_past_the_memory_limit_is_a_limit_hit() -> None:
    html, assets = _html()
    # Less address space than WeasyPrint needs for any document.
    with pytest.raises(RenderLimitHit) as caught:
        render_bounded(html, assets, Limits(120, 120))
    assert caught.value.what in ("out of memory", "process died")


def test_a_child_that_dies_is_a_limit_hit_not_retried() -> None:
    pids: list[int] = []

    def kill_it(pid: int) -> None:
        pids.append(pid)
        threading.Timer(0.5, os.kill, (pid, signal.SIGKILL)).start()

    with pytest.raises(RenderLimitHit) as caught:
        render_bounded(LOGO_PAGE, HOSTILE_ASSETS, Limits(60, 2000), kill_it)
    assert caught.value.what == "process died"
    assert len(pids) == 1  # started once, not again
    assert caught.value.seconds < 30


def test_a_render_error_is_reported_as_such() -> None:
    with pytest.raises(RenderFailed, match="UnicodeEncodeError"):
        render_bounded("<p>\udcff</p>", None, Limits(60, 2000))  # a lone surrogate


def test_stop_all_kills_the_render_in_flight_and_the_forkserver() -> None:
    pids: list[int] = []
    outcome: list[BaseException] = []

    def render() -> None:
        try:
            render_bounded(LOGO_PAGE, HOSTILE_ASSETS, Limits(60, 2000), pids.append)
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    thread = threading.Thread(target=render)
    thread.start()
    deadline = time.monotonic() + 60
    while not pids and time.monotonic() < deadline:
        time.sleep(0.05)
    from multiprocessing import forkserver

    server = forkserver._forkserver._forkserver_pid
    assert pids and server
    sandbox.stop_all()
    thread.join(30)
    assert isinstance(outcome[0], RenderLimitHit)
    assert not sandbox.running(pids[0])
    assert not sandbox.running(server)
    assert forkserver._forkserver._forkserver_pid is None
