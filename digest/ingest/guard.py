"""The address guard and the limits every fetch runs under (``FetchPolicy``): which hosts,
addresses and networks may be fetched, each hop resolved once and every address checked, and
the peer connected to checked again (see ``digest.ingest.fetch``).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

import httpx

from .. import __version__
from ..config import AllowEntry, parse_allow_entry
from ..errors import FetchError

__all__ = ["DEFAULT_POLICY", "USER_AGENT", "FetchPolicy", "check_address"]


USER_AGENT = f"digest/{__version__} (self-hosted daily news briefing; polite: conditional GET, one fetch per source)"
# IPv6 ranges that carry an IPv4 address inside: checked by the address they carry.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
# Refused whatever they carry: deprecated IPv4-compatible addresses (::a.b.c.d) and Teredo,
# whose client address is obfuscated and whose relay is not ours to trust.
_REFUSED_V6 = (ipaddress.IPv6Network("::/96"), ipaddress.IPv6Network("2001::/32"))


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
    # `[fetch] allow`: private hosts, addresses or networks (optional port) that may be fetched.
    allow: tuple[str, ...] = ()
    # Linked pages fetched per feed for its teaser-only items in one ingestion: at worst
    # 20 x 30 s / 4 parallel = 150 s per feed; a daily feed has 10-30 new items.
    max_pages_per_feed: int = 20


DEFAULT_POLICY = FetchPolicy()


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _is_public(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            return _is_public(ip.sixtofour)
        if any(ip in net for net in _NAT64):
            return _is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(ip in net for net in _REFUSED_V6):
            return False
    return bool(ip.is_global) and not ip.is_multicast


def _entries(policy: FetchPolicy) -> list[AllowEntry]:
    return [parse_allow_entry(text) for text in policy.allow]


def _allowed(host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int, policy: FetchPolicy) -> bool:
    """True when an allow entry (or an allowed test address) names this host or address and port."""
    if (str(ip), port) in policy.allow_addresses:
        return True
    for entry in _entries(policy):
        if entry.port is not None and entry.port != port:
            continue
        if entry.network is not None and ip.version == entry.network.version and ip in entry.network:
            return True
        if entry.host and host.lower().rstrip(".") == entry.host:
            return True
    return False


def check_address(address: str, port: int, policy: FetchPolicy, *, host: str = "", source_allowed: bool = True) -> None:
    """Raise FetchError unless address is a public unicast IP, or allowed (by address, or by host name).

    A private address is allowed only through the policy's allow entries, and on a redirect only
    when the source URL was allowed itself (source_allowed).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError as exc:
        raise FetchError(f"{address} is not an IP address") from exc
    if _is_public(ip):
        return
    if source_allowed and _allowed(host, ip, port, policy):
        return
    what = "loopback, private, link-local or reserved address"
    hint = "; add it to [fetch] allow to fetch it" if source_allowed else "; the source is not in [fetch] allow"
    raise FetchError(f"refused to connect to {ip} ({what}){hint}")


@dataclass(frozen=True, slots=True)
class _Hop:
    """One request's target: the URL, its host and port, and the checked addresses to connect to."""

    url: httpx.URL
    host: str
    port: int
    addresses: tuple[str, ...]


def _resolve(url: str, policy: FetchPolicy, source_allowed: bool | None) -> tuple[_Hop, bool]:
    """The hop for url, every resolved address checked; with whether the source is allowed.

    source_allowed is None for the source URL itself: it is allowed when an allow entry names it.
    """
    try:
        parsed = httpx.URL(url)
        scheme = parsed.scheme
        host = parsed.raw_host.decode("ascii").strip("[]")
        port = parsed.port or (443 if scheme == "https" else 80)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise FetchError(f"{url[:200]!r} is not a valid URL") from exc
    if scheme not in {"http", "https"}:
        raise FetchError(f"{url[:200]}: only http and https URLs are fetched")
    if not host:
        raise FetchError(f"{url[:200]} has no host")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        raise FetchError(f"{host}: cannot resolve the host name ({exc})") from exc
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"{host}: the host name has no address")
    if source_allowed is None:
        source_allowed = any(_allowed(host, ipaddress.ip_address(a.split("%", 1)[0]), port, policy) for a in addresses)
    for address in addresses:
        check_address(address, port, policy, host=host, source_allowed=source_allowed)
    return _Hop(parsed, host, port, addresses), source_allowed


def _check_peer(response: httpx.Response, host: str, port: int, policy: FetchPolicy, allowed: bool) -> None:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        raise FetchError(f"{response.request.url}: cannot tell which address answered; refused")
    check_address(str(peer[0]), int(peer[1]) if len(peer) > 1 else port, policy, host=host, source_allowed=allowed)
