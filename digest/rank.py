"""Stories to briefing order (pure): the weights are documented here and in the README."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace

from .models import Story

__all__ = ["WEIGHTS", "rank_stories", "score_story"]

# score = size * log2(1 + articles) + outlets * log2(1 + distinct outlets) + recency * freshness
# Outlets count more than raw size: five outlets agreeing matter more than five copies from one.
# Freshness is 1 for a story whose newest article is at the cut-off, halving every 12 hours.
WEIGHTS = {"size": 1.0, "outlets": 1.5, "recency": 1.0}
HALF_LIFE_HOURS = 12.0


def score_story(story: Story, cutoff: dt.datetime) -> float:
    """The story's rank score at the day's cut-off."""
    times = [a.published for a in story.articles if a.published]
    age_hours = max(0.0, (cutoff - max(times)).total_seconds() / 3600) if times else 24.0
    freshness = 0.5 ** (age_hours / HALF_LIFE_HOURS)
    return (
        WEIGHTS["size"] * math.log2(1 + len(story.articles))
        + WEIGHTS["outlets"] * math.log2(1 + len(story.outlets))
        + WEIGHTS["recency"] * freshness
    )


def rank_stories(stories: Sequence[Story], cutoff: dt.datetime) -> list[Story]:
    """Stories by score, best first; one-article stories after all the others; ties by id."""
    scored = [replace(s, score=score_story(s, cutoff)) for s in stories]
    return sorted(scored, key=lambda s: (s.is_single, -round(s.score, 9), s.id))
