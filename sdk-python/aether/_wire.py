"""Turns recorded traces into the server's strict wire format (unknown fields are rejected there).

Runs on the background thread. Values the server would reject (too long, wrong type) are trimmed
here, because a rejected trace is lost while a trimmed one is still useful.
"""
import json
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from ._ids import new_trace_id
from ._record import SpanRecord, TraceRecord

MAX_TEXT = 1_000_000
MAX_CONTEXTS = 200
MAX_TAGS = 50
MAX_SPANS = 1000
MAX_DEPTH = 32

_TEXT_KEYS = ("text", "page_content", "pageContent", "content", "document", "chunk", "body")
_SOURCE_KEYS = ("source", "id", "doc_id", "document_id", "url", "uri", "path")
_SCORE_KEYS = ("score", "relevance_score", "similarity")
_QUERY_KEYS = ("query", "question", "input", "prompt")
_RESPONSE_KEYS = ("response", "answer", "output", "text", "content")


def iso(ts: float) -> str:
    """Epoch seconds as ISO 8601 with microseconds and a zone."""
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="microseconds")


def dumps(value: Any) -> Optional[str]:
    """JSON that survives unknown types (as text) and cycles; None only if nothing works."""
    try:
        return json.dumps(value, default=str, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        try:
            return json.dumps(_plain(value, set()), default=str, ensure_ascii=False, allow_nan=False)
        except (ValueError, TypeError, RecursionError):
            return None


def _plain(v: Any, seen: set) -> Any:
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    if isinstance(v, (dict, list, tuple)):
        if id(v) in seen:
            return "[circular]"
        seen = seen | {id(v)}
        if isinstance(v, dict):
            return {str(k): _plain(x, seen) for k, x in v.items()}
        return [_plain(x, seen) for x in v]
    return v


def to_text(v: Any, limit: int = MAX_TEXT) -> str:
    """Any value as text: strings as they are, exceptions as "Type: message", the rest as JSON."""
    if isinstance(v, str):
        s = v
    elif v is None:
        s = ""
    elif isinstance(v, BaseException):
        s = f"{type(v).__name__}: {v}"
    elif isinstance(v, (dict, list, tuple)):
        s = dumps(v) or str(v)
    else:
        s = str(v)
    return s[:limit]


def _get(o: Any, key: str) -> Any:
    if isinstance(o, dict):
        return o.get(key)
    return getattr(o, key, None)


def _first(o: Any, keys, ok) -> Any:
    for k in keys:
        v = _get(o, k)
        if ok(v):
            return v
    return None


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_source(v: Any) -> bool:
    return (isinstance(v, str) and v != "") or (isinstance(v, int) and not isinstance(v, bool))


def _is_score(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and v not in (float("inf"), float("-inf"))


def query_text(v: Any) -> str:
    """The query of a traced call's argument: a string, or a field like ``query``/``question``."""
    if not isinstance(v, (str, list, tuple)) and v is not None:
        s = _first(v, _QUERY_KEYS, _is_str)
        if s is not None:
            return to_text(s)
    return to_text(v)


def response_text(v: Any) -> str:
    """The text of a result: a string, a field like ``answer``, or a chat completion's content."""
    if not isinstance(v, (str, list, tuple)) and v is not None:
        s = _first(v, _RESPONSE_KEYS, _is_str)
        if s is not None:
            return to_text(s)
        choices = _get(v, "choices")
        if isinstance(choices, (list, tuple)) and choices:
            content = _get(_get(choices[0], "message"), "content")
            if isinstance(content, str):
                return to_text(content)
    return to_text(v)


def to_context(v: Any) -> Optional[Dict[str, Any]]:
    """One context from a string, a dict, a document object (``page_content``, ``metadata``) or a (doc, score) pair."""
    if v is None:
        return None
    if isinstance(v, str):
        return {"text": v[:MAX_TEXT]}
    if isinstance(v, (tuple, list)) and len(v) == 2 and _is_score(v[1]):
        c = to_context(v[0])
        if c is not None and "score" not in c:
            c["score"] = float(v[1])
        return c
    meta = _get(v, "metadata")
    meta = meta if isinstance(meta, dict) else None
    text = _first(v, _TEXT_KEYS, _is_str)
    if text is None:
        text = to_text(v if isinstance(v, dict) else str(v))
    c: Dict[str, Any] = {"text": text[:MAX_TEXT]}
    source = _first(v, _SOURCE_KEYS, _is_source)
    if source is None and meta:
        source = _first(meta, _SOURCE_KEYS, _is_source)
    if source is not None:
        c["source"] = str(source)[:2048]
    score = _first(v, _SCORE_KEYS, _is_score)
    if score is None and meta:
        score = _first(meta, _SCORE_KEYS, _is_score)
    if score is not None:
        c["score"] = float(score)
    if meta:
        c["metadata"] = meta
    return c


def _short(v: Any, limit: int = 256) -> Optional[str]:
    return v[:limit] if isinstance(v, str) and v else None


def _count(v: Any) -> Optional[int]:
    return int(round(v)) if _is_score(v) and v >= 0 else None


def _money(v: Any) -> Optional[float]:
    return float(v) if _is_score(v) and v >= 0 else None


def _add_usage(totals: Dict[str, Any], u: Dict[str, Any]) -> None:
    for key in ("model", "provider"):
        if totals.get(key) is None:
            totals[key] = _short(u.get(key))
    for key, conv in (("input_tokens", _count), ("output_tokens", _count), ("cost_usd", _money)):
        v = conv(u.get(key))
        if v is not None:
            totals[key] = (totals.get(key) or 0) + v


def _span_body(s: SpanRecord, depth: int, budget: List[int], totals: Dict[str, Any]) -> Dict[str, Any]:
    budget[0] -= 1
    b: Dict[str, Any] = {"name": _short(s.name, 512) or "span", "kind": s.kind, "start_time": iso(s.start)}
    if s.end is not None:
        b["end_time"] = iso(max(s.end, s.start))
    if s.failed:
        b["status"] = "error"
        b["error"] = to_text(s.error, 100_000) or "error"
    if s.usage:
        _add_usage(totals, s.usage)
        for key, conv in (("model", _short), ("input_tokens", _count), ("output_tokens", _count), ("cost_usd", _money)):
            v = conv(s.usage.get(key))
            if v is not None:
                b[key] = v
    if s.input is not None:
        b["input"] = s.input
    if s.output is not None:
        b["output"] = s.output
    if s.attributes:
        b["attributes"] = s.attributes
    if s.children and depth < MAX_DEPTH:
        kids = []
        for c in s.children:
            if budget[0] <= 0:
                break
            kids.append(_span_body(c, depth + 1, budget, totals))
        if kids:
            b["spans"] = kids
    return b


def trace_body(r: TraceRecord, project_id: Optional[str]) -> Dict[str, Any]:
    """The wire body of a recorded trace; assigns its id if nothing needed it earlier."""
    if r.id is None:
        r.id = new_trace_id(int(r.start * 1000))
    if r.body is not None:
        b = dict(r.body)
        b.setdefault("id", r.id)
        if project_id and "project_id" not in b:
            b["project_id"] = project_id
        return b
    f = r.fields
    b = {"id": r.id, "timestamp": iso(r.start), "query": query_text(r.query)}
    project = f.get("project_id") or project_id
    if project:
        b["project_id"] = str(project)
    if r.has_response:
        b["response"] = response_text(r.response)
    if r.contexts:
        ctx = [c for c in (to_context(x) for x in r.contexts) if c is not None]
        if ctx:
            b["contexts"] = ctx[:MAX_CONTEXTS]
    if r.latency_ms is not None:
        b["latency_ms"] = max(0.0, r.latency_ms)
    if r.failed:
        b["status"] = "error"
        b["error"] = to_text(r.error, 100_000) or "error"
    totals: Dict[str, Any] = {}
    if r.root is not None:
        b["spans"] = [_span_body(r.root, 1, [MAX_SPANS], totals)]
    # Usage set on the trace wins; otherwise the spans' usage adds up to the trace's.
    u = r.usage if r.usage is not None else totals
    for key, conv in (("model", _short), ("provider", _short), ("input_tokens", _count), ("output_tokens", _count), ("cost_usd", _money)):
        v = conv(u.get(key))
        if v is not None:
            b[key] = v
    if r.usage is not None and _count(r.usage.get("token_count")) is not None:
        b["token_count"] = _count(r.usage.get("token_count"))
    for key in ("user_id", "session_id"):
        v = _short(f.get(key))
        if v:
            b[key] = v
    if f.get("reference") is not None:
        b["reference"] = to_text(f["reference"])
    tags = f.get("tags")
    if tags:
        clean = list(dict.fromkeys(str(t)[:200] for t in tags if t not in (None, "")))
        if clean:
            b["tags"] = clean[:MAX_TAGS]
    if isinstance(f.get("metadata"), dict) and f["metadata"]:
        b["metadata"] = f["metadata"]
    return b
