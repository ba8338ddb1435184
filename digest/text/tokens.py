"""The word tokenisers: one place for every way digest cuts text into words, each a named variant.

They differ on purpose: each was measured in the stage that uses it, and putting one in another's
place can change that stage's output, so each keeps its own rule, here, under its own name:

- ``word_tokens``: runs of letters and digits. The summaries' words (and the words ROUGE and the
  word budget count); ten times faster than Treebank.
- ``tokenize_words`` (in ``nlp``): NLTK's Treebank tokens with a letter or digit; sumy's words.
- ``scan_tokens``: letter-led tokens with case, sentence start and the punctuation before each;
  clustering's features and the labels' name runs ("Sen. Lott", "Paris, France") need all three.
- ``letter_words``: words of three letters or more, no digits; the continuity signatures' terms.
- ``shingle_words``: ``\\w+`` runs of the lower-cased text, digits and underscores included;
  duplicate detection's shingles (benchmarks/eval_dedup.py).
"""

from __future__ import annotations

import re

__all__ = ["ABBREVIATIONS", "HONORIFICS", "letter_words", "scan_tokens", "shingle_words", "word_tokens"]

# Runs of letters and digits: the words ROUGE and our coverage summarizer count. About ten times
# faster than Treebank (which routes ~30 regexes through nltk.redos per sentence).
_RUN_RE = re.compile(r"[^\W_]+")
_LETTER_WORD_RE = re.compile(r"[^\W\d_]{3,}")  # words of three letters or more, no digits
_SHINGLE_WORD_RE = re.compile(r"\w+", re.UNICODE)
# Honorifics and ranks: abbreviations that never end a sentence ("Sen. Lott") and role words that
# are trimmed from the front of a name ("Gen. Pinochet" -> "Pinochet").
HONORIFICS = frozenset(["mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt"])
# Abbreviations after which a full stop does not end the sentence ("St. Petersburg", "Sen. Lott").
ABBREVIATIONS = HONORIFICS | frozenset(["st", "jr", "sr", "vs", "mt", "ft", "corp", "inc", "co", "ltd", "no"])
_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'\u2019.\-]*[A-Za-z]|[A-Za-z]")
_SENT_END_RE = re.compile(r"[.!?:;\"'`]\s*$")
_BREAK_RE = re.compile(r"[,;:()\[\]\"]|``|''")  # punctuation that ends a name run
# The gap before each token, then the token (_TOKEN_RE's pattern): gaps hold no letters.
_GAP_TOKEN_RE = re.compile(r"([^A-Za-z]*)([A-Za-z][A-Za-z'\u2019.\-]*[A-Za-z]|[A-Za-z])")


def word_tokens(sentence: str) -> list[str]:
    """Runs of letters and digits ("Kyiv's" -> "Kyiv", "s"): the fast tokenizer for summarising."""
    return _RUN_RE.findall(sentence)


def letter_words(text: str) -> list[str]:
    """Words of three letters or more, without digits, as written (continuity's signature terms)."""
    return _LETTER_WORD_RE.findall(text)


def shingle_words(text: str) -> list[str]:
    """The lower-cased text's runs of word characters, digits included (duplicate detection's shingles)."""
    return _SHINGLE_WORD_RE.findall(text.lower())


def scan_tokens(text: str) -> list[tuple[str, str, bool, bool, bool]]:
    """(surface, lower, capitalised, sentence_start, punctuation_before) per word token (clustering, labels).

    A token starts and ends with a letter (_TOKEN_RE), so it never carries a trailing full stop, and
    every letter starts one, so what lies between two tokens has no letters: one findall gives each
    token with the gap before it. A sentence starts at the text's start, after a blank line, or after
    sentence-end punctuation that is not the full stop of an abbreviation ("Sen. Lott").
    punctuation_before tells a name run to stop ("Paris, France"). Most gaps are one space, which
    decides nothing: that case is cut short.
    """
    out: list[tuple[str, str, bool, bool, bool]] = []
    prev_low = ""
    first = True
    sent_end = _SENT_END_RE.search
    brk = _BREAK_RE.search
    append = out.append
    for gap, w in _GAP_TOKEN_RE.findall(text):
        low = w.lower()
        if first:
            append((w, low, w[0].isupper(), True, bool(brk(gap))))
        elif gap == " ":
            append((w, low, w[0].isupper(), False, False))
        else:
            ss = "\n\n" in gap or (
                bool(sent_end(gap)) and not (gap.lstrip().startswith(".") and prev_low in ABBREVIATIONS)
            )
            append((w, low, w[0].isupper(), ss, bool(brk(gap))))
        first = False
        prev_low = low
    return out
