"""Trace ids and sampling.

Ids are made on the client so a resent batch carries the same ids and the server stores each trace
once (it answers ``duplicate`` for an id it already has).
"""
import os
import time
from typing import Optional


def new_trace_id(now_ms: Optional[int] = None) -> str:
    """A UUIDv7: time-ordered, so the server's index stays append-mostly."""
    ms = int(time.time() * 1000) if now_ms is None else int(now_ms)
    b = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    b[6] = (b[6] & 0x0F) | 0x70
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def sampled(trace_id: str, rate: float) -> bool:
    """Deterministic sampling by FNV-1a of the id: the same hash the server and the TypeScript SDK use."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    h = 0x811C9DC5
    # The other implementations hash UTF-16 code units; ids are ASCII, where the two agree.
    for ch in trace_id:
        h ^= ord(ch) & 0xFFFF
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h / 0x1_0000_0000 < rate
