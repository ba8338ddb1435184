"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, recording what it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RecordingHandler:
    """Accepts mail and keeps it; scripted replies make RCPT or DATA refuse first."""

    def __init__(
        self,
        rcpt_replies: dict[str, list[str]] | None = None,
        data_replies: list[str] | None = None,
        mail_replies: list[str] | None = None,
    ):
        self.rcpt_replies = rcpt_replies or {}
        self.data_replies = data_replies or []
        self.mail_replies = mail_replies or []
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.logins: list[bytes] = []
        self.commands = {"MAIL FROM": 0, "RCPT TO": 0, "DATA": 0}  # how often each was answered

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.commands["MAIL FROM"] += 1
        if self.mail_replies:
            return self.mail_replies.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.commands["RCPT TO"] += 1
        replies = self.rcpt_replies.get(address)
        if replies:
            reply = replies[0] if len(replies) == 1 and replies[0].startswith("5") else replies.pop(0)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.commands["DATA"] += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, rcpt: str) -> list[EmailMessage]:
        """Messages delivered to rcpt."""
        return [m for tos, m in self.messages if rcpt in tos]


@contextmanager
def smtp_server(handler: RecordingHandler, **kwargs: Any) -> Iterator[int]:
    """Run an aiosmtpd server on 127.0.0.1 for the block; yields its port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def make_cert(folder: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate for 127.0.0.1 made with the openssl CLI, or None without openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    return cert, key


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side of STARTTLS with the test certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


def password_authenticator(username: bytes, password: bytes, record: list[bytes]) -> Any:
    """An aiosmtpd authenticator accepting exactly one login."""

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == username and auth_data.password == password
        if ok:
            record.append(auth_data.login)
        return AuthResult(success=ok, handled=False)

    return authenticate


def write_run_config(folder: Path, port: int, source: Path, briefing: str = "") -> Path:
    """A digest.toml for `digest run` tests: one path source, a store and archive in folder,
    two recipients, and plain SMTP to the test server on 127.0.0.1:port."""
    path = folder / "digest.toml"
    path.write_text(
        f"""
[briefing]
{briefing}
[[sources]]
path = "{source}"
[store]
url = "sqlite:///{folder}/digest.db"
[output]
dir = "{folder}/out"
[email]
from = "briefing@example.org"
to = ["ana@example.org", "ben@example.org"]
unsubscribe = "mailto:unsubscribe@example.org"
[smtp]
host = "127.0.0.1"
port = {port}
starttls = false
""",
        encoding="utf-8",
    )
    return path
