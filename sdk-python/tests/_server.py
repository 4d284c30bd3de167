"""Starts the real Aether server (``aether serve`` from the repository's source) for the tests."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]
SDK_ROOT = Path(__file__).resolve().parents[1]
if str(SDK_ROOT) not in sys.path:
    # `python -m unittest discover -s sdk-python/tests` puts only tests/ on the path.
    sys.path.insert(0, str(SDK_ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AetherServer:
    """``node --import tsx src/cli/main.ts serve`` on a free port with a fresh data dir."""

    def __init__(self) -> None:
        self.data_dir = tempfile.mkdtemp(prefix="aether-pysdk-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.data_dir, "server.log"), "wb")
        env = {**os.environ, "LOG_LEVEL": "warn"}
        self.proc = subprocess.Popen(
            ["node", "--import", "tsx", str(REPO / "src/cli/main.ts"), "serve", "--port", str(self.port),
             "--data-dir", self.data_dir],
            cwd=str(REPO), env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        creds = json.loads(Path(self.data_dir, "credentials.json").read_text())
        self.project_id: str = creds["project_id"]
        self.api_key: str = creds["api_key"]

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early ({self.proc.returncode}):\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server not ready in time:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        self.log.flush()
        return Path(self.data_dir, "server.log").read_text(errors="replace")

    def get(self, path: str) -> Any:
        """GET an API path with the key; None on 404."""
        req = urllib.request.Request(f"{self.url}{path}", headers={"X-API-Key": self.api_key})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    def trace(self, trace_id: str) -> Optional[Dict[str, Any]]:
        return self.get(f"/api/v1/traces/{trace_id}")

    def traces(self, **query: str) -> List[Dict[str, Any]]:
        qs = urllib.parse.urlencode({"limit": "200", **query})
        return self.get(f"/api/v1/traces?{qs}")["data"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)
