"""The only way a report may load anything: the package's static files and in-memory assets.

WeasyPrint asks its URL fetcher for every stylesheet, image, font, SVG reference and
attachment a document names.  :class:`ReportFetcher` answers two private schemes and
refuses everything else (http, https, ftp, file, data, ...), so no text a user typed
can make the renderer read a file or reach the network.  Every URL asked for is kept
in :attr:`ReportFetcher.requested`, so tests can prove what was (not) fetched.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessor.reports.report_urls import (  # noqa: F401  (named here as before)
    ASSET_SCHEME,
    STATIC_DIR,
    STATIC_SCHEME,
    asset_url,
    static_url,
)


class RefusedURL(ValueError):
    """A URL the report may not load (WeasyPrint logs it and leaves the resource out)."""


class ReportFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``report-static:`` files and ``report-asset:`` bytes; refuses all else.

    :param assets: name -> (bytes, mimetype), e.g. ``{"logo": (png, "image/png")}``.
    """

    def __init__(self, assets: Mapping[str, tuple[bytes, str]] | None = None) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self._assets = dict(assets or {})
        self.requested: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        if url.startswith(ASSET_SCHEME):
            name = url[len(ASSET_SCHEME) :]
            if name not in self._assets:
                raise RefusedURL(f"unknown report asset: {name!r}")
            data, mimetype = self._assets[name]
            return URLFetcherResponse(url, data, {"Content-Type": mimetype})
        if url.startswith(STATIC_SCHEME):
            path = self._static_path(url[len(STATIC_SCHEME) :])
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mimetype})
        raise RefusedURL(f"the report may not load {url[:80]!r}")

    @staticmethod
    def _static_path(name: str) -> Path:
        """The file under the static folder that ``name`` names, never outside it."""
        relative = unquote(name.split("?", 1)[0].split("#", 1)[0])
        path = (STATIC_DIR / relative).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise RefusedURL(f"no such report file: {relative!r}")
        return path

    # urllib's entry points: make sure nothing reaches the handlers of the base class.
    def open(self, url: object, data: object = None, timeout: object = None) -> URLFetcherResponse:
        full_url = url if isinstance(url, str) else getattr(url, "full_url", "")
        return self.fetch(str(full_url))
