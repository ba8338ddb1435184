"""A story's articles to an extractive, attributed summary (pure); the one place that knows sumy.

Every summary sentence is a sentence of an article, verbatim, carrying the ids of the articles
it appears in. Methods are selected by name; each is a callable of sumy's shape,
``summarizer(document, count)``, where ``count`` may be a word budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import ItemsCount

from .models import Article, SummarySentence
from .text import SumyTokenizer, split_sentences, stop_words, sumy_language, tokenize_words

__all__ = ["DEFAULT_METHOD", "METHODS", "Candidate", "candidate_sentences", "summarize_story"]

_SUMY = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "edmundson": EdmundsonSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
    "reduction": ReductionSummarizer,
}
DEFAULT_METHOD = "lexrank"
METHODS: tuple[str, ...] = tuple(sorted(_SUMY))

MIN_SENTENCE_WORDS = 6  # shorter "sentences" are captions, bylines or fragments
MAX_SENTENCE_WORDS = 60  # longer ones are run-ons from pages that lost their punctuation
_TERMINAL_RE = re.compile(r"""[.!?]['"”’)\]]*$""")
_BYLINE_RE = re.compile(r"^(?:by\s+[A-Z]|photo:|image:|caption:|file photo|\(?(?:ap|reuters|afp) photo)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that may go into a summary, and where it comes from."""

    text: str
    article_index: int  # index into the story's articles
    position: int  # sentence number within its article


def candidate_sentences(articles: Sequence[Article], language: str = "english") -> list[Candidate]:
    """Sentences fit for a summary: whole, of sensible length, not a byline or caption."""
    out = []
    for i, article in enumerate(articles):
        for pos, sentence in enumerate(split_sentences(article.text, language)):
            n_words = len(sentence.split())
            if not MIN_SENTENCE_WORDS <= n_words <= MAX_SENTENCE_WORDS:
                continue
            if not _TERMINAL_RE.search(sentence) or _BYLINE_RE.match(sentence):
                continue
            out.append(Candidate(sentence, i, pos))
    return out


def _word_budget(words: int, lengths: dict[Sentence, int]) -> Callable[[list], list]:
    """A sumy ``count``: the best-rated sentences that fit in ``words`` words together."""

    def pick(infos: list) -> list:
        chosen, total = [], 0
        for info in infos:
            n = lengths[info.sentence]
            if total + n <= words:
                chosen.append(info)
                total += n
        return chosen

    return pick


def _sumy_summarizer(method: str, language: str, articles: Sequence[Article]) -> Callable:
    summarizer = _SUMY[method](Stemmer(language))
    summarizer.stop_words = stop_words(language)
    if method == "edmundson":
        # Edmundson needs cue words: the story's title words are bonus words, stop words null.
        summarizer.bonus_words = tuple(
            {w.lower() for a in articles for w in tokenize_words(a.title)} - stop_words(language)
        )
        summarizer.stigma_words = ("reportedly", "allegedly", "advertisement")
        summarizer.null_words = tuple(stop_words(language))
    return summarizer


def summarize_story(
    articles: Sequence[Article],
    *,
    words: int | None = 100,
    sentences: int | None = None,
    method: str = DEFAULT_METHOD,
) -> tuple[SummarySentence, ...]:
    """The story's summary within a word (or sentence) budget, in reading order.

    Raises ValueError for an unknown method.
    """
    if method not in _SUMY:
        raise ValueError(f"unknown summary method {method!r}; choose one of {', '.join(METHODS)}")
    if not articles:
        return ()
    language = sumy_language(articles[0].language)
    candidates = candidate_sentences(articles, language)
    if not candidates:  # very short articles: fall back to every sentence
        candidates = [
            Candidate(s, i, p) for i, a in enumerate(articles) for p, s in enumerate(split_sentences(a.text, language))
        ]
    tokenizer = SumyTokenizer(language)
    first_seen: dict[str, Candidate] = {}
    for c in candidates:
        first_seen.setdefault(c.text, c)
    sumy_sentences = [Sentence(text, tokenizer) for text in first_seen]
    document = ObjectDocumentModel([Paragraph(sumy_sentences)])
    summarizer = _sumy_summarizer(method, language, articles)
    if sentences is not None:
        count: Callable | ItemsCount = ItemsCount(sentences)
    else:
        count = _word_budget(words or 100, {s: len(str(s).split()) for s in sumy_sentences})
    picked = [str(s) for s in summarizer(document, count)]
    ordered = sorted(picked, key=lambda t: _reading_key(articles, first_seen[t]))
    return tuple(SummarySentence(t, _attribution(articles, first_seen[t], t)) for t in ordered)


def _reading_key(articles: Sequence[Article], c: Candidate) -> tuple[str, int, int]:
    published = articles[c.article_index].published
    return (published.isoformat() if published else "", c.article_index, c.position)


def _attribution(articles: Sequence[Article], first: Candidate, text: str) -> tuple[str, ...]:
    """The quoted article first, then every other article that carries the same sentence."""
    ids = [articles[first.article_index].id]
    ids += [a.id for i, a in enumerate(articles) if i != first.article_index and text in a.text]
    return tuple(dict.fromkeys(ids))
