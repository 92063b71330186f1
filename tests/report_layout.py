"""How full the report's pages are, measured from WeasyPrint's page boxes (issue 15's
page budget): the body's page count, each page's filled share, and which pages start a
chapter.  Shared by the page-budget tests and ``bench``-style looks at the layout."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Any

from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from assessor.engine import score
from assessor.reports.context import ReportInputs, build_context
from assessor.reports.fetcher import ReportFetcher
from assessor.reports.render import PDF_VARIANT, render_html
from tests.scenarios import load_scenarios, parse

#: The chapters of the body (issue 15: chapters 1-8), by their section ids.
BODY = (
    "cover",
    "contents",
    "summary",
    "method",
    "scores",
    "raci",
    "findings",
    "perception",
    "roadmap",
)
#: What comes after the body: annexes and the appendix.
AFTER_BODY = ("progress", "benchmark", "appendix")


@dataclass(frozen=True)
class Measured:
    total: int
    #: Pages before the first annex (or all of them).
    body_pages: int
    #: The filled share of each page's content area (0 empty .. 1 full).
    fills: tuple[float, ...]
    #: 1-based numbers of the pages on which a chapter starts, by section id.
    chapter_starts: dict[str, int]
    pdf: bytes
    #: The text of each table row laid out on more than one page (read across, a row
    #: split between pages puts a question and its answers apart).
    split_rows: tuple[str, ...] = ()

    def thin_pages(self, share: float = 1 / 3) -> list[int]:
        """Body pages less than ``share`` full that are not the last page before a chapter
        (nor the last of the body): the third-full rule's offenders, 1-based."""
        starts = set(self.chapter_starts.values())
        return [
            number
            for number, fill in enumerate(self.fills[: self.body_pages], start=1)
            if fill < share and number + 1 not in starts and number != self.body_pages
        ]


def _bottom(box: Any) -> float:
    """The lowest edge of the content laid out in ``box`` (lines, images, table rows)."""
    lowest = 0.0
    stack = list(getattr(box, "children", ()))
    while stack:
        child = stack.pop()
        if isinstance(child, boxes.LineBox | boxes.ReplacedBox | boxes.TableRowBox):
            lowest = max(lowest, child.position_y + child.margin_height())
            continue
        if isinstance(child, boxes.BlockReplacedBox | boxes.InlineReplacedBox):
            lowest = max(lowest, child.position_y + child.margin_height())
            continue
        stack.extend(getattr(child, "children", ()))
    return lowest


def page_fill(page: Any) -> float:
    """The share of ``page``'s content area its content fills, top to its lowest line."""
    page_box = page._page_box
    top = page_box.content_box_y()
    lowest = max(
        (_bottom(child) for child in page_box.children if not isinstance(child, boxes.MarginBox)),
        default=top,
    )
    return max(0.0, min(1.0, (lowest - top) / page_box.height))


def measure(result: dict[str, Any], inputs: ReportInputs, paper: str = "a4") -> Measured:
    """Lay the report out for ``paper`` and measure its pages."""
    inputs = replace(inputs, paper=paper)
    html = render_html(build_context(result, inputs))
    document = HTML(string=html, url_fetcher=ReportFetcher(inputs.assets()), base_url=None).render(
        pdf_variant=PDF_VARIANT
    )
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor in BODY or anchor in AFTER_BODY:
                starts.setdefault(anchor, number)
    after = [starts[a] for a in AFTER_BODY if a in starts]
    total = len(document.pages)
    body = min(after) - 1 if after else total
    fills = tuple(page_fill(page) for page in document.pages)
    pdf = bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
    return Measured(total, body, fills, starts, pdf, _split_rows(document.pages))


def _split_rows(pages: Any) -> tuple[str, ...]:
    """The text of each body table row (``<tr>``; a header row repeats on every page by
    design) with boxes on more than one page."""
    seen: dict[Any, set[int]] = {}
    for number, page in enumerate(pages):
        for group in page._page_box.descendants():
            if not isinstance(group, boxes.TableRowGroupBox) or group.is_header:
                continue
            for row in group.children:
                if row.element is not None:
                    seen.setdefault(row.element, set()).add(number)
    return tuple(
        " ".join("".join(row.itertext()).split()) for row, on in seen.items() if len(on) > 1
    )


SCENARIO_DATE = date(2026, 11, 27)


@cache
def scenarios() -> dict[str, Any]:
    return {s.slug: s for s in load_scenarios()}


def scenario_report(slug: str, **changes: Any) -> tuple[dict[str, Any], ReportInputs]:
    """A scenario organisation's result and report inputs."""
    scenario = scenarios()[slug]
    document = parse(scenario)
    result = score(
        document.questionnaire,
        document.respondents,
        document.targets,
        organization=scenario.profile.name,
    )
    inputs = ReportInputs(
        organization=scenario.profile.name,
        assessment_title="Governance review",
        assessment_date=SCENARIO_DATE,
        questionnaire=document.questionnaire,
        respondents=tuple(document.respondents),
        firm_name="Northwind Advisory",
    )
    return result.to_dict(), replace(inputs, **changes)


def demo_report_inputs(**changes: Any) -> tuple[dict[str, Any], ReportInputs]:
    from tests import test_report_data

    return test_report_data.demo(**changes)
