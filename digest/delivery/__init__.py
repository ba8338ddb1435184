"""Delivery (I/O): the archive on disk, its feed, the run lock and email over SMTP.

Holds: ``archive`` (each day's folder written atomically, the days listed, the day links patched,
and the one reader of an archived briefing.json), ``feed`` (OUT/feed.xml), ``lock`` (the run lock:
a file lock, or PostgreSQL's advisory lock) and ``mail`` (the day's email, the outbox, the SMTP
sender).

May import: ``digest.models``, ``digest.errors``, ``digest.config``, ``digest.text`` and
``digest.store``; never outputs (rendering is the pipeline's), the pipeline or the CLI.
"""

from __future__ import annotations

from .archive import archive_days, patch_day_nav, read_briefing_stories, write_atomic, write_day
from .feed import write_feed
from .lock import lock_path, run_lock
from .mail import (
    DayMail,
    SendReport,
    compose_message,
    message_id_for,
    read_day_mail,
    send_day,
    write_dry_run,
)

__all__ = [
    "DayMail",
    "SendReport",
    "archive_days",
    "compose_message",
    "lock_path",
    "message_id_for",
    "patch_day_nav",
    "read_briefing_stories",
    "read_day_mail",
    "run_lock",
    "send_day",
    "write_atomic",
    "write_day",
    "write_dry_run",
    "write_feed",
]
