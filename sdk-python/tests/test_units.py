"""Offline tests of the Python SDK's pieces: ids, sampling, wire format, context shapes, backoff."""
import re
import threading
import time
import unittest

from _server import SDK_ROOT  # noqa: F401 - puts the SDK on sys.path when it is not installed

from aether import AetherClient, new_trace_id, sampled
from aether._record import SpanRecord, TraceRecord
from aether._transport import backoff_seconds
from aether._wire import dumps, iso, to_context, to_text, trace_body

UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class IdsAndSamplingTest(unittest.TestCase):
    def test_trace_ids_are_uuid7_ordered_by_time(self) -> None:
        a = new_trace_id(1_700_000_000_000)
        b = new_trace_id(1_700_000_000_001)
        self.assertRegex(a, UUID7)
        self.assertLess(a, b)
        self.assertTrue(a.startswith("018bcfe5-6800"))
        self.assertEqual(len({new_trace_id() for _ in range(1000)}), 1000)

    def test_sampling_is_fnv1a_like_the_server(self) -> None:
        # Standard FNV-1a 32-bit vectors: the server and the TypeScript SDK hash the same way.
        for text, h in (("a", 0xE40C292C), ("foobar", 0xBF9CF968)):
            frac = h / 2**32
            self.assertTrue(sampled(text, frac + 1e-9))
            self.assertFalse(sampled(text, frac))
        self.assertTrue(sampled("x", 1))
        self.assertFalse(sampled("x", 0))


class WireTest(unittest.TestCase):
    def test_contexts_from_common_shapes(self) -> None:
        class Doc:
            page_content = "text of doc"
            metadata = {"source": "kb/1.md", "relevance_score": 0.4}

        self.assertEqual(to_context("plain"), {"text": "plain"})
        self.assertEqual(to_context({"text": "t", "source": "s", "score": 1}), {"text": "t", "source": "s", "score": 1.0})
        self.assertEqual(to_context(Doc()), {"text": "text of doc", "source": "kb/1.md", "score": 0.4,
                                             "metadata": {"source": "kb/1.md", "relevance_score": 0.4}})
        self.assertEqual(to_context((Doc(), 0.8))["score"], 0.4, "a score in the document wins over the pair's")
        self.assertEqual(to_context(("passage", 0.8)), {"text": "passage", "score": 0.8})
        self.assertEqual(to_context({"content": "c", "id": 7}), {"text": "c", "source": "7"})
        self.assertIsNone(to_context(None))

    def test_text_of_odd_values(self) -> None:
        self.assertEqual(to_text(ValueError("boom")), "ValueError: boom")
        self.assertEqual(to_text({"a": 1}), '{"a": 1}')
        self.assertEqual(to_text(None), "")
        loop: dict = {"n": float("nan")}
        loop["self"] = loop
        self.assertEqual(dumps(loop), '{"n": null, "self": "[circular]"}')
        self.assertEqual(dumps({"when": iso(0)}), '{"when": "1970-01-01T00:00:00.000000+00:00"}')

    def test_body_is_trimmed_to_what_the_server_accepts(self) -> None:
        r = TraceRecord("q" * 2_000_000)
        r.fields = {"tags": ["a", "a", "", "b"] + [f"t{i}" for i in range(100)], "user_id": "", "metadata": {"k": object()}}
        r.contexts = ["c"] * 300
        r.root = SpanRecord("root", "nonsense-kind", r.start)
        r.root.usage = {"input_tokens": 3.4, "output_tokens": -1, "model": ""}
        b = trace_body(r, "proj")
        self.assertEqual(len(b["query"]), 1_000_000)
        self.assertEqual(b["tags"][:3], ["a", "b", "t0"])
        self.assertEqual(len(b["tags"]), 50)
        self.assertNotIn("user_id", b)
        self.assertEqual(len(b["contexts"]), 200)
        self.assertEqual(b["spans"][0]["kind"], "other")
        self.assertEqual(b["input_tokens"], 3)
        self.assertNotIn("output_tokens", b)
        self.assertNotIn("model", b)
        self.assertEqual(b["project_id"], "proj")
        self.assertRegex(b["id"], UUID7)
        self.assertIsNotNone(dumps(b))

    def test_retry_after_and_backoff(self) -> None:
        self.assertEqual(backoff_seconds(0, 0.25, "2"), 2.0)
        self.assertEqual(backoff_seconds(0, 0.25, "3600"), 60.0)
        http_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 5))
        self.assertTrue(3 <= backoff_seconds(0, 0.25, http_date) <= 5)
        for attempt in range(10):
            self.assertTrue(0 <= backoff_seconds(attempt, 0.25, None) <= min(30, 0.25 * 2**attempt))


class ClientOfflineTest(unittest.TestCase):
    def test_shared_decorator_options_are_not_mutated_by_spans(self) -> None:
        c = AetherClient(api_key="x", base_url="http://127.0.0.1:9", flush_at_exit=False, max_retries=0,
                         on_error=lambda e: None)
        meta = {"fixed": 1}

        @c.trace(metadata=meta, tags=["t"])
        def f(query: str) -> str:
            return query

        with c.trace_span(metadata=meta) as s:
            s.set_metadata(extra=2).set_trace(tags=["u"])
        f("a")
        self.assertEqual(meta, {"fixed": 1})
        c.shutdown(timeout=5)

    def test_flush_from_on_error_does_not_deadlock(self) -> None:
        seen = threading.Event()
        holder = {}

        def on_error(e) -> None:
            holder["flushed"] = holder["client"].flush(timeout=1)
            seen.set()

        c = AetherClient(api_key="x", base_url="http://127.0.0.1:9", flush_at_exit=False, max_retries=0, on_error=on_error)
        holder["client"] = c
        c.capture({"query": "q"})
        self.assertTrue(c.flush(timeout=10))
        self.assertTrue(seen.wait(5))
        self.assertFalse(holder["flushed"])
        c.shutdown(timeout=5)

    def test_closed_client_records_nothing_and_calls_still_work(self) -> None:
        c = AetherClient(api_key="x", base_url="http://127.0.0.1:9", flush_at_exit=False)
        c.shutdown(timeout=1)
        self.assertEqual(c.trace(lambda query: query + "!")("hi"), "hi!")
        with c.trace_span(query="q") as s:
            s.set_response("r")
        self.assertEqual(c.stats(), {"queued": 0, "sent": 0, "dropped": 0, "failed": 0})

    def test_invalid_base_url_is_refused_at_construction(self) -> None:
        with self.assertRaises(ValueError):
            AetherClient(api_key="x", base_url="localhost:8000")


if __name__ == "__main__":
    unittest.main()
