"""What a traced call stores: raw references only.

Converting to the wire format (text, ISO times, context shapes, JSON) happens later on the
background thread, so the traced call pays for a few attribute writes and nothing else.
"""
import time
from typing import Any, Dict, List, Optional

SPAN_KINDS = ("llm", "retrieval", "embedding", "tool", "chain", "agent", "reranker", "guardrail", "evaluator", "other")


class SpanRecord:
    """A span as recorded; ``start``/``end`` are epoch seconds."""

    __slots__ = ("name", "kind", "start", "end", "error", "failed", "usage", "input", "output", "attributes", "children")

    def __init__(self, name: str, kind: str, start: float) -> None:
        self.name = name
        self.kind = kind if kind in SPAN_KINDS else "other"
        self.start = start
        self.end: Optional[float] = None
        self.error: Any = None
        self.failed = False
        self.usage: Optional[Dict[str, Any]] = None
        self.input: Any = None
        self.output: Any = None
        self.attributes: Optional[Dict[str, Any]] = None
        self.children: Optional[List["SpanRecord"]] = None


class TraceRecord:
    """A trace as recorded, before serialization."""

    __slots__ = (
        "id", "start", "t0", "latency_ms", "query", "response", "has_response", "contexts",
        "usage", "fields", "failed", "error", "root", "body", "seq",
    )

    def __init__(self, query: Any = None) -> None:
        self.id: Optional[str] = None
        self.start = time.time()
        # The monotonic clock at the start: durations must not jump with wall-clock adjustments.
        self.t0 = time.perf_counter()
        self.latency_ms: Optional[float] = None
        self.query = query
        self.response: Any = None
        self.has_response = False
        self.contexts: Optional[List[Any]] = None
        self.usage: Optional[Dict[str, Any]] = None
        self.fields: Dict[str, Any] = {}
        self.failed = False
        self.error: Any = None
        self.root: Optional[SpanRecord] = None
        self.body: Optional[Dict[str, Any]] = None
        self.seq = 0

    def now(self) -> float:
        """Wall-clock time now, derived from the trace's monotonic anchor so spans order consistently."""
        return self.start + (time.perf_counter() - self.t0)
