from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from digest.ingest import read_inputs
from digest.ingest.dump import parse_page_dump
from digest.models import Article
from digest.stories import cluster_articles
from digest.summaries import CoverageSettings, select_sentences
from digest.summaries.lexrank import rank_lexrank, top_sentences
from digest.summaries.summarize import DEFAULT_METHOD, METHODS, candidate_sentences, summarize_story
from digest.text import SumyTokenizer, stem, stop_words, strip_dateline, word_tokens
from tests.conftest import CAPTURED

# Quality gate: the key facts (numbers and names) of each multi-article sample story, written
# from the articles for this test. The default method's 100-word summary must state every one.
GOLD_FACTS = {
    "Valoria": ("6.25%", "7.4%", "50 basis points"),
    "Solvane": ("3,400", "Kessling", "4.5%", "9%"),
    "Sarun": ("$4.2 billion", "Hallan Dam", "212"),
    "MV-9": ("78%", "4,800", "Halvern Institute"),
    "Sarnovia": ("Duvenia", "Saturday", "semi-final"),
    "Eastbank": ("$34 million", "Lindqvist", "cracks"),
}
OPENERS = ("He ", "She ", "It ", "They ", "This ", "That ", "But ", "However", "And ", "Also ")


@pytest.fixture(scope="module")
def sample_stories(samples_dir: Path) -> list[tuple[Article, ...]]:
    articles = read_inputs([str(samples_dir)], CAPTURED).articles
    return [tuple(g) for g in cluster_articles(articles) if len(g) > 1]


@pytest.fixture(scope="module")
def bridge_story(sample_stories):
    (story,) = [g for g in sample_stories if all("Eastbank" in a.text for a in g)]
    return story


def _story(stories, key: str) -> tuple[Article, ...]:
    (story,) = [g for g in stories if sum(key in a.text for a in g) > len(g) / 2]
    return story


@pytest.mark.parametrize("method", METHODS)
def test_every_method_quotes_and_attributes(bridge_story, method: str) -> None:
    summary = summarize_story(bridge_story, words=80, method=method)
    assert summary
    by_id = {a.id: a for a in bridge_story}
    assert sum(len(s.text.split()) for s in summary) <= 80
    for sentence in summary:
        assert sentence.text in by_id[sentence.article_id].text
        assert all(sentence.text in by_id[i].text for i in sentence.article_ids)


def test_sentence_budget_and_unknown_method(bridge_story) -> None:
    assert DEFAULT_METHOD == "default" and METHODS[0] == "default"
    for method in ("default", "lexrank", "luhn"):
        assert len(summarize_story(bridge_story, sentences=3, words=None, method=method)) == 3
    with pytest.raises(ValueError, match="unknown summary method"):
        summarize_story(bridge_story, method="gpt")
    assert summarize_story((), words=50) == ()


@pytest.mark.parametrize("key", sorted(GOLD_FACTS))
def test_default_summary_covers_the_key_facts(sample_stories, key: str) -> None:
    summary = summarize_story(_story(sample_stories, key), words=100)
    text = " ".join(s.text for s in summary)
    assert sum(len(s.text.split()) for s in summary) <= 100
    assert [fact for fact in GOLD_FACTS[key] if fact not in text] == []
    for sentence in summary:  # clean sentences: no dangling openers, datelines, bylines, questions
        assert not sentence.text.startswith(OPENERS), sentence.text
        assert not sentence.text.startswith(("By ", "KESSLING", "KIVARA")), sentence.text
        assert len(sentence.text.split()) >= 10 and sentence.text.rstrip("\"')").endswith((".", "!"))


def test_default_order_is_chronological_and_fill_goes_last(sample_stories) -> None:
    story = _story(sample_stories, "Solvane")
    summary = summarize_story(story, words=100)
    index = {a.id: i for i, a in enumerate(story)}
    published = [story[index[s.article_id]].published for s in summary]
    keys = [(p.isoformat() if p else "", index[s.article_id]) for p, s in zip(published, summary, strict=True)]
    assert keys == sorted(keys)  # article time (none first), then article order
    filled = summarize_story(story, words=60, fill=True)
    hard = summarize_story(story, words=60)
    assert sum(len(s.text.split()) for s in hard) <= 60 < sum(len(s.text.split()) for s in filled)
    assert sum(len(s.text.split()) for s in filled[:-1]) <= 60
    assert {s.text for s in hard} <= {s.text for s in filled}


def test_select_strips_datelines_and_keeps_text_verbatim() -> None:
    docs = [
        ["TARNWICK (AP) _ The harbour board approved a new sea wall for the old port on Monday night.", "Short."],
        ["The harbour board said the new sea wall for the old port will cost 12 million crowns."],
        ["Work on the new sea wall for the old port starts in March, the harbour board said."],
    ]
    picks = select_sentences(docs, words=40, tokenize=word_tokens, stem=stem, stop_words=stop_words())
    assert picks and all(p.text in docs[p.doc][p.index] for p in picks)
    assert not any(p.text.startswith("TARNWICK") for p in picks)
    assert strip_dateline("WASHINGTON _ Talks resumed.") == "Talks resumed."
    assert strip_dateline("PARIS (Reuters) -- Talks resumed.") == "Talks resumed."
    assert strip_dateline("Smith -- who left -- returned.") == "Smith -- who left -- returned."
    assert strip_dateline("Note: prices rose.") == "Note: prices rose."
    assert strip_dateline("LONDON (Reuters) - Shares fell.") == "Shares fell."  # Reuters' single hyphen
    assert strip_dateline("TARNBY, Nov 23 (Meridian Wire) - Talks began.") == "Talks began."
    assert strip_dateline("US - China talks resume.") == "US - China talks resume."  # no agency: no dateline
    with pytest.raises(ValueError):
        select_sentences(docs, words=10, sentences=2, tokenize=word_tokens, stem=stem, stop_words=())


def _sumy_lexrank(texts: list[str]):
    from digest.text import load_full_nltk

    load_full_nltk()
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer

    tokenizer = SumyTokenizer("english")
    sentences = [Sentence(t, tokenizer) for t in texts]
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = stop_words()
    return summarizer, ObjectDocumentModel([Paragraph(sentences)]), sentences


def test_fast_lexrank_ranks_like_sumy(sample_stories) -> None:
    compared = 0
    for story in sample_stories:
        texts = list(dict.fromkeys(c.text for c in candidate_sentences(story)))
        summarizer, document, sentences = _sumy_lexrank(texts)
        # sumy's own score vector (the body of LexRankSummarizer.__call__) and its own selections
        words = [summarizer._to_words_set(s) for s in sentences]
        tf, idf = summarizer._compute_tf(words), summarizer._compute_idf(words)
        reference = summarizer.power_method(summarizer._create_matrix(words, 0.1, tf, idf), 0.1)
        ours = rank_lexrank([s.words for s in sentences], stem=stem, stop_words=stop_words())
        assert ours == pytest.approx(list(reference), rel=1e-9)
        assert top_sentences(ours) == sorted(range(len(texts)), key=lambda i: reference[i], reverse=True)
        for count in (1, 3, 5, 8):
            theirs = [texts.index(str(s)) for s in summarizer(document, count)]
            assert sorted(top_sentences(ours)[:count]) == theirs
        compared += len(texts)
    assert compared > 100


def test_degenerate_story_never_warns() -> None:
    # One article whose sentences share no content word: sumy's LexRank divides 0 by 0 here.
    article = Article(id="a", title="Odd", text="Apples grow quickly everywhere. Bridges collapse under storms.")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in METHODS:
            summary = summarize_story((article,), words=20, method=method)
            assert [s.text for s in summary] == ["Apples grow quickly everywhere.", "Bridges collapse under storms."]
    assert rank_lexrank([["the"], []], stop_words={"the"}) == [0.0, 0.0]


def test_summarize_path_stays_light() -> None:
    code = (
        "import sys, digest.cli, digest.ingest, digest.summaries.summarize; "
        "print(' '.join(m for m in ('weasyprint', 'sklearn', 'sqlalchemy', 'trafilatura', 'httpx', "
        "'feedparser', 'scipy', 'sumy.summarizers', 'nltk.collocations') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_seed_summaries_are_verbatim_and_attributed(seed_path: Path) -> None:
    page = seed_path.read_text("utf-8")
    articles = list(parse_page_dump(page, "seed", CAPTURED))
    for group in cluster_articles(articles):
        for method, fill in (("default", False), ("default", True), ("lexrank", False)):
            summary = summarize_story(group, words=100, method=method, fill=fill)
            assert summary
            by_id = {a.id: a for a in group}
            for sentence in summary:
                assert sentence.text in page
                assert sentence.text in by_id[sentence.article_id].text
                assert all(sentence.text in by_id[i].text for i in sentence.article_ids)
                copies = [a.id for a in group if sentence.text in a.text]
                assert set(sentence.article_ids) == set(copies)


def test_a_sentence_that_repeats_a_chosen_one_is_skipped() -> None:
    docs = [
        [
            "The harbour ferry fleet doubled its crossings on Monday while the Eastbank bridge stayed shut.",
            "Ferry crossings doubled on Monday as the Eastbank bridge stayed closed to traffic.",
            "Engineers found cracks in two main girders of the Eastbank bridge during an inspection.",
        ],
        [
            "The harbour ferry fleet doubled its crossings while the Eastbank bridge stayed shut, officials said.",
            "Engineers found the cracks in two girders during a routine inspection of the bridge.",
        ],
    ]
    helpers = {"tokenize": word_tokens, "stem": stem, "stop_words": stop_words(), "words": 40, "fill": True}
    guarded = [p.text for p in select_sentences(docs, **helpers)]
    unguarded = [p.text for p in select_sentences(docs, settings=CoverageSettings(repeat_run=0), **helpers)]
    assert any("girders" in t for t in guarded)
    assert sum("fleet doubled" in t for t in guarded) == 1, guarded
    assert sum("fleet doubled" in t for t in unguarded) == 2, unguarded  # the fill sentence repeats without it


def test_a_short_quoted_phrase_is_kept_but_quoted_speech_is_not() -> None:
    plain = "The Ostry council voted on Monday to close the old Harbin bridge for repairs."
    phrase = 'Ferry operators in Vellin called the new levy "a tax on commuters" at a meeting.'
    speech = (
        '"Vellin will fight this levy in every court in the land," the ferry operators said on Monday.',
        'Ferry operators in Vellin said the new levy was "a charge I will never accept".',
        'Ferry operators in Vellin called the new levy "a charge that no family in this city can pay".',
        'Ferry operators in Vellin called the new levy "a charge on families across the region.',
    )
    helpers = {"tokenize": word_tokens, "stem": stem, "stop_words": stop_words(), "words": 200}
    for quoted, kept in ((phrase, True), *((s, False) for s in speech)):
        docs = [[plain, quoted]] * 3
        picked = {p.text for p in select_sentences(docs, **helpers)}
        assert (quoted in picked) is kept, quoted
        unfiltered = {p.text for p in select_sentences(docs, settings=CoverageSettings(drop_quotes=False), **helpers)}
        assert quoted in unfiltered  # the quote filter is what decides
    docs = [[plain, phrase]] * 3
    assert phrase not in {
        p.text for p in select_sentences(docs, settings=CoverageSettings(quote_max_words=0), **helpers)
    }


def test_a_sentence_that_does_not_start_like_one_is_a_fragment() -> None:
    whole = "The Ostry council voted on Monday to close the old Harbin bridge for repairs."
    tail = "at the town hall when the mayor of Ostry called for the Harbin bridge to close."
    dots = "... the wooden ferry pier at Vellin sank twice in the winter storms last year."
    camel = "eBay listed old Harbin bridge lamps for sale after the Ostry council closed it."
    docs = [[whole, tail, dots, camel]] * 3
    helpers = {"tokenize": word_tokens, "stem": stem, "stop_words": stop_words(), "words": 200}
    picked = {p.text for p in select_sentences(docs, **helpers)}
    assert whole in picked and camel in picked
    assert tail not in picked and dots not in picked
    loose = {p.text for p in select_sentences(docs, settings=CoverageSettings(drop_lowercase=False), **helpers)}
    assert tail in loose and dots in loose


def test_the_last_pick_gives_way_to_a_fill_that_covers_more() -> None:
    flood = "The Corvane river flooded the lower town of Mersby overnight."
    boats = "Rescue boats from nearby Tallow carried many families out early."
    cause = "Engineers blamed the broken Corvane flood gate and heavy autumn rain for the damage in Mersby on Tuesday."
    docs = [[flood, boats, cause], [flood, boats, cause], [flood, cause]]
    helpers = {"tokenize": word_tokens, "stem": stem, "stop_words": stop_words(), "words": 22, "fill": True}
    plain = select_sentences(docs, settings=CoverageSettings(fill_lookback=0), **helpers)
    assert [(p.text, p.fill) for p in plain] == [(flood, False), (boats, False), (cause, True)]
    # 10 + 10 words leave 2 for the fill; dropping "boats" gives the cause sentence 12 words instead.
    better = select_sentences(docs, **helpers)
    assert [(p.text, p.fill) for p in better] == [(flood, False), (cause, True)]
    assert sum(len(p.text.split()) for p in better if not p.fill) <= 22
