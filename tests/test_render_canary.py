"""Rendering reads nothing local or remote: a canary behind every kind of reference must never show up.

Two routes are tried. Article text carrying references (escaped, so they never become references)
and a user's own PDF template that references the canary directly (trusted markup; the URL fetcher
is what stops it). A local HTTP server on 127.0.0.1 counts any request made to it.
"""

from __future__ import annotations

import http.server
import threading
import zlib
from pathlib import Path

import pytest
from render_helpers import assert_inert, pdf_objects, small_day

from digest.config import BriefingSettings, Settings
from digest.errors import RenderError
from digest.outputs.render import render_outputs, render_pdf

TOKEN = "CANARY7f3a91"
# A 1x1 PNG, written here byte by byte: if it were ever fetched, an image XObject would appear.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    + len(zlib.compress(b"\x00\xff\x00\x00")).to_bytes(4, "big")
    + b"IDAT"
    + zlib.compress(b"\x00\xff\x00\x00")
    + zlib.crc32(b"IDAT" + zlib.compress(b"\x00\xff\x00\x00")).to_bytes(4, "big")
    + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def canary(tmp_path_factory):
    """Canary files (stylesheet, text, image, font, SVG) and a server that counts requests."""
    folder = tmp_path_factory.mktemp("canary")
    (folder / "canary.css").write_text(f'body::after {{ content: "{TOKEN}-css"; }}', encoding="utf-8")
    (folder / "canary.txt").write_text(f"{TOKEN}-txt", encoding="utf-8")
    (folder / "canary.png").write_bytes(PNG)
    (folder / "canary.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text y="10">{TOKEN}-svg</text></svg>', encoding="utf-8"
    )
    (folder / "canary.ttf").write_bytes(b"\x00\x01\x00\x00" + TOKEN.encode())
    hits: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield folder, base, hits
    server.shutdown()
    server.server_close()


ROOTS = ("file", "path", "http", "relative")


def references(folder: Path, base: str, roots: tuple[str, ...] = ROOTS) -> str:
    """Markup that points at the canaries in every way HTML, CSS and SVG allow, from each kind of root."""
    out = []
    where = {"file": f"file://{folder}", "path": str(folder), "http": base, "relative": "canary-relative"}
    for root in (where[r] for r in roots):
        out.append(
            f"""
<link rel="stylesheet" href="{root}/canary.css">
<link rel="attachment" href="{root}/canary.txt">
<style>@import url("{root}/canary.css"); @font-face {{ font-family: Canary; src: url("{root}/canary.ttf"); }}
p.c {{ font-family: Canary; background: url("{root}/canary.png"); list-style-image: url("{root}/canary.png"); }}
p.c::before {{ content: url("{root}/canary.svg"); }}</style>
<p class="c" style="background-image: url('{root}/canary.png')">x</p>
<img src="{root}/canary.png" alt=""><img srcset="{root}/canary.png 1x" alt="">
<object data="{root}/canary.svg"></object><embed src="{root}/canary.svg"><iframe src="{root}/canary.txt"></iframe>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">
<image href="{root}/canary.png" width="10" height="10"/><image xlink:href="{root}/canary.svg" width="10" height="10"/>
<use href="{root}/canary.svg#x"/></svg>
<a href="{root}/canary.txt" rel="attachment">attachment link</a>
"""
        )
    return "\n".join(out)


def _holds_canary(data: bytes) -> bool:
    everything = b"\n".join(pdf_objects(data))
    return TOKEN.encode() in everything or b"/EmbeddedFile" in everything or b"/Subtype /Image" in everything


def test_references_in_article_text_stay_text_in_every_output(canary):
    folder, base, hits = canary
    day = small_day(extra_references=references(folder, base))
    files = render_outputs(day, Settings())
    for name in ("briefing.html", "email.html"):
        doc = assert_inert(files[name].decode())
        assert not doc.find("img", None) or all(img.get("src", "").startswith("data:") for img in doc.find("img"))
    assert TOKEN.encode() not in b"".join(files.values())
    assert not _holds_canary(files["briefing.pdf"])
    assert hits == []


@pytest.mark.parametrize("roots", [("file", "http"), ("path",), ("relative",)])
def test_a_template_that_references_the_canary_directly_gets_nothing(canary, tmp_path, caplog, roots):
    folder, base, hits = canary
    refs = references(folder, base, roots)
    page = f"<!DOCTYPE html><html><head><title>t</title></head><body>{refs}<p>ok</p></body></html>"
    (tmp_path / "pdf.html").write_text(page, encoding="utf-8")
    settings = Settings(briefing=BriefingSettings(templates=str(tmp_path)))
    try:
        data = render_pdf(small_day(), settings)
    except RenderError as exc:
        # With no base URL, WeasyPrint rejects a relative reference outright: also nothing read.
        assert "base URI" in str(exc)
    else:
        assert data.startswith(b"%PDF")
        assert not _holds_canary(data)
        # The refusals are logged (by WeasyPrint) rather than silently followed.
        assert any("refused" in r.getMessage() for r in caplog.records)
    assert hits == []
