"""The PDF report is tagged (PDF/UA-1's variant): a structure tree a screen reader follows,
figures with their alternative text, tables with header cells, the title a viewer shows
and the language.  Read back with pypdf and poppler's ``pdfinfo``; no PDF/UA validator
runs here, so this proves these properties, not conformance."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from assessor.reports.context import build_context
from assessor.reports.render import render_html
from assessor.reports.sandbox import Limits, render_bounded
from tests.test_report import demo_report
from tests.test_report_data import mini


def elements(node: Any) -> Iterator[DictionaryObject]:
    """Every structure element under ``node`` (depth first, in reading order)."""
    node = node.get_object()
    if isinstance(node, ArrayObject):
        for child in node:
            yield from elements(child)
    elif isinstance(node, DictionaryObject) and "/MCID" not in node and "/Obj" not in node:
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from elements(node["/K"])


def structure(pdf: bytes) -> tuple[PdfReader, list[DictionaryObject]]:
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "no structure tree: the PDF is untagged"
    return reader, list(elements(root["/StructTreeRoot"]))


def test_pdfinfo_says_tagged_with_the_title() -> None:
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils' pdfinfo is not installed")
    report = demo_report()
    info = subprocess.run(
        ["pdfinfo", "-"], input=report.pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Tagged:          yes" in info
    assert f"Title:           Governance gap report: {report.inputs.organization}" in info


def test_the_title_a_viewer_shows_and_the_language() -> None:
    report = demo_report()
    reader, _ = structure(report.pdf)
    root = reader.trailer["/Root"]
    title = f"Governance gap report: {report.inputs.organization}"
    assert reader.metadata is not None and reader.metadata.title == title
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a pypdf boolean)
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert title in xmp[xmp.index("<dc:title>") : xmp.index("</dc:title>")]


def test_every_figure_has_its_figures_as_alternative_text() -> None:
    report = demo_report()
    _, tree = structure(report.pdf)
    figures = [e for e in tree if e["/S"] == "/Figure"]
    assert len(figures) == 3  # the radar, the severity by domain grid and the heatmap
    assert all(str(f.get("/Alt", "")).strip() for f in figures)
    radar, severity, heatmap = (str(f["/Alt"]) for f in figures)
    for domain in report.result["domains"]:
        assert f"{domain['title']}: maturity {float(domain['maturity']):.1f} of 4" in radar
    for respondent in report.result["respondents"]:
        assert f"{respondent['name']} ({respondent['role']})'s own answers" in radar
    assert severity.startswith("Findings by severity and domain: ")
    for domain in report.result["domains"]:
        assert f"{domain['title']}: " in severity
    for domain in report.result["perception"]["domains"]:
        assert f"{domain['title']}: {round(float(domain['disagreement']) * 100)}%" in heatmap


def test_tables_have_header_cells_and_chapters_headings() -> None:
    _, tree = structure(demo_report().pdf)
    tables = [e for e in tree if e["/S"] == "/Table"]
    assert tables
    for table in tables:
        assert any(e["/S"] == "/TH" for e in elements(table)), "a table without header cells"
    kinds = {str(e["/S"]) for e in tree}
    assert {"/H1", "/H2", "/P", "/L", "/LI"} <= kinds


def test_the_render_in_its_own_process_is_tagged_too() -> None:
    result, inputs = mini()
    html = render_html(build_context(result, inputs))
    rendered = render_bounded(html, inputs.assets(), Limits(120, 2000))
    _, tree = structure(rendered.data)
    assert [e for e in tree if e["/S"] == "/Figure"] and all(
        "/Alt" in e for e in tree if e["/S"] == "/Figure"
    )
