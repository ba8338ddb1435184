"""How the briefing writes a day: one format for the pages, the email subject and the feed."""

from __future__ import annotations

import datetime as dt

__all__ = ["format_day"]


def format_day(day: dt.date) -> str:
    """A day as the briefing writes it: "Tuesday 24 November 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"
