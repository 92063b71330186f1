"""Test helper: one page of a PDF as a PNG (pdftoppm), so a person can look at it.

python -m tests.pdfpng report.pdf 3 page3.png
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def page_png(pdf: bytes | Path, page: int, out: Path, dpi: int = 80) -> Path:
    """Render ``page`` (1-based) of ``pdf`` to the PNG file ``out``; returns ``out``."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RuntimeError("pdftoppm (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        if isinstance(pdf, bytes):
            source.write_bytes(pdf)
        else:
            source = Path(pdf)
        stem = Path(folder) / "page"
        subprocess.run(
            [tool, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
             str(source), str(stem)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(stem.with_suffix(".png")), out)
    return out


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: python -m tests.pdfpng REPORT.pdf PAGE OUT.png [DPI]")
    dpi = int(sys.argv[4]) if len(sys.argv) == 5 else 80
    print(page_png(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), dpi))
