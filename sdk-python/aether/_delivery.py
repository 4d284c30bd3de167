"""The background half of the client: a bounded queue drained by one daemon thread.

Nothing here runs inside a traced call except ``enqueue``, which appends under a lock.
"""
import logging
import os
import threading
import time
import weakref
from collections import deque
from typing import Callable, Deque, List, Optional

from ._errors import AetherError
from ._record import TraceRecord
from ._transport import Outcome, Transport
from ._wire import dumps, trace_body

log = logging.getLogger("aether")


def _log_error(e: AetherError) -> None:
    log.warning("%s", e)


class Delivery:
    """Queue, thread, counters and flushing of one client."""

    def __init__(self, transport: Transport, project_id: Optional[str], batch_size: int, flush_interval: float,
                 max_queue: int, on_error: Optional[Callable[[AetherError], None]]) -> None:
        self._transport = transport
        self._project_id = project_id
        self._batch_size = max(1, min(1000, int(batch_size)))
        self._interval = max(0.001, float(flush_interval))
        self._queue: Deque[TraceRecord] = deque()
        self._max_queue = max(1, int(max_queue))
        self._on_error = on_error or _log_error
        self._cond = threading.Condition(threading.Lock())
        self._seq = 0
        self._inflight: Optional[List[int]] = None  # [first seq, size] of the batch being sent
        self._flush_waiting = 0
        self._stopping = False
        self._thread: Optional[threading.Thread] = None
        if hasattr(os, "register_at_fork"):
            me = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: (lambda d: d and d._after_fork())(me()))
        self.sent = self.dropped = self.failed = 0

    def enqueue(self, r: TraceRecord) -> None:
        """Queue a finished trace; a full queue drops its oldest trace, and the count says so."""
        with self._cond:
            if self._stopping:
                self.dropped += 1  # a span that ended after shutdown(): nothing will send it any more
                return
            self._seq += 1
            r.seq = self._seq
            if len(self._queue) >= self._max_queue:
                self._queue.popleft()
                self.dropped += 1
            self._queue.append(r)
            # Only the append that completes a batch wakes the thread; past that it is already busy.
            if len(self._queue) == self._batch_size:
                self._cond.notify_all()
        self._ensure_thread()

    def queued(self) -> int:
        with self._cond:
            return len(self._queue) + (self._inflight[1] if self._inflight else 0)

    def _settled_through(self) -> int:
        if self._inflight:
            return self._inflight[0] - 1
        return self._queue[0].seq - 1 if self._queue else self._seq

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until every trace queued before the call was delivered, rejected or given up on."""
        if threading.current_thread() is self._thread:
            return False  # called from on_error on our own thread: waiting would deadlock
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._ensure_thread():
            self._drain_here()
            return True
        with self._cond:
            target = self._seq
            self._flush_waiting += 1
            self._cond.notify_all()
            try:
                while self._settled_through() < target:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._cond.wait(left)
                return True
            finally:
                self._flush_waiting -= 1

    def close(self, timeout: Optional[float] = None) -> bool:
        """Deliver what is queued (waiting at most ``timeout``), then stop the thread."""
        done = self.flush(timeout)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=1.0)
        self._transport.close()
        return done

    def _after_fork(self) -> None:
        # The child has the parent's queue but not its thread, and maybe a lock held mid-append.
        self._cond = threading.Condition(threading.Lock())
        self._thread = None
        self._inflight = None
        self._transport.forget()

    def _ensure_thread(self) -> bool:
        if self._thread is not None and self._thread.is_alive():
            return True
        try:
            t = threading.Thread(target=self._run, name="aether-delivery", daemon=True)
            t.start()
        except RuntimeError:
            return False  # at interpreter shutdown no thread can start; flush() then sends inline
        self._thread = t
        return True

    def _take(self) -> Optional[List[TraceRecord]]:
        """Wait for a full batch, a flush, a stop or the interval; then take up to one batch.

        Returns None only when stopping with nothing left.
        """
        deadline = time.monotonic() + self._interval
        with self._cond:
            while True:
                q = self._queue
                if not q and self._stopping:
                    return None
                if q and (len(q) >= self._batch_size or self._flush_waiting or self._stopping):
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    if q:
                        break
                    deadline = time.monotonic() + self._interval
                    left = self._interval
                self._cond.wait(left)
            n = min(self._batch_size, len(self._queue))
            batch = [self._queue.popleft() for _ in range(n)]
            self._inflight = [batch[0].seq, n]
            return batch

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            out = self._deliver(batch)
            with self._cond:
                self.sent += out.sent
                self.failed += out.failed
                self._inflight = None
                self._cond.notify_all()
            for e in out.errors:
                self._report(e)

    def _drain_here(self) -> None:
        """Send everything on the calling thread (the exit path when no thread can start)."""
        while True:
            with self._cond:
                if not self._queue:
                    return
                n = min(self._batch_size, len(self._queue))
                batch = [self._queue.popleft() for _ in range(n)]
            out = self._deliver(batch)
            with self._cond:
                self.sent += out.sent
                self.failed += out.failed
            for e in out.errors:
                self._report(e)

    def _deliver(self, batch: List[TraceRecord]) -> Outcome:
        items: List[str] = []
        for r in batch:
            try:
                s = dumps(trace_body(r, self._project_id))
            except Exception:  # noqa: BLE001 - a trace that cannot be encoded is counted, not raised
                s = None
            if s is not None:
                items.append(s)
        bad = len(batch) - len(items)
        try:
            out = self._transport.send(items) if items else Outcome()
        except Exception as e:  # noqa: BLE001 - the thread must survive anything
            out = Outcome(failed=len(items), errors=[AetherError(f"delivery failed: {e}", len(items))])
        if bad:
            out.failed += bad
            out.errors.append(AetherError(f"{bad} traces could not be serialized", bad))
        return out

    def _report(self, e: AetherError) -> None:
        try:
            self._on_error(e)
        except Exception:  # noqa: BLE001 - on_error is the application's code
            pass
