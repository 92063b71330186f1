"""Benchmark of the PDF report: the demo assessment (tests/answers/demo.json through the engine).

Prints ``name: value`` lines and ``ratio ...: R`` lines:

* full render (context, HTML, PDF) against WeasyPrint alone on the same HTML (the floor;
  target 1.15 or less) and against a warm headless Chromium printing that HTML (target 3);
* for reference, bare WeasyPrint against Chromium on the report's text alone: every
  paragraph, heading and cell as a plain ``<p>`` in one font, no other CSS, no charts, no
  footer (what any markup for this much text costs at the least);
* a cached download through ``reporting.report_pdf`` on a temporary SQLite app, as a
  fraction of a render (target 0.05 or less);
* the serving process's RSS after 1 and after N renders through the recycled worker
  (target: 30 MB or less of growth).

    python bench/report.py [--renders 100] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import tempfile
import time
from datetime import date
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessor import create_app  # noqa: E402
from assessor.engine import parse_answers_document, score  # noqa: E402
from assessor.questionnaire import load_paths  # noqa: E402
from assessor.reports.context import ReportInputs, build_context  # noqa: E402
from assessor.reports.fetcher import ReportFetcher  # noqa: E402
from assessor.reports.render import render_html, render_pdf  # noqa: E402

DEMO = ROOT / "tests" / "answers" / "demo.json"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def rss_mb() -> float:
    """Resident set size of this process, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def best(function: Any, repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by other load)."""
    return interleaved([function], repeat)[0]


def interleaved(functions: list[Any], repeat: int) -> list[float]:
    """The fastest run of each function, running them in turn so that a change in the
    machine's load affects them alike."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for slot, function in enumerate(functions):
            gc.collect()
            start = time.perf_counter()
            function()
            times[slot].append(time.perf_counter() - start)
    return [min(t) for t in times]


def demo_inputs() -> tuple[dict[str, Any], ReportInputs]:
    catalog, _ = load_paths([ROOT / "questionnaires"])
    document = parse_answers_document(json.loads(DEMO.read_text()), catalog)
    questionnaire, respondents, organization = document
    name = str(organization.get("name") or "Demo")
    result = score(questionnaire, respondents, targets=document.targets or None, organization=name)
    inputs = ReportInputs(
        organization=name,
        assessment_title="Governance review",
        assessment_date=date(2026, 3, 14),
        questionnaire=questionnaire,
        respondents=tuple(respondents),
        firm_name="Northwind Advisory",
        accent="#1f5fbf",
    )
    return result.to_dict(), inputs


def full_render(result: dict[str, Any], inputs: ReportInputs) -> bytes:
    return render_pdf(render_html(build_context(result, inputs)), inputs.assets())


def bare_weasyprint(html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html, url_fetcher=ReportFetcher()).write_pdf())


class _Text(HTMLParser):
    """The text of every block (paragraph, heading, list item, cell); chart SVG skipped."""

    BLOCKS = frozenset({"p", "h1", "h2", "h3", "li", "td", "th"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] | None = None
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("svg", "style", "title"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.current = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("svg", "style", "title"):
            self.skip -= 1
        elif tag in self.BLOCKS and self.current is not None:
            text = " ".join("".join(self.current).split())
            if text:
                self.blocks.append(text)
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None and not self.skip:
            self.current.append(data)


def _text_blocks(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.blocks


def plain_text_html(html: str) -> str:
    """The report's text as plain paragraphs in the report's font, nothing else."""
    paragraphs = "".join(f"<p>{escape(text)}</p>" for text in _text_blocks(html))
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
        '@font-face { font-family: "Report Sans"; src: url(report-static:fonts/DejaVuSans.ttf); }'
        "@page { size: A4; margin: 20mm 18mm 22mm 18mm; }"
        'html { font-family: "Report Sans", "DejaVu Sans", sans-serif; font-size: 9.5pt;'
        " line-height: 1.42; } p { margin: 0 0 4pt 0; }"
        f"</style></head><body>{paragraphs}</body></html>"
    )


def chromium_times(htmls: list[str], repeat: int) -> list[float] | None:
    """A warm Chromium's best time to print each of ``htmls`` (in turn, like ``interleaved``)."""
    executable = shutil.which("chromium")
    if executable is None:
        print("chromium: not installed")
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()

        def printer(html: str) -> Any:
            def print_pdf() -> None:
                page.set_content(html)
                page.pdf(format="A4", print_background=True, prefer_css_page_size=True)

            return print_pdf

        printers = [printer(html) for html in htmls]
        for print_pdf in printers:
            print_pdf()  # warm
        elapsed = interleaved(printers, repeat)
        browser.close()
    return elapsed


def seed(app: Any) -> int:
    """A stored assessment with the demo answers; returns its id."""
    from assessor.operations import accounts, answers, assessments, organizations
    from assessor.operations.catalog import catalog

    questionnaire, people, organization = parse_answers_document(
        json.loads(DEMO.read_text()), catalog()
    )
    user = accounts.sign_up("bench@example.com", "bench password 123", "Bench", "Bench firm")
    workspace = user.memberships[0].workspace
    org = organizations.create_organization(
        workspace, user, name=str(organization.get("name") or "Demo"), sector=None, size=None
    )
    assessment = assessments.start_assessment(org, user, questionnaire, title="Governance review")
    for person in people:
        respondent = assessments.add_respondent(
            assessment, user, name=person.name, role=person.role
        )
        changes = [
            answers.Change(q, v, person.comments.get(q), None) for q, v in person.answers.items()
        ]
        answers.save_answers(questionnaire, respondent, changes, person.name, skip_hidden=True)
        # Counted in the report (only submitted or included respondents are).
        assessments.include_respondent(respondent, user, True)
    return assessment.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=100, help="renders for the RSS figure")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (best is kept)")
    parser.add_argument(
        "--in-process", type=int, default=10, help="renders without the worker, for contrast"
    )
    args = parser.parse_args()

    result, inputs = demo_inputs()
    html = render_html(build_context(result, inputs))
    pdf = full_render(result, inputs)  # warm: fonts, imports
    import io

    from pypdf import PdfReader

    print(f"pages: {len(PdfReader(io.BytesIO(pdf)).pages)}")
    print(f"html_bytes: {len(html)}")

    full, bare = interleaved(
        [lambda: full_render(result, inputs), lambda: bare_weasyprint(html)], args.repeat
    )
    html_only = best(lambda: render_html(build_context(result, inputs)), args.repeat)
    print(f"full_render_s: {full:.3f}")
    print(f"context_and_html_s: {html_only:.3f}")
    print(f"bare_weasyprint_s: {bare:.3f}")
    print(f"ratio to bare WeasyPrint: {full / bare:.2f}")
    plain = plain_text_html(html)
    bare_plain = best(lambda: bare_weasyprint(plain), args.repeat)
    chromium = chromium_times([html, plain], args.repeat)
    if chromium is not None:
        print(f"chromium_s: {chromium[0]:.3f}")
        print(f"ratio to Chromium: {full / chromium[0]:.2f}")
        print(f"plain_text_chars: {sum(len(t) for t in _text_blocks(html))}")
        print(f"plain_text_bare_weasyprint_s: {bare_plain:.3f}")
        print(f"plain_text_chromium_s: {chromium[1]:.3f}")
        print(f"ratio to Chromium, plain text, bare WeasyPrint: {bare_plain / chromium[1]:.2f}")

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}",
                "SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
            }
        )
        from assessor.extensions import db
        from assessor.models import Assessment
        from assessor.operations import reporting
        from assessor.reports.render import render_pdf_in_worker

        with app.app_context():
            db.create_all()
            assessment = db.session.get(Assessment, seed(app))
            first_start = time.perf_counter()
            first = reporting.report_pdf(assessment)
            first_time = time.perf_counter() - first_start
            assert not first.cached
            cached = best(lambda: reporting.report_pdf(assessment), args.repeat)
            assert reporting.report_pdf(assessment).cached
            print(f"first_download_s: {first_time:.3f}")
            print(f"cached_download_s: {cached:.4f}")
            print(f"ratio cached download to render: {cached / full:.3f}")

            renders = int(app.config["REPORT_WORKER_RENDERS"])
            print(f"worker_renders_before_recycle: {renders}")
            render_pdf_in_worker(html, renders=renders)
            gc.collect()
            after_one = rss_mb()
            for _ in range(args.renders - 1):
                render_pdf_in_worker(html, renders=renders)
            gc.collect()
            after_many = rss_mb()
            print(f"rss_after_1_render_mb: {after_one:.1f}")
            print(f"rss_after_{args.renders}_renders_mb: {after_many:.1f}")
            print(f"rss_growth_mb: {after_many - after_one:.1f}")
            if args.in_process:
                # For contrast: the same renders in this process (what the worker spares it).
                render_pdf(html)
                gc.collect()
                before = rss_mb()
                for _ in range(args.in_process):
                    render_pdf(html)
                gc.collect()
                grown = rss_mb() - before
                print(f"rss_growth_in_process_{args.in_process}_renders_mb: {grown:.1f}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
