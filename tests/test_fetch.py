"""digest.fetch against a real HTTP server on 127.0.0.1 (the address guard opened for it only)."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from localserver import LocalServer, local_server, send

from digest.errors import FetchError
from digest.fetch import DEFAULT_POLICY, FetchPolicy, Validators, check_address, fetch_many, fetch_url

BOMB_BYTES = 40 * 1024 * 1024  # inflates to 40 MB; the cap in the test is 1 MB


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with local_server() as srv:
        yield srv


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9)


def test_fetches_a_page_with_a_polite_user_agent(server: LocalServer) -> None:
    server.routes["/hello"] = lambda h: send(h, 200, b"<p>hello</p>", Content_Type="text/html; charset=utf-8")
    result = fetch_url(server.base + "/hello", server.policy())
    assert result.status == 200 and result.content == b"<p>hello</p>"
    assert result.content_type.startswith("text/html")
    assert server.headers["/hello"]["User-Agent"].startswith("digest/")


def test_gzip_body_is_decompressed(server: LocalServer) -> None:
    body = b"<rss>" + b"x" * 5000 + b"</rss>"
    server.routes["/gz"] = lambda h: send(h, 200, gzip.compress(body), Content_Encoding="gzip")
    assert fetch_url(server.base + "/gz", server.policy()).content == body


def test_gzip_bomb_stops_at_the_cap(server: LocalServer, bomb: bytes) -> None:
    server.routes["/bomb"] = lambda h: send(h, 200, bomb, Content_Encoding="gzip", Content_Type="application/xml")
    assert len(bomb) < 1024 * 1024 < BOMB_BYTES  # small on the wire, huge inflated
    with pytest.raises(FetchError, match="after decompression"):
        fetch_url(server.base + "/bomb", server.policy(max_bytes=1024 * 1024))


def test_plain_body_over_the_cap_is_refused(server: LocalServer) -> None:
    server.routes["/big"] = lambda h: send(h, 200, b"a" * 300_000)
    with pytest.raises(FetchError, match="limit"):
        fetch_url(server.base + "/big", server.policy(max_bytes=100_000))


def _drip(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    for _ in range(50):  # bounded: at most 5 s of dripping
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.1)


def test_slow_drip_server_stops_at_the_total_deadline(server: LocalServer) -> None:
    server.routes["/drip"] = _drip
    start = time.monotonic()
    with pytest.raises(FetchError, match="deadline"):
        # Each byte arrives well inside the per-read timeout; only the total deadline stops it.
        fetch_url(server.base + "/drip", server.policy(timeout=2.0, total_deadline=0.8, retries=0))
    assert time.monotonic() - start < 2.0


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:1/admin",  # loopback, another port than the allowed server
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.1.2.3/",  # private
        "http://[::1]:8080/",  # IPv6 loopback
        "file:///etc/passwd",  # not http(s)
    ],
)
def test_redirect_to_a_forbidden_address_is_refused(server: LocalServer, target: str) -> None:
    server.routes["/go"] = lambda h: send(h, 302, Location=target)
    with pytest.raises(FetchError, match=r"refused|only http"):
        fetch_url(server.base + "/go", server.policy())


def test_redirects_are_followed_up_to_the_limit(server: LocalServer) -> None:
    server.routes["/r0"] = lambda h: send(h, 301, Location="/r1")
    server.routes["/r1"] = lambda h: send(h, 302, Location=server.base + "/final")
    server.routes["/final"] = lambda h: send(h, 200, b"done")
    result = fetch_url(server.base + "/r0", server.policy())
    assert result.final_url == server.base + "/final" and result.content == b"done"
    server.routes["/loop"] = lambda h: send(h, 302, Location="/loop")
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch_url(server.base + "/loop", server.policy(max_redirects=3))


def test_the_guard_is_closed_without_an_explicit_allowance(server: LocalServer) -> None:
    server.routes["/hello"] = lambda h: send(h, 200, b"hi")
    before = server.hits["/hello"]
    with pytest.raises(FetchError, match="refused"):
        fetch_url(server.base + "/hello", DEFAULT_POLICY)
    with pytest.raises(FetchError, match="refused"):
        fetch_url(f"http://localhost:{server.port}/hello", DEFAULT_POLICY)
    assert server.hits["/hello"] == before  # refused before connecting


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("127.0.0.1", False),
        ("10.0.0.8", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),
        ("::ffff:127.0.0.1", False),
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
    ],
)
def test_check_address(address: str, ok: bool) -> None:
    if ok:
        check_address(address, 443, DEFAULT_POLICY)
    else:
        with pytest.raises(FetchError):
            check_address(address, 443, DEFAULT_POLICY)


def _etag_route(handler: BaseHTTPRequestHandler) -> None:
    if handler.headers.get("If-None-Match") == '"v1"':
        send(handler, 304, ETag='"v1"')
    else:
        send(handler, 200, b"<rss>v1</rss>", ETag='"v1"', Last_Modified="Tue, 24 Nov 2026 05:00:00 GMT")


def test_conditional_get_gives_not_modified(server: LocalServer) -> None:
    server.routes["/etag"] = _etag_route
    first = fetch_url(server.base + "/etag", server.policy())
    assert first.validators == Validators('"v1"', "Tue, 24 Nov 2026 05:00:00 GMT")
    second = fetch_url(server.base + "/etag", server.policy(), first.validators)
    assert second.not_modified and second.status == 304 and second.content == b""
    assert server.headers["/etag"]["If-Modified-Since"] == "Tue, 24 Nov 2026 05:00:00 GMT"


def test_server_error_is_retried_then_fails(server: LocalServer) -> None:
    server.routes["/500"] = lambda h: send(h, 500, b"oops")
    sleeps: list[float] = []
    with pytest.raises(FetchError, match=r"server error 500.*3 attempts"):
        fetch_url(server.base + "/500", server.policy(retries=2, backoff=0.01), sleep=sleeps.append)
    assert server.hits["/500"] == 3
    assert sleeps == [0.01, 0.02]  # exponential backoff


def test_retry_recovers_from_a_passing_error(server: LocalServer) -> None:
    def flaky(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 503 if server.hits["/flaky"] == 1 else 200, b"back")

    server.routes["/flaky"] = flaky
    result = fetch_url(server.base + "/flaky", server.policy(retries=2))
    assert result.content == b"back" and result.attempts == 2


def test_client_errors_are_not_retried(server: LocalServer) -> None:
    server.routes["/gone"] = lambda h: send(h, 410, b"gone")
    with pytest.raises(FetchError, match="HTTP 410"):
        fetch_url(server.base + "/gone", server.policy(retries=3))
    assert server.hits["/gone"] == 1


def test_fetch_many_runs_in_parallel_and_keeps_order(server: LocalServer) -> None:
    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.3)
        send(handler, 200, handler.path.encode())

    paths = [f"/slow{i}" for i in range(4)]
    for p in paths:
        server.routes[p] = slow
    server.routes["/nope"] = lambda h: send(h, 404)
    server.max_in_flight = 0
    jobs = [(server.base + p, Validators()) for p in [*paths, "/nope"]]
    results = fetch_many(jobs, server.policy(parallel=4))
    assert [r.content for r in results[:4]] == [p.encode() for p in paths]  # type: ignore[union-attr]
    assert isinstance(results[4], FetchError)
    assert server.max_in_flight >= 2


def test_policy_defaults_are_sane() -> None:
    policy = FetchPolicy()
    assert policy.allow_addresses == frozenset()
    assert policy.total_deadline > policy.timeout > 0 and policy.max_redirects <= 10
