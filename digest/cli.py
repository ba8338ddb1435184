"""The command line: thin click commands over the pipeline.

Stage modules are imported inside the commands that use them, not at the top: WeasyPrint,
scikit-learn, SQLAlchemy and trafilatura together cost over a second of start-up, which
`digest summarize` (benchmarks/bench_summarize.py) and `--help` should not pay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import Settings, load
from .errors import DigestError, InputError

LOGGER = logging.getLogger("digest")
# Exit statuses (README "Exit status", and `digest --help`):
EXIT_OK = 0  # the job did what it should
EXIT_SKIPPED = 1  # look at this once: inputs newly skipped, a message refused for good, or an error stopped it
EXIT_USAGE = 2  # bad command line or config (also: `run` with no sources configured)
EXIT_RETRY = 3  # done what it could; a source is down or mail is pending, and the next run tries again
SAMPLE_DAY = dt.date(2026, 11, 24)  # the day the bundled sample articles were written for


class _Group(click.Group):
    """A click group that turns a DigestError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DigestError as exc:
            click.echo(f"digest: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def _setup_logging(verbose: int, quiet: bool, timestamps: bool = False) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    # A long-running `digest schedule` log needs to say when; a one-off command's does not.
    stamp = "%(asctime)s " if timestamps else ""
    handler.setFormatter(logging.Formatter(f"{stamp}digest: %(levelname)s: %(message)s", "%Y-%m-%d %H:%M:%S%z"))
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(level)
    LOGGER.propagate = False


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj["settings"]
    return settings


def _today(settings: Settings) -> dt.date:
    return dt.datetime.now(settings.briefing.tz).date()


class _TerminalProgress:
    """A build's stages on stderr: click's progress bar while a counted stage runs, then one line per stage.

    click.progressbar because click already draws the command line: no second dependency, and it
    hides itself when stderr is not a terminal.
    """

    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, stage: str, total: int) -> None:
        if total > 1:
            self._bar = click.progressbar(length=total, label=f"  {stage:<10}", file=sys.stderr, show_eta=True)
            self._bar.__enter__()
        else:
            click.echo(f"  {stage:<10} ...", err=True, nl=False)

    def advance(self, steps: int) -> None:
        if self._bar is not None:
            self._bar.update(steps)

    def finish(self, stage: str, seconds: float, detail: str) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            click.echo("\x1b[1A", err=True, nl=False)  # back onto the finished bar's line
        click.echo(f"\r\x1b[2K  {stage:<10} {seconds:7.1f} s  {detail}", err=True)


def _progress(ctx: click.Context) -> _TerminalProgress | None:
    return _TerminalProgress() if ctx.obj.get("progress") else None


def _plural(n: int, word: str, words: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


SKIPS_LISTED = 20  # without -v; a folder of hundreds of bad files should not bury the summary


def _report_skips(ctx: click.Context, skipped: Sequence[Any], new: Sequence[Any] | None = None) -> None:
    """List skipped inputs by reason and item on stderr, then a count per reason.

    With new (what `digest run` had not reported before), only those are listed unless -v, and the
    rest are counted as reported before. Without -v at most SKIPS_LISTED lines are listed.
    """
    if not skipped:
        return
    verbose = ctx.find_root().params.get("verbose", 0) > 0
    fresh = {id(s) for s in (skipped if new is None else new)}
    by_kind: dict[str, list[Any]] = {}
    for skip in skipped:
        by_kind.setdefault(skip.kind, []).append(skip)
    order = sorted(by_kind.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    shown = 0
    for kind, skips in order:
        listed = [s for s in skips if verbose or id(s) in fresh]
        for skip in listed:
            if not verbose and shown >= SKIPS_LISTED:
                break
            before = "" if id(skip) in fresh else " (reported by an earlier run)"
            click.echo(f"skipped [{kind}] {skip.source}: {skip.reason}{before}", err=True)
            shown += 1
    hidden = len(fresh) - shown if not verbose else 0
    if hidden > 0:
        click.echo(f"... and {hidden} more skipped inputs (-v lists them all)", err=True)
    counts = ", ".join(f"{kind} {len(skips)}" for kind, skips in order)
    old = len(skipped) - len(fresh)
    note = f" ({old} reported by an earlier run{'' if verbose else '; -v lists them'})" if old else ""
    click.echo(f"skipped by reason: {counts}{note}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="TOML config file. Without it: $DIGEST_CONFIG, else ./digest.toml, else "
    "$XDG_CONFIG_HOME/digest/digest.toml (~/.config), else built-in defaults. -v says which was read.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option(__version__, prog_name="digest")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, quiet: bool) -> None:
    """digest: a daily news briefing from your feeds, pages and files, offline.

    Groups the day's articles into stories, summarises each story with sentences quoted
    from its articles, and writes a web page, an email, a text file, JSON and a PDF into
    OUT/YYYY-MM-DD/.

    \b
    Examples:
      digest demo                                   # sample briefing into output/
      digest build --input inbox/ --date 2026-11-24 # build a day from files
      digest build --date 2026-11-24 --out rebuilt/ # rebuild a day from the store
      digest summarize article1.txt article2.txt --words 60
      digest init                                   # a starter digest.toml here
      digest run                                    # the daily job: ingest, build, mail

    \b
    Config: --config FILE, else $DIGEST_CONFIG, else ./digest.toml, else
    $XDG_CONFIG_HOME/digest/digest.toml (~/.config/digest/digest.toml), else built-in defaults.

    \b
    Exit status:
      0  the job did what it should
      1  look at it once: inputs newly skipped (listed), a message refused for good (5xx),
         or an error stopped the command (one line on stderr)
      2  bad command line or config (also: `run` with no sources configured)
      3  done what it could, but a source is down or mail is pending; the next run retries
    """
    _setup_logging(verbose, quiet, timestamps=ctx.invoked_subcommand == "schedule")
    ctx.ensure_object(dict)
    # Stage progress on a terminal only; with -v the log lines say the same, with -q nothing does.
    ctx.obj["progress"] = not quiet and not verbose and sys.stderr.isatty()
    if ctx.resilient_parsing:
        return
    settings = load(config_path)
    if settings.config_path:
        LOGGER.info("config: read %s (found by %s)", settings.config_path, settings.config_origin)
    else:
        LOGGER.info(
            "config: no file (no --config, DIGEST_CONFIG, ./digest.toml or "
            "$XDG_CONFIG_HOME/digest/digest.toml); using built-in defaults"
        )
    ctx.obj["settings"] = settings


_date_option = click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The briefing's day, YYYY-MM-DD (default: today in the configured timezone).",
)
_jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for the summaries (default: every core, on a day big enough to gain). Same output for any N.",
)
_out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: output/ or [output] dir).",
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
    from .delivery import run_lock

    the_day = day.date() if day else _today(settings)
    captured = None if day else dt.datetime.now(dt.UTC)
    out = out_dir or Path(settings.out_dir)
    with run_lock(settings, out):
        from .pipeline import build_day

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
    from .ingest import read_inputs
    from .summaries import DEFAULT_METHOD, METHODS, summarize_story

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

    from .pipeline import build_day

    settings = _settings(ctx).with_overrides(store_url="sqlite://")  # in memory: the demo stores nothing
    samples = resources.files("digest.samples")
    report = build_day(settings, SAMPLE_DAY, out_dir or Path(settings.out_dir), [str(samples)], pdf=not no_pdf)
    _report_skips(ctx, report.skipped)
    click.echo(f"{_built_line(report, new=False)} -> {report.folder}/")
    for path in report.files:
        click.echo(f"  {path}")


@cli.command()
@click.option("--fetch", is_flag=True, help="Fetch every configured source now (and store its articles) first.")
@click.pass_context
def sources(ctx: click.Context, fetch: bool) -> None:
    """List the configured sources and their health: last success, last error, counts.

    With --fetch, every source is fetched (or read) first, its articles stored and its health
    recorded, as `digest run` does; the items skipped are counted by reason (-v lists each one).
    Times are UTC. Exit 3 when a source could not be read in that fetch.

    \b
    Examples:
      digest sources
      digest --config digest.toml sources --fetch
    """
    from .ingest import ingest_sources
    from .store import open_store

    settings = _settings(ctx)
    failed = 0
    with open_store(settings.store_url) as store:
        if fetch:
            result = ingest_sources(settings, store, dt.datetime.now(dt.UTC))
            failed = len(result.failed)
            down = {o.location for o in result.failed}
            items = [x for x in result.skipped if not (x.kind == "fetch-failed" and x.source in down)]
            _report_skips(ctx, items)
            click.echo(
                f"fetched {_plural(len(result.outcomes), 'source')}: {_plural(len(result.articles), 'article')} "
                f"({result.new_articles} new), {len(items)} items skipped, {failed} failed"
            )
        health = {h.location: h for h in store.source_health()}
    configured = [s.location for s in settings.sources]
    extra = [loc for loc in health if loc not in configured]  # feeds of OPML lists
    if not configured and not health:
        if settings.config_path:
            click.echo(f"no sources configured in {settings.config_path}; add [[sources]] url = ... or path = ...")
        else:
            click.echo(
                "no sources configured: no config file was found (built-in defaults). "
                "`digest init` writes a starter digest.toml here; add [[sources]] to it"
            )
        return
    for location in configured + extra:
        h = health.get(location)
        if h is None:
            click.echo(f"never fetched  {location}")
            continue
        state = "ok    " if h.ok else "FAILED"
        success = _utc(h.last_success) if h.last_success else "never"
        skipped = f", {h.last_skipped} items skipped" if h.last_skipped else ""
        click.echo(
            f"{state} {location}  last success: {success}  articles: {h.last_articles} last{skipped}, "
            f"{h.articles} total  fetches: {h.fetches}, failures: {h.failures}"
        )
        if h.last_error:
            when = f" ({_utc(h.last_error_at)})" if h.last_error_at else ""
            click.echo(f"       last error{when}: {h.last_error}")
    if failed:
        ctx.exit(EXIT_RETRY)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _print_send(report: Any) -> None:
    if not report.stories:
        click.echo(f"{report.day}: no stories; no email")
        return
    elsewhere = f", sent by another digest {len(report.elsewhere)}" if report.elsewhere else ""
    click.echo(
        f"{report.day}: sent {len(report.sent)}, already sent {len(report.already)}, "
        f"failed {len(report.failed)}, pending {len(report.pending)}{elsewhere}"
    )
    for rcpt, reply in report.failed:
        click.echo(f"  failed {rcpt}: {reply}", err=True)
    for rcpt, reply in report.pending:
        click.echo(f"  pending {rcpt} (retried by the next send or run): {reply}", err=True)


@cli.command()
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="The day whose briefing to mail, YYYY-MM-DD.",
)
@_out_option
@click.option("--force", is_flag=True, help="Send again to recipients who already got the day.")
@click.option("--dry-run", is_flag=True, help="Write OUT/YYYY-MM-DD/eml/<recipient>.eml instead of sending.")
@click.pass_context
def send(ctx: click.Context, day: dt.datetime, out_dir: Path | None, force: bool, dry_run: bool) -> None:
    """Email a built day's briefing to the configured recipients ([email] to), once each.

    A recipient who already got the day gets nothing more unless --force. Temporary refusals
    (4xx) are retried with backoff, then left pending for the next send or run; permanent
    refusals (5xx, at MAIL FROM, RCPT TO or DATA) are recorded and reported, not retried.
    Exit 1 when a message was refused for good, 3 when one is still pending.

    \b
    Examples:
      digest send --date 2026-11-24
      digest send --date 2026-11-24 --dry-run && ls output/2026-11-24/eml/
    """
    from .delivery import run_lock

    settings = _settings(ctx)
    out = out_dir or Path(settings.out_dir)
    if dry_run:
        from .delivery import write_dry_run

        for path in write_dry_run(settings, out, day.date(), dt.datetime.now(dt.UTC)):
            click.echo(str(path))
        return
    # Shared: on PostgreSQL sends (on any host) may run together, each claiming its own rows.
    with run_lock(settings, out, shared=True):
        from .delivery import send_day
        from .store import open_store

        with open_store(settings.store_url) as store:
            report = send_day(store, settings, out, day.date(), force=force)
    _print_send(report)
    if report.failed:
        ctx.exit(EXIT_SKIPPED)
    if not report.done:
        ctx.exit(EXIT_RETRY)


@cli.command()
@_date_option
@_out_option
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (faster; no attachment).")
@_jobs_option
@click.pass_context
def run(ctx: click.Context, day: dt.datetime | None, out_dir: Path | None, no_pdf: bool, jobs: int | None) -> None:
    """The daily job: ingest the configured sources, then build and mail every day due.

    Builds each day from the day after the last completed one up to --date (default: the
    latest day whose cut-off, briefing.time, has passed), each exactly once, at most a week
    back. Day D holds the articles published after D-1's cut-off up to D's. A day with no
    stories is archived but not mailed.

    \b
    Exit status:
      0  every day due is built and mailed (items skipped by an earlier run are not news)
      1  items skipped that no earlier run reported (listed once), a message refused for
         good (5xx), or mail could not be set up (login, STARTTLS); the error is printed
      2  no sources configured, or a bad config
      3  a source is down or mail is pending: the next run tries again

    \b
    Examples:
      digest run
      digest --config digest.toml run --date 2026-11-24
    """
    from .delivery import run_lock

    settings = _settings(ctx)
    out = out_dir or Path(settings.out_dir)
    with run_lock(settings, out):
        from .schedule import run_daily  # after the lock: a refused run fails fast

        until = day.date() if day else None
        report = run_daily(settings, out, until, pdf=not no_pdf, jobs=jobs, progress=_progress(ctx))
    _report_skips(ctx, report.skipped, new=report.new_skips)
    for location, error in report.failed_sources:
        click.echo(f"source failed (tried again next run): {location}: {error}", err=True)
    for kept in report.kept_builds:
        click.echo(f"{kept}: kept the edition made by `digest build --input` (not replaced by the sources)")
    for record in report.days:
        stories = _plural(record.stories, "story", "stories")
        click.echo(f"{record.day}: {stories} from {_plural(record.articles, 'article')}, {record.status}")
    for mail in report.mail:
        _print_send(mail)
    if not report.days:
        click.echo(f"nothing to do: every day up to {report.until} is complete")
    if report.mail_error:
        click.echo(f"digest: error: mail not sent (the next run tries again): {report.mail_error}", err=True)
    refused = any(m.failed for m in report.mail)
    if report.new_skips or refused or report.mail_error:
        ctx.exit(EXIT_SKIPPED)
    if report.failed_sources or any(not m.done for m in report.mail):
        ctx.exit(EXIT_RETRY)


@cli.command(name="schedule")
@_out_option
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (faster; no attachment).")
@click.pass_context
def schedule_(ctx: click.Context, out_dir: Path | None, no_pdf: bool) -> None:
    """Run `digest run` every day at briefing.time in briefing.timezone, in the foreground.

    Catches up at start (after the machine slept or was off), logs a failing run and tries
    again at the next run, and holds a lock so runs and manual builds never overlap. Log lines
    carry the time. Stop it with Ctrl-C, or SIGTERM (systemctl stop): the run under way is
    finished first, then it exits 0. For cron or a systemd timer, use `digest run` instead.

    \b
    Example:
      digest -v --config digest.toml schedule
    """
    from .schedule import run_forever

    settings = _settings(ctx)
    try:
        run_forever(settings, out_dir or Path(settings.out_dir), pdf=not no_pdf)
    except KeyboardInterrupt:
        LOGGER.info("schedule stopped")


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Write a commented starter digest.toml in the current folder (never overwrites one).

    Every setting is there, commented out at its default; uncomment and edit what you need
    (at least a [[sources]] entry for `digest run`). digest reads ./digest.toml by itself.

    \b
    Example:
      mkdir ~/digest && cd ~/digest && digest init && $EDITOR digest.toml
    """
    from .config import CONFIG_NAME, STARTER_CONFIG

    target = Path.cwd() / CONFIG_NAME
    try:
        with target.open("x", encoding="utf-8") as fh:  # "x": fails if it exists, even in a race
            fh.write(STARTER_CONFIG)
    except FileExistsError:
        raise DigestError(f"{target} already exists; edit it, or move it away and run `digest init` again") from None
    except OSError as exc:
        raise DigestError(f"cannot write {target}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {target}; add [[sources]] to it, then `digest run`")


@cli.command()
@_out_option
@click.pass_context
def archive(ctx: click.Context, out_dir: Path | None) -> None:
    """List the days in the archive, oldest first: date, stories, folder.

    \b
    Example:
      digest archive --out briefings/
    """
    from .delivery import archive_days, read_briefing_stories

    settings = _settings(ctx)
    out = out_dir or Path(settings.out_dir)
    days = archive_days(out)
    for day in days:
        try:
            stories = str(len(read_briefing_stories(out / day.isoformat())))
        except (OSError, ValueError, AttributeError):
            stories = "?"
        click.echo(f"{day}\t{stories} stories\t{out / day.isoformat()}/")
    if not days:
        click.echo(f"no briefings in {out}/", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@_out_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, out_dir: Path | None) -> None:
    """Serve the archive as a web app: every day, search, story timelines, regenerate.

    / lists the days, /YYYY-MM-DD/ shows one (with its PDF, email, text and JSON),
    /stories/ID follows a story across days, /search?q=... searches every story.
    Each day's page has a button that rebuilds it from the store (as `digest build
    --date D` does). Off loopback, that button also needs [serve] token (or
    DIGEST_SERVE_TOKEN). Stop it with Ctrl-C.

    \b
    Examples:
      digest serve                                  # http://127.0.0.1:8000/
      DIGEST_SERVE_TOKEN=... digest serve --host 0.0.0.0 --port 8080
    """
    from .serve import create_app, is_loopback, make_server

    settings = _settings(ctx)
    out = out_dir or Path(settings.out_dir)
    app = create_app(settings, out, host)
    try:
        server = make_server(app, host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {out}/ on http://{shown}:{server.effective_port}/ (Ctrl-C to stop)")
    if not is_loopback(host) and not settings.serve.token:
        click.echo("regenerating is off: not on loopback and no [serve] token (or DIGEST_SERVE_TOKEN)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        LOGGER.info("serve stopped")
    finally:
        server.close()
        app.extensions["digest"].close()


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="digest")
