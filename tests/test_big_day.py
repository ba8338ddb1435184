"""Days of any size: every article accounted for, the email always fits, the same files for any --jobs.

Each test builds a real day through build_day (store, render, PDF where it matters) and mails it
through a real SMTP server on 127.0.0.1 where the issue is delivery.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from smtp_helpers import RecordingHandler, smtp_server

from digest.cli import cli
from digest.config import EmailSettings, Settings, SmtpSettings
from digest.delivery import send_day
from digest.outputs.render import EMAIL_MAX_BYTES
from digest.pipeline import build_day
from digest.store import open_store

DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)
SAMPLES = Path(__file__).resolve().parents[1] / "digest" / "samples"
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def _letters(n: int) -> str:
    """Three letters naming n < 26**3: a fixed-width prefix, so no two articles' words can be equal."""
    a, rest = divmod(n, 26 * 26)
    b, c = divmod(rest, 26)
    return "".join("abcdefghijklmnopqrstuvwxyz"[k] for k in (a, b, c))


def _unrelated_records(n: int, seed: int = 7) -> list[dict[str, str]]:
    """n articles that share no content word: each its own one-article story."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        tag = _letters(i)  # every word carries the article's own letters, so no two articles share one
        name = (tag + _word(rng)).title()
        words = [tag + _word(rng) for _ in range(12)]
        sentences = [
            f"{name} said the {words[k]} of the {words[k + 1]} would be {words[k + 2]} soon." for k in range(0, 9, 3)
        ]
        records.append(
            {
                "title": f"{name} {words[0]} {words[1]} {i}",
                "text": " ".join(sentences),
                "url": f"https://news{i % 7}.example/{i}",
                "outlet": f"Desk {i % 7}",
                "published": f"2026-11-24T0{i % 6}:{i % 60:02d}:00+00:00",
            }
        )
    return records


def _write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _mail_settings(root: Path, port: int) -> Settings:
    return replace(
        Settings(),
        store_url=f"sqlite:///{root}/digest.db",
        email=EmailSettings(sender="briefing@example.org", to=("ana@example.org",)),
        smtp=SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout=10),
    )


def _build_and_mail(tmp_path: Path, records: list[dict[str, str]]) -> tuple[dict, bytes, RecordingHandler]:
    source = _write_jsonl(tmp_path / "day.jsonl", records)
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        settings = _mail_settings(tmp_path, port)
        build_day(settings, DAY, tmp_path / "out", [str(source)], pdf=False)
        with open_store(settings.store_url) as store:
            report = send_day(store, settings, tmp_path / "out", DAY, clock=lambda: NOW)
    assert report.done and report.sent == ("ana@example.org",)
    folder = tmp_path / "out" / DAY.isoformat()
    return json.loads((folder / "briefing.json").read_text("utf-8")), (folder / "email.html").read_bytes(), handler


def test_a_day_of_600_one_article_stories_builds_and_mails(tmp_path: Path) -> None:
    briefing, email_html, handler = _build_and_mail(tmp_path, _unrelated_records(600))
    assert len(briefing["stories"]) == 600
    assert all(len(s["articles"]) == 1 for s in briefing["stories"])
    assert len(email_html) <= EMAIL_MAX_BYTES
    # some stories listed by headline, the rest counted: nothing silently dropped
    assert b"more stories" in email_html
    [(_, msg)] = handler.messages
    assert "600 stories" in msg.get_body(("plain",)).get_content()


def test_a_120_kb_title_builds_and_mails(tmp_path: Path) -> None:
    records = _unrelated_records(3)
    records[1]["title"] = "Harbour " + "enormous " * 13_500  # about 120 KB
    briefing, email_html, handler = _build_and_mail(tmp_path, records)
    assert len(briefing["stories"]) == 3
    assert len(email_html) <= EMAIL_MAX_BYTES
    assert len(handler.messages) == 1


def test_a_duplicate_without_outlet_or_url_is_listed_under_its_twin(tmp_path: Path) -> None:
    text = (
        "The harbour board of Tollmere approved a new flood wall on Monday after two years of talks. "
        "Work on the wall starts in March and should end before the autumn storms, the board said. "
        "Residents of the lower town, flooded twice since 2024, welcomed the decision."
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Tollmere approves flood wall\n\n" + text, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("Tollmere approves flood wall\n\n" + text, encoding="utf-8")
    settings = replace(Settings(), store_url=f"sqlite:///{tmp_path}/digest.db")
    report = build_day(settings, DAY, tmp_path / "out", [str(tmp_path / "in")], pdf=False)
    data = json.loads((tmp_path / "out" / DAY.isoformat() / "briefing.json").read_text("utf-8"))
    [story] = data["stories"]
    [article] = story["articles"]
    [copy] = article["duplicates"]
    assert {Path(article["source"]).name, Path(copy["source"]).name} == {"a.txt", "b.txt"}
    assert copy["id"] != article["id"] and copy["outlet"] == "" and copy["url"] == ""
    assert copy["title"] == "Tollmere approves flood wall"
    assert report.articles == 2 and report.duplicates == 1


def test_every_article_read_is_accounted_for_in_briefing_json(tmp_path: Path) -> None:
    settings = replace(Settings(), store_url=f"sqlite:///{tmp_path}/digest.db")
    report = build_day(settings, DAY, tmp_path / "out", [str(SAMPLES)], pdf=False)
    data = json.loads((tmp_path / "out" / DAY.isoformat() / "briefing.json").read_text("utf-8"))
    ids = [a["id"] for s in data["stories"] for a in s["articles"]]
    ids += [d["id"] for s in data["stories"] for a in s["articles"] for d in a["duplicates"]]
    assert len(ids) == len(set(ids)) == report.articles


def test_jobs_1_and_2_give_the_same_files(tmp_path: Path) -> None:
    outputs = {}
    for jobs in (1, 2):
        config = tmp_path / f"c{jobs}.toml"
        config.write_text(f'[store]\nurl = "sqlite:///{tmp_path}/s{jobs}.db"\n', encoding="utf-8")
        out = tmp_path / f"out{jobs}"
        args = ["--config", str(config), "build", "--input", str(SAMPLES), "--date", "2026-11-24"]
        result = CliRunner().invoke(cli, [*args, "--out", str(out), "--no-pdf", "--jobs", str(jobs)])
        assert result.exit_code == 0, result.output
        assert "  summarize" not in result.output  # stderr is no terminal here: no progress lines
        outputs[jobs] = {p.name: p.read_bytes() for p in (out / "2026-11-24").iterdir()}
    assert outputs[1] == outputs[2]
    assert set(outputs[1]) == {"briefing.html", "email.html", "briefing.txt", "briefing.json"}


def test_a_last_article_without_latin_letters_builds(tmp_path: Path) -> None:
    records = _unrelated_records(2)
    records.append({"title": "Новости дня", "text": "Сегодня в городе открылся новый мост через реку.", "url": ""})
    source = _write_jsonl(tmp_path / "day.jsonl", records)
    settings = replace(Settings(), store_url=f"sqlite:///{tmp_path}/digest.db")
    report = build_day(settings, DAY, tmp_path / "out", [str(source)], pdf=False)
    assert report.stories == 3


def _build_on_terminal(tmp_path: Path, *flags: str) -> tuple[int, str]:
    """Run `digest build` with stderr on a pseudo-terminal; what the terminal showed."""
    import os
    import pty
    import subprocess
    import sys

    config = tmp_path / "c.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path}/s.db"\n', encoding="utf-8")
    args = [sys.executable, "-m", "digest", "--config", str(config), *flags, "build", "--input", str(SAMPLES)]
    args += ["--date", "2026-11-24", "--out", str(tmp_path / "out"), "--no-pdf"]
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=slave, cwd=tmp_path)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(timeout=120), shown.decode("utf-8", "replace")


def test_a_terminal_shows_each_stage_with_counts_and_time(tmp_path: Path) -> None:
    status, shown = _build_on_terminal(tmp_path)
    assert status == 0, shown
    for stage in ("read", "dedup", "cluster", "label", "summarize", "render", "write"):
        assert f"  {stage}" in shown, shown
    assert "39 articles" in shown and " s " in shown


def test_quiet_shows_no_progress_on_a_terminal(tmp_path: Path) -> None:
    status, shown = _build_on_terminal(tmp_path, "-q")
    assert status == 0 and "summarize" not in shown and "cluster" not in shown, shown


def test_reading_with_two_jobs_gives_the_same_articles_in_the_same_order(tmp_path: Path) -> None:
    from digest.ingest import read_inputs

    captured = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
    one = read_inputs([str(SAMPLES)], captured, jobs=1)
    two = read_inputs([str(SAMPLES)], captured, jobs=2)
    assert one == two and len(one.articles) == 39
