"""Kill a real `digest run` at each stage; the next run finishes with nothing lost or duplicated.

Each killed run is a `python -m digest -vv run` subprocess, SIGKILLed as soon as its stderr
shows the stage's log line. The four run side by side (start-up dominates their time); the
recovery runs and the uninterrupted reference run in-process through click's CliRunner.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

from click.testing import CliRunner
from smtp_helpers import RecordingHandler, smtp_server, write_run_config

from digest.cli import cli
from digest.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "three_days"
# The log line at which each stage is killed (-vv shows them on stderr).
STAGES = {
    "ingest": "INFO: stage ingest",  # before any article is stored
    "build": "DEBUG: stage build",  # a day's edition is fixed, nothing rendered yet
    "write": "DEBUG: wrote ",  # the first file of a day is in place, the others not yet
    "send": "INFO: stage send",  # the outbox says "sending", the SMTP transaction starts
}
DAYS = ("2026-11-23", "2026-11-24", "2026-11-25")
RECIPIENTS = ("ana@example.org", "ben@example.org")
RUN_ARGS = ("run", "--date", DAYS[-1], "--no-pdf")
COMPARED = ("briefing.json", "briefing.html", "briefing.txt", "email.html")


def _config(folder: Path, port: int) -> Path:
    return write_run_config(folder, port, FIXTURES)


def _run(config: Path, day: str) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config), "run", "--date", day, "--no-pdf"])
    assert result.exit_code == 0, result.output


def _kill_at(proc: subprocess.Popen[str], marker: str, seen: dict[str, list[str]], stage: str) -> None:
    assert proc.stderr is not None
    lines = seen.setdefault(stage, [])
    for line in proc.stderr:
        lines.append(line)
        if marker in line:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    proc.stderr.close()


def test_a_run_killed_at_any_stage_is_finished_by_the_next(tmp_path: Path) -> None:
    with ExitStack() as stack:
        handlers = {name: RecordingHandler() for name in [*STAGES, "reference"]}
        ports = {name: stack.enter_context(smtp_server(h)) for name, h in handlers.items()}
        configs = {}
        for name in ["reference", *STAGES]:
            (tmp_path / name).mkdir()
            configs[name] = _config(tmp_path / name, ports[name])
        # An earlier, completed day (built once, copied): the killed run has two more to catch up.
        _run(configs["reference"], DAYS[0])
        for stage in STAGES:
            shutil.copy(tmp_path / "reference" / "digest.db", tmp_path / stage / "digest.db")
            shutil.copytree(tmp_path / "reference" / "out", tmp_path / stage / "out")
        handlers["reference"].messages.clear()

        procs = {
            stage: subprocess.Popen(
                [sys.executable, "-m", "digest", "--config", str(configs[stage]), "-vv", *RUN_ARGS],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for stage in STAGES
        }
        seen: dict[str, list[str]] = {}
        readers = [threading.Thread(target=_kill_at, args=(procs[s], STAGES[s], seen, s), daemon=True) for s in STAGES]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=300)
        for stage, proc in procs.items():
            assert proc.returncode == -signal.SIGKILL, (stage, "".join(seen.get(stage, []))[-2000:])

        _run(configs["reference"], DAYS[-1])
        for stage in STAGES:
            _run(configs[stage], DAYS[-1])

    ref_out = tmp_path / "reference" / "out"
    for stage in STAGES:
        out = tmp_path / stage / "out"
        assert not [p for p in out.rglob("*.tmp")], stage
        for day in DAYS:
            for name in COMPARED:
                assert (out / day / name).read_bytes() == (ref_out / day / name).read_bytes(), (stage, day, name)
        assert (out / "feed.xml").read_bytes() == (ref_out / "feed.xml").read_bytes()
        assert (out / "index.html").read_bytes() == (ref_out / "index.html").read_bytes()
        with open_store(f"sqlite:///{tmp_path / stage}/digest.db") as store:
            assert [(r.day.isoformat(), r.status) for r in store.day_records()] == [(d, "completed") for d in DAYS]
            for day in DAYS:
                assert {e.status for e in store.outbox(dt.date.fromisoformat(day))} <= {"sent"}
            assert store.count_articles() == 27

        ids: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
        for tos, msg in handlers[stage].messages:
            ids[(str(msg["Subject"]), tos[0])].add(str(msg["Message-ID"]))
        reference = {(str(m["Subject"]), tos[0]) for tos, m in handlers["reference"].messages}
        # Nothing lost: every (day, recipient) the reference mailed was mailed; one Message-ID each.
        assert set(ids) == reference, stage
        assert all(len(v) == 1 for v in ids.values()), stage
        extra = len(handlers[stage].messages) - len(handlers["reference"].messages)
        # Nothing duplicated, except (at-least-once, documented) the one message in flight at a
        # kill during the send stage, which goes again with the same Message-ID.
        assert extra == 0 if stage != "send" else 0 <= extra <= 1, (stage, extra)
