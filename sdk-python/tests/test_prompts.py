"""Python prompt client against a real server: cache, stale-while-revalidate, fallbacks, compile, and
the signature of a real prompt-change webhook checked by ``verify_webhook``."""
import hashlib
import hmac
import json
import threading
import time
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Dict, List

from _server import AetherServer

from aether import PromptClient, PromptFetchError, compile_prompt, verify_webhook

SECRET = "whsec-python-test-0123456789"
received: List[Dict[str, Any]] = []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode("utf8")
        received.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


def call(method: str, path: str, body: Any = None) -> Dict[str, Any]:
    data = None if body is None else json.dumps(body).encode("utf8")
    req = urllib.request.Request(f"{server.url}{path}", data=data, method=method,
                                 headers={"X-API-Key": server.api_key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def setUpModule() -> None:
    global server, receiver
    server = AetherServer()
    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()


def tearDownModule() -> None:
    receiver.shutdown()
    server.stop()


class CompileTest(unittest.TestCase):
    def test_defaults_values_and_missing_names(self) -> None:
        decl = {"lang": {"type": "string", "default": "English"}}
        self.assertEqual(compile_prompt("Answer {{ q }} in {{lang}}", decl, {"q": "why"}), "Answer why in English")
        msgs = compile_prompt([{"role": "system", "content": "k={{k}}"}], {}, {"k": 3})
        self.assertEqual(msgs, [{"role": "system", "content": "k=3"}])
        with self.assertRaisesRegex(ValueError, "missing variables: q, other"):
            compile_prompt("{{q}} {{other}} {{lang}}", decl, {})


class PromptClientTest(unittest.TestCase):
    def test_cache_stale_while_revalidate_and_fallbacks(self) -> None:
        call("POST", "/api/v1/prompts", {"name": "py-faq", "prompt": "Answer {{q}}", "labels": ["production"]})
        client = PromptClient(server.api_key, server.url)
        p = client.get_prompt("py-faq", cache_ttl_seconds=0.3)
        self.assertEqual((p.source, p.version), ("server", 1))
        self.assertEqual(p.compile(q="refunds"), "Answer refunds")
        self.assertEqual(client.get_prompt("py-faq", cache_ttl_seconds=0.3).source, "cache")
        call("POST", "/api/v1/prompts", {"name": "py-faq", "prompt": "Reply to {{q}}", "labels": ["production"]})
        time.sleep(0.35)
        stale = client.get_prompt("py-faq", cache_ttl_seconds=0.3)
        self.assertEqual((stale.source, stale.version), ("stale", 1))
        deadline = time.monotonic() + 10
        while client.get_prompt("py-faq", cache_ttl_seconds=60).version != 2:
            self.assertLess(time.monotonic(), deadline, "the background refresh lands")
            time.sleep(0.02)
        client.invalidate("py-faq")
        self.assertEqual(client.get_prompt("py-faq").source, "server")
        self.assertEqual(client.get_prompt("py-faq", version=1).compile(q="x"), "Answer x")

        errors: List[Exception] = []
        down = PromptClient(server.api_key, "http://127.0.0.1:9", timeout=1, on_error=errors.append)
        fb = down.get_prompt("py-faq", fallback="Default {{q}}")
        self.assertEqual(fb.source, "fallback")
        self.assertEqual(fb.compile(q="y"), "Default y")
        self.assertTrue(errors)
        with self.assertRaises(OSError):
            down.get_prompt("py-faq")
        # Once fetched, the last good copy outlives the server's reachability.
        client.base_url = "http://127.0.0.1:9"
        client.timeout = 1
        client.invalidate()
        last = client.get_prompt("py-faq")
        self.assertEqual((last.source, last.version), ("stale", 2))
        with self.assertRaises(PromptFetchError):
            PromptClient(server.api_key, server.url).get_prompt("nope")

    def test_sticky_experiment_assignment(self) -> None:
        exp = call("POST", "/api/v1/experiments", {"name": "py-exp", "variants": [{"name": "a"}, {"name": "b"}]})
        call("POST", f"/api/v1/experiments/{exp['id']}/start", {})
        client = PromptClient(server.api_key, server.url)
        first = [client.assign_variant(exp["id"], user_id=f"u{i}")["variant"]["name"] for i in range(20)]
        again = [client.assign_variant(exp["id"], user_id=f"u{i}")["variant"]["name"] for i in range(20)]
        self.assertEqual(first, again)
        self.assertEqual(set(first), {"a", "b"})
        with self.assertRaises(PromptFetchError):
            client.assign_variant(exp["id"])

    def test_verify_a_real_change_webhook(self) -> None:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        call("PUT", f"/api/v1/alert-config/{server.project_id}", {"webhook_url": url, "webhook_secret": SECRET, "webhook_enabled": True})
        call("POST", "/api/v1/prompts", {"name": "py-hooked", "prompt": "hi"})
        deadline = time.monotonic() + 20
        while not any(r["headers"].get("x-aether-event") == "prompt.created" for r in received):
            self.assertLess(time.monotonic(), deadline, "the webhook arrives")
            time.sleep(0.05)
        hook = next(r for r in received if r["headers"].get("x-aether-event") == "prompt.created")
        sig, body = hook["headers"]["x-aether-signature"], hook["body"]
        self.assertTrue(verify_webhook(SECRET, sig, body))
        self.assertTrue(verify_webhook(SECRET, sig, body.encode("utf8")))
        self.assertFalse(verify_webhook(SECRET, sig, body.replace("py-hooked", "py-hacked")), "tampered body")
        self.assertFalse(verify_webhook("wrong-secret-0123456789", sig, body))
        t = int(sig.split(",")[0][2:])
        self.assertFalse(verify_webhook(SECRET, sig, body, now=t + 301), "stale timestamp")
        self.assertTrue(verify_webhook(SECRET, sig, body, now=t + 299))
        expected = hmac.new(SECRET.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
        self.assertEqual(sig, f"t={t},v1={expected}")


if __name__ == "__main__":
    unittest.main()
