"""Email over a real SMTP server (aiosmtpd on 127.0.0.1), the outbox, the archive files and feed."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from smtp_helpers import (
    RecordingHandler,
    free_port,
    make_cert,
    password_authenticator,
    server_tls_context,
    smtp_server,
)

from digest.config import EmailSettings, Settings, SmtpSettings
from digest.delivery import (
    compose_message,
    message_id_for,
    read_day_mail,
    send_day,
    write_day,
    write_dry_run,
    write_feed,
)
from digest.errors import DeliveryError
from digest.pipeline import build_day
from digest.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"
DAY = dt.date(2026, 11, 24)
ANA, BEN = "ana@example.org", "ben@example.org"
NOW = dt.datetime(2026, 11, 24, 6, 31, tzinfo=dt.UTC)


def _settings(port: int = 25, **smtp: object) -> Settings:
    return Settings(
        email=EmailSettings(
            sender="briefing@example.org", to=(ANA, BEN), unsubscribe="https://example.org/unsubscribe?u=1"
        ),
        smtp=SmtpSettings(**{"host": "127.0.0.1", "port": port, "starttls": False, "timeout": 10, **smtp}),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT with 2026-11-24 built from the fixture day, PDF included."""
    root = tmp_path_factory.mktemp("built")
    settings = replace(Settings(), store_url=f"sqlite:///{root}/build.db")
    build_day(settings, DAY, root / "out", [str(FIXTURES / "three_days" / "2026-11-24.jsonl")])
    return root / "out"


@pytest.fixture()
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with open_store(f"sqlite:///{tmp_path}/outbox.db") as s:
        yield s


def _types(msg: email.message.EmailMessage) -> list[str]:
    return [part.get_content_type() for part in msg.walk() if not part.is_multipart()]


def test_two_recipients_get_one_message_each_and_a_second_send_sends_nothing(built: Path, store) -> None:  # type: ignore[no-untyped-def]
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        settings = _settings(port)
        first = send_day(store, settings, built, DAY, clock=lambda: NOW)
        second = send_day(store, settings, built, DAY, clock=lambda: NOW)
    assert first.sent == (ANA, BEN) and first.done
    assert second.sent == () and second.already == (ANA, BEN)
    assert len(handler.messages) == 2
    for rcpt in (ANA, BEN):
        [msg] = handler.to(rcpt)
        assert _types(msg) == ["text/plain", "text/html", "application/pdf"]
        assert msg["Message-ID"] == message_id_for(read_day_mail(built, DAY, settings), rcpt, "briefing@example.org")
        assert msg["Date"] and email.utils.parsedate_to_datetime(msg["Date"]) == NOW
        assert msg["List-Unsubscribe"] == "<https://example.org/unsubscribe?u=1>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["Subject"] == "Morning briefing: Tuesday 24 November 2026"
        assert msg["To"] == rcpt
        pdf = next(p for p in msg.walk() if p.get_content_type() == "application/pdf")
        assert pdf.get_content().startswith(b"%PDF") and pdf.get_filename() == "briefing-2026-11-24.pdf"
        html = next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()
        archived = (built / "2026-11-24" / "email.html").read_text(encoding="utf-8")
        assert html.replace("\r\n", "\n").rstrip("\n") == archived.rstrip("\n")  # SMTP lines end in CRLF
    assert {e.status for e in store.outbox(DAY)} == {"sent"}


def test_force_resends_with_a_new_message_id(built: Path, store) -> None:  # type: ignore[no-untyped-def]
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        send_day(store, _settings(port), built, DAY)
        again = send_day(store, _settings(port), built, DAY, force=True)
    assert again.sent == (ANA, BEN)
    ids = [m["Message-ID"] for m in handler.to(ANA)]
    assert len(ids) == 2 and ids[0] != ids[1]


def test_a_451_is_retried_after_a_pause(built: Path, store) -> None:  # type: ignore[no-untyped-def]
    handler = RecordingHandler(data_replies=["451 4.3.0 Try again later"])
    pauses: list[float] = []
    with smtp_server(handler) as port:
        report = send_day(store, _settings(port), built, DAY, retry_delays=(0.5, 1.0), sleep=pauses.append)
    assert report.sent == (BEN, ANA) and report.done  # ben went first while ana waited
    assert pauses == [0.5]
    assert len(handler.to(ANA)) == 1 and len(handler.to(BEN)) == 1
    attempts = {e.recipient: e.attempts for e in store.outbox(DAY)}
    assert attempts == {ANA: 2, BEN: 1}


def test_a_550_for_one_recipient_does_not_stop_the_other(built: Path, store) -> None:  # type: ignore[no-untyped-def]
    handler = RecordingHandler(rcpt_replies={BEN: ["550 5.1.1 No such user"]})
    with smtp_server(handler) as port:
        report = send_day(store, _settings(port), built, DAY, retry_delays=(0.01,))
        again = send_day(store, _settings(port), built, DAY, retry_delays=(0.01,))
    assert report.sent == (ANA,)
    assert [r for r, _ in report.failed] == [BEN] and "550" in report.failed[0][1]
    assert report.done  # a permanent refusal is final: recorded, reported, not retried
    assert again.sent == () and [r for r, _ in again.failed] == [BEN]
    assert len(handler.messages) == 1
    outbox = {e.recipient: e for e in store.outbox(DAY)}
    assert outbox[BEN].status == "failed" and "No such user" in outbox[BEN].error


def test_a_lasting_4xx_stays_pending_for_the_next_send(built: Path, store) -> None:  # type: ignore[no-untyped-def]
    handler = RecordingHandler(data_replies=["421 4.7.0 Busy"] * 4)
    with smtp_server(handler) as port:
        report = send_day(store, _settings(port), built, DAY, retry_delays=(0.01,), sleep=lambda s: None)
        assert not report.done and {r for r, _ in report.pending} == {ANA, BEN}
        assert {e.status for e in store.outbox(DAY)} == {"pending"}
        later = send_day(store, _settings(port), built, DAY)
    assert later.sent == (ANA, BEN) and later.done


def test_an_unreachable_server_leaves_the_mail_pending(built: Path, store) -> None:  # type: ignore[no-untyped-def]
    report = send_day(store, _settings(free_port()), built, DAY, retry_delays=(0.01,), sleep=lambda s: None)
    assert not report.done and "connection" in report.pending[0][1]
    assert {e.status for e in store.outbox(DAY)} == {"pending"}


def test_a_message_caught_mid_send_by_a_crash_is_resent_with_the_same_message_id(built: Path, store) -> None:  # type: ignore[no-untyped-def]
    settings = _settings()
    first_id = message_id_for(read_day_mail(built, DAY, settings), ANA, "briefing@example.org")
    store.enqueue(DAY, [ANA, BEN], NOW)
    store.set_outbox(DAY, ANA, "sending", NOW, message_id=first_id)
    store.set_outbox(DAY, BEN, "sent", NOW)
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        report = send_day(store, replace(settings, smtp=replace(settings.smtp, port=port)), built, DAY)
    assert report.sent == (ANA,) and report.already == (BEN,)
    [msg] = handler.to(ANA)
    assert msg["Message-ID"] == first_id
    assert {e.recipient: e.message_id for e in store.outbox(DAY)}[ANA] == first_id


def test_starttls_and_login(built: Path, store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    pair = make_cert(tmp_path)
    if pair is None:
        pytest.skip("the openssl command is not available to make a test certificate")
    cert, key = pair
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test CA the standard OpenSSL way
    logins: list[bytes] = []
    handler = RecordingHandler()
    with smtp_server(
        handler,
        tls_context=server_tls_context(cert, key),
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=password_authenticator(b"briefing", b"s3cret", logins),
    ) as port:
        settings = _settings(port, starttls=True, username="briefing", password="s3cret")
        report = send_day(store, settings, built, DAY)
        with pytest.raises(DeliveryError, match="refused the login"):
            send_day(
                store, _settings(port, starttls=True, username="briefing", password="wrong"), built, DAY, force=True
            )
    assert report.sent == (ANA, BEN)
    assert logins == [b"briefing"]
    assert len(handler.messages) == 2


def test_login_without_tls_is_refused(built: Path, store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DeliveryError, match="in clear"):
        send_day(store, _settings(free_port(), username="briefing", password="x"), built, DAY)
    assert {e.status for e in store.outbox(DAY)} == {"pending"}


def test_no_cr_or_lf_reaches_a_header(built: Path) -> None:
    settings = _settings()
    hostile = replace(
        settings,
        briefing=replace(settings.briefing, title="Briefing\r\nBcc: victim@example.net\r\n"),
        email=replace(settings.email, unsubscribe="mailto:u@example.org\r\nX-Evil: 1"),
    )
    mail = read_day_mail(built, DAY, hostile)
    raw = compose_message(mail, hostile, ANA, message_id_for(mail, ANA, "b@example.org"), NOW).as_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert msg["Subject"] == "Briefing Bcc: victim@example.net: Tuesday 24 November 2026"
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    assert b"\nBcc" not in head and b"\nX-Evil" not in head


def test_dry_run_writes_eml_files_and_sends_nothing(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "2026-11-24").mkdir(parents=True)
    for name in ("briefing.json", "briefing.txt", "email.html", "briefing.pdf"):
        (out / "2026-11-24" / name).write_bytes((built / "2026-11-24" / name).read_bytes())
    paths = write_dry_run(_settings(), out, DAY, NOW)
    assert [p.name for p in paths] == ["ana@example.org.eml", "ben@example.org.eml"]
    msg = email.message_from_bytes(paths[0].read_bytes(), policy=email.policy.default)
    assert _types(msg) == ["text/plain", "text/html", "application/pdf"]


def test_a_day_without_stories_sends_no_mail(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    write_day(
        out, DAY, {"briefing.json": b'{"date": "2026-11-24", "stories": []}', "briefing.txt": b"", "email.html": b""}
    )
    report = send_day(store, _settings(free_port()), out, DAY)
    assert report.stories == 0 and report.sent == () and store.outbox(DAY) == []


def test_sending_an_unbuilt_day_says_what_to_do(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DeliveryError, match="digest build --date 2026-11-24"):
        send_day(store, _settings(), tmp_path, DAY)


def test_write_day_clears_temp_files_left_by_a_killed_write(tmp_path: Path) -> None:
    folder = tmp_path / "2026-11-24"
    folder.mkdir()
    (folder / ".briefing.html.abc123.tmp").write_bytes(b"<html><bo")
    write_day(tmp_path, DAY, {"briefing.html": b"<html></html>"})
    assert sorted(p.name for p in folder.iterdir()) == ["briefing.html"]


def test_the_feed_lists_the_days_as_atom_and_is_stable(built: Path, tmp_path: Path) -> None:
    first = write_feed(built, Settings()).read_bytes()
    second = write_feed(built, Settings()).read_bytes()
    assert first == second
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(first)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    [entry] = root.findall("a:entry", ns)
    assert entry.find("a:link", ns).get("href") == "2026-11-24/briefing.html"  # type: ignore[union-attr]
    assert entry.find("a:updated", ns).text == "2026-11-24T06:30:00+00:00"  # type: ignore[union-attr]
    assert "Tarnby" in (entry.find("a:summary", ns).text or "")  # type: ignore[union-attr]
    assert root.find("a:id", ns).text.startswith("urn:uuid:")  # type: ignore[union-attr]


_FULL_DISK_WRITE = """
import datetime as dt, resource, signal, sys
from pathlib import Path
from digest.delivery import write_day
from digest.errors import DeliveryError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, resource.RLIM_INFINITY))
files = {"briefing.html": b"new html", "email.html": b"new email", "briefing.pdf": b"%PDF" + b"x" * 200_000}
try:
    write_day(Path(sys.argv[1]), dt.date(2026, 11, 24), files)
except DeliveryError as exc:
    print("refused:", exc)
"""


def test_a_day_whose_write_fails_midway_keeps_all_its_old_files(tmp_path: Path) -> None:
    """A full disk while writing a day used to leave new html/email beside the old json/pdf.

    The disk is filled for real, for one process: RLIMIT_FSIZE makes the kernel refuse the write
    of the third file (the PDF) after the first two were written.
    """
    old = {
        "briefing.html": b"old html",
        "email.html": b"old email",
        "briefing.txt": b"old text",
        "briefing.json": b"{}",
        "briefing.pdf": b"%PDF old",
    }
    write_day(tmp_path, DAY, old)
    proc = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_WRITE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert proc.stdout.startswith("refused: cannot write the briefing into"), proc.stdout + proc.stderr
    folder = tmp_path / DAY.isoformat()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == old
    assert [p.name for p in tmp_path.iterdir()] == [DAY.isoformat()]  # no temporary folder left


def test_a_day_is_replaced_whole_and_a_cut_swap_is_finished(tmp_path: Path) -> None:
    write_day(tmp_path, DAY, {"briefing.html": b"one", "briefing.pdf": b"%PDF one"})
    write_day(tmp_path, DAY, {"briefing.html": b"two"})
    folder = tmp_path / DAY.isoformat()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {"briefing.html": b"two"}  # no stale PDF
    folder.rename(tmp_path / f".{DAY.isoformat()}.old")  # killed between the two renames of a swap
    (tmp_path / f".{DAY.isoformat()}.new").mkdir()
    write_day(tmp_path, DAY, {"briefing.html": b"three"})
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {"briefing.html": b"three"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [DAY.isoformat()]


def test_two_editions_mailed_the_same_day_get_different_message_ids(built: Path, tmp_path: Path) -> None:
    """Two configs (World, Tech) mailing the same person the same day: two messages, two Message-IDs."""
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        for title in ("World", "Tech"):
            settings = _settings(port)
            settings = replace(settings, briefing=replace(settings.briefing, title=title))
            with open_store(f"sqlite:///{tmp_path}/{title}.db") as store:
                report = send_day(store, settings, built, DAY, clock=lambda: NOW)
            assert report.sent == (ANA, BEN)
    ids = [m["Message-ID"] for m in handler.to(ANA)]
    assert [m["Subject"].split(":")[0] for m in handler.to(ANA)] == ["World", "Tech"]
    assert len(ids) == 2 and ids[0] != ids[1]


def test_the_message_id_follows_the_content_and_is_stable_for_a_repeat(built: Path) -> None:
    mail = read_day_mail(built, DAY, _settings())
    same = read_day_mail(built, DAY, _settings())
    rebuilt = replace(mail, text=mail.text + "\ncorrected\n")
    sender = "briefing@example.org"
    assert message_id_for(mail, ANA, sender) == message_id_for(same, ANA, sender)  # a repeat: the same
    others = {
        message_id_for(mail, BEN, sender),  # another recipient
        message_id_for(rebuilt, ANA, sender),  # another briefing that day
        message_id_for(mail, ANA, sender, generation=1),  # send --force
        message_id_for(replace(mail, day=DAY + dt.timedelta(days=1)), ANA, sender),  # another day
        message_id_for(replace(mail, title="Tech"), ANA, sender),  # another edition
    }
    assert message_id_for(mail, ANA, sender) not in others and len(others) == 5
    assert message_id_for(mail, ANA, sender).endswith("@example.org>")


@pytest.mark.parametrize(
    ("where", "handler_args"),
    [
        ("MAIL FROM", {"mail_replies": ["553 5.7.1 Sender address rejected"]}),
        ("RCPT TO", {"rcpt_replies": {ANA: ["550 5.1.1 No such user"]}}),
        ("DATA", {"data_replies": ["554 5.6.0 Message content rejected"]}),
    ],
)
def test_a_5xx_at_any_step_is_permanent_recorded_and_not_retried(
    built: Path,
    store,  # type: ignore[no-untyped-def]
    where: str,
    handler_args: dict[str, object],
) -> None:
    handler = RecordingHandler(**handler_args)  # type: ignore[arg-type]
    pauses: list[float] = []
    settings = replace(_settings(), email=replace(_settings().email, to=(ANA,)))
    with smtp_server(handler) as port:
        settings = replace(settings, smtp=replace(settings.smtp, port=port))
        report = send_day(store, settings, built, DAY, retry_delays=(0.01, 0.01), sleep=pauses.append)
        again = send_day(store, settings, built, DAY, retry_delays=(0.01,), sleep=pauses.append)
    assert report.done and report.sent == () and report.pending == ()
    [(rcpt, reply)] = report.failed
    assert rcpt == ANA and reply.startswith(f"{where}: 5")
    assert pauses == []  # no retry within the send ...
    assert again.sent == () and again.failed == report.failed  # ... nor by the next one
    [entry] = store.outbox(DAY)
    assert entry.status == "failed" and entry.attempts == 1 and where in entry.error
    assert handler.messages == [] and handler.commands[where] == 1
