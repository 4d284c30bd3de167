"""Prompts from the Aether registry: a TTL cache, stale-while-revalidate, the last good copy (or the
caller's default) when the server is unreachable, ``compile(vars)``, and webhook verification."""
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, List, Optional, Union

PromptContent = Union[str, List[Dict[str, Any]]]

_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")


def _show(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(v, separators=(",", ":"))


def compile_prompt(content: PromptContent, variables: Dict[str, Dict[str, Any]], values: Dict[str, Any]) -> PromptContent:
    """Fill ``{{variables}}`` from ``values``, then declared defaults; ValueError names every missing one."""
    def value(name: str) -> Any:
        return values[name] if name in values else (variables.get(name) or {}).get("default")

    texts = [content] if isinstance(content, str) else [m.get("content", "") for m in content]
    missing: List[str] = []
    for t in texts:
        for m in _VAR.finditer(t):
            if value(m.group(1)) is None and m.group(1) not in missing:
                missing.append(m.group(1))
    if missing:
        raise ValueError(f"Cannot compile the prompt: missing variables: {', '.join(missing)}")

    def fill(t: str) -> str:
        return _VAR.sub(lambda m: _show(value(m.group(1))), t)

    if isinstance(content, str):
        return fill(content)
    return [{**m, "content": fill(m.get("content", ""))} for m in content]


class PromptFetchError(Exception):
    """The server answered, but not with the prompt (unknown prompt, bad key)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class Prompt:
    """A fetched prompt version; ``source`` is server, cache, stale or fallback."""

    def __init__(self, record: Dict[str, Any], source: str) -> None:
        self.record = record
        self.source = source
        self.name: str = record["name"]
        self.version: int = record["version"]
        self.type: str = record.get("type", "text")
        self.config: Dict[str, Any] = record.get("config") or {}
        self.labels: List[str] = record.get("labels") or []

    def compile(self, values: Optional[Dict[str, Any]] = None, **kw: Any) -> PromptContent:
        return compile_prompt(self.record["prompt"], self.record.get("variables") or {}, {**(values or {}), **kw})


class _Entry:
    __slots__ = ("record", "fetched_at", "invalid", "refreshing")

    def __init__(self, record: Dict[str, Any]) -> None:
        self.record = record
        self.fetched_at = time.monotonic()
        self.invalid = False
        self.refreshing = False


class PromptClient:
    """Reads prompts with a per-client cache; thread-safe."""

    def __init__(self, api_key: str, base_url: str = "http://127.0.0.1:8000", timeout: float = 5.0,
                 on_error: Optional[Callable[[Exception], None]] = None) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.on_error = on_error
        self._cache: Dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get_prompt(self, name: str, label: Optional[str] = None, version: Optional[int] = None,
                   cache_ttl_seconds: float = 60.0, fallback: Union[None, PromptContent, Dict[str, Any]] = None) -> Prompt:
        """A prompt by label (default ``production``) or version: fresh copies come from memory, expired
        ones too while a background refresh runs; with no copy the server is asked, and when it cannot
        answer the ``fallback`` is used."""
        key = f"{name}#{version}" if version is not None else f"{name}@{label or 'production'}"
        with self._lock:
            e = self._cache.get(key)
            if e is not None and not e.invalid:
                if time.monotonic() - e.fetched_at < cache_ttl_seconds:
                    return Prompt(e.record, "cache")
                if not e.refreshing:
                    e.refreshing = True
                    threading.Thread(target=self._refresh, args=(key, name, label, version, e), daemon=True).start()
                return Prompt(e.record, "stale")
        try:
            record = self._fetch(name, label, version)
        except Exception as err:  # noqa: BLE001 - every failure falls back, and is reported
            if self.on_error:
                self.on_error(err)
            if e is not None:
                return Prompt(e.record, "stale")
            if fallback is not None:
                return Prompt(_fallback_record(name, fallback), "fallback")
            raise
        with self._lock:
            self._cache[key] = _Entry(record)
        return Prompt(record, "server")

    def invalidate(self, name: Optional[str] = None) -> None:
        """Mark one prompt (all its labels and versions) or every prompt stale."""
        with self._lock:
            for k, e in self._cache.items():
                if name is None or k.startswith(f"{name}@") or k.startswith(f"{name}#"):
                    e.invalid = True

    def assign_variant(self, experiment_id: str, user_id: Optional[str] = None, session_id: Optional[str] = None) -> Dict[str, Any]:
        """The experiment variant for a user or session (sticky); record ``experiment_id`` and
        ``experiment_variant`` in the trace's metadata."""
        body = {k: v for k, v in (("user_id", user_id), ("session_id", session_id)) if v is not None}
        req = urllib.request.Request(f"{self.base_url}/api/v1/experiments/{urllib.parse.quote(experiment_id, safe='')}/assign",
                                     data=json.dumps(body).encode("utf8"), method="POST",
                                     headers={"X-API-Key": self.api_key, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as err:
            raise PromptFetchError(f"assign answered {err.code}: {err.read().decode('utf8', 'replace')[:300]}", err.code) from None

    def _refresh(self, key: str, name: str, label: Optional[str], version: Optional[int], e: _Entry) -> None:
        try:
            record = self._fetch(name, label, version)
            with self._lock:
                self._cache[key] = _Entry(record)
        except Exception as err:  # noqa: BLE001
            if self.on_error:
                self.on_error(err)
        finally:
            e.refreshing = False

    def _fetch(self, name: str, label: Optional[str], version: Optional[int]) -> Dict[str, Any]:
        q = f"version={version}" if version is not None else f"label={urllib.parse.quote(label or 'production')}"
        req = urllib.request.Request(f"{self.base_url}/api/v1/prompts/{urllib.parse.quote(name, safe='')}?{q}",
                                     headers={"X-API-Key": self.api_key, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf8", "replace")
            try:
                message = json.loads(body)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = body[:300]
            raise PromptFetchError(f"GET prompt {name} answered {err.code}: {message}", err.code) from None


def _fallback_record(name: str, f: Union[PromptContent, Dict[str, Any]]) -> Dict[str, Any]:
    full = f if isinstance(f, dict) else {"prompt": f}
    prompt = full.get("prompt", "")
    return {"name": name, "type": "text" if isinstance(prompt, str) else "chat", "version": 0, "labels": [],
            "config": {}, "variables": {}, **full, "prompt": prompt}


def verify_webhook(secret: str, header: Optional[str], body: Union[str, bytes], tolerance_seconds: int = 300,
                   now: Optional[float] = None) -> bool:
    """Check ``x-aether-signature: t=<unix>,v1=<hex>``: HMAC-SHA256 of ``"<t>.<body>"`` and a fresh ``t``."""
    if not header:
        return False
    parts = [p.strip().split("=", 1) for p in header.split(",")]
    ts = [p[1] for p in parts if len(p) == 2 and p[0] == "t"]
    sigs = [p[1] for p in parts if len(p) == 2 and p[0] == "v1"]
    if not ts or not sigs or not ts[0].isdigit():
        return False
    t = int(ts[0])
    if abs((now if now is not None else time.time()) - t) > tolerance_seconds:
        return False
    raw = body.encode("utf8") if isinstance(body, str) else body
    expected = hmac.new(secret.encode("utf8"), f"{t}.".encode("utf8") + raw, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(s.lower(), expected) for s in sigs)
