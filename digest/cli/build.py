"""Commands that make briefings and summaries on demand: ``build``, ``summarize``, ``demo``."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..errors import InputError
from .core import (
    EXIT_SKIPPED,
    SAMPLE_DAY,
    _date_option,
    _jobs_option,
    _out_option,
    _plural,
    _progress,
    _report_skips,
    _settings,
    _today,
    cli,
)


@cli.command()
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="PATH",
    help="A file or folder of articles, feeds, pages or page dumps (repeatable).",
)
@_date_option
@_out_option
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (faster).")
@_jobs_option
@click.option(
    "--replace",
    is_flag=True,
    help="With --input: replace a day whose edition `digest run` made (refused without it).",
)
@click.pass_context
def build(
    ctx: click.Context,
    inputs: tuple[str, ...],
    day: dt.datetime | None,
    out_dir: Path | None,
    no_pdf: bool,
    jobs: int | None,
    replace: bool,
) -> None:
    """Build a day's briefing from --input files, or rebuild it from the store.

    With --input, exactly those inputs make the day's briefing, and they are stored.
    Without --input, the day stored earlier is rebuilt (the same store and config give
    byte-identical html, json and txt). A day the daily job (digest run) made is not
    replaced by --input unless --replace; a day built with --input is kept by digest run.

    \b
    Examples:
      digest build --input page.txt --input feeds/ --date 2026-11-24 --out briefings/
      digest build --date 2026-11-24
      digest build --input big-day/ --jobs 2

    On a terminal each stage (read, store, dedup, cluster, link, label, headline, summarize,
    rank, record, render, pdf, write) is shown with its counts and time; -v logs the same
    lines, -q hides them.
    """
    settings = _settings(ctx)
    if not inputs and day is None:
        raise click.UsageError("give --input PATH (to build from files) or --date (to rebuild a stored day)")
    from ..delivery import run_lock

    the_day = day.date() if day else _today(settings)
    captured = None if day else dt.datetime.now(dt.UTC)
    out = out_dir or Path(settings.out_dir)
    with run_lock(settings, out):
        from ..pipeline import build_day

        report = build_day(
            settings,
            the_day,
            out,
            inputs,
            captured=captured,
            pdf=not no_pdf,
            replace=replace,
            jobs=jobs,
            progress=_progress(ctx),
        )
    _report_skips(ctx, report.skipped)
    click.echo(f"{_built_line(report)} -> {report.folder}/")
    if report.skipped:
        click.echo(f"{len(report.skipped)} inputs skipped", err=True)
        ctx.exit(EXIT_SKIPPED)


def _built_line(report: Any, new: bool = True) -> str:
    """ "D: N stories from M articles (...)", M counted as the page counts them (duplicates merged)."""
    merged = report.articles - report.shown
    notes = [f"{_plural(merged, 'duplicate')} merged"] if merged > 0 else []
    if new:
        notes.append(f"{report.new_articles} new")

    paren = f" ({', '.join(notes)})" if notes else ""
    stories = _plural(report.stories, "story", "stories")
    extra = ""
    if getattr(report, "in_brief", 0):
        extra += f", {_plural(report.in_brief, 'story', 'stories')} in brief"
    if getattr(report, "skipped", ()):
        extra += f", {_plural(len(report.skipped), 'input')} skipped"
    return f"{report.day}: {stories} from {_plural(report.shown, 'article')}{paren}{extra}"


# Summarising allocates millions of short-lived lists, sets and tuples; with the interpreter's
# default (a young-generation collection every 700 allocations) garbage collection was 0.10-0.15 s
# of `summarize --batch` over DUC 2004, with this threshold 0.04-0.05 s (benchmarks/bench_summarize.py).
_BATCH_GC_THRESHOLD = 10_000


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect the young generation less often while a batch runs; the old thresholds come back after."""
    old = gc.get_threshold()
    gc.set_threshold(_BATCH_GC_THRESHOLD, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--batch",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Summarise every subfolder of this folder as one story each.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --batch: write OUT/<subfolder>.txt.",
)
@click.option("--words", type=click.IntRange(1), help="Word budget (default 100).")
@click.option("--sentences", type=click.IntRange(1), help="Sentence budget instead of words.")
@click.option("--method", default=None, help="Summary method (default: the project's own). See --help.")
@click.option(
    "--fill/--no-fill",
    default=True,
    show_default=True,
    help="With --words N: add one sentence past N so the first N words are full (what the DUC "
    "evaluation cuts); --no-fill keeps N a hard limit, as the briefing does.",
)
@click.pass_context
def summarize(
    ctx: click.Context,
    paths: tuple[str, ...],
    batch: Path | None,
    out_dir: Path | None,
    words: int | None,
    sentences: int | None,
    method: str | None,
    fill: bool,
) -> None:
    """Print the extractive summary of the given articles taken together, one sentence a line.

    Every line is a sentence of one of the articles, verbatim (a leading dateline cut off),
    in article-time order. --words N (default 100) fills by default: one extra sentence goes
    last, past N, so that the first N words are full -- what the DUC evaluation cuts at.
    --no-fill makes N a hard limit, as in the briefing (briefing.summary_words).

    \b
    Methods:
      default       the project's own: concept coverage across the articles (README, Summaries)
      lexrank       LexRank on sparse matrices: ranks exactly as sumy's does, in a tenth of the time
      sumy-lexrank, textrank, lsa, luhn, edmundson, kl, sumbasic, reduction
                    sumy's summarizers (slower to start: they load NLTK and numpy in full)

    \b
    Examples:
      digest summarize a.txt b.txt --words 60
      digest summarize --batch stories/ --out summaries/ --words 100 --method lexrank
    """
    from ..ingest import read_inputs
    from ..summaries import DEFAULT_METHOD, METHODS, summarize_story

    if words and sentences:
        raise click.UsageError("give --words or --sentences, not both")
    method = method or DEFAULT_METHOD
    if method not in METHODS:
        raise click.UsageError(f"unknown --method {method!r}; choose one of {', '.join(METHODS)}")
    if bool(batch) == bool(paths):
        raise click.UsageError("give article PATHs, or --batch DIR --out DIR2")
    if batch and not out_dir:
        raise click.UsageError("--batch needs --out DIR2")
    budget: dict[str, Any] = {"words": None if sentences else (words or 100), "sentences": sentences, "fill": fill}
    captured = dt.datetime.now(dt.UTC)
    if paths:
        result = read_inputs(paths, captured)
        _report_skips(ctx, result.skipped)
        if not result.articles:
            raise InputError("no articles could be read from the given paths")
        for sentence in summarize_story(result.articles, method=method, **budget):
            click.echo(sentence.text)
        return
    assert batch is not None and out_dir is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    skipped = 0
    with _fewer_collections():
        for folder in sorted(p for p in batch.iterdir() if p.is_dir()):
            result = read_inputs([str(folder)], captured)
            skipped += len(result.skipped)
            summary = summarize_story(result.articles, method=method, **budget)
            (out_dir / f"{folder.name}.txt").write_text("".join(s.text + "\n" for s in summary), encoding="utf-8")
    if skipped:
        ctx.exit(EXIT_SKIPPED)


@cli.command()
@_out_option
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (faster).")
@click.pass_context
def demo(ctx: click.Context, out_dir: Path | None, no_pdf: bool) -> None:
    """Build a briefing from the sample articles shipped with digest.

    The samples (plain text, JSON, JSONL, RSS and a scraped page dump) describe an invented
    day, 2026-11-24; the briefing goes to OUT/2026-11-24/ and nothing is added to your store.

    \b
    Example:
      digest demo --out /tmp/demo && xdg-open /tmp/demo/2026-11-24/briefing.html
    """
    from importlib import resources

    from ..pipeline import build_day

    settings = _settings(ctx).with_overrides(store_url="sqlite://")  # in memory: the demo stores nothing
    samples = resources.files("digest.samples")
    report = build_day(settings, SAMPLE_DAY, out_dir or Path(settings.out_dir), [str(samples)], pdf=not no_pdf)
    _report_skips(ctx, report.skipped)
    click.echo(f"{_built_line(report, new=False)} -> {report.folder}/")
    for path in report.files:
        click.echo(f"  {path}")
