"""The error delivery failures are reported with (to ``on_error``; never raised into the application)."""
from typing import Optional


class AetherError(Exception):
    """A delivery failure affecting ``count`` traces."""

    def __init__(self, message: str, count: int, status: Optional[int] = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.count = count
        self.status = status
        self.retryable = retryable
