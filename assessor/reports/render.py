"""HTML from the report context (Jinja), PDF from the HTML (WeasyPrint, in a worker process).

WeasyPrint keeps some native memory for good after every render, so a long-running
web process never renders PDFs itself: :func:`render_pdf_in_worker` sends the HTML to a
small process pool whose workers are replaced after ``max_tasks_per_child`` renders.
The pool starts its workers with ``forkserver`` (never ``fork`` from a threaded server).
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import logging
import multiprocessing
import re
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from assessor.reports.fetcher import STATIC_DIR, ReportFetcher

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
#: Bumped by hand when the report's meaning changes; file contents are hashed in as well.
TEMPLATE_VERSION = "1"
DEFAULT_WORKER_RENDERS = 25

Assets = Mapping[str, tuple[bytes, str]]


#: Control characters (other than tab and newline): invisible, and they break PDF text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value: Any) -> Any:
    """Every value a template prints, without control characters (our own markup kept)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _CONTROLS.sub("", value)
    return value


@cache
def environment() -> Environment:
    """The report's Jinja environment: autoescaping everything, strict about names."""
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=printable,
    )


@cache
def stylesheet() -> Markup:
    """The report's CSS (our own file, inlined so the HTML stands alone)."""
    return Markup((STATIC_DIR / "report.css").read_text(encoding="utf-8"))  # noqa: S704


@cache
def template_version() -> str:
    """TEMPLATE_VERSION plus a digest of every template and static file (for cache keys)."""
    digest = hashlib.sha256(TEMPLATE_VERSION.encode())
    for folder in (TEMPLATE_DIR, STATIC_DIR):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return f"{TEMPLATE_VERSION}-{digest.hexdigest()[:16]}"


def render_html(context: Mapping[str, Any]) -> str:
    """The whole report as one HTML document (CSS inlined; the logo by a private URL)."""
    return environment().get_template("report.html").render(**context, css=stylesheet())


def render_pdf(
    html: str, assets: Assets | None = None, fetcher: ReportFetcher | None = None
) -> bytes:
    """Print ``html`` with WeasyPrint in this process, loading only what ``fetcher`` allows.

    Prefer :func:`render_pdf_in_worker` in a long-running process.
    """
    from weasyprint import HTML

    fetcher = fetcher if fetcher is not None else ReportFetcher(assets)
    # WeasyPrint allocates millions of small objects; the cyclic collector running through
    # them mid-render costs 10-20% and frees little.  Collect once, after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = HTML(string=html, url_fetcher=fetcher, base_url=None)
        return bytes(document.write_pdf())
    finally:
        if collecting:
            gc.enable()


# --- the worker pool ---------------------------------------------------------------------


class RenderPool:
    """A process pool that renders PDFs and replaces each worker after ``renders`` tasks."""

    def __init__(self, workers: int = 1, renders: int = DEFAULT_WORKER_RENDERS) -> None:
        self.workers = max(1, workers)
        self.renders = max(1, renders)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                # Workers fork from a server that has WeasyPrint imported already.
                context.set_forkserver_preload(["weasyprint", "assessor.reports.render"])
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=context,
                    max_tasks_per_child=self.renders,
                )
            return self._executor

    def submit(self, html: str, assets: Assets | None = None) -> Future[bytes]:
        return self._pool().submit(render_pdf, html, dict(assets or {}))

    def render(self, html: str, assets: Assets | None = None) -> bytes:
        """Render in a worker; a worker that died is replaced and the render tried once more."""
        try:
            return self.submit(html, assets).result()
        except BrokenProcessPool:
            log.warning("report worker died; starting a new pool")
            self._discard()
            return self.submit(html, assets).result()

    def _discard(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


_pools: dict[tuple[int, int], RenderPool] = {}
_pools_lock = threading.Lock()


def render_pool(workers: int = 1, renders: int = DEFAULT_WORKER_RENDERS) -> RenderPool:
    """The process-wide pool for these settings (created on first use)."""
    with _pools_lock:
        pool = _pools.get((workers, renders))
        if pool is None:
            pool = _pools[(workers, renders)] = RenderPool(workers, renders)
        return pool


def render_pdf_in_worker(
    html: str,
    assets: Assets | None = None,
    *,
    renders: int = DEFAULT_WORKER_RENDERS,
    workers: int = 1,
) -> bytes:
    """Render ``html`` in a recycled worker process (the web process's way to print)."""
    return render_pool(workers, renders).render(html, assets)


@atexit.register
def _shutdown_pools() -> None:
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown()
