"""User text in a report is text: never markup, never a template, never a URL to fetch."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from assessor.engine import Respondent
from assessor.reports.branding import validate_logo
from assessor.reports.context import build_context
from assessor.reports.fetcher import STATIC_SCHEME, RefusedURL, ReportFetcher
from assessor.reports.render import render_html, render_pdf
from tests.test_report_data import MINI_CIO, MINI_CISO, mini

HOSTILE = (
    '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
    "<style>body{background:url(http://127.0.0.1:9/x.png)}</style>"
    '<div style="background: url(file:///etc/hostname)">{{ 7*7 }}</div>'
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def hostile_report() -> tuple[str, bytes, ReportFetcher]:
    """A report with HOSTILE in every field a user controls."""
    cio_answers = {**MINI_CIO, "notes": "notes " + HOSTILE}
    people = (
        Respondent("cio " + HOSTILE, "CIO", cio_answers, {"sec_program": "comment " + HOSTILE}),
        Respondent("ciso " + HOSTILE, "CISO", MINI_CISO, {"dat_breach": HOSTILE}),
    )
    result, inputs = mini(respondents=people, organization="org " + HOSTILE)
    inputs = replace(
        inputs,
        sector="sector " + HOSTILE,
        size="size " + HOSTILE,
        assessment_title="title " + HOSTILE,
        firm_name="firm " + HOSTILE,
    )
    html = render_html(build_context(result, inputs))
    fetcher = ReportFetcher(inputs.assets())
    return html, render_pdf(html, fetcher=fetcher), fetcher


@pytest.fixture(scope="module")
def hostile() -> tuple[str, bytes, ReportFetcher]:
    return hostile_report()


def test_nothing_outside_the_package_is_fetched(hostile: tuple[str, bytes, ReportFetcher]) -> None:
    _, _, fetcher = hostile
    assert fetcher.requested, "the fetcher was not used at all"
    outside = [url for url in fetcher.requested if not url.startswith(STATIC_SCHEME)]
    assert outside == []
    assert all(url.startswith(f"{STATIC_SCHEME}fonts/") for url in fetcher.requested)


def test_user_text_is_escaped_in_the_html(hostile: tuple[str, bytes, ReportFetcher]) -> None:
    html, _, _ = hostile
    assert '<img src="file:' not in html
    assert "<link rel=" not in html
    assert "<style>body{background" not in html and "&lt;style&gt;body{background" in html
    assert "<div style=" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html


def test_user_text_shows_literally_in_the_pdf(hostile: tuple[str, bytes, ReportFetcher]) -> None:
    _, pdf, _ = hostile
    reader = PdfReader(io.BytesIO(pdf))
    text = squash("".join(page.extract_text() or "" for page in reader.pages))
    for prefix in ("org ", "title ", "firm ", "cio ", "ciso ", "comment ", "notes ", "sector "):
        assert squash(prefix + HOSTILE) in text, prefix
    assert not reader.attachments
    assert "root:x:0:0" not in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.com/x",
        "report-static:../../../etc/passwd",
        "report-static:%2e%2e/%2e%2e/config.py",
        "report-static:/etc/passwd",
        "report-asset:secret",
    ],
)
def test_fetcher_refuses(url: str) -> None:
    fetcher = ReportFetcher({"logo": (b"\x89PNG", "image/png")})
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.requested == [url]


def test_fetcher_serves_static_files_and_assets() -> None:
    fetcher = ReportFetcher({"logo": (b"png-bytes", "image/png")})
    font = fetcher.fetch(f"{STATIC_SCHEME}fonts/DejaVuSans.ttf")
    assert font.read()[:4] == b"\x00\x01\x00\x00"
    logo = fetcher.fetch("report-asset:logo")
    assert logo.read() == b"png-bytes" and logo.content_type == "image/png"


def test_logo_is_the_only_asset_and_svg_logo_cannot_fetch() -> None:
    hostile_svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'viewBox="0 0 40 10"><image href="file:///etc/passwd" width="5" height="5"/>'
        b'<use xlink:href="http://127.0.0.1:9/a.svg#x"/>'
        b'<rect width="40" height="10" fill="#1f5fbf" style="fill:url(http://127.0.0.1:9/p)"/>'
        b"</svg>"
    )
    logo, mimetype = validate_logo(hostile_svg, "logo.svg")
    result, inputs = mini(logo=logo, logo_mimetype=mimetype)
    fetcher = ReportFetcher(inputs.assets())
    render_pdf(render_html(build_context(result, inputs)), fetcher=fetcher)
    assert "report-asset:logo" in fetcher.requested
    assert {u for u in fetcher.requested if not u.startswith(STATIC_SCHEME)} == {
        "report-asset:logo"
    }
