"""The report's private URL schemes and its static folder, without importing WeasyPrint
(the app and the CLI name them; only a render needs :mod:`assessor.reports.fetcher`)."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: ``report-static:fonts/DejaVuSans.ttf``: a file under ``assessor/reports/static``.
STATIC_SCHEME = "report-static:"
#: ``report-asset:logo``: bytes handed to the renderer (the workspace logo).
ASSET_SCHEME = "report-asset:"


def static_url(name: str) -> str:
    return STATIC_SCHEME + name


def asset_url(name: str) -> str:
    return ASSET_SCHEME + name
