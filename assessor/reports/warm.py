"""Preloaded by the render forkserver only (:mod:`assessor.reports.sandbox`): renders a
tiny document once, so that every render's child starts with WeasyPrint's fonts and
default stylesheets loaded instead of loading them again for each report."""

from __future__ import annotations

import contextlib

from assessor.reports.render import render_pdf

with contextlib.suppress(Exception):  # a cold start is slower, not wrong
    render_pdf("<p>ready</p>", None)
