"""Sentences and words: the one place that knows NLTK.

Sentence splitting uses NLTK's Punkt algorithm with parameters the project ships in
``digest/data/punkt_<language>.json`` (made by ``scripts/train_punkt.py``), so nothing is ever
downloaded. Words are Treebank-style tokens (``NLTKWordTokenizer``, which needs no data), stems
come from the Snowball stemmer and stop words from sumy's lists.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from importlib import resources

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
from sumy.utils import get_stop_words

__all__ = [
    "SumyTokenizer",
    "normalize_space",
    "paragraphs",
    "sentence_spans",
    "split_sentences",
    "stem",
    "stop_words",
    "tokenize_words",
]

# Languages with both a Snowball stemmer and a sumy stop-word list; others fall back to English
# stop words with no stemming so summaries still work (less well).
SUPPORTED_LANGUAGES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "ru": "russian",
    "sv": "swedish",
    "fi": "finnish",
    "hu": "hungarian",
    "ro": "romanian",
    "no": "norwegian",
    "da": "danish",
}
_WORD_RE = re.compile(r"\w")
_PARAGRAPH_RE = re.compile(r"\n\s*\n")
_SPACE_RE = re.compile(r"\s+")
_WORDS = NLTKWordTokenizer()


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _SPACE_RE.sub(" ", text).strip()


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (blank-line separated), whitespace collapsed, empties dropped."""
    return [p for p in (normalize_space(x) for x in _PARAGRAPH_RE.split(text)) if p]


@functools.cache
def _punkt(language: str) -> PunktSentenceTokenizer:
    name = language if resources.files("digest.data").joinpath(f"punkt_{language}.json").is_file() else "english"
    raw = json.loads(resources.files("digest.data").joinpath(f"punkt_{name}.json").read_text("utf-8"))
    params = PunktParameters()
    params.abbrev_types = set(raw["abbrev_types"])
    params.collocations = {tuple(c) for c in raw["collocations"]}
    params.sent_starters = set(raw["sent_starters"])
    for word, flags in raw["ortho_context"].items():
        params.ortho_context[word] = flags
    return PunktSentenceTokenizer(params)


def sentence_spans(paragraph: str, language: str = "english") -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the sentences of one paragraph."""
    return iter(_punkt(language).span_tokenize(paragraph))


def split_sentences(text: str, language: str = "english") -> list[str]:
    """The sentences of a text, paragraph by paragraph, each with whitespace collapsed."""
    out: list[str] = []
    for para in paragraphs(text):
        out.extend(s for s in _punkt(language).tokenize(para) if s.strip())
    return out


def tokenize_words(sentence: str) -> list[str]:
    """Treebank-style word tokens of a sentence, punctuation-only tokens dropped."""
    return [w for w in _WORDS.tokenize(sentence) if _WORD_RE.search(w)]


@functools.cache
def _stemmer(language: str) -> SnowballStemmer | None:
    return SnowballStemmer(language) if language in SUPPORTED_LANGUAGES.values() else None


@functools.lru_cache(maxsize=200_000)
def stem(word: str, language: str = "english") -> str:
    """The Snowball stem of a lower-cased word (the word itself where no stemmer exists)."""
    stemmer = _stemmer(language)
    lowered = word.lower()
    return stemmer.stem(lowered) if stemmer else lowered


@functools.cache
def stop_words(language: str = "english") -> frozenset[str]:
    """sumy's stop words for the language (English ones where sumy has none)."""
    try:
        return frozenset(get_stop_words(language))
    except LookupError:
        return frozenset(get_stop_words("english"))


def sumy_language(code: str) -> str:
    """sumy/NLTK language name for an ISO 639-1 code ('english' for unknown codes)."""
    return SUPPORTED_LANGUAGES.get(code, "english")


class SumyTokenizer:
    """The tokenizer shape sumy expects, backed by the shipped Punkt parameters."""

    def __init__(self, language: str = "english") -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """Sentences of a paragraph."""
        return tuple(split_sentences(paragraph, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Word tokens of a sentence."""
        return tuple(tokenize_words(sentence))
