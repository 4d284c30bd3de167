"""RagClient against a real server: collections, documents, search in the contexts shape, traced."""
import time
import unittest

from _server import AetherServer

from aether import AetherError, RagClient

server: AetherServer


def setUpModule() -> None:
    global server
    server = AetherServer()


def tearDownModule() -> None:
    server.stop()


class RagClientTest(unittest.TestCase):
    def test_collection_documents_search(self) -> None:
        rag = RagClient(api_key=server.api_key, base_url=server.url)
        c = rag.create_collection("py-help")
        self.assertEqual(rag.create_collection("py-help")["id"], c["id"])
        r = rag.add_documents("py-help", [
            {"id": "refunds", "title": "Refunds", "text": "Refunds go back to the original card within 30 days."},
            {"id": "shipping", "title": "Shipping", "text": "Orders ship within two business days.", "metadata": {"team": "ops"}},
        ])
        self.assertEqual([d["status"] for d in r["documents"]], ["created", "created"])
        again = rag.add_documents("py-help", [{"id": "refunds", "title": "Refunds", "text": "Refunds go back to the original card within 30 days."}])
        self.assertEqual(again["documents"][0]["status"], "unchanged")
        self.assertEqual([x["name"] for x in rag.list_collections()], ["py-help"])
        hits = rag.search("py-help", "refund to my card", k=1)
        self.assertEqual(hits["contexts"][0]["metadata"]["document_id"], "refunds")
        self.assertEqual(hits["contexts"][0]["source"], "Refunds")
        trace = None
        for _ in range(100):
            trace = server.trace(hits["trace_id"])
            if trace:
                break
            time.sleep(0.05)
        self.assertIsNotNone(trace)
        self.assertEqual(trace["spans"][0]["kind"], "retrieval")
        filtered = rag.search("py-help", "orders refunds", k=5, mode="bm25", filters={"team": "ops"}, trace=False)
        self.assertEqual([x["metadata"]["document_id"] for x in filtered["contexts"]], ["shipping"])
        self.assertIsNone(filtered["trace_id"])

    def test_errors_raise(self) -> None:
        rag = RagClient(api_key=server.api_key, base_url=server.url)
        with self.assertRaises(AetherError) as e:
            rag.search("missing", "x")
        self.assertEqual(e.exception.status, 404)
        with self.assertRaises(AetherError) as e:
            rag.search("missing", "x", mode="fuzzy")
        self.assertEqual(e.exception.status, 400)


if __name__ == "__main__":
    unittest.main()
