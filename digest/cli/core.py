"""The command line's frame: the ``digest`` group, logging, progress, shared options and ``main``.

Stage modules are imported inside the commands that use them, not at the top: WeasyPrint,
scikit-learn, SQLAlchemy and trafilatura together cost over a second of start-up, which
`digest summarize` (benchmarks/bench_summarize.py) and `--help` should not pay.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..config import Settings, load
from ..errors import DigestError

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


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="digest")
