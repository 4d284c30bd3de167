"""``AetherClient``: records traces and delivers them from a background thread."""
import atexit
import os
import weakref
from typing import Any, Callable, Dict, Iterable, Optional

from ._decorate import wrap
from ._delivery import Delivery
from ._errors import AetherError
from ._ids import new_trace_id, sampled
from ._record import SpanRecord, TraceRecord
from ._transport import Transport
from .span import Span, current_span

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class AetherClient:
    """Records traces of LLM/RAG calls and sends them in batches; never raises into the application.

    ``api_key`` and ``base_url`` default to the AETHER_API_KEY and AETHER_BASE_URL environment variables.
    """

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None,
                 project_id: Optional[str] = None, batch_size: int = 100, flush_interval: float = 1.0,
                 max_queue: int = 10000, max_retries: int = 5, sample_rate: float = 1.0, timeout: float = 10.0,
                 on_error: Optional[Callable[[AetherError], None]] = None, flush_at_exit: bool = True,
                 retry_base: float = 0.25, shutdown_timeout: float = 10.0) -> None:
        key = api_key or os.environ.get("AETHER_API_KEY", "")
        url = base_url or os.environ.get("AETHER_BASE_URL") or DEFAULT_BASE_URL
        self.project_id = project_id
        self._sample_rate = min(1.0, max(0.0, float(sample_rate)))
        self._shutdown_timeout = shutdown_timeout
        transport = Transport(url, key, float(timeout), max(0, int(max_retries)), max(0.0, float(retry_base)))
        self._delivery = Delivery(transport, project_id, batch_size, flush_interval, max_queue, on_error)
        self._closed = False
        if flush_at_exit:
            # A weak reference, so registering for exit does not keep a discarded client alive.
            me = weakref.ref(self)
            atexit.register(lambda: (lambda c: c and c._at_exit())(me()))

    def trace(self, fn: Optional[Callable[..., Any]] = None, *, project_id: Optional[str] = None,
              name: Optional[str] = None, kind: str = "chain", user_id: Optional[str] = None,
              session_id: Optional[str] = None, tags: Optional[Iterable[str]] = None,
              metadata: Optional[Dict[str, Any]] = None) -> Any:
        """Decorator (``@client.trace`` or ``@client.trace(project_id=...)``): each call of a sync or
        async function becomes a trace; query = the ``query`` argument or the first one, response =
        the return value. Inside an open span the call becomes a child span instead."""
        fields = _fields(project_id, user_id, session_id, tags, metadata)

        def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
            return wrap(f, lambda: self, name, kind, fields)

        return decorate(fn) if fn is not None else decorate

    def trace_span(self, name: str = "trace", *, kind: str = "chain", query: Any = None,
                   project_id: Optional[str] = None, user_id: Optional[str] = None,
                   session_id: Optional[str] = None, tags: Optional[Iterable[str]] = None,
                   metadata: Optional[Dict[str, Any]] = None, reference: Optional[str] = None) -> Span:
        """A span to use with ``with``/``async with``: a new trace, or a child of the span already open."""
        fields = _fields(project_id, user_id, session_id, tags, metadata)
        if reference is not None:
            fields["reference"] = reference
        return self._open(name, kind, query, fields)

    def capture(self, trace: Dict[str, Any]) -> str:
        """Queue a trace already in the wire format (a dict); returns its id, generated when absent."""
        r = TraceRecord()
        r.body = dict(trace)
        r.id = str(trace.get("id") or new_trace_id())
        if self._keep(r):
            self._delivery.enqueue(r)
        return r.id

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until every trace recorded so far was delivered, rejected or given up on (False on timeout)."""
        return self._delivery.flush(timeout)

    def shutdown(self, timeout: Optional[float] = None) -> bool:
        """Stop recording, deliver what is queued (at most ``timeout`` seconds), stop the thread."""
        self._closed = True
        return self._delivery.close(timeout)

    def stats(self) -> Dict[str, int]:
        """Counters since creation: queued (including a batch being sent), sent, dropped, failed."""
        d = self._delivery
        return {"queued": d.queued(), "sent": d.sent, "dropped": d.dropped, "failed": d.failed}

    def _keep(self, r: TraceRecord) -> bool:
        if self._closed:
            return False
        if self._sample_rate >= 1:
            return True
        if r.id is None:
            r.id = new_trace_id(int(r.start * 1000))
        return sampled(r.id, self._sample_rate)

    def _open(self, name: str, kind: str, query: Any, fields: Dict[str, Any]) -> Span:
        """A child of this client's open span, or the root span of a new trace."""
        parent = current_span.get()
        if parent is not None and parent._owner is self:
            return parent.span(name, kind, query)
        r = TraceRecord(query)
        r.fields = fields
        r.root = SpanRecord(name, kind, r.start)
        return Span(r, r.root, True, self._delivery.enqueue if self._keep(r) else None, self)

    def _at_exit(self) -> None:
        if not self._closed:
            self.shutdown(self._shutdown_timeout)


def _fields(project_id: Optional[str], user_id: Optional[str], session_id: Optional[str],
            tags: Optional[Iterable[str]], metadata: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    f: Dict[str, Any] = {}
    for key, value in (("project_id", project_id), ("user_id", user_id), ("session_id", session_id),
                       ("metadata", metadata)):
        if value is not None:
            f[key] = value
    if tags is not None:
        f["tags"] = list(tags)
    return f
