"""`digest run`: catch-up from the store, once per day, and byte-for-byte regeneration."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_helpers import RecordingHandler, smtp_server, write_run_config

from digest.cli import cli
from digest.config import load
from digest.schedule import run_daily
from digest.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"
COMPARED = ("briefing.json", "briefing.html", "briefing.txt", "email.html")


def _config(tmp_path: Path, port: int, source: Path, extra: str = "") -> Path:
    return write_run_config(tmp_path, port, source, briefing=f'timezone = "Europe/London"\ntime = "06:30"\n{extra}')


def _invoke(config: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_run_catches_up_once_per_day_and_mails_only_days_with_stories(tmp_path: Path) -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        config = _config(tmp_path, port, FIXTURES / "three_days")
        first = _invoke(config, "run", "--date", "2026-11-24", "--no-pdf")
        second = _invoke(config, "run", "--date", "2026-11-27", "--no-pdf")
        third = _invoke(config, "run", "--date", "2026-11-27", "--no-pdf")
        resend = _invoke(config, "send", "--date", "2026-11-24")
        quiet = _invoke(config, "send", "--date", "2026-11-26")
    out = tmp_path / "out"
    assert "2026-11-24: " in first and "completed" in first
    assert [line.split(":")[0] for line in second.splitlines() if "stories from" in line] == [
        "2026-11-25",
        "2026-11-26",
        "2026-11-27",
    ]
    assert "nothing to do" in third
    assert "2026-11-24: sent 0, already sent 2, failed 0, pending 0" in resend
    assert "2026-11-26: no stories; no email" in quiet
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "2026-11-24",
        "2026-11-25",
        "2026-11-26",
        "2026-11-27",
    ]
    # Day D holds (cut-off D-1, cut-off D]: the 24th has the 23rd's news, the 25th the 24th's, then nothing.
    days = sorted(str(m["Subject"]) for _, m in handler.messages)
    assert len(handler.messages) == 4
    assert days == sorted(
        ["Morning briefing: Tuesday 24 November 2026"] * 2 + ["Morning briefing: Wednesday 25 November 2026"] * 2
    )
    assert {tuple(tos) for tos, _ in handler.messages} == {("ana@example.org",), ("ben@example.org",)}
    with open_store(f"sqlite:///{tmp_path}/digest.db") as store:
        assert [(r.day.day, r.status, r.stories > 0) for r in store.day_records()] == [
            (24, "completed", True),
            (25, "completed", True),
            (26, "completed", False),
            (27, "completed", False),
        ]
    archive = _invoke(config, "archive")
    assert archive.splitlines()[0].startswith("2026-11-24\t") and len(archive.splitlines()) == 4
    assert (out / "feed.xml").is_file() and (out / "index.html").is_file()


def test_a_day_built_by_run_regenerates_byte_for_byte_and_follows_a_template_change(tmp_path: Path) -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        config = _config(tmp_path, port, FIXTURES / "three_days")
        _invoke(config, "run", "--date", "2026-11-25", "--no-pdf")
        _invoke(config, "run", "--date", "2026-11-26", "--no-pdf")
    out, again = tmp_path / "out", tmp_path / "again"
    for day in ("2026-11-25", "2026-11-26"):  # the 26th is an empty day: still rebuilt
        _invoke(config, "build", "--date", day, "--out", str(again), "--no-pdf")
        for name in COMPARED:
            assert (again / day / name).read_bytes() == (out / day / name).read_bytes(), (day, name)

    templates = tmp_path / "templates"
    templates.mkdir()
    shipped = Path(__file__).parent.parent / "templates" / "briefing.txt"
    (templates / "briefing.txt").write_text("EDITION OF {{ briefing.day }}\n" + shipped.read_text(encoding="utf-8"))
    changed = _config(tmp_path, 1, FIXTURES / "three_days", extra=f'templates = "{templates}"')
    _invoke(changed, "build", "--date", "2026-11-25", "--out", str(tmp_path / "new"), "--no-pdf")
    text = (tmp_path / "new" / "2026-11-25" / "briefing.txt").read_text(encoding="utf-8")
    assert text.startswith("EDITION OF 2026-11-25\n")
    assert (tmp_path / "new" / "2026-11-25" / "briefing.json").read_bytes() == (
        out / "2026-11-25" / "briefing.json"
    ).read_bytes()


def test_build_from_inputs_then_from_the_store_alone_is_byte_identical(tmp_path: Path) -> None:
    config = _config(tmp_path, 1, tmp_path)
    source = FIXTURES / "three_days" / "2026-11-24.jsonl"
    _invoke(config, "build", "--input", str(source), "--date", "2026-11-24", "--out", str(tmp_path / "a"), "--no-pdf")
    _invoke(config, "build", "--date", "2026-11-24", "--out", str(tmp_path / "b"), "--no-pdf")
    for name in COMPARED:
        assert (tmp_path / "a" / "2026-11-24" / name).read_bytes() == (
            tmp_path / "b" / "2026-11-24" / name
        ).read_bytes()


def test_articles_without_a_published_time_count_from_when_they_were_stored(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "harbour.txt").write_text(
        "Harbour ferry timetable changes\n\n"
        "The harbour ferry will run every twenty minutes from Monday, the harbour board said. "
        "The harbour board said the ferry change follows a rise in ferry passengers over the autumn. "
        "Ferry passengers had asked the harbour board for more ferry crossings at peak times. "
        "The board said the new ferry timetable would be reviewed in the spring.\n",
        encoding="utf-8",
    )
    settings = load(_config(tmp_path, 1, inbox))
    settings = settings.with_overrides(email=type(settings.email)())  # no mail in this test
    stored = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # after the 24th's 06:30 cut-off
    report = run_daily(settings, tmp_path / "out", dt.date(2026, 11, 25), clock=lambda: stored, pdf=False)
    assert [(r.day, r.articles) for r in report.days] == [(dt.date(2026, 11, 25), 1)]
    shutil.rmtree(tmp_path / "out")


def test_run_before_the_cutoff_builds_yesterday(tmp_path: Path) -> None:
    settings = load(_config(tmp_path, 1, FIXTURES / "three_days"))
    settings = settings.with_overrides(email=type(settings.email)())
    early = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)  # 05:00 in London, before 06:30
    report = run_daily(settings, tmp_path / "out", clock=lambda: early, pdf=False)
    assert report.until == dt.date(2026, 11, 24)


@pytest.mark.parametrize("bad", ["missing-folder"])
def test_a_missing_source_folder_is_a_failed_source(tmp_path: Path, bad: str) -> None:
    settings = load(_config(tmp_path, 1, tmp_path / bad))
    settings = settings.with_overrides(email=type(settings.email)())
    now = dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)
    report = run_daily(settings, tmp_path / "out", clock=lambda: now, pdf=False)
    assert report.skipped == () and report.new_skips == ()
    [(location, error)] = report.failed_sources
    assert bad in location and "does not exist" in error


def _exit(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _bad_item_inbox(tmp_path: Path) -> Path:
    """A folder source: the fixture day's articles plus one record that will never have any text."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FIXTURES / "three_days" / "2026-11-23.jsonl", inbox / "good.jsonl")
    (inbox / "bad.jsonl").write_text('{"title": "Headline only", "text": ""}\n', encoding="utf-8")
    return inbox


def test_run_reports_a_permanently_bad_item_once_then_exits_0(tmp_path: Path) -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        config = _config(tmp_path, port, _bad_item_inbox(tmp_path))
        first = _exit(config, "run", "--date", "2026-11-24", "--no-pdf")
        second = _exit(config, "run", "--date", "2026-11-25", "--no-pdf")
        verbose = _exit(config, "-v", "run", "--date", "2026-11-25", "--no-pdf")
    code, _out, err = first
    assert code == 1, err  # new: reported (listed with its reason) and the status says look once
    assert "skipped [no-text]" in err and "bad.jsonl" in err and "record has no text" in err
    code, out, err = second
    assert code == 0, err  # the same item again is not news: the morning job is green
    assert "bad.jsonl" not in err and "skipped by reason: no-text 1 (1 reported by an earlier run" in err
    assert "2026-11-25:" in out and "completed" in out
    code, out, err = verbose
    assert code == 0 and "nothing to do" in out
    assert "bad.jsonl#1: record has no text (reported by an earlier run)" in err  # -v lists every skip
    with open_store(f"sqlite:///{tmp_path}/digest.db") as store:
        [health] = store.source_health()
    assert health.last_skipped == 1  # kept in source health


def test_run_exits_3_while_a_source_is_down_and_2_without_sources(tmp_path: Path) -> None:
    config = _config(tmp_path, 1, tmp_path / "not-mounted-yet")
    shutil.copy(config, tmp_path / "mailless.toml")
    text = (tmp_path / "mailless.toml").read_text(encoding="utf-8").replace("to = [", "# to = [")
    (tmp_path / "mailless.toml").write_text(text, encoding="utf-8")
    for _ in range(2):  # every run while it is down: a distinct status, not 1
        code, _out, err = _exit(tmp_path / "mailless.toml", "run", "--date", "2026-11-24", "--no-pdf")
        assert code == 3, err
        assert "source failed (tried again next run)" in err and "not-mounted-yet" in err
    (tmp_path / "empty.toml").write_text('[store]\nurl = "sqlite:///' + str(tmp_path / "e.db") + '"\n')
    code, out, err = _exit(tmp_path / "empty.toml", "run", "--no-pdf")
    assert code == 2 and out == ""
    assert err.startswith("digest: error: no sources configured (") and "[[sources]]" in err
    assert len(err.strip().splitlines()) == 1


def test_pending_mail_exits_3_and_a_starttls_failure_still_prints_the_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("digest.delivery.mail.RETRY_DELAYS", (0.01,))  # the real pauses (2, 10, 30 s) would be slow
    inbox = _bad_item_inbox(tmp_path)
    handler = RecordingHandler(data_replies=["451 4.3.0 Try again later"] * 20)
    with smtp_server(handler) as port:
        config = _config(tmp_path, port, inbox)
        settings = load(config)
        report = run_daily(settings, tmp_path / "out", dt.date(2026, 11, 24), pdf=False, retry_delays=())
        assert [d.status for d in report.days] == ["built"] and report.mail[0].pending
        code, _out, err = _exit(config, "send", "--date", "2026-11-24")
        assert code == 3 and "pending" in err
        # The server offers no STARTTLS but the config asks for it: one line naming the fix, and the
        # run's other news (the skipped item) is still printed before it.
        tls = tmp_path / "tls.toml"
        tls.write_text(config.read_text(encoding="utf-8").replace("starttls = false", "starttls = true"))
        (tmp_path / "digest.db").unlink()
        code, _out, err = _exit(tls, "run", "--date", "2026-11-24", "--no-pdf")
    assert code == 1
    assert "skipped [no-text]" in err and "bad.jsonl" in err
    assert "smtp.starttls = false" in err.strip().splitlines()[-1]
    assert "Traceback" not in err


def _record(title: str, place: str, published: str) -> str:
    text = (
        f"The {place} council voted on Monday to close the old {place} market hall for repairs to its roof. "
        f"Traders at the {place} market hall will move to a temporary site by the {place} river. "
        f"The council said the {place} market hall roof had leaked through the autumn storms."
    )
    return json.dumps({"title": title, "text": text, "outlet": "Test Wire", "published": published}) + "\n"


def test_an_article_arriving_after_its_day_joins_the_next_edition_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.jsonl").write_text(_record("Orlen market hall closes", "Orlen", "2026-11-24T09:00:00Z"))
    settings = load(_config(tmp_path, 1, inbox))
    settings = settings.with_overrides(email=type(settings.email)())
    out = tmp_path / "out"

    def run(day: int, clock_day: int) -> list[tuple[int, int]]:
        clock = dt.datetime(2026, 11, clock_day, 7, 0, tzinfo=dt.UTC)
        report = run_daily(settings, out, dt.date(2026, 11, day), clock=lambda: clock, pdf=False)
        return [(r.day.day, r.articles) for r in report.days]

    assert run(25, 25) == [(25, 1)]
    # Published in the 25th's window (24th 06:30 to 25th 06:30, London) but only seen after it was built;
    # and one a week old, too late to be news.
    (inbox / "b.jsonl").write_text(
        _record("Kessa market hall closes", "Kessa", "2026-11-24T20:00:00Z")
        + _record("Brun market hall closes", "Brun", "2026-11-17T20:00:00Z")
    )
    assert run(26, 26) == [(26, 1)]
    assert run(27, 27) == [(27, 0)]  # shown once, not again
    with open_store(settings.store_url) as store:
        assert [a.title for a in store.edition(dt.date(2026, 11, 26))] == ["Kessa market hall closes"]
        assert [a.title for a in store.edition(dt.date(2026, 11, 25))] == ["Orlen market hall closes"]
    # The 26th regenerates from its stored edition, late article included.
    story = json.loads((out / "2026-11-26" / "briefing.json").read_text(encoding="utf-8"))["stories"][0]
    assert story["label"] and "Kessa" in (out / "2026-11-26" / "briefing.txt").read_text(encoding="utf-8")


def _invoke_status(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_the_daily_job_keeps_a_day_built_by_hand_and_mails_it(tmp_path: Path, samples_dir: Path) -> None:
    """`digest build --input ... --date D` then `digest run --date D` used to replace D (16 stories -> 4)."""
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        config = _config(tmp_path, port, FIXTURES / "three_days")
        built = _invoke(config, "build", "--no-pdf", "--input", str(samples_dir), "--date", "2026-11-24")
        before = json.loads((tmp_path / "out" / "2026-11-24" / "briefing.json").read_text(encoding="utf-8"))
        ran = _invoke(config, "run", "--date", "2026-11-24", "--no-pdf")
    after = json.loads((tmp_path / "out" / "2026-11-24" / "briefing.json").read_text(encoding="utf-8"))
    assert "2026-11-24: kept the edition made by `digest build --input`" in ran
    assert after == before and len(after["stories"]) > 4 and "stories from" in built
    assert len(handler.messages) == 2  # mailed as built
    rebuilt = _invoke(config, "build", "--no-pdf", "--date", "2026-11-24")  # still rebuildable
    assert f"{len(before['stories'])} stories" in rebuilt


def test_a_manual_build_refuses_the_daily_jobs_day_unless_told_to_replace_it(tmp_path: Path, samples_dir: Path) -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        config = _config(tmp_path, port, FIXTURES / "three_days")
        _invoke(config, "run", "--date", "2026-11-24", "--no-pdf")
    day = tmp_path / "out" / "2026-11-24" / "briefing.json"
    mailed = day.read_bytes()
    code, output = _invoke_status(config, "build", "--no-pdf", "--input", str(samples_dir), "--date", "2026-11-24")
    assert code == 2 and day.read_bytes() == mailed
    assert output.strip().splitlines()[-1] == (
        "digest: error: 2026-11-24 already has the daily job's edition (digest run); "
        "add --replace to make these inputs the day instead"
    )
    args = ("build", "--no-pdf", "--replace", "--input", str(samples_dir), "--date", "2026-11-24")
    assert _invoke_status(config, *args)[0] in (0, 1) and day.read_bytes() != mailed
