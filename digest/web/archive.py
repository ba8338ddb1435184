"""The archive as the web app reads it: the days on disk, each day's stories from its briefing.json,
the store's search index kept in step with them, and regenerating a day.
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
from typing import Any

import markupsafe
from flask import request

from ..config import Settings
from ..delivery import archive_days, read_briefing_stories, run_lock
from ..outputs import NAV_END, NAV_START, make_environment, safe_url
from ..pipeline import build_day
from ..store import SNIPPET_CLOSE, SNIPPET_OPEN, IndexedStory, Store, open_store

__all__ = ["COMPARED_FILES", "DAY_FILES", "ArchiveApp", "ArchivedStory", "Regeneration", "Sentence", "is_loopback"]

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


def is_loopback(host: str) -> bool:
    """True when host (an address or "localhost") is reachable only from this machine."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _highlight(snippet: str) -> markupsafe.Markup:
    """The snippet escaped, with the store's match marks made <mark>."""
    out = []
    for n, part in enumerate(re.split(f"[{SNIPPET_OPEN}{SNIPPET_CLOSE}]", snippet)):
        text = markupsafe.escape(part)
        out.append(markupsafe.Markup(f"<mark>{text}</mark>") if n % 2 else text)
    return markupsafe.Markup("").join(out)
