"""What a person reads, in every form the service hands out, as plain text: an HTML page's
visible text with the attributes shown or read aloud (``aria-label``, ``title``,
``placeholder``, ``alt``, a button's ``value``), a PDF's text (pypdf), a CSV, the values of
a JSON document, an XLSX workbook's sheet names and cells, an e-mail's subject and body;
and where given words occur in it."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

import tinyhtml5
from pypdf import PdfReader
from werkzeug.test import TestResponse

#: Attributes a person sees or a screen reader reads.
READ_ATTRIBUTES = ("aria-label", "aria-description", "title", "placeholder", "alt")
#: Elements whose content nobody reads.
UNREAD = ("script", "style", "template")


def _tag(element: Any) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def html_text(html: str, skip: Callable[[Any], bool] = lambda element: False) -> str:
    """The text of every element but scripts and styles, and the attributes read; an
    element for which ``skip`` is true is left out with everything inside it."""
    parts: list[str] = []

    def walk(element: Any) -> None:
        tag = _tag(element)
        if tag and not skip(element) and tag not in UNREAD:
            parts.extend(element.attrib.get(a, "") for a in READ_ATTRIBUTES)
            kind = element.attrib.get("type", "")
            if tag == "input" and kind in ("submit", "button", "reset"):
                parts.append(element.attrib.get("value", ""))
            parts.append(element.text or "")
            for child in element:
                walk(child)
        parts.append(element.tail or "")

    walk(tinyhtml5.parse(html))
    return " ".join(" ".join(parts).split())


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def xlsx_text(data: bytes) -> str:
    """Every sheet's name and every cell's value."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    parts = list(workbook.sheetnames)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(cell) for cell in row if cell is not None)
    return "\n".join(parts)


def json_text(document: Any, keys_kept: Iterable[str] = ()) -> str:
    """Every string value and every key of a JSON document, less the keys in
    ``keys_kept`` (a program's names, kept stable; their values are still read)."""
    kept = set(keys_kept)
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in kept:
                    parts.append(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            parts.append(value)

    walk(document)
    return "\n".join(parts)


def response_text(
    response: TestResponse,
    *,
    skip: Callable[[Any], bool] = lambda element: False,
    keys_kept: Iterable[str] = (),
) -> str:
    """What a person reads of a response, by its type (a redirect: nothing)."""
    mimetype = response.mimetype or ""
    data = response.get_data()
    if 300 <= response.status_code < 400 or not data:
        return ""
    if mimetype == "application/pdf":
        return pdf_text(data)
    if mimetype.endswith("spreadsheetml.sheet"):
        assert zipfile.is_zipfile(io.BytesIO(data))
        return xlsx_text(data)
    if mimetype.endswith("json"):
        return json_text(json.loads(data), keys_kept)
    if mimetype == "text/html":
        return html_text(data.decode("utf-8"), skip)
    return data.decode("utf-8")


def occurrences(pattern: re.Pattern[str], where: str, text: str) -> list[str]:
    """Each place ``pattern`` occurs in ``text``, with a little context, named by ``where``."""
    return [
        f"{where}: …{' '.join(text[max(0, m.start() - 60) : m.end() + 40].split())}…"
        for m in pattern.finditer(text)
    ]
