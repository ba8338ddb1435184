"""Briefing to html / email / text / json / pdf (pure: returns strings and bytes, writes nothing).

Every template is rendered with autoescape on (plain-text templates, which are never parsed as
markup, are the one exception). URLs from articles pass ``safe_url`` before they reach an href,
and WeasyPrint gets a URL fetcher that serves nothing but ``data:`` URIs, so no article, feed or
template can make rendering read a local file or touch the network.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
import jinja2
from weasyprint import HTML
from weasyprint.css import ColorProfile
from weasyprint.urls import URLFetcher

from ..config import Settings
from ..errors import RenderError
from ..models import Briefing, Story
from ..text import format_day

__all__ = [
    "EMAIL_MAX_BYTES",
    "NAV_END",
    "NAV_START",
    "Chart",
    "ChartRow",
    "DataOnlyFetcher",
    "DayNav",
    "make_chart",
    "make_environment",
    "render_day_nav",
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
# Gmail clips a message whose HTML passes 102 KB (102 * 1024 bytes); 100,000 bytes leaves room
# for the headers and transfer encoding the delivery stage adds around it.
EMAIL_MAX_BYTES = 100_000
# A headline line in the email's list is about 150-300 bytes inlined, so no more than this many can
# ever fit under EMAIL_MAX_BYTES: the first try of a big day lists at most these, not thousands.
EMAIL_LIST_CAP = 600
# The PDF lists at most this many stories "in brief" (about 8 pages); the rest are counted, with the
# web page and briefing.json holding every one. A 100,000-article day has some 30,000 stories.
PDF_LIST_CAP = 300
# Sources listed under a story in the PDF: a story of a big day can have hundreds of articles, and
# laying out their list was most of a 10,000-article day's PDF time (30 s); the rest are counted.
PDF_SOURCES_CAP = 20
SRGB_INTENT = "digest-srgb"  # the output intent PDF/A variants get (see render_pdf)
# The day's chart shows at most this many stories: one 18 px row each keeps it under ~450 px tall.
CHART_MAX_STORIES = 24
CHART_ROW = 18  # px per story row in the chart
CHART_LABEL_WIDTH = 210  # px reserved for the story label on the left
CHART_WIDTH = 640  # px; the width of the web page's text column
CHART_LABEL_CHARS = 30  # a label longer than this is cut with an ellipsis so it fits its column
# The web page's day links sit between these comments, so building a day can refresh its
# neighbours' links (a new next day) without rendering them again (deliver.patch_day_nav).
NAV_START, NAV_END = "<!--digest:days-->", "<!--/digest:days-->"


@dataclass(frozen=True, slots=True)
class DayNav:
    """The days a day's web page links to: the one before and after it in the store (or none)."""

    prev: dt.date | None = None
    next: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One story in the day's chart: geometry in SVG user units, numbers only besides the label."""

    y: int
    label: str
    anchor: str
    articles: int
    outlets: int
    articles_width: int
    outlets_width: int
    developing: bool


@dataclass(frozen=True, slots=True)
class Chart:
    """The day's chart: stories by size (articles) and reach (outlets)."""

    width: int
    height: int
    label_width: int
    scale_max: int
    rows: tuple[ChartRow, ...]


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


def _format_short_day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


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
    builtin = jinja2.FileSystemLoader(str(resources.files("digest.templates")))
    # "builtin/<name>" lets a user's template extend the built-in one of the same name.
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
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
    env.filters["day"] = format_day
    env.filters["shortday"] = _format_short_day
    env.filters["localtime"] = _format_time
    return env


def _cut_label(label: str) -> str:
    return label if len(label) <= CHART_LABEL_CHARS else label[: CHART_LABEL_CHARS - 1].rstrip() + "…"


def make_chart(stories: tuple[Story, ...]) -> Chart:
    """The day's chart: one row per story (up to CHART_MAX_STORIES), bars for articles and outlets."""
    shown = stories[:CHART_MAX_STORIES]
    scale_max = max((len(s.articles) for s in shown), default=1) or 1
    bar_space = CHART_WIDTH - CHART_LABEL_WIDTH - 40  # 40 px on the right for the count
    rows = []
    for i, story in enumerate(shown):
        articles, outlets = len(story.articles), len(story.outlets)
        rows.append(
            ChartRow(
                y=i * CHART_ROW + 22,
                label=_cut_label(story.label),
                anchor=f"s-{story.id}",
                articles=articles,
                outlets=outlets,
                articles_width=max(2, round(bar_space * articles / scale_max)),
                outlets_width=round(bar_space * outlets / scale_max),
                developing=story.status == "developing",
            )
        )
    return Chart(CHART_WIDTH, len(rows) * CHART_ROW + 30, CHART_LABEL_WIDTH, scale_max, tuple(rows))


def _context(briefing: Briefing, settings: Settings, web_url: str = "", nav: DayNav | None = None) -> dict[str, object]:
    articles = {a.id: a for s in briefing.stories for a in s.articles}
    limit = settings.briefing.max_stories
    stories = briefing.main_stories[:limit]
    return {
        "briefing": briefing,
        "settings": settings,
        "b": settings.briefing,
        "stories": stories,
        "more_stories": briefing.main_stories[limit:],
        "singles": briefing.single_stories,
        "articles": articles,
        "web_url": safe_url(web_url),
        "nav": nav or DayNav(),
        "chart": make_chart(stories),
        "new_ids": frozenset(a for s in briefing.stories for a in s.new_article_ids),
        # The email may show fewer stories in full, and list fewer, to stay under Gmail's clipping size.
        "email_full": len(stories),
        "email_list": True,
        "email_listed": EMAIL_LIST_CAP,
        "pdf_listed": PDF_LIST_CAP,
        "pdf_sources": PDF_SOURCES_CAP,
    }


def _render(env: jinja2.Environment, name: str, **context: object) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {name} failed: {exc}") from exc


def render_html(
    briefing: Briefing, settings: Settings, env: jinja2.Environment | None = None, nav: DayNav | None = None
) -> str:
    """The web page, linking the index, its PDF and the days in nav."""
    env = env or make_environment(settings.briefing.templates)
    return _render(env, "briefing.html", **_context(briefing, settings, nav=nav))


def render_day_nav(day: dt.date, nav: DayNav, settings: Settings, env: jinja2.Environment | None = None) -> str:
    """The web page's day links (NAV_START ... NAV_END), exactly as render_html puts them in the page."""
    env = env or make_environment(settings.briefing.templates)
    html = _render(env, "_daynav.html", day=day, nav=nav, b=settings.briefing)
    start, end = html.find(NAV_START), html.find(NAV_END)
    if start < 0 or end < start:
        raise RenderError(f"template _daynav.html must keep the {NAV_START} and {NAV_END} markers")
    return html[start : end + len(NAV_END)]


def _inline_email(env: jinja2.Environment, context: dict[str, object]) -> str:
    html = _render(env, "email.html", **context)
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)
    try:
        return inliner.inline(html)
    except (ValueError, css_inline.InlineError) as exc:
        raise RenderError(f"could not inline the email CSS: {exc}") from exc


def render_email(
    briefing: Briefing,
    settings: Settings,
    env: jinja2.Environment | None = None,
    web_url: str = "",
    max_bytes: int = EMAIL_MAX_BYTES,
) -> str:
    """The email HTML, CSS inlined, under max_bytes: a long day is cut, with a link to the web page."""
    env = env or make_environment(settings.briefing.templates)
    context = _context(briefing, settings, web_url)
    html = _inline_email(env, context)
    if len(html.encode("utf-8")) <= max_bytes:
        return html

    def largest(key: str, top: int, **fixed: object) -> tuple[int, str]:
        """The largest value of context[key] in 0..top whose email fits (binary search), and that email."""
        lo, hi, best = 0, top, (-1, "")
        while lo <= hi:
            mid = (lo + hi) // 2
            candidate = _inline_email(env, {**context, **fixed, key: mid})
            if len(candidate.encode("utf-8")) <= max_bytes:
                best, lo = (mid, candidate), mid + 1
            else:
                hi = mid - 1
        return best

    # First fewer stories in full (the rest listed by headline), then, when even none in full is too
    # much (hundreds of one-article stories), fewer listed: the rest are counted with a link.
    full = int(context["email_full"])  # type: ignore[call-overload]
    shown, html = largest("email_full", full - 1)
    if shown >= 0:
        LOGGER.info("email for %s cut to %d full stories (limit %d bytes)", briefing.day, shown, max_bytes)
        return html
    listed, html = largest("email_listed", EMAIL_LIST_CAP, email_full=0)
    if listed >= 0:
        LOGGER.info("email for %s lists %d stories, counts the rest (limit %d bytes)", briefing.day, listed, max_bytes)
        return html
    raise RenderError(f"the email for {briefing.day} cannot fit in {max_bytes} bytes; shorten the email template")


def render_text(
    briefing: Briefing, settings: Settings, env: jinja2.Environment | None = None, web_url: str = ""
) -> str:
    """The plain-text briefing (also the email's text part)."""
    env = env or make_environment(settings.briefing.templates)
    return _render(env, "briefing.txt", **_context(briefing, settings, web_url))


def render_json(briefing: Briefing) -> str:
    """briefing.json: every story, even those the rendered briefing leaves out."""
    return json.dumps(briefing.to_json(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def render_pdf(
    briefing: Briefing, settings: Settings, env: jinja2.Environment | None = None, variant: str | None = None
) -> bytes:
    """The archival PDF, tagged, from the print template; nothing outside the HTML is fetched.

    variant overrides settings.briefing.pdf_variant ("" plain, "pdf/a-3b", "pdf/a-3u", "pdf/ua-1").
    The same briefing and settings give the same bytes: the dates are the briefing's day and the
    file identifier is derived from the content. Raises RenderError.
    """
    env = env or make_environment(settings.briefing.templates)
    variant = settings.briefing.pdf_variant if variant is None else variant
    html = _render(env, "pdf.html", **_context(briefing, settings))
    options: dict[str, object] = {"pdf_tags": True, "uncompressed_pdf": False}
    if variant:
        options["pdf_variant"] = variant
    try:
        document = HTML(string=html, base_url=None, url_fetcher=DataOnlyFetcher()).render()
        if variant.startswith("pdf/a"):
            # WeasyPrint 70 opens its sRGB profile for PDF/A and never closes the file (a
            # ResourceWarning per PDF); hand it the same profile from bytes under our own name.
            icc = (resources.files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes()
            document.color_profiles[SRGB_INTENT] = ColorProfile(
                io.BytesIO(icc), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"])
            )
            document.output_intent = options["output_intent"] = SRGB_INTENT
        stamp = dt.datetime.combine(briefing.day, dt.time(0, 0), tzinfo=dt.UTC).isoformat()
        document.metadata.created = stamp
        document.metadata.modified = stamp
        return document.write_pdf(**options)  # type: ignore[no-any-return]
    except Exception as exc:  # WeasyPrint raises many types; all mean the PDF failed
        raise RenderError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc


def render_index(
    days: list[dt.date],
    settings: Settings,
    env: jinja2.Environment | None = None,
    pdf_days: Collection[dt.date] = (),
) -> str:
    """OUT/index.html: the archive's list of days, newest first; a PDF link for the days in pdf_days."""
    env = env or make_environment(settings.briefing.templates)
    return _render(env, "index.html", days=sorted(days, reverse=True), pdf_days=set(pdf_days), b=settings.briefing)


def render_outputs(
    briefing: Briefing, settings: Settings, pdf: bool = True, nav: DayNav | None = None
) -> dict[str, bytes]:
    """Every per-day file, by name: briefing.html, email.html, briefing.txt, briefing.json, briefing.pdf.

    With briefing.base_url set, the email and the text link the day's web page there.
    """
    env = make_environment(settings.briefing.templates)
    web_url = settings.briefing.day_url(briefing.day)
    files = {
        "briefing.html": render_html(briefing, settings, env, nav=nav).encode("utf-8"),
        "email.html": render_email(briefing, settings, env, web_url=web_url).encode("utf-8"),
        "briefing.txt": render_text(briefing, settings, env, web_url=web_url).encode("utf-8"),
        "briefing.json": render_json(briefing).encode("utf-8"),
    }
    if pdf:
        files["briefing.pdf"] = render_pdf(briefing, settings, env)
    return files
