"""All network I/O: fetching a URL within limits, and refusing what must not be fetched.

``fetch_url(url, policy, validators)`` is the one way digest reads from the network. It:

- speaks http and https only, with a polite User-Agent and no proxy from the environment;
- refuses loopback, private, link-local (cloud metadata), multicast and reserved addresses, and
  the IPv6 forms that embed such an IPv4 address (IPv4-mapped and -compatible, NAT64, 6to4) or
  cannot be checked (Teredo): the host is resolved **once** per hop, every address checked, and
  the connection made to a checked address (the URL's host replaced by it, the name kept in the
  ``Host`` header and the TLS SNI/certificate check), so a DNS answer that changes between a check
  and a connect (DNS rebinding) never reaches anything; the peer connected to is checked again;
- lets through only the private hosts, addresses and networks of ``[fetch] allow``, and a
  redirect into one of them only when the source URL itself was allowed;
- follows at most ``max_redirects`` redirects, by hand, checking each hop;
- stops a body at ``max_bytes`` *after* decompression (it decompresses itself, in bounded steps,
  so a gzip bomb costs at most the cap in memory) and at a total deadline, so a server that drips
  one byte a second cannot hold a run;
- sends ``If-None-Match`` / ``If-Modified-Since`` from the validators it is given and reports a
  304 as ``not_modified``;
- retries 5xx answers, timeouts and dropped connections with exponential backoff, inside the
  total deadline.

``fetch_many`` runs a few fetches in parallel. Everything that goes wrong, httpx's own errors
included (a malformed redirect ``Location`` is ``httpx.InvalidURL``), is a ``FetchError`` with one
line saying what happened. The address guard opens only for ``FetchPolicy.allow`` (the config's
``[fetch] allow``) and ``FetchPolicy.allow_addresses`` (exact address and port pairs: tests' own
local server).
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from urllib.parse import urljoin

import httpx

from ..config import Settings
from ..errors import FetchError
from .guard import DEFAULT_POLICY, FetchPolicy, _check_peer, _Hop, _resolve, check_address

__all__ = [
    "DEFAULT_POLICY",
    "FetchPolicy",
    "FetchResult",
    "Validators",
    "check_address",
    "fetch_many",
    "fetch_url",
    "make_client",
    "policy_for",
]

LOGGER = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({500, 502, 503, 504})  # server trouble that is usually gone a moment later
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DECOMPRESS_STEP = 64 * 1024  # bytes inflated per step, so a bomb never holds more than cap + one step
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict)


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


def _read_body(response: httpx.Response, policy: FetchPolicy, deadline: float, url: str) -> bytes:
    """The decompressed body, stopped at max_bytes and at the deadline."""
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


def policy_for(settings: Settings, base: FetchPolicy = DEFAULT_POLICY) -> FetchPolicy:
    """The fetch policy of these settings: base with the config's ``[fetch] allow``."""
    return replace(base, allow=tuple(dict.fromkeys((*base.allow, *settings.fetch.allow))))


def make_client(policy: FetchPolicy = DEFAULT_POLICY) -> httpx.Client:
    """An httpx client for fetch_url: no redirects followed by itself, no proxies from the environment."""
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(policy.timeout),
        # Connections are to checked IP addresses; one kept alive could carry a later request for
        # another host name on that address under the first one's TLS check. Fetches are few.
        limits=httpx.Limits(max_keepalive_connections=0),
    )


def _host_header(hop: _Hop) -> str:
    host = hop.url.raw_host.decode("ascii")
    return host if hop.url.port is None else f"{host}:{hop.url.port}"


def _at_address(hop: _Hop, address: str) -> httpx.URL:
    return hop.url.copy_with(host=address.split("%", 1)[0])


def _attempt(
    client: httpx.Client, url: str, policy: FetchPolicy, validators: Validators, deadline: float
) -> FetchResult:
    """One attempt: redirects followed by hand, every hop resolved once and checked."""
    current = url
    source_allowed: bool | None = None
    for _hop in range(policy.max_redirects + 1):
        hop, source_allowed = _resolve(current, policy, source_allowed)
        headers = {"Host": _host_header(hop)}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{url}: too slow, over the {policy.total_deadline:g} s deadline")
        timeout = httpx.Timeout(min(policy.timeout, remaining))
        extensions = {"sni_hostname": hop.host} if hop.url.scheme == "https" else {}
        try:
            with _open(client, hop, headers, timeout, extensions) as response:
                _check_peer(response, hop.host, hop.port, policy, source_allowed)
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
                body = _read_body(response, policy, deadline, current)
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
        except (*_HTTPX_ERRORS, ValueError) as exc:
            raise FetchError(f"{current[:200]}: {type(exc).__name__}: {str(exc)[:200]}") from exc
    raise FetchError(f"{url}: more than {policy.max_redirects} redirects")


@contextmanager
def _open(
    client: httpx.Client, hop: _Hop, headers: dict[str, str], timeout: httpx.Timeout, extensions: dict[str, str]
) -> Iterator[httpx.Response]:
    """A streamed GET to the first of hop's checked addresses that accepts the connection."""
    for n, address in enumerate(hop.addresses):
        try:
            with client.stream(
                "GET", _at_address(hop, address), headers=headers, timeout=timeout, extensions=extensions
            ) as response:
                yield response
                return
        except httpx.ConnectError:
            if n == len(hop.addresses) - 1:
                raise


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
        except (*_HTTPX_ERRORS, OSError, ValueError) as exc:  # a fetch never ends a run
            LOGGER.debug("fetch of %s failed", job[0], exc_info=True)
            return FetchError(f"{job[0][:200]}: {type(exc).__name__}: {str(exc)[:200]}")

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
