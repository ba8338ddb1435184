"""ingest_sources and URL inputs against a real local HTTP server; source health; `digest sources`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner
from localserver import LocalServer, local_server, send

from digest.cli import cli
from digest.config import Settings, SourceSettings, load
from digest.ingest import ingest_sources, read_inputs
from digest.store import open_store

NOW = dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
FULL = (
    "Ferry operators on the Tarn estuary agreed on Sunday to run an extra evening crossing through the winter, "
    "after commuters complained that the last boat left before most offices closed. The new sailing starts on "
    "the first of December and will run on weekdays until the end of February, the operators said. "
    "The crossing will leave the north pier at half past seven and return from Tarnwick at a quarter past "
    "eight, and fares will stay at the current level, with season tickets valid on the new boat. "
    "Commuter groups, who had collected signatures at both piers for two months, called the decision a "
    "welcome first step but asked for a second late crossing on Fridays, when many shifts end later. "
    "The operators said they would count passengers through January before deciding on Friday services."
)
PAGE_PARAS = [
    "Tarnwick's library will open on Sundays from January, the city council said on Monday, after a "
    "petition signed by more than four thousand residents asked for longer opening hours at weekends.",
    "The change will cost about two hundred thousand crowns a year, paid for by closing the library one "
    "weekday morning a week when visitor numbers are lowest, according to council figures.",
    "Librarians' representatives said they supported the plan as long as Sunday shifts stayed voluntary "
    "and were paid at the weekend rate set out in the existing agreement with the council.",
]


def _rss(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tarn Courier</title><link>{base}/</link><description>d</description>
<item><title>Extra evening ferry for the winter</title><link>{base}/ferry</link>
<pubDate>Mon, 23 Nov 2026 08:00:00 +0000</pubDate><description>{FULL}</description></item>
<item><title>Library to open on Sundays</title><link>{base}/library</link>
<pubDate>Mon, 23 Nov 2026 09:00:00 +0000</pubDate>
<description>The city library will open on Sundays from January …</description></item>
</channel></rss>""".encode()


def _page() -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PAGE_PARAS)
    return (
        "<!doctype html><html lang='en'><head><title>Library to open on Sundays</title>"
        "<meta property='og:site_name' content='Tarn Courier'></head><body><nav>Home News Sport</nav>"
        f"<article><h1>Library to open on Sundays</h1>{body}</article><footer>Contact us</footer></body></html>"
    ).encode()


def _atom(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Estuary Weekly</title><id>urn:e</id><updated>2026-11-23T10:00:00Z</updated>
<entry><title>Estuary bird count rises</title><id>urn:e1</id><link href="{base}/birds"/>
<updated>2026-11-23T10:00:00Z</updated><content type="html">&lt;p&gt;Volunteers counted eleven thousand
wading birds on the Tarn estuary this autumn, the highest number since counts began, the bird trust said
on Monday, crediting a ban on bait digging in the inner mudflats.&lt;/p&gt;</content></entry></feed>""".encode()


def _feed_route(server: LocalServer):  # type: ignore[no-untyped-def]
    def route(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == '"f1"':
            send(handler, 304, ETag='"f1"')
        else:
            send(handler, 200, _rss(server.base), ETag='"f1"', Content_Type="application/rss+xml")

    return route


@pytest.fixture()
def server() -> Iterator[LocalServer]:
    with local_server() as srv:
        srv.routes["/feed.xml"] = _feed_route(srv)
        srv.routes["/library"] = lambda h: send(h, 200, _page(), Content_Type="text/html; charset=utf-8")
        srv.routes["/broken.xml"] = lambda h: send(h, 500, b"down")
        srv.routes["/subs.opml"] = lambda h: send(
            h,
            200,
            f'<opml version="2.0"><body><outline text="EW" xmlUrl="{srv.base}/atom.xml"/></body></opml>'.encode(),
            Content_Type="text/x-opml",
        )
        srv.routes["/atom.xml"] = lambda h: send(h, 200, _atom(srv.base), Content_Type="application/atom+xml")
        yield srv


def test_ingest_sources_end_to_end(server: LocalServer, tmp_path: Path) -> None:
    local = tmp_path / "inbox"
    local.mkdir()
    (local / "note.txt").write_text(f"Ferry timetable changes\n\n{FULL}\n", encoding="utf-8")
    settings = Settings(
        sources=(
            SourceSettings(url=server.base + "/feed.xml", fetch_full=True),
            SourceSettings(url=server.base + "/broken.xml"),
            SourceSettings(url=server.base + "/subs.opml"),
            SourceSettings(path=str(local)),
        ),
        store_url=f"sqlite:///{tmp_path / 'store.db'}",
    )
    policy = server.policy(retries=1)
    with open_store(settings.store_url) as store:
        first = ingest_sources(settings, store, NOW, policy)
        titles = {a.title: a for a in first.articles}
        assert set(titles) == {
            "Extra evening ferry for the winter",
            "Library to open on Sundays",
            "Estuary bird count rises",
            "Ferry timetable changes",
        }
        library = titles["Library to open on Sundays"]
        assert library.text.split("\n\n") == PAGE_PARAS  # the teaser was replaced by the linked page
        assert library.url == server.base + "/library" and library.outlet == "Tarn Courier"
        assert server.hits["/ferry"] == 0  # full items are not fetched again
        assert server.hits["/broken.xml"] == 2  # retried once, then counted as a failure
        assert [o.location for o in first.failed] == [server.base + "/broken.xml"]
        assert first.new_articles == 4 and store.count_articles() == 4

        second = ingest_sources(settings, store, NOW + dt.timedelta(hours=1), policy)
        by_location = {o.location: o for o in second.outcomes}
        feed = by_location[server.base + "/feed.xml"]
        assert feed.not_modified and feed.articles == 2  # the remembered body was read again
        assert second.new_articles == 0 and len(second.articles) == 4
        health = {h.location: h for h in store.source_health()}
    broken = health[server.base + "/broken.xml"]
    assert broken.failures == 2 and broken.fetches == 2 and broken.last_success is None
    assert "500" in broken.last_error and not broken.ok
    ok = health[server.base + "/feed.xml"]
    assert ok.ok and ok.fetches == 2 and ok.last_articles == 2 and ok.articles == 4
    assert ok.last_success == NOW + dt.timedelta(hours=1)
    assert health[server.base + "/atom.xml"].last_articles == 1  # a feed of the OPML list
    assert health[str(local)].last_articles == 1

    config = tmp_path / "digest.toml"
    config.write_text(
        f'[store]\nurl = "{settings.store_url}"\n'
        + "".join(f'[[sources]]\nurl = "{server.base}{p}"\n' for p in ("/feed.xml", "/broken.xml")),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "sources"])
    assert result.exit_code == 0, result.output
    assert f"ok     {server.base}/feed.xml" in result.output
    assert f"FAILED {server.base}/broken.xml" in result.output and "server error 500" in result.output
    assert f"{server.base}/atom.xml" in result.output  # the OPML list's feed


def test_url_inputs_are_fetched_with_teaser_pages(server: LocalServer) -> None:
    result = read_inputs([server.base + "/feed.xml", server.base + "/broken.xml"], NOW, policy=server.policy())
    titles = {a.title: a for a in result.articles}
    assert titles["Library to open on Sundays"].text.split("\n\n") == PAGE_PARAS
    [skip] = result.skipped
    assert skip.kind == "fetch-failed" and "500" in skip.reason


def test_url_inputs_use_the_guard_by_default(server: LocalServer) -> None:
    result = read_inputs([server.base + "/feed.xml"], NOW)
    assert not result.articles and "refused" in result.skipped[0].reason
    assert server.hits["/feed.xml"] == 0


def test_sources_without_config() -> None:
    result = CliRunner().invoke(cli, ["sources"], env={"DIGEST_STORE_URL": "sqlite://"})
    assert result.exit_code == 0 and "no sources configured" in result.output


def _teaser_feed(base: str, count: int, outlet: str = "Teaser Wire") -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/story{n}</link>"
        f"<pubDate>Mon, 23 Nov 2026 0{n % 10}:15:00 +0000</pubDate><description>Short deck {n} …</description></item>"
        for n in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet}</title>{items}</channel></rss>'.encode()


def test_teaser_pages_are_capped_per_feed(tmp_path: Path) -> None:
    with local_server() as srv:
        srv.routes["/teasers.xml"] = lambda h: send(h, 200, _teaser_feed(srv.base, 6))
        for n in range(6):
            srv.routes[f"/story{n}"] = lambda h: send(h, 200, _page(), Content_Type="text/html")
        settings = Settings(
            sources=(SourceSettings(url=srv.base + "/teasers.xml", fetch_full=True),),
            store_url=f"sqlite:///{tmp_path / 'store.db'}",
        )
        with open_store(settings.store_url) as store:
            result = ingest_sources(settings, store, NOW, srv.policy(max_pages_per_feed=2))
        assert sum(srv.hits[f"/story{n}"] for n in range(6)) == 2
        assert result.outcomes[0].pages_fetched == 2


def test_a_fetched_page_keeps_its_outlet_and_the_items_time(tmp_path: Path) -> None:
    """Issue 13: the page's outlet (og:site_name) names the article; the feed item's time dates it."""
    page = (
        _page()
        .replace(b"content='Tarn Courier'", b"content='Tarn Courier Online'")
        .replace(b"<head>", b"<head><meta property='article:published_time' content='2026-11-20T10:00:00+00:00'>")
    )
    with local_server() as srv:
        srv.routes["/teasers.xml"] = lambda h: send(h, 200, _teaser_feed(srv.base, 1, outlet="Aggregator"))
        srv.routes["/story0"] = lambda h: send(h, 200, page, Content_Type="text/html")
        settings = Settings(
            sources=(SourceSettings(url=srv.base + "/teasers.xml", fetch_full=True),),
            store_url=f"sqlite:///{tmp_path / 'store.db'}",
        )
        with open_store(settings.store_url) as store:
            (article,) = ingest_sources(settings, store, NOW, srv.policy()).articles
    assert article.outlet == "Tarn Courier Online"
    assert article.published == dt.datetime(2026, 11, 23, 0, 15, tzinfo=dt.UTC)
    assert article.text.split("\n\n") == PAGE_PARAS


def test_a_feed_on_127_0_0_1_is_read_only_when_fetch_allow_names_it(tmp_path: Path) -> None:
    """Issue 13: `[fetch] allow` in the config file opens the address guard for what it names only."""

    with local_server() as srv:
        srv.routes["/feed.xml"] = lambda h: send(h, 200, _rss(srv.base), Content_Type="application/rss+xml")
        for allow in ("", f'[fetch]\nallow = ["127.0.0.1:{srv.port}"]\n'):
            config = tmp_path / "digest.toml"
            config.write_text(
                f'{allow}[[sources]]\nurl = "{srv.base}/feed.xml"\n[store]\nurl = "sqlite:///{tmp_path}/s.db"\n',
                encoding="utf-8",
            )
            with open_store(f"sqlite:///{tmp_path}/s.db") as store:
                result = ingest_sources(load(config, environ={}), store, NOW)
            if allow:
                assert len(result.articles) == 2 and not result.failed
            else:
                assert not result.articles and "refused" in result.failed[0].error
        assert srv.hits["/feed.xml"] == 1  # the refused run never connected


def test_a_configured_source_of_wire_codes_only_is_skipped_not_stored(tmp_path: Path) -> None:
    # `digest run` reads configured sources without read_inputs: an article empty once cleaned is skipped there too.
    local = tmp_path / "inbox"
    local.mkdir()
    (local / "codes.txt").write_text("&HT;\n\n&QL; &UR; &LR;\n", encoding="utf-8")
    (local / "note.txt").write_text(f"Ferry timetable changes\n\n{FULL}\n", encoding="utf-8")
    settings = Settings(sources=(SourceSettings(path=str(local)),), store_url=f"sqlite:///{tmp_path / 'store.db'}")
    with open_store(settings.store_url) as store:
        result = ingest_sources(settings, store, NOW)
        assert [a.title for a in result.articles] == ["Ferry timetable changes"]
        assert [s.kind for s in result.skipped] == ["no-text"]
        assert store.count_articles() == 1
