"""Benchmark of the PDF report: the demo assessment (tests/answers/demo.json through the engine).

Prints ``name: value`` lines and ``ratio ...: R`` lines:

* full render (context, HTML, PDF) against WeasyPrint alone on the same HTML with the same
  PDF variant, tagged PDF/UA-1 (the floor; target 1.15 or less), and what tagging costs
  (tagged bare WeasyPrint against untagged) and against a warm headless Chromium printing that HTML (target 3);
* for reference, bare WeasyPrint against Chromium on the report's text alone: every
  paragraph, heading and cell as a plain ``<p>`` in one font, no other CSS, no charts, no
  footer (what any markup for this much text costs at the least);
* a cached download through ``reporting.report_pdf`` on a temporary SQLite app, as a
  fraction of a render (target 0.05 or less);
* the serving process's RSS after 1 and after N bounded renders, each in a process of its
  own (target: 30 MB or less of growth);
* the worst legitimate report under the input limits (10 respondents, every question,
  every comment 2,000 characters) in a bounded render: its time against the time limit,
  its peak address space against the memory limit;
* a hostile logo's download (a logo of ``<use>`` chains stored before the upload check)
  running to its time limit while another workspace downloads its report.

    python bench/report.py [--renders 100] [--repeat 5] [--hostile-timeout 60]
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
from assessor.reports.render import PDF_VARIANT, render_html, render_pdf  # noqa: E402

DEMO = ROOT / "tests" / "answers" / "demo.json"
#: The seeded consultant's password (bench/render_queue.py signs in with it).
PASSWORD = "a long unrelated passphrase 4821"
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
    return result.to_dict(), _inputs(name, questionnaire, respondents)


def _inputs(name: str, questionnaire: Any, respondents: Any) -> ReportInputs:
    return ReportInputs(
        organization=name,
        assessment_title="Governance review",
        assessment_date=date(2026, 3, 14),
        questionnaire=questionnaire,
        respondents=tuple(respondents),
        firm_name="Northwind Advisory",
        accent="#1f5fbf",
    )


#: The input limits of issue 19 (item 5): respondents per assessment, comment length.
WORST_RESPONDENTS = 10
WORST_COMMENT = 2000
_WORDS = (
    "The security steering group reviews the risk register every quarter, but the owners "
    "of several controls changed after the reorganisation and nobody updated the RACI. "
    "Our CISO reports to the CIO, which the board accepted in 2024 on the condition that "
    "the audit committee hears the CISO directly twice a year; that has happened once. "
    "Patching of the clinical systems depends on the vendor, who ships fixes late, so we "
    "isolate those networks and monitor them, which the external assessor called adequate. "
    "Budget for identity management was approved, the project starts in the spring, and "
    "until then access reviews are done by hand in spreadsheets by each department head. "
    "Incident response is rehearsed yearly with the communications team and legal counsel; "
    "the last exercise found that the contact lists for suppliers were out of date. "
).split()


def realistic_text(rng: Any, length: int) -> str:
    """Plausible consultant prose of exactly ``length`` characters."""
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(_WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[: length - 1] + "."


def worst_inputs() -> tuple[dict[str, Any], ReportInputs]:
    """The largest legitimate report: WORST_RESPONDENTS respondents who answered every
    question (the context that shows the most of them) with a WORST_COMMENT-character
    comment on each."""
    import random

    from assessor.engine import Respondent
    from assessor.engine.answers import coerce_answer
    from tests.web_support import CONTEXT  # the context that shows the most questions

    rng = random.Random(19)
    catalog, _ = load_paths([ROOT / "questionnaires"])
    questionnaire = catalog.get("cio-ciso-governance")
    sys.path.insert(0, str(ROOT / "bench"))
    from engine import random_answer  # type: ignore[import-not-found]

    roles = ("CIO", "CISO", "CEO", "OTHER")
    people = []
    for number in range(WORST_RESPONDENTS):
        answers: dict[str, Any] = {}
        for question in questionnaire.questions.values():
            raw = CONTEXT.get(question.id, random_answer(question, rng))
            if question.kind == "text":
                raw = realistic_text(rng, min(question.max_length, 300))
            if question.kind == "multi" and isinstance(raw, list) and len(raw) > 1:
                # An exclusive option ("None of these") is never ticked with another.
                alone = {o.value for o in question.all_options if o.exclusive}
                raw = [v for v in raw if v not in alone] or raw[:1]
            value = coerce_answer(question, raw)
            if value is not None:
                answers[question.id] = value
        comments = {qid: realistic_text(rng, WORST_COMMENT) for qid in questionnaire.questions}
        people.append(Respondent(f"Respondent {number + 1}", roles[number % 4], answers, comments))
    result = score(questionnaire, people, organization="Worst Case Health")
    return result.to_dict(), _inputs("Worst Case Health", questionnaire, people)


def full_render(result: dict[str, Any], inputs: ReportInputs) -> bytes:
    return render_pdf(render_html(build_context(result, inputs)), inputs.assets())


def bare_weasyprint(html: str, variant: str | None = PDF_VARIANT) -> bytes:
    """WeasyPrint alone on ``html``, with the report's PDF variant (tagged, PDF/UA-1) unless
    ``variant`` is None, so that the ratio to it does not hide what tagging costs."""
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=ReportFetcher())
    return bytes(document.write_pdf(pdf_variant=variant))


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


def seed(app: Any, email: str = "bench@example.com", logo: bytes | None = None) -> int:
    """A stored assessment with the demo answers, in a workspace of its own (with ``logo``
    stored as it is, as a logo stored before today's upload checks); returns its id."""
    from assessor.models import utcnow
    from assessor.operations import accounts, answers, assessments, organizations
    from assessor.operations.catalog import catalog

    questionnaire, people, organization = parse_answers_document(
        json.loads(DEMO.read_text()), catalog()
    )
    user = accounts.sign_up(email, PASSWORD, "Olive Author", f"Firm of {email}")
    user.email_verified_at = utcnow()  # a confirmed address: it may download the PDF
    workspace = user.memberships[0].workspace
    if logo is not None:
        from assessor.extensions import db

        workspace.logo, workspace.logo_mimetype = logo, "image/svg+xml"
        db.session.commit()
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
    parser.add_argument(
        "--hostile-timeout", type=float, default=60, help="time limit for the hostile render"
    )
    args = parser.parse_args()

    result, inputs = demo_inputs()
    html = render_html(build_context(result, inputs))
    pdf = full_render(result, inputs)  # warm: fonts, imports
    import io

    from pypdf import PdfReader

    print(f"pages: {len(PdfReader(io.BytesIO(pdf)).pages)}")
    print(f"html_bytes: {len(html)}")

    full, bare, untagged = interleaved(
        [
            lambda: full_render(result, inputs),
            lambda: bare_weasyprint(html),
            lambda: bare_weasyprint(html, None),
        ],
        args.repeat,
    )
    html_only = best(lambda: render_html(build_context(result, inputs)), args.repeat)
    print(f"full_render_s: {full:.3f}")
    print(f"context_and_html_s: {html_only:.3f}")
    print(f"bare_weasyprint_s: {bare:.3f}")
    print(f"ratio to bare WeasyPrint: {full / bare:.2f}")
    print(f"bare_weasyprint_untagged_s: {untagged:.3f}")
    print(f"ratio tagged ({PDF_VARIANT}) to untagged bare WeasyPrint: {bare / untagged:.2f}")
    plain = plain_text_html(html)
    bare_plain = best(lambda: bare_weasyprint(plain), args.repeat)
    markup = bare / bare_plain
    print(
        f"ratio bare WeasyPrint to the same text as bare paragraphs (the markup's cost): "
        f"{markup:.2f} target <= 1.2: {'met' if markup <= 1.2 else 'NOT met'}"
    )
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
        from assessor.operations import render_jobs, reporting
        from assessor.reports.sandbox import render_bounded

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

            limits = render_jobs.settings().limits
            start = time.perf_counter()
            bounded = render_bounded(html, inputs.assets(), limits)
            spent = time.perf_counter() - start
            print(f"bounded_render_s: {spent:.3f} (its process: {bounded.seconds:.3f})")
            print(f"ratio bounded render (own process) to in-process render: {spent / full:.2f}")
            render_bounded(html, None, limits)
            gc.collect()
            after_one = rss_mb()
            for _ in range(args.renders - 1):
                render_bounded(html, None, limits)
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
            worst_case(limits)
            db.session.remove()
        isolation(app, args.hostile_timeout, first_time)
        with app.app_context():
            db.engine.dispose()


def worst_case(limits: Any) -> None:
    """The largest legitimate report under the input limits, in a bounded render."""
    import io

    from pypdf import PdfReader

    from assessor.reports.sandbox import render_bounded

    result, inputs = worst_inputs()
    html = render_html(build_context(result, inputs))
    rendered = render_bounded(html, inputs.assets(), limits)
    pages = len(PdfReader(io.BytesIO(rendered.data)).pages)
    print(
        f"worst_legitimate_report: {WORST_RESPONDENTS} respondents, every question, every "
        f"comment {WORST_COMMENT} characters: {pages} pages, {len(html)} bytes of HTML"
    )
    print(f"worst_legitimate_render_s: {rendered.seconds:.1f} (time limit {limits.seconds:g} s)")
    print(f"worst_legitimate_peak_mb: {rendered.peak_mb} (memory limit {limits.memory_mb} MB)")
    print(
        f"ratio worst legitimate render to the time limit: {rendered.seconds / limits.seconds:.2f}"
    )
    print(
        f"ratio memory limit to the worst legitimate peak: {limits.memory_mb / rendered.peak_mb:.2f}"
    )


def isolation(app: Any, hostile_timeout: float, alone: float) -> None:
    """A hostile logo's download runs to its limit while another workspace downloads."""
    import threading

    from sqlalchemy import select

    from assessor.extensions import db
    from assessor.models import Assessment, RenderJob
    from assessor.operations import render_jobs, reporting
    from assessor.operations.render_jobs import RenderRefused
    from tests.test_report_branding import HOSTILE_SVG

    app.config["RENDER_TIMEOUT"] = hostile_timeout
    with app.app_context():
        hostile_id = seed(app, "hostile@example.com", HOSTILE_SVG)
        other_id = seed(app, "other@example.com")
        db.session.remove()
    outcome: dict[str, Any] = {}

    def hostile() -> None:
        with app.app_context():
            start = time.perf_counter()
            try:
                reporting.report_pdf(db.session.get(Assessment, hostile_id))
                outcome["how"] = "rendered"
            except RenderRefused as exc:
                outcome["how"] = exc.reason
            outcome["seconds"] = time.perf_counter() - start
            db.session.remove()

    def hostile_state() -> str | None:
        with app.app_context():
            state = db.session.scalar(
                select(RenderJob.state).where(RenderJob.assessment_id == hostile_id)
            )
            db.session.remove()
            return state

    thread = threading.Thread(target=hostile)
    thread.start()
    while hostile_state() != "running":
        time.sleep(0.05)
    with app.app_context():
        start = time.perf_counter()
        served = reporting.report_pdf(db.session.get(Assessment, other_id))
        other = time.perf_counter() - start
        db.session.remove()
    during = hostile_state()
    thread.join()
    with app.app_context():
        detail = db.session.scalar(
            select(RenderJob.detail).where(RenderJob.assessment_id == hostile_id)
        )
        limits = render_jobs.settings().limits
        db.session.remove()
    print(
        f"hostile_logo_download: {outcome['how']} ({detail}) after {outcome['seconds']:.1f} s "
        f"(limits {limits.describe()})"
    )
    print(
        f"other_workspace_download_s: {other:.3f} ({len(served.data)} bytes; the hostile "
        f"render was {during} when it was served)"
    )
    print(
        f"ratio other workspace's download during it to the same download alone: {other / alone:.2f}"
    )


if __name__ == "__main__":
    main()
