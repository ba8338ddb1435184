"""The scheduler: which days a run owes, one iteration with an injected clock, and the lock."""

from __future__ import annotations

import datetime as dt
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from digest.config import BriefingSettings, Settings, SourceSettings
from digest.delivery import lock_path
from digest.schedule import (
    MAX_CATCHUP_DAYS,
    days_to_run,
    latest_due_day,
    make_scheduler,
    run_forever,
    run_scheduled,
)
from digest.store import DayRecord, open_store

FIXTURES = Path(__file__).parent / "fixtures"
D = dt.date(2026, 11, 24)


def _rec(day: dt.date, status: str = "completed") -> DayRecord:
    return DayRecord(day, status, 1, 1)


def _days(first: int, last: int) -> list[dt.date]:
    return [dt.date(2026, 11, n) for n in range(first, last + 1)]


def test_a_first_run_builds_only_the_day_asked_for() -> None:
    assert days_to_run(D, []) == ([D], [])


def test_later_runs_catch_up_from_the_day_after_the_last_completed() -> None:
    assert days_to_run(dt.date(2026, 11, 27), [_rec(D)]) == (_days(25, 27), [])
    assert days_to_run(D, [_rec(D)]) == ([], [])


def test_an_unfinished_earlier_day_is_finished_too() -> None:
    records = [_rec(dt.date(2026, 11, 22), "built"), _rec(dt.date(2026, 11, 23))]
    assert days_to_run(D, records) == ([dt.date(2026, 11, 22), D], [])


def test_catch_up_stops_at_the_cap() -> None:
    until = dt.date(2026, 11, 30)
    todo, too_old = days_to_run(until, [_rec(dt.date(2026, 11, 10))])
    assert len(todo) == MAX_CATCHUP_DAYS and todo[-1] == until
    assert too_old == _days(11, 30 - MAX_CATCHUP_DAYS)


def test_the_latest_due_day_turns_over_at_the_cutoff_in_the_configured_zone() -> None:
    settings = Settings(briefing=BriefingSettings(timezone="America/New_York", time="06:30"))
    before = dt.datetime(2026, 11, 24, 11, 29, tzinfo=dt.UTC)  # 06:29 in New York
    after = dt.datetime(2026, 11, 24, 11, 30, tzinfo=dt.UTC)
    assert latest_due_day(settings, before) == dt.date(2026, 11, 23)
    assert latest_due_day(settings, after) == D


def test_the_scheduler_runs_daily_at_the_configured_time_and_zone() -> None:
    settings = Settings(briefing=BriefingSettings(timezone="Asia/Tokyo", time="07:15"))
    scheduler = make_scheduler(settings, lambda: None)
    [job] = scheduler.jobs
    assert job.unit == "days" and job.interval == 1
    assert job.at_time == dt.time(7, 15) and str(job.at_time_zone) == "Asia/Tokyo"
    assert job.next_run is not None
    local = job.next_run.astimezone().astimezone(dt.timezone(dt.timedelta(hours=9)))  # naive local -> Tokyo
    assert (local.hour, local.minute) == (7, 15)
    assert dt.timedelta(0) < job.next_run - dt.datetime.now() <= dt.timedelta(days=1)


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        sources=(SourceSettings(path=str(FIXTURES / "three_days")),),
        store_url=f"sqlite:///{tmp_path}/digest.db",
    )


def test_iterations_with_an_injected_clock_catch_up_and_survive_a_failing_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings, out = _settings(tmp_path), tmp_path / "out"
    clock = {"now": dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)}
    first = run_scheduled(settings, out, clock=lambda: clock["now"], pdf=False)
    assert first is not None and [r.day for r in first.days] == [dt.date(2026, 11, 23)]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    clock["now"] = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
    assert run_scheduled(settings, out, clock=lambda: clock["now"], run=broken) is None
    assert "scheduled run failed unexpectedly" in caplog.text

    # The machine slept through the 24th's and 25th's runs; the next iteration does both.
    clock["now"] = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    later = run_scheduled(settings, out, clock=lambda: clock["now"], pdf=False)
    assert later is not None and [r.day for r in later.days] == _days(24, 25)
    assert run_scheduled(settings, out, clock=lambda: clock["now"], pdf=False).days == ()  # type: ignore[union-attr]


def test_schedule_catches_up_at_start_then_waits(tmp_path: Path) -> None:
    settings, out = _settings(tmp_path), tmp_path / "out"
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_forever(settings, out, pdf=False, sleep=sleep)
    with open_store(settings.store_url) as store:
        assert len(store.day_records()) == 1  # today's (or yesterday's) catch-up run
    assert 1.0 <= naps[0] <= 60.0


HOLDER = """
import sys
from pathlib import Path
from digest.delivery import lock_path
from digest.config import Settings
from digest.delivery import run_lock
with run_lock(Settings(store_url=sys.argv[1]), Path(sys.argv[2])):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_the_lock_keeps_a_second_process_out(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/digest.db"
    config = tmp_path / "digest.toml"
    config.write_text(f'[store]\nurl = "{url}"\n[output]\ndir = "{tmp_path}/out"\n', encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(tmp_path / "out")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert lock_path(Settings(store_url=url), tmp_path).is_file()
        for args in (["run", "--no-pdf"], ["build", "--date", "2026-11-24", "--no-pdf"]):
            blocked = subprocess.run(
                [sys.executable, "-m", "digest", "--config", str(config), *args],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert blocked.returncode == 1, blocked.stderr
            assert "another digest run, send or build holds" in blocked.stderr
            assert len(blocked.stderr.strip().splitlines()) == 1
    finally:
        holder.communicate("", timeout=30)
    # Released when the holder exits: the next process gets it at once.
    again = subprocess.run(
        [sys.executable, "-c", HOLDER, url, str(tmp_path / "out")], input="", capture_output=True, text=True, timeout=60
    )
    assert again.stdout == "held\n"


def test_schedule_logs_with_timestamps_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "digest.toml"
    config.write_text(
        f'[[sources]]\npath = "{inbox}"\n[store]\nurl = "sqlite:///{tmp_path}/digest.db"\n'
        f'[output]\ndir = "{tmp_path}/out"\n',
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "-v", "--config", str(config), "schedule", "--no-pdf"],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    lines: list[str] = []
    try:
        for line in proc.stderr:  # the catch-up run, then the wait for the next one
            lines.append(line)
            if "next run at" in line:
                break
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = lines + rest.splitlines(keepends=True)
    assert proc.returncode == 0, "".join(log)
    assert all(re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4} digest: ", line) for line in log), log
    assert "SIGTERM received" in "".join(log) and "schedule stopped by SIGTERM" in log[-1]
    with open_store(f"sqlite:///{tmp_path}/digest.db") as store:
        assert [r.status for r in store.day_records()] == ["completed"]  # the catch-up run finished
