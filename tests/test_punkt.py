"""digest.text.punkt gives exactly NLTK's Punkt spans, with the project's shipped parameters."""

from __future__ import annotations

import random

import pytest

from digest.text import nlp as digest_text
from digest.text.punkt import FastPunkt

# Pieces of invented news text chosen to reach every branch of Punkt's decision: known
# abbreviations (also hyphenated), initials, numbers and ordinals, ellipses, the shipped
# collocations ("a.m. on", "Jan. 5", "St. Aldric"), the sentence starter "The", words whose
# orthographic context says they start sentences (or never do), and closing quotes and
# brackets that realignment moves onto the sentence before.
WORDS = """
    Mr. Mrs. Dr. Gen. Sen. Gov. ex-Gov. Jan. Dec. Inc. Corp. Co. a.m. p.m. U.S. U.N. e.g. i.e. etc. No.
    vs. St. Aldric J. K. x. A. 1998. 3. 12th. 7.4% -3.5 .5 1,200. 2026 The the He he But but In in
    Officials officials said said. Valoria Valoria. crown crown. rose talks talks. Talks after on deputy
    increase food Target city girders Kyiv's O'Neill naïve Zürich. Ülker élan résumé. 42 ## and or a I
    it It.
""".split()  # noqa: SIM905 - a word list reads best as words
# fmt: off
PUNCT = [
    ".", ".", ".", "!", "?", "!!!", "?!", "...", "..", ". . .", "--", "-", ",", ";", ":", "%",
    '"', "''", "``", "\u201c", "\u201d", "\u2018", "\u2019", "'", "\u00ab", "\u00bb", "(", ")",
    "[", "]", "{", "}", "*", "@", "&", "#",
]
SPACES = [" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", "\r\n", " \n ", "\x0b", "\x0c", "\u00a0", ""]
# fmt: on

FIXED = [
    "",
    " ",
    ".",
    "...",
    "Hello",
    "Hello.",
    "  Leading and trailing spaces.  Second one.   ",
    "Mr. Vasko told reporters at 9 a.m. on Dec. 3 that the U.S. dollar had weakened.",
    'Prices rose 7.4% in October. "We will act," he said. (This was new.) Then it ended.',
    "He left at 5 p.m. The talks resumed. J. K. Rowling spoke. It was No. 5 on the list.",
    "Very bad acting!!! I promise. Really?! Yes... and no. . . maybe.",
    "The crown fell 0.9%. The bank said: \u201cWe act.\u201d Rates rose.\u2019 Next \u00abquote.\u00bb End.",
    "Line one ends here.\nLine two begins.\n\nA new paragraph. \tTabbed sentence.\r\nWindows line.",
    "The 3rd. of May. The 12th. Day. Jan. 5 was cold. St. Aldric's day.",
    "ex-Gov. Smith spoke. The ex-Sen. Jones did not. Officials said. officials said.",
    "It happened in the U.S. The Senate voted. In the U.N. officials met.",
    "Ending without punctuation",
    "Quote at end.'' Next sentence starts. [Bracket.] {Brace.} (Paren.)",
    "Multiple.   Spaces.    Between.\u00a0Non-breaking space. x. y. Z.",
    "Numbers 1. 2. 3. and 1,200. People. -3.5. Then .5. Done.",
    # The shipped collocations keep these together although "girders." alone would end a sentence.
    "Steel girders. City officials came. A target. Food prices rose. The increase. Deputy ministers met.",
    "St. Aldric spoke at 9 a.m. After that, Jan. 5 came. St. Aldric. Officials left.",
    "Dashes -- like this. And -- this. End--Start. A.B.C. D.E.F. done.",
]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 40)):
            parts.append(rng.choice(WORDS) if rng.random() < 0.7 else rng.choice(PUNCT))
            parts.append(rng.choice(SPACES) if rng.random() < 0.85 else "")
        out.append("".join(parts))
    return out


@pytest.fixture(scope="module")
def tokenizers() -> tuple[FastPunkt, object]:
    nltk_punkt = digest_text._punkt_tokenizer("english")
    return FastPunkt(nltk_punkt, digest_text._punkt), nltk_punkt


@pytest.mark.parametrize("text", FIXED)
def test_fixed_texts_split_as_nltk_splits_them(tokenizers, text: str) -> None:
    fast, nltk_punkt = tokenizers
    assert fast.span_tokenize(text) == list(nltk_punkt.span_tokenize(text))


def test_random_texts_split_as_nltk_splits_them(tokenizers) -> None:
    fast, nltk_punkt = tokenizers
    texts = _random_texts(3000, seed=5)
    breaks = 0
    for text in texts:
        expected = list(nltk_punkt.span_tokenize(text))
        assert fast.span_tokenize(text) == expected, text
        breaks += len(expected) - 1
    assert breaks > 10_000  # the texts do exercise sentence breaks, not just single sentences


def test_digest_splits_with_the_fast_path() -> None:
    assert isinstance(digest_text._splitter("english").__self__, FastPunkt)
    text = "Mr. Vasko arrived at 9 a.m. on Monday. Talks began.\n\nThe crown fell.  It recovered."
    nltk_punkt = digest_text._punkt_tokenizer("english")
    expected = [s for p in digest_text.paragraphs(text) for s in nltk_punkt.tokenize(p)]
    assert digest_text.split_sentences(text) == expected
    assert expected == ["Mr. Vasko arrived at 9 a.m. on Monday.", "Talks began.", "The crown fell.", "It recovered."]


def test_refuses_tokenizers_it_does_not_reproduce() -> None:
    punkt = digest_text._punkt

    class Custom(punkt.PunktSentenceTokenizer):
        pass

    with pytest.raises(TypeError):
        FastPunkt(Custom(), punkt)
