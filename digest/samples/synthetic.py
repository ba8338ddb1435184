"""A synthetic day of any size, built straight from records (no ingestion), for render tests and benchmarks.

The text is generated from small word lists written for digest; it reads like news copy in shape
(lengths, outlets, links) without being news. Same arguments, same Briefing.
"""

from __future__ import annotations

import datetime as dt
import random

from ..models import Article, Briefing, Story, SummarySentence

__all__ = ["synthetic_briefing"]

OUTLETS = (
    "Meridian Wire",
    "Harbour Herald",
    "Civic Ledger",
    "Valley Courier",
    "Northgate Times",
    "Eastern Standard",
    "Coastline Post",
    "Lakeside Gazette",
    "Capital Dispatch",
)
PLACES = ("Valoria", "Lusan", "Brask", "Wexby", "Tollmere", "Ashbury", "Kivara", "Montvale", "Glenmoor", "Duvenia")
SUBJECTS = ("council", "central bank", "port authority", "rail operator", "health ministry", "court", "union", "museum")
VERBS = ("approved", "delayed", "announced", "rejected", "expanded", "reviewed", "funded", "cancelled")
OBJECTS = (
    "a budget",
    "a new bridge",
    "the strike talks",
    "a flood fund",
    "a vaccine trial",
    "a rate rise",
    "a timetable",
)
# 9 outlets and 1-8 articles per story give the spread of story sizes the chart has to show.
MAX_ARTICLES = 8


def _sentence(rng: random.Random, place: str) -> str:
    n = rng.randint(2, 90)
    return (
        f"The {rng.choice(SUBJECTS)} in {place} {rng.choice(VERBS)} {rng.choice(OBJECTS)} on Monday, "
        f"officials said, after {n} days of talks that {rng.choice(VERBS)} {rng.choice(OBJECTS)}."
    )


def synthetic_briefing(day: dt.date, stories: int = 100, seed: int = 0, singles: int = 0) -> Briefing:
    """A Briefing of `stories` multi-article stories plus `singles` one-article ones."""
    rng = random.Random(seed)
    made = []
    for i in range(stories + singles):
        place = PLACES[i % len(PLACES)]
        size = 1 if i >= stories else rng.randint(2, MAX_ARTICLES)
        articles = []
        for j in range(size):
            outlet = OUTLETS[(i + j * 2) % len(OUTLETS)]
            slug = f"{place.lower()}-{i}-{j}"
            articles.append(
                Article(
                    id=f"a{i:03d}{j}",
                    title=f"{place} {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} ({i}.{j})",
                    text="\n\n".join(_sentence(rng, place) for _ in range(6)),
                    outlet=outlet,
                    url=f"https://{outlet.split()[0].lower()}.example/{day.isoformat()}/{slug}",
                    published=dt.datetime.combine(day, dt.time(j % 6, i % 60), tzinfo=dt.UTC) - dt.timedelta(hours=6),
                )
            )
        summary = tuple(
            SummarySentence(articles[k % size].text.split("\n\n")[k], (articles[k % size].id,)) for k in range(4)
        )
        made.append(
            Story(
                id=f"st{i:03d}",
                label=f"{place} · {SUBJECTS[i % len(SUBJECTS)].title()} {i}",
                headline=articles[0].title,
                articles=tuple(articles),
                summary=summary,
                status="developing" if i % 4 == 1 else "new",
                score=float(stories + singles - i),
            )
        )
    return Briefing(day=day, title="Morning briefing", stories=tuple(made))
