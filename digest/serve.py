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
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import markupsafe
import waitress
from flask import Flask, Response, abort, redirect, request
from werkzeug.exceptions import HTTPException

from .config import Settings
from .delivery import archive_days, read_briefing_stories, run_lock
from .errors import DigestError
from .outputs import NAV_END, NAV_START, make_environment, safe_url
from .pipeline import build_day
from .store import SNIPPET_CLOSE, SNIPPET_OPEN, IndexedStory, SearchHit, Store, open_store

__all__ = ["DAY_FILES", "ArchiveApp", "create_app", "is_loopback", "make_server"]

LOGGER = logging.getLogger(__name__)
# What a day's folder may serve, and as what. Nothing else under OUT/ is reachable.
DAY_FILES = {
    "briefing.pdf": "application/pdf",
    "email.html": "text/html; charset=utf-8",
    "briefing.txt": "text/plain; charset=utf-8",
    "briefing.json": "application/json",
}
# The files a regeneration compares, byte for byte, before and after.
COMPARED_FILES = ("briefing.html", "email.html", "briefing.txt", "briefing.json", "briefing.pdf")
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


def is_loopback(host: str) -> bool:
    """True when host (an address or "localhost") is reachable only from this machine."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Sentence:
    """A summary sentence of an archived story and the article it links to."""

    text: str
    url: str
    outlet: str


@dataclass(frozen=True, slots=True)
class ArchivedStory:
    """A story as its day's briefing.json records it."""

    id: str
    label: str
    headline: str
    status: str
    articles: int
    outlets: tuple[str, ...]
    summary: tuple[Sentence, ...]


@dataclass(frozen=True, slots=True)
class Regeneration:
    """What a regeneration did: the build's counts and which files changed."""

    day: dt.date
    stories: int
    articles: int
    changed: tuple[str, ...]  # there before, other bytes now
    unchanged: tuple[str, ...]  # there before, the same bytes
    added: tuple[str, ...]  # not there before (the PDF of a day first built with --no-pdf)
    seconds: float


def _read_stories(folder: Path) -> list[ArchivedStory]:
    """The stories of a day folder's briefing.json (empty when it cannot be read)."""
    try:
        stories = read_briefing_stories(folder)
        result = []
        for s in stories:
            articles = {a.get("id"): a for a in s.get("articles", [])}
            outlets = tuple(dict.fromkeys(str(a.get("outlet") or "") for a in articles.values() if a.get("outlet")))
            summary = tuple(
                Sentence(
                    str(x.get("text", "")),
                    safe_url(str(articles.get(x.get("article_id"), {}).get("url") or "")),
                    str(articles.get(x.get("article_id"), {}).get("outlet") or ""),
                )
                for x in s.get("summary", [])
            )
            result.append(
                ArchivedStory(
                    str(s.get("id", "")),
                    str(s.get("label", "")),
                    str(s.get("headline", "")),
                    str(s.get("status", "new")),
                    len(articles),
                    outlets,
                    summary,
                )
            )
        return result
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        LOGGER.warning("cannot read %s (%s); the day is shown without its stories", folder / "briefing.json", exc)
        return []


def _signature(path: Path) -> str:
    st = path.stat()
    return f"{st.st_mtime_ns}:{st.st_size}"


def _highlight(snippet: str) -> markupsafe.Markup:
    """The snippet escaped, with the store's match marks made <mark>."""
    out = []
    for n, part in enumerate(re.split(f"[{SNIPPET_OPEN}{SNIPPET_CLOSE}]", snippet)):
        text = markupsafe.escape(part)
        out.append(markupsafe.Markup(f"<mark>{text}</mark>") if n % 2 else text)
    return markupsafe.Markup("").join(out)


class ArchiveApp:
    """The archive's state behind the routes: settings, output folder, store, tokens."""

    def __init__(self, settings: Settings, out_dir: Path, host: str = "127.0.0.1") -> None:
        self.settings = settings
        self.out_dir = out_dir
        self.host = host
        # Off loopback, regenerating needs the configured serve token (and is off without one).
        self.needs_serve_token = not is_loopback(host)
        self._form_key = secrets.token_bytes(32)  # per process: a restart invalidates old forms
        self._index_lock = threading.Lock()
        self.env = make_environment(settings.briefing.templates)
        self.env.filters["highlight"] = _highlight
        self.store: Store = open_store(settings.store_url)

    def close(self) -> None:
        """Release the store."""
        self.store.close()

    # -- the archive on disk -------------------------------------------------------------------

    def days(self) -> list[dt.date]:
        """Archived days, oldest first."""
        return archive_days(self.out_dir)

    def day_folder(self, day: dt.date) -> Path:
        """OUT/YYYY-MM-DD/."""
        return self.out_dir / day.isoformat()

    def sync_index(self) -> None:
        """Bring the store's search index in line with the archive's briefing.json files."""
        with self._index_lock:
            known = self.store.indexed_days()
            days = self.days()
            for day in days:
                path = self.day_folder(day) / "briefing.json"
                if not path.is_file():
                    continue
                signature = _signature(path)
                if known.get(day) == signature:
                    continue
                stories = [
                    IndexedStory(
                        day,
                        s.id,
                        n,
                        s.label,
                        s.headline,
                        "\n".join(x.text for x in s.summary),
                        s.articles,
                        ", ".join(s.outlets),
                    )
                    for n, s in enumerate(_read_stories(path.parent))
                    if s.id
                ]
                self.store.index_day(day, stories, signature)
                LOGGER.info("search index: %s (%d stories)", day, len(stories))
            for gone in set(known) - set(days):
                self.store.unindex_day(gone)

    # -- tokens -------------------------------------------------------------------------------

    def form_token(self, day: dt.date) -> str:
        """The token the day's regenerate form carries (an HMAC of the day under a per-process key)."""
        return hmac.new(self._form_key, f"regenerate {day.isoformat()}".encode(), hashlib.sha256).hexdigest()

    def refusal(self, day: dt.date, form: Any, headers: Any) -> str:
        """Why a regenerate request is refused ('' when it may go ahead)."""
        if headers.get("Sec-Fetch-Site", "") == "cross-site":
            return "cross-site request refused"
        origin = headers.get("Origin", "")
        # "null" (a sandboxed or data: page, or a no-referrer policy) says nothing: the token decides.
        if origin and origin != "null" and origin.rstrip("/") != request.host_url.rstrip("/"):
            return "request from another site refused"
        if not hmac.compare_digest(str(form.get("csrf", "")), self.form_token(day)):
            return "the form's token is missing or stale; reload the day's page and try again"
        if self.needs_serve_token:
            expected = self.settings.serve.token
            if not expected:
                return "regenerating is off: the server is not on loopback and no [serve] token is set"
            if not hmac.compare_digest(str(form.get("token", "")).encode(), expected.encode()):
                return "wrong or missing serve token"
        return ""

    # -- regenerate ---------------------------------------------------------------------------

    def regenerate(self, day: dt.date) -> Regeneration:
        """Rebuild day from the store, under the run lock, as `digest build --date D` does.

        Raises DigestError (nothing stored for the day, another run holds the lock, ...).
        """
        folder = self.day_folder(day)

        def snapshot() -> dict[str, bytes]:
            return {n: (folder / n).read_bytes() for n in COMPARED_FILES if (folder / n).is_file()}

        started = dt.datetime.now(dt.UTC)
        with run_lock(self.settings, self.out_dir):
            before = snapshot()
            report = build_day(self.settings, day, self.out_dir)
            after = snapshot()
        seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
        changed = tuple(n for n in COMPARED_FILES if n in after and n in before and before[n] != after[n])
        unchanged = tuple(n for n in COMPARED_FILES if n in after and before.get(n) == after[n])
        added = tuple(n for n in COMPARED_FILES if n in after and n not in before)
        self.sync_index()
        LOGGER.info("regenerated %s in %.1f s; changed: %s", day, seconds, ", ".join(changed) or "nothing")
        return Regeneration(day, report.stories, report.articles, changed, unchanged, added, seconds)

    # -- pages --------------------------------------------------------------------------------

    def render(self, name: str, **context: object) -> str:
        """A page from the web templates."""
        return self.env.get_template(name).render(b=self.settings.briefing, **context)

    def neighbours(self, day: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """The archived days before and after day."""
        days = self.days()
        earlier = [d for d in days if d < day]
        later = [d for d in days if d > day]
        return (earlier[-1] if earlier else None, later[0] if later else None)

    def day_page(self, day: dt.date) -> str:
        """The day's archived web page with the server's bar in place of its own day links."""
        html = (self.day_folder(day) / "briefing.html").read_text(encoding="utf-8")
        prev, nxt = self.neighbours(day)
        files = [n for n in DAY_FILES if (self.day_folder(day) / n).is_file()]
        bar = self.render(
            "web/_bar.html",
            day=day,
            prev=prev,
            next=nxt,
            files=files,
            csrf=self.form_token(day),
            needs_serve_token=self.needs_serve_token,
            regenerate_on=not self.needs_serve_token or bool(self.settings.serve.token),
        )
        start, end = html.find(NAV_START), html.find(NAV_END)
        if start >= 0 and end > start:
            return html[:start] + bar + html[end + len(NAV_END) :]
        # A user's template without the day links: the bar goes first in the body.
        match = re.search(r"<body[^>]*>", html, re.IGNORECASE)
        at = match.end() if match else 0
        return html[:at] + bar + html[at:]


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
