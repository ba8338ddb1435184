"""Articles to stories: grouping, a label and a headline for each (pure).

TF-IDF vectors of each article's stemmed content words (title counted twice), cosine
similarity, and average-link agglomerative clustering cut at a distance threshold, so the
number of stories is found, not given.
"""

from __future__ import annotations

import hashlib
import math
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
LABEL_TITLE_WEIGHT = 3  # a word in a headline says more about the story than one in the body


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


def _label_terms(article: Article) -> tuple[Counter[str], Counter[str], dict[str, str]]:
    """Counts of entity words and topic words (title counted thrice), and each key's surface form."""
    stops = stop_words()
    entities: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for weight, sentences in ((LABEL_TITLE_WEIGHT, [article.title]), (1, split_sentences(article.text))):
        for sentence in sentences:
            for i, word in enumerate(tokenize_words(sentence)):
                lowered = word.lower()
                if lowered in stops or len(word) < 3 or not word.isalpha():
                    continue
                key = lowered if word[:1].isupper() else stem(lowered)
                if (word[:1].isupper() and (i > 0 or weight > 1) and not word.isupper()) or (
                    word.isupper() and len(word) <= 4
                ):
                    entities["E:" + key] += weight
                    surface.setdefault("E:" + key, word)
                elif word.islower():
                    topics[key] += weight
                    surface.setdefault(key, lowered)
    return entities, topics, surface


def label_story(story: Sequence[Article], day: Sequence[Article]) -> str:
    """A short topic phrase ("Gaza aid", "UN peacekeeping"): the story's most distinctive name and topic word."""
    story_ids = {a.id for a in story}
    per_article = {a.id: _label_terms(a) for a in day}
    for a in story:
        per_article.setdefault(a.id, _label_terms(a))
    surface: dict[str, str] = {}
    for a in story:
        for key, word in per_article[a.id][2].items():
            surface.setdefault(key, word)

    def best(kind: int) -> str | None:
        weight: Counter[str] = Counter()
        for a in story:
            weight.update(per_article[a.id][kind])
        outside = Counter(k for aid, t in per_article.items() if aid not in story_ids for k in t[kind])
        n_out = max(1, len(per_article) - len(story))
        scored = {k: w * math.log((n_out + 1) / (outside[k] + 0.5)) for k, w in weight.items()}
        ranked = sorted(scored, key=lambda k: (-scored[k], k))
        return ranked[0] if ranked else None

    parts = [surface[k] for k in (best(0), best(1)) if k]
    if not parts:
        return " ".join(story[0].title.split()[:4])
    return " ".join(parts[:1] + [p for p in parts[1:] if p.lower() not in parts[0].lower()])


def pick_headline(story: Sequence[Article]) -> Article:
    """The story's most central article (the one whose title names the story best)."""
    if len(story) <= 2:
        return min(story, key=lambda a: (-len(a.text), a.id)) if len(story) == 2 else story[0]
    vectors = TfidfVectorizer(analyzer=_terms, sublinear_tf=True).fit_transform(story)
    centrality = np.asarray((vectors @ vectors.T).sum(axis=1)).ravel()
    best = max(range(len(story)), key=lambda i: (round(float(centrality[i]), 9), -i))
    return story[best]
