"""A story's articles to an extractive, attributed summary (pure); the one place that knows sumy.

Every summary sentence is a sentence of an article, verbatim (a leading dateline may be cut
off), carrying the ids of the articles it appears in. Methods are selected by name:

- ``default``: the project's own coverage-based selector (``digest.summaries.select``), the best on DUC 2004
  and the fastest (README, "Summaries");
- ``lexrank``: LexRank reimplemented on sparse matrices (``digest.summaries.lexrank``), ranking sentences
  exactly as sumy's ``LexRankSummarizer`` does, in a tenth of the time; ``sumy-lexrank`` is sumy's
  own;
- ``textrank``, ``lsa``, ``luhn``, ``edmundson``, ``kl``, ``sumbasic``, ``reduction``: sumy's
  summarizers, each a callable of sumy's shape ``summarizer(document, count)``.

sumy (and with it the whole ``nltk`` package and numpy) is imported only when a sumy method is
used: ``digest summarize`` with the default method starts in a fraction of that time
(benchmarks/bench_summarize.py).
"""

from __future__ import annotations

import importlib
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import Article, SummarySentence, Told
from ..text import (
    ENDS_SENTENCE_RE,
    SumyTokenizer,
    load_full_nltk,
    split_sentences,
    stemmer,
    stop_words,
    strip_dateline,
    sumy_language,
    tokenize_words,
    word_tokens,
)
from .coverage import BYLINE_RE
from .select import select_sentences

__all__ = ["DEFAULT_METHOD", "METHODS", "Candidate", "candidate_sentences", "summarize_story"]

LOGGER = logging.getLogger(__name__)

# sumy's summarizers by method name: (module, class), imported on first use.
_SUMY = {
    "sumy-lexrank": ("sumy.summarizers.lex_rank", "LexRankSummarizer"),
    "textrank": ("sumy.summarizers.text_rank", "TextRankSummarizer"),
    "lsa": ("sumy.summarizers.lsa", "LsaSummarizer"),
    "luhn": ("sumy.summarizers.luhn", "LuhnSummarizer"),
    "edmundson": ("sumy.summarizers.edmundson", "EdmundsonSummarizer"),
    "kl": ("sumy.summarizers.kl", "KLSummarizer"),
    "sumbasic": ("sumy.summarizers.sum_basic", "SumBasicSummarizer"),
    "reduction": ("sumy.summarizers.reduction", "ReductionSummarizer"),
}
DEFAULT_METHOD = "default"
METHODS: tuple[str, ...] = (DEFAULT_METHOD, "lexrank", *sorted(_SUMY))

MIN_SENTENCE_WORDS = 6  # ranking methods: shorter "sentences" are captions, bylines or fragments
MAX_SENTENCE_WORDS = 60  # longer ones are run-ons from pages that lost their punctuation
# What sumy's numeric code raises on degenerate input (e.g. LexRank's 0/0 when no two sentences
# share a content word): the story then gets its first sentences instead.
_SUMY_FAILURES = (ArithmeticError, RuntimeWarning, ValueError)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that may go into a summary, and where it comes from."""

    text: str
    article_index: int  # index into the story's articles
    position: int  # sentence number within its article


def candidate_sentences(articles: Sequence[Article], language: str = "english") -> list[Candidate]:
    """Sentences fit for a ranking method: whole, of sensible length, not a byline or caption."""
    out = []
    for i, article in enumerate(articles):
        for pos, sentence in enumerate(split_sentences(article.text, language)):
            text = strip_dateline(sentence)
            n_words = len(text.split())
            if not MIN_SENTENCE_WORDS <= n_words <= MAX_SENTENCE_WORDS:
                continue
            if not ENDS_SENTENCE_RE.search(text) or BYLINE_RE.match(text):
                continue
            out.append(Candidate(text, i, pos))
    return out


def _fit(order: Sequence[int], lengths: Sequence[int], words: int, fill: bool) -> tuple[list[int], int | None]:
    """Best-first sentences that fit in ``words`` words, and (``fill``) the best one that did not."""
    chosen, total, extra = [], 0, None
    for k in order:
        if total + lengths[k] <= words:
            chosen.append(k)
            total += lengths[k]
        elif extra is None:
            extra = k
    return chosen, (extra if fill and total < words else None)


def _sumy_summarizer(method: str, language: str, articles: Sequence[Article]) -> Any:
    load_full_nltk()  # sumy reaches into the `nltk` package; give it the real one
    module, name = _SUMY[method]
    stemmer_class = importlib.import_module("sumy.nlp.stemmers").Stemmer
    summarizer = getattr(importlib.import_module(module), name)(stemmer_class(language))
    summarizer.stop_words = stop_words(language)
    if method == "edmundson":
        # Edmundson needs cue words: the story's title words are bonus words, stop words null.
        summarizer.bonus_words = tuple(
            sorted({w.lower() for a in articles for w in tokenize_words(a.title)} - stop_words(language))
        )
        summarizer.stigma_words = ("reportedly", "allegedly", "advertisement")
        summarizer.null_words = tuple(sorted(stop_words(language)))
    return summarizer


def _rank_sumy(method: str, language: str, articles: Sequence[Article], texts: list[str], pick: Callable) -> list[int]:
    """Indices of ``texts`` that sumy's summarizer picks (``pick`` is sumy's count callable)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = SumyTokenizer(language)
    sentences = [Sentence(text, tokenizer) for text in texts]
    index = {id(s): k for k, s in enumerate(sentences)}
    summarizer = _sumy_summarizer(method, language, articles)
    import numpy as np

    try:
        with warnings.catch_warnings(), np.errstate(all="raise"):
            warnings.simplefilter("error", RuntimeWarning)
            picked = summarizer(ObjectDocumentModel([Paragraph(sentences)]), pick)
    except _SUMY_FAILURES as exc:
        LOGGER.info("sumy %s failed on this story (%s); using its first sentences", method, exc)
        return []
    return [index[id(s)] for s in picked]


def summarize_story(
    articles: Sequence[Article],
    *,
    words: int | None = 100,
    sentences: int | None = None,
    method: str = DEFAULT_METHOD,
    fill: bool = False,
    told: Told | None = None,
) -> tuple[SummarySentence, ...]:
    """The story's summary within a word (or sentence) budget, in reading order.

    Reading order is by article time, then article, then position. ``told`` (a developing story:
    what earlier editions printed and the articles earlier days had) makes the default method write
    an update summary: what today adds first, in reading order, then any context, in reading order
    (the other methods ignore it). ``fill=True`` (word budget
    only) adds one more sentence past the budget, last, so that the first ``words`` words are
    full (what ``digest summarize --words N`` and the DUC evaluation use); the briefing keeps a
    hard budget. Raises ValueError for an unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown summary method {method!r}; choose one of {', '.join(METHODS)}")
    if not articles:
        return ()
    if sentences is not None:
        words = None
    elif words is None:
        words = 100
    language = sumy_language(articles[0].language)
    if method == DEFAULT_METHOD:
        picks = select_sentences(
            [split_sentences(a.text, language) for a in articles],
            words=words,
            sentences=sentences,
            tokenize=word_tokens,
            stem=stemmer(language),
            stop_words=stop_words(language),
            fill=fill,
            told=told.sentences if told else (),
            known=[split_sentences(a.text, sumy_language(a.language)) for a in told.articles] if told else (),
        )
        chosen = [Candidate(p.text, p.doc, p.index) for p in picks if not p.fill and not p.context]
        context = [Candidate(p.text, p.doc, p.index) for p in picks if not p.fill and p.context]
        extra = [Candidate(p.text, p.doc, p.index) for p in picks if p.fill]
    else:
        chosen, extra = _rank_candidates(method, language, articles, words, sentences, fill)
        context = []
    reading = lambda c: _reading_key(articles, c)  # noqa: E731
    ordered = sorted(chosen, key=reading) + sorted(context, key=reading) + extra
    return tuple(SummarySentence(c.text, _attribution(articles, c)) for c in ordered)


def _rank_candidates(
    method: str, language: str, articles: Sequence[Article], words: int | None, sentences: int | None, fill: bool
) -> tuple[list[Candidate], list[Candidate]]:
    """A ranking method's picks (and fill sentence) among the candidate sentences."""
    candidates = candidate_sentences(articles, language)
    if not candidates:  # very short articles: fall back to every sentence
        candidates = [
            Candidate(strip_dateline(s), i, p)
            for i, a in enumerate(articles)
            for p, s in enumerate(split_sentences(a.text, language))
        ]
    first_seen: dict[str, Candidate] = {}
    for c in candidates:
        first_seen.setdefault(c.text, c)
    unique = list(first_seen.values())
    lengths = [len(c.text.split()) for c in unique]
    lead = list(range(len(unique)))  # reading order of the articles as given

    def budget(order: Sequence[int]) -> tuple[list[int], int | None]:
        if sentences is not None:
            return list(order[:sentences]), None
        return _fit(order, lengths, words or 0, fill)

    if method == "lexrank":
        from .lexrank import rank_lexrank, top_sentences

        scores = rank_lexrank(
            [tokenize_words(c.text) for c in unique],
            stem=stemmer(language),
            stop_words=stop_words(language),
        )
        picked, extra = budget(top_sentences(scores))
    else:
        fills: list[int] = []

        def pick(infos: list) -> list:  # sumy's count: infos best-rated first
            by_text = {str(info.sentence): info for info in infos}
            chosen, extra = budget([first_index[t] for t in by_text])
            fills.extend([] if extra is None else [extra])
            keep = {unique[k].text for k in chosen}
            return [info for info in infos if str(info.sentence) in keep]

        first_index = {c.text: k for k, c in enumerate(unique)}
        picked = _rank_sumy(method, language, articles, [c.text for c in unique], pick)
        extra = fills[0] if fills and picked else None
        if not picked:
            picked, extra = budget(lead)
    return [unique[k] for k in picked], ([] if extra is None else [unique[extra]])


def _reading_key(articles: Sequence[Article], c: Candidate) -> tuple[str, int, int]:
    published = articles[c.article_index].published
    return (published.isoformat() if published else "", c.article_index, c.position)


def _attribution(articles: Sequence[Article], first: Candidate) -> tuple[str, ...]:
    """The quoted article first, then every other article that carries the same sentence."""
    ids = [articles[first.article_index].id]
    ids += [a.id for i, a in enumerate(articles) if i != first.article_index and first.text in a.text]
    return tuple(dict.fromkeys(ids))
