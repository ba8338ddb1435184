"""digest.ingest.fetch against a real HTTP server on 127.0.0.1 (the address guard opened for it only)."""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from localserver import LocalServer, local_server, send

from digest.errors import FetchError
from digest.ingest.fetch import DEFAULT_POLICY, FetchPolicy, Validators, check_address, fetch_many, fetch_url

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


# --- issue 12: hostile redirects, address forms, DNS rebinding; issue 13: [fetch] allow -------------


def test_a_malformed_redirect_location_is_a_fetch_error(server: LocalServer) -> None:
    """Case 4: httpx.InvalidURL (not an httpx.HTTPError) used to escape fetch_url and end ingestion."""
    server.routes["/badloc"] = lambda h: send(h, 302, Location="http:\\\\127.0.0.1:8765\\x")
    server.routes["/badloc2"] = lambda h: send(h, 301, Location="http://[::1:80/")
    for path in ("/badloc", "/badloc2"):
        with pytest.raises(FetchError):
            fetch_url(server.base + path, server.policy())
    results = fetch_many([(server.base + "/badloc", Validators())], server.policy())
    assert isinstance(results[0], FetchError)


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible (deprecated) form of loopback
        "::8.8.8.8",  # IPv4-compatible, even of a public address: refused outright
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata address
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::ffff:10.0.0.1",  # IPv4-mapped private
    ],
)
def test_transition_forms_of_private_addresses_are_refused(address: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        check_address(address, 80, DEFAULT_POLICY)


@pytest.mark.parametrize("address", ["64:ff9b::5db8:d822", "2002:5db8:d822::1", "::ffff:93.184.216.34"])
def test_transition_forms_of_public_addresses_pass(address: str) -> None:
    check_address(address, 80, DEFAULT_POLICY)


def test_bracketed_ipv4_compatible_url_is_refused_before_connecting(server: LocalServer) -> None:
    with pytest.raises(FetchError, match="refused"):
        fetch_url(f"http://[::127.0.0.1]:{server.port}/hello", server.policy())


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Answer getaddrinfo for the test's own names from answers (popped in turn); log each lookup.

    There is no DNS server to run here, so the resolver is the one part replaced; every connect
    still goes to the real local server (or nowhere).
    """
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_dns_rebinding_never_reaches_the_rebound_address(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that answers a public address for the check and 127.0.0.1 for the connect gets nothing."""
    server.routes["/secret"] = lambda h: send(h, 200, b"internal")
    _fake_dns(monkeypatch, {"rebind.test": ["192.0.43.8", "127.0.0.1"]})
    before = server.hits["/secret"]
    with pytest.raises(FetchError):
        fetch_url(f"http://rebind.test:{server.port}/secret", server.policy(timeout=0.5, retries=0, total_deadline=1.5))
    assert server.hits["/secret"] == before  # the rebound answer was never used for a connect


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/named"] = lambda h: send(h, 200, b"named")
    server.routes["/hop"] = lambda h: send(h, 302, Location="/named")
    asked = _fake_dns(monkeypatch, {"feeds.test": ["127.0.0.1"]})
    result = fetch_url(f"http://feeds.test:{server.port}/hop", FetchPolicy(allow=("feeds.test",), backoff=0.01))
    assert result.content == b"named" and result.final_url == f"http://feeds.test:{server.port}/named"
    assert server.headers["/named"]["Host"] == f"feeds.test:{server.port}"
    assert asked == ["feeds.test", "feeds.test"]  # one resolution per hop, none by httpx


def test_allow_entries_open_the_guard_for_what_they_name(server: LocalServer) -> None:
    server.routes["/hello"] = lambda h: send(h, 200, b"hi")
    url = server.base + "/hello"
    for allow in ([f"127.0.0.1:{server.port}"], ["127.0.0.0/8"], [f"localhost:{server.port}"]):
        target = url.replace("127.0.0.1", "localhost") if "localhost" in allow[0] else url
        assert fetch_url(target, FetchPolicy(allow=tuple(allow))).content == b"hi"
    for allow in ([], ["127.0.0.1:1"], ["10.0.0.0/8"], ["feeds.lan"]):
        with pytest.raises(FetchError, match="refused"):
            fetch_url(url, FetchPolicy(allow=tuple(allow)))


def test_a_redirect_into_an_allowed_address_needs_an_allowed_source() -> None:
    policy = FetchPolicy(allow=("192.168.1.0/24",))
    check_address("192.168.1.20", 80, policy)  # the source itself is allowed
    with pytest.raises(FetchError, match="source is not in"):
        check_address("192.168.1.20", 80, policy, source_allowed=False)  # reached by a redirect from elsewhere


def test_a_redirect_to_another_allowed_port_is_refused(server: LocalServer) -> None:
    server.routes["/elsewhere"] = lambda h: send(h, 302, Location="http://127.0.0.1:1/admin")
    with pytest.raises(FetchError, match="refused"):
        fetch_url(server.base + "/elsewhere", FetchPolicy(allow=(f"127.0.0.1:{server.port}",)))
