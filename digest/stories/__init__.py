"""Articles to stories (pure stages): duplicates merged, articles clustered into stories,
stories labelled, linked to earlier days' stories, and ranked.

Holds: ``dedup`` (duplicate articles), ``day`` (features, graph agglomeration, labels, headline
and story id: one day's articles into stories), ``continuity`` (links to earlier days, what is
new) and ``rank`` (the briefing's order).

May import: ``digest.models``, ``digest.errors``, ``digest.config`` and ``digest.text``; no
I/O stage (store, outputs, delivery), no clock, no disk, no network.
"""

from __future__ import annotations

from .continuity import (
    LOOKBACK_DAYS,
    LinkedGroup,
    label_basis,
    link_stories,
    outgrew_label,
    previous_editions,
    story_terms,
    told_before,
)
from .day import StoryDay, cluster_articles, label_story, pick_headline, story_id
from .dedup import canonical_url, dedup_articles, duplicate_groups
from .graph import cluster_texts
from .rank import rank_stories, score_story

__all__ = [
    "LOOKBACK_DAYS",
    "LinkedGroup",
    "StoryDay",
    "canonical_url",
    "cluster_articles",
    "cluster_texts",
    "dedup_articles",
    "duplicate_groups",
    "label_basis",
    "label_story",
    "link_stories",
    "outgrew_label",
    "pick_headline",
    "previous_editions",
    "rank_stories",
    "score_story",
    "story_id",
    "story_terms",
    "told_before",
]
