"""Settings: built-in defaults < digest.toml < DIGEST_* environment < command-line flags.

The file is the first of: the path given (``--config``), ``$DIGEST_CONFIG``, ``./digest.toml``,
``$XDG_CONFIG_HOME/digest/digest.toml`` (``~/.config`` when unset); none at all is fine.
``load()`` reads and validates everything once and raises ``ConfigError`` with a one-line
message; the rest of digest only ever sees a frozen ``Settings``. Secrets (the SMTP password)
come from the environment only, never from the file.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError
from .starter import STARTER_CONFIG

__all__ = [
    "STARTER_CONFIG",
    "AllowEntry",
    "BriefingSettings",
    "EmailSettings",
    "FetchSettings",
    "ServeSettings",
    "Settings",
    "SmtpSettings",
    "SourceSettings",
    "find_config",
    "load",
    "parse_allow_entry",
]

CONFIG_ENV = "DIGEST_CONFIG"
CONFIG_NAME = "digest.toml"
PASSWORD_ENV = "DIGEST_SMTP_PASSWORD"
SERVE_TOKEN_ENV = "DIGEST_SERVE_TOKEN"
DEFAULT_STORE_URL = "sqlite:///output/digest.db"
DEFAULT_OUT_DIR = "output"
# The variants WeasyPrint 70 writes that we test: plain (tagged), archival, accessible.
PDF_VARIANTS = ("", "pdf/a-3b", "pdf/a-3u", "pdf/ua-1")
# What `digest init` writes: every setting, commented out at its default, with what it does.
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# A bare address: one @, no spaces, nothing a header parser would read as a second address or a
# display name (`x@y>, evil@z` must not become two recipients).
_ADDRESS_RE = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+$")
_HOST_RE = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$"
)


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """One `[fetch] allow` entry: a host name or an address/network, and optionally a port."""

    host: str = ""  # lower case, no trailing dot
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"port {text!r} is not 1-65535")
    return int(text)


def parse_allow_entry(text: str) -> AllowEntry:
    """An allow entry from "127.0.0.1:8080", "192.168.1.0/24", "feeds.lan", "[fd00::1]:80", ...

    Raises ValueError when it is none of these.
    """
    text = text.strip()
    port: int | None = None
    if text.startswith("["):
        inner, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"{text!r}: write an IPv6 address as [addr] or [addr]:port")
        text, port = inner, (_port(rest[1:]) if rest else None)
    elif text.count(":") == 1:
        text, _, port_text = text.partition(":")
        port = _port(port_text)
    try:
        return AllowEntry(network=ipaddress.ip_network(text, strict=False), port=port)
    except ValueError:
        pass
    host = text.lower().rstrip(".")
    if not _HOST_RE.match(host) or host.replace(".", "").isdigit():
        raise ValueError(f"{text!r} is not a host name, an address or a network")
    return AllowEntry(host=host, port=port)


@dataclass(frozen=True, slots=True)
class BriefingSettings:
    """What the briefing looks like and when the day ends."""

    title: str = "Morning briefing"  # shown on every output
    timezone: str = "UTC"  # IANA name; the day and the cut-off are in this zone
    time: str = "06:30"  # HH:MM: when `digest schedule` runs, and the day's cut-off
    summary_words: int = 100  # word budget of each story's summary
    max_stories: int = 30  # stories rendered in full; the rest are listed by headline
    templates: str = ""  # a folder whose templates override the built-in ones
    logo: str = ""  # a data: URI shown in the header (never a file or URL)
    accent: str = "#1f4e79"  # CSS colour of headings and links
    pdf_variant: str = ""  # "" (tagged PDF), "pdf/a-3b" (archival) or "pdf/ua-1" (accessible)
    base_url: str = ""  # public URL of the archive (OUT/), e.g. "https://briefing.example.org/"

    def day_url(self, day: dt.date) -> str:
        """The public URL of day's web page, or '' without base_url."""
        return f"{self.base_url}{day.isoformat()}/briefing.html" if self.base_url else ""

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The configured timezone."""
        return zoneinfo.ZoneInfo(self.timezone)

    def cutoff(self, day: dt.date) -> dt.datetime:
        """The moment day's briefing closes (aware, in the configured zone)."""
        hour, minute = (int(x) for x in self.time.split(":"))
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The (start, end] in which day's articles were published: the day before's cut-off to day's."""
        return self.cutoff(day - dt.timedelta(days=1)), self.cutoff(day)


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """One configured source: a feed/page URL or a local path."""

    url: str = ""
    path: str = ""
    name: str = ""
    fetch_full: bool = False  # fetch the linked page when a feed item carries only a teaser

    @property
    def location(self) -> str:
        """The URL or path, whichever is set."""
        return self.url or self.path


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """Who the briefing is mailed to."""

    sender: str = ""  # `from` in the file
    to: tuple[str, ...] = ()
    attach_pdf: bool = True
    unsubscribe: str = ""  # mailto: or https: URL for List-Unsubscribe


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The mail server; the password comes from DIGEST_SMTP_PASSWORD only."""

    host: str = "localhost"
    port: int = 587
    starttls: bool = True
    ssl: bool = False  # implicit TLS (port 465)
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """`digest serve`: the token that allows regenerating a day when served off loopback."""

    token: str = field(default="", repr=False)  # or DIGEST_SERVE_TOKEN


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """What fetching may reach beyond the public internet."""

    # Private hosts, addresses or networks (optional port) that may be fetched although private,
    # e.g. ["127.0.0.1:8080", "192.168.1.0/24", "feeds.lan"]. Default: none.
    allow: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything digest can be told; every field has a working default."""

    briefing: BriefingSettings = BriefingSettings()
    sources: tuple[SourceSettings, ...] = ()
    store_url: str = DEFAULT_STORE_URL
    out_dir: str = DEFAULT_OUT_DIR
    email: EmailSettings = EmailSettings()
    smtp: SmtpSettings = SmtpSettings()
    serve: ServeSettings = ServeSettings()
    fetch: FetchSettings = FetchSettings()
    config_path: str = ""  # the file these settings were read from, if any
    config_origin: str = ""  # how it was found: --config, DIGEST_CONFIG, ./digest.toml, XDG_CONFIG_HOME

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with top-level fields replaced (command-line flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _section(cls: type, raw: Mapping[str, Any], where: str, rename: Mapping[str, str] | None = None) -> Any:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[{where}] must be a table in the config file")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = (rename or {}).get(key, key)
        if name not in known or name == "password":
            raise ConfigError(f"unknown setting {where}.{key}; see README 'Configuration'")
        default = known[name].default
        if isinstance(default, tuple):
            if isinstance(value, str):
                value = (value,)
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}.{key} must be a list of strings")
            value = tuple(value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}.{key} must be true or false")
        elif isinstance(default, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{where}.{key} must be a number")
            if not math.isfinite(value):
                raise ConfigError(f"{where}.{key} must be a finite number, not {value}")
            if isinstance(default, int) and value != int(value):
                raise ConfigError(f"{where}.{key} must be a whole number, not {value}")
            value = type(default)(value)
        elif not isinstance(value, str):
            raise ConfigError(f"{where}.{key} must be a string")
        values[name] = value
    return cls(**values)


def _check_text(settings: Settings) -> None:
    """Every string setting is encodable text (an environment value may carry undecodable bytes)."""

    def walk(value: Any, where: str) -> None:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ConfigError(f"{where} is not valid UTF-8 text; check the config file or environment") from exc
        elif isinstance(value, tuple):
            for item in value:
                walk(item, where)
        elif hasattr(value, "__dataclass_fields__"):
            for f in fields(value):
                walk(getattr(value, f.name), f"{where}.{f.name}" if where else f.name)

    walk(settings, "")


def _validate(settings: Settings) -> Settings:
    _check_text(settings)
    b = settings.briefing
    try:
        zoneinfo.ZoneInfo(b.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError(f"briefing.timezone {b.timezone!r} is not an IANA zone like 'Europe/London'") from exc
    if not _TIME_RE.match(b.time):
        raise ConfigError(f"briefing.time {b.time!r} must be HH:MM, e.g. '06:30'")
    if b.summary_words < 10:
        raise ConfigError("briefing.summary_words must be at least 10")
    if b.max_stories < 1:
        raise ConfigError("briefing.max_stories must be at least 1")
    if b.logo and not b.logo.startswith("data:image/"):
        raise ConfigError("briefing.logo must be a data:image/... URI (files and URLs are never fetched)")
    if not re.fullmatch(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?", b.accent):
        raise ConfigError(f"briefing.accent {b.accent!r} must be a hex colour like '#1f4e79'")
    if b.pdf_variant not in PDF_VARIANTS:
        raise ConfigError(f"briefing.pdf_variant {b.pdf_variant!r} must be one of {', '.join(map(repr, PDF_VARIANTS))}")
    if b.base_url:
        parts = urlsplit(b.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ConfigError(
                f"briefing.base_url {b.base_url!r} must be an http(s) URL like 'https://briefing.example.org/'"
            )
        if not b.base_url.endswith("/"):
            settings = replace(settings, briefing=replace(b, base_url=b.base_url + "/"))
    for s in settings.sources:
        if bool(s.url) == bool(s.path):
            raise ConfigError("each [[sources]] entry needs exactly one of url or path")
        if s.url and not s.url.lower().startswith(("http://", "https://")):
            raise ConfigError(f"source url {s.url!r}: only http:// and https:// URLs are fetched")
    for addr in (settings.email.sender, *settings.email.to):
        if addr and not _ADDRESS_RE.match(addr):
            raise ConfigError(f"email address {addr!r} is not valid; give one bare address like 'ana@example.org'")
    if not 1 <= settings.smtp.port <= 65535:
        raise ConfigError(f"smtp.port {settings.smtp.port} must be 1-65535 (587 for STARTTLS, 465 for TLS)")
    if settings.smtp.timeout <= 0:
        raise ConfigError("smtp.timeout must be more than 0 seconds")
    for entry in settings.fetch.allow:
        try:
            parse_allow_entry(entry)
        except ValueError as exc:
            raise ConfigError(f"fetch.allow: {exc}; e.g. '127.0.0.1:8080', '192.168.1.0/24' or 'feeds.lan'") from exc
    return settings


def find_config(
    path: str | os.PathLike[str] | None, environ: Mapping[str, str], cwd: Path | None = None
) -> tuple[Path | None, str]:
    """The config file to read and how it was found, or (None, "") when there is none.

    A path given or named by DIGEST_CONFIG is returned whether or not it exists (load() then says
    it does not); ./digest.toml and the XDG one only when they exist.
    """
    if path:
        return Path(path), "--config"
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]), CONFIG_ENV
    here = (cwd or Path.cwd()) / CONFIG_NAME
    if here.is_file():
        return here, f"./{CONFIG_NAME}"
    base = environ.get("XDG_CONFIG_HOME") or (str(Path(environ["HOME"]) / ".config") if environ.get("HOME") else "")
    if base:
        xdg = Path(base) / "digest" / CONFIG_NAME
        if xdg.is_file():
            return xdg, "XDG_CONFIG_HOME" if environ.get("XDG_CONFIG_HOME") else "~/.config"
    return None, ""


def load(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Read the config file (given, or found by find_config) and the environment into validated Settings.

    Raises ConfigError when the file is missing, unreadable, not TOML or holds a bad value.
    """
    env = os.environ if environ is None else environ
    found, origin = find_config(path, env, cwd)
    path = found
    raw: dict[str, Any] = {}
    if path:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {path} does not exist") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} cannot be read: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc

    unknown = set(raw) - {"briefing", "sources", "store", "output", "email", "smtp", "serve", "fetch"}
    if unknown:
        raise ConfigError(f"unknown section [{sorted(unknown)[0]}] in {path}; see README 'Configuration'")
    briefing = _section(BriefingSettings, raw.get("briefing", {}), "briefing")
    sources_raw = raw.get("sources", [])
    if not isinstance(sources_raw, list):
        raise ConfigError("sources must be written as [[sources]] tables")
    sources = tuple(_section(SourceSettings, s, "sources") for s in sources_raw)
    store = raw.get("store", {})
    output = raw.get("output", {})
    email = _section(EmailSettings, raw.get("email", {}), "email", rename={"from": "sender"})
    smtp = _section(SmtpSettings, raw.get("smtp", {}), "smtp")
    serve = _section(ServeSettings, raw.get("serve", {}), "serve")
    fetch = _section(FetchSettings, raw.get("fetch", {}), "fetch")
    for name, table, key in (("store", store, "url"), ("output", output, "dir")):
        if not isinstance(table, Mapping) or set(table) - {key}:
            raise ConfigError(f"[{name}] takes only {key}")
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            raise ConfigError(f"{name}.{key} must be a non-empty string")

    settings = Settings(
        briefing=briefing,
        sources=sources,
        store_url=str(store.get("url", DEFAULT_STORE_URL)),
        out_dir=str(output.get("dir", DEFAULT_OUT_DIR)),
        email=email,
        smtp=smtp,
        serve=serve,
        fetch=fetch,
        config_path=str(path or ""),
        config_origin=origin,
    )
    # The environment overrides the file.
    overrides = {
        "DIGEST_STORE_URL": lambda s, v: replace(s, store_url=v),
        "DIGEST_OUT": lambda s, v: replace(s, out_dir=v),
        "DIGEST_TITLE": lambda s, v: replace(s, briefing=replace(s.briefing, title=v)),
        "DIGEST_TIMEZONE": lambda s, v: replace(s, briefing=replace(s.briefing, timezone=v)),
        "DIGEST_SMTP_HOST": lambda s, v: replace(s, smtp=replace(s.smtp, host=v)),
        "DIGEST_SMTP_USERNAME": lambda s, v: replace(s, smtp=replace(s.smtp, username=v)),
    }
    for name, apply in overrides.items():
        if env.get(name):
            settings = apply(settings, env[name])
    if env.get(SERVE_TOKEN_ENV):
        settings = replace(settings, serve=ServeSettings(token=env[SERVE_TOKEN_ENV]))
    if env.get(PASSWORD_ENV):
        settings = replace(settings, smtp=replace(settings.smtp, password=env[PASSWORD_ENV]))
    return _validate(settings)
