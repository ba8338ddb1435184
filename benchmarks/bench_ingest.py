"""Ingestion throughput: digest's feed and page readers against feedparser/trafilatura called directly.

Inputs are built from the project's own sample articles (digest/samples): RSS documents of 20
items each, and article pages wrapped in navigation, ads and footers. Also dedup over the lot.
If ../shared/corpora/feeds is present, its files are read too (file-level throughput).

    python benchmarks/bench_ingest.py [--rounds N]

Prints articles per second and pages per second, and digest's ratio to the bare library (the
difference is cleaning, language detection and ids).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402
import trafilatura  # noqa: E402

from digest.ingest import read_inputs  # noqa: E402
from digest.ingest.feed import parse_feed  # noqa: E402
from digest.ingest.page import parse_html_page  # noqa: E402
from digest.models import Article  # noqa: E402
from digest.stories.dedup import dedup_articles  # noqa: E402

CAPTURED = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)


def samples() -> list[Article]:
    """The sample day's articles."""
    return list(read_inputs([str(ROOT / "digest" / "samples")], CAPTURED).articles)


def make_feed(articles: list[Article], n: int) -> bytes:
    """An RSS 2.0 document with the articles as full-content items."""
    items = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>https://bench{n}.example/{k}</link>"
        f"<pubDate>Mon, 23 Nov 2026 0{k % 10}:00:00 +0000</pubDate><description><![CDATA["
        + "".join(f"<p>{html.escape(p)}</p>" for p in a.text.split("\n\n"))
        + "]]></description></item>"
        for k, a in enumerate(articles)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench {n}</title>{items}</channel></rss>'.encode()


def make_page(a: Article) -> str:
    """An article page with the usual furniture around it."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in a.text.split("\n\n"))
    nav = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(30))
    return (
        f"<!doctype html><html lang='en'><head><title>{html.escape(a.title)}</title>"
        f"<meta property='og:site_name' content='{html.escape(a.outlet or 'Bench')}'></head><body>"
        f"<header><ul>{nav}</ul></header><div class='ad'>Advertisement</div>"
        f"<article><h1>{html.escape(a.title)}</h1>{body}</article>"
        f"<aside><h3>Most read</h3><ul>{nav}</ul></aside><footer>Contact · Privacy · Terms</footer></body></html>"
    )


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f}/s ({count} in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="repeat the built inputs this many times")
    args = parser.parse_args()
    arts = samples()
    feeds = [make_feed((arts * 2)[i : i + 20], i) for i in range(args.rounds * 4)]
    pages = [make_page(a) for a in arts] * args.rounds
    parse_html_page(pages[0], "warm")  # load trafilatura's and the language model's data first
    list(parse_feed(feeds[0], "warm"))

    t = time.perf_counter()
    raw_items = sum(len(feedparser.parse(f, sanitize_html=True).entries) for f in feeds)
    t_raw = time.perf_counter() - t
    t = time.perf_counter()
    ours = [a for i, f in enumerate(feeds) for a in parse_feed(f, f"f{i}") if isinstance(a, Article)]
    t_ours = time.perf_counter() - t
    print(f"feeds   feedparser.parse      {rate(raw_items, t_raw)} items")
    print(f"feeds   digest parse_feed     {rate(len(ours), t_ours)} articles  ratio {t_ours / t_raw:.2f}x time")

    t = time.perf_counter()
    for p in pages:
        trafilatura.bare_extraction(p, with_metadata=True, include_comments=False, include_tables=False)
    t_raw = time.perf_counter() - t
    t = time.perf_counter()
    got = sum(isinstance(parse_html_page(p, "p"), Article) for p in pages)
    t_ours = time.perf_counter() - t
    print(f"pages   trafilatura.bare      {rate(len(pages), t_raw)} pages")
    print(f"pages   digest parse_html     {rate(got, t_ours)} pages     ratio {t_ours / t_raw:.2f}x time")

    t = time.perf_counter()
    kept = dedup_articles(ours)
    t_dd = time.perf_counter() - t
    print(f"dedup   {len(ours)} articles -> {len(kept)} in {t_dd:.2f} s ({len(ours) / t_dd:.0f} articles/s)")

    candidates = [Path(os.environ["DIGEST_SHARED"])] if os.environ.get("DIGEST_SHARED") else []
    candidates += [ROOT.parent / "shared", ROOT.parents[1] / "shared"]  # main checkout, or a worktree
    shared = next((c for c in candidates if c.is_dir()), candidates[0]) / "corpora" / "feeds"
    if shared.is_dir():
        files = [p for p in shared.rglob("*") if p.is_file()]
        t = time.perf_counter()
        result = read_inputs([str(shared)], CAPTURED)
        t_all = time.perf_counter() - t
        print(
            f"corpus  read_inputs {shared}: {rate(len(files), t_all)} files, "
            f"{len(result.articles)} articles, {len(result.skipped)} skipped"
        )
    else:
        print(f"corpus  skipped: {shared} not found (set DIGEST_SHARED)")


if __name__ == "__main__":
    main()
