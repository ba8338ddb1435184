from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digest.config import Settings, load
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


# --- issue 12: values that used to crash later, or were accepted and wrong -------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[briefing]\ntimezone = "Europe"', "IANA zone"),
        ("[briefing]\nsummary_words = inf", "finite"),
        ("[briefing]\nmax_stories = nan", "finite"),
        ("[smtp]\ntimeout = nan", "finite"),
        ("[smtp]\ntimeout = -inf", "finite"),
        ("[smtp]\nport = 99999", "1-65535"),
        ("[smtp]\nport = -1", "1-65535"),
        ("[smtp]\nport = 587.5", "whole number"),
        ("[output]\ndir = 5", "output.dir must be a non-empty string"),
        ("[store]\nurl = 5", "store.url must be a non-empty string"),
        ('[[sources]]\nurl = "ftp://files.example/feed.xml"', "only http"),
        ('[email]\nto = ["x@y>, evil@z"]', "not valid"),
        ('[email]\nto = ["ana@example.org, ben@example.org"]', "not valid"),
        ('[email]\nfrom = "Ana <ana@example.org>"', "not valid"),
        ('[fetch]\nallow = ["http://feeds.lan/"]', "fetch.allow"),
        ('[fetch]\nallow = ["10.0.0.1:99999"]', "fetch.allow"),
        ('[fetch]\nblock = ["x"]', "unknown setting fetch.block"),
    ],
)
def test_bad_values_are_one_line_config_errors(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load(path, environ={})
    assert "\n" not in str(info.value)


def test_fetch_allow_is_read() -> None:
    assert load(environ={}).fetch.allow == ()


def test_fetch_allow_entries(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('[fetch]\nallow = ["127.0.0.1:8080", "192.168.1.0/24", "feeds.lan", "[fd00::1]:80"]\n')
    assert load(path, environ={}).fetch.allow == ("127.0.0.1:8080", "192.168.1.0/24", "feeds.lan", "[fd00::1]:80")


def test_environment_text_that_is_not_utf8_is_a_config_error() -> None:
    # os.environ holds undecodable bytes as lone surrogates (surrogateescape), as here.
    with pytest.raises(ConfigError, match=r"briefing\.title is not valid UTF-8"):
        load(environ={"DIGEST_TITLE": "Morning \udcff briefing"})
    with pytest.raises(ConfigError, match="IANA zone"):
        load(environ={"DIGEST_TIMEZONE": "Europe"})


def test_cli_reports_bad_environment_bytes_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    envb = {k.encode(): v.encode() for k, v in env.items()} | {b"DIGEST_TITLE": b"Morning \xff briefing"}
    proc = subprocess.run(
        [sys.executable, "-m", "digest", "archive", "--out", str(tmp_path)],
        env=envb,  # type: ignore[arg-type]
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.decode().strip().splitlines() == [
        "digest: error: briefing.title is not valid UTF-8 text; check the config file or environment"
    ]


def test_config_is_found_in_the_documented_order(tmp_path: Path) -> None:
    """--config, then DIGEST_CONFIG, then ./digest.toml, then $XDG_CONFIG_HOME (or ~/.config)/digest/digest.toml."""
    here, xdg, home = tmp_path / "here", tmp_path / "xdg", tmp_path / "home"
    files = {
        "given": tmp_path / "given.toml",
        "env": tmp_path / "env.toml",
        "cwd": here / "digest.toml",
        "xdg": xdg / "digest" / "digest.toml",
        "home": home / ".config" / "digest" / "digest.toml",
    }
    for title, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'[briefing]\ntitle = "{title}"\n', encoding="utf-8")
    env = {"DIGEST_CONFIG": str(files["env"]), "XDG_CONFIG_HOME": str(xdg), "HOME": str(home)}

    def found(path: Path | None, environ: dict[str, str]) -> tuple[str, str]:
        settings = load(path, environ=environ, cwd=here)
        return settings.briefing.title, settings.config_origin

    assert found(files["given"], env) == ("given", "--config")
    assert found(None, env) == ("env", "DIGEST_CONFIG")
    del env["DIGEST_CONFIG"]
    assert found(None, env) == ("cwd", "./digest.toml")
    files["cwd"].unlink()
    assert found(None, env) == ("xdg", "XDG_CONFIG_HOME")
    del env["XDG_CONFIG_HOME"]
    assert found(None, env) == ("home", "~/.config")
    files["home"].unlink()
    settings = load(None, environ=env, cwd=here)
    assert (settings.config_path, settings.config_origin, settings.briefing.title) == ("", "", "Morning briefing")


def test_an_explicit_config_that_does_not_exist_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text('[briefing]\ntitle = "cwd"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="does not exist"):
        load(environ={"DIGEST_CONFIG": str(tmp_path / "typo.toml")}, cwd=tmp_path)


def test_the_starter_config_loads_as_it_is_and_with_every_setting_uncommented(tmp_path: Path) -> None:
    from digest.config import STARTER_CONFIG

    path = write(tmp_path, STARTER_CONFIG)
    assert load(path, environ={}) == Settings(config_path=str(path), config_origin="--config")  # all defaults
    # Uncomment every "# key = value" and "# [table]" line: each setting it shows is a real one.
    lines = []
    for line in STARTER_CONFIG.splitlines():
        body = line[2:] if line.startswith("# ") else line
        is_setting = re.match(r"^(\[\[?\w+\]\]?|\w+ = .+)$", body.split("  #")[0].strip())
        lines.append(body if line.startswith("# ") and is_setting else line)
    settings = load(write(tmp_path, "\n".join(lines)), environ={})
    assert settings.sources[0].url == "https://example.org/world.rss" and settings.sources[1].path == "inbox/"
    assert settings.email.to == ("you@example.org",) and settings.smtp.host == "smtp.example.org"
