"""One PostgreSQL store shared by several digests (hosts): `digest run` processes exclude each other,
concurrent `digest send` processes mail each recipient once, and the files are SQLite's, byte for byte.

Real parts throughout: the PostgreSQL server of DIGEST_TEST_POSTGRES (a fresh database per test),
digest as separate processes, an HTTP feed and an SMTP server (aiosmtpd) on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from smtp_helpers import RecordingHandler, smtp_server

from digest.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
DAY = "2026-11-24"
COMPARED = ("briefing.json", "briefing.html", "briefing.txt", "email.html")
RECIPIENTS = [f"reader{n}@example.org" for n in range(8)]
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Harbour strike ends</title><link>https://example.org/a</link>
<pubDate>Tue, 24 Nov 2026 05:00:00 +0000</pubDate>
<description>Dockers at the harbour returned to work on Tuesday after talks ended the strike.</description></item>
</channel></rss>"""


def _config(folder: Path, store_url: str, smtp_port: int, extra: str = "") -> Path:
    path = folder / "digest.toml"
    to = ", ".join(f'"{r}"' for r in RECIPIENTS)
    path.write_text(
        f'[briefing]\ntimezone = "Europe/London"\ntime = "06:30"\n{extra}\n'
        f'[store]\nurl = "{store_url}"\n[output]\ndir = "{folder}/out"\n'
        f'[email]\nfrom = "briefing@example.org"\nto = [{to}]\nattach_pdf = false\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nstarttls = false\n',
        encoding="utf-8",
    )
    return path


def _digest(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def _held_feed() -> Iterator[tuple[int, threading.Event, threading.Event]]:
    """An HTTP feed on 127.0.0.1 that answers only once released; yields (port, asked, release)."""
    asked, release = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            release.wait(60)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], asked, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_two_runs_on_one_database_one_works_the_other_refuses_in_one_line(postgres_url: str, tmp_path: Path) -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as smtp_port, _held_feed() as (http_port, asked, release):
        source = (
            f'[[sources]]\nurl = "http://127.0.0.1:{http_port}/feed.xml"\n[fetch]\nallow = ["127.0.0.1:{http_port}"]'
        )
        hosts = []
        for name in ("host-a", "host-b"):  # two hosts: their own folders and configs, one database
            (tmp_path / name).mkdir()
            hosts.append(_config(tmp_path / name, postgres_url, smtp_port, source))
        first = _digest(hosts[0], "run", "--no-pdf", "--date", DAY)
        try:
            assert asked.wait(60), "the first run never fetched its source"
            # The first run holds the run lock while it fetches: the second is refused at once.
            second = _digest(hosts[1], "run", "--no-pdf", "--date", DAY)
            out, err = second.communicate(timeout=60)
            lines = err.strip().splitlines()
            assert second.returncode != 0 and len(lines) == 1, err
            assert lines[0].startswith("digest: error: another digest run, send or build holds the run lock"), err
            assert "postgresql" in lines[0] and out == ""
            assert not (tmp_path / "host-b" / "out").exists()
        finally:
            release.set()
            out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert (tmp_path / "host-a" / "out" / DAY / "briefing.json").is_file()
    assert sorted(r for tos, _ in handler.messages for r in tos) == sorted(RECIPIENTS)


class _MeetingHandler(RecordingHandler):
    """Holds each message at DATA until two SMTP sessions (two senders) are open at once, so the two
    `digest send` processes are sure to overlap, each holding a claimed row."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: set[Any] = set()

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.peers.add(session.peer)
        return await super().handle_MAIL(server, session, envelope, address, options)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        deadline = time.monotonic() + 60
        while len(self.peers) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        self.sessions_at_data = len(self.peers)
        return await super().handle_DATA(server, session, envelope)


def test_two_concurrent_sends_mail_each_recipient_once(postgres_url: str, tmp_path: Path) -> None:
    handler = _MeetingHandler()
    with smtp_server(handler) as port:
        config = _config(tmp_path, postgres_url, port)
        source = FIXTURES / "three_days" / f"{DAY}.jsonl"
        result = CliRunner().invoke(
            cli, ["--config", str(config), "build", "--no-pdf", "--input", str(source), "--date", DAY]
        )
        assert result.exit_code == 0, result.output
        senders = [_digest(config, "send", "--date", DAY) for _ in range(2)]
        outputs = [p.communicate(timeout=120) for p in senders]
    for proc, (_out, err) in zip(senders, outputs, strict=True):
        assert proc.returncode == 0, err
    delivered = sorted(r for tos, _ in handler.messages for r in tos)
    assert delivered == sorted(RECIPIENTS)  # every recipient, none twice
    assert len({m["Message-ID"] for _, m in handler.messages}) == len(RECIPIENTS)
    sent = [int(out.split("sent ", 1)[1].split(",", 1)[0]) for out, _ in outputs]
    assert sum(sent) == len(RECIPIENTS) and min(sent) >= 1, outputs  # both sent: they really overlapped
    assert handler.sessions_at_data == 2
    # A third send finds everything sent.
    again = CliRunner().invoke(cli, ["--config", str(config), "send", "--date", DAY])
    assert again.exit_code == 0 and f"already sent {len(RECIPIENTS)}" in again.output
    assert len(handler.messages) == len(RECIPIENTS)


def test_build_on_postgres_is_byte_identical_to_sqlite(postgres_url: str, tmp_path: Path) -> None:
    outs = {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'store.db'}"), ("postgresql", postgres_url)):
        (tmp_path / name).mkdir()
        config = _config(tmp_path / name, url, 1)
        for day in ("2026-11-22", "2026-11-23", DAY):  # three days: continuity links read the store too
            source = FIXTURES / "three_days" / f"{day}.jsonl"
            args = ["--config", str(config), "build", "--no-pdf", "--input", str(source), "--date", day]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, result.output
        outs[name] = tmp_path / name / "out"
    rebuilt = tmp_path / "rebuilt"
    config = _config(tmp_path / "postgresql", postgres_url, 1)
    result = CliRunner().invoke(
        cli, ["--config", str(config), "build", "--no-pdf", "--date", DAY, "--out", str(rebuilt)]
    )
    assert result.exit_code == 0, result.output
    for day in ("2026-11-22", "2026-11-23", DAY):
        for name in COMPARED:
            assert (outs["sqlite"] / day / name).read_bytes() == (outs["postgresql"] / day / name).read_bytes(), (
                day,
                name,
            )
    for name in ("briefing.json", "briefing.txt", "email.html"):  # the page's day links differ: one day in rebuilt/
        assert (rebuilt / DAY / name).read_bytes() == (outs["sqlite"] / DAY / name).read_bytes(), name
