"""Articles to stories: grouping, a label and a headline for each (pure).

TF-IDF vectors of each article's stemmed content words (title counted twice), cosine
similarity, and average-link agglomerative clustering cut at a distance threshold, so the
number of stories is found, not given.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.feature_extraction.text import TfidfVectorizer

from .models import Article
from .text import split_sentences, stem, stop_words, tokenize_words

__all__ = ["cluster_articles", "label_story", "pick_headline", "story_id"]

# Average cosine distance above which two groups are different stories. Chosen on the seed page
# and the sample day (tests/test_cluster.py): related-but-distinct stories sit near 0.9.
DISTANCE_THRESHOLD = 0.85
TITLE_WEIGHT = 2  # the title names the event; count its words twice
ENTITY_WEIGHT = 2  # names carry the story: on the seed page they double the same-story margin
ENTITY_PREFIX = 5  # "Russia"/"Russian", "Ukraine"/"Ukrainian" share a 5-letter prefix
_CAPS_RE = re.compile(
    r"\b(?:[A-Z][\w'’.-]*[a-z0-9]\w*|[A-Z]{2,})(?:\s+(?:of\s+|the\s+|de\s+)?(?:[A-Z][\w'’.-]*\w|[A-Z]{2,}))*"
)


def _entities(article: Article) -> list[str]:
    """Capitalised words that are not sentence-initial: names of people, places, bodies."""
    stops = stop_words()
    out = []
    for sentence in split_sentences(article.text):
        for word in tokenize_words(sentence)[1:]:
            if word[:1].isupper() and len(word) > 2 and word.lower() not in stops:
                out.append("E:" + word.lower()[:ENTITY_PREFIX])
    return out


def _terms(article: Article) -> list[str]:
    stops = stop_words()
    words = tokenize_words(article.title) * TITLE_WEIGHT + tokenize_words(article.text)
    terms = [stem(w) for w in words if w.lower() not in stops and len(w) > 1 and not w.isdigit()]
    return terms + _entities(article) * ENTITY_WEIGHT


def cluster_articles(articles: Sequence[Article]) -> list[list[Article]]:
    """Group articles into stories; groups and their members keep the input order."""
    if len(articles) <= 1:
        return [list(articles)] if articles else []
    vectors = TfidfVectorizer(analyzer=_terms, sublinear_tf=True).fit_transform(articles)
    distance = np.clip(1.0 - (vectors @ vectors.T).toarray(), 0.0, 2.0)
    condensed = distance[np.triu_indices(len(articles), k=1)]
    labels = fcluster(linkage(condensed, method="average"), t=DISTANCE_THRESHOLD, criterion="distance")
    groups: dict[int, list[Article]] = {}
    for article, label in zip(articles, labels, strict=True):
        groups.setdefault(int(label), []).append(article)
    return list(groups.values())


def story_id(articles: Sequence[Article]) -> str:
    """A stable id for a story: derived from its earliest article."""
    first = min(articles, key=lambda a: (a.published.isoformat() if a.published else "", a.id))
    return hashlib.sha256(f"story:{first.id}".encode()).hexdigest()[:12]


def _phrases(article: Article) -> set[str]:
    """Capitalised phrases (names, places, organisations) of an article, not sentence-initial only."""
    found = set()
    for text in (article.title, article.text):
        for m in _CAPS_RE.finditer(text):
            phrase = m.group(0).strip(" .'’")
            if phrase.lower() not in stop_words() and len(phrase) > 2:
                found.add(phrase)
    return found


def label_story(story: Sequence[Article], day: Sequence[Article]) -> str:
    """A short topic phrase: the story's most distinctive names and terms."""
    in_story = Counter(p for a in story for p in _phrases(a))
    in_day = Counter(p for a in day for p in _phrases(a))
    n_day = max(len(day), 1)

    def score(phrase: str) -> float:
        coverage = in_story[phrase] / len(story)
        rarity = np.log((1 + n_day) / (1 + in_day[phrase] - in_story[phrase] + 0.5))
        return coverage * rarity

    ranked = sorted(in_story, key=lambda p: (-score(p), p))
    chosen: list[str] = []
    for phrase in ranked:
        if any(phrase.lower() in c.lower() or c.lower() in phrase.lower() for c in chosen):
            continue
        chosen.append(phrase)
        if len(chosen) == 2:
            break
    if not chosen:
        return " ".join(story[0].title.split()[:4])
    return " · ".join(chosen)


def pick_headline(story: Sequence[Article]) -> Article:
    """The story's most central article (the one whose title names the story best)."""
    if len(story) <= 2:
        return min(story, key=lambda a: (-len(a.text), a.id)) if len(story) == 2 else story[0]
    vectors = TfidfVectorizer(analyzer=_terms, sublinear_tf=True).fit_transform(story)
    centrality = np.asarray((vectors @ vectors.T).sum(axis=1)).ravel()
    best = max(range(len(story)), key=lambda i: (round(float(centrality[i]), 9), -i))
    return story[best]
