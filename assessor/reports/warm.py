"""Preloaded by the render forkserver only (:mod:`assessor.reports.sandbox`): renders a
tiny document with the report's stylesheet once, so that every render's child starts
with WeasyPrint's fonts (the report's own included) and default stylesheets loaded
instead of loading them again for each report."""

from __future__ import annotations

import contextlib

from assessor.reports.render import render_pdf, stylesheet

with contextlib.suppress(Exception):  # a cold start is slower, not wrong
    render_pdf(f"<style>{stylesheet()}</style><h1>Ready</h1><p>ready <b>now</b></p>", None)
