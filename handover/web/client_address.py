"""The client address of a request or websocket, for the per-IP limits and the login throttle.

Behind a reverse proxy every connection comes from the proxy: its `X-Forwarded-For` names the client, but only a
proxy listed in `BUERGERBOT_TRUSTED_PROXIES` is believed (anyone else could write any address into the header).
The list is read from the right: the first address that is not a trusted proxy is the client. An IPv6 client is
counted by its /64 network (one connection usually holds a whole /64, so single addresses would be free to
change). Addresses are never stored: `client_key` turns them into a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from functools import lru_cache

from starlette.requests import HTTPConnection

from handover.shell.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in setting.split(",") if item.strip())


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    address = address.strip()
    if address.startswith("[") and "]" in address:  # [2001:db8::1]:443
        address = address[1:address.index("]")]
    elif address.count(":") == 1:  # 203.0.113.7:51234
        address = address.split(":", 1)[0]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(connection: HTTPConnection, settings: Settings) -> str | None:
    """The client's address (IPv4) or /64 network (IPv6) as text; None when the server does not know it."""
    networks = trusted_networks(settings.trusted_proxies)
    peer = _parse(connection.client.host) if connection.client else None
    client = peer
    if _trusted(peer, networks):
        forwarded = [item for header in connection.headers.getlist("x-forwarded-for") for item in header.split(",")]
        for item in reversed(forwarded):
            address = _parse(item)
            if address is None:
                break  # garbage from beyond the last trusted proxy: go with what we know
            client = address
            if not _trusted(address, networks):
                break
    if client is None:
        return connection.client.host if connection.client else None
    if isinstance(client, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((client, 64), strict=False))
    return str(client)


def client_key(address: str, secret: str) -> str:
    """A keyed hash of the address: stable for counting, useless for finding out who it was."""
    key = hashlib.sha256(f"client-address:{secret}".encode()).digest()
    return hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
