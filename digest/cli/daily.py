"""The daily job's commands: ``sources``, ``send``, ``run``, ``schedule``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from .core import (
    EXIT_RETRY,
    EXIT_SKIPPED,
    LOGGER,
    _date_option,
    _jobs_option,
    _out_option,
    _plural,
    _progress,
    _report_skips,
    _settings,
    cli,
)


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
    from ..ingest import ingest_sources
    from ..store import open_store

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
    from ..delivery import run_lock

    settings = _settings(ctx)
    out = out_dir or Path(settings.out_dir)
    if dry_run:
        from ..delivery import write_dry_run

        for path in write_dry_run(settings, out, day.date(), dt.datetime.now(dt.UTC)):
            click.echo(str(path))
        return
    # Shared: on PostgreSQL sends (on any host) may run together, each claiming its own rows.
    with run_lock(settings, out, shared=True):
        from ..delivery import send_day
        from ..store import open_store

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
    from ..delivery import run_lock

    settings = _settings(ctx)
    out = out_dir or Path(settings.out_dir)
    with run_lock(settings, out):
        from ..schedule import run_daily  # after the lock: a refused run fails fast

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
    from ..schedule import run_forever

    settings = _settings(ctx)
    try:
        run_forever(settings, out_dir or Path(settings.out_dir), pdf=not no_pdf)
    except KeyboardInterrupt:
        LOGGER.info("schedule stopped")
