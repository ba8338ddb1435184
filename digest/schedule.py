"""The daily job (`digest run`) and the loop that runs it (`digest schedule`).

``run_daily`` ingests the configured sources, then builds and mails every day from the day after
the last completed one up to the given day, at most ``MAX_CATCHUP_DAYS`` back. Each day goes
planned (edition fixed in the store) -> built (files written) -> completed (mail done), each step
committed, so a run killed anywhere is finished by the next one. ``run_scheduled`` is one
iteration of the scheduler with the clock passed in; ``run_forever`` drives it with ``schedule``.
The run lock (``deliver.run_lock``: a file lock, or an advisory lock in a PostgreSQL store) keeps
runs, sends and builds from overlapping.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import schedule

from .config import Settings
from .delivery import SendReport, run_lock, send_day
from .errors import ConfigError, DeliveryError, DigestError
from .ingest import ingest_sources
from .models import Article, Skip
from .pipeline import Progress, build_day
from .store import DayRecord, Store, open_store

__all__ = [
    "MAX_CATCHUP_DAYS",
    "RunReport",
    "days_to_run",
    "latest_due_day",
    "make_scheduler",
    "run_daily",
    "run_forever",
    "run_scheduled",
]

LOGGER = logging.getLogger(__name__)
MAX_CATCHUP_DAYS = 7  # a week away: older mornings are stale news, and a flood of mail helps nobody
# An article that arrives after its own day was planned (a feed that publishes late, a source that
# was down) goes into the next day planned, if its day is at most this many days back: yesterday's
# news the reader has not seen is still news; older than that, the archive's rebuild is the place.
LATE_DAYS = 2
SCHEDULED_LOCK_WAIT_S = 600.0  # a scheduled run waits this long for a manual build to finish
MAX_SLEEP_S = 60.0  # wake at least this often, so a laptop back from sleep notices a missed run


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class RunReport:
    """What a run did: new articles, inputs skipped, days built, and each day's mail."""

    until: dt.date
    new_articles: int
    skipped: tuple[Skip, ...]
    days: tuple[DayRecord, ...]
    mail: tuple[SendReport, ...]
    left_behind: tuple[dt.date, ...]  # days older than the catch-up cap, never built
    kept_builds: tuple[dt.date, ...] = ()  # days whose edition `digest build --input` made, kept as is
    new_skips: tuple[Skip, ...] = ()  # of skipped, the items not reported by an earlier run
    failed_sources: tuple[tuple[str, str], ...] = ()  # sources that could not be read: location, error
    mail_error: str = ""  # why mailing stopped (login refused, STARTTLS failed); the day stays unfinished

    @property
    def sent(self) -> int:
        """Messages sent by this run."""
        return sum(len(m.sent) for m in self.mail)

    @property
    def problems(self) -> int:
        """Messages refused or still pending."""
        return sum(len(m.failed) + len(m.pending) for m in self.mail)


_ITEM_NUMBER_RE = re.compile(r"#\d+$")


def _skip_key(skip: Skip) -> tuple[str, str]:
    # A feed item's "#N" moves as new items arrive: the feed and the kind identify the skip.
    return _ITEM_NUMBER_RE.sub("", skip.source), skip.kind


def _new_skips(store: Store, skips: Sequence[Skip], now: dt.datetime) -> tuple[Skip, ...]:
    """Of skips, those beyond what the last run reported for the same input and kind (recorded now)."""
    groups: dict[tuple[str, str], list[Skip]] = {}
    for skip in skips:
        groups.setdefault(_skip_key(skip), []).append(skip)
    before = store.record_skip_counts({key: len(items) for key, items in groups.items()}, now)
    return tuple(skip for key, items in groups.items() for skip in items[before.get(key, 0) :])


def latest_due_day(settings: Settings, now: dt.datetime) -> dt.date:
    """The newest day whose cut-off has passed at now (before the cut-off, that is yesterday)."""
    today = now.astimezone(settings.briefing.tz).date()
    return today if now >= settings.briefing.cutoff(today) else today - dt.timedelta(days=1)


def days_to_run(
    until: dt.date, records: Sequence[DayRecord], max_days: int = MAX_CATCHUP_DAYS
) -> tuple[list[dt.date], list[dt.date]]:
    """The days a run up to until must finish, oldest first, and the days too old to catch up.

    From the day after the last completed one (or until itself on a first run), plus any
    unfinished day, never more than max_days back from until.
    """
    completed = {r.day for r in records if r.status == "completed"}
    floor = until - dt.timedelta(days=max_days - 1)
    last = max((d for d in completed if d <= until), default=None)
    start = until if last is None else last + dt.timedelta(days=1)
    wanted = {start + dt.timedelta(days=n) for n in range((until - start).days + 1)}
    wanted |= {r.day for r in records if r.status != "completed" and r.day <= until}
    todo = sorted(d for d in wanted - completed if d >= floor)
    too_old = sorted(d for d in wanted - completed if d < floor)
    return todo, too_old


def _late_arrivals(store: Store, settings: Settings, day: dt.date) -> list[Article]:
    """Articles of the LATE_DAYS days before day that were planned already but whose edition lacks them."""
    planned = set(store.days()) | {r.day for r in store.day_records()}
    late: list[Article] = []
    for back in range(LATE_DAYS, 0, -1):
        earlier = day - dt.timedelta(days=back)
        if earlier in planned:
            late += store.articles_for_window(*settings.briefing.window(earlier), unshown=True)
    if late:
        LOGGER.info("stage plan: %s takes %d articles that arrived after their day", day, len(late))
    return late


def run_daily(
    settings: Settings,
    out_dir: Path,
    until: dt.date | None = None,
    *,
    clock: Callable[[], dt.datetime] = _utcnow,
    pdf: bool = True,
    retry_delays: Sequence[float] | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Ingest the configured sources, then build and mail each day due up to until (default: the latest due).

    Call it holding run_lock. Raises ConfigError (no sources configured), StoreError or
    RenderError; a day whose mail cannot go out (4xx, or a DeliveryError such as a refused login,
    kept in ``RunReport.mail_error``) stays unfinished and is tried again by the next run.
    """
    if not settings.sources:
        where = settings.config_path or "no config file (built-in defaults)"
        raise ConfigError(
            f"no sources configured ({where}); add [[sources]] url = ... or path = ... "
            "(`digest init` writes a starter digest.toml)"
        )
    now = clock()
    until = until or latest_due_day(settings, now)
    mailing = bool(settings.email.to)
    mail_error = ""
    with open_store(settings.store_url) as store:
        LOGGER.info("stage ingest: %d sources", len(settings.sources))
        ingested = ingest_sources(settings, store, now)
        new, skipped = ingested.new_articles, ingested.skipped
        down = {o.location for o in ingested.failed}
        items = [s for s in skipped if not (s.kind == "fetch-failed" and s.source in down)]
        fresh = _new_skips(store, items, now)
        LOGGER.info(
            "ingested %d new articles (%d items skipped, %d of them not reported before; %d sources failed)",
            new,
            len(items),
            len(fresh),
            len(down),
        )
        todo, too_old = days_to_run(until, store.day_records())
        for day in too_old:
            LOGGER.warning("%s is more than %d days back; not built (use `digest build`)", day, MAX_CATCHUP_DAYS)
        days: list[DayRecord] = []
        mail: list[SendReport] = []
        kept: list[dt.date] = []
        for day in todo:
            record = store.day_record(day)
            if record is None and store.edition_origin(day) == "build":
                # A day built by hand is the user's choice: the daily job mails it as it is.
                articles = store.edition(day)
                kept.append(day)
                store.record_day(day, "planned", 0, len(articles), clock())
                LOGGER.warning("%s: keeping the edition made by `digest build --input`; not replaced", day)
            elif record is None:
                articles = _late_arrivals(store, settings, day)
                articles += store.articles_for_window(*settings.briefing.window(day))
                store.set_edition(day, [a.id for a in articles], origin="run")
                store.record_day(day, "planned", 0, len(articles), clock())
                LOGGER.info("stage plan: %s has %d articles", day, len(articles))
            built = store.day_record(day)
            assert built is not None
            if built.status == "planned" or not (out_dir / day.isoformat() / "briefing.json").is_file():
                report = build_day(settings, day, out_dir, pdf=pdf, jobs=jobs, progress=progress)
                store.record_day(day, "built", report.stories, report.articles, clock())
            built = store.day_record(day)
            assert built is not None
            done = True
            if built.stories and mailing and mail_error:
                done = False  # the mail setup failed on an earlier day of this run; this one waits too
            elif built.stories and mailing:
                try:
                    result = send_day(store, settings, out_dir, day, clock=clock, retry_delays=retry_delays)
                except DeliveryError as exc:
                    LOGGER.error("%s not mailed: %s", day, exc)
                    mail_error, done = str(exc), False
                else:
                    mail.append(result)
                    done = result.done
            elif built.stories:
                LOGGER.info("%s: no [email] to; not mailing", day)
            if done:
                store.record_day(day, "completed", built.stories, built.articles, clock())
                LOGGER.info("completed %s", day)
            days.append(store.day_record(day) or built)
    return RunReport(
        until,
        new,
        tuple(items),
        tuple(days),
        tuple(mail),
        tuple(too_old),
        new_skips=fresh,
        failed_sources=tuple((o.location, o.error) for o in ingested.failed),
        mail_error=mail_error,
        kept_builds=tuple(kept),
    )


def run_scheduled(
    settings: Settings,
    out_dir: Path,
    clock: Callable[[], dt.datetime] = _utcnow,
    pdf: bool = True,
    lock_wait: float = SCHEDULED_LOCK_WAIT_S,
    run: Callable[..., RunReport] = run_daily,
) -> RunReport | None:
    """One scheduler iteration: run up to the latest due day under the lock; a failure is logged, not raised."""
    try:
        with run_lock(settings, out_dir, timeout=lock_wait):
            report = run(settings, out_dir, latest_due_day(settings, clock()), clock=clock, pdf=pdf)
    except DigestError as exc:
        LOGGER.error("scheduled run failed: %s; trying again at the next run", exc)
        return None
    except Exception:  # the loop must outlive any bug in one run; the traceback goes to the log
        LOGGER.exception("scheduled run failed unexpectedly; trying again at the next run")
        return None
    LOGGER.info("scheduled run done: %d days, %d messages sent", len(report.days), report.sent)
    return report


def make_scheduler(settings: Settings, job: Callable[[], object]) -> schedule.Scheduler:
    """A schedule.Scheduler that calls job daily at briefing.time in briefing.timezone."""
    scheduler = schedule.Scheduler()
    b = settings.briefing

    def _job() -> None:
        job()  # never returns schedule.CancelJob: the daily job is never cancelled

    scheduler.every().day.at(b.time, b.timezone).do(_job)
    return scheduler


def run_forever(
    settings: Settings,
    out_dir: Path,
    pdf: bool = True,
    sleep: Callable[[float], object] | None = None,
) -> None:
    """Catch up now, then run daily at the configured time, in the foreground, until interrupted or SIGTERM.

    On SIGTERM the run under way is finished (every step of it is committed anyway), then the loop
    returns; a second SIGTERM ends the process at once. Raises ConfigError when no source is configured.
    """
    if not settings.sources:
        raise ConfigError("no sources configured; add [[sources]] to the config before `digest schedule`")
    stop = threading.Event()

    def _on_sigterm(signum: int, frame: object) -> None:
        LOGGER.warning("SIGTERM received: stopping after the current run (a second SIGTERM stops at once)")
        stop.set()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    previous = None
    if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    nap = sleep or stop.wait  # waiting on the event wakes at once on SIGTERM
    try:
        run_scheduled(settings, out_dir, pdf=pdf)
        scheduler = make_scheduler(settings, lambda: run_scheduled(settings, out_dir, pdf=pdf))
        LOGGER.info("next run at %s (local time)", scheduler.next_run)
        while not stop.is_set():
            scheduler.run_pending()
            if stop.is_set():
                break
            idle = scheduler.idle_seconds
            nap(max(1.0, min(idle if idle is not None else MAX_SLEEP_S, MAX_SLEEP_S)))
        LOGGER.warning("schedule stopped by SIGTERM")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
