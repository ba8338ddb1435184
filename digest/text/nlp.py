"""Sentences and words: the one place that knows NLTK.

Sentence splitting uses NLTK's Punkt algorithm with parameters the project ships in
``digest/data/punkt_<language>.json`` (made by ``scripts/train_punkt.py``), so nothing is ever
downloaded. ``digest.text.punkt`` makes Punkt's decisions with that tokenizer's own patterns and
parameters, giving exactly its spans three to four times faster (NLTK's ``span_tokenize`` is the
fallback), and a paragraph's spans are remembered: ingest splits an article's first paragraph
for its title, and summarising splits it again. Words are Treebank-style tokens
(``NLTKWordTokenizer``, which needs no data) or, where speed matters more than punctuation
detail, runs of letters and digits (``word_tokens``); stems come from the Snowball stemmer (for
English ``digest.text.english_stem``: the same stems, faster) and stop words from sumy's lists.

Start-up cost: ``import nltk`` runs ``nltk/__init__.py``, which imports most of NLTK plus
scipy.stats and scikit-learn (2-3 s on the shared 2-core machine; ``python -X importtime``).
``digest summarize`` must start in a fraction of that (benchmarks/bench_summarize.py), so
``_import_nltk_light`` loads only Punkt under empty package objects for ``nltk``,
``nltk.tokenize``, ``nltk.stem`` and ``nltk.corpus``, without running their ``__init__`` files
(~0.1 s); the Treebank tokenizer and the Snowball stemmer (for languages other than English)
come the same way on first use (``_nltk_module``: English summaries need neither, ~0.03 s
less). NLTK's own regex safeguard (``nltk.redos``: a timeout on every match) stays in place for
the Treebank tokenizer and the stemmer; digest.text.punkt calls Punkt's fixed, linear patterns
directly. If anything about that fails (another NLTK layout), the ordinary import is used
instead: slower, same results. Code that needs the whole ``nltk`` package (sumy's
``import nltk``) gets it through ``load_full_nltk``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import pkgutil
import re
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from typing import Any

from .english_stem import stem_english
from .punkt import FastPunkt

__all__ = [
    "SumyTokenizer",
    "load_full_nltk",
    "normalize_space",
    "paragraphs",
    "sentence_spans",
    "split_sentences",
    "stem",
    "stemmer",
    "stop_words",
    "sumy_language",
    "tokenize_words",
]

LOGGER = logging.getLogger(__name__)

# The package objects stood in for by _import_nltk_light (their __init__ is what is slow).
_NLTK_PACKAGES = ("nltk", "nltk.tokenize", "nltk.stem", "nltk.corpus")
_STUB_MARK = "__digest_light_stub__"


def _complete_on_access(package: str, attr: str) -> Any:
    """A stand-in package asked for something it lacks: load the real NLTK and answer from it."""
    if attr.startswith("__"):
        raise AttributeError(attr)
    if importlib.util.find_spec(f"{package}.{attr}") is not None:  # a submodule: `from nltk import redos`
        return importlib.import_module(f"{package}.{attr}")
    load_full_nltk()
    return getattr(sys.modules[package], attr)


def _import_nltk_light() -> Any:
    """Punkt's module without running nltk/__init__ (the stand-ins stay for ``_nltk_module``)."""
    if "nltk" not in sys.modules:
        spec = importlib.util.find_spec("nltk")
        if spec is not None and spec.submodule_search_locations:
            root = next(iter(spec.submodule_search_locations))
            for name in _NLTK_PACKAGES:
                sub = name.partition(".")[2]
                stub = types.ModuleType(name)
                stub.__path__ = [os.path.join(root, sub) if sub else root]
                stub.__package__ = name
                stub.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
                stub.__spec__.submodule_search_locations = stub.__path__
                setattr(stub, _STUB_MARK, True)
                stub.__getattr__ = functools.partial(_complete_on_access, name)  # type: ignore[method-assign]
                sys.modules[name] = stub
            # snowball.py does `from nltk.corpus import stopwords`, used only with
            # ignore_stopwords=True (never here); the real corpus loader comes with load_full_nltk.
            sys.modules["nltk.corpus"].stopwords = None  # type: ignore[attr-defined]
            try:
                return importlib.import_module("nltk.tokenize.punkt")
            except Exception:  # another NLTK layout: forget the stubs, take the ordinary import
                for name in [n for n in sys.modules if n == "nltk" or n.startswith("nltk.")]:
                    del sys.modules[name]
    return importlib.import_module("nltk.tokenize.punkt")


_punkt = _import_nltk_light()


@functools.cache
def _nltk_module(name: str) -> Any:
    """An NLTK module off the default path (Treebank words; Snowball beyond English), on first use."""
    try:
        return importlib.import_module(name)
    except Exception:  # the light stand-ins cannot carry it: the whole package, then the module
        load_full_nltk()
        return importlib.import_module(name)


def load_full_nltk() -> types.ModuleType:
    """The complete ``nltk`` package (its ``__init__`` run), replacing the light stand-ins."""
    stubs = [name for name in _NLTK_PACKAGES if getattr(sys.modules.get(name), _STUB_MARK, False)]
    if not stubs:
        return importlib.import_module("nltk")
    kept = {n: m for n, m in sys.modules.items() if n.startswith("nltk.") and n not in stubs}
    for name in stubs:
        del sys.modules[name]
    nltk = importlib.import_module("nltk")
    for name in stubs:
        importlib.import_module(name)
    # Re-attach the submodules loaded earlier to the real packages (`nltk.stem.snowball` as an
    # attribute chain is how sumy reaches the stemmer).
    for name, module in kept.items():
        parent, _, child = name.rpartition(".")
        if parent in sys.modules and not hasattr(sys.modules[parent], child):
            setattr(sys.modules[parent], child, module)
    snowball = sys.modules.get("nltk.stem.snowball")
    if snowball is not None:  # loaded under the stand-ins: give it the real corpus loader
        snowball.stopwords = sys.modules["nltk.corpus"].stopwords  # type: ignore[attr-defined]
    return nltk


_WORD_RE = re.compile(r"\w")
_PARAGRAPH_RE = re.compile(r"\n\s*\n")

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


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    # str.split() breaks on exactly the characters re's \s matches (str.isspace), several times faster.
    return " ".join(text.split())


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (blank-line separated), whitespace collapsed, empties dropped."""
    return [p for p in (normalize_space(x) for x in _PARAGRAPH_RE.split(text)) if p]


@functools.cache
def _punkt_tokenizer(language: str) -> Any:
    name = language if resources.files("digest.data").joinpath(f"punkt_{language}.json").is_file() else "english"
    raw = json.loads(resources.files("digest.data").joinpath(f"punkt_{name}.json").read_text("utf-8"))
    params = _punkt.PunktParameters()
    params.abbrev_types = set(raw["abbrev_types"])
    params.collocations = {tuple(c) for c in raw["collocations"]}
    params.sent_starters = set(raw["sent_starters"])
    for word, flags in raw["ortho_context"].items():
        params.ortho_context[word] = flags
    if name == "english":
        for word in _CAPITALISED_MID_SENTENCE:
            params.ortho_context[word] |= _punkt._ORTHO_MID_UC
    return _punkt.PunktSentenceTokenizer(params)


# Words news copy capitalises in the middle of sentences ("the U.S. House", "the U.N. Security
# Council"). The shipped parameters learned from a few dozen sample articles, where most of these
# only ever appear in lower case, so after an abbreviation Punkt took the capital for a sentence
# start. Marked as seen capitalised mid-sentence, they leave the decision to Punkt's other rules.
_CAPITALISED_MID_SENTENCE = (
    "house", "senate", "congress", "court", "supreme", "justice", "department", "state",
    "treasury", "defense", "defence", "security", "council", "assembly", "general", "nations",
    "union", "parliament", "ministry", "minister", "embassy", "army", "navy", "air", "force",
    "marine", "marines", "guard", "coast", "federal", "national", "central", "reserve", "bank",
    "secretary", "attorney", "representatives", "committee", "commission", "agency", "bureau",
    "office", "party",
)  # fmt: skip
# A split after personal initials ("F.W. | de Klerk", "B.J. | Habibie") cuts a name in two:
# such initials (two or three single letters, not a known abbreviation like U.S.) are joined
# to what follows when that starts with a letter.
_INITIALS_END_RE = re.compile(r"(?:^|\s)((?:[A-Za-z]\.){2,3})$")


@functools.cache
def _splitter(language: str) -> Callable[[str], Iterable[tuple[int, int]]]:
    """The fast exact Punkt (digest.text.punkt) for the language's tokenizer, else NLTK's own spans."""
    tokenizer = _punkt_tokenizer(language)
    try:
        return FastPunkt(tokenizer, _punkt).span_tokenize
    except TypeError as exc:  # an NLTK whose Punkt internals differ: same spans, slower
        LOGGER.debug("NLTK's own Punkt spans in use (%s)", exc)
        return tokenizer.span_tokenize  # type: ignore[no-any-return]


# Ingest splits an article's first paragraph for its title and summarising splits it again, both
# in the same process; a day's articles hold far fewer paragraphs than this (the strings are the
# articles' own, so the cache adds little memory).
@functools.lru_cache(maxsize=4096)
def _paragraph_spans(paragraph: str, language: str) -> tuple[tuple[int, int], ...]:
    spans = list(_splitter(language)(paragraph))
    if language != "english" or len(spans) < 2:
        return tuple(spans)
    abbreviations = _punkt_tokenizer(language)._params.abbrev_types
    joined = [spans[0]]
    for start, end in spans[1:]:
        head = _INITIALS_END_RE.search(paragraph, joined[-1][0], joined[-1][1])
        if head and head.group(1)[:-1].lower() not in abbreviations and paragraph[start : start + 1].isalpha():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return tuple(joined)


def sentence_spans(paragraph: str, language: str = "english") -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the sentences of one paragraph."""
    return iter(_paragraph_spans(paragraph, language))


def split_sentences(text: str, language: str = "english") -> list[str]:
    """The sentences of a text, paragraph by paragraph, each with whitespace collapsed."""
    out: list[str] = []
    for para in paragraphs(text):
        out.extend(s for s in (para[a:b] for a, b in _paragraph_spans(para, language)) if s.strip())
    return out


@functools.cache
def _treebank() -> Any:
    return _nltk_module("nltk.tokenize.destructive").NLTKWordTokenizer()


def tokenize_words(sentence: str) -> list[str]:
    """Treebank-style word tokens of a sentence, punctuation-only tokens dropped."""
    return [w for w in _treebank().tokenize(sentence) if _WORD_RE.search(w)]


@functools.cache
def _stemmer(language: str) -> Any:
    if language not in SUPPORTED_LANGUAGES.values():
        return None
    return _nltk_module("nltk.stem.snowball").SnowballStemmer(language)


@functools.cache
def _stem_function(language: str) -> Callable[[str], str] | None:
    """English: digest.text.english_stem (NLTK's stems, faster); other languages: NLTK's Snowball."""
    if language == "english":
        return stem_english
    stemmer = _stemmer(language)
    return stemmer.stem if stemmer else None  # type: ignore[no-any-return]


_STEM_MEMO_LIMIT = 200_000  # words remembered per language; then it starts over


@functools.cache
def stemmer(language: str = "english") -> Callable[[str], str]:
    """``stem`` for one language as a one-argument function: the one stem cache, a dict per language.

    The summarizer stems every word of every story (~80,000 calls for DUC 2004's 50 stories), and
    clustering, labels and continuity stem every term of the day; a dict lookup costs a fraction
    of an ``lru_cache``'s keyword-argument key.
    """
    memo: dict[str, str] = {}
    stem_function = _stem_function(language)

    def stem_word(word: str) -> str:
        found = memo.get(word)
        if found is None:
            if len(memo) >= _STEM_MEMO_LIMIT:
                memo.clear()
            lowered = word.lower()
            found = memo[word] = stem_function(lowered) if stem_function else lowered
        return found

    return stem_word


def stem(word: str, language: str = "english") -> str:
    """The Snowball stem of a lower-cased word (the word itself where no stemmer exists)."""
    return stemmer(language)(word)


@functools.cache
def stop_words(language: str = "english") -> frozenset[str]:
    """sumy's stop words for the language (English ones where sumy has none)."""
    # Read sumy's own list file as sumy.utils.get_stop_words does, without importing sumy.utils
    # (which imports requests and pycountry: ~0.15 s of start-up for a word list).
    for name in (language, "english"):
        try:
            data = pkgutil.get_data("sumy", f"data/stopwords/{name}.txt")
        except OSError:
            continue
        if data is not None:
            return frozenset(w.rstrip() for w in data.decode("utf-8").splitlines() if w)
    raise LookupError("sumy's English stop-word list is missing; is sumy installed?")


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
