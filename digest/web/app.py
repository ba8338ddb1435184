"""`digest serve`: the archive as a small web app (Flask, served by waitress).

Routes, over the output folder and the store:

    GET  /                      the days, newest first, each with its top headlines (paged)
    GET  /YYYY-MM-DD/           that day's web page, with a bar: previous/next day, its files,
                                search, and the regenerate form
    GET  /YYYY-MM-DD/<file>     briefing.pdf, email.html, briefing.txt, briefing.json
    GET  /stories/ID            one story across the days it ran, each day's summary
    GET  /search?q=...          full-text search over every day's stories (the store's index)
    POST /YYYY-MM-DD/regenerate rebuild the day from the store, as `digest build --date D` does

Everything but regenerating is read-only. Regenerating needs the token of the day's form (a
cross-site page cannot read it), refuses requests a browser marks cross-site, and, when the
server listens on anything but loopback, also needs ``[serve] token`` (or DIGEST_SERVE_TOKEN);
without one configured it is off there. Refusals are 403. No page uses JavaScript; every
template is autoescaped, links pass ``safe_url``, and a Content-Security-Policy allows no
script at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any, cast

import waitress
from flask import Flask, Response, abort, redirect, request
from werkzeug.exceptions import HTTPException

from ..config import Settings
from ..errors import DigestError
from ..store import IndexedStory, SearchHit
from .archive import DAY_FILES, ArchiveApp, _read_stories

__all__ = ["create_app", "make_server"]

LOGGER = logging.getLogger(__name__)
DAYS_PER_PAGE = 20  # a month of mornings fits in two screens
HEADLINES_PER_DAY = 3
RESULTS_PER_PAGE = 20
SERVER_THREADS = 4  # a regeneration (seconds) must not stall the pages others are reading
MAX_REQUEST_BYTES = 64 * 1024  # the only body we take is the regenerate form
# No script at all; the pages' own <style> and a data: logo are the only things they load.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STORY_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def _parse_day(text: str) -> dt.date:
    if not _DAY_RE.match(text):
        abort(404)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        abort(404)


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


def create_app(settings: Settings, out_dir: Path, host: str = "127.0.0.1") -> Flask:
    """The Flask app serving the archive in out_dir; host is where it will listen (loopback or not).

    Raises StoreError when the store cannot be opened.
    """
    archive = ArchiveApp(settings, out_dir, host)
    app = Flask(__name__, static_folder=None, template_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.extensions["digest"] = archive

    def page(name: str, status: int = 200, **context: object) -> Response:
        return Response(archive.render(name, **context), status=status, content_type="text/html; charset=utf-8")

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Article sites learn nothing of the archive; our own forms still carry their Origin.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.method == "GET" and response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-cache"
        return response

    @app.errorhandler(HTTPException)
    def _error(exc: HTTPException) -> Response:
        return page("web/error.html", status=exc.code or 500, code=exc.code, message=exc.description or exc.name)

    @app.get("/")
    def index() -> Response:
        archive.sync_index()
        days = archive.days()[::-1]
        number = _page_number(request.args.get("page"))
        pages = max(1, -(-len(days) // DAYS_PER_PAGE))
        number = min(number, pages)
        shown = days[(number - 1) * DAYS_PER_PAGE : number * DAYS_PER_PAGE]
        by_day: dict[dt.date, list[IndexedStory]] = {d: [] for d in shown}
        for story in archive.store.indexed_stories(shown):
            by_day[story.day].append(story)
        return page("web/archive.html", days=shown, stories=by_day, page=number, pages=pages, top=HEADLINES_PER_DAY)

    @app.get("/index.html")
    def index_html() -> Any:
        return redirect("/", code=301)

    @app.get("/feed.xml")
    def feed() -> Any:
        path = out_dir / "feed.xml"
        if not path.is_file():
            abort(404)
        return Response(path.read_bytes(), mimetype="application/atom+xml")

    @app.get("/<day_text>/")
    def day_page(day_text: str) -> Response:
        day = _parse_day(day_text)
        if not (archive.day_folder(day) / "briefing.html").is_file():
            abort(404, f"{day} is not in the archive")
        return Response(archive.day_page(day), content_type="text/html; charset=utf-8")

    @app.get("/<day_text>")
    def day_bare(day_text: str) -> Any:
        return redirect(f"/{_parse_day(day_text).isoformat()}/", code=301)

    @app.get("/<day_text>/<name>")
    def day_file(day_text: str, name: str) -> Any:
        day = _parse_day(day_text)
        if name == "briefing.html":
            return redirect(f"/{day.isoformat()}/", code=301)
        path = archive.day_folder(day) / name
        if name not in DAY_FILES or not path.is_file():
            abort(404)
        # Read whole (a day's files are small) so no file handle outlives the request.
        return Response(path.read_bytes(), content_type=DAY_FILES[name])

    @app.post("/<day_text>/regenerate")
    def regenerate(day_text: str) -> Response:
        day = _parse_day(day_text)
        why = archive.refusal(day, request.form, request.headers)
        if why:
            LOGGER.warning("regenerate %s refused: %s", day, why)
            abort(403, why)
        try:
            result = archive.regenerate(day)
        except DigestError as exc:
            return page("web/regenerated.html", status=409, day=day, error=str(exc), result=None)
        return page("web/regenerated.html", day=day, error="", result=result)

    @app.get("/stories/<story_id>")
    def story(story_id: str) -> Response:
        if not _STORY_ID_RE.match(story_id):
            abort(404)
        archive.sync_index()
        timeline = archive.store.story_timeline(story_id)
        if not timeline:
            abort(404, "no archived day has that story")
        runs = []
        for entry in timeline:
            stories = _read_stories(archive.day_folder(entry.day))
            found = next((s for s in stories if s.id == story_id), None)
            runs.append((entry, found))
        return page("web/story.html", story_id=story_id, runs=runs)

    @app.get("/search")
    def search() -> Response:
        query = request.args.get("q", "").strip()[:200]
        number = _page_number(request.args.get("page"))
        total, hits = 0, cast("tuple[SearchHit, ...]", ())
        if query:
            archive.sync_index()
            try:
                found = archive.store.search_stories(query, RESULTS_PER_PAGE, (number - 1) * RESULTS_PER_PAGE)
            except DigestError as exc:
                abort(503, str(exc))
            total, hits = found.total, found.hits
        pages = max(1, -(-total // RESULTS_PER_PAGE))
        return page("web/search.html", q=query, total=total, hits=hits, page=number, pages=pages)

    return app


def make_server(app: Flask, host: str, port: int) -> Any:
    """A waitress server for app on host:port (port 0: any free port; see .effective_port)."""
    return waitress.create_server(
        app,
        host=host,
        port=port,
        threads=SERVER_THREADS,
        ident="digest",
        max_request_body_size=MAX_REQUEST_BYTES,
        clear_untrusted_proxy_headers=True,
    )
