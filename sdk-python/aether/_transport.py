"""Sends serialized traces to ``POST /api/v1/traces/batch``.

Failures are data, never exceptions: network errors, 408, 429 and 5xx are retried with backoff
(the client-made ids make a resend idempotent); other 4xx and per-item rejections in a 207 are
permanent and only counted.
"""
import http.client
import json
import random
import ssl
import time
from email.utils import parsedate_to_datetime
from typing import Callable, List, Optional, Tuple
from urllib.parse import urlsplit

from ._errors import AetherError

MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 60.0
USER_AGENT = "aether-sdk-python/0.1.0"


def backoff_seconds(attempt: int, base: float, retry_after: Optional[str]) -> float:
    """Delay before retry ``attempt`` (0-based): what Retry-After asks, else exponential with full jitter."""
    if retry_after:
        try:
            secs = float(retry_after)
        except ValueError:
            try:
                secs = parsedate_to_datetime(retry_after).timestamp() - time.time()
            except (TypeError, ValueError, IndexError):
                secs = -1.0
        if secs >= 0:
            return min(secs, MAX_RETRY_AFTER)
    return random.random() * min(MAX_BACKOFF, base * (2 ** attempt))


class Outcome:
    """What became of one batch."""

    __slots__ = ("sent", "failed", "errors")

    def __init__(self, sent: int = 0, failed: int = 0, errors: Optional[List[AetherError]] = None) -> None:
        self.sent = sent
        self.failed = failed
        self.errors = errors or []


def _error_message(text: str) -> str:
    try:
        msg = json.loads(text).get("error", {}).get("message")
        if isinstance(msg, str):
            return msg
    except (ValueError, AttributeError):
        pass
    return text[:300]


def _read_207(text: str, n: int) -> Outcome:
    try:
        results = json.loads(text).get("results")
    except (ValueError, AttributeError):
        results = None
    if not isinstance(results, list):
        return Outcome(sent=n)  # a 2xx means committed; an unreadable body does not change that
    sent = failed = 0
    first = None
    for r in results:
        status = r.get("status") if isinstance(r, dict) else None
        if status in (200, 201):
            sent += 1
        else:
            failed += 1
            if first is None:
                err = r.get("error") if isinstance(r, dict) else None
                first = err.get("message") if isinstance(err, dict) else f"status {status}"
    errors = [AetherError(f"server rejected {failed} of {n} traces, e.g.: {first}", failed, 400)] if failed else []
    return Outcome(sent, failed, errors)


class Transport:
    """One persistent HTTP connection, used by the background thread only."""

    def __init__(self, base_url: str, api_key: str, timeout: float, max_retries: int, retry_base: float,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        u = urlsplit(base_url.rstrip("/"))
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError(f"base_url must be http(s)://host[:port], got {base_url!r}")
        self._https = u.scheme == "https"
        self._host = u.hostname
        self._port = u.port
        self._path = (u.path or "") + "/api/v1/traces/batch"
        self.url = f"{u.scheme}://{u.netloc}{self._path}"
        self._headers = {"Content-Type": "application/json", "X-API-Key": api_key, "User-Agent": USER_AGENT}
        self._timeout = timeout
        self._max_retries = max_retries
        self._retry_base = retry_base
        self._sleep = sleep
        self._conn: Optional[http.client.HTTPConnection] = None

    def close(self) -> None:
        """Close the connection (a new one is opened on the next send)."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def forget(self) -> None:
        """Drop the connection without closing it (after fork its socket belongs to the parent)."""
        self._conn = None

    def _post(self, body: bytes) -> Tuple[int, str, Optional[str]]:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout,
                                                         context=ssl.create_default_context())
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            self._conn.request("POST", self._path, body=body, headers=self._headers)
            res = self._conn.getresponse()
            text = res.read().decode("utf-8", "replace")
            if res.getheader("connection", "").lower() == "close":
                self.close()
            return res.status, text, res.getheader("retry-after")
        except BaseException:
            self.close()  # a half-used connection cannot be trusted for the next request
            raise

    def send(self, items: List[str]) -> Outcome:
        """Deliver one batch of JSON-encoded traces, retrying what is worth retrying."""
        n = len(items)
        body = ('{"traces":[' + ",".join(items) + "]}").encode("utf-8")
        attempt = 0
        while True:
            retry_after = None
            reused = self._conn is not None
            try:
                status, text, retry_after = self._post(body)
            except (OSError, http.client.HTTPException) as e:
                if reused:
                    continue  # the server closed an idle keep-alive connection: reconnect at once
                why = AetherError(f"cannot reach {self.url}: {e}", n, None, True)
            else:
                if 200 <= status < 300:
                    return _read_207(text, n) if status == 207 else Outcome(sent=n)
                if status == 413 and n > 1:
                    # Too large for the server's body limit: halves go separately.
                    half = (n + 1) // 2
                    a, b = self.send(items[:half]), self.send(items[half:])
                    return Outcome(a.sent + b.sent, a.failed + b.failed, a.errors + b.errors)
                retryable = status in (408, 429) or status >= 500
                why = AetherError(f"HTTP {status} from {self.url}: {_error_message(text)}", n, status, retryable)
            if not why.retryable or attempt >= self._max_retries:
                if why.retryable:
                    why.args = (f"{why} (gave up after {attempt + 1} attempts)",)
                return Outcome(failed=n, errors=[why])
            self._sleep(backoff_seconds(attempt, self._retry_base, retry_after))
            attempt += 1
