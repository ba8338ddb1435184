"""Email over SMTP with an outbox: the day's parts read from the archive, one message per recipient.

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

import datetime as dt
import email.policy
import email.utils
import hashlib
import logging
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings, SmtpSettings
from ..errors import DeliveryError
from ..text import format_day
from .archive import read_briefing_stories, write_atomic

if TYPE_CHECKING:
    from ..store import OutboxClaim, Store

__all__ = [
    "RETRY_DELAYS",
    "DayMail",
    "SendReport",
    "compose_message",
    "message_id_for",
    "read_day_mail",
    "send_day",
    "write_dry_run",
]

LOGGER = logging.getLogger(__name__)
# Waits before retrying a 4xx or a dropped connection within one send: a greylisting server
# usually accepts after a short pause; anything longer is left pending for the next run.
RETRY_DELAYS = (2.0, 10.0, 30.0)
# Every C0 control, tab, CR and LF included: a header value is one line (header injection). Not
# ingest.common's pattern, which keeps an article's tabs and line breaks.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
        stories = read_briefing_stories(folder)
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
    subject = f"{_header_text(settings.briefing.title)}: {format_day(day)}"
    return DayMail(day, len(stories), subject, text, html, pdf, settings.briefing.title)


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
