from __future__ import annotations

import subprocess
import sys

import nltk
import pytest

from digest.text import SumyTokenizer, paragraphs, split_sentences, stem, stop_words, tokenize_words, word_tokens


def test_sentences_without_any_nltk_data(monkeypatch, tmp_path) -> None:
    # An empty NLTK data path: anything that tried to load punkt data would raise LookupError.
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    text = (
        "Mr. Vasko told reporters at 9 a.m. on Dec. 3 that the U.S. dollar had weakened. "
        'Prices rose 7.4% in October. "We will act," he said.\n\nA second paragraph follows here.'
    )
    assert split_sentences(text) == [
        "Mr. Vasko told reporters at 9 a.m. on Dec. 3 that the U.S. dollar had weakened.",
        "Prices rose 7.4% in October.",
        '"We will act," he said.',
        "A second paragraph follows here.",
    ]


def test_paragraphs_collapse_whitespace() -> None:
    assert paragraphs("  one\n two \n\n\n three  ") == ["one two", "three"]


def test_words_stems_and_stop_words() -> None:
    assert tokenize_words("Kyiv's talks, stalled.") == ["Kyiv", "'s", "talks", "stalled"]
    assert stem("Negotiations") == stem("negotiation") == "negoti"
    assert "the" in stop_words() and "ukraine" not in stop_words()
    assert "der" in stop_words("german")


def test_sumy_tokenizer_shape() -> None:
    tok = SumyTokenizer("english")
    assert tok.language == "english"
    assert tok.to_sentences("One here. Two there.") == ("One here.", "Two there.")
    assert tok.to_words("Two there.") == ("Two", "there")


def test_word_tokens_are_letter_digit_runs() -> None:
    assert word_tokens("Kyiv's talks, stalled at 7.4% -- re_opened") == [
        "Kyiv",
        "s",
        "talks",
        "stalled",
        "at",
        "7",
        "4",
        "re",
        "opened",
    ]


def test_nltk_loads_light_and_completes_on_demand() -> None:
    # In a fresh process: digest.text must not run nltk/__init__ (2-3 s: scipy.stats, sklearn), and
    # code that then asks the `nltk` package for more (sumy does) must get the real thing.
    code = (
        "import sys, digest.text as t; light = hasattr(sys.modules['nltk'], '__digest_light_stub__'); "
        "heavy = 'nltk.collocations' in sys.modules; t.split_sentences('A b. C d.'); t.stem('Talks'); "
        "lazy = not {'nltk.stem.snowball', 'nltk.tokenize.destructive'} & set(sys.modules); import nltk; "
        "print(light, heavy, lazy, nltk.FreqDist('abca')['a'] == 2, t.stem('Talks'), t.stem('Gespräche', 'german'), "
        't.tokenize_words("Kyiv\'s talks."))'
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # English sentences and stems load neither Treebank nor Snowball; both still come on demand.
    assert out.stdout.split(maxsplit=6) == [
        "True",
        "False",
        "True",
        "True",
        "talk",
        "gesprach",
        "['Kyiv', \"'s\", 'talks']\n",
    ]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # Institutions capitalised mid-sentence after an abbreviation: one sentence, not two.
        (
            "The bill passed the U.S. House of Representatives on Monday. It now goes to the Senate.",
            ["The bill passed the U.S. House of Representatives on Monday.", "It now goes to the Senate."],
        ),
        (
            "The U.N. Security Council met in March. Its members disagreed.",
            ["The U.N. Security Council met in March.", "Its members disagreed."],
        ),
        # Personal initials stay with the name that follows, lower case or capitalised.
        ("He met F.W. de Klerk in Pretoria. They talked.", ["He met F.W. de Klerk in Pretoria.", "They talked."]),
        ("President B.J. Habibie spoke. He said little.", ["President B.J. Habibie spoke.", "He said little."]),
        # A sentence that really ends with an abbreviation still ends there.
        (
            "Sanctions were imposed by the U.S. The move angered Orlava.",
            ["Sanctions were imposed by the U.S.", "The move angered Orlava."],
        ),
        (
            "Sanctions were imposed by the U.S. Officials in Orlava were angry.",
            ["Sanctions were imposed by the U.S.", "Officials in Orlava were angry."],
        ),
    ],
)
def test_abbreviations_and_initials_do_not_cut_names(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences
