from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # the default store (output/digest.db) lands in the temp folder
    monkeypatch.delenv("DIGEST_CONFIG", raising=False)
    return CliRunner()


def test_help_for_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0 and "Examples" in result.output
    for command in cli.commands:
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0, command
        assert "Example" in result.output, command


def test_demo_then_rebuild_from_store(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["demo", "--out", "demo", "--no-pdf"])
    assert result.exit_code == 0, result.output
    # 39 articles read, one a duplicate merged into another: the CLI counts what the page counts.
    assert "10 stories from 38 articles (1 duplicate merged)" in result.output
    page = (tmp_path / "demo" / "2026-11-24" / "briefing.html").read_text(encoding="utf-8")
    assert "10 stories from 38 articles" in page
    assert not (tmp_path / "output" / "digest.db").exists(), "the demo stores nothing"


def test_build_rebuild_and_errors(runner: CliRunner, tmp_path: Path, samples_dir: Path) -> None:
    result = runner.invoke(
        cli, ["build", "--input", str(samples_dir / "txt"), "--date", "2026-11-24", "--out", "out", "--no-pdf"]
    )
    assert result.exit_code == 0, result.output
    assert "from 10 articles (10 new)" in result.output
    result = runner.invoke(cli, ["build", "--date", "2026-11-24", "--out", "again", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "(0 new)" in result.output
    a = (tmp_path / "out" / "2026-11-24" / "briefing.json").read_bytes()
    assert a == (tmp_path / "again" / "2026-11-24" / "briefing.json").read_bytes()

    result = runner.invoke(cli, ["build", "--date", "2026-11-20"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "digest: error: no articles stored for 2026-11-20 (published after 2026-11-19 06:30 and up to "
        "2026-11-20 06:30 UTC); read them with `digest build --input PATH --date 2026-11-20` "
        "or fetch the configured sources with `digest run`"
    )
    result = runner.invoke(cli, ["build", "--input", "missing.txt"])
    assert result.exit_code == 2 and "does not exist" in result.stderr and "Traceback" not in result.output
    assert runner.invoke(cli, ["build"]).exit_code == 2
    assert runner.invoke(cli, ["build", "--date", "24/11/2026"]).exit_code == 2


def test_build_counts_skipped_inputs_with_exit_1(runner: CliRunner, tmp_path: Path, samples_dir: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ok.txt").write_bytes((samples_dir / "txt" / "lindenhall-museum-reopens.txt").read_bytes())
    (tmp_path / "in" / "bad.json").write_text("{nope")
    result = runner.invoke(cli, ["build", "--input", "in", "--date", "2026-11-24", "--no-pdf"])
    assert result.exit_code == 1
    assert "skipped" in result.stderr and "bad.json" in result.stderr
    assert json.loads((tmp_path / "output" / "2026-11-24" / "briefing.json").read_text())["stories"]


def test_bad_config_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("[briefing]\ntimezone = 'Nowhere/Land'\n")
    result = runner.invoke(cli, ["--config", "c.toml", "demo"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "IANA" in result.stderr


def test_summarize_paths_and_batch(runner: CliRunner, tmp_path: Path, samples_dir: Path) -> None:
    txt = samples_dir / "txt"
    files = [str(txt / "eastbank-bridge-free-ferries.txt"), str(txt / "eastbank-bridge-how-cracks-were-found.txt")]
    result = runner.invoke(cli, ["summarize", *files, "--sentences", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    bodies = "".join(Path(f).read_text() for f in files)
    assert all(" ".join(line.split()) in " ".join(bodies.split()) for line in lines)

    batch = tmp_path / "batch"
    for name, members in {"bridge": files[:2], "vaccine": [str(txt / "mv9-vaccine-manufacturing-cost.txt")]}.items():
        (batch / name).mkdir(parents=True)
        for m in members:
            (batch / name / Path(m).name).write_bytes(Path(m).read_bytes())
    result = runner.invoke(
        cli, ["summarize", "--batch", str(batch), "--out", "sums", "--words", "40", "--method", "lexrank"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "sums").iterdir()) == ["bridge.txt", "vaccine.txt"]
    # --words fills by default: one sentence past the budget, so the first 40 words are full.
    filled = (tmp_path / "sums" / "bridge.txt").read_text().splitlines()
    assert len(" ".join(filled).split()) > 40 >= len(" ".join(filled[:-1]).split())
    thresholds = gc.get_threshold()
    result = runner.invoke(cli, ["summarize", "--batch", str(batch), "--out", "hard", "--words", "40", "--no-fill"])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "hard" / "bridge.txt").read_text().split()) <= 40
    assert gc.get_threshold() == thresholds  # the batch's garbage-collection setting is undone
    # A story summarised in a batch (caches warm from the other stories) reads as it does alone.
    alone = runner.invoke(cli, ["summarize", *files[:2], "--words", "40", "--no-fill"])
    assert alone.output == (tmp_path / "hard" / "bridge.txt").read_text()

    assert runner.invoke(cli, ["summarize", files[0], "--method", "nope"]).exit_code == 2
    assert runner.invoke(cli, ["summarize", files[0], "--words", "5", "--sentences", "2"]).exit_code == 2
    assert runner.invoke(cli, ["summarize", "--batch", str(batch)]).exit_code == 2


def test_init_writes_a_starter_config_that_later_commands_find(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "digest.toml").read_text(encoding="utf-8")
    assert written.startswith("# digest.toml") and "# [[sources]]" in written
    again = runner.invoke(cli, ["init"])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert (tmp_path / "digest.toml").read_text(encoding="utf-8") == written  # never overwritten
    # ./digest.toml is found without --config, and -v says so.
    (tmp_path / "digest.toml").write_text('[briefing]\ntitle = "Desk"\n', encoding="utf-8")
    result = runner.invoke(cli, ["-v", "sources"])
    assert f"config: read {tmp_path / 'digest.toml'} (found by ./digest.toml)" in result.stderr
    assert f"no sources configured in {tmp_path / 'digest.toml'}; add [[sources]]" in result.stdout


def test_without_any_config_file_v_says_defaults_and_sources_does_not_mention_a_file(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["-v", "sources"])
    assert result.exit_code == 0, result.output
    assert "config: no file (" in result.stderr and "using built-in defaults" in result.stderr
    assert "no config file was found" in result.stdout and "digest init" in result.stdout
    assert "to the config file" not in result.stdout


def test_build_date_builds_a_never_built_day_from_its_stored_articles(runner: CliRunner, tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "three_days" / "2026-11-24.jsonl"
    # Store the articles as input of another day: the 25th itself was never built.
    result = runner.invoke(cli, ["build", "--input", str(fixture), "--date", "2026-11-30", "--no-pdf"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["build", "--date", "2026-11-25", "--no-pdf"])
    assert result.exit_code == 0, result.stderr
    data = json.loads((tmp_path / "output" / "2026-11-25" / "briefing.json").read_text(encoding="utf-8"))
    published = [a["published"] for s in data["stories"] for a in s["articles"]]
    assert published and all("2026-11-24T06:30" < p <= "2026-11-25T06:30" for p in published)
    # The day now has an edition: a rebuild gives the same bytes, and send no longer points in a circle.
    first = (tmp_path / "output" / "2026-11-25" / "briefing.json").read_bytes()
    assert runner.invoke(cli, ["build", "--date", "2026-11-25", "--no-pdf"]).exit_code == 0
    assert (tmp_path / "output" / "2026-11-25" / "briefing.json").read_bytes() == first
    result = runner.invoke(cli, ["send", "--date", "2026-11-28"])
    assert result.exit_code == 1 and "digest build --date 2026-11-28" in result.stderr
    result = runner.invoke(cli, ["build", "--date", "2026-11-28", "--no-pdf"])
    assert result.exit_code == 2 and "--input PATH --date 2026-11-28" in result.stderr
    assert "build it first" not in result.stderr


def test_a_missing_database_driver_is_one_line_naming_the_extra(runner: CliRunner, tmp_path: Path) -> None:
    # psycopg2, not the psycopg 3 of the extra (which the dev install brings): never installed here.
    (tmp_path / "pg.toml").write_text('[store]\nurl = "postgresql+psycopg2://digest:secret@127.0.0.1/digest"\n')
    result = runner.invoke(cli, ["--config", "pg.toml", "sources"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert "pip install 'digest[postgresql]'" in line and "secret" not in line


def test_demo_v_does_not_log_the_in_memory_store_migrations(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["-v", "demo", "--out", "demo", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "built 2026-11-24" in result.stderr  # -v is on ...
    assert "migrated" not in result.stderr  # ... but a store made afresh in memory is no news


def test_sources_fetch_lists_each_skip_by_reason_and_item(runner: CliRunner, tmp_path: Path, samples_dir: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ok.txt").write_bytes((samples_dir / "txt" / "lindenhall-museum-reopens.txt").read_bytes())
    (inbox / "empty.jsonl").write_text('{"title": "Only a title", "text": ""}\n{"title": "x"}\n')
    (tmp_path / "digest.toml").write_text(f'[[sources]]\npath = "{inbox}"\n')
    result = runner.invoke(cli, ["-v", "sources", "--fetch"])
    assert result.exit_code == 0, result.output
    assert "1 article (1 new), 2 items skipped, 0 failed" in result.stdout
    assert f"skipped [no-text] {inbox / 'empty.jsonl'}#1: record has no text" in result.stderr
    assert f"skipped [no-text] {inbox / 'empty.jsonl'}#2: record has no text" in result.stderr
    assert "last success: " in result.stdout and " UTC  articles: 1 last, 2 items skipped" in result.stdout
