"""All network I/O: fetching a URL within limits, and refusing what must not be fetched.

``fetch_url(url, policy, validators)`` is the one way digest reads from the network. It:

- speaks http and https only, with a polite User-Agent and no proxy from the environment;
- refuses loopback, private, link-local (cloud metadata), multicast and reserved addresses: the
  host's resolved addresses before connecting, every redirect target, and the peer actually
  connected to (so a DNS answer that changes between the check and the connect is caught too);
- follows at most ``max_redirects`` redirects, by hand, checking each hop;
- stops a body at ``max_bytes`` *after* decompression (it decompresses itself, in bounded steps,
  so a gzip bomb costs at most the cap in memory) and at a total deadline, so a server that drips
  one byte a second cannot hold a run;
- sends ``If-None-Match`` / ``If-Modified-Since`` from the validators it is given and reports a
  304 as ``not_modified``;
- retries 5xx answers, timeouts and dropped connections with exponential backoff, inside the
  total deadline.

``fetch_many`` runs a few fetches in parallel. Everything that goes wrong is a ``FetchError``
with one line saying what happened. Tests open the address guard for their own local server only,
through ``FetchPolicy.allow_addresses`` (exact address and port pairs); nothing else opens it.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from . import __version__
from .errors import FetchError

__all__ = [
    "DEFAULT_POLICY",
    "FetchPolicy",
    "FetchResult",
    "Validators",
    "check_address",
    "fetch_many",
    "fetch_url",
    "make_client",
]

LOGGER = logging.getLogger(__name__)
USER_AGENT = f"digest/{__version__} (self-hosted daily news briefing; polite: conditional GET, one fetch per source)"
RETRY_STATUSES = frozenset({500, 502, 503, 504})  # server trouble that is usually gone a moment later
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DECOMPRESS_STEP = 64 * 1024  # bytes inflated per step, so a bomb never holds more than cap + one step


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The limits every fetch runs under."""

    # A feed or article page answers in well under 10 s; a slower peer is better retried later.
    timeout: float = 10.0
    # Whole fetch (redirects, retries, body); keeps one bad source from holding up a daily run.
    total_deadline: float = 30.0
    # The largest real feeds we measured are ~2 MB; 10 MB leaves room and stops bombs early.
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5  # browsers allow ~20; feeds and articles need one or two
    retries: int = 2  # attempts after the first, for 5xx, timeouts and dropped connections
    backoff: float = 1.0  # seconds before the first retry; doubled for each further one
    parallel: int = 4  # fetches at once: polite to servers, enough to hide latency on 2 cores
    user_agent: str = USER_AGENT
    # (address, port) pairs let through the private-address guard. Empty in production; tests put
    # their own 127.0.0.1 server here and nothing else.
    allow_addresses: frozenset[tuple[str, int]] = field(default_factory=frozenset)


DEFAULT_POLICY = FetchPolicy()


@dataclass(frozen=True, slots=True)
class Validators:
    """HTTP cache validators remembered from the last successful fetch of a URL."""

    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a fetch brought back (``content`` is empty when ``not_modified``)."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content: bytes
    content_type: str = ""
    validators: Validators = Validators()
    not_modified: bool = False
    attempts: int = 1


class _Retryable(Exception):
    """A failure worth another attempt (5xx, timeout, dropped connection)."""


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global) and not ip.is_multicast


def check_address(address: str, port: int, policy: FetchPolicy) -> None:
    """Raise FetchError unless address is a public unicast IP (or explicitly allowed)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError as exc:
        raise FetchError(f"{address} is not an IP address") from exc
    if (str(ip), port) in policy.allow_addresses:
        return
    if not _is_public(ip):
        raise FetchError(f"refused to connect to {ip} (loopback, private, link-local or reserved address)")


def _check_url(url: str, policy: FetchPolicy) -> tuple[str, int]:
    """Scheme, host and resolved addresses of url, all checked; returns (host, port)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"{url[:200]} is not a valid URL") from exc
    if parts.scheme not in {"http", "https"}:
        raise FetchError(f"{url[:200]}: only http and https URLs are fetched")
    host = parts.hostname or ""
    if not host:
        raise FetchError(f"{url[:200]} has no host")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"{host}: cannot resolve the host name ({exc})") from exc
    for info in infos:
        check_address(str(info[4][0]), port, policy)
    return host, port


def _check_peer(response: httpx.Response, port: int, policy: FetchPolicy) -> None:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        raise FetchError(f"{response.request.url}: cannot tell which address answered; refused")
    check_address(str(peer[0]), int(peer[1]) if len(peer) > 1 else port, policy)


class _Inflater:
    """A bounded decompressor for gzip/deflate: inflates at most one step at a time."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._decomp: zlib._Decompress | None = None

    def steps(self, chunk: bytes) -> Iterator[bytes]:
        """The inflated bytes of chunk, in pieces of at most _DECOMPRESS_STEP."""
        if self._decomp is None:
            if self.encoding == "deflate":
                # Some servers send raw deflate for "deflate"; a zlib header starts with 0x?8.
                raw = bool(chunk) and (chunk[0] & 0x0F) != 8
                self._decomp = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
            else:
                self._decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = chunk
        while pending:
            yield self._decomp.decompress(pending, _DECOMPRESS_STEP)
            pending = self._decomp.unconsumed_tail


def _inflater(encoding: str) -> _Inflater | None:
    """The decompressor for a Content-Encoding (None for identity)."""
    encoding = encoding.strip().lower()
    if encoding in {"", "identity"}:
        return None
    if encoding in {"gzip", "x-gzip", "deflate"}:
        return _Inflater("deflate" if encoding == "deflate" else "gzip")
    raise FetchError(f"unsupported Content-Encoding {encoding!r}")


def _read_body(response: httpx.Response, policy: FetchPolicy, deadline: float) -> bytes:
    """The decompressed body, stopped at max_bytes and at the deadline."""
    url = response.request.url
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "")
    if declared.isdigit() and not encoding and int(declared) > policy.max_bytes:
        raise FetchError(f"{url}: body is {int(declared)} bytes, over the {policy.max_bytes}-byte limit")
    inflater = _inflater(encoding)
    too_big = f"{url}: body over the {policy.max_bytes}-byte limit (after decompression)"
    out = bytearray()
    try:
        for chunk in response.iter_raw():
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: too slow, over the {policy.total_deadline:g} s deadline")
            for piece in [chunk] if inflater is None else inflater.steps(chunk):
                out += piece
                if len(out) > policy.max_bytes:
                    raise FetchError(too_big)
    except zlib.error as exc:
        raise FetchError(f"{url}: body is not valid {encoding} ({exc})") from exc
    return bytes(out)


def make_client(policy: FetchPolicy = DEFAULT_POLICY) -> httpx.Client:
    """An httpx client for fetch_url: no redirects followed by itself, no proxies from the environment."""
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(policy.timeout),
    )


def _attempt(
    client: httpx.Client, url: str, policy: FetchPolicy, validators: Validators, deadline: float
) -> FetchResult:
    """One attempt: redirects followed by hand, every hop checked."""
    current = url
    for _hop in range(policy.max_redirects + 1):
        _host, port = _check_url(current, policy)
        headers = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{url}: too slow, over the {policy.total_deadline:g} s deadline")
        timeout = httpx.Timeout(min(policy.timeout, remaining))
        try:
            with client.stream("GET", current, headers=headers, timeout=timeout) as response:
                _check_peer(response, port, policy)
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location", "")
                    if not location:
                        raise FetchError(f"{current}: redirect ({status}) without a Location")
                    current = urljoin(current, location)
                    continue
                if status == 304:
                    return FetchResult(url, current, status, b"", validators=validators, not_modified=True)
                if status in RETRY_STATUSES:
                    raise _Retryable(f"{current}: server error {status}")
                if status >= 400:
                    raise FetchError(f"{current}: HTTP {status}; is the URL right?")
                body = _read_body(response, policy, deadline)
                return FetchResult(
                    url,
                    current,
                    status,
                    body,
                    content_type=response.headers.get("content-type", ""),
                    validators=Validators(response.headers.get("etag", ""), response.headers.get("last-modified", "")),
                )
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise FetchError(f"{url}: too slow, over the {policy.total_deadline:g} s deadline") from exc
            raise _Retryable(f"{current}: timed out ({type(exc).__name__})") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Retryable(f"{current}: connection failed ({type(exc).__name__}: {exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{current}: {type(exc).__name__}: {exc}") from exc
    raise FetchError(f"{url}: more than {policy.max_redirects} redirects")


def fetch_url(
    url: str,
    policy: FetchPolicy = DEFAULT_POLICY,
    validators: Validators = Validators(),
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Fetch one URL within the policy's limits, retrying server errors with backoff.

    Raises FetchError (refused address or scheme, too big, too slow, too many redirects, HTTP
    error, or still failing after the retries).
    """
    own = client is None
    client = client or make_client(policy)
    deadline = time.monotonic() + policy.total_deadline
    try:
        for attempt in range(policy.retries + 1):
            try:
                result = _attempt(client, url, policy, validators, deadline)
            except _Retryable as exc:
                wait = policy.backoff * (2**attempt)
                if attempt == policy.retries or time.monotonic() + wait >= deadline:
                    raise FetchError(f"{exc} (gave up after {attempt + 1} attempts)") from exc
                LOGGER.info("%s; retrying in %.1f s", exc, wait)
                sleep(wait)
                continue
            LOGGER.debug("fetched %s: %d, %d bytes", url, result.status, len(result.content))
            return FetchResult(
                result.url,
                result.final_url,
                result.status,
                result.content,
                result.content_type,
                result.validators,
                result.not_modified,
                attempt + 1,
            )
        raise FetchError(f"{url}: no attempt made")  # only when retries < 0
    finally:
        if own:
            client.close()


def _iter_fetch(
    jobs: Sequence[tuple[str, Validators]], policy: FetchPolicy, client: httpx.Client
) -> Iterator[FetchResult | FetchError]:
    def one(job: tuple[str, Validators]) -> FetchResult | FetchError:
        try:
            return fetch_url(job[0], policy, job[1], client=client)
        except FetchError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=max(1, policy.parallel), thread_name_prefix="digest-fetch") as pool:
        yield from pool.map(one, jobs)


def fetch_many(
    jobs: Sequence[tuple[str, Validators]], policy: FetchPolicy = DEFAULT_POLICY
) -> list[FetchResult | FetchError]:
    """Fetch several URLs, ``policy.parallel`` at a time; each result or its FetchError, in order."""
    if not jobs:
        return []
    with make_client(policy) as client:
        return list(_iter_fetch(jobs, policy, client))
