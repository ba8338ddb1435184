"""Which language an article is written in (py3langid, whose model ships inside its wheel).

Nothing is downloaded: py3langid reads ``data/model.npz.xz`` from its own package. The model is
loaded once, on first use (1-3 s on this machine), and restricted to no language set, so any of its 97
languages can come back; summarising then uses sumy's stop words and stemmer where sumy has
them (``digest.text.sumy_language``) and English ones elsewhere.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from .tokens import word_tokens

__all__ = ["detect_language"]

LOGGER = logging.getLogger(__name__)
MIN_WORDS = 12  # below this the guess is noise; trust what the feed or page declared
MIN_CONFIDENCE = 0.8  # normalised probability; measured: short mixed headlines fall below it
SAMPLE_CHARS = 1500  # the first paragraphs decide as well as the whole text (bench_ingest: 4000 cost 2x)
_CODE_RE = re.compile(r"^[a-z]{2,3}$")
# English fast path. These function words exist only in English among the languages news comes
# in (a Scandinavian "for" or "by" makes 1-2% of its words); in English news they are 6-36% of
# the words of the sample (DUC 2004's 500 articles: median 18%, lowest 6%). Past the bar the
# text is English without loading py3langid's model (0.5 s, numpy) and scoring it (1 ms an
# article): `digest summarize --batch` over 500 articles is ~1 s faster (bench_summarize.py).
_ENGLISH_WORDS = frozenset(
    ["the", "of", "and", "that", "with", "for", "from", "said", "were", "which", "have", "has", "been", "by"]
)
ENGLISH_SHARE = 0.05


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # numpy + the model: only when needed

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _looks_english(sample: str) -> bool:
    words = word_tokens(sample.lower())
    return bool(words) and sum(w in _ENGLISH_WORDS for w in words) >= ENGLISH_SHARE * len(words)


def normalise_code(code: str) -> str:
    """An ISO 639-1 code from a declared language ('en-GB' -> 'en'); '' when unreadable."""
    head = (code or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return head if _CODE_RE.match(head) else ""


def detect_language(text: str, declared: str = "") -> str:
    """The ISO 639-1 code of text's language; the declared one (or 'en') when text is too short to tell."""
    fallback = normalise_code(declared) or "en"
    if len(text.split()) < MIN_WORDS:
        return fallback
    if _looks_english(text[:SAMPLE_CHARS]):
        return "en"
    code, confidence = _identifier().classify(text[:SAMPLE_CHARS])
    if confidence < MIN_CONFIDENCE:
        LOGGER.debug("language unsure (%s at %.2f); keeping %s", code, confidence, fallback)
        return fallback
    return str(code)
