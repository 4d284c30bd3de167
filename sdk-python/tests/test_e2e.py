"""The Python SDK end to end against the real Aether server, started once for this module."""
import asyncio
import subprocess
import sys
import textwrap
import time
import unittest
import uuid

from _server import SDK_ROOT, AetherServer  # also puts the SDK on sys.path when it is not installed
from _proxy import FaultProxy

import aether
from aether import AetherClient

server: AetherServer


# Decorated at import, before any aether.init(): the global client is looked up at call time.
@aether.trace(tags=["early"])
def early_decorated(question: str) -> str:
    return "early answer"


def setUpModule() -> None:
    global server
    server = AetherServer()


def tearDownModule() -> None:
    server.stop()


class Retriever:
    """Stands in for a vector store: LangChain-style documents with metadata and a score."""

    class Document:
        def __init__(self, page_content: str, metadata: dict) -> None:
            self.page_content = page_content
            self.metadata = metadata

    def search(self, query: str):
        return [
            self.Document("Paris is the capital of France.", {"source": "doc_001", "score": 0.95}),
            {"text": "France is a country in Europe.", "source": "doc_002", "score": 0.71},
        ]


class Llm:
    def generate(self, query: str, contexts) -> str:
        return "Paris is the capital of France."


retriever = Retriever()
llm = Llm()


def wait_for(check, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


class SeedExampleTest(unittest.TestCase):
    """The "SDK Integration" example of the seed README, verbatim apart from the key, URL and project."""

    def test_decorator_and_trace_span_as_in_the_seed(self) -> None:
        aether = AetherClient(api_key=server.api_key, base_url=server.url)
        project = server.project_id

        # Decorator for LLM calls
        @aether.trace(project_id=project)
        def ask_llm(query: str) -> str:
            contexts = retriever.search(query)
            response = llm.generate(query, contexts)
            return response

        self.assertEqual(ask_llm("What is the capital of France?"), "Paris is the capital of France.")

        # Or manual tracing
        query = "Which city is the capital of France?"
        with aether.trace_span(project_id=project, query=query) as span:
            contexts = retriever.search(query)
            span.add_contexts(contexts)
            response = llm.generate(query, contexts)
            span.set_response(response)

        self.assertTrue(aether.flush(timeout=30))
        self.assertEqual(aether.stats(), {"queued": 0, "sent": 2, "dropped": 0, "failed": 0})

        decorated = server.traces(q="What is the capital of France?")
        self.assertEqual(len(decorated), 1)
        self.assertEqual(decorated[0]["response"], "Paris is the capital of France.")
        self.assertEqual(decorated[0]["project_id"], project)

        manual = server.trace(span.trace_id)
        self.assertIsNotNone(manual)
        self.assertEqual(manual["query"], query)
        self.assertEqual(manual["response"], "Paris is the capital of France.")
        self.assertEqual(manual["contexts"], [
            {"text": "Paris is the capital of France.", "source": "doc_001", "score": 0.95,
             "metadata": {"source": "doc_001", "score": 0.95}},
            {"text": "France is a country in Europe.", "source": "doc_002", "score": 0.71},
        ])
        self.assertGreaterEqual(manual["latency_ms"], 0)
        # Evaluated like any other trace: the worker in `aether serve` scores it.
        evaluated = wait_for(lambda: (server.trace(span.trace_id) or {}).get("evaluations"))
        self.assertIn("faithfulness", {e["metric"] for e in evaluated})
        aether.shutdown()


class NestingAndUsageTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = aether.init(api_key=server.api_key, base_url=server.url, flush_interval=0.05)

    def tearDown(self) -> None:
        aether.shutdown()

    def test_nested_spans_usage_metadata_and_async_decorator(self) -> None:
        @aether.trace(name="generate", kind="llm")
        async def generate(prompt: str) -> str:
            await asyncio.sleep(0.01)
            with aether.trace_span("count", kind="tool") as tool:
                tool.set_output({"words": 5})
            return "Paris is the capital."

        async def pipeline() -> str:
            async with aether.trace_span("rag", query="capital of France?", user_id="u-7", session_id="s-7",
                                         tags=["py-sdk"], metadata={"release": "2.0"}) as root:
                with root.span("retrieve", kind="retrieval") as r:
                    r.add_contexts([("Paris is the capital of France.", 0.9), "Lyon is a city."])
                    with r.span("rerank", kind="reranker") as rr:
                        rr.set_output(["Paris is the capital of France."])
                answer = await generate("capital of France?")
                with root.span("llm-usage", kind="llm") as g:
                    g.set_usage(input_tokens=100, output_tokens=20, cost_usd=0.001, model="gpt-4o-mini")
                root.set_response(answer)
                root.set_metadata(stage="test")
                return root.trace_id

        trace_id = asyncio.run(pipeline())
        self.assertTrue(aether.flush(timeout=30))
        t = server.trace(trace_id)
        self.assertIsNotNone(t)
        self.assertEqual(t["query"], "capital of France?")
        self.assertEqual(t["response"], "Paris is the capital.")
        self.assertEqual(t["contexts"], [{"text": "Paris is the capital of France.", "score": 0.9}, {"text": "Lyon is a city."}])
        self.assertEqual((t["user_id"], t["session_id"], t["tags"]), ("u-7", "s-7", ["py-sdk"]))
        self.assertEqual(t["metadata"], {"release": "2.0", "stage": "test"})
        self.assertEqual((t["model"], t["input_tokens"], t["output_tokens"], t["token_count"]), ("gpt-4o-mini", 100, 20, 120))
        self.assertAlmostEqual(t["cost_usd"], 0.001)
        spans = {s["name"]: s for s in t["spans"]}
        self.assertEqual(set(spans), {"rag", "retrieve", "rerank", "generate", "count", "llm-usage"})
        self.assertIsNone(spans["rag"]["parent_id"])
        self.assertEqual(spans["retrieve"]["parent_id"], spans["rag"]["id"])
        self.assertEqual(spans["rerank"]["parent_id"], spans["retrieve"]["id"])
        self.assertEqual(spans["generate"]["parent_id"], spans["rag"]["id"], "a decorated call inside a span is a child")
        self.assertEqual(spans["count"]["parent_id"], spans["generate"]["id"])
        self.assertEqual(spans["generate"]["input"], "capital of France?")
        self.assertEqual(spans["generate"]["output"], "Paris is the capital.")
        self.assertEqual(spans["generate"]["kind"], "llm")
        self.assertEqual(spans["retrieve"]["attributes"], {"retrieval.documents": 2})
        self.assertEqual(spans["llm-usage"]["input_tokens"], 100)
        for s in t["spans"]:
            self.assertIsNotNone(s["end_time"], s["name"])

    def test_errors_are_recorded_and_reraised(self) -> None:
        marker = uuid.uuid4().hex

        @aether.trace
        def failing(query: str) -> str:
            raise ValueError("model overloaded")

        with self.assertRaises(ValueError):
            failing(f"fail {marker}")
        with self.assertRaises(KeyError):
            with aether.trace_span(query=f"span fail {marker}"):
                raise KeyError("missing")
        self.assertTrue(aether.flush(timeout=30))
        found = {t["query"]: t for t in server.traces(q=marker)}
        self.assertEqual(found[f"fail {marker}"]["status"], "error")
        self.assertEqual(found[f"fail {marker}"]["error"], "ValueError: model overloaded")
        self.assertEqual(found[f"span fail {marker}"]["error"], "KeyError: 'missing'")

    def test_methods_query_kwarg_and_decorating_before_init(self) -> None:
        marker = uuid.uuid4().hex

        class Bot:
            @aether.trace
            def answer(self, question: str) -> dict:
                return {"answer": f"yes {marker}"}

            @aether.trace
            def lookup(self, top_k: int, query: str = "") -> list:
                return [query] * top_k

        self.assertEqual(early_decorated(f"early {marker}"), "early answer")
        bot = Bot()
        self.assertEqual(bot.answer(f"q {marker}"), {"answer": f"yes {marker}"})
        self.assertEqual(bot.lookup(2, query=f"kw {marker}"), [f"kw {marker}"] * 2)
        self.assertTrue(aether.flush(timeout=30))
        got = {t["query"]: t["response"] for t in server.traces(q=marker)}
        self.assertEqual(got[f"q {marker}"], f"yes {marker}")
        self.assertIn(f"kw {marker}", got)
        self.assertEqual(got[f"early {marker}"], "early answer")


class DeliveryTest(unittest.TestCase):
    def test_full_queue_drops_oldest_and_counts(self) -> None:
        marker = uuid.uuid4().hex
        c = AetherClient(api_key=server.api_key, base_url=server.url, max_queue=5, batch_size=1000, flush_interval=60)
        f = c.trace(lambda query: query)
        for i in range(8):
            f(f"{marker} {i}")
        self.assertEqual(c.stats(), {"queued": 5, "sent": 0, "dropped": 3, "failed": 0})
        self.assertTrue(c.flush(timeout=30))
        self.assertEqual(sorted(t["query"] for t in server.traces(q=marker)), [f"{marker} {i}" for i in range(3, 8)])
        c.shutdown()

    def test_server_down_never_reaches_the_caller(self) -> None:
        errors = []
        c = AetherClient(api_key=server.api_key, base_url="http://127.0.0.1:9", max_retries=2, retry_base=0.01,
                         on_error=errors.append)
        f = c.trace(lambda query: len(query))
        self.assertEqual(f("still works"), 11)
        with c.trace_span(query="x") as s:
            s.add_contexts(["y"])
        self.assertTrue(c.flush(timeout=30))
        self.assertEqual(c.stats(), {"queued": 0, "sent": 0, "dropped": 0, "failed": 2})
        self.assertEqual(len(errors), 1)
        self.assertIn("gave up after 3 attempts", str(errors[0]))
        c.shutdown()

    def test_retries_503_and_stores_a_resent_batch_once(self) -> None:
        marker = uuid.uuid4().hex
        # 1st request: 503. 2nd: forwarded and committed, but the client hears 502. 3rd: forwarded.
        proxy = FaultProxy(server.url, {0: (503, False), 1: (502, True)})
        try:
            c = AetherClient(api_key=server.api_key, base_url=proxy.url, retry_base=0.01)
            f = c.trace(lambda query: "ok")
            for i in range(10):
                f(f"{marker} {i}")
            self.assertTrue(c.flush(timeout=30))
            self.assertEqual(proxy.requests, 3)
            self.assertEqual(c.stats()["sent"], 10)
            self.assertEqual(len(server.traces(q=marker)), 10)
            c.shutdown()
        finally:
            proxy.close()

    def test_rejected_items_are_counted_not_retried(self) -> None:
        errors = []
        c = AetherClient(api_key=server.api_key, base_url=server.url, on_error=errors.append)
        c.capture({"query": "fine"})
        c.capture({"query": "bad", "user_id": ""})
        self.assertTrue(c.flush(timeout=30))
        self.assertEqual(c.stats(), {"queued": 0, "sent": 1, "dropped": 0, "failed": 1})
        self.assertIn("user_id", str(errors[0]))
        c.shutdown()

    def test_sampling_is_deterministic(self) -> None:
        c = AetherClient(api_key=server.api_key, base_url=server.url, sample_rate=0.25)
        ids = []
        for _ in range(400):
            with c.trace_span("sampled") as s:
                ids.append(s.trace_id)
        self.assertTrue(c.flush(timeout=30))
        sent = c.stats()["sent"]
        self.assertTrue(50 < sent < 150, sent)
        self.assertEqual(sent, sum(1 for i in ids if aether.sampled(i, 0.25)))
        c.shutdown()

    def test_queued_traces_are_sent_at_exit(self) -> None:
        marker = uuid.uuid4().hex
        script = textwrap.dedent(f"""
            import sys
            sys.path.insert(0, {str(SDK_ROOT)!r})
            import aether
            aether.init(api_key={server.api_key!r}, base_url={server.url!r}, flush_interval=3600)

            @aether.trace
            def ask(query):
                return "bye"

            ask("exit {marker}")
        """)
        done = subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual([t["response"] for t in server.traces(q=f"exit {marker}")], ["bye"])


if __name__ == "__main__":
    unittest.main()
