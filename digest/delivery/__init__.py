"""Delivery (I/O): the archive on disk and email over SMTP.

Holds: ``archive`` (atomic day folders, the archive index and Atom feed, the run lock, the mail
outbox and the SMTP sender).

May import: ``digest.models``, ``digest.errors``, ``digest.config``, ``digest.text``, ``digest.outputs``
and ``digest.store``; never the pipeline or the CLI.
"""

from __future__ import annotations

from .archive import (
    DayMail,
    SendReport,
    archive_days,
    compose_message,
    lock_path,
    message_id_for,
    patch_day_nav,
    read_day_mail,
    run_lock,
    send_day,
    write_atomic,
    write_day,
    write_dry_run,
    write_feed,
)

__all__ = [
    "DayMail",
    "SendReport",
    "archive_days",
    "compose_message",
    "lock_path",
    "message_id_for",
    "patch_day_nav",
    "read_day_mail",
    "run_lock",
    "send_day",
    "write_atomic",
    "write_day",
    "write_dry_run",
    "write_feed",
]
