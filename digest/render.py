"""Briefing to html / email / text / json / pdf (pure: returns strings and bytes, writes nothing).

Every template is rendered with autoescape on (plain-text templates, which are never parsed as
markup, are the one exception). URLs from articles pass ``safe_url`` before they reach an href,
and WeasyPrint gets a URL fetcher that serves nothing but ``data:`` URIs, so no article, feed or
template can make rendering read a local file or touch the network.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import zoneinfo
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
import jinja2
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .config import Settings
from .errors import RenderError
from .models import Briefing

__all__ = [
    "DataOnlyFetcher",
    "make_environment",
    "render_email",
    "render_html",
    "render_index",
    "render_json",
    "render_outputs",
    "render_pdf",
    "render_text",
    "safe_url",
]

LOGGER = logging.getLogger(__name__)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


class DataOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that refuses everything but inline ``data:`` URIs."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        """Serve a data: URI; refuse file://, http(s):// and every other scheme."""
        if not url.lower().startswith("data:"):
            LOGGER.debug("refused to fetch %s while rendering", url[:80])
            raise ValueError(f"digest renders offline; refused to fetch {url[:80]!r}")
        return super().fetch(url, headers)


def safe_url(url: str | None) -> str:
    """The URL if it is http(s) or mailto with a host/address, else '' (so no link is made)."""
    if not url:
        return ""
    url = url.strip()
    if any(c in url for c in "\r\n\t\x00 ") or len(url) > 4096:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return ""
    if parts.scheme.lower() in {"http", "https"} and not parts.netloc:
        return ""
    return url


def _format_day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _format_time(value: dt.datetime | None, timezone: str) -> str:
    if value is None:
        return ""
    local = value.astimezone(zoneinfo.ZoneInfo(timezone))
    return f"{local:%d %b %H:%M}"


def make_environment(template_dir: str = "") -> jinja2.Environment:
    """The Jinja environment: the user's folder first (if any), then the built-in templates."""
    loaders: list[jinja2.BaseLoader] = []
    if template_dir:
        if not Path(template_dir).is_dir():
            raise RenderError(f"templates folder {template_dir} does not exist; fix briefing.templates")
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders.append(jinja2.FileSystemLoader(str(resources.files("digest.templates"))))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # On for everything; .txt output is plain text (never parsed as markup), so escaping
        # there would only print "&amp;" to the reader.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "xml", "svg"),
            disabled_extensions=("txt",),
            default=True,
            default_for_string=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["day"] = _format_day
    env.filters["localtime"] = _format_time
    return env


def _context(briefing: Briefing, settings: Settings, web_url: str = "") -> dict[str, object]:
    articles = {a.id: a for s in briefing.stories for a in s.articles}
    limit = settings.briefing.max_stories
    return {
        "briefing": briefing,
        "settings": settings,
        "b": settings.briefing,
        "stories": briefing.main_stories[:limit],
        "more_stories": briefing.main_stories[limit:],
        "singles": briefing.single_stories,
        "articles": articles,
        "web_url": safe_url(web_url),
    }


def _render(env: jinja2.Environment, name: str, **context: object) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {name} failed: {exc}") from exc


def render_html(briefing: Briefing, settings: Settings, env: jinja2.Environment | None = None) -> str:
    """The web page."""
    env = env or make_environment(settings.briefing.templates)
    return _render(env, "briefing.html", **_context(briefing, settings))


def render_email(
    briefing: Briefing, settings: Settings, env: jinja2.Environment | None = None, web_url: str = ""
) -> str:
    """The email HTML, CSS inlined into style attributes (mail clients drop <style>)."""
    env = env or make_environment(settings.briefing.templates)
    html = _render(env, "email.html", **_context(briefing, settings, web_url))
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)
    try:
        return inliner.inline(html)
    except (ValueError, css_inline.InlineError) as exc:
        raise RenderError(f"could not inline the email CSS: {exc}") from exc


def render_text(briefing: Briefing, settings: Settings, env: jinja2.Environment | None = None) -> str:
    """The plain-text briefing (also the email's text part)."""
    env = env or make_environment(settings.briefing.templates)
    return _render(env, "briefing.txt", **_context(briefing, settings))


def render_json(briefing: Briefing) -> str:
    """briefing.json: every story, even those the rendered briefing leaves out."""
    return json.dumps(briefing.to_json(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def render_pdf(briefing: Briefing, settings: Settings, env: jinja2.Environment | None = None) -> bytes:
    """The archival PDF, from the print template; nothing outside the HTML is fetched."""
    env = env or make_environment(settings.briefing.templates)
    html = _render(env, "pdf.html", **_context(briefing, settings))
    try:
        document = HTML(string=html, base_url=None, url_fetcher=DataOnlyFetcher()).render()
        # Fixed dates keep the bytes the same for the same briefing.
        stamp = dt.datetime.combine(briefing.day, dt.time(0, 0), tzinfo=dt.UTC).isoformat()
        document.metadata.created = stamp
        document.metadata.modified = stamp
        return document.write_pdf(uncompressed_pdf=False)  # type: ignore[no-any-return]
    except Exception as exc:  # WeasyPrint raises many types; all mean the PDF failed
        raise RenderError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc


def render_index(days: list[dt.date], settings: Settings, env: jinja2.Environment | None = None) -> str:
    """OUT/index.html: the archive's list of days, newest first."""
    env = env or make_environment(settings.briefing.templates)
    return _render(env, "index.html", days=sorted(days, reverse=True), b=settings.briefing)


def render_outputs(briefing: Briefing, settings: Settings, pdf: bool = True) -> dict[str, bytes]:
    """Every per-day file, by name: briefing.html, email.html, briefing.txt, briefing.json, briefing.pdf."""
    env = make_environment(settings.briefing.templates)
    files = {
        "briefing.html": render_html(briefing, settings, env).encode("utf-8"),
        "email.html": render_email(briefing, settings, env).encode("utf-8"),
        "briefing.txt": render_text(briefing, settings, env).encode("utf-8"),
        "briefing.json": render_json(briefing).encode("utf-8"),
    }
    if pdf:
        files["briefing.pdf"] = render_pdf(briefing, settings, env)
    return files
