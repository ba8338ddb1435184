from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digest.config import load
from digest.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_config() -> None:
    settings = load(environ={})
    assert settings.briefing.title == "Morning briefing"
    assert settings.store_url == "sqlite:///output/digest.db"
    assert settings.sources == ()
    assert settings.smtp.password == ""


def test_file_is_read_and_environment_overrides_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[briefing]
title = "Desk notes"
timezone = "Europe/London"
time = "07:15"
[[sources]]
path = "inbox/"
[[sources]]
url = "https://example.org/world.rss"
[store]
url = "sqlite:///x.db"
[email]
from = "brief@example.org"
to = ["ana@example.org", "ben@example.org"]
attach_pdf = false
[smtp]
host = "smtp.example.org"
port = 465
username = "brief"
""",
    )
    env = {"DIGEST_TITLE": "From env", "DIGEST_SMTP_PASSWORD": "s3cret"}
    settings = load(path, environ=env)
    assert settings.briefing.title == "From env"
    assert settings.briefing.cutoff(dt.date(2026, 7, 1)).utcoffset() == dt.timedelta(hours=1)
    assert [s.location for s in settings.sources] == ["inbox/", "https://example.org/world.rss"]
    assert settings.email.sender == "brief@example.org"
    assert settings.email.to == ("ana@example.org", "ben@example.org")
    assert settings.email.attach_pdf is False
    assert settings.smtp.port == 465
    assert settings.smtp.password == "s3cret"
    assert "s3cret" not in repr(settings)


def test_config_named_by_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[briefing]\ntitle = "Via env"\n')
    assert load(environ={"DIGEST_CONFIG": str(path)}).briefing.title == "Via env"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[briefing]\ntimezone = 'Mars/Olympus'\n", "IANA"),
        ("[briefing]\ntime = '25:00'\n", "HH:MM"),
        ("[briefing]\ntitel = 'x'\n", "unknown setting briefing.titel"),
        ("[smtp]\npassword = 'x'\n", "unknown setting smtp.password"),
        ("[smtp]\nport = 'x'\n", "must be a number"),
        ("[[sources]]\nname = 'x'\n", "exactly one of url or path"),
        ('[email]\nto = ["ana@example.org\\r\\nBcc: x@example.org"]\n', "not valid"),
        ("[briefing]\nlogo = 'file:///etc/passwd'\n", "data:image"),
        ("[nope]\n", "unknown section"),
        ("[briefing]\nbase_url = 'javascript:alert(1)'\n", "http"),
        ("[briefing]\nbase_url = 'https://x.example/?a=1'\n", "http"),
        ("[serve]\ntokn = 'x'\n", "unknown setting serve.tokn"),
        ("not = [toml", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(write(tmp_path, text), environ={})


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load(tmp_path / "nope.toml", environ={})


def test_base_url_and_serve_token(tmp_path: Path) -> None:
    path = write(tmp_path, "[briefing]\nbase_url = 'https://briefing.example.org/news'\n[serve]\ntoken = 'file'\n")
    settings = load(path, environ={})
    assert settings.briefing.base_url == "https://briefing.example.org/news/"  # a folder: ends with /
    assert (
        settings.briefing.day_url(dt.date(2026, 11, 24)) == "https://briefing.example.org/news/2026-11-24/briefing.html"
    )
    assert settings.serve.token == "file" and "file" not in repr(settings)
    assert load(path, environ={"DIGEST_SERVE_TOKEN": "env"}).serve.token == "env"
    assert load(None, environ={}).briefing.day_url(dt.date(2026, 11, 24)) == ""
