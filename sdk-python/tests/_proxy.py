"""A proxy in front of the real server that replaces chosen answers with failures."""
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Tuple


class FaultProxy:
    """``faults[n] = (status, forward)``: request n gets ``status``; with ``forward`` it reaches the server first."""

    def __init__(self, target: str, faults: Dict[int, Tuple[int, bool]]) -> None:
        self.requests = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                n = proxy.requests
                proxy.requests += 1
                fault = faults.get(n)
                if fault is None or fault[1]:
                    status, payload = proxy._forward(target + self.path, body, dict(self.headers))
                if fault is not None:
                    status, payload = fault[0], b'{"error":{"code":"fault","message":"injected"}}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @staticmethod
    def _forward(url: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, bytes]:
        keep = {k: v for k, v in headers.items() if k.lower() in ("content-type", "x-api-key")}
        req = urllib.request.Request(url, data=body, headers=keep, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
