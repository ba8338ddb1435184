"""End to end: inputs -> store -> briefing files, read back the way a user would."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import lxml.html
import pypdf
import pytest

from digest.config import Settings
from digest.pipeline import build_day
from tests.conftest import DAY, FURNITURE


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> tuple[Path, Settings]:
    tmp = tmp_path_factory.mktemp("seed")
    settings = Settings(store_url=f"sqlite:///{tmp / 'store.db'}")
    build_day(settings, DAY, tmp / "out", [str(seed_path)])
    return tmp / "out" / DAY.isoformat(), settings


def test_seed_briefing_json(seed_build: tuple[Path, Settings], seed_path: Path) -> None:
    folder, _ = seed_build
    data = json.loads((folder / "briefing.json").read_text("utf-8"))
    assert data["date"] == "2026-11-24"
    stories = data["stories"]
    assert len(stories) == 3
    by_size = sorted(stories, key=lambda s: -len(s["articles"]))
    ukraine = by_size[0]
    assert len(ukraine["articles"]) == 2
    assert {a["title"][:7] for a in ukraine["articles"]} == {"Russia ", "Ukraine"}
    outlets = {a["outlet"] for s in stories for a in s["articles"]}
    assert {"Arab News", "Al Arabiya"} <= outlets
    page = seed_path.read_text("utf-8")
    for story in stories:
        assert story["id"] and story["label"] and story["headline"]
        ids = {a["id"] for a in story["articles"]}
        for sentence in story["summary"]:
            assert sentence["text"] in page
            assert sentence["article_id"] in ids
        for article in story["articles"]:
            assert article["source"].startswith(str(seed_path) + "#")
            assert article["published"].endswith("+00:00")


def test_seed_outputs_have_no_furniture(seed_build: tuple[Path, Settings]) -> None:
    folder, _ = seed_build
    texts = [(folder / n).read_text("utf-8") for n in ("briefing.html", "email.html", "briefing.txt", "briefing.json")]
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(folder / "briefing.pdf").pages)
    for text in [*texts, pdf_text]:
        for junk in FURNITURE:
            assert junk not in text


def test_seed_html_and_pdf_read_back(seed_build: tuple[Path, Settings]) -> None:
    folder, _ = seed_build
    data = json.loads((folder / "briefing.json").read_text("utf-8"))
    labels = [s["label"] for s in data["stories"]]
    doc = lxml.html.fromstring((folder / "briefing.html").read_bytes())
    cards = doc.xpath("//article[@class='story']")
    singles = doc.xpath("//section[@class='singles']//li")
    assert len(cards) + len(singles) == 3
    assert [c.xpath("string(.//p[@class='label'])") for c in cards] == [
        s["label"] for s in data["stories"] if len(s["articles"]) > 1
    ]
    reader = pypdf.PdfReader(io.BytesIO((folder / "briefing.pdf").read_bytes()))
    assert len(reader.pages) >= 1
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert labels[0] in text
    assert "2026-11-24" in (reader.metadata.title or "")
    email = lxml.html.fromstring((folder / "email.html").read_bytes())
    assert email.xpath("//*[@style]"), "CSS is inlined into style attributes"


def test_rebuild_from_store_is_byte_identical(seed_build: tuple[Path, Settings], tmp_path: Path) -> None:
    folder, settings = seed_build
    report = build_day(settings, DAY, tmp_path, pdf=False)
    assert report.new_articles == 0 and report.articles == 4
    for name in ("briefing.json", "briefing.html", "briefing.txt", "email.html"):
        assert (tmp_path / DAY.isoformat() / name).read_bytes() == (folder / name).read_bytes(), name
    assert "2026-11-24/briefing.html" in (tmp_path / "index.html").read_text("utf-8")


def test_two_builds_of_the_same_input_are_identical(samples_dir: Path, tmp_path: Path) -> None:
    outs = []
    for n in range(2):
        settings = Settings(store_url=f"sqlite:///{tmp_path / f's{n}.db'}")
        build_day(settings, DAY, tmp_path / f"out{n}", [str(samples_dir)], pdf=False)
        outs.append(tmp_path / f"out{n}" / DAY.isoformat())
    for name in ("briefing.json", "briefing.html", "briefing.txt", "email.html"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_user_template_folder_overrides_a_builtin(samples_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "briefing.txt").write_text("CUSTOM {{ briefing.stories | length }} {{ b.title }}\n")
    settings = Settings(store_url="sqlite://")
    settings = replace(settings, briefing=replace(settings.briefing, templates=str(tmp_path / "tpl"), title="<T&C>"))
    build_day(settings, DAY, tmp_path / "out", [str(samples_dir)], pdf=False)
    assert (tmp_path / "out" / DAY.isoformat() / "briefing.txt").read_text() == "CUSTOM 10 <T&C>\n"
    html = (tmp_path / "out" / DAY.isoformat() / "briefing.html").read_text()
    assert "&lt;T&amp;C&gt;" in html and "<T&C>" not in html


def test_duplicates_and_languages_are_shown(tmp_path: Path) -> None:
    body = (
        "Harbour officials in Port Elmstead said on Monday the ferry service would run every ten minutes "
        "while the bridge stays closed. The mayor said repairs would take at least ten weeks. "
        "Engineers found cracks in two main girders during a routine inspection last week."
    )
    german = (
        "Die Stadt Port Elmstead hat die Brücke nach Rissen in zwei Hauptträgern gesperrt. Der Fährdienst "
        "fährt nun alle zehn Minuten, sagte die Bürgermeisterin am Montag. Die Reparatur soll mindestens "
        "zehn Wochen dauern, und die Kosten werden auf 34 Millionen Dollar geschätzt."
    )
    records = [
        {"title": "Ferries every ten minutes", "text": body, "url": "https://a.example/f", "outlet": "Alpha Post"},
        {"title": "Ferries every ten minutes", "text": body, "url": "https://b.example/f", "outlet": "Beta Times"},
        {"title": "Brücke gesperrt", "text": german, "url": "https://c.example/b", "outlet": "Gamma Zeitung"},
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    build_day(Settings(store_url="sqlite://"), DAY, tmp_path / "out", [str(tmp_path / "in.jsonl")], pdf=False)
    folder = tmp_path / "out" / DAY.isoformat()
    data = json.loads((folder / "briefing.json").read_text("utf-8"))
    articles = [a for s in data["stories"] for a in s["articles"]]
    assert len(articles) == 2, "the wire copy is one article"
    (copy,) = [a for a in articles if a["also_in"]]
    assert {copy["outlet"], copy["also_in"][0]["outlet"]} == {"Alpha Post", "Beta Times"}
    assert {a["language"] for a in articles} == {"en", "de"}
    html = (folder / "briefing.html").read_text("utf-8")
    text = (folder / "briefing.txt").read_text("utf-8")
    assert "Beta Times" in html and "Alpha Post" in html and "[DE]" in html
    assert "Beta Times" in text and "Alpha Post" in text and "[DE]" in text
