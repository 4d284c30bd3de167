"""Aether SDK: trace LLM and RAG calls to a self-hosted Aether server.

Either hold a client::

    from aether import AetherClient
    aether = AetherClient(api_key="ae_...")

    @aether.trace(project_id="...")
    def ask_llm(query: str) -> str: ...

    with aether.trace_span(project_id="...", query=query) as span:
        span.add_contexts(contexts)
        span.set_response(response)

or configure a global one with ``aether.init(...)`` and use ``aether.trace`` / ``aether.trace_span``.
"""
import threading
from typing import Any, Callable, Dict, Iterable, Optional

from ._decorate import wrap
from ._errors import AetherError
from ._ids import new_trace_id, sampled
from ._record import SpanRecord, TraceRecord
from .client import AetherClient
from .rag import RagClient
from .span import Span
from .prompts import Prompt, PromptClient, PromptFetchError, compile_prompt, verify_webhook

__version__ = "0.1.0"
__all__ = [
    "AetherClient", "AetherError", "RagClient", "Span", "init", "get_client", "trace", "trace_span", "flush", "shutdown",
    "new_trace_id", "sampled", "Prompt", "PromptClient", "PromptFetchError", "compile_prompt", "verify_webhook",
]

_client: Optional[AetherClient] = None
_lock = threading.Lock()


def init(api_key: Optional[str] = None, base_url: Optional[str] = None, **options: Any) -> AetherClient:
    """Create the global client used by ``aether.trace`` and ``aether.trace_span`` (replacing any earlier one)."""
    global _client
    with _lock:
        old, _client = _client, AetherClient(api_key=api_key, base_url=base_url, **options)
    if old is not None:
        old.shutdown(timeout=5.0)
    return _client


def get_client() -> Optional[AetherClient]:
    """The global client, or None before ``init``."""
    return _client


def trace(fn: Optional[Callable[..., Any]] = None, *, project_id: Optional[str] = None, name: Optional[str] = None,
          kind: str = "chain", user_id: Optional[str] = None, session_id: Optional[str] = None,
          tags: Optional[Iterable[str]] = None, metadata: Optional[Dict[str, Any]] = None) -> Any:
    """Decorator tracing each call with the global client, looked up at call time (so decorating
    before ``init`` works); without a client the function runs untraced."""
    fields: Dict[str, Any] = {k: v for k, v in (("project_id", project_id), ("user_id", user_id),
                                                  ("session_id", session_id), ("metadata", metadata)) if v is not None}
    if tags is not None:
        fields["tags"] = list(tags)

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        return wrap(f, get_client, name, kind, fields)

    return decorate(fn) if fn is not None else decorate


def trace_span(name: str = "trace", **options: Any) -> Span:
    """``with aether.trace_span(query=...) as span:`` on the global client; a span that records
    nothing before ``init``, so instrumented code runs either way."""
    client = _client
    if client is not None:
        return client.trace_span(name, **options)
    r = TraceRecord(options.get("query"))
    r.root = SpanRecord(name, options.get("kind", "chain"), r.start)
    return Span(r, r.root, True, None, None)


def flush(timeout: Optional[float] = None) -> bool:
    """Flush the global client (True when there is none)."""
    return _client.flush(timeout) if _client is not None else True


def shutdown(timeout: Optional[float] = None) -> bool:
    """Shut the global client down (True when there is none)."""
    return _client.shutdown(timeout) if _client is not None else True
