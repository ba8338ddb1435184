from __future__ import annotations

import nltk

from digest.text import SumyTokenizer, paragraphs, split_sentences, stem, stop_words, tokenize_words


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
