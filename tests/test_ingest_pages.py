"""HTML pages to articles with trafilatura; block pages, paywall stubs and near-empty pages rejected."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.ingest.page import classify_non_article, parse_html_page
from digest.models import Article, Skip

PARAS = [
    "The Tarnwick harbour board voted on Monday to extend the northern quay by ninety metres, a project "
    "it says will let two cargo ships unload at once for the first time in the port's history.",
    "Work is due to start in March and to take about eighteen months, the board's chair, Ola Brenner, "
    "told reporters after the vote, which passed by seven votes to two.",
    "Dock workers welcomed the plan, saying the current quay forces ships to wait offshore for up to "
    "two days in the busy autumn season, which costs shippers money and adds to emissions.",
    "Opponents on the board argued that the cost, put at forty-one million crowns, should have been "
    "shared with the regional government, which has so far promised only a small grant.",
]


def _page(body: str, title: str = "Quay to grow by ninety metres", lang: str = "en") -> str:
    return f"""<!doctype html><html lang="{lang}"><head><title>{title} | Tarnwick Post</title>
<meta property="og:site_name" content="Tarnwick Post">
<meta name="author" content="Ines Varga">
<meta property="article:published_time" content="2026-11-23T09:30:00+00:00">
<link rel="canonical" href="https://post.example/news/quay-extension">
</head><body><nav><a href="/">Home</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav>
<div class="ad">Advertisement: buy boats now</div>
<article><h1>{title}</h1>{body}</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Ferry fares rise</a></li>
<li><a href="/b">Storm warning</a></li></ul></aside>
<footer>© Tarnwick Post. All rights reserved. <a href="/privacy">Privacy</a></footer></body></html>"""


def test_article_page_text_and_metadata() -> None:
    html = _page("".join(f"<p>{p}</p>" for p in PARAS))
    article = parse_html_page(html, "quay.html", url="https://m.post.example/news/quay-extension?utm_source=x")
    assert isinstance(article, Article)
    assert article.title == "Quay to grow by ninety metres"
    assert article.text.split("\n\n")[0] == PARAS[0]
    assert "Advertisement" not in article.text and "Most read" not in article.text and "Privacy" not in article.text
    assert article.outlet == "Tarnwick Post" and article.author == "Ines Varga"
    assert article.published is not None and article.published.date() == dt.date(2026, 11, 23)
    assert article.url == "https://post.example/news/quay-extension"  # the canonical link
    assert article.language == "en"


def test_non_english_page_is_kept_and_labelled() -> None:
    paras = [
        "Der Hafenrat von Tarnwick hat am Montag beschlossen, den nördlichen Kai um neunzig Meter zu "
        "verlängern, damit erstmals zwei Frachtschiffe gleichzeitig entladen werden können.",
        "Die Arbeiten sollen im März beginnen und etwa achtzehn Monate dauern, sagte die Vorsitzende "
        "des Rates nach der Abstimmung, die mit sieben zu zwei Stimmen ausging.",
        "Hafenarbeiter begrüßten den Plan, weil Schiffe in der Herbstsaison bisher bis zu zwei Tage "
        "vor der Küste warten müssen, was Geld kostet und die Emissionen erhöht.",
    ]
    article = parse_html_page(_page("".join(f"<p>{p}</p>" for p in paras), "Kai wird verlängert", "de"), "kai.html")
    assert isinstance(article, Article) and article.language == "de"


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        (
            "Just a moment...",
            "<p>Checking your browser before accessing post.example. This process is automatic. "
            "Your browser will redirect to your requested content shortly. Please enable JavaScript and "
            "cookies to continue. Ray ID 1234 performance and security by a protection service.</p>",
            "block-page",
        ),
        (
            "Access denied",
            "<p>Access denied. You do not have permission to access this page on this server. Reference "
            "number 18.7b2 of the request has been logged, please contact the site owner if you think "
            "this is a mistake and include the reference number shown here.</p>",
            "block-page",
        ),
        (
            "Quay to grow by ninety metres",
            f"<p>{PARAS[0]}</p><p>Subscribe to continue reading. Already a subscriber? Log in to read the "
            "rest of this article and get unlimited access to all our journalism from just one crown a week.</p>",
            "paywall",
        ),
        ("Quay", "<p>Photo gallery: the quay at dawn.</p>", "too-short"),
    ],
)
def test_non_articles_are_skipped_with_a_reason(title: str, body: str, kind: str) -> None:
    result = parse_html_page(_page(body, title), "x.html")
    assert isinstance(result, Skip), result
    assert result.kind == kind and result.reason


def test_a_long_article_mentioning_subscriptions_is_kept() -> None:
    body = (
        "".join(f"<p>Part {n}. {p}</p>" for n, p in enumerate(PARAS * 3))
        + "<p>Readers can subscribe to continue reading our series.</p>"
    )
    assert isinstance(parse_html_page(_page(body), "x.html"), Article)


def test_classify_non_article_passes_ordinary_text() -> None:
    assert classify_non_article("Quay", " ".join(PARAS)) is None


def test_garbage_markup_is_a_skip_not_a_crash() -> None:
    for html in ["", "<", "<html><body></body></html>", "\x00\x01<p>" * 100, "<div>" * 5000]:
        assert isinstance(parse_html_page(html, "g.html"), Skip)
