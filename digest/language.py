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

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["detect_language"]

LOGGER = logging.getLogger(__name__)
MIN_WORDS = 12  # below this the guess is noise; trust what the feed or page declared
MIN_CONFIDENCE = 0.8  # normalised probability; measured: short mixed headlines fall below it
SAMPLE_CHARS = 1500  # the first paragraphs decide as well as the whole text (bench_ingest: 4000 cost 2x)
_CODE_RE = re.compile(r"^[a-z]{2,3}$")


@functools.lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def normalise_code(code: str) -> str:
    """An ISO 639-1 code from a declared language ('en-GB' -> 'en'); '' when unreadable."""
    head = (code or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return head if _CODE_RE.match(head) else ""


def detect_language(text: str, declared: str = "") -> str:
    """The ISO 639-1 code of text's language; the declared one (or 'en') when text is too short to tell."""
    fallback = normalise_code(declared) or "en"
    if len(text.split()) < MIN_WORDS:
        return fallback
    code, confidence = _identifier().classify(text[:SAMPLE_CHARS])
    if confidence < MIN_CONFIDENCE:
        LOGGER.debug("language unsure (%s at %.2f); keeping %s", code, confidence, fallback)
        return fallback
    return str(code)
