"""HTML from the report context (Jinja), PDF from the HTML (WeasyPrint).

WeasyPrint keeps some native memory for good after every render, and a hostile document
can take any time and memory, so a long-running process never calls :func:`render_pdf`
itself: :mod:`assessor.reports.sandbox` runs it in a child process within limits.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from assessor.reports.report_urls import STATIC_DIR

if TYPE_CHECKING:
    from assessor.reports.fetcher import ReportFetcher

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
#: Bumped by hand when the report's meaning changes; file contents are hashed in as well.
TEMPLATE_VERSION = "1"

Assets = Mapping[str, tuple[bytes, str]]
#: Tagged PDF (a structure tree: headings, tables with header cells, figures with their
#: alternative text) with PDF/UA-1's metadata: the title a viewer shows, the language.
PDF_VARIANT = "pdf/ua-1"


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
    html: str,
    assets: Assets | None = None,
    fetcher: ReportFetcher | None = None,
    *,
    exiting: bool = False,
) -> bytes:
    """Print ``html`` with WeasyPrint in this process, loading only what ``fetcher`` allows.

    In a long-running process use :func:`assessor.reports.sandbox.render_bounded`.
    ``exiting``: this process ends soon after (a render's child, an RQ work horse), so the
    cyclic collector stays off: the render leaves some 100,000 objects in reference cycles,
    and collecting them costs 35-170 ms that the end of the process frees for nothing.
    """
    from weasyprint import HTML

    from assessor.reports.fetcher import ReportFetcher

    fetcher = fetcher if fetcher is not None else ReportFetcher(assets)
    # WeasyPrint allocates millions of small objects; the cyclic collector running through
    # them mid-render costs 10-20% and frees little.  Collect once, after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = HTML(string=html, url_fetcher=fetcher, base_url=None)
        return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
    finally:
        if collecting and not exiting:
            gc.enable()
