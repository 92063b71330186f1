"""Validation of a workspace's branding: the logo (PNG or SVG) and the accent colour.

A logo is untrusted input that ends up inside every report, so it is checked
strictly and returned cleaned: a PNG by its signature, chunk structure and header
dimensions (metadata chunks dropped); an SVG parsed without a DOCTYPE or entities
and rebuilt from an allowlist of elements and attributes, refused when it nests too deep
or draws too many elements once its references are followed (``svg_bounds``).
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from html import escape
from typing import NoReturn
from xml.etree import ElementTree as ET  # noqa: S405  (only builds trees; parsing is below)
from xml.parsers import expat  # noqa: S410  (DOCTYPE and entity declarations are refused)

from assessor.reports.svg_bounds import MAX_DEPTH, SvgBoundsError, check_bounds, depth_message

MAX_LOGO_BYTES = 256 * 1024
MAX_LOGO_PIXELS = 2048
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_MIMETYPE = "image/png"
SVG_MIMETYPE = "image/svg+xml"
DEFAULT_ACCENT = "#1f4e79"

_ACCENT = re.compile(r"#[0-9a-fA-F]{6}")
#: The chunks a logo needs to be drawn; text, EXIF and private chunks are dropped.
_PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"pHYs"}
#: Valid (colour type -> bit depths) pairs from the PNG specification.
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop",
    "clipPath", "symbol", "use",
}  # fmt: skip
_SVG_ATTRIBUTES = {
    "id", "class", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r",
    "rx", "ry", "d", "points", "viewBox", "preserveAspectRatio", "transform", "fill",
    "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "opacity", "clip-path", "clip-rule", "font-family", "font-size",
    "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing",
    "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "fx",
    "fy", "spreadMethod", "clipPathUnits", "style", "href", "version", "display",
    "visibility", "color",
}  # fmt: skip
#: Presentation properties allowed inside a ``style`` attribute.
_STYLE_PROPERTIES = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "opacity", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "stop-color", "stop-opacity", "display", "visibility", "color", "letter-spacing",
}  # fmt: skip
_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"""url\(\s*['"]?#[A-Za-z_][\w.-]*['"]?\s*\)""")
_STYLE_VALUE = re.compile(r"[#\w\s.,%()'\"-]*")


class BrandingError(ValueError):
    """A logo or colour that cannot be used; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The form field at fault, when the caller knows it.
        self.field = field


def validate_accent(value: str) -> str:
    """The accent colour as lower-case ``#rrggbb``.

    :raise BrandingError: for anything else.
    """
    cleaned = (value or "").strip()
    if not _ACCENT.fullmatch(cleaned):
        raise BrandingError("The accent colour must look like #1f4e79 (# and six hex digits).")
    return cleaned.lower()


def validate_logo(data: bytes, filename: str) -> tuple[bytes, str]:
    """Check an uploaded logo and return ``(clean bytes, mimetype)``.

    :raise BrandingError: when the file is too large, not a PNG or SVG, or unsafe.
    """
    if not data:
        raise BrandingError("The logo file is empty.")
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingError(f"The logo is larger than {MAX_LOGO_BYTES // 1024} KB.")
    if data.startswith(PNG_SIGNATURE):
        return clean_png(data), PNG_MIMETYPE
    if filename.lower().endswith(".png"):
        raise BrandingError("This file is named .png but is not a PNG image.")
    if filename.lower().endswith(".svg") or data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>"):
        return clean_svg(data), SVG_MIMETYPE
    raise BrandingError("The logo must be a PNG or an SVG image.")


# --- PNG ---------------------------------------------------------------------------


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each (type, body) of a PNG, checking lengths and CRCs; stops after IEND."""
    position = len(PNG_SIGNATURE)
    while True:
        if position + 12 > len(data):
            raise BrandingError("The PNG file is truncated.")
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if len(body) != length or position + 12 + length > len(data):
            raise BrandingError("The PNG file is truncated.")
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise BrandingError("The PNG file is damaged (bad checksum).")
        if not kind.isalpha():
            raise BrandingError("The PNG file is damaged (bad chunk).")
        yield kind, body
        position += 12 + length
        if kind == b"IEND":
            return


def clean_png(data: bytes) -> bytes:
    """The PNG rebuilt from its image chunks only, after checking its header."""
    chunks = list(_png_chunks(data))
    if chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise BrandingError("The PNG file has no valid header.")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    if not (0 < width <= MAX_LOGO_PIXELS and 0 < height <= MAX_LOGO_PIXELS):
        raise BrandingError(
            f"The logo must be between 1 and {MAX_LOGO_PIXELS} pixels wide and high "
            f"(this one is {width}x{height})."
        )
    if depth not in _PNG_DEPTHS.get(colour, set()) or compression or filtering or interlace > 1:
        raise BrandingError("The PNG header is not valid.")
    if not any(kind == b"IDAT" for kind, _ in chunks):
        raise BrandingError("The PNG file has no image data.")
    _check_png_decodes(chunks, _png_raw_size(width, height, depth, colour, interlace))
    out = bytearray(PNG_SIGNATURE)
    for kind, body in chunks:
        if kind in _PNG_KEEP:
            out += struct.pack(">I", len(body)) + kind + body
            out += struct.pack(">I", zlib.crc32(kind + body))
    return bytes(out)


def _png_raw_size(width: int, height: int, depth: int, colour: int, interlace: int) -> int:
    """Bytes of filtered scanlines the image data must inflate to (PNG spec, section 8)."""
    bits = depth * _PNG_CHANNELS[colour]
    passes = (
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]
        if interlace
        else [(0, 0, 1, 1)]
    )  # fmt: skip
    total = 0
    for x0, y0, dx, dy in passes:
        columns = (width - x0 + dx - 1) // dx if width > x0 else 0
        rows = (height - y0 + dy - 1) // dy if height > y0 else 0
        if columns and rows:
            total += rows * (1 + (columns * bits + 7) // 8)
    return total


def _check_png_decodes(chunks: list[tuple[bytes, bytes]], expected: int) -> None:
    """The image data must inflate to exactly the size the header promises (and no more)."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(
            b"".join(body for kind, body in chunks if kind == b"IDAT"), expected + 1
        )
    except zlib.error as exc:
        raise BrandingError("The PNG image data cannot be decoded.") from exc
    if len(raw) != expected or not inflater.eof:
        raise BrandingError("The PNG image data cannot be decoded (wrong size).")


# --- SVG ---------------------------------------------------------------------------


def _refuse_dtd(*_args: object) -> NoReturn:
    raise BrandingError("SVG files with a DOCTYPE or entities are not accepted.")


def _clark(name: str) -> str:
    """expat's ``uri local`` as ElementTree's ``{uri}local``."""
    uri, _, local = name.rpartition(" ")
    return f"{{{uri}}}{local}" if uri else local


def _parse_svg(data: bytes) -> ET.Element:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BrandingError("The SVG file must be UTF-8 text.") from exc
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        _refuse_dtd()
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    depth = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:  # before anything walks the tree recursively
            raise BrandingError(
                depth_message(
                    f"at line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber + 1}"
                )
            )
        builder.start(_clark(name), {_clark(key): value for key, value in attrs.items()})

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(_clark(name))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text.encode("utf-8"), True)
        root = builder.close()
    except (expat.ExpatError, AssertionError) as exc:
        raise BrandingError(f"The SVG file is not well-formed XML ({exc}).") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BrandingError("The file is not an SVG image (no <svg> root in the SVG namespace).")
    return root


def _local_name(qualified: str, namespace: str) -> str | None:
    """The local name of ``{namespace}name``, or None for another namespace."""
    prefix = f"{{{namespace}}}"
    if qualified.startswith(prefix):
        return qualified[len(prefix) :]
    return None


def _clean_style(value: str) -> str | None:
    kept = []
    for declaration in value.split(";"):
        name, _, prop_value = declaration.partition(":")
        name, prop_value = name.strip().lower(), prop_value.strip()
        if not name or name not in _STYLE_PROPERTIES:
            continue
        if not _safe_value(prop_value) or not _STYLE_VALUE.fullmatch(prop_value):
            continue
        kept.append(f"{name}:{prop_value}")
    return ";".join(kept) or None


def _safe_value(value: str) -> bool:
    """No ``url()`` except a reference to an element of the same file."""
    return len(_URL.findall(value)) == len(_LOCAL_URL.findall(value))


def _clean_element(source: ET.Element) -> ET.Element | None:
    name = _local_name(source.tag, SVG_NS) if isinstance(source.tag, str) else None
    if name is None or name not in _SVG_ELEMENTS:
        return None
    clean = ET.Element(f"{{{SVG_NS}}}{name}")
    for attribute, value in source.attrib.items():
        local = attribute if "{" not in attribute else _local_name(attribute, XLINK_NS)
        if local is None or local not in _SVG_ATTRIBUTES:
            continue
        if local == "href":
            if not re.fullmatch(r"#[A-Za-z_][\w.-]*", value.strip()):
                continue
            clean.set("href", value.strip())
            continue
        if local == "style":
            style = _clean_style(value)
            if style:
                clean.set("style", style)
            continue
        if not _safe_value(value):
            continue
        clean.set(local, value)
    clean.text = source.text if name in ("text", "tspan", "title", "desc") else None
    for child in source:
        cleaned = _clean_element(child)
        if cleaned is not None:
            cleaned.tail = child.tail if name in ("text", "tspan") else None
            clean.append(cleaned)
    return clean


def clean_svg(data: bytes) -> bytes:
    """The SVG rebuilt from allowed elements and attributes only."""
    root = _clean_element(_parse_svg(data))
    if root is None:  # pragma: no cover - _parse_svg guarantees an <svg> root
        raise BrandingError("The file is not an SVG image.")
    if not (root.get("viewBox") or (root.get("width") and root.get("height"))):
        raise BrandingError("The SVG logo needs a viewBox (or a width and a height).")
    try:
        check_bounds(root)
    except SvgBoundsError as exc:
        raise BrandingError(str(exc)) from None
    root.set("xmlns", SVG_NS)
    return _serialise(root).encode("utf-8")


def _serialise(element: ET.Element) -> str:
    """XML text of a cleaned tree (every name plain, every value escaped)."""
    name = element.tag.rpartition("}")[2]
    attributes = "".join(f' {key}="{escape(value, quote=True)}"' for key, value in element.items())
    inner = escape(element.text or "", quote=False) + "".join(
        _serialise(child) + escape(child.tail or "", quote=False) for child in element
    )
    return f"<{name}{attributes}>{inner}</{name}>" if inner else f"<{name}{attributes}/>"
