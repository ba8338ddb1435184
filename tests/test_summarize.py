from __future__ import annotations

from pathlib import Path

import pytest

from digest.cluster import cluster_articles
from digest.ingest import read_inputs
from digest.ingest.dump import parse_page_dump
from digest.summarize import METHODS, summarize_story
from tests.conftest import CAPTURED


@pytest.fixture(scope="module")
def bridge_story(samples_dir: Path):
    articles = read_inputs([str(samples_dir)], CAPTURED).articles
    (story,) = [g for g in cluster_articles(articles) if len(g) > 1 and all("Eastbank" in a.text for a in g)]
    return tuple(story)


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
    assert len(summarize_story(bridge_story, sentences=3, words=None)) == 3
    with pytest.raises(ValueError, match="unknown summary method"):
        summarize_story(bridge_story, method="gpt")
    assert summarize_story((), words=50) == ()


def test_seed_summaries_are_verbatim(seed_path: Path) -> None:
    articles = list(parse_page_dump(seed_path.read_text("utf-8"), "seed", CAPTURED))
    page = seed_path.read_text("utf-8")
    for group in cluster_articles(articles):
        summary = summarize_story(group, words=100)
        assert summary
        for sentence in summary:
            assert sentence.text in page
            assert sentence.article_id in {a.id for a in group}
