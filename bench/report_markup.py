"""What the report's markup costs WeasyPrint, its text apart from its figures.

Bare WeasyPrint (the report's PDF variant) on the demo report and on the same report
without its figures (the cover, the charts with their words, the domain bars and the
responsibility grid), each against the same text as bare paragraphs
(``bench/report.py``'s floor).  The first ratio is issue 15's figure for the whole report;
the second is the markup's cost on the report's text, which the target of 1.2 bounds
(docs/report.md, "The markup's cost"); what the figures cost over their own text is
printed in milliseconds.

Two ways to count: processor time (the best of ``--repeat`` runs taken in turn; it moves
with the other load on a shared machine), or, with ``--instructions``, the instructions
each render executes under valgrind's callgrind (the same count whatever else runs; about
two minutes a document).

    python bench/report_markup.py [--repeat 7] [--instructions] [--answers FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import _inputs, bare_weasyprint, plain_text_html  # noqa: E402

from assessor.engine import parse_answers_document, score  # noqa: E402
from assessor.questionnaire import load_paths  # noqa: E402
from assessor.reports.context import build_context  # noqa: E402
from assessor.reports.render import render_html  # noqa: E402

#: The classes of the report's figures: the cover, each chart (its SVG and the words
#: placed over it), the domain bars, the grid's rows.
FIGURES = frozenset({"cover", "chart-box", "domain-bars", "grid-head", "grid-row", "grid-domain"})
VOID = frozenset({"br", "img", "meta", "hr", "input", "link", "wbr", "col", "area", "source"})
TARGET = 1.2


class _Figures(HTMLParser):
    """The character ranges of the elements whose class names a figure."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.lines = [0]
        for line in html.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.html = html
        self.ranges: list[tuple[int, int]] = []
        self.start = -1
        self.depth = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
            return
        classes = set((dict(attrs).get("class") or "").split())
        if classes & FIGURES:
            self.start, self.depth = self._offset(), 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <rect/> and the like open nothing

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.depth:
            return
        self.depth -= 1
        if not self.depth:
            self.ranges.append((self.start, self.html.index(">", self._offset()) + 1))


def without_figures(html: str) -> str:
    parser = _Figures(html)
    parser.feed(html)
    parser.close()
    kept, last = [], 0
    for start, end in parser.ranges:
        kept.append(html[last:start])
        last = end
    return "".join(kept) + html[last:]


def report_html(answers: Path) -> str:
    catalog, _ = load_paths([ROOT / "questionnaires"])
    document = parse_answers_document(json.loads(answers.read_text()), catalog)
    questionnaire, respondents, organization = document
    name = str(organization.get("name") or "Demo")
    result = score(questionnaire, respondents, targets=document.targets or None, organization=name)
    inputs = _inputs(name, questionnaire, respondents)
    return render_html(build_context(result.to_dict(), inputs))


def cpu_times(documents: list[str], repeat: int) -> list[float]:
    """The least processor time bare WeasyPrint takes on each document, in turn."""
    functions: list[Callable[[], Any]] = [lambda d=d: bare_weasyprint(d) for d in documents]
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for slot, function in enumerate(functions):
            gc.collect()
            start = time.process_time()
            function()
            times[slot].append(time.process_time() - start)
    return [min(t) for t in times]


_RENDER = """
import sys
sys.path[:0] = [{root!r}, {bench!r}]
from report import bare_weasyprint
bare_weasyprint("<p>warm</p>")
if len(sys.argv) > 1:
    bare_weasyprint(open(sys.argv[1], encoding="utf-8").read())
"""


def instructions(documents: list[str]) -> list[float]:
    """Instructions (in billions) bare WeasyPrint executes on each document: a process
    rendering it, less one that only warms up, each counted by callgrind."""

    def count(*argv: str) -> int:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(re.findall(r"Collected : (\d+)", done.stderr)[-1])

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "render.py"
        script.write_text(_RENDER.format(root=str(ROOT), bench=str(ROOT / "bench")))
        base = count(sys.executable, str(script))
        counts = []
        for number, document in enumerate(documents):
            path = Path(folder) / f"{number}.html"
            path.write_text(document, encoding="utf-8")
            counts.append((count(sys.executable, str(script), str(path)) - base) / 1e9)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--instructions", action="store_true", help="count with callgrind")
    parser.add_argument("--answers", type=Path, default=ROOT / "tests" / "answers" / "demo.json")
    args = parser.parse_args()

    html = report_html(args.answers)
    text = without_figures(html)
    documents = [html, plain_text_html(html), text, plain_text_html(text)]
    if args.instructions:
        unit, scale = "billion instructions", 1.0
        whole, whole_plain, prose, prose_plain = instructions(documents)
    else:
        unit, scale = "ms", 1000.0
        bare_weasyprint(html)  # warm: fonts, imports
        whole, whole_plain, prose, prose_plain = cpu_times(documents, args.repeat)
    print(
        f"report: {whole * scale:.2f} {unit}; its text as bare paragraphs {whole_plain * scale:.2f}"
    )
    print(
        f"ratio report to its text as bare paragraphs (the markup's cost): {whole / whole_plain:.2f}"
    )
    ratio = prose / prose_plain
    print(
        f"report without its figures: {prose * scale:.2f} {unit}; its text as bare paragraphs "
        f"{prose_plain * scale:.2f}"
    )
    print(
        f"ratio report without its figures to its text as bare paragraphs: {ratio:.2f} "
        f"target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'}"
    )
    figures = (whole - prose) - (whole_plain - prose_plain)
    print(
        f"the figures (cover, charts, bars, grid) over their own text: {figures * scale:.2f} "
        f"{unit}, {figures / whole:.0%} of the report's"
    )


if __name__ == "__main__":
    main()
