"""`digest run` over a source folder of every hostile file (tests/hostile/): it completes, mails the
day through a real SMTP server on 127.0.0.1, reports each skip by reason, and the store is sound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner
from smtp_helpers import RecordingHandler, smtp_server, write_run_config
from test_hostile import FORBIDDEN, hostile_copy

from digest.cli import cli

DAY = "2026-11-30"
OUTPUTS = ("briefing.html", "briefing.txt", "email.html", "briefing.json")


def test_digest_run_over_every_hostile_file_completes_and_mails_the_day(tmp_path: Path) -> None:
    source = hostile_copy(tmp_path)
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        config = write_run_config(tmp_path, port, source, briefing='timezone = "UTC"\ntime = "06:30"')
        result = CliRunner().invoke(cli, ["--config", str(config), "run", "--date", DAY, "--no-pdf"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output  # finished, with skips
    output = result.output
    assert f"{DAY}: " in output and "completed" in output
    assert "sent 2, already sent 0, failed 0, pending 0" in output
    (by_reason,) = [line for line in output.splitlines() if line.startswith("skipped by reason: ")]
    assert by_reason == (
        "skipped by reason: unreadable 3, bad-json 2, bad-record 2, no-text 1, not-a-feed 1, too-short 1"
    )
    assert len(handler.messages) == 2
    folder = tmp_path / "out" / DAY
    for name in OUTPUTS:
        text = (folder / name).read_text(encoding="utf-8")
        assert not any(c in FORBIDDEN for c in text.replace("\t", "").replace("\n", "").replace("\r", "")), name
    assert "Marlow Bridge" in (folder / "briefing.txt").read_text(encoding="utf-8")
    with sqlite3.connect(tmp_path / "digest.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT status FROM run_days WHERE day = ?", (DAY,)).fetchall() == [("completed",)]
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] >= 20
