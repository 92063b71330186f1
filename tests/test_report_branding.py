"""Logo and accent colour validation: what a workspace may put on its reports."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image

from assessor.reports.branding import (
    MAX_LOGO_BYTES,
    BrandingError,
    validate_accent,
    validate_logo,
)

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10">%s</svg>'

#: 10 levels of 10 ``<use>`` of the level below: 10^9 rectangles from 1.8 KB (refused at
#: upload today; a logo stored before that, or a bug, must still end at the limit).
HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs>'
    '<rect id="a0" width="1" height="1"/>'
    + "".join(
        f'<g id="a{level}">' + f'<use href="#a{level - 1}"/>' * 10 + "</g>"
        for level in range(1, 10)
    )
    + '</defs><use href="#a9"/></svg>'
).encode()


def png(width: int = 20, height: int = 10, **info: str) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), "#1f5fbf")
    from PIL.PngImagePlugin import PngInfo

    meta = PngInfo()
    for key, value in info.items():
        meta.add_text(key, value)
    image.save(out, "PNG", pnginfo=meta)
    return out.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_png_accepted_and_metadata_dropped() -> None:
    data, mimetype = validate_logo(png(Comment="secret <script>"), "Logo.PNG")
    assert mimetype == "image/png"
    assert b"tEXt" not in data and b"secret" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (20, 10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 20, "not a PNG"),
        (png()[:30], "truncated"),
        (png().replace(b"IDAT", b"IDAx", 1), "checksum"),
        (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 10, 8, 2, 0, 0, 0))
         + chunk(b"IEND", b""), "pixels"),
        (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 99999, 10, 8, 2, 0, 0, 0))
         + chunk(b"IEND", b""), "pixels"),
        (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 10, 3, 2, 0, 0, 0))
         + chunk(b"IEND", b""), "header"),
        (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0))
         + chunk(b"IEND", b""), "no image data"),
        (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0))
         + chunk(b"IDAT", b"not zlib") + chunk(b"IEND", b""), "decoded"),
        (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0))
         + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b""), "wrong size"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_LOGO_BYTES), "larger than"),
    ],
)  # fmt: skip
def test_bad_png_refused(data: bytes, message: str) -> None:
    with pytest.raises(BrandingError, match=message):
        validate_logo(data, "logo.png")


def test_not_a_png_named_png() -> None:
    with pytest.raises(BrandingError, match="not a PNG"):
        validate_logo(SVG % b"", "logo.png")


def test_clean_svg_kept() -> None:
    data, mimetype = validate_logo(
        SVG % b'<g transform="scale(2)"><rect width="10" height="5" fill="#123456"/>'
        b'<text x="1" y="4" font-size="3">Firm &amp; Co</text></g>',
        "logo.svg",
    )
    assert mimetype == "image/svg+xml"
    assert b"<rect" in data and b"Firm &amp; Co" in data and b'fill="#123456"' in data


@pytest.mark.parametrize(
    ("inner", "gone"),
    [
        (b"<script>alert(1)</script>", b"script"),
        (b'<rect width="1" height="1" onload="alert(1)"/>', b"onload"),
        (b'<rect width="1" height="1" onclick="alert(1)"/>', b"onclick"),
        (b'<image href="http://example.com/x.png" width="1" height="1"/>', b"example.com"),
        (b'<use href="http://example.com/s.svg#a"/>', b"example.com"),
        (b'<use xmlns:x="http://www.w3.org/1999/xlink" x:href="file:///etc/passwd"/>', b"passwd"),
        (b'<a href="javascript:alert(1)"><rect width="1" height="1"/></a>', b"javascript"),
        (b'<rect width="1" height="1" style="fill:url(http://example.com/p)"/>', b"example.com"),
        (b'<rect width="1" height="1" fill="url(file:///etc/passwd)"/>', b"passwd"),
        (b"<style>@import url(http://example.com/x.css);</style>", b"import"),
        (b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
         b"foreignObject"),
        (b'<animate attributeName="href" to="javascript:alert(1)"/>', b"animate"),
    ],
)  # fmt: skip
def test_unsafe_svg_parts_removed(inner: bytes, gone: bytes) -> None:
    data, _ = validate_logo(SVG % inner, "logo.svg")
    assert gone not in data
    assert data.startswith(b"<svg")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
         b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&a;</text></svg>',
         "DOCTYPE or entities"),
        (b'<!DOCTYPE svg SYSTEM "http://example.com/evil.dtd">'
         b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>', "DOCTYPE"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><g></svg>', "well-formed"),
        (b"<svg><rect/></svg>", "SVG namespace"),
        (b'<html xmlns="http://www.w3.org/2000/svg"/>', "SVG namespace"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "viewBox"),
        ("<svg xmlns='http://www.w3.org/2000/svg'/>".encode("utf-16"), "UTF-8"),
    ],
)  # fmt: skip
def test_bad_svg_refused(data: bytes, message: str) -> None:
    with pytest.raises(BrandingError, match=message):
        validate_logo(data, "logo.svg")


def test_accent_colour() -> None:
    assert validate_accent(" #1F5FBF ") == "#1f5fbf"
    for bad in ("1f5fbf", "#1f5fb", "#1f5fbfa", "red", "#ggg000", "", "#1f5fbf;}"):
        with pytest.raises(BrandingError):
            validate_accent(bad)


def test_unknown_file_type_refused() -> None:
    with pytest.raises(BrandingError, match="PNG or an SVG"):
        validate_logo(b"GIF89a" + b"\0" * 20, "logo.gif")


def test_interlaced_and_palette_png_accepted() -> None:
    out = io.BytesIO()
    Image.new("P", (33, 17)).save(out, "PNG", interlace=1)
    data, _ = validate_logo(out.getvalue(), "logo.png")
    assert data.startswith(b"\x89PNG")


def _nested(levels: int, fan: int) -> bytes:
    """``levels`` groups, each using the one below ``fan`` times (a reference chain)."""
    body = b'<rect id="a0" width="1" height="1"/>' + b"".join(
        b'<g id="a%d">' % level + b'<use href="#a%d"/>' % (level - 1) * fan + b"</g>"
        for level in range(1, levels)
    )
    return SVG % (b"<defs>" + body + b'</defs><use href="#a%d"/>' % (levels - 1))


def test_a_modest_reference_chain_is_kept() -> None:
    data, _ = validate_logo(_nested(4, 10), "logo.svg")  # 2,221 shapes once expanded
    assert data.count(b"<use") == 31


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_nested(5, 10), "draws more than 20,000 shapes"),
        (_nested(10, 10), "draws more than 20,000 shapes"),
        (_nested(40, 1), "more than 32 deep (once its references are followed)"),
        (SVG % b'<g id="a"><rect/><use href="#a"/></g>', "refers to itself"),
        (
            SVG % b'<clipPath id="c"><rect clip-path="url(#c)"/></clipPath>',
            "refers to itself",
        ),
        (
            SVG
            % (
                b'<clipPath id="c0"><rect/></clipPath>'
                + b"".join(
                    b'<clipPath id="c%d">' % n
                    + b'<rect clip-path="url(#c%d)"/>' % (n - 1) * 10
                    + b"</clipPath>"
                    for n in range(1, 8)
                )
                + b'<rect clip-path="url(#c7)"/>'
            ),
            "draws more than 20,000 shapes",
        ),
        (SVG % (b"<g>" * 40 + b"</g>" * 40), "more than 32 deep (at line 1"),
        (SVG % (b"<g>" * 30_000 + b"</g>" * 30_000), "more than 32 deep (at line 1"),
    ],
)
def test_svg_that_explodes_or_nests_too_deep_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(BrandingError, match=re.escape(message)):
        validate_logo(data, "logo.svg")
