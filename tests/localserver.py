"""A real HTTP server on 127.0.0.1 for fetching tests, with routes set per test.

Each route is a function taking the request handler; it writes the whole response. The server
runs in a daemon thread and counts hits per path. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from digest.ingest.fetch import FetchPolicy

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """Routes, hit counts and the base URL of a running test server."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.headers: dict[str, dict[str, str]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.port = 0

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    def policy(self, **changes: object) -> FetchPolicy:
        """A fetch policy that lets this server (and only it) through the address guard."""
        base = {"allow_addresses": frozenset({("127.0.0.1", self.port)}), "backoff": 0.01}
        return FetchPolicy(**{**base, **changes})  # type: ignore[arg-type]


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str) -> None:
    """Write a complete response."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body and handler.command != "HEAD":
        handler.wfile.write(body)


@contextmanager
def local_server() -> Iterator[LocalServer]:
    """Start a server on 127.0.0.1 (a free port); stop it on exit."""
    state = LocalServer()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with state.lock:
                state.hits[path] += 1
                state.headers[path] = dict(self.headers.items())
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                route = state.routes.get(path)
                if route is None:
                    send(self, 404, b"not found", Content_Type="text/plain")
                else:
                    route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with state.lock:
                    state.in_flight -= 1

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
