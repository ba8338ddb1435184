"""A story to its extractive summary (pure): every sentence is a sentence of a source article.

Holds: ``summarize`` (candidate sentences, the table of methods: the default coverage method,
sumy's summarizers and the project's fast LexRank; the one place that knows sumy), ``select``
(the default method: concept coverage with redundancy checks) and ``lexrank`` (a fast LexRank,
checked against sumy's).

May import: ``digest.models``, ``digest.errors``, ``digest.config`` and ``digest.text``.
"""

from __future__ import annotations

from .select import CoverageSettings, Pick, select_sentences
from .summarize import DEFAULT_METHOD, METHODS, Candidate, candidate_sentences, summarize_story

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "Candidate",
    "CoverageSettings",
    "Pick",
    "candidate_sentences",
    "select_sentences",
    "summarize_story",
]
