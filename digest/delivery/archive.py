"""Delivery: the archive on disk (atomic files, index, Atom feed) and email over SMTP with an outbox.

Email goes out one message per recipient. Each (day, recipient) has an outbox entry in the store
that moves pending -> sending -> sent (or failed on a 5xx), each step committed before the next
network action. The choice is **at-least-once**: an entry found in ``sending`` after a crash is
sent again, because SMTP gives no way to ask a server whether it already accepted a message. The
Message-ID is derived from the message's content (edition title, day, recipient, a hash of the
archived briefing, the resend generation), so a resend after a crash carries the same Message-ID
and mail stores that deduplicate on it show one message, while two editions (two configs mailing
the same person the same day) or a rebuilt briefing get Message-IDs of their own. The window for
such a duplicate is the instant between the server's "250 OK" and our commit of ``sent``.

With a PostgreSQL store several senders (hosts) may work on one day at once: each message is
claimed row by row (``SELECT ... FOR UPDATE SKIP LOCKED``, ``Store.claim_outbox``) and the row
stays locked from ``sending`` to its outcome, which commit together; another sender skips it.
There a crash rolls the row back to ``pending`` rather than leaving ``sending``: it is sent
again all the same, with the same Message-ID, but without the "may have gone out" warning.

A 4xx reply or a dropped connection is temporary (retried, then left pending); a 5xx reply at
any step (MAIL FROM, RCPT TO, DATA) is permanent: recorded as failed and reported, not retried.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import email.policy
import email.utils
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import smtplib
import ssl
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

import filelock

from ..config import Settings, SmtpSettings
from ..errors import DeliveryError

if TYPE_CHECKING:
    from ..store import OutboxClaim, Store

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

LOGGER = logging.getLogger(__name__)
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARCHIVE_MODE = 0o644  # mkstemp makes 0600; archive files are meant to be read by others
FEED_ENTRIES = 30  # a month of mornings: enough for a reader that was away, small enough to poll
# Waits before retrying a 4xx or a dropped connection within one send: a greylisting server
# usually accepts after a short pause; anything longer is left pending for the next run.
RETRY_DELAYS = (2.0, 10.0, 30.0)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")
_XML_BAD_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATOM = "http://www.w3.org/2005/Atom"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _is_postgres(url: str) -> bool:
    return url.partition(":")[0].split("+", 1)[0] in ("postgresql", "postgres")


def _shown_url(url: str) -> str:
    """url with any password replaced by ***."""
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def lock_path(settings: Settings, out_dir: Path) -> Path:
    """The lock file: beside the SQLite database (the shared state), else in the output folder.

    A PostgreSQL store has no lock file: its run lock is an advisory lock in the database.
    """
    # Parsed by hand: importing SQLAlchemy here would slow a refused run's start (and its error).
    scheme, _, rest = settings.store_url.partition(":///")
    database = rest.split("?", 1)[0]
    if scheme.split("+", 1)[0] == "sqlite" and database and database != ":memory:":
        return Path(database + ".lock")
    return out_dir / ".digest.lock"


@contextmanager
def run_lock(settings: Settings, out_dir: Path, timeout: float = 0.0, *, shared: bool = False) -> Iterator[str]:
    """Hold the run lock for the block (yields what is held); raises DeliveryError when another digest holds it
    past timeout.

    With a PostgreSQL store it is an advisory lock in the database, so digests on different hosts
    sharing the store exclude each other: exclusive for runs and builds, shared with shared=True
    (sends, which claim their outbox rows one by one and so may run together, but never beside a
    run or build). Otherwise a file lock (always exclusive) beside the SQLite file or in out_dir.
    Raises StoreError when the PostgreSQL server cannot be reached.
    """
    if _is_postgres(settings.store_url):
        # Imported here, not at the top: a file-locked run would otherwise load SQLAlchemy before
        # it knows whether it may run at all.
        from ..store import database_lock

        with database_lock(settings.store_url, shared=shared, timeout=timeout) as held:
            if not held:
                raise DeliveryError(
                    f"another digest run, send or build holds the run lock of the store "
                    f"{_shown_url(settings.store_url)}; wait for it to finish"
                )
            yield f"the run lock of {_shown_url(settings.store_url)}"
        return
    path = lock_path(settings, out_dir)
    lock = filelock.FileLock(str(path), timeout=timeout)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except filelock.Timeout as exc:
        raise DeliveryError(f"another digest run, send or build holds {path}; wait for it to finish") from exc
    except OSError as exc:
        raise DeliveryError(
            f"cannot create the lock file {path}: {exc.strerror or exc}; is the store's folder writable?"
        ) from exc
    LOGGER.debug("lock acquired: %s", path)
    try:
        yield str(path)
    finally:
        lock.release()


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so readers see the old bytes or the new ones, never a part (temp + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, ARCHIVE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a libc without it (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):  # kernel or file system
        return False
    raise OSError(err, os.strerror(err), str(b))


def _recover_day(folder: Path, retired: Path) -> None:
    """Finish a swap cut short between its two renames: the old folder comes back if the new one is missing."""
    if retired.is_dir():
        if folder.is_dir():
            shutil.rmtree(retired)
        else:
            os.rename(retired, folder)


def write_day(out_dir: Path, day: dt.date, files: Mapping[str, bytes]) -> list[Path]:
    """Write a day's files into OUT/YYYY-MM-DD/, all together or not at all; returns their paths.

    The files are written (and synced) into a temporary folder beside the day's, which then takes
    the day's place in one step where the system can swap two folders (Linux), else by two
    renames that the next write finishes if they were cut short. A full disk, a crash or a kill
    leaves the day's previous files as they were, never a mix of old and new; files of an older
    build that this one does not make (a PDF, say) go with the old folder.
    Raises DeliveryError when the folder cannot be written.
    """
    folder = out_dir / day.isoformat()
    staging = out_dir / f".{day.isoformat()}.new"
    retired = out_dir / f".{day.isoformat()}.old"
    written = [folder / name for name in files]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _recover_day(folder, retired)
        if staging.exists():  # left by a process killed mid-write
            shutil.rmtree(staging)
        staging.mkdir()
        for name, data in files.items():
            write_atomic(staging / name, data)
            LOGGER.debug("wrote %s", folder / name)
        _fsync_dir(staging)
        if not folder.is_dir():
            os.rename(staging, folder)
        elif _exchange(staging, folder):
            shutil.rmtree(staging)
        else:
            os.rename(folder, retired)
            os.rename(staging, folder)
            shutil.rmtree(retired)
        _fsync_dir(out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise DeliveryError(f"cannot write the briefing into {folder}: {exc.strerror or exc}") from exc
    return written


def archive_days(out_dir: Path) -> list[dt.date]:
    """Days that have a briefing in the archive folder, oldest first."""
    if not out_dir.is_dir():
        return []
    days = []
    for child in out_dir.iterdir():
        if _DAY_RE.match(child.name) and (child / "briefing.html").is_file():
            try:
                days.append(dt.date.fromisoformat(child.name))
            except ValueError:
                continue
    return sorted(days)


def _xml_text(value: str) -> str:
    return _XML_BAD_RE.sub("", value)


def write_feed(out_dir: Path, settings: Settings) -> Path:
    """Write OUT/feed.xml, an Atom feed of the latest briefings in the archive (atomically).

    Entries carry no clock: each is dated at its day's cut-off, so a rebuild gives the same bytes.
    Raises DeliveryError when the file cannot be written.
    """
    ET.register_namespace("", _ATOM)
    b = settings.briefing
    base = b.base_url  # with briefing.base_url the links are absolute, as feed readers prefer
    days = archive_days(out_dir)[-FEED_ENTRIES:][::-1]
    feed = ET.Element(f"{{{_ATOM}}}feed")
    ET.SubElement(feed, f"{{{_ATOM}}}title").text = _xml_text(b.title)
    ET.SubElement(feed, f"{{{_ATOM}}}id").text = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'digest-feed:' + b.title)}"
    ET.SubElement(feed, f"{{{_ATOM}}}link", rel="self", href=f"{base}feed.xml")
    ET.SubElement(feed, f"{{{_ATOM}}}link", rel="alternate", type="text/html", href=f"{base}index.html")
    updated = ET.SubElement(feed, f"{{{_ATOM}}}updated")
    updated.text = b.cutoff(days[0]).isoformat() if days else "1970-01-01T00:00:00+00:00"
    ET.SubElement(ET.SubElement(feed, f"{{{_ATOM}}}author"), f"{{{_ATOM}}}name").text = "digest"
    for day in days:
        headlines = _day_headlines(out_dir, day)
        entry = ET.SubElement(feed, f"{{{_ATOM}}}entry")
        ET.SubElement(entry, f"{{{_ATOM}}}title").text = _xml_text(f"{b.title}: {_format_day(day)}")
        ET.SubElement(
            entry, f"{{{_ATOM}}}id"
        ).text = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'digest-day:' + day.isoformat())}"
        ET.SubElement(entry, f"{{{_ATOM}}}updated").text = b.cutoff(day).isoformat()
        ET.SubElement(
            entry, f"{{{_ATOM}}}link", rel="alternate", type="text/html", href=f"{base}{day.isoformat()}/briefing.html"
        )
        summary = ET.SubElement(entry, f"{{{_ATOM}}}summary", type="text")
        summary.text = _xml_text("\n".join(headlines) if headlines else "No stories.")
    data = ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
    target = out_dir / "feed.xml"
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise DeliveryError(f"cannot write the feed {target}: {exc.strerror or exc}") from exc
    return target


def patch_day_nav(out_dir: Path, day: dt.date, fragment: str, start: str, end: str) -> bool:
    """Replace the day links (start ... end) in OUT/day/briefing.html with fragment, atomically.

    Returns False when the day has no page or its page has no such links (a user's template).
    Raises DeliveryError when the page cannot be rewritten.
    """
    page = out_dir / day.isoformat() / "briefing.html"
    try:
        html = page.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"cannot read {page}: {exc}") from exc
    i, j = html.find(start), html.find(end)
    if i < 0 or j < i or html.count(start) != 1:
        return False
    patched = html[:i] + fragment + html[j + len(end) :]
    if patched != html:
        try:
            write_atomic(page, patched.encode("utf-8"))
        except OSError as exc:
            raise DeliveryError(f"cannot rewrite {page}: {exc.strerror or exc}") from exc
        LOGGER.debug("day links of %s refreshed", day)
    return True


def _day_headlines(out_dir: Path, day: dt.date) -> list[str]:
    try:
        data = json.loads((out_dir / day.isoformat() / "briefing.json").read_text(encoding="utf-8"))
        return [str(s.get("headline", "")) for s in data.get("stories", [])]
    except (OSError, ValueError, AttributeError) as exc:
        LOGGER.warning("feed: cannot read %s/briefing.json (%s); listing the day without headlines", day, exc)
        return []


def _format_day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _header_text(value: str) -> str:
    """A header value with every CR, LF and other control character turned into a space."""
    return " ".join(_CONTROL_RE.sub(" ", value).split())


@dataclass(frozen=True, slots=True)
class DayMail:
    """The parts of a day's email, as archived in OUT/YYYY-MM-DD/."""

    day: dt.date
    stories: int
    subject: str
    text: str
    html: str
    pdf: bytes | None
    title: str = ""  # the edition's title (briefing.title)

    @property
    def content_hash(self) -> str:
        """A hash of what the message shows: the same archived briefing gives the same hash."""
        h = hashlib.sha256()
        for part in (self.subject.encode(), self.text.encode(), self.html.encode(), self.pdf or b""):
            h.update(hashlib.sha256(part).digest())
        return h.hexdigest()


def read_day_mail(out_dir: Path, day: dt.date, settings: Settings) -> DayMail:
    """The day's email parts from the archive (email.html, briefing.txt, briefing.pdf, briefing.json).

    Raises DeliveryError when the day has not been built into out_dir.
    """
    folder = out_dir / day.isoformat()
    try:
        data = json.loads((folder / "briefing.json").read_text(encoding="utf-8"))
        html = (folder / "email.html").read_text(encoding="utf-8")
        text = (folder / "briefing.txt").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DeliveryError(f"{day} is not built in {out_dir}; run `digest build --date {day}` first") from exc
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"cannot read the briefing in {folder}: {exc}") from exc
    pdf_path = folder / "briefing.pdf"
    pdf = pdf_path.read_bytes() if settings.email.attach_pdf and pdf_path.is_file() else None
    if settings.email.attach_pdf and pdf is None:
        LOGGER.warning("%s has no briefing.pdf; mailing it without the attachment", day)
    subject = f"{_header_text(settings.briefing.title)}: {_format_day(day)}"
    return DayMail(day, len(data.get("stories", [])), subject, text, html, pdf, settings.briefing.title)


def message_id_for(mail: DayMail, recipient: str, sender: str, generation: int = 0) -> str:
    """The Message-ID of mail to recipient: unique to its content, the same for a repeat of the same message.

    Derived from the edition title, the day, the recipient, the briefing's content hash and the
    resend generation (bumped by ``send --force``).
    """
    day = mail.day
    key = "\0".join((mail.title, day.isoformat(), recipient.lower(), mail.content_hash, str(generation))).encode()
    digest = hashlib.sha256(key).hexdigest()[:24]
    domain = re.sub(r"[^A-Za-z0-9.-]", "", sender.rpartition("@")[2]) or "digest.invalid"
    return f"<digest.{day.isoformat()}.{digest}@{domain}>"


def _unsubscribe_headers(settings: Settings) -> dict[str, str]:
    target = _header_text(settings.email.unsubscribe)
    if not target and settings.email.sender:
        target = f"mailto:{_header_text(settings.email.sender)}?subject=unsubscribe"
    if not target or any(c in target for c in "<>"):
        return {}
    headers = {"List-Unsubscribe": f"<{target}>"}
    if target.lower().startswith("https:"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058 one-click
    return headers


def compose_message(
    mail: DayMail, settings: Settings, recipient: str, message_id: str, now: dt.datetime
) -> EmailMessage:
    """One recipient's message: text and HTML alternatives, the PDF attached, list headers set."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = _header_text(settings.email.sender)
    msg["To"] = _header_text(recipient)
    msg["Subject"] = mail.subject
    msg["Date"] = email.utils.format_datetime(now.astimezone(dt.UTC))
    msg["Message-ID"] = _header_text(message_id)
    for name, value in _unsubscribe_headers(settings).items():
        msg[name] = value
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.text, subtype="plain", charset="utf-8")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    if mail.pdf is not None:
        msg.add_attachment(mail.pdf, maintype="application", subtype="pdf", filename=f"briefing-{mail.day}.pdf")
    return msg


@dataclass(frozen=True, slots=True)
class SendReport:
    """What a send did for one day."""

    day: dt.date
    stories: int
    sent: tuple[str, ...] = ()
    already: tuple[str, ...] = ()  # sent by an earlier send
    failed: tuple[tuple[str, str], ...] = ()  # refused for good (5xx): recipient, reply
    pending: tuple[tuple[str, str], ...] = ()  # still to try (4xx, server unreachable): recipient, reply
    elsewhere: tuple[str, ...] = ()  # claimed by another digest sending at the same time (PostgreSQL)

    @property
    def done(self) -> bool:
        """True when nothing is left to try for the day."""
        return not self.pending


class _Transient(Exception):
    """A reply or a connection problem worth retrying."""


class _Permanent(Exception):
    """A reply that retrying will not change (5xx)."""


class _Connection:
    """One SMTP session, opened on first use and reopened after a drop."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.settings = smtp
        self.client: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        if s.username and not (s.starttls or s.ssl):
            raise DeliveryError(
                "smtp.username is set but neither smtp.starttls nor smtp.ssl is on; "
                "refusing to send the password in clear"
            )
        if s.username and not s.password:
            raise DeliveryError(f"smtp.username is set but DIGEST_SMTP_PASSWORD is empty; export it for {s.username}")
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if s.ssl:
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            client.ehlo()
            if s.starttls and not s.ssl:
                client.starttls(context=context)
                client.ehlo()
            if s.username:
                client.login(s.username, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            client.close()
            raise DeliveryError(
                f"{s.host} refused the login for {s.username}; check smtp.username and DIGEST_SMTP_PASSWORD"
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            client.close()
            raise DeliveryError(
                f"{s.host}:{s.port} does not offer STARTTLS; set smtp.starttls = false for a server on this "
                "machine or a trusted network, or smtp.ssl = true (port 465)"
            ) from exc
        except ssl.SSLError as exc:
            client.close()
            how = "TLS" if s.ssl else "STARTTLS"
            raise DeliveryError(
                f"{how} with {s.host}:{s.port} failed ({exc.reason or exc}); for a private CA point SSL_CERT_FILE "
                "at its certificate, or set smtp.starttls = false for a server on a trusted network"
            ) from exc
        except BaseException:
            client.close()
            raise
        return client

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Send msg to recipient; raises _Transient or _Permanent with the server's reply."""
        try:
            if self.client is None:
                self.client = self._open()
            self.client.send_message(msg, from_addr=sender, to_addrs=[recipient])
        # smtplib's exceptions are OSErrors: the server's replies are told apart before the
        # connection problems, or a 5xx at MAIL FROM or DATA would pass for a dropped connection.
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(recipient, (451, b"refused"))
            raise _by_code(code, f"RCPT TO: {code} {_reply_text(reply)}") from exc
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
            self.close()
            raise _Transient(f"connection to {self.settings.host}:{self.settings.port} failed: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            step = {smtplib.SMTPSenderRefused: "MAIL FROM", smtplib.SMTPDataError: "DATA"}.get(type(exc), "SMTP")
            raise _by_code(exc.smtp_code, f"{step}: {exc.smtp_code} {_reply_text(exc.smtp_error)}") from exc
        except OSError as exc:
            self.close()
            raise _Transient(f"connection to {self.settings.host}:{self.settings.port} failed: {exc}") from exc

    def close(self) -> None:
        """Say QUIT (or just drop the socket if the server is gone)."""
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None


def _by_code(code: int, text: str) -> Exception:
    """A 5xx reply is permanent; anything else (4xx, odd codes) is worth another try."""
    return _Permanent(text) if 500 <= code < 600 else _Transient(text)


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:300]


def _check_mail_settings(settings: Settings) -> None:
    if not settings.email.to:
        raise DeliveryError("no recipients; set [email] to = [...] in the config")
    if not settings.email.sender:
        raise DeliveryError('no sender; set [email] from = "..." in the config')


def send_day(
    store: Store,
    settings: Settings,
    out_dir: Path,
    day: dt.date,
    *,
    force: bool = False,
    clock: Callable[[], dt.datetime] = _utcnow,
    retry_delays: Sequence[float] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Mail day's archived briefing to every configured recipient who has not had it (all with force).

    Each outbox transition is committed before the next network step; 4xx replies are retried
    after retry_delays (default RETRY_DELAYS) and then left pending; 5xx replies are recorded as failed.
    Raises DeliveryError (not built, no recipients, login refused).
    """
    retry_delays = RETRY_DELAYS if retry_delays is None else retry_delays
    mail = read_day_mail(out_dir, day, settings)
    if mail.stories == 0:
        LOGGER.info("%s has no stories; no email", day)
        return SendReport(day, 0)
    _check_mail_settings(settings)
    recipients = list(dict.fromkeys(settings.email.to))
    store.enqueue(day, recipients, clock(), force=force)
    entries = {e.recipient: e for e in store.outbox(day) if e.recipient in recipients}
    already = tuple(r for r in recipients if entries[r].status == "sent")
    failed = [(r, entries[r].error) for r in recipients if entries[r].status == "failed"]
    due = [r for r in recipients if entries[r].status in ("pending", "sending")]
    for r in due:
        if entries[r].status == "sending":
            LOGGER.warning("%s to %s may have gone out before a crash; sending again with the same Message-ID", day, r)
    sent: list[str] = []
    elsewhere: list[str] = []
    errors: dict[str, str] = {}
    connection = _Connection(settings.smtp)
    try:
        for attempt in range(len(retry_delays) + 1):
            if attempt:
                LOGGER.info("retrying %d message(s) for %s in %.0f s", len(due), day, retry_delays[attempt - 1])
                sleep(retry_delays[attempt - 1])
            retry: list[str] = []
            for rcpt in due:
                with store.claim_outbox(day, rcpt) as claim:
                    if claim is None:  # another digest is sending it, or has sent it since we looked
                        LOGGER.info("%s to %s: another digest sending at the same time has it", day, rcpt)
                        elsewhere.append(rcpt)
                        continue
                    outcome, reply = _send_claimed(claim, mail, settings, connection, clock)
                if outcome == "sent":
                    sent.append(rcpt)
                elif outcome == "failed":
                    failed.append((rcpt, reply))
                else:
                    errors[rcpt] = reply
                    retry.append(rcpt)
            due = retry
            if not due:
                break
    finally:
        connection.close()
    return SendReport(
        day,
        mail.stories,
        tuple(sent),
        already,
        tuple(failed),
        tuple((r, errors.get(r, "")) for r in due),
        tuple(elsewhere),
    )


def _send_claimed(
    claim: OutboxClaim, mail: DayMail, settings: Settings, connection: _Connection, clock: Callable[[], dt.datetime]
) -> tuple[str, str]:
    """Send one claimed message; returns ("sent" | "failed" | "pending", the server's reply)."""
    day, rcpt = claim.entry.day, claim.entry.recipient
    message_id = message_id_for(mail, rcpt, settings.email.sender, claim.entry.generation)
    claim.record("sending", clock(), message_id=message_id, attempted=True)
    LOGGER.info("stage send: %s to %s %s", day, rcpt, message_id)
    msg = compose_message(mail, settings, rcpt, message_id, clock())
    try:
        connection.send(msg, settings.email.sender, rcpt)
    except _Transient as exc:
        LOGGER.warning("%s to %s deferred: %s", day, rcpt, exc)
        claim.record("pending", clock(), error=str(exc))
        return "pending", str(exc)
    except _Permanent as exc:
        LOGGER.error("%s to %s refused: %s", day, rcpt, exc)
        claim.record("failed", clock(), error=str(exc))
        return "failed", str(exc)
    except DeliveryError as exc:
        claim.record("pending", clock(), error=str(exc))
        raise
    claim.record("sent", clock())
    LOGGER.info("sent %s to %s", day, rcpt)
    return "sent", ""


def write_dry_run(settings: Settings, out_dir: Path, day: dt.date, now: dt.datetime) -> list[Path]:
    """Write the messages send_day would send as OUT/YYYY-MM-DD/eml/<recipient>.eml; nothing is sent or recorded.

    Raises DeliveryError (not built, no recipients).
    """
    mail = read_day_mail(out_dir, day, settings)
    if mail.stories == 0:
        return []
    _check_mail_settings(settings)
    paths = []
    for rcpt in dict.fromkeys(settings.email.to):
        msg = compose_message(mail, settings, rcpt, message_id_for(mail, rcpt, settings.email.sender), now)
        target = out_dir / day.isoformat() / "eml" / (re.sub(r"[^A-Za-z0-9@._-]", "_", rcpt) + ".eml")
        try:
            write_atomic(target, msg.as_bytes())
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc.strerror or exc}") from exc
        paths.append(target)
    return paths
