"""Stories as built for each day, and what each edition told of them: what a later day links to."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ..models import PriorStory
from ._common import StoreBase
from .schema import ID_BATCH, stories_table


def _row_to_prior(r: Any) -> PriorStory:
    return PriorStory(
        day=dt.date.fromisoformat(r.day),
        story_id=r.story_id,
        label=r.label,
        article_ids=tuple(json.loads(r.article_ids)),
        terms=tuple((str(t), float(w)) for t, w in json.loads(r.terms)),
        headline=r.headline,
        summary=tuple(str(x) for x in json.loads(r.summary)),
        label_articles=int(r.label_articles),
    )


class StoriesMixin(StoreBase):
    """Each day's stories and their signatures."""

    def record_stories(self, day: dt.date, stories: Sequence[PriorStory]) -> None:
        """Make these (in this order) the stories recorded for day, replacing any recorded before."""
        rows = [
            {
                "day": day.isoformat(),
                "story_id": p.story_id,
                "position": n,
                "label": p.label,
                "article_ids": json.dumps(list(p.article_ids)),
                "terms": json.dumps([[t, w] for t, w in p.terms]),
                "headline": p.headline,
                "summary": json.dumps(list(p.summary)),
                "label_articles": p.label_articles,
            }
            for n, p in enumerate(stories)
        ]
        with self.engine.begin() as conn:
            conn.execute(sa.delete(stories_table).where(stories_table.c.day == day.isoformat()))
            if rows:
                conn.execute(sa.insert(stories_table), rows)

    def stories_between(self, first: dt.date, last: dt.date) -> list[PriorStory]:
        """Stories recorded for the days first..last (inclusive), by day then rank."""
        query = (
            sa.select(stories_table)
            .where(stories_table.c.day >= first.isoformat(), stories_table.c.day <= last.isoformat())
            .order_by(stories_table.c.day, stories_table.c.position)
        )
        with self.engine.connect() as conn:
            return [_row_to_prior(r) for r in conn.execute(query)]

    def story_versions(self, story_ids: Sequence[str], before: dt.date) -> list[PriorStory]:
        """Every recorded day of these stories before the given day, by story id then day."""
        out: list[PriorStory] = []
        ids = sorted(set(story_ids))
        with self.engine.connect() as conn:
            for start in range(0, len(ids), ID_BATCH):
                query = sa.select(stories_table).where(
                    stories_table.c.story_id.in_(ids[start : start + ID_BATCH]),
                    stories_table.c.day < before.isoformat(),
                )
                out += [_row_to_prior(r) for r in conn.execute(query)]
        return sorted(out, key=lambda p: (p.story_id, p.day))
