"""A Briefing to the bytes of its outputs (pure: strings and bytes in and out, no files written).

Holds: ``render`` (the web page, the email with CSS inlined, plain text, JSON, the PDF, the archive
index and the day links). The Jinja templates live in the top-level ``templates/`` folder and ship
inside the wheel as ``digest.templates``.

May import: ``digest.models``, ``digest.errors``, ``digest.config`` and ``digest.text``; never the
store, delivery or pipeline.
"""

from __future__ import annotations

from .render import (
    EMAIL_MAX_BYTES,
    NAV_END,
    NAV_START,
    Chart,
    ChartRow,
    DataOnlyFetcher,
    DayNav,
    make_chart,
    make_environment,
    render_day_nav,
    render_email,
    render_html,
    render_index,
    render_json,
    render_outputs,
    render_pdf,
    render_text,
    safe_url,
)

__all__ = [
    "EMAIL_MAX_BYTES",
    "NAV_END",
    "NAV_START",
    "Chart",
    "ChartRow",
    "DataOnlyFetcher",
    "DayNav",
    "make_chart",
    "make_environment",
    "render_day_nav",
    "render_email",
    "render_html",
    "render_index",
    "render_json",
    "render_outputs",
    "render_pdf",
    "render_text",
    "safe_url",
]
