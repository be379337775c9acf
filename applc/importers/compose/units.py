"""Compose's units and small syntaxes: sizes, durations, port specs, volume specs.

Every parser returns None (or raises ValueError with the reason) for text compose itself
would refuse; the importer turns that into an APL502 finding at the value.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass

# Compose reads sizes with go-units' RAMInBytes: every unit is binary (k = 1024).
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([kmgtp]?)(i?b)?\s*", re.IGNORECASE)
_POWER = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def size_bytes(value: object) -> int:
    """Bytes of a compose size (`512m`, `1g`, `1.5GiB`, `1024`, an integer)."""
    if isinstance(value, bool):
        raise ValueError("a size is a number of bytes or a string such as `512m`")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a size cannot be negative")
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0:
            raise ValueError("a size must be a finite number of at least 0")
        return math.ceil(value)
    if not isinstance(value, str):
        raise ValueError("a size is a number of bytes or a string such as `512m`")
    m = _SIZE.fullmatch(value)
    if m is None:
        raise ValueError(f"`{value}` is not a size (write `512m`, `1g`, `1.5GiB` or bytes)")
    number = float(m.group(1))
    return math.ceil(number * 1024 ** _POWER[m.group(2).lower()])


def size_mib(value: object) -> int:
    """MiB, rounded up, of a compose size."""
    return math.ceil(size_bytes(value) / (1024 * 1024))


def duration_seconds(value: object) -> int:
    """Whole seconds, rounded up, of a Go duration (`1m30s`, `500ms`, `10s`)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("a duration is a string such as `30s` or `1m30s`")
    if isinstance(value, int | float):
        # A bare number is nanoseconds in compose's Go types.
        return math.ceil(value / 1e9)
    text = value.strip()
    if text in ("0", ""):
        return 0
    pos = 0
    total = 0.0
    for m in _DURATION_PART.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _DURATION_SECONDS[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        raise ValueError(f"`{value}` is not a duration (write `30s`, `1m30s` or `500ms`)")
    return math.ceil(total - 1e-9)


def cpus_value(value: object) -> float:
    """A cpu count: compose accepts numbers and strings of numbers (`"0.5"`)."""
    if isinstance(value, bool):
        raise ValueError("cpus is a number such as 0.5")
    try:
        n = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"`{value}` is not a number of cpus") from None
    if not math.isfinite(n) or n < 0:
        raise ValueError(f"`{value}` is not a number of cpus of at least 0")
    return int(n) if n.is_integer() else n


def split_command(text: str) -> list[str]:
    """A command string split into words as compose splits it (shell-like quoting, no
    expansion)."""
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError as exc:
        raise ValueError(f"the command cannot be split into words: {exc}") from None


@dataclass(frozen=True)
class PortSpec:
    container_port: int
    host_port: int  # 0: any
    protocol: str
    host_ip: str | None = None
    host_range: bool = False


_PORT_SHORT = re.compile(
    r"(?:(?:\[(?P<ip6>[0-9a-fA-F:.]+)\]|(?P<ip>[0-9]+(?:\.[0-9]+){3})):)?"
    r"(?:(?P<host>[0-9]*(?:-[0-9]+)?):)?"
    r"(?P<cont>[0-9]+(?:-[0-9]+)?)"
    r"(?:/(?P<proto>[a-zA-Z]+))?"
)
MAX_RANGE = 1024


def _range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    a = int(lo)
    b = int(hi) if hi else a
    for p in (a, b):
        if not 0 <= p <= 65535:
            raise ValueError(f"port {p} is outside 0-65535")
    if b < a:
        raise ValueError(f"the range `{text}` ends before it starts")
    if b - a >= MAX_RANGE:
        raise ValueError(f"the range `{text}` has more than {MAX_RANGE} ports")
    return a, b


def parse_port(text: str) -> list[PortSpec]:
    """The ports of one short-syntax entry (`[ip:][host:]container[/proto]`, ranges)."""
    m = _PORT_SHORT.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"`{text}` is not a port (write `80`, `8080:80`, `127.0.0.1:8080:80/udp`)")
    proto = (m.group("proto") or "tcp").lower()
    if proto not in ("tcp", "udp", "sctp"):
        raise ValueError(f"`{proto}` is not a protocol (tcp, udp or sctp)")
    ip = m.group("ip6") or m.group("ip")
    c_lo, c_hi = _range(m.group("cont"))
    host = m.group("host") or ""
    if not host:
        return [PortSpec(p, 0, proto, ip) for p in range(c_lo, c_hi + 1)]
    h_lo, h_hi = _range(host)
    if h_hi - h_lo == c_hi - c_lo:
        return [
            PortSpec(c, h, proto, ip)
            for c, h in zip(range(c_lo, c_hi + 1), range(h_lo, h_hi + 1), strict=True)
        ]
    if c_lo == c_hi:
        # One container port published on any port of a host range.
        return [PortSpec(c_lo, 0, proto, ip, host_range=True)]
    raise ValueError(f"`{text}`: the host and container ranges differ in length")


@dataclass(frozen=True)
class VolumeSpec:
    kind: str  # bind, volume, tmpfs, anonymous
    source: str | None
    target: str
    read_only: bool


def parse_volume(text: str) -> VolumeSpec:
    """A short-syntax volume: `[source:]target[:mode]`."""
    parts = text.split(":")
    if len(parts) == 1:
        return VolumeSpec("anonymous", None, parts[0], False)
    if len(parts) > 3 or not parts[0] or not parts[1]:
        raise ValueError(f"`{text}` is not a volume (write `source:target[:ro]`)")
    src, target = parts[0], parts[1]
    mode = parts[2] if len(parts) == 3 else ""
    options = {o for o in mode.split(",") if o}
    kind = "bind" if src.startswith((".", "/", "~")) else "volume"
    return VolumeSpec(kind, src, target, "ro" in options)


def volume_target(text: str) -> str:
    """The mount point of a short-syntax volume (what compose merges files by)."""
    try:
        return parse_volume(text).target
    except ValueError:
        return text
