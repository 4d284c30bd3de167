"""Retrieval collections over the REST API: create, list, add documents, search.

Unlike trace recording these are request/response calls: a failure raises ``AetherError``::

    from aether import RagClient
    rag = RagClient(api_key="ae_...")
    rag.create_collection("help")
    rag.add_documents("help", [{"id": "refunds", "title": "Refunds", "text": "..."}])
    hits = rag.search("help", "how do refunds work?", k=5, mode="hybrid")
    hits["contexts"]  # the trace ``contexts`` shape; hits["trace_id"] names the search's trace
"""
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional

from ._errors import AetherError


class RagClient:
    """Client of ``/api/v1/rag/*`` (standard library only)."""

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None, timeout: float = 30.0) -> None:
        self.api_key = api_key or os.environ.get("AETHER_API_KEY", "")
        self.base_url = (base_url or os.environ.get("AETHER_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"x-api-key": self.api_key, "accept": "application/json"}
        if data is not None:
            headers["content-type"] = "application/json"
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                message = json.loads(text).get("error", {}).get("message", text)
            except ValueError:
                message = text
            raise AetherError(f"{method} {path}: {e.code} {message}", 0, e.code, e.code >= 500 or e.code == 429) from None
        except (urllib.error.URLError, OSError) as e:
            raise AetherError(f"{method} {path}: {e}", 0, None, True) from None

    @staticmethod
    def _id(collection: str) -> str:
        return urllib.parse.quote(collection, safe="")

    def create_collection(self, name: str, settings: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Create a collection, or get the one of that name."""
        body: Dict[str, Any] = {"name": name}
        if settings is not None:
            body["settings"] = settings
        return self._call("POST", "/api/v1/rag/collections", body)

    def list_collections(self) -> List[Dict[str, Any]]:
        return self._call("GET", "/api/v1/rag/collections")["data"]

    def add_documents(self, collection: str, documents: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Add or replace documents (``{id?, text, title?, source?, metadata?}``); unchanged content is skipped."""
        return self._call("POST", f"/api/v1/rag/collections/{self._id(collection)}/documents", {"documents": documents})

    def search(self, collection: str, query: str, k: int = 5, mode: str = "hybrid",
               filters: Optional[Dict[str, Any]] = None, max_tokens: Optional[int] = None,
               trace: bool = True, rerank: Any = None) -> Dict[str, Any]:
        """Search a collection; ``contexts`` drop straight into a trace. ``rerank``: True or
        ``{"model": ..., "candidates": ...}`` re-scores the top results with an LLM (off by default)."""
        body: Dict[str, Any] = {"query": query, "k": k, "mode": mode, "trace": trace}
        if filters is not None:
            body["filters"] = filters
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        if rerank is not None:
            body["rerank"] = rerank
        return self._call("POST", f"/api/v1/rag/collections/{self._id(collection)}/search", body)
