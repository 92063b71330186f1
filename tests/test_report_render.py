"""The render pool: PDFs printed in worker processes that are replaced after N renders."""

from __future__ import annotations

import os

from assessor.reports.context import build_context
from assessor.reports.render import RenderPool, render_html
from tests.test_report_data import mini


def test_workers_are_recycled_and_render_pdfs() -> None:
    result, inputs = mini()
    html = render_html(build_context(result, inputs))
    pool = RenderPool(workers=1, renders=1)
    try:
        first = pool._pool().submit(os.getpid).result()
        pdf = pool.render(html, inputs.assets())
        third = pool._pool().submit(os.getpid).result()
    finally:
        pool.shutdown()
    assert pdf.startswith(b"%PDF")
    assert len({first, third, os.getpid()}) == 3  # a new process after each task


def test_a_dead_worker_is_replaced() -> None:
    result, inputs = mini()
    html = render_html(build_context(result, inputs))
    pool = RenderPool(workers=1, renders=5)
    try:
        pid = pool._pool().submit(os.getpid).result()
        os.kill(pid, 9)
        assert pool.render(html).startswith(b"%PDF")
    finally:
        pool.shutdown()
