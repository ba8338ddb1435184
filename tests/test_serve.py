"""digest serve: the routes over a real store and archive (three built days), through Flask's client.

The browser tests (tests/test_serve_browser.py) drive a real server process; these check each
route's contract quickly: listings, day pages, search, timelines, regenerate and its refusals.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest

from digest.config import ServeSettings, Settings
from digest.ingest import read_inputs
from digest.pipeline import build_day
from digest.store import IndexedStory, open_store
from digest.web import create_app, is_loopback
from tests.conftest import FIXTURES

DAYS = [dt.date(2026, 11, 22), dt.date(2026, 11, 23), dt.date(2026, 11, 24)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """Three consecutive days built from the fixtures into one store and archive."""
    tmp = tmp_path_factory.mktemp("serve")
    settings = Settings(store_url=f"sqlite:///{tmp / 'store.db'}", out_dir=str(tmp / "out"))
    for day in DAYS:
        build_day(settings, day, tmp / "out", [str(FIXTURES / "three_days" / f"{day}.jsonl")], pdf=False)
    return settings, tmp / "out"


@pytest.fixture
def archive(built: tuple[Settings, Path], tmp_path: Path) -> tuple[Settings, Path]:
    """A private copy of the three days (store and files), for tests that regenerate."""
    settings, out = built
    shutil.copytree(out, tmp_path / "out")
    shutil.copy(settings.store_url.removeprefix("sqlite:///"), tmp_path / "store.db")
    return replace(settings, store_url=f"sqlite:///{tmp_path / 'store.db'}", out_dir=str(tmp_path / "out")), (
        tmp_path / "out"
    )


def _client(settings: Settings, out: Path, host: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    app = create_app(settings, out, host)
    return app.test_client()


def _doc(response) -> lxml.html.HtmlElement:  # type: ignore[no-untyped-def]
    return lxml.html.fromstring(response.get_data(as_text=True))


def _story_json(out: Path, day: dt.date) -> list[dict]:  # type: ignore[type-arg]
    return json.loads((out / day.isoformat() / "briefing.json").read_text("utf-8"))["stories"]


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.3.4.5") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")


def test_archive_lists_days_newest_first_with_headlines(built: tuple[Settings, Path]) -> None:
    settings, out = built
    response = _client(settings, out).get("/")
    assert response.status_code == 200
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none': no script
    doc = _doc(response)
    days = doc.xpath("//li[@class='day']")
    assert [d.xpath("string(.//h2/a/@href)") for d in days] == ["/2026-11-24/", "/2026-11-23/", "/2026-11-22/"]
    first = _story_json(out, DAYS[2])
    assert days[0].xpath("string(.//p[@class='count'])") == f"{len(first)} stories"
    assert [a.text for a in days[0].xpath(".//ul/li/a")] == [s["headline"] for s in first[:3]]


def test_archive_is_paged(built: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    settings, out = built
    monkeypatch.setattr("digest.web.app.DAYS_PER_PAGE", 2)
    client = _client(settings, out)
    one, two = _doc(client.get("/")), _doc(client.get("/?page=2"))
    assert [a.text for a in one.xpath("//li[@class='day']/h2/a")] == [
        "Tuesday 24 November 2026",
        "Monday 23 November 2026",
    ]
    assert [a.text for a in two.xpath("//li[@class='day']/h2/a")] == ["Sunday 22 November 2026"]
    assert one.xpath("//nav[@class='pages']/a[@rel='next']/@href") == ["/?page=2"]
    assert _doc(client.get("/?page=zz")).xpath("//li[@class='day']")  # a bad page number is page 1


def test_day_page_is_the_briefing_with_neighbours_and_files(built: tuple[Settings, Path]) -> None:
    settings, out = built
    client = _client(settings, out)
    response = client.get("/2026-11-23/")
    assert response.status_code == 200
    doc = _doc(response)
    static = lxml.html.fromstring((out / "2026-11-23" / "briefing.html").read_bytes())
    # The same page: the same stories, in the same order.
    assert doc.xpath("//article[@class='story']/@id") == static.xpath("//article[@class='story']/@id")
    bar = doc.xpath("//nav[contains(@class, 'served')]")[0]
    assert bar.xpath(".//a[@rel='prev']/@href") == ["/2026-11-22/"]
    assert bar.xpath(".//a[@rel='next']/@href") == ["/2026-11-24/"]
    assert {a.text for a in bar.xpath(".//a")} >= {"Email", "Text", "JSON"}
    assert "PDF" not in {a.text for a in bar.xpath(".//a")}  # built with --no-pdf: no dead link here
    assert len(doc.xpath("//nav[contains(@class, 'days')]")) == 1  # the static links were replaced
    assert doc.xpath("//form[@class='regenerate']/@action") == ["/2026-11-23/regenerate"]
    for name, kind in (
        ("briefing.json", "application/json"),
        ("briefing.txt", "text/plain"),
        ("email.html", "text/html"),
    ):
        got = client.get(f"/2026-11-23/{name}")
        assert got.status_code == 200 and got.mimetype == kind
        assert got.data == (out / "2026-11-23" / name).read_bytes()
    assert client.get("/2026-11-23/briefing.html").headers["Location"].endswith("/2026-11-23/")
    assert client.get("/2026-11-23").status_code == 301
    for bad in ("/2026-11-23/briefing.pdf", "/2026-11-23/..%2fstore.db", "/2026-11-30/", "/2026-13-01/", "/x/"):
        assert client.get(bad).status_code == 404, bad


def test_static_pages_link_their_neighbours_and_rebuild_identically(archive: tuple[Settings, Path]) -> None:
    settings, out = archive
    pages = {d: lxml.html.fromstring((out / d.isoformat() / "briefing.html").read_bytes()) for d in DAYS}
    nav = {d: pages[d].xpath("//nav[@class='days']")[0] for d in DAYS}
    # Day 1 was built before day 2 existed: building day 2 gave it its "next" link.
    assert nav[DAYS[0]].xpath(".//a[@rel='next']/@href") == ["../2026-11-23/briefing.html"]
    assert nav[DAYS[0]].xpath(".//a[@rel='prev']") == []
    assert nav[DAYS[1]].xpath(".//a[@rel='prev']/@href") == ["../2026-11-22/briefing.html"]
    assert nav[DAYS[2]].xpath(".//a[@rel='next']") == []
    assert {a.get("href") for a in nav[DAYS[1]].xpath(".//a")} >= {"../index.html", "briefing.pdf"}
    before = (out / "2026-11-22" / "briefing.html").read_bytes()
    build_day(settings, DAYS[0], out, pdf=False)
    assert (out / "2026-11-22" / "briefing.html").read_bytes() == before


def test_search_finds_a_story_by_a_word_of_its_summary(built: tuple[Settings, Path]) -> None:
    settings, out = built
    story = _story_json(out, DAYS[0])[0]
    words = [w.strip(".,;:\"'()") for w in story["summary"][0]["text"].split()]
    word = max((w for w in words if w.isalpha() and w.lower() not in story["headline"].lower()), key=len)
    doc = _doc(_client(settings, out).get(f"/search?q={word}"))
    hits = doc.xpath("//li[@class='hit']")
    assert hits, word
    hrefs = [h.xpath("string(.//h2/a/@href)") for h in hits]
    assert f"/stories/{story['id']}" in hrefs
    hit = hits[hrefs.index(f"/stories/{story['id']}")]
    assert hit.xpath("string(.//p[@class='label'])") == story["label"]
    assert hit.xpath("string(.//h2/a)") == story["headline"]
    assert word.lower() in " ".join(m.text.lower() for m in hit.xpath(".//mark"))
    assert "Sunday 22 November 2026" in hit.xpath("string(.//p[@class='snippet-day'])")


def test_search_takes_words_not_syntax_and_escapes(archive: tuple[Settings, Path]) -> None:
    settings, out = archive
    client = _client(settings, out)
    for query in ('"', "NEAR(a b)", "label:x OR", "*", "a AND", "'; DROP TABLE story_index; --"):
        assert client.get("/search", query_string={"q": query}).status_code == 200, query
    assert _doc(client.get("/search?q=zzzyqx")).xpath("//p[@class='none']")
    # A hostile story in a day's briefing.json (re-indexed because the file changed).
    path = out / "2026-11-24" / "briefing.json"
    data = json.loads(path.read_text("utf-8"))
    evil = "<script>alert(1)</script>"
    data["stories"].append(
        {
            "id": "evil",
            "label": evil,
            "headline": "Hostile <b>x</b>",
            "articles": [],
            "summary": [{"text": f"hostile {evil}", "article_id": "none"}],
        }
    )
    path.write_text(json.dumps(data), "utf-8")
    html = client.get("/search?q=hostile").get_data(as_text=True)
    assert "Hostile &lt;b&gt;x&lt;/b&gt;" in html and "<script>alert" not in html
    assert "<mark>hostile</mark> &lt;script&gt;" in html
    # A day gone from the archive leaves the index.
    with open_store(settings.store_url) as store:
        store.index_day(
            dt.date(2026, 11, 30), [IndexedStory(dt.date(2026, 11, 30), "gone", 0, "Gone", "Gone", "", 1, "")], "x"
        )
    assert not _doc(client.get("/search?q=gone")).xpath("//li[@class='hit']")


def test_story_timeline_follows_a_story_across_days(built: tuple[Settings, Path]) -> None:
    settings, out = built
    ids = [{s["id"] for s in _story_json(out, d)} for d in DAYS]
    running = sorted(ids[0] & ids[1] & ids[2]) or sorted(ids[1] & ids[2])
    assert running, "the fixture has a story that continues"
    story_id = running[0]
    doc = _doc(_client(settings, out).get(f"/stories/{story_id}"))
    runs = doc.xpath("//li[@class='run']")
    days_run = [d for d, known in zip(DAYS, ids, strict=True) if story_id in known]
    assert [r.xpath("string(.//h2/a/@href)") for r in runs] == [f"/{d}/#s-{story_id}" for d in days_run]
    first = next(s for s in _story_json(out, days_run[0]) if s["id"] == story_id)
    assert [li.text.strip() for li in runs[0].xpath(".//ul[@class='summary']/li")] == [
        x["text"] for x in first["summary"]
    ]
    assert _client(settings, out).get("/stories/nope").status_code == 404


def _csrf(client, day: str) -> str:  # type: ignore[no-untyped-def]
    return _doc(client.get(f"/{day}/")).xpath("string(//form[@class='regenerate']/input[@name='csrf']/@value)")


def test_regenerate_is_byte_identical_and_says_so(archive: tuple[Settings, Path]) -> None:
    settings, out = archive
    client = _client(settings, out)
    before = (out / "2026-11-23" / "briefing.json").read_bytes()
    response = client.post("/2026-11-23/regenerate", data={"csrf": _csrf(client, "2026-11-23")})
    assert response.status_code == 200
    result = _doc(response).xpath("//p[@id='result']")[0]
    assert result.get("class") == "ok" and "Byte-identical" in result.text_content()
    assert (out / "2026-11-23" / "briefing.json").read_bytes() == before
    # As `digest build --date D`: with its PDF, new for a day first built with --no-pdf.
    assert "New: briefing.pdf" in result.text_content() and (out / "2026-11-23" / "briefing.pdf").is_file()
    again = client.post("/2026-11-23/regenerate", data={"csrf": _csrf(client, "2026-11-23")})
    assert "briefing.pdf" in _doc(again).xpath("string(//p[@id='result'])").split("(")[1]  # now among the same


def test_regenerate_shows_a_change_in_the_store(archive: tuple[Settings, Path]) -> None:
    settings, out = archive
    day = DAYS[2]
    extra = read_inputs([str(FIXTURES / "three_days" / "2026-11-22.jsonl")], settings.briefing.cutoff(day)).articles
    with open_store(settings.store_url) as store:
        store.set_edition(day, [a.id for a in store.edition(day)] + [a.id for a in extra[:3]])
    client = _client(settings, out)
    response = client.post(f"/{day}/regenerate", data={"csrf": _csrf(client, day.isoformat())})
    result = _doc(response).xpath("//p[@id='result']")[0]
    assert result.get("class") == "changed" and "briefing.json" in result.text_content()
    titles = {a["title"] for s in _story_json(out, day) for a in s["articles"]}
    assert {a.title for a in extra[:3]} <= titles
    # The search index follows the rebuilt day.
    assert _doc(client.get("/search", query_string={"q": extra[0].title})).xpath("//li[@class='hit']")


def test_regenerate_without_the_form_token_is_403(archive: tuple[Settings, Path]) -> None:
    settings, out = archive
    client = _client(settings, out)
    token = _csrf(client, "2026-11-23")
    before = (out / "2026-11-23" / "briefing.html").stat().st_mtime_ns
    refused = [
        client.post("/2026-11-23/regenerate"),
        client.post("/2026-11-23/regenerate", data={"csrf": "0" * 64}),
        client.post("/2026-11-22/regenerate", data={"csrf": token}),  # another day's form
        client.post("/2026-11-23/regenerate", data={"csrf": token}, headers={"Sec-Fetch-Site": "cross-site"}),
        client.post("/2026-11-23/regenerate", data={"csrf": token}, headers={"Origin": "https://evil.example"}),
        # Another server process (a restart) has another key: its tokens do not carry over.
        _client(settings, out).post("/2026-11-23/regenerate", data={"csrf": token}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert (out / "2026-11-23" / "briefing.html").stat().st_mtime_ns == before
    assert client.get("/2026-11-23/regenerate").status_code in (404, 405)  # only a POST regenerates


def test_off_loopback_regenerate_needs_the_serve_token(archive: tuple[Settings, Path]) -> None:
    settings, out = archive
    off = _client(settings, out, host="0.0.0.0")
    page = _doc(off.get("/2026-11-23/"))
    assert not page.xpath("//form[@class='regenerate']")  # no token configured: the button is gone
    forged = off.post("/2026-11-23/regenerate", data={"csrf": _csrf(_client(settings, out), "2026-11-23")})
    assert forged.status_code == 403
    guarded = replace(settings, serve=ServeSettings(token="s3cret"))
    client = _client(guarded, out, host="0.0.0.0")
    assert _doc(client.get("/2026-11-23/")).xpath("//form[@class='regenerate']//input[@name='token']")
    token = _csrf(client, "2026-11-23")
    assert client.post("/2026-11-23/regenerate", data={"csrf": token}).status_code == 403
    assert client.post("/2026-11-23/regenerate", data={"csrf": token, "token": "wrong"}).status_code == 403
    ok = client.post("/2026-11-23/regenerate", data={"csrf": token, "token": "s3cret"})
    assert ok.status_code == 200 and "Byte-identical" in ok.get_data(as_text=True)


def test_the_sample_day_is_served_and_searchable(samples_dir: Path, tmp_path: Path) -> None:
    # As `digest demo` builds it: an in-memory store, so the archive's files are all there is.
    out = tmp_path / "out"
    build_day(Settings(store_url="sqlite://"), dt.date(2026, 11, 24), out, [str(samples_dir)], pdf=False)
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'serve.db'}", out_dir=str(out))
    client = _client(settings, out)
    assert _doc(client.get("/")).xpath("//li[@class='day']")
    assert client.get("/2026-11-24/").status_code == 200
    assert _doc(client.get("/search?q=flood")).xpath("//li[@class='hit']")
    response = client.post("/2026-11-24/regenerate", data={"csrf": _csrf(client, "2026-11-24")})
    assert response.status_code == 409 and "no articles stored for 2026-11-24" in response.get_data(as_text=True)
