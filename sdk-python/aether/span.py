"""The span handle: what ``trace_span`` yields and what decorated calls record into.

On the root span, query/response/contexts/usage are the trace's (what gets evaluated); on a child
span they describe that step only, except contexts, which always belong to the trace because the
evaluators read them there.
"""
from contextvars import ContextVar
from typing import Any, Callable, Dict, Iterable, Optional

from ._ids import new_trace_id
from ._record import SpanRecord, TraceRecord

# The innermost open span of this thread or asyncio task: spans opened inside it become its children.
current_span: "ContextVar[Optional[Span]]" = ContextVar("aether_current_span", default=None)


class Span:
    """A span of a trace; also a (sync and async) context manager that ends it and records errors."""

    __slots__ = ("_trace", "_record", "_is_root", "_deliver", "_owner", "_ended", "_token")

    def __init__(self, trace: TraceRecord, record: SpanRecord, is_root: bool,
                 deliver: Optional[Callable[[TraceRecord], None]], owner: object) -> None:
        self._trace = trace
        self._record = record
        self._is_root = is_root
        self._deliver = deliver  # None when the trace is sampled out or there is no client
        self._owner = owner
        self._ended = False
        self._token = None

    @property
    def trace_id(self) -> str:
        """The trace's id (a UUIDv7), e.g. to attach feedback later."""
        if self._trace.id is None:
            self._trace.id = new_trace_id(int(self._trace.start * 1000))
        return self._trace.id

    def add_contexts(self, contexts: Any) -> "Span":
        """Append retrieved passages: strings, dicts, documents (``page_content``) or (doc, score) pairs."""
        if contexts is None:
            return self
        items = [contexts] if isinstance(contexts, (str, dict)) else list(contexts)
        if self._trace.contexts is None:
            self._trace.contexts = []
        self._trace.contexts.extend(items)
        if not self._is_root:
            attrs = self._record.attributes or {}
            self.set_attributes({"retrieval.documents": attrs.get("retrieval.documents", 0) + len(items)})
        return self

    def add_context(self, text: str, source: Optional[str] = None, score: Optional[float] = None,
                    metadata: Optional[Dict[str, Any]] = None) -> "Span":
        """Append one passage."""
        c: Dict[str, Any] = {"text": text}
        if source is not None:
            c["source"] = source
        if score is not None:
            c["score"] = score
        if metadata:
            c["metadata"] = metadata
        return self.add_contexts([c])

    def set_response(self, response: Any) -> "Span":
        """The answer: the trace's response on the root span, this step's output on a child."""
        if self._is_root:
            self._trace.response = response
            self._trace.has_response = True
        else:
            self._record.output = response
        return self

    def set_query(self, query: Any) -> "Span":
        """The question: the trace's query on the root span, this step's input on a child."""
        if self._is_root:
            self._trace.query = query
        else:
            self._record.input = query
        return self

    def set_input(self, value: Any) -> "Span":
        """What this step received (kept as JSON on the span)."""
        self._record.input = value
        return self

    def set_output(self, value: Any) -> "Span":
        """What this step produced (kept as JSON on the span)."""
        self._record.output = value
        return self

    def set_usage(self, input_tokens: Optional[int] = None, output_tokens: Optional[int] = None,
                  cost_usd: Optional[float] = None, model: Optional[str] = None, provider: Optional[str] = None,
                  token_count: Optional[int] = None) -> "Span":
        """Model, tokens and cost; on the root they are the trace's, otherwise children's usage adds up."""
        usage = dict(self._record.usage) if self._record.usage else {}
        if input_tokens is not None:
            usage["input_tokens"] = input_tokens
        if output_tokens is not None:
            usage["output_tokens"] = output_tokens
        if cost_usd is not None:
            usage["cost_usd"] = cost_usd
        if model is not None:
            usage["model"] = model
        if provider is not None:
            usage["provider"] = provider
        if token_count is not None:
            usage["token_count"] = token_count
        self._record.usage = usage
        if self._is_root:
            self._trace.usage = usage
        return self

    def set_metadata(self, metadata: Optional[Dict[str, Any]] = None, **more: Any) -> "Span":
        """Metadata: the trace's on the root span, this span's attributes on a child."""
        merged = {**(metadata or {}), **more}
        if not self._is_root:
            return self.set_attributes(merged)
        f = self._trace.fields
        self._trace.fields = {**f, "metadata": {**(f.get("metadata") or {}), **merged}}  # copy on write
        return self

    def set_attributes(self, attributes: Optional[Dict[str, Any]] = None, **more: Any) -> "Span":
        """Attributes of this span."""
        self._record.attributes = {**(self._record.attributes or {}), **(attributes or {}), **more}
        return self

    def set_trace(self, user_id: Optional[str] = None, session_id: Optional[str] = None,
                  tags: Optional[Iterable[str]] = None, reference: Optional[str] = None,
                  metadata: Optional[Dict[str, Any]] = None) -> "Span":
        """Trace-level fields (user, session, tags, reference answer, metadata), from any span."""
        f = dict(self._trace.fields)  # copy on write: it may be the caller's own options
        if user_id is not None:
            f["user_id"] = user_id
        if session_id is not None:
            f["session_id"] = session_id
        if reference is not None:
            f["reference"] = reference
        if tags:
            f["tags"] = list(f.get("tags") or []) + list(tags)
        if metadata:
            f["metadata"] = {**(f.get("metadata") or {}), **metadata}
        self._trace.fields = f
        return self

    def set_error(self, error: Any) -> "Span":
        """Mark this span (and, on the root, the trace) as failed without raising."""
        self._record.failed = True
        self._record.error = error
        if self._is_root:
            self._trace.failed = True
            self._trace.error = error
        return self

    def span(self, name: str, kind: str = "other", input: Any = None) -> "Span":
        """A child span starting now; use it with ``with`` or call ``end()``."""
        rec = SpanRecord(name, kind, self._trace.now())
        rec.input = input
        if self._record.children is None:
            self._record.children = []
        self._record.children.append(rec)
        return Span(self._trace, rec, False, None, self._owner)

    def end(self) -> None:
        """End the span now; ending the root span queues the trace. Later calls do nothing."""
        if self._ended:
            return
        self._ended = True
        self._record.end = self._trace.now()
        if self._is_root:
            self._trace.latency_ms = (self._record.end - self._record.start) * 1000.0
            if self._deliver is not None:
                self._deliver(self._trace)

    def _default_response(self, value: Any) -> None:
        """The response, unless the code set one explicitly."""
        if value is None:
            return
        if self._is_root and not self._trace.has_response:
            self.set_response(value)
        elif not self._is_root and self._record.output is None:
            self._record.output = value

    def __enter__(self) -> "Span":
        self._token = current_span.set(self)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc is not None:
            self.set_error(exc)
        if self._token is not None:
            try:
                current_span.reset(self._token)
            except (ValueError, RuntimeError):
                current_span.set(None)  # exited in another context than it was entered in
            self._token = None
        self.end()
        return False

    async def __aenter__(self) -> "Span":
        return self.__enter__()

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        return self.__exit__(exc_type, exc, tb)
