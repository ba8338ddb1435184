"""The one text contract every stage analyses articles with: words, sentences, stems, stop words,
datelines and language detection.

Holds: ``tokens`` (the word tokenisers, each a named variant, and why they differ), ``nlp``
(paragraphs, Punkt sentences, Treebank-style words, Snowball stems and the one stem cache, stop
words, the sumy tokenizer; the one place that knows NLTK), ``punkt`` (a fast exact Punkt),
``english_stem`` (a fast exact English Snowball), ``sentences`` (where a sentence ends, by
pattern), ``datelines`` (the one dateline rule), ``language`` (which language an article is in)
and ``days`` (how the briefing writes a day).

May import: ``digest.models``, ``digest.errors``, ``digest.config`` and third-party libraries;
nothing else of digest (every other stage imports this one).
"""

from __future__ import annotations

from .datelines import SENTENCE_START_RE, strip_dateline
from .days import format_day
from .english_stem import stem_english
from .language import detect_language, normalise_code
from .nlp import (
    SUPPORTED_LANGUAGES,
    SumyTokenizer,
    load_full_nltk,
    normalize_space,
    paragraphs,
    sentence_spans,
    split_sentences,
    stem,
    stemmer,
    stop_words,
    sumy_language,
    tokenize_words,
)
from .punkt import FastPunkt
from .sentences import ENDS_SENTENCE_RE, SENTENCE_END_RE
from .tokens import ABBREVIATIONS, HONORIFICS, letter_words, scan_tokens, shingle_words, word_tokens

__all__ = [
    "ABBREVIATIONS",
    "ENDS_SENTENCE_RE",
    "HONORIFICS",
    "SENTENCE_END_RE",
    "SENTENCE_START_RE",
    "SUPPORTED_LANGUAGES",
    "FastPunkt",
    "SumyTokenizer",
    "detect_language",
    "format_day",
    "letter_words",
    "load_full_nltk",
    "normalise_code",
    "normalize_space",
    "paragraphs",
    "scan_tokens",
    "sentence_spans",
    "shingle_words",
    "split_sentences",
    "stem",
    "stem_english",
    "stemmer",
    "stop_words",
    "strip_dateline",
    "sumy_language",
    "tokenize_words",
    "word_tokens",
]
