"""Typed condition values: numbers, dates, IP addresses and base64, parsed once and cached.

Every parser returns None for text it cannot read; a value that does not parse matches no
value of its operator (the validator reports such policy values).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

Number = int | Decimal

_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# ISO 8601, W3C profile: YYYY, YYYY-MM, YYYY-MM-DD, then optional Thh:mm[:ss[.fff]] and TZD.
_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})"
    r"(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"([Zz]|[+-]\d{2}:?\d{2})?)?)?)?"
)
_EPOCH = re.compile(r"-?\d+(?:\.\d+)?")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NS = 1_000_000_000


@lru_cache(maxsize=65536)
def parse_number(text: str) -> Number | None:
    """An integer or finite decimal (``"10"``, ``"-1.5"``, ``"2e3"``), else None."""
    if len(text) > 400:  # beyond any real value, and beyond int()'s digit limit
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            return None
        return value if value.is_finite() else None
    return None


@lru_cache(maxsize=65536)
def parse_date(text: str) -> int | None:
    """Nanoseconds since the epoch for an ISO 8601 date/time or epoch seconds, else None.

    A string of digits is epoch seconds, except exactly four digits, which is a year (the
    W3C ``YYYY`` form). Date-only values mean midnight UTC; a time without offset is UTC.
    """
    if len(text) > 64:
        return None
    if _EPOCH.fullmatch(text) and not (len(text) == 4 and text.isdigit()):
        whole, _, frac = text.partition(".")
        negative = whole.startswith("-")
        ns = int(whole) * _NS
        if frac:
            part = int((frac + "000000000")[:9])
            ns += -part if negative else part
        return ns
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, tzd = m.groups()
    try:
        ordinal = date(int(year), int(month or 1), int(day or 1)).toordinal()
    except ValueError:
        return None
    h = int(hour or 0)
    mi = int(minute or 0)
    s = int(second or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    seconds = (ordinal - _EPOCH_ORDINAL) * 86400 + h * 3600 + mi * 60 + s
    if tzd and tzd not in ("Z", "z"):
        sign = -1 if tzd[0] == "-" else 1
        digits = tzd[1:].replace(":", "")
        offset_h, offset_m = int(digits[:2]), int(digits[2:])
        if offset_h > 23 or offset_m > 59:
            return None
        seconds -= sign * (offset_h * 3600 + offset_m * 60)
    ns = seconds * _NS
    if fraction:
        ns += int((fraction + "000000000")[:9])
    return ns


Network = tuple[int, int, int]  # (IP version, network address as int, prefix length)


@lru_cache(maxsize=65536)
def parse_network(text: str) -> Network | None:
    """A CIDR block or bare address (/32 or /128) as (version, address int, prefix)."""
    try:
        net = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    return net.version, int(net.network_address), net.prefixlen


@lru_cache(maxsize=65536)
def parse_address(text: str) -> tuple[int, int] | None:
    """An IPv4 or IPv6 address as (version, int); a CIDR suffix is accepted and ignored."""
    try:
        if "/" in text:
            iface = ipaddress.ip_interface(text.strip())
            return iface.version, int(iface.ip)
        addr = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return addr.version, int(addr)


def in_network(address: tuple[int, int], network: Network) -> bool:
    """Whether ``address`` lies in ``network``; a different IP version never matches."""
    version, value = address
    net_version, net_value, prefix = network
    if version != net_version:
        return False
    shift = (32 if version == 4 else 128) - prefix
    return (value >> shift) == (net_value >> shift)


@lru_cache(maxsize=16384)
def parse_base64(text: str) -> bytes | None:
    """Bytes of a base64 value (padding required), else None."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
