"""digest.text.english_stem gives exactly NLTK's English Snowball stems."""

from __future__ import annotations

import itertools
from pathlib import Path

from digest.text import nlp as digest_text
from digest.text import stem_english, word_tokens

ROOT = Path(__file__).resolve().parents[1]
# Word beginnings that reach each branch: the three prefixes with fixed regions, short words
# (CVC: hop -> hope), y after vowels, doubles, "-ion" after s/t, "l" endings, "-li" endings.
BASES = """
    gener commun arsen hop hope run fil tap sky play say y ay yea bee agre feed bled a e o ab
    ion sion tion l ll cri dy ty ly tie ski news bias inn out can her ear proc exc succ cont
    nation relat condit valen hesit digit conform radic format elect vietnam predic hope
    crown valor kyiv talk rate infl vasko ogi log analog anthropolog cheer lim bright eff
    cap sens fall call dull roll fizz buzz quiz stop tapp d ted at bl iz
""".split()  # noqa: SIM905 - a word list reads best as words
SUFFIXES = sorted(
    {"", "s", "es", "ed", "ing", "ly", "ies", "ied", "'s", "'", "'s'", "\u2019s", "\u2018", "\u201bs", "y", "yy"}
    | {"sses", "us", "ss", "eed", "eedly", "ingly", "edly", "at", "bl", "iz", "e", "le", "ll"}
    | {"ization", "ational", "fulness", "ousness", "iveness", "tional", "biliti", "lessli", "entli"}
    | {"ation", "alism", "aliti", "ousli", "iviti", "fulli", "enci", "anci", "abli", "izer", "ator"}
    | {"alli", "bli", "ogi", "li", "alize", "icate", "iciti", "ative", "ical", "ness", "ful"}
    | {"ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous"}
    | {"ive", "ize", "ion", "al", "er", "ic", "ement", "ements", "ations", "ically", "fully"}
)


def _repo_words() -> set[str]:
    """Every word of the project's own prose and sample articles (all written for the project)."""
    words: set[str] = set()
    paths = [ROOT / "README.md", *sorted((ROOT / "digest" / "samples").rglob("*"))]
    paths += sorted((ROOT / "tests" / "fixtures").rglob("*"))
    for path in paths:
        if path.is_file() and path.suffix in {".md", ".txt", ".json", ".jsonl", ".xml", ".html"}:
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            words.update(word_tokens(text))
            words.update(text.split())
    return words


def test_stems_match_nltk() -> None:
    nltk_stem = digest_text._stemmer("english").stem
    generated = {b + s for b in BASES for s in SUFFIXES}
    generated |= {b + s + t for b in BASES[:25] for s, t in itertools.product(SUFFIXES, ["s", "ly", "ed", "ing"])}
    special = {"skis", "skies", "dying", "lying", "news", "proceeds", "succeeding", "herrings", "Exceeded"}
    odd = {"", "a", "ab", "'", "''", "'ab", "''abc", "yyy", "ayyy", "Yes", "YOUTH", "1998", "3rd", "naïve", "über"}
    words = sorted(_repo_words() | generated | special | odd)
    assert len(words) > 5000
    mismatches = [(w, nltk_stem(w), stem_english(w)) for w in words if stem_english(w) != nltk_stem(w)]
    assert mismatches == []


def test_digest_stem_uses_it() -> None:
    assert digest_text._stem_function("english") is stem_english
    assert digest_text._stem_function("german") is not stem_english
    assert digest_text.stem("Negotiations") == stem_english("negotiations") == "negoti"
    assert digest_text.stemmer("english")("generously") == stem_english("generously")
